//! Acceptance (issue 12, secure portal part 1), end to end through the real `sealgate serve`:
//!
//! - a PHI message (the shipped chain `tls-verified → pgp → smime → portal → hold`) to two
//!   keyless recipients whose MX (aiosmtpd, `smtp-receiver.py`) offers no STARTTLS → each gets
//!   one notification; the recipients become `escrowed`; each notification verifies with
//!   dkimpy and opendkim under the tenant's key and carries no PHI (no SSN, no subject);
//! - a third recipient's MX refuses the notification with 550 → `bounced`, one DSN to the
//!   sender (no PHI), its escrow withdrawn;
//! - two plain GETs of the link (a "scanner") change nothing: no code mail, the copy active;
//! - in Chromium (Debian's, Playwright, `portal-browser.py` in `e2e` mode): "Email me a code"
//!   → the code arrives by mail (DKIM-signed by the tenant, no link) → entered → the message
//!   shows, the PDF attachment downloads byte-identical;
//! - `sealgate portal revoke` → the link's page says "withdrawn on"; `queue show` carries the
//!   portal events; `portal show` lists them;
//! - store alone: gateway stopped and the spool's finished bodies removed (recovery), the data
//!   directory, master key and databases open, without the link, nothing of the second copy
//!   (with its link, it opens: the check is not vacuous); `explain --keys` names `portal`;
//!   the canary SSN is nowhere in clear under the data directory, the logs or the metrics.
//!
//! And, with the portal on HTTPS (a test CA's `localhost` certificate) and a branded tenant:
//! per-message expiry tags (`[expire=1m]`, `[EXPIRES=2d]`, one over the tenant's own
//! `max_expiry` clamped to it) set each record's expiry from its deposit at accept, `queue
//! show` and `portal show` print it, the tag is gone from the escrowed subject; curl trusting
//! the CA reads the page (HSTS, the tenant's intro and style sheet) and the logo (sandbox
//! CSP), refuses it without the CA, plain HTTP gets no page; the notification carries the
//! intro and colour; `sealgate_portal_events_total` counts deposits, notifications, opens
//! and revokes by tenant, with no address or id in the metrics; `config check` refuses an SVG
//! logo with an event handler, naming the key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::{Clock, SystemClock};
use sealgate_portal::{EscrowStore, Half};
use sealgate_tests::certs::TestCa;
use sealgate_tests::crypto::{assert_verifies, dkim_key, public_keys};
use sealgate_tests::portal::{
    curl_get, escrow_of, event_kinds, files_containing, link_in, portal_cli, portal_count,
};
use sealgate_tests::queue;
use sealgate_tests::receiver::{Receiver, free_port, test_cert};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, http_get, sealgate};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

#[path = "portal/https.rs"]
mod https;

const INTRO: &str = "Acme Health sends results through secure mail.";
const LOGO_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" height=\"48\">\
<rect width=\"96\" height=\"48\" fill=\"#0b5394\"/></svg>";
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(120);
const SSN: &str = "123-45-6789";
const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

fn b64(data: &[u8]) -> String {
    let mut out = Vec::new();
    let mut child = std::process::Command::new("base64")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), data).unwrap();
    std::io::Read::read_to_end(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    child.wait().unwrap();
    String::from_utf8(out).unwrap().replace('\n', "\r\n")
}

fn phi_message(to: &str) -> String {
    phi_message_about(to, "lab results")
}

fn phi_message_about(to: &str, subject: &str) -> String {
    format!(
        "From: Dr Avery <alice@acme-health.org>\r\nTo: <{to}>\r\nSubject: {subject}\r\n\
Message-ID: <{to}.portal@t>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nPatient SSN {SSN}, results attached.\r\n\
--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"results.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}--b1--\r\n",
        b64(PDF)
    )
}

fn send(gw: &Gateway, to: &str) -> String {
    send_about(gw, to, "lab results")
}

fn send_about(gw: &Gateway, to: &str, subject: &str) -> String {
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    let reply = s.send_mail(
        "alice@acme-health.org",
        &[to],
        &phi_message_about(to, subject),
    );
    reply.expect(250, "2.0.0", "end of data");
    queued_id(&reply).unwrap()
}

struct Rig {
    env: Env,
    pubkeys: std::path::PathBuf,
    dest: Receiver,
    tenant: Receiver,
    gw: Gateway,
    base: String,
    portal: SocketAddr,
    /// The test CA that issued the portal's certificate (HTTPS rigs only).
    ca: Option<std::path::PathBuf>,
}

fn rig() -> Rig {
    rig_with(false)
}

