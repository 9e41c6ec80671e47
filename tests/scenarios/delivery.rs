//! Acceptance (issue 3): delivery to real receiving MTAs.
//!
//! - swaks → sealgate → a private **Postfix** over STARTTLS: the message arrives with every
//!   byte the client sent (Postfix only prepends its trace headers), and the attempt record in
//!   `sealgate queue show --json` names TLS 1.3 and the cipher.
//! - A receiver answering `451` → the recipient is deferred; `sealgate queue retry` →
//!   delivered, once.
//! - A receiver refusing connections for a while, then accepting → every message delivered,
//!   no duplicates.
//! - `max_per_destination` bounds the connections open to a destination at any moment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::load::{Counter, MakeMessage, run_sessions};
use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::postfix::{self, Postfix};
use sealgate_tests::queue::{self, swaks_queue_id};
use sealgate_tests::receiver::{Receiver, free_port};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, swaks};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// MX mode with `domain` routed statically to `to`, retries an hour apart (so only `queue
/// retry` retries within a test).
fn routed(domain: &str, to: SocketAddr) -> GatewayConfig {
    GatewayConfig {
        mode: Mode::Mx,
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!("[delivery.routes]\n\"{domain}\" = \"{to}\"\n"),
        ..GatewayConfig::default()
    }
}

/// A message whose bytes exercise the transport: a leading dot, trailing white space, a tab,
/// 8-bit UTF-8, an empty line, a long line.
fn tricky_message(to: &str, msgid: &str) -> String {
    let long = "0123456789".repeat(90);
    let lines = [
        "From: Alice <alice@acme-health.org>".to_string(),
        format!("To: <{to}>"),
        "Subject: delivery test".into(),
        format!("Message-ID: {msgid}"),
        "Date: Tue, 01 Dec 2026 10:00:00 +0000".into(),
        "MIME-Version: 1.0".into(),
        "Content-Type: text/plain; charset=utf-8".into(),
        "Content-Transfer-Encoding: 8bit".into(),
        String::new(),
        "First line.".into(),
        ".a line that starts with a dot".into(),
        "..and one with two".into(),
        "trailing spaces   ".into(),
        "a\ttab".into(),
        String::new(),
        "Grüße aus dem Krankenhaus — 8-bit".into(),
        long,
        "last line".into(),
    ];
    let mut m = lines.join("\r\n");
    m.push_str("\r\n");
    m
}

