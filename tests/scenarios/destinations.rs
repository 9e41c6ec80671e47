//! Acceptance (issue 16, items 1 and 6): a recipient domain whose DNS points the gateway at
//! itself and its private networks. The in-process hickory DNS server answers the MX hosts
//! of `inside.test` with 127.0.0.1, 10.x and 169.254.x, its WKD hosts (`openpgpkey.` and the
//! domain itself) with 169.254.x and 10.x, and publishes an MTA-STS record whose policy host
//! the rig pins to a loopback listener (`[tls.testing] mta_sts_address`). With
//! `allow_non_global_destinations` off (the default) no connection reaches the loopback
//! listeners (the MX port and the MTA-STS one), every refusal is counted in
//! `sealgate_destinations_refused_total` by purpose and address class and logged with the host
//! name only, and the recipient is deferred (`4.4.4`, non-global) then bounced with that
//! reason when its queue lifetime ends. Also: the serving process cannot dump core.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::dns::{DnsServer, Zone};
use sealgate_tests::queue;
use sealgate_tests::smtp::queued_id;
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(120);
const DOMAIN: &str = "inside.test";

fn phi_message(to: &str) -> String {
    [
        "From: Alice <alice@acme-health.org>",
        &format!("To: <{to}>"),
        "Subject: lab results",
        "Message-ID: <inside1@acme-health.org>",
        "Date: Thu, 03 Dec 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Patient SSN 123-45-6789, results attached.",
        "",
    ]
    .join("\r\n")
}

/// A loopback listener that must never see a connection.
fn tripwire() -> TcpListener {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    l
}

fn untouched(l: &TcpListener, what: &str) {
    match l.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("{what}: a connection was made: {other:?}"),
    }
}

/// `sealgate_destinations_refused_total{class,purpose}` from the metrics text.
fn refused(metrics: &str, purpose: &str, class: &str) -> u64 {
    let needle =
        format!("sealgate_destinations_refused_total{{class=\"{class}\",purpose=\"{purpose}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&needle))
        .map_or(0, |n| n.trim().parse().unwrap())
}

#[test]
fn a_domain_pointing_at_private_addresses_gets_no_connection_and_is_bounced() {
    let env = Env::new();
    let mx_trap = tripwire();
    let sts_trap = tripwire();
    let zone = Zone::new(DOMAIN)
        .mx(DOMAIN, 10, "mx-lo.inside.test")
        .mx(DOMAIN, 20, "mx-ten.inside.test")
        .mx(DOMAIN, 30, "mx-ll.inside.test")
        .a("mx-lo.inside.test", Ipv4Addr::LOCALHOST)
        .a("mx-ten.inside.test", Ipv4Addr::new(10, 20, 30, 40))
        .a("mx-ll.inside.test", Ipv4Addr::new(169, 254, 169, 254))
        .a("openpgpkey.inside.test", Ipv4Addr::new(169, 254, 10, 10))
        .a(DOMAIN, Ipv4Addr::new(10, 0, 0, 7))
        .txt("_mta-sts.inside.test", "v=STSv1; id=20261203;")
        .txt(
            "_smtp._tls.inside.test",
            "v=TLSRPTv1; rua=https://rua.inside.test/r",
        );
    let dns = DnsServer::start(&[zone]);
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        delivery: vec![
            "retry_schedule = [1]".into(),
            "max_queue_lifetime = \"4s\"".into(),
            "wkd = true".into(),
            // The filter under test: the harness turns it off for the rest of the suite.
            "allow_non_global_destinations = false".into(),
        ],
        extra: format!(
            "[delivery.testing]\n{}\nmx_port = {}\n\n[tls]\ndane = false\n\n[tls.testing]\nmta_sts_address = \"{}\"\n",
            dns.nameservers_line(),
            mx_trap.local_addr().unwrap().port(),
            sts_trap.local_addr().unwrap()
        ),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);
    let to = "pat@inside.test";
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    let reply = s.send_mail("alice@acme-health.org", &[to], &phi_message(to));
    reply.expect(250, "2.0.0", "end of data");
    let id = queued_id(&reply).unwrap();

    let e = queue::wait_all(&gw, &env, &id, "bounced", WAIT);
    let events = e["recipients"][0]["events"].as_array().unwrap().clone();
    let reason_of = |status: &str| -> Vec<String> {
        events
            .iter()
            .filter(|ev| ev["kind"]["status"] == status)
            .map(|ev| ev["kind"]["reason"].to_string())
            .collect()
    };
    let deferred = reason_of("temporary-failure");
    assert!(!deferred.is_empty(), "never deferred: {e}");
    assert!(
        deferred
            .iter()
            .all(|r| r.contains("4.4.4") && r.contains("non-global")),
        "{deferred:?}"
    );
    let bounced = reason_of("bounced");
    assert!(
        bounced.len() == 1 && bounced[0].contains("non-global"),
        "bounce reason: {bounced:?}"
    );

    untouched(&mx_trap, "MX host on 127.0.0.1");
    untouched(&sts_trap, "MTA-STS policy host on 127.0.0.1");
    let (status, body) = gw.admin_get(&env, "/metrics");
    assert_eq!(status, 200);
    let metrics = String::from_utf8(body).unwrap();
    for (purpose, class) in [
        ("mx", "loopback"),
        ("mx", "private"),
        ("mx", "link-local"),
        ("wkd", "link-local"),
        ("wkd", "private"),
        ("mta-sts", "loopback"),
    ] {
        assert!(
            refused(&metrics, purpose, class) >= 1,
            "{purpose}/{class} not counted:\n{}",
            metrics
                .lines()
                .filter(|l| l.contains("destinations_refused"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let log = gw.log_text();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("destination refused"))
        .collect();
    assert!(
        lines.iter().any(|l| l.contains("mx-ten.inside.test")),
        "{log}"
    );
    for l in &lines {
        assert!(
            !l.contains("pat@"),
            "recipient address in a refusal line: {l}"
        );
    }
    assert!(gw.terminate().success());
}

/// Regression (item 6): the serving process holds the master key and could dump core.
#[test]
fn the_gateway_process_cannot_dump_core() {
    let env = Env::new();
    let gw = Gateway::start(&env, &GatewayConfig::default());
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", gw.pid)).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = line.split_whitespace().collect();
    // "Max core file size  <soft> <hard> bytes"
    assert_eq!(fields[4..6], ["0", "0"], "{line}");
    assert!(gw.terminate().success());
}
