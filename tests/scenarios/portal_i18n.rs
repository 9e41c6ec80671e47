//! Acceptance (issue 13 item 5, Spanish and text overrides), end to end through the real
//! `sealgate serve` with a portal tenant set to `language = "es"` and one text of its own:
//!
//! - a PHI message to a keyless recipient → escrowed; the notification (parsed with Python's
//!   `email`) is Spanish: subject, From display name, text and HTML (`lang="es"`), the date;
//! - Chromium with locale `es-ES` (Playwright, `tests/support/portal-i18n.py`): the link page
//!   (with the tenant's own title), "Enviarme un código por correo" → the Spanish code mail
//!   (parsed with `email`, no link) → code → the message page, all Spanish; on each page the
//!   switch link turns it English and back (no script needed: a link and a cookie); the
//!   withdrawn page, the home page and a 404 in both languages; axe-core finds no serious or
//!   critical violation on any of them; screenshots at 320 px under `target/portal-artifacts/`;
//!   a browser asking for English gets English;
//! - `config check` refuses an unknown text key, HTML in a text and a placeholder the text does
//!   not have, each naming the key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::crypto::{dkim_key, public_keys};
use sealgate_tests::portal::{escrow_of, link_in, portal_cli};
use sealgate_tests::queue;
use sealgate_tests::receiver::{Receiver, free_port, test_cert};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, sealgate, toml_path};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::Duration;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(120);
const LINK_TITLE_ES: &str = "Tiene un mensaje de Acme Health";

fn send(gw: &Gateway, to: &str) -> String {
    let message = format!(
        "From: Dr Avery <alice@acme-health.org>\r\nTo: <{to}>\r\nSubject: lab results\r\n\
Message-ID: <{to}.i18n@t>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nPatient SSN 123-45-6789, results are normal.\r\n"
    );
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    let reply = s.send_mail("alice@acme-health.org", &[to], &message);
    reply.expect(250, "2.0.0", "end of data");
    queued_id(&reply).unwrap()
}

#[test]
fn spanish_pages_and_mails_for_a_spanish_tenant_with_its_own_texts() {
    let env = Env::new();
    let rsa = dkim_key(&env.etc(), "acme-rsa", false);
    let gwk = dkim_key(&env.etc(), "gw", false);
    public_keys(
        &env.etc().join("keys.txt"),
        &[("rsa2026", "acme-health.org", &rsa)],
    );
    let cert = test_cert(&env.etc(), "return.acme-health.org");
    let mut dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
    let tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), Some(&cert));
    let port = free_port(LOOPBACK);
    let base = format!("http://localhost:{port}");
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        tenants: format!(
            "[tenants.acme]\nnetworks = [\"127.0.0.1/32\"]\nsender_domains = [\"acme-health.org\"]\n\n\
[[tenants.acme.dkim]]\ndomain = \"acme-health.org\"\nselector = \"rsa2026\"\nkey = {}\n",
            toml_path(&rsa.path)
        ),
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[gateway]\ndkim_selector = \"gw2026\"\ndkim_key = {}\n\n[delivery.routes]\n\
\"dest.test\" = \"{}\"\n\"acme-health.org\" = \"{}\"\n\n[portal]\nlisten = \"127.0.0.1:{port}\"\n\
[portal.tenants.acme]\nbase_url = \"{base}\"\norganisation = \"Acme Health\"\n\
help = \"¿Preguntas? Llame al 555-0100.\"\nlanguage = \"es\"\n\
[portal.tenants.acme.texts.es]\nlink_title = \"{LINK_TITLE_ES}\"\n",
            toml_path(&gwk.path),
            dest.addr,
            tenant.addr
        ),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);
    let pat = send(&gw, "pat@dest.test");
    let rev = send(&gw, "rev@dest.test");
    for id in [&pat, &rev] {
        queue::wait_all(&gw, &env, id, "escrowed", WAIT);
    }
    let got = dest.wait_messages(2, WAIT, "the notifications");
    let link_to = |rcpt: &str| {
        let m = got.iter().find(|m| m.rcpt_tos[0] == rcpt).unwrap();
        link_in(&m.bytes(), &base)
    };
    let (link, revoked) = (link_to("pat@dest.test"), link_to("rev@dest.test"));
    let r = portal_cli(&gw, &["revoke", &escrow_of(&revoked)]);
    assert_eq!(r["state"], "revoked", "{r}");

    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/portal-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let args = serde_json::json!({
        "base": base, "link": link, "revoked": revoked, "mail_dir": dest.dir,
        "artifacts": artifacts, "link_title_es": LINK_TITLE_ES,
    });
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/portal-i18n.py");
    let out = std::process::Command::new("python3")
        .arg(&driver)
        .arg(args.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "browser: {}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings: serde_json::Value =
        serde_json::from_str(stdout.trim().lines().last().unwrap()).unwrap();
    let axe = findings["axe"].as_object().unwrap();
    for page in ["link", "code", "message", "withdrawn", "home", "not-found"] {
        for lang in ["es", "en"] {
            let name = format!("{page}-{lang}");
            assert_eq!(
                axe[&name]["serious_or_critical"],
                serde_json::json!([]),
                "{name}: {findings}"
            );
        }
    }
    let shots = findings["screenshots"].as_array().unwrap();
    assert_eq!(shots.len(), 12, "{findings}");
    assert!(
        shots
            .iter()
            .all(|p| Path::new(p.as_str().unwrap()).exists())
    );
    assert_eq!(
        findings["mails"]["code"]["subject"],
        "Su código de correo seguro de Acme Health"
    );
    // The message was read: the portal recorded it.
    let shown = portal_cli(&gw, &["show", &escrow_of(&link)]);
    let text = shown.to_string();
    assert!(
        text.contains("viewed") && text.contains("code-passed"),
        "{text}"
    );

    // config check: unknown key, HTML, a placeholder the text does not have — each named.
    let good = std::fs::read_to_string(&gw.config).unwrap();
    for (line, key, why) in [
        (
            "link_titel = \"Hola\"",
            "portal.tenants.acme.texts.es.link_titel",
            "not a portal text key",
        ),
        (
            "link_button = \"<b>Código</b>\"",
            "portal.tenants.acme.texts.es.link_button",
            "HTML",
        ),
        (
            "link_until = \"Hasta el {fecha}\"",
            "portal.tenants.acme.texts.es.link_until",
            "{date}",
        ),
    ] {
        let bad = good.replace(
            "[portal.tenants.acme.texts.es]\n",
            &format!("[portal.tenants.acme.texts.es]\n{line}\n"),
        );
        assert_ne!(bad, good);
        let path = env.write_etc("bad.toml", &bad);
        let out = sealgate(&["config", "check", path.to_str().unwrap()]);
        let said = describe(&out);
        assert!(!out.status.success(), "{line} passed config check: {said}");
        assert!(said.contains(key) && said.contains(why), "{line}: {said}");
    }
    gw.terminate();
}