#[test]
fn swaks_to_postfix_over_starttls_arrives_byte_identical_and_records_tls13() {
    let pf = Postfix::start();
    let env = Env::new();
    let gw = Gateway::start(&env, &routed(postfix::DOMAIN, pf.addr));
    let msgid = unique_message_id("postfix");
    let rcpt = format!("bob@{}", postfix::DOMAIN);
    let sent = tricky_message(&rcpt, &msgid);
    // swaks ends the data with CRLF `.` CRLF itself: the file leaves out the last CRLF, so what
    // swaks transmits is exactly `sent`.
    let data = env.write_etc("message.eml", sent.strip_suffix("\r\n").unwrap());
    let server = gw.smtp.to_string();
    let data_arg = format!("@{}", data.display());
    let out = swaks(&[
        "--server",
        &server,
        "--helo",
        "client.test",
        "--from",
        "alice@acme-health.org",
        "--to",
        &rcpt,
        "--tls",
        "--data",
        &data_arg,
    ]);
    let transcript = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "swaks failed: {}", describe(&out));
    let id = swaks_queue_id(&transcript)
        .unwrap_or_else(|| panic!("no `250 … queued as ID` in:\n{transcript}"));

    queue::wait_all(&gw, &env, &id, "delivered", Duration::from_secs(60));
    let files = pf.wait_delivered(1, Duration::from_secs(60));
    assert_eq!(files.len(), 1, "postfix delivered {files:?}");
    let got = std::fs::read(&files[0]).unwrap();
    // Postfix stores LF line ends; it prepends Return-Path, X-Original-To, Delivered-To and
    // Received, and sealgate its own Received and loop stamp: everything the client sent
    // follows, byte for byte.
    let expected = sent.replace("\r\n", "\n");
    let same_tail = got
        .iter()
        .rev()
        .zip(expected.as_bytes().iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    assert!(
        got.ends_with(expected.as_bytes()),
        "delivered message differs from what swaks sent ({} octets sent; the last {same_tail} \
         match; delivered {:?} where sent {:?}).\n--- delivered\n{}",
        expected.len(),
        String::from_utf8_lossy(
            &got[got.len().saturating_sub(same_tail + 40)..got.len() - same_tail]
        ),
        &expected[expected.len().saturating_sub(same_tail + 40)..expected.len() - same_tail],
        String::from_utf8_lossy(&got)
    );
    let got = String::from_utf8_lossy(&got).to_string();
    let trace = &got[..got.len() - expected.len()];
    for line in trace.lines() {
        assert!(
            [
                "Return-Path:",
                "X-Original-To:",
                "Delivered-To:",
                "Received:",
                // The gateway's keyed loop stamp (issue 10), prepended like its Received.
                "X-Sealgate-Loop:",
                " ",
                "\t"
            ]
            .iter()
            .any(|p| line.starts_with(p)),
            "unexpected line added in transit: {line:?}"
        );
    }
    assert!(
        trace.contains("by gw.sealgate.test"),
        "no sealgate Received:\n{trace}"
    );

    // The attempt record, as an administrator reads it.
    let shown = queue::show(&gw, &id);
    let attempts = queue::attempts(&shown);
    assert_eq!(attempts.len(), 1, "attempts: {attempts:?}");
    let a = &attempts[0];
    assert_eq!(a["tls_version"], "TLSv1.3", "attempt: {a}");
    let cipher = a["tls_cipher"].as_str().unwrap_or_default();
    assert!(cipher.starts_with("TLS13_"), "cipher in attempt: {a}");
    assert_eq!(a["ip"], "127.0.0.1", "attempt: {a}");
    assert_eq!(a["reply"]["code"], 250, "attempt: {a}");
    // A self-signed test certificate is not valid under the Mozilla roots, and says so.
    assert_eq!(a["cert_verified"], false, "attempt: {a}");
    // Metrics: one delivery over SMTP, one outbound TLS 1.3 session.
    let (status, metrics) = gw.admin_get(&env, "/metrics");
    assert_eq!(status, 200);
    let metrics = String::from_utf8_lossy(&metrics).to_string();
    for want in [
        "sealgate_delivered_total{target=\"smtp\"} 1",
        "sealgate_outbound_tls_total{floor_source=\"rule\",version=\"TLSv1.3\"} 1",
        "sealgate_delivery_seconds_count 1",
    ] {
        assert!(
            metrics.contains(want),
            "no `{want}` in /metrics:\n{metrics}"
        );
    }
    // Postfix saw the same session from its side.
    let log = pf.maillog();
    assert!(
        log.contains("TLSv1.3 with cipher"),
        "postfix did not log a TLS 1.3 session:\n{log}"
    );
    assert!(gw.terminate().success());
}

/// Sends one message per recipient over one session; returns (queue id, Message-ID) each.
fn send_each(gw: &Gateway, rcpts: &[String], tag: &str) -> Vec<(String, String)> {
    let mut s = Smtp::ready(gw.smtp);
    rcpts
        .iter()
        .map(|r| {
            let msgid = unique_message_id(tag);
            let m = simple(
                "alice@acme-health.org",
                r,
                "delivery test",
                &msgid,
                &format!("hello {r}"),
            );
            let reply = s.send_mail("alice@acme-health.org", &[r.as_str()], &m);
            reply.expect(250, "2.0.0", "end of data");
            (queued_id(&reply).expect("queue id"), msgid)
        })
        .collect()
}

