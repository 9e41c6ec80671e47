//! Acceptance (issue 5): a STARTTLS-stripping attacker on the path gets no plaintext for a
//! recipient whose domain demands TLS.
//!
//! A proxy (tests/src/strip_proxy.rs) sits in front of a Postfix listener with a valid
//! certificate (test CA = `mx_ca`) and removes STARTTLS from its EHLO reply. Recipients, one
//! domain each in a DNSSEC-signed zone:
//!
//! - **pinned**: first one message goes to its MX directly, with verified TLS, so the gateway
//!   pins the domain; then the gateway is restarted on the same data directory with the MX's
//!   port moved to the proxy (`mx_host_ports` is routing config; a restart is the sure way to
//!   change it) → deferred (a pin demands verified TLS; the pin alone → defer).
//! - **MTA-STS enforce** (policy lists the MX) → deferred (RFC 8461 §5).
//! - **DANE** (TLSA 3 1 1 of the valid key) → deferred (RFC 7672 §2.2).
//! - **forced TLS** (`[tls.domains]` `level = "encrypt", on_failure = "forced"`) → the
//!   fallback chain (`["hold"]`) → held.
//! - **control** (no policy, `may`) → delivered in plaintext *through the proxy*: proves the
//!   proxy works (Postfix offers STARTTLS, yet the copy arrived without TLS).
//!
//! Nothing of the protected recipients may reach Postfix's Maildir.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::mtasts::{StsServer, policy};
use sealgate_tests::nsd::{Nsd, SignedZone};
use sealgate_tests::receiver::pause;
use sealgate_tests::smtp::queued_id;
use sealgate_tests::strip_proxy::StripProxy;
use sealgate_tests::tlsrig::{
    Outcome, Peer, Peers, Rig, SENDER, attempts, notice_receiver, outcome, received_with_tls,
    recipient, status_reasons, wait_settled,
};
use sealgate_tests::{Env, Gateway, Smtp};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

const ZONE: &str = "downgrade.test";

fn domain(label: &str) -> String {
    format!("{label}.{ZONE}")
}
fn mx(label: &str) -> String {
    format!("mx-{label}.{ZONE}")
}
fn rcpt(label: &str) -> String {
    format!("rcpt@{}", domain(label))
}

/// The expected outcome of each recipient behind the stripping proxy.
fn expected() -> Vec<(&'static str, Outcome)> {
    vec![
        ("pinned", Outcome::Deferred),
        ("sts", Outcome::Deferred),
        ("dane", Outcome::Deferred),
        ("forced", Outcome::Held),
        ("control", Outcome::Plain),
    ]
}

fn send(gw: &Gateway, rcpts: &[String], tag: &str) -> String {
    let refs: Vec<&str> = rcpts.iter().map(String::as_str).collect();
    let msgid = unique_message_id(tag);
    let m = simple(
        SENDER,
        "undisclosed-recipients:;",
        tag,
        &msgid,
        "Downgrade test.",
    );
    let reply = Smtp::ready(gw.smtp).send_mail(SENDER, &refs, &m);
    reply.expect(250, "2.0.0", "end of data");
    queued_id(&reply).expect("queue id")
}

