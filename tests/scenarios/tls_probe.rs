//! `sealgate tls probe DOMAIN` (issue 5, part 4) against real peers: a signed zone in nsd and
//! one Postfix with a listener per TLS personality. The probe reads the domain's plan, opens
//! one session per MX up to STARTTLS and EHLO and says what a delivery would do there:
//! - a valid certificate → `send`, reached `verified`, TLS version and WebPKI result shown;
//! - a self-signed certificate under `[tls.domains]` `verify` / `exclusive` → `drop`, the
//!   handshake refused by the verifier (exit status 1: no hop would take the mail);
//! - no STARTTLS at `may` → `send` in plaintext (the floors themselves: `tls_matrix.rs`).
//!
//! And it sends nothing: Postfix's Maildir stays empty, and no gateway need be running.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::nsd::{Nsd, SignedZone};
use sealgate_tests::tlsrig::{Peer, Peers, Rig, notice_receiver};
use sealgate_tests::tools::{describe, sealgate};
use sealgate_tests::{Env, Gateway};
use serde_json::Value;
use std::net::Ipv4Addr;

const VALID: &str = "valid.probe.test";
const SELF: &str = "self.probe.test";
const PLAIN: &str = "plain.probe.test";

fn mx(domain: &str) -> String {
    format!("mx.{domain}")
}

fn probe(config: &str, domain: &str) -> (Value, String, i32) {
    let json = sealgate(&["tls", "probe", domain, "--config", config, "--json"]);
    let text = sealgate(&["tls", "probe", domain, "--config", config]);
    let code = json.status.code().unwrap_or(-1);
    assert_eq!(text.status.code(), Some(code), "{}", describe(&text));
    let v: Value = serde_json::from_slice(&json.stdout)
        .unwrap_or_else(|e| panic!("probe JSON: {e}: {}", describe(&json)));
    (v, String::from_utf8(text.stdout).unwrap(), code)
}

#[test]
fn tls_probe_judges_each_mx_like_a_delivery_and_sends_nothing() {
    let env = Env::new();
    let peers = Peers::new(&env.etc(), |p| match p {
        Peer::Valid => vec![mx(VALID)],
        Peer::SelfSigned => vec![mx(SELF)],
        _ => Vec::new(),
    });
    let mut zone = SignedZone::new("probe.test");
    for d in [VALID, SELF, PLAIN] {
        zone = zone.mx(d, 10, &mx(d)).a(&mx(d), Ipv4Addr::LOCALHOST);
    }
    let nsd = Nsd::start(&[zone]);
    let pf = peers.postfix(&[VALID.to_string(), SELF.to_string(), PLAIN.to_string()]);
    let notices = notice_receiver(&env);
    let rig = Rig {
        nsd: &nsd,
        mx_host_ports: vec![
            (mx(VALID), pf.listener(Peer::Valid.name()).port()),
            (mx(SELF), pf.listener(Peer::SelfSigned.name()).port()),
            (mx(PLAIN), pf.listener(Peer::NoStarttls.name()).port()),
        ],
        domains: vec![(SELF.into(), "verify".into(), "exclusive".into())],
        sts: None,
        ca: &peers.ca,
        notices: notices.addr,
    };
    // Only the configuration is needed: the probe runs without a gateway.
    let config = rig.config().write(&env, "sealgate.toml");
    let config = config.to_string_lossy().to_string();

    let (v, text, code) = probe(&config, VALID);
    assert_eq!(code, 0, "{v}");
    let h = &v["hosts"][0];
    assert_eq!(h["host"], mx(VALID), "{v}");
    assert_eq!(h["starttls"], true, "{v}");
    assert_eq!(h["achieved"], "verified", "{v}");
    assert_eq!(h["webpki_ok"], true, "{v}");
    assert_eq!(h["verdict"], "send", "{v}");
    assert!(
        h["tls_version"]
            .as_str()
            .is_some_and(|t| t.starts_with("TLSv1.")),
        "{v}"
    );
    assert!(v["plan"].as_str().unwrap().contains("floor may"), "{v}");
    assert!(text.contains("verdict: send"), "{text}");

    let (v, text, code) = probe(&config, SELF);
    assert_eq!(code, 1, "no hop takes the mail: {v}");
    let h = &v["hosts"][0];
    assert_eq!(h["level"], "verify", "{v}");
    assert_eq!(h["verdict"], "drop", "{v}");
    assert!(
        h["reason"]
            .as_str()
            .is_some_and(|r| r.contains("handshake")),
        "{v}"
    );
    assert!(v["plan"].as_str().unwrap().contains("admin"), "{v}");
    assert!(text.contains("verdict: drop"), "{text}");

    let (v, _, code) = probe(&config, PLAIN);
    assert_eq!(code, 0, "{v}");
    let h = &v["hosts"][0];
    assert_eq!(h["starttls"], false, "{v}");
    assert_eq!(h["achieved"], "plaintext", "{v}");
    assert_eq!(h["verdict"], "send", "{v}");

    assert!(
        pf.delivered().is_empty(),
        "the probe must not send mail: {:?}",
        pf.delivered()
    );
    // The same configuration still starts a gateway (the probe left no lock or state).
    let gw = Gateway::start(&env, &rig.config());
    assert!(gw.terminate().success());
}