#[test]
fn receiver_451_defers_until_queue_retry_delivers_once() {
    let env = Env::new();
    let dir = env.root().join("received");
    let mut rx = Receiver::start(LOOPBACK, 0, &dir, None);
    let gw = Gateway::start(&env, &routed("dest.test", rx.addr));
    let rcpt = "defer1-bob@dest.test".to_string();
    let sent = send_each(&gw, std::slice::from_ref(&rcpt), "defer");
    let (id, msgid) = &sent[0];

    rx.wait_refused(&rcpt, 451, Duration::from_secs(30));
    let e = queue::wait_all(&gw, &env, id, "temporary-failure", Duration::from_secs(30));
    let a = queue::attempts(&e);
    assert_eq!(a.len(), 1, "{e}");
    assert_eq!(a[0]["reply"]["code"], 451, "{e}");
    assert!(
        e["recipients"][0]["next_attempt"].is_number(),
        "deferred without a next attempt: {e}"
    );
    assert!(rx.messages().is_empty(), "delivered despite 451");

    queue::retry(&gw, id);
    let got = rx.wait_messages(1, Duration::from_secs(30), "after queue retry");
    queue::wait_all(&gw, &env, id, "delivered", Duration::from_secs(30));
    assert_eq!(got.len(), 1);
    assert_eq!(&got[0].message_id, msgid);
    assert_eq!(got[0].rcpt_tos, vec![rcpt]);
    assert_eq!(got[0].mail_from, "alice@acme-health.org");
    assert!(gw.terminate().success());
    rx.drain();
    assert_eq!(rx.messages().len(), 1, "delivered more than once");
}

#[test]
fn receiver_refusing_connections_then_accepting_gets_everything_once() {
    let env = Env::new();
    // Nothing listens on this port yet: connections are refused.
    let port = free_port(LOOPBACK);
    let to = SocketAddr::new(LOOPBACK, port);
    let gw = Gateway::start(&env, &routed("dest.test", to));
    let rcpts: Vec<String> = (0..20).map(|i| format!("user{i}@dest.test")).collect();
    let sent = send_each(&gw, &rcpts, "refused");
    for (id, _) in &sent {
        let e = queue::wait_all(&gw, &env, id, "temporary-failure", Duration::from_secs(60));
        let a = queue::attempts(&e);
        assert!(!a.is_empty(), "no attempt recorded: {e}");
        assert_eq!(a[0]["reply"]["code"], 451, "{e}");
    }

    let dir = env.root().join("received");
    let mut rx = Receiver::start(LOOPBACK, port, &dir, None);
    queue::retry_all(&gw);
    for (id, _) in &sent {
        queue::wait_all(&gw, &env, id, "delivered", Duration::from_secs(60));
    }
    let got = rx.wait_messages(sent.len(), Duration::from_secs(30), "after retry");
    assert!(gw.terminate().success());
    rx.drain();
    let got_all = rx.messages();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for m in &got_all {
        *counts.entry(m.message_id.as_str()).or_default() += 1;
    }
    for (_, msgid) in &sent {
        assert_eq!(counts.get(msgid.as_str()), Some(&1), "{msgid}: {counts:?}");
    }
    assert_eq!(got.len(), sent.len());
    assert_eq!(got_all.len(), sent.len(), "duplicates: {counts:?}");
}

/// Regression: the destination slot was released when the SMTP transaction ended, before its
/// outcomes were recorded and its connection went back to the pool — so more connections than
/// `max_per_destination` were open at once, and a crash could repeat up to `max_deliveries`
/// acknowledged deliveries instead of `max_per_destination`.
#[test]
fn max_per_destination_holds_until_outcomes_are_recorded() {
    let env = Env::new();
    let dir = env.root().join("received");
    let mut rx = Receiver::start(LOOPBACK, 0, &dir, None);
    let mut cfg = routed("dest.test", rx.addr);
    cfg.delivery.push("max_per_destination = 2".into());
    let gw = Gateway::start(&env, &cfg);
    let make: Arc<MakeMessage> = Arc::new(|s, i| {
        let id = unique_message_id(&format!("limit-{s}-{i}"));
        let text = simple(
            "alice@acme-health.org",
            "bob@dest.test",
            "limit",
            &id,
            &format!("session {s} message {i}"),
        );
        (id, text)
    });
    let sent = run_sessions(
        gw.smtp,
        8,
        10,
        "alice@acme-health.org",
        "bob@dest.test",
        make,
        Arc::new(Counter::default()),
    );
    assert!(sent.iter().all(|s| s.accepted()), "not all accepted");
    rx.wait_messages(sent.len(), Duration::from_secs(60), "all delivered");
    let most = rx.max_connections();
    assert!(gw.terminate().success());
    assert!(
        (1..=2).contains(&most),
        "{most} connections open at once to a destination limited to 2"
    );
}