#[test]
fn stripped_starttls_never_yields_plaintext_for_pinned_sts_dane_or_forced_domains() {
    let started = Instant::now();
    let env = Env::new();
    let labels: Vec<&str> = expected().iter().map(|(l, _)| *l).collect();
    let peers = Peers::new(&env.etc(), |p| {
        if p == Peer::Valid {
            labels.iter().map(|l| mx(l)).collect()
        } else {
            Vec::new()
        }
    });
    let mut zone = SignedZone::new(ZONE)
        .tlsa(&mx("dane"), 25, "3 1 1", &peers.spki(Peer::Valid))
        .txt(&format!("_mta-sts.{}", domain("sts")), "v=STSv1; id=down1");
    for l in &labels {
        zone = zone
            .mx(&domain(l), 10, &mx(l))
            .a(&mx(l), Ipv4Addr::LOCALHOST);
    }
    let nsd = Nsd::start(&[zone]);
    let sts_cert = peers.ca.leaf(
        &env.etc(),
        "mta-sts",
        &[&format!("mta-sts.{}", domain("sts"))],
        false,
    );
    let sts = StsServer::start(
        &sts_cert,
        &[(domain("sts"), policy("enforce", &[&mx("sts")], 86_400))],
    );
    let domains: Vec<String> = labels.iter().map(|l| domain(l)).collect();
    let pf = peers.postfix(&domains);
    let valid = pf.listener(Peer::Valid.name());
    let proxy = StripProxy::start(valid);
    let notices = notice_receiver(&env);
    let rig = |pinned_port: u16| Rig {
        nsd: &nsd,
        mx_host_ports: labels
            .iter()
            .map(|l| {
                let port = if *l == "pinned" {
                    pinned_port
                } else {
                    proxy.addr.port()
                };
                (mx(l), port)
            })
            .collect(),
        domains: vec![(domain("forced"), "encrypt".into(), "forced".into())],
        sts: Some(sts.addr),
        ca: &peers.ca,
        notices: notices.addr,
    };

    // 1. Verified TLS to the pinned domain's MX, directly: the gateway pins the domain.
    let gw = Gateway::start(&env, &rig(valid.port()).config());
    let first = send(&gw, &[rcpt("pinned")], "pin-first");
    let e = wait_settled(&gw, &env, &first, Duration::from_secs(60));
    let r = recipient(&e, &rcpt("pinned"));
    let last = attempts(r).last().cloned().unwrap_or_default();
    assert_eq!(
        (outcome(r), last["cert_verified"].as_bool()),
        (Outcome::Tls, Some(true)),
        "the first message to the pinned domain must go with verified TLS: {r}\n{}",
        gw.log_text()
    );
    pf.wait_delivered(1, Duration::from_secs(30));
    assert!(gw.terminate().success());
    assert_eq!(
        proxy.connections(),
        0,
        "the first message went through the proxy"
    );

    // 2. Same data directory, every MX behind the stripping proxy.
    let gw = Gateway::start(&env, &rig(proxy.addr.port()).config());
    let rcpts: Vec<String> = labels.iter().map(|l| rcpt(l)).collect();
    let id = send(&gw, &rcpts, "downgrade");
    let entry = wait_settled(&gw, &env, &id, Duration::from_secs(60));
    // The control copy is the only one that may arrive; wait for it (or the deadline).
    let deadline = Instant::now() + Duration::from_secs(30);
    while pf.delivered_to().len() < 2 && Instant::now() < deadline {
        pause(Duration::from_millis(100));
    }
    let maildir = pf.delivered_to();

    let mut failures = Vec::new();
    let mut table = String::new();
    for (label, want) in expected() {
        let r = recipient(&entry, &rcpt(label));
        let got = outcome(r);
        table.push_str(&format!(
            "{label:<10} got {got:<16} want {want:<16} {:?}\n",
            status_reasons(r)
        ));
        let mut why = Vec::new();
        if got != want {
            why.push(format!("got {got}, want {want}"));
        }
        let arrived: Vec<_> = maildir
            .iter()
            .filter(|(to, _)| *to == rcpt(label))
            .collect();
        let arrivals_now = if label == "pinned" {
            arrived.len().saturating_sub(1) // the first, direct message
        } else {
            arrived.len()
        };
        match (want == Outcome::Plain, arrivals_now) {
            (true, 1) => {
                if received_with_tls(&arrived[0].1) {
                    why.push("arrived with TLS: the proxy did not strip STARTTLS".into());
                }
            }
            (true, n) => why.push(format!("{n} copies in the Maildir, want 1")),
            (false, 0) => {}
            (false, n) => why.push(format!("{n} copies reached Postfix through the proxy")),
        }
        if want == Outcome::Held
            && !status_reasons(r)
                .iter()
                .any(|s| s.contains("fallback from"))
        {
            why.push("no `fallback from` event".into());
        }
        if !why.is_empty() {
            failures.push(format!(
                "{}: {}\n    last attempt: {}",
                domain(label),
                why.join("; "),
                attempts(r).last().cloned().unwrap_or_default()
            ));
        }
    }
    if proxy.connections() == 0 {
        failures.push("the gateway never connected through the proxy".into());
    }
    eprintln!("tls_downgrade in {:?}:\n{table}", started.elapsed());
    assert!(
        failures.is_empty(),
        "downgrade:\n{table}\n{}\n--- gateway log\n{}",
        failures.join("\n"),
        gw.log_text()
    );
    assert!(gw.terminate().success());
}
