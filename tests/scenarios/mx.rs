//! Acceptance (issue 3): the MX path against a real DNS server on 127.0.0.1 (hickory-server)
//! and real receivers on loopback addresses.
//!
//! - MX records by preference: the message goes to the preferred host.
//! - The preferred host refuses connections: the message goes to the next MX.
//! - A null MX (RFC 7505): the recipient bounces with exactly one DSN, back to the tenant
//!   over its return route with TLS; a PHI message's DSN returns headers only, with the
//!   placeholder subject and without the body.
//!
//! `[delivery.testing]` points the gateway at the test DNS server and at the receivers' port
//! (`mx_port`); the receivers listen on 127.0.0.2, 127.0.0.3…, one address per MX host.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::dns::{DnsServer, Zone};
use sealgate_tests::gateway::queue_list;
use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::queue;
use sealgate_tests::receiver::{Receiver, parse_dsn, test_cert};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

fn ip(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

fn mx_config(dns: &DnsServer, mx_port: u16, extra: &str) -> GatewayConfig {
    GatewayConfig {
        mode: Mode::Mx,
        delivery: vec!["retry_schedule = [3600]".into()],
        // The in-process zone is unsigned under a made-up TLD with no chain from the root
        // anchor, so a DNSSEC-validating MX lookup cannot even prove it insecure — and DANE
        // rightly refuses such MX hosts (RFC 7672 §2.2: defer, never plaintext). Routing is
        // what this scenario tests; DANE has its own over a signed zone (tls_dane.rs).
        extra: format!(
            "[delivery.testing]\n{}\nmx_port = {mx_port}\n\n[tls]\ndane = false\n\n{extra}",
            dns.nameservers_line()
        ),
        ..GatewayConfig::default()
    }
}

fn send(gw: &Gateway, to: &str, body: &str, tag: &str) -> (String, String) {
    let mut s = Smtp::ready(gw.smtp);
    let msgid = unique_message_id(tag);
    let m = simple("alice@acme-health.org", to, "mx test", &msgid, body);
    let reply = s.send_mail("alice@acme-health.org", &[to], &m);
    reply.expect(250, "2.0.0", "end of data");
    (queued_id(&reply).expect("queue id"), msgid)
}

#[test]
fn mx_delivers_by_preference_and_falls_back_when_the_first_refuses() {
    let env = Env::new();
    let mut mx1 = Receiver::start(ip(2), 0, &env.root().join("mx1"), None);
    let port = mx1.addr.port();
    let mut mx2 = Receiver::start(ip(3), port, &env.root().join("mx2"), None);
    // Nothing listens on 127.0.0.4: connections to mx-down are refused.
    let zone = Zone::new("mx.test")
        .mx("pref.mx.test", 20, "mx2.mx.test")
        .mx("pref.mx.test", 10, "mx1.mx.test")
        .mx("fallback.mx.test", 10, "mx-down.mx.test")
        .mx("fallback.mx.test", 20, "mx2.mx.test")
        .a("mx1.mx.test", Ipv4Addr::new(127, 0, 0, 2))
        .a("mx2.mx.test", Ipv4Addr::new(127, 0, 0, 3))
        .a("mx-down.mx.test", Ipv4Addr::new(127, 0, 0, 4));
    let dns = DnsServer::start(&[zone]);
    let gw = Gateway::start(&env, &mx_config(&dns, port, ""));

    // Preference: every message to the preferred host (equal preferences would be shuffled;
    // these are not equal).
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(send(
            &gw,
            &format!("bob{i}@pref.mx.test"),
            "by preference",
            "pref",
        ));
    }
    for (id, _) in &sent {
        let e = queue::wait_all(&gw, &env, id, "delivered", Duration::from_secs(60));
        let a = queue::attempts(&e);
        assert_eq!(a.len(), 1, "{e}");
        assert_eq!(a[0]["next_hop"], "mx1.mx.test", "{e}");
        assert_eq!(a[0]["ip"], "127.0.0.2", "{e}");
    }
    let got = mx1.wait_messages(3, Duration::from_secs(30), "preferred MX");
    let mut ids: Vec<&str> = got.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort();
    let mut want: Vec<&str> = sent.iter().map(|(_, m)| m.as_str()).collect();
    want.sort();
    assert_eq!(ids, want);

    // Fallback: the first MX refuses the connection, the second takes the message.
    let (id, msgid) = send(&gw, "carol@fallback.mx.test", "fallback", "fallback");
    let e = queue::wait_all(&gw, &env, &id, "delivered", Duration::from_secs(60));
    let got = mx2.wait_messages(1, Duration::from_secs(30), "second MX");
    assert_eq!(got[0].message_id, msgid);
    assert_eq!(got[0].rcpt_tos, vec!["carol@fallback.mx.test".to_string()]);
    let a = queue::attempts(&e);
    let delivered = a.last().unwrap();
    assert_eq!(delivered["next_hop"], "mx2.mx.test", "{e}");
    assert_eq!(delivered["ip"], "127.0.0.3", "{e}");
    assert_eq!(delivered["reply"]["code"], 250, "{e}");

    assert!(gw.terminate().success());
    assert_eq!(
        mx1.messages().len(),
        3,
        "mx1 got more than the preferred mail"
    );
    assert_eq!(
        mx2.messages().len(),
        1,
        "mx2 got more than the fallback mail"
    );
}