#[test]
fn message_over_the_next_hops_size_limit_bounces_once_without_being_sent() {
    let pf = Postfix::start_with(&["message_size_limit=20000"]);
    let env = Env::new();
    let cert = sealgate_tests::receiver::test_cert(&env.etc(), "return.acme-health.org");
    let mut tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), Some(&cert));
    let mut cfg = routed(postfix::DOMAIN, pf.addr);
    cfg.extra
        .push_str(&format!("\"acme-health.org\" = \"{}\"\n", tenant.addr));
    let gw = Gateway::start(&env, &cfg);
    let small = format!("small@{}", postfix::DOMAIN);
    let big = format!("big@{}", postfix::DOMAIN);
    let sent_small = send_each(&gw, std::slice::from_ref(&small), "size-ok");
    let (big_id, big_msgid) = {
        let mut s = Smtp::ready(gw.smtp);
        let msgid = unique_message_id("size-big");
        let body = sealgate_tests::mail::filler(30_000, "too big");
        let m = simple("alice@acme-health.org", &big, "big", &msgid, &body);
        let reply = s.send_mail("alice@acme-health.org", &[big.as_str()], &m);
        reply.expect(250, "2.0.0", "end of data");
        (queued_id(&reply).unwrap(), msgid)
    };
    queue::wait_all(
        &gw,
        &env,
        &sent_small[0].0,
        "delivered",
        Duration::from_secs(60),
    );
    let e = queue::wait_all(&gw, &env, &big_id, "bounced", Duration::from_secs(60));
    let a = queue::attempts(&e);
    assert_eq!(a.len(), 1, "{e}");
    assert_eq!(a[0]["reply"]["code"], 552, "{e}");
    let dsns = tenant.wait_messages(1, Duration::from_secs(60), "DSN for the big message");
    let d = sealgate_tests::receiver::parse_dsn(&dsns[0].file);
    assert_eq!(d["per_recipient"][0]["Status"], "5.3.4", "{d}");
    assert_eq!(
        d["per_recipient"][0]["Final-Recipient"],
        format!("rfc822; {big}")
    );
    assert!(
        d["returned_message"]
            .as_str()
            .is_some_and(|m| m.contains(&big_msgid)),
        "{d}"
    );
    // Only the small message reached Postfix; the big one was never offered (SIZE checked
    // against the EHLO limit before MAIL).
    let files = pf.wait_delivered(1, Duration::from_secs(30));
    assert_eq!(files.len(), 1);
    let log = pf.maillog();
    assert!(
        !log.contains("message size"),
        "the big message was offered:\n{log}"
    );
    assert!(gw.terminate().success());
    assert_eq!(tenant.messages().len(), 1, "not exactly one DSN");
}

