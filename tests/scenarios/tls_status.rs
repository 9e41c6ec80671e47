//! `sealgate tls status` (issue 5, part 4) after a real delivery: one message goes to a
//! Postfix MX with a valid certificate (test CA = `mx_ca`) over verified TLS; while the
//! gateway runs, `tls status` (through the admin API) shows the session's TLS version, cipher,
//! certificate result and the new pin (from memory: the first flush is a minute away); after
//! SIGTERM (the TLS-RPT run flushes at shutdown) the same command reads them from the store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::nsd::{Nsd, SignedZone};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tlsrig::{
    Outcome, Peer, Peers, Rig, SENDER, notice_receiver, outcome, recipient, wait_settled,
};
use sealgate_tests::tools::{describe, sealgate};
use sealgate_tests::{Env, Gateway, Smtp};
use serde_json::Value;
use std::net::Ipv4Addr;
use std::time::Duration;

const DOMAIN: &str = "status.tlsst.test";
const MX: &str = "mx.tlsst.test";

fn status(gw: &Gateway, admin: bool) -> (Value, String) {
    let config = gw.config.to_string_lossy().to_string();
    let admin_addr = gw.admin.to_string();
    let mut args = vec!["tls", "status", DOMAIN, "--config", &config];
    if admin {
        args.extend(["--admin", &admin_addr]);
    }
    let text = sealgate(&args);
    assert!(text.status.success(), "{}", describe(&text));
    args.push("--json");
    let json = sealgate(&args);
    assert!(json.status.success(), "{}", describe(&json));
    (
        serde_json::from_slice(&json.stdout).unwrap(),
        String::from_utf8(text.stdout).unwrap(),
    )
}

fn check(v: &Value, text: &str, when: &str) {
    let last = &v["last"];
    assert_eq!(last["mx_host"], MX, "{when}: {v}");
    assert_eq!(last["achieved"], "verified", "{when}: {v}");
    assert!(
        last["tls_version"]
            .as_str()
            .is_some_and(|t| t.starts_with("TLSv1.")),
        "{when}: {v}"
    );
    assert!(last["tls_cipher"].is_string(), "{when}: {v}");
    assert_eq!(last["webpki_ok"], true, "{when}: {v}");
    assert_eq!(v["pin"]["level"], "verify", "{when}: {v}");
    assert!(text.contains("tls version: TLSv1."), "{when}: {text}");
    assert!(text.contains("certificate: webpki ok"), "{when}: {text}");
    assert!(text.contains("pin: verify"), "{when}: {text}");
}

#[test]
fn tls_status_shows_the_last_session_while_running_and_from_the_store_after_stop() {
    let env = Env::new();
    let peers = Peers::new(&env.etc(), |p| {
        if p == Peer::Valid {
            vec![MX.to_string()]
        } else {
            Vec::new()
        }
    });
    let zone = SignedZone::new("tlsst.test")
        .mx(DOMAIN, 10, MX)
        .a(MX, Ipv4Addr::LOCALHOST);
    let nsd = Nsd::start(&[zone]);
    let pf = peers.postfix(&[DOMAIN.to_string()]);
    let valid = pf.listener(Peer::Valid.name());
    let notices = notice_receiver(&env);
    let rig = Rig {
        nsd: &nsd,
        mx_host_ports: vec![(MX.to_string(), valid.port())],
        domains: Vec::new(),
        sts: None,
        ca: &peers.ca,
        notices: notices.addr,
    };
    let gw = Gateway::start(&env, &rig.config());
    let rcpt = format!("rcpt@{DOMAIN}");
    let msg = simple(
        SENDER,
        &rcpt,
        "tls status",
        &unique_message_id("tls-status"),
        "Status test.",
    );
    let reply = Smtp::ready(gw.smtp).send_mail(SENDER, &[&rcpt], &msg);
    reply.expect(250, "2.0.0", "end of data");
    let id = queued_id(&reply).expect("queue id");
    let entry = wait_settled(&gw, &env, &id, Duration::from_secs(60));
    assert_eq!(
        outcome(recipient(&entry, &rcpt)),
        Outcome::Tls,
        "{entry}\n{}",
        gw.log_text()
    );

    let (v, text) = status(&gw, true);
    check(&v, &text, "running");

    let config = gw.config.clone();
    assert!(gw.terminate().success());
    let cfg = config.to_string_lossy().to_string();
    let out = sealgate(&["tls", "status", DOMAIN, "--config", &cfg, "--json"]);
    assert!(out.status.success(), "{}", describe(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let out = sealgate(&["tls", "status", DOMAIN, "--config", &cfg]);
    check(&v, &String::from_utf8_lossy(&out.stdout), "stopped");
}