/// The gateway, its receivers and the portal — on HTTPS with a test CA's `localhost`
/// certificate when `https`.
fn rig_with(https: bool) -> Rig {
    let env = Env::new();
    let (rsa, gwk) = (
        dkim_key(&env.etc(), "acme-rsa", false),
        dkim_key(&env.etc(), "gw", false),
    );
    let pubkeys = env.etc().join("keys.txt");
    public_keys(
        &pubkeys,
        &[
            ("rsa2026", "acme-health.org", &rsa),
            ("gw2026", "gw.sealgate.test", &gwk),
        ],
    );
    let q = |p: &Path| serde_json::to_string(&p.to_string_lossy()).unwrap();
    let cert = test_cert(&env.etc(), "return.acme-health.org");
    // The recipients' MX offers no STARTTLS at all; the tenant's return route does.
    let dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
    let tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), Some(&cert));
    let port = free_port(LOOPBACK);
    let (scheme, tls, ca) = if https {
        let ca = TestCa::new(&env.etc(), "portal");
        let leaf = ca.leaf(&env.etc(), "portal", &["localhost"], false);
        let lines = format!("tls_cert = {}\ntls_key = {}\n", q(&leaf.cert), q(&leaf.key));
        env.write_etc("logo.svg", LOGO_SVG);
        ("https", lines, Some(ca.pem_file))
    } else {
        ("http", String::new(), None)
    };
    let base = format!("{scheme}://localhost:{port}");
    // The HTTPS rig's tenant is branded too: intro, colour and an SVG logo.
    let brand = if https {
        format!(
            "intro = \"{INTRO}\"\ncolour = \"#0b5394\"\nlogo = {}\nmax_expiry = \"90d\"\n",
            q(&env.etc().join("logo.svg"))
        )
    } else {
        String::new()
    };
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        tenants: format!(
            "[tenants.acme]\nnetworks = [\"127.0.0.1/32\"]\nsender_domains = [\"acme-health.org\"]\n\n[[tenants.acme.dkim]]\ndomain = \"acme-health.org\"\nselector = \"rsa2026\"\nkey = {}\n",
            q(&rsa.path)
        ),
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[gateway]\ndkim_selector = \"gw2026\"\ndkim_key = {}\n\n[delivery.routes]\n\"dest.test\" = \"{}\"\n\"acme-health.org\" = \"{}\"\n\n\
[portal]\nlisten = \"127.0.0.1:{port}\"\n{tls}\n[portal.tenants.acme]\nbase_url = \"{base}\"\n\
organisation = \"Acme Health\"\nhelp = \"Questions? Call 555-0100.\"\n{brand}",
            q(&gwk.path),
            dest.addr,
            tenant.addr
        ),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);
    Rig {
        env,
        pubkeys,
        dest,
        tenant,
        gw,
        base,
        portal: SocketAddr::new(LOOPBACK, port),
        ca,
    }
}