/// Regression: the ORCPT and ENVID the accept stage keeps are xtext-*decoded*, and the client
/// passed them on as they were: ORCPT without its address type, which Postfix refuses as bad
/// syntax (a permanent failure for every recipient a tenant sent with ORCPT), and both
/// unencoded — a decoded CR LF in them became an SMTP command of its own at the next hop.
#[test]
fn dsn_parameters_pass_on_to_postfix_in_valid_syntax() {
    let pf = Postfix::start();
    let env = Env::new();
    let gw = Gateway::start(&env, &routed(postfix::DOMAIN, pf.addr));
    let rcpt = format!("carol@{}", postfix::DOMAIN);
    let msgid = unique_message_id("orcpt");
    let m = simple(
        "alice@acme-health.org",
        &rcpt,
        "orcpt",
        &msgid,
        "dsn params",
    );
    let mut s = Smtp::ready(gw.smtp);
    // An ENVID that decodes to `env+42` CR LF `RCPT TO:<mallory@postfix.test>` is refused at
    // intake (RFC 3461: printable only), so it can never reach the next hop.
    let mallory = format!("mallory@{}", postfix::DOMAIN);
    s.cmd(&format!(
        "MAIL FROM:<alice@acme-health.org> RET=HDRS ENVID=env+2B42+0D+0ARCPT+20TO:<{mallory}>"
    ))
    .expect(501, "5.5.4", "MAIL with a CR LF in ENVID");
    // A printable ENVID with characters xtext must encode (`+`, `=`) goes on in valid syntax.
    s.cmd("MAIL FROM:<alice@acme-health.org> RET=HDRS ENVID=env+2B42+3Dx")
        .expect(250, "2.1.0", "MAIL");
    s.cmd(&format!(
        "RCPT TO:<{rcpt}> NOTIFY=FAILURE,DELAY ORCPT=rfc822;orig+2Bcarol@acme-health.org"
    ))
    .expect(250, "2.1.5", "RCPT");
    s.cmd("DATA").expect(354, "", "DATA");
    s.send(&sealgate_tests::smtp::dot_stuff(m.as_bytes()))
        .unwrap();
    let reply = s.reply().unwrap();
    reply.expect(250, "2.0.0", "end of data");
    let id = queued_id(&reply).unwrap();
    let e = queue::wait_for(&gw, &env, &id, Duration::from_secs(60), "final", |st| {
        st.iter().all(|x| x == "delivered" || x == "bounced")
    });
    assert_eq!(
        queue::statuses(&e),
        ["delivered"],
        "postfix refused the transaction: {e}\n--- maillog\n{}",
        pf.maillog()
    );
    let files = pf.wait_delivered(1, Duration::from_secs(30));
    assert!(gw.terminate().success());
    // Only carol's copy; nothing smuggled in for mallory.
    let delivered: Vec<String> = pf
        .delivered()
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert!(
        delivered[0].contains(&format!("Delivered-To: {rcpt}")),
        "{}",
        delivered[0]
    );
    assert!(
        !pf.maillog().contains(&mallory),
        "an injected command reached postfix:\n{}",
        pf.maillog()
    );
}

#[test]
fn smtputf8_envelope_and_8bit_headers_reach_postfix_intact() {
    let pf = Postfix::start();
    let env = Env::new();
    let gw = Gateway::start(&env, &routed(postfix::DOMAIN, pf.addr));
    let rcpt = format!("jörg@{}", postfix::DOMAIN);
    let msgid = unique_message_id("utf8");
    let m = simple(
        "Alice <alice@acme-health.org>",
        &format!("Jörg Müller <{rcpt}>"),
        "Grüße — ünïcödé subject",
        &msgid,
        "Körper mit Umlauten",
    );
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("MAIL FROM:<alice@acme-health.org> SMTPUTF8 BODY=8BITMIME")
        .expect(250, "2.1.0", "MAIL SMTPUTF8");
    s.cmd(&format!("RCPT TO:<{rcpt}>"))
        .expect(250, "2.1.5", "RCPT");
    s.cmd("DATA").expect(354, "", "DATA");
    s.send(&sealgate_tests::smtp::dot_stuff(m.as_bytes()))
        .unwrap();
    let reply = s.reply().unwrap();
    reply.expect(250, "2.0.0", "end of data");
    let id = queued_id(&reply).unwrap();
    let e = queue::wait_for(&gw, &env, &id, Duration::from_secs(60), "final", |st| {
        st.iter().all(|x| x == "delivered" || x == "bounced")
    });
    assert_eq!(queue::statuses(&e), ["delivered"], "{e}\n{}", pf.maillog());
    let files = pf.wait_delivered(1, Duration::from_secs(30));
    let got = std::fs::read(&files[0]).unwrap();
    assert!(
        got.ends_with(m.replace("\r\n", "\n").as_bytes()),
        "changed in transit:\n{}",
        String::from_utf8_lossy(&got)
    );
    let got = String::from_utf8_lossy(&got).to_string();
    assert!(got.contains(&format!("Delivered-To: {rcpt}")), "{got}");
    assert!(gw.terminate().success());
}

