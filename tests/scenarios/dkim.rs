//! Acceptance (issue 6, DKIM): every message the gateway delivers — a plain copy with 8-bit
//! UTF-8 content and a body ending in blank lines, and the DSN it originates — carries our
//! signatures, and **dkimpy** and **`opendkim -t`** (public keys from a file, no DNS) verify
//! them: RSA-2048 and Ed25519 for the tenant's domain, the gateway's own key for the DSN. The
//! signature is the only change to the bytes. A tenant sending with another tenant's domain is
//! refused at intake, in the envelope and in header From (and would get no signature: the
//! sign crate's isolation tests, and `protect::owner` in the deliver crate).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::crypto::{
    DkimKey, assert_verifies, dkim_key, public_keys, without_leading_signatures,
};
use sealgate_tests::queue;
use sealgate_tests::receiver::{Receiver, test_cert};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(90);

struct Rig {
    env: Env,
    dest: Receiver,
    tenant: Receiver,
    gw: Gateway,
    pubkeys: PathBuf,
}

/// acme signs with RSA-2048 (`rsa2026`) and Ed25519 (`ed2026`); globex (another tenant, on
/// another address) has its own key; the gateway signs its DSNs as `gw2026`.
fn rig() -> Rig {
    let env = Env::new();
    let keys = |name: &str, ed: bool| -> DkimKey { dkim_key(&env.etc(), name, ed) };
    let (rsa, ed, globex, gw) = (
        keys("acme-rsa", false),
        keys("acme-ed", true),
        keys("globex", false),
        keys("gw", false),
    );
    let pubkeys = env.etc().join("keys.txt");
    public_keys(
        &pubkeys,
        &[
            ("rsa2026", "acme-health.org", &rsa),
            ("ed2026", "acme-health.org", &ed),
            ("g2026", "globex.example", &globex),
            ("gw2026", "gw.sealgate.test", &gw),
        ],
    );
    let q = |p: &std::path::Path| serde_json::to_string(&p.to_string_lossy()).unwrap();
    let tenants = format!(
        r#"
[tenants.acme]
networks = ["127.0.0.1/32"]
sender_domains = ["acme-health.org"]

[[tenants.acme.dkim]]
domain = "acme-health.org"
selector = "rsa2026"
key = {}

[[tenants.acme.dkim]]
domain = "acme-health.org"
selector = "ed2026"
key = {}

[tenants.globex]
networks = ["127.0.0.2/32"]
sender_domains = ["globex.example"]

[[tenants.globex.dkim]]
domain = "globex.example"
selector = "g2026"
key = {}
"#,
        q(&rsa.path),
        q(&ed.path),
        q(&globex.path)
    );
    let cert = test_cert(&env.etc(), "return.acme-health.org");
    let dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
    let tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), Some(&cert));
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        tenants,
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[gateway]\ndkim_selector = \"gw2026\"\ndkim_key = {}\n\n[delivery.routes]\n\"dest.test\" = \"{}\"\n\"acme-health.org\" = \"{}\"\n",
            q(&gw.path),
            dest.addr,
            tenant.addr
        ),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);
    Rig {
        env,
        dest,
        tenant,
        gw,
        pubkeys,
    }
}

/// 8-bit UTF-8 in a header and the body, trailing white space, a body ending in blank lines.
fn eight_bit_message(from: &str, to: &str, msgid: &str) -> String {
    [
        &format!("From: {from}"),
        &format!("To: <{to}>"),
        "Subject: Befund — Grüße",
        &format!("Message-ID: {msgid}"),
        "Date: Tue, 01 Dec 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        "Grüße aus dem Krankenhaus — naïve café, 8-bit.",
        "trailing spaces   ",
        "",
        "",
        "",
    ]
    .join("\r\n")
        + "\r\n"
}