#[test]
fn escrow_notify_read_in_chromium_revoke_and_the_store_alone_opens_nothing() {
    let Rig {
        env,
        pubkeys,
        mut dest,
        mut tenant,
        gw,
        base,
        portal,
        ..
    } = rig();
    let pat_id = send(&gw, "pat@dest.test");
    let sam_id = send(&gw, "sam@dest.test");
    // The receiver refuses `reject-…` at RCPT with 550: the notification fails for good.
    let rob_id = send(&gw, "reject-rob@dest.test");
    for id in [&pat_id, &sam_id] {
        let e = queue::wait_all(&gw, &env, id, "escrowed", WAIT);
        let copy = queue::attempts(&e).last().unwrap()["copy"].clone();
        assert_eq!(copy["protection"], "portal", "{e}");
        assert!(
            copy["key"].as_str().unwrap().starts_with("escrow "),
            "{copy}"
        );
    }
    let e = queue::wait_all(&gw, &env, &rob_id, "bounced", WAIT);
    assert_eq!(
        queue::attempts(&e).last().unwrap()["copy"]["protection"],
        "portal",
        "{e}"
    );
    let dsn = tenant.wait_messages(1, WAIT, "the DSN for the refused notification");
    let dsn_text = String::from_utf8_lossy(&dsn[0].bytes()).to_string();
    assert!(
        dsn_text.contains("reject-rob@dest.test") && !dsn_text.contains(SSN),
        "{dsn_text}"
    );
    let listed = portal_cli(&gw, &["list"]);
    let rob = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["recipient"] == "reject-rob@dest.test")
        .expect("rob's escrow");
    assert_eq!(
        rob["state"], "revoked",
        "an unsent escrow is withdrawn: {rob}"
    );
    // One notification each, over the plaintext hop: DKIM by the tenant, no PHI.
    let got = dest.wait_messages(2, WAIT, "the notifications");
    let mut links = HashMap::new();
    for m in &got {
        let bytes = m.bytes();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!m.tls, "the hop was supposed to be plaintext");
        assert!(
            !text.contains(SSN) && !text.contains("lab results"),
            "PHI in: {text}"
        );
        assert!(
            text.contains("Subject: Secure message from Acme Health"),
            "{text}"
        );
        assert_verifies(&pubkeys, &bytes, 0, "rsa2026", "acme-health.org");
        links.insert(m.rcpt_tos[0].clone(), link_in(&bytes, &base));
    }
    let (pat_link, sam_link) = (&links["pat@dest.test"], &links["sam@dest.test"]);

    // A scanner: two plain GETs change nothing and send nothing.
    let path = format!("/m/{}", escrow_of(pat_link));
    for _ in 0..2 {
        let (status, page) = http_get(portal, &path, None, WAIT).unwrap();
        assert_eq!(status, 200);
        assert!(String::from_utf8_lossy(&page).contains("Email me a code"));
    }
    let shown = portal_cli(&gw, &["show", &escrow_of(pat_link)]);
    assert_eq!(shown["record"]["state"], "active", "{shown}");
    let kinds = event_kinds(&shown);
    assert!(!kinds.iter().any(|k| k.starts_with("code")), "{kinds:?}");
    assert_eq!(dest.messages().len(), 2, "a GET sent mail");

    // Chromium: code by mail, message, attachment.
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/portal-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let args = serde_json::json!({
        "mode": "e2e", "base": base, "link": pat_link, "mail_dir": dest.dir,
        "artifacts": artifacts, "attachment_sha256": hex::encode(Sha256::digest(PDF)),
        "canary": SSN, "codes": "", "links": {},
    });
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/portal-browser.py");
    let out = std::process::Command::new("python3")
        .arg(&driver)
        .arg(args.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "browser: {}", describe(&out));
    let code_mail = dest
        .messages()
        .into_iter()
        .map(|m| m.bytes())
        .find(|b| String::from_utf8_lossy(b).contains("secure mail code"))
        .expect("the code mail");
    let code_text = String::from_utf8_lossy(&code_mail);
    assert!(
        !code_text.contains("http") && !code_text.contains(SSN),
        "{code_text}"
    );
    assert_verifies(&pubkeys, &code_mail, 0, "rsa2026", "acme-health.org");

    // Revoke through the CLI: the page says withdrawn; queue show merges the portal events.
    let revoked = portal_cli(&gw, &["revoke", &escrow_of(pat_link)]);
    assert_eq!(revoked["state"], "revoked", "{revoked}");
    let (_, page) = http_get(portal, &path, None, WAIT).unwrap();
    assert!(String::from_utf8_lossy(&page).contains("withdrawn on"));
    let q = queue::show(&gw, &pat_id);
    let kinds = event_kinds(&q["portal"][0]);
    for want in [
        "escrowed",
        "notified",
        "code-sent",
        "code-passed",
        "viewed",
        "revoked",
    ] {
        assert!(kinds.iter().any(|k| k == want), "{want} missing: {kinds:?}");
    }
    let metrics = String::from_utf8_lossy(&gw.admin_get(&env, "/metrics").1).to_string();
    assert!(
        metrics.contains("method=\"portal\""),
        "no portal copies counted"
    );

    // Store alone: stop, remove finished bodies, open everything — without the link.
    let cfg = gw.config.clone();
    gw.terminate();
    // `explain --keys` (gateway stopped) names the method a keyless recipient gets now.
    let eml = env.write_etc("nel.eml", &phi_message("nel@dest.test"));
    let args = [
        "explain",
        eml.to_str().unwrap(),
        "--keys",
        "--config",
        cfg.to_str().unwrap(),
    ];
    let out = sealgate(&args);
    assert!(out.status.success(), "explain --keys: {}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("next hop does not:") && l.trim_end().ends_with("portal")),
        "a keyless recipient behind a plaintext hop gets the portal:\n{text}"
    );
    assert!(!text.contains(SSN), "a matched value leaked:\n{text}");
    let (dir, key) = (env.data(), env.data().join("master.key"));
    let spool = Spool::open(
        &dir,
        MasterKeys::load(&key).unwrap(),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
    )
    .unwrap();
    sealgate_core::store::QueueStore::recover(&spool, SystemClock.now()).unwrap();
    drop(spool);
    let store = EscrowStore::open(
        &dir,
        Arc::new(MasterKeys::load(&key).unwrap()),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
    )
    .unwrap();
    let sam: sealgate_portal::EscrowId = escrow_of(sam_link).parse().unwrap();
    assert!(store.record(sam).unwrap().is_active());
    assert!(store.read(sam, None).is_err(), "opened without the link");
    for guess in [[0u8; 32], [0xff; 32]] {
        assert!(store.read(sam, Some(&Half::from_bytes(guess))).is_err());
    }
    let pat: sealgate_portal::EscrowId = escrow_of(pat_link).parse().unwrap();
    let pat_half = Half::from_fragment(pat_link.split('#').nth(1).unwrap()).unwrap();
    assert!(
        store.read(pat, Some(&pat_half)).is_err(),
        "a revoked copy opened"
    );
    let sam_half = Half::from_fragment(sam_link.split('#').nth(1).unwrap()).unwrap();
    assert!(
        store.read(sam, Some(&sam_half)).is_ok(),
        "with its link the copy opens (the check above is not vacuous)"
    );
    let mut hits = files_containing(&dir, SSN.as_bytes());
    hits.extend(files_containing(&env.logs(), SSN.as_bytes()));
    assert!(hits.is_empty(), "the canary in clear: {hits:?}");
    assert!(!metrics.contains(SSN));
}

/// (recipient, subject with an expiry tag, the lifetime the record must get in ms).
type Sent = (&'static str, &'static str, u64);