#[test]
fn one_postfix_connection_carries_several_messages() {
    let pf = Postfix::start();
    let env = Env::new();
    let mut cfg = routed(postfix::DOMAIN, pf.addr);
    cfg.delivery.push("max_per_destination = 1".into());
    cfg.delivery.push("connection_cache_time = \"30s\"".into());
    let gw = Gateway::start(&env, &cfg);
    let rcpts: Vec<String> = (0..6)
        .map(|i| format!("reuse{i}@{}", postfix::DOMAIN))
        .collect();
    let sent = send_each(&gw, &rcpts, "reuse");
    for (id, _) in &sent {
        let e = queue::wait_all(&gw, &env, id, "delivered", Duration::from_secs(60));
        let a = queue::attempts(&e);
        assert_eq!(a.last().unwrap()["tls_version"], "TLSv1.3", "{e}");
    }
    let files = pf.wait_delivered(sent.len(), Duration::from_secs(60));
    assert_eq!(files.len(), sent.len());
    let log = pf.maillog();
    let connects = log
        .lines()
        // The harness's own readiness probe connects too, but never starts TLS.
        .filter(|l| l.contains("smtpd[") && l.contains("TLS connection established"))
        .count();
    assert_eq!(connects, 1, "expected one reused connection:\n{log}");
    assert!(gw.terminate().success());
}

#[test]
fn retry_resends_only_to_the_recipient_that_was_deferred() {
    let env = Env::new();
    let dir = env.root().join("received");
    let mut rx = Receiver::start(LOOPBACK, 0, &dir, None);
    let gw = Gateway::start(&env, &routed("dest.test", rx.addr));
    let msgid = unique_message_id("partial");
    let (ok, later) = ("kim@dest.test", "defer1-lee@dest.test");
    let m = simple(
        "alice@acme-health.org",
        ok,
        "partial",
        &msgid,
        "two recipients",
    );
    let mut s = Smtp::ready(gw.smtp);
    let reply = s.send_mail("alice@acme-health.org", &[ok, later], &m);
    reply.expect(250, "2.0.0", "end of data");
    let id = queued_id(&reply).unwrap();
    queue::wait_for(&gw, &env, &id, Duration::from_secs(30), "split", |st| {
        st == ["delivered", "temporary-failure"]
    });
    queue::retry(&gw, &id);
    queue::wait_all(&gw, &env, &id, "delivered", Duration::from_secs(30));
    let got = rx.wait_messages(2, Duration::from_secs(30), "both copies");
    assert!(gw.terminate().success());
    let mut rcpts: Vec<Vec<String>> = rx.messages().iter().map(|m| m.rcpt_tos.clone()).collect();
    rcpts.sort();
    assert_eq!(
        rcpts,
        vec![vec![later.to_string()], vec![ok.to_string()]],
        "the delivered recipient got the message again"
    );
    assert!(got.iter().all(|m| m.message_id == msgid));
}

#[test]
fn tenant_helo_and_source_address_are_what_postfix_sees() {
    let pf = Postfix::start();
    let env = Env::new();
    let mut cfg = routed(postfix::DOMAIN, pf.addr);
    cfg.extra.push_str(
        "\n[delivery.tenants.acme]\nhelo = \"out.acme-health.org\"\nsource_address = \"127.0.0.7\"\n",
    );
    let gw = Gateway::start(&env, &cfg);
    let sent = send_each(&gw, &[format!("lou@{}", postfix::DOMAIN)], "helo");
    queue::wait_all(&gw, &env, &sent[0].0, "delivered", Duration::from_secs(60));
    let files = pf.wait_delivered(1, Duration::from_secs(30));
    let got = std::fs::read_to_string(&files[0]).unwrap();
    let received = got
        .lines()
        .find(|l| l.starts_with("Received: from "))
        .unwrap_or_default();
    assert!(
        received.starts_with("Received: from out.acme-health.org ("),
        "postfix's Received: {received}"
    );
    assert!(
        received.contains("[127.0.0.7]"),
        "postfix's Received: {received}"
    );
    assert!(gw.terminate().success());
}

