//! Acceptance (issue 16, item 12): held mail.
//!
//! A PHI message whose recipient has no key and whose next hop offers no TLS is held: the
//! sender's notice says in plain words what happened, when the message comes back and what
//! to do; `queue release --all --domain D` releases only the held recipients of that domain;
//! importing a key for a held recipient (through the running gateway) re-runs its chain at
//! once, and the copy goes out encrypted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::crypto::GpgHome;
use sealgate_tests::queue;
use sealgate_tests::receiver::{Receiver, test_cert};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, sealgate};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(120);

fn phi_message(to: &str, msgid: &str) -> String {
    [
        "From: Alice <alice@acme-health.org>",
        &format!("To: <{to}>"),
        "Subject: lab results",
        &format!("Message-ID: {msgid}"),
        "Date: Tue, 01 Dec 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Patient SSN 123-45-6789, results attached.",
        "",
    ]
    .join("\r\n")
}

fn send(gw: &Gateway, to: &str, message: &str) -> String {
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    let reply = s.send_mail("alice@acme-health.org", &[to], message);
    reply.expect(250, "2.0.0", "end of data");
    queued_id(&reply).unwrap()
}

fn reasons(e: &serde_json::Value) -> Vec<String> {
    e["recipients"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|ev| ev["kind"]["reason"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn held_notice_release_all_with_filters_and_rerun_on_key_import() {
    let env = Env::new();
    let cert = test_cert(&env.etc(), "return.acme-health.org");
    let mut dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
    let mut tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), Some(&cert));
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[delivery.routes]\n\"dest.test\" = \"{d}\"\n\"other.test\" = \"{d}\"\n\"acme-health.org\" = \"{t}\"\n",
            d = dest.addr,
            t = tenant.addr
        ),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);
    let nel = send(
        &gw,
        "nel@dest.test",
        &phi_message("nel@dest.test", "<nel@t>"),
    );
    let kim = send(
        &gw,
        "kim@other.test",
        &phi_message("kim@other.test", "<kim@t>"),
    );
    queue::wait_all(&gw, &env, &nel, "held", WAIT);
    queue::wait_all(&gw, &env, &kim, "held", WAIT);

    // The notice, in plain words.
    let notices = tenant.wait_messages(2, WAIT, "the held notices");
    let text = String::from_utf8_lossy(&notices[0].bytes()).to_string();
    for words in [
        "has not been delivered yet",
        "No encryption key or certificate is on file for the recipient",
        "When it will be returned",
        "it will be returned to you",
        "What you can do",
    ] {
        assert!(text.contains(words), "`{words}` missing from:\n{text}");
    }
    for jargon in ["tls-verified", "plaintext-only", "pgp:", "{what_happened}"] {
        assert!(!text.contains(jargon), "`{jargon}` in:\n{text}");
    }

    // release --all, narrowed to one domain.
    let config = gw.config.to_string_lossy().to_string();
    let admin = gw.admin.to_string();
    let out = sealgate(&[
        "queue",
        "release",
        "--all",
        "--domain",
        "other.test",
        "--config",
        &config,
        "--admin",
        &admin,
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("released 1 recipient(s) in 1 message(s)"),
        "{}",
        describe(&out)
    );
    let k = queue::entry(&gw, &env, &kim).unwrap();
    assert!(reasons(&k).iter().any(|r| r == "released by admin"), "{k}");
    let n = queue::entry(&gw, &env, &nel).unwrap();
    assert!(!reasons(&n).iter().any(|r| r == "released by admin"), "{n}");

    // A key for nel, imported through the running gateway: the chain runs again at once.
    let home = GpgHome::generate("Nel <nel@dest.test>");
    let key = env.write_etc("nel.asc", &String::from_utf8(home.export()).unwrap());
    let out = sealgate(&[
        "keys",
        "import",
        "--config",
        &config,
        "--admin",
        &admin,
        key.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let e = queue::wait_all(&gw, &env, &nel, "delivered", WAIT);
    let got = dest.wait_messages(1, WAIT, "nel's encrypted copy");
    let body = String::from_utf8_lossy(&got[0].bytes()).to_string();
    assert!(body.contains("-----BEGIN PGP MESSAGE-----"), "{e}");
    assert!(!body.contains("123-45-6789"));
}