#[test]
fn plain_copy_and_dsn_verify_with_dkimpy_and_opendkim_rsa_and_ed25519() {
    let mut r = rig();
    let msgid = sealgate_tests::mail::unique_message_id("dkim");
    let sent = eight_bit_message("Alice <alice@acme-health.org>", "bob@dest.test", &msgid);
    let mut s = Smtp::ready(r.gw.smtp);
    s.cmd("EHLO client.test");
    let reply = s.send_mail(
        "alice@acme-health.org",
        &["bob@dest.test", "reject-carl@dest.test"],
        &sent,
    );
    reply.expect(250, "2.0.0", "end of data");
    let id = queued_id(&reply).unwrap();
    queue::wait_for(&r.gw, &r.env, &id, WAIT, "settled", |s| {
        s == ["delivered", "bounced"]
    });

    let got = r.dest.wait_messages(1, WAIT, "the signed copy");
    let bytes = got[0].bytes();
    // Ours are on top, RSA (configured first) above Ed25519; both verify with both tools.
    assert_verifies(&r.pubkeys, &bytes, 0, "rsa2026", "acme-health.org");
    assert_verifies(&r.pubkeys, &bytes, 1, "ed2026", "acme-health.org");
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(" l="), "a body length tag: {text}");
    assert!(
        without_leading_signatures(&bytes).ends_with(sent.as_bytes()),
        "signing changed more than the header block:\n{text}"
    );

    // The DSN the gateway originated is signed with the gateway's own key.
    let dsn = r.tenant.wait_messages(1, WAIT, "the DSN");
    let dsn_bytes = dsn[0].bytes();
    assert_eq!(dsn[0].mail_from, "<>", "not a DSN");
    assert_verifies(&r.pubkeys, &dsn_bytes, 0, "gw2026", "gw.sealgate.test");
    assert!(
        !String::from_utf8_lossy(&dsn_bytes).contains("d=acme-health.org"),
        "the DSN carries the tenant's signature"
    );

    // The record names the signatures.
    let e = queue::entry(&r.gw, &r.env, &id).unwrap();
    let attempts = queue::attempts(&e);
    let dkim: Vec<String> = attempts
        .iter()
        .filter_map(|a| a["copy"]["dkim"].as_array())
        .flatten()
        .filter_map(|d| d.as_str().map(String::from))
        .collect();
    assert!(
        dkim.iter()
            .any(|d| d.starts_with("d=acme-health.org s=rsa2026 rsa-2048")),
        "{dkim:?}"
    );
    assert!(
        dkim.iter()
            .any(|d| d.starts_with("d=acme-health.org s=ed2026 ed25519")),
        "{dkim:?}"
    );
    assert!(r.gw.terminate().success());
}

#[test]
fn a_tenant_gets_no_signature_for_another_tenants_domain() {
    let mut r = rig();
    // Envelope sender in globex's domain from acme's address: refused at intake.
    let mut s = Smtp::ready(r.gw.smtp);
    s.cmd("EHLO client.test");
    let mail = s.cmd("MAIL FROM:<eve@globex.example>");
    let rcpt = if mail.code == 250 {
        s.cmd("RCPT TO:<bob@dest.test>")
    } else {
        mail.clone()
    };
    assert!(
        rcpt.code >= 500,
        "acme relayed for globex's domain: MAIL {mail:?}, RCPT {rcpt:?}"
    );
    drop(s);

    // Header From in globex's domain under acme's envelope: refused at the end of data
    // (the signer would find no acme key for it either: gateway/sign/tests/isolation.rs).
    let msgid = sealgate_tests::mail::unique_message_id("dkim-other");
    let m = eight_bit_message("Eve <eve@globex.example>", "bob@dest.test", &msgid);
    let mut s = Smtp::ready(r.gw.smtp);
    s.cmd("EHLO client.test");
    let reply = s.send_mail("alice@acme-health.org", &["bob@dest.test"], &m);
    reply.expect(550, "5.7.1", "From in another tenant's domain");
    drop(s);
    assert!(r.gw.terminate().success());
    assert!(
        r.dest.messages().is_empty(),
        "mail in another tenant's domain left the gateway"
    );
}