#[test]
fn null_mx_gives_exactly_one_dsn_and_a_phi_dsn_has_no_body() {
    let env = Env::new();
    let cert = test_cert(&env.etc(), "return.acme-health.org");
    // The tenant's return route: DSNs travel back with TLS required.
    let mut tenant = Receiver::start(ip(1), 0, &env.root().join("tenant"), Some(&cert));
    let zone = Zone::new("mx.test").null_mx("nomail.mx.test");
    let dns = DnsServer::start(&[zone]);
    let routes = format!(
        "[delivery.routes]\n\"acme-health.org\" = \"{}\"\n",
        tenant.addr
    );
    let gw = Gateway::start(&env, &mx_config(&dns, 2525, &routes));

    let (plain_id, plain_msgid) = send(&gw, "bob@nomail.mx.test", "nothing secret", "nullmx");
    let ssn = "123-45-6789";
    let (phi_id, phi_msgid) = send(
        &gw,
        "dave@nomail.mx.test",
        &format!("Patient SSN {ssn} needs a follow-up"),
        "nullmx-phi",
    );
    for id in [&plain_id, &phi_id] {
        let e = queue::wait_all(&gw, &env, id, "bounced", Duration::from_secs(60));
        let reason = e["recipients"][0]["events"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|ev| ev["kind"]["status"] == "bounced")
            .map(|ev| ev["kind"]["reason"].to_string())
            .unwrap_or_default();
        assert!(reason.contains("5.1.10"), "bounce reason: {reason}; {e}");
    }
    let phi_entry = queue::entry(&gw, &env, &phi_id).unwrap();
    assert_eq!(
        phi_entry["message"]["decision"]["phi"], true,
        "the shipped rules did not classify an SSN as PHI: {phi_entry}"
    );

    let got = tenant.wait_messages(2, Duration::from_secs(60), "DSNs to the tenant");
    // Every gateway-made message is terminal now: no further DSN can come.
    wait_all_terminal(&gw, &env);
    assert_eq!(tenant.messages().len(), 2, "not exactly one DSN per bounce");
    for m in &got {
        assert_eq!(m.mail_from, "<>", "a DSN must have the null sender");
        assert_eq!(m.rcpt_tos, vec!["alice@acme-health.org".to_string()]);
        assert!(m.tls, "DSN came back without TLS");
    }
    let dsn_for = |msgid: &str| {
        got.iter()
            .map(|m| (m, parse_dsn(&m.file)))
            .find(|(_, d)| {
                let returned = d["returned_headers"]
                    .as_str()
                    .or(d["returned_message"].as_str())
                    .unwrap_or("");
                returned.contains(msgid)
            })
            .unwrap_or_else(|| panic!("no DSN returning {msgid}"))
    };

    let (_, plain) = dsn_for(&plain_msgid);
    assert_eq!(plain["content_type"], "multipart/report", "{plain}");
    assert_eq!(plain["report_type"], "delivery-status", "{plain}");
    let parts: Vec<&str> = plain["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(parts.contains(&"message/delivery-status"), "{plain}");
    assert_eq!(plain["per_recipient"].as_array().unwrap().len(), 1);
    let r = &plain["per_recipient"][0];
    assert_eq!(r["Action"], "failed", "{plain}");
    assert_eq!(r["Status"], "5.1.10", "{plain}");
    assert_eq!(
        r["Final-Recipient"], "rfc822; bob@nomail.mx.test",
        "{plain}"
    );
    assert!(
        plain["returned_message"]
            .as_str()
            .is_some_and(|m| m.contains("nothing secret")),
        "a non-PHI DSN returns the message: {plain}"
    );

    let (raw, phi) = dsn_for(&phi_msgid);
    assert_eq!(phi["content_type"], "multipart/report", "{phi}");
    assert!(
        phi["returned_message"].is_null(),
        "a PHI DSN returned the message: {phi}"
    );
    let headers = phi["returned_headers"].as_str().unwrap();
    assert!(
        !headers.contains("mx test"),
        "original subject returned: {headers}"
    );
    // The rules' placeholder when the subject itself had findings, else the DSN's own.
    assert!(
        headers.contains("Subject: Secure message")
            || headers.contains("Subject: [protected message]"),
        "no placeholder subject in the returned headers: {headers}"
    );
    let bytes = String::from_utf8_lossy(&raw.bytes()).to_string();
    assert!(!bytes.contains(ssn), "the SSN is in the DSN:\n{bytes}");
    assert!(
        !bytes.contains("follow-up"),
        "the body is in the DSN:\n{bytes}"
    );
    assert!(gw.terminate().success());
}

/// Waits until no message in the queue has a recipient left to deliver.
fn wait_all_terminal(gw: &Gateway, env: &Env) {
    let entries = queue_list(&gw.config, Some(gw.admin));
    for e in &entries {
        let id = e["message"]["id"].as_str().unwrap();
        queue::wait_for(gw, env, id, Duration::from_secs(60), "terminal", |s| {
            s.iter().all(|x| {
                ["delivered", "bounced", "dropped-by-policy", "deleted"].contains(&x.as_str())
            })
        });
    }
}

#[test]
fn domain_without_mx_uses_its_address_and_an_unknown_domain_bounces() {
    let env = Env::new();
    let cert = test_cert(&env.etc(), "return.acme-health.org");
    let mut tenant = Receiver::start(ip(1), 0, &env.root().join("tenant"), Some(&cert));
    let mut host = Receiver::start(ip(5), 0, &env.root().join("implicit"), None);
    // `implicit.mx.test` has an A record and no MX: its own address is the mail host
    // (RFC 5321 §5.1). `missing.mx.test` does not exist at all (NXDOMAIN).
    let zone = Zone::new("mx.test").a("implicit.mx.test", Ipv4Addr::new(127, 0, 0, 5));
    let dns = DnsServer::start(&[zone]);
    let routes = format!(
        "[delivery.routes]\n\"acme-health.org\" = \"{}\"\n",
        tenant.addr
    );
    let gw = Gateway::start(&env, &mx_config(&dns, host.addr.port(), &routes));

    let (id, msgid) = send(&gw, "ivy@implicit.mx.test", "implicit mx", "implicit");
    let e = queue::wait_all(&gw, &env, &id, "delivered", Duration::from_secs(60));
    let got = host.wait_messages(1, Duration::from_secs(30), "implicit MX");
    assert_eq!(got[0].message_id, msgid);
    let a = queue::attempts(&e);
    assert_eq!(a.last().unwrap()["next_hop"], "implicit.mx.test", "{e}");
    assert_eq!(a.last().unwrap()["ip"], "127.0.0.5", "{e}");

    let (id, msgid) = send(&gw, "joe@missing.mx.test", "no such domain", "nxdomain");
    let e = queue::wait_all(&gw, &env, &id, "bounced", Duration::from_secs(60));
    assert_eq!(
        queue::attempts(&e).len(),
        1,
        "retried a domain that does not exist: {e}"
    );
    let dsns = tenant.wait_messages(1, Duration::from_secs(60), "DSN for NXDOMAIN");
    wait_all_terminal(&gw, &env);
    assert_eq!(tenant.messages().len(), 1, "not exactly one DSN");
    let d = parse_dsn(&dsns[0].file);
    assert_eq!(d["per_recipient"][0]["Status"], "5.1.2", "{d}");
    assert_eq!(
        d["per_recipient"][0]["Final-Recipient"],
        "rfc822; joe@missing.mx.test"
    );
    assert!(
        d["returned_message"]
            .as_str()
            .is_some_and(|m| m.contains(&msgid)),
        "{d}"
    );
    assert!(gw.terminate().success());
}

#[test]
fn static_route_by_host_name_resolves_its_address_not_its_mx() {
    let env = Env::new();
    let mut hop = Receiver::start(ip(6), 0, &env.root().join("hop"), None);
    let mut mx = Receiver::start(ip(8), hop.addr.port(), &env.root().join("mx"), None);
    // The route names relay.mx.test; that name also has an MX pointing elsewhere, which a
    // static route must not follow.
    let zone = Zone::new("mx.test")
        .a("relay.mx.test", Ipv4Addr::new(127, 0, 0, 6))
        .mx("relay.mx.test", 10, "other.mx.test")
        .a("other.mx.test", Ipv4Addr::new(127, 0, 0, 8))
        .mx("routed.test", 10, "other.mx.test");
    let dns = DnsServer::start(&[zone]);
    let routes = format!(
        "[delivery.routes]\n\"routed.test\" = \"relay.mx.test:{}\"\n",
        hop.addr.port()
    );
    let gw = Gateway::start(&env, &mx_config(&dns, hop.addr.port(), &routes));
    let (id, msgid) = send(&gw, "max@routed.test", "static route", "route-name");
    let e = queue::wait_all(&gw, &env, &id, "delivered", Duration::from_secs(60));
    let got = hop.wait_messages(1, Duration::from_secs(30), "route host");
    assert_eq!(got[0].message_id, msgid);
    let a = queue::attempts(&e);
    assert_eq!(a.last().unwrap()["next_hop"], "relay.mx.test", "{e}");
    assert_eq!(a.last().unwrap()["ip"], "127.0.0.6", "{e}");
    assert!(gw.terminate().success());
    assert!(mx.messages().is_empty(), "the static route followed an MX");
}

#[test]
fn equal_preference_mx_hosts_share_the_load() {
    let env = Env::new();
    let mut a = Receiver::start(ip(9), 0, &env.root().join("a"), None);
    let port = a.addr.port();
    let mut b = Receiver::start(ip(10), port, &env.root().join("b"), None);
    let zone = Zone::new("mx.test")
        .mx("equal.mx.test", 10, "a.mx.test")
        .mx("equal.mx.test", 10, "b.mx.test")
        .a("a.mx.test", Ipv4Addr::new(127, 0, 0, 9))
        .a("b.mx.test", Ipv4Addr::new(127, 0, 0, 10));
    let dns = DnsServer::start(&[zone]);
    let gw = Gateway::start(&env, &mx_config(&dns, port, ""));
    // Twenty messages: the chance that a fair shuffle sends all of them to one host is 2^-19.
    let sent: Vec<(String, String)> = (0..20)
        .map(|i| send(&gw, &format!("u{i}@equal.mx.test"), "equal", "equal"))
        .collect();
    for (id, _) in &sent {
        queue::wait_all(&gw, &env, id, "delivered", Duration::from_secs(60));
    }
    assert!(gw.terminate().success());
    let (na, nb) = (a.messages().len(), b.messages().len());
    assert_eq!(na + nb, sent.len(), "a {na}, b {nb}");
    assert!(
        na > 0 && nb > 0,
        "equal preferences not shuffled: a {na}, b {nb}"
    );
}

/// Regression: when the connection broke after the body was sent (the first MX may well have
/// the message), the engine went straight on to the next MX with the same message — a
/// duplicate by design. Now the recipient is deferred instead.
#[test]
fn a_connection_lost_after_the_body_is_deferred_not_sent_to_the_next_mx() {
    let env = Env::new();
    let mut first = Receiver::start_with(
        ip(11),
        0,
        &env.root().join("first"),
        None,
        &["--drop-after-data"],
    );
    let port = first.addr.port();
    let mut second = Receiver::start(ip(12), port, &env.root().join("second"), None);
    let zone = Zone::new("mx.test")
        .mx("lossy.mx.test", 10, "first.mx.test")
        .mx("lossy.mx.test", 20, "second.mx.test")
        .a("first.mx.test", Ipv4Addr::new(127, 0, 0, 11))
        .a("second.mx.test", Ipv4Addr::new(127, 0, 0, 12));
    let dns = DnsServer::start(&[zone]);
    let gw = Gateway::start(&env, &mx_config(&dns, port, ""));
    let (id, msgid) = send(&gw, "pia@lossy.mx.test", "maybe delivered", "lossy");
    let got = first.wait_messages(1, Duration::from_secs(30), "first MX");
    assert_eq!(got[0].message_id, msgid);
    let e = queue::wait_all(&gw, &env, &id, "temporary-failure", Duration::from_secs(30));
    let a = queue::attempts(&e);
    assert_eq!(a.len(), 1, "{e}");
    assert_eq!(a[0]["next_hop"], "first.mx.test", "{e}");
    assert!(gw.terminate().success());
    assert!(
        second.messages().is_empty(),
        "the message went to the second MX in the same round"
    );
}