#[test]
fn eight_bit_message_to_a_hop_without_8bitmime_fails_clearly_with_a_dsn() {
    let pf = Postfix::start_with(&["smtpd_discard_ehlo_keywords=8bitmime,smtputf8"]);
    let env = Env::new();
    let cert = sealgate_tests::receiver::test_cert(&env.etc(), "return.acme-health.org");
    let mut tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), Some(&cert));
    let mut cfg = routed(postfix::DOMAIN, pf.addr);
    cfg.extra
        .push_str(&format!("\"acme-health.org\" = \"{}\"\n", tenant.addr));
    let gw = Gateway::start(&env, &cfg);
    let rcpt = format!("nia@{}", postfix::DOMAIN);
    let msgid = unique_message_id("8bit");
    let m = tricky_message(&rcpt, &msgid);
    let mut s = Smtp::ready(gw.smtp);
    let reply = s.send_mail("alice@acme-health.org", &[rcpt.as_str()], &m);
    reply.expect(250, "2.0.0", "end of data");
    let id = queued_id(&reply).unwrap();
    let e = queue::wait_all(&gw, &env, &id, "bounced", Duration::from_secs(60));
    assert_eq!(queue::attempts(&e)[0]["reply"]["code"], 554, "{e}");
    let dsns = tenant.wait_messages(1, Duration::from_secs(60), "DSN");
    let d = sealgate_tests::receiver::parse_dsn(&dsns[0].file);
    assert_eq!(d["per_recipient"][0]["Status"], "5.6.3", "{d}");
    assert!(
        pf.delivered().is_empty(),
        "8-bit content went to a 7-bit hop"
    );
    assert!(gw.terminate().success());
}

/// Regression: a next hop greeting `554` bounced the recipient at once; a refusal to talk
/// says nothing about the recipient (Postfix's `smtp_skip_5xx_greeting`): defer and retry.
#[test]
fn a_554_greeting_defers_instead_of_bouncing() {
    let env = Env::new();
    let cert = sealgate_tests::receiver::test_cert(&env.etc(), "return.acme-health.org");
    let mut tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), Some(&cert));
    let dir = env.root().join("refusing");
    let mut rx = Receiver::start_with(
        LOOPBACK,
        0,
        &dir,
        None,
        &["--greeting", "554 5.7.1 Not now"],
    );
    let mut cfg = routed("dest.test", rx.addr);
    cfg.extra
        .push_str(&format!("\"acme-health.org\" = \"{}\"\n", tenant.addr));
    let gw = Gateway::start(&env, &cfg);
    let sent = send_each(&gw, &["quinn@dest.test".to_string()], "greeting");
    let e = queue::wait_all(
        &gw,
        &env,
        &sent[0].0,
        "temporary-failure",
        Duration::from_secs(30),
    );
    let a = queue::attempts(&e);
    assert_eq!(a.len(), 1, "{e}");
    let text = a[0]["reply"].to_string();
    assert!(
        text.contains("554 5.7.1 Not now"),
        "the greeting is not quoted: {e}"
    );
    assert!(gw.terminate().success());
    assert!(rx.connections_made() >= 1, "never connected");
    assert!(
        tenant.messages().is_empty(),
        "a DSN for a temporary refusal"
    );
}

#[test]
fn opportunistic_tls_falls_back_to_plaintext_when_the_handshake_fails() {
    let env = Env::new();
    let cert = sealgate_tests::receiver::test_cert(&env.etc(), "broken.dest.test");
    let dir = env.root().join("received");
    let mut rx = Receiver::start_with(LOOPBACK, 0, &dir, Some(&cert), &["--tls-broken"]);
    let gw = Gateway::start(&env, &routed("dest.test", rx.addr));
    let sent = send_each(&gw, &["ray@dest.test".to_string()], "tls-fallback");
    let e = queue::wait_all(&gw, &env, &sent[0].0, "delivered", Duration::from_secs(60));
    let got = rx.wait_messages(1, Duration::from_secs(30), "plaintext retry");
    assert_eq!(got[0].message_id, sent[0].1);
    assert!(!got[0].tls, "the receiver says TLS worked");
    let a = queue::attempts(&e);
    let last = a.last().unwrap();
    assert!(last["tls_version"].is_null(), "attempt claims TLS: {e}");
    assert!(
        rx.connections_made() >= 2,
        "no second, plaintext connection"
    );
    assert!(gw.terminate().success());
}
