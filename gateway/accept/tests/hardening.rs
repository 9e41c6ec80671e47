//! In-process tests of the public port's hardening (issue 15): junk-command limit, session
//! lifetime between transactions only, bare-LF and overlong command lines, the memory budget at
//! MAIL and at end of data, BDAT outside a transaction, tenant networks exempt from the per-IP
//! cap, quoted local parts, ambiguous originator headers, and PROXY v2 on a dual-stack
//! listener. The end-to-end suite (`tests/scenarios/hardening.rs`) drives the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use sealgate_core::store::QueueStore;
use std::time::{Duration, Instant};
use support::{Client, MESSAGE, start, start_on};

const TENANT: &str = "\"127.0.0.1/32\"";

async fn greeted(addr: std::net::SocketAddr) -> Client {
    let mut c = Client::connect(addr).await;
    assert!(c.reply().await.starts_with("220 "));
    c
}

/// `MAIL` … end of data for `message`; the final reply.
async fn send_message(c: &mut Client, rcpt: &str, message: &[u8]) -> String {
    c.send(b"MAIL FROM:<a@acme-health.org>\r\n").await;
    let r = c.reply().await;
    if !r.starts_with("250 ") {
        return r;
    }
    c.send(format!("RCPT TO:<{rcpt}>\r\n").as_bytes()).await;
    let r = c.reply().await;
    assert!(r.starts_with("250 2.1.5"), "{r}");
    c.send(format!("BDAT {} LAST\r\n", message.len()).as_bytes())
        .await;
    c.send(message).await;
    c.reply().await
}

#[tokio::test]
async fn a_noop_flood_is_cut_off_with_421() {
    let gw = start("", TENANT).await;
    let mut c = greeted(gw.addr).await;
    c.send(&b"NOOP\r\n".repeat(150)).await;
    let mut ok = 0;
    let last = loop {
        let r = c.reply().await;
        if !r.starts_with("250 ") {
            break r;
        }
        ok += 1;
    };
    assert!(last.starts_with("421 4.7.0"), "{last}");
    assert!(ok < 150, "{ok} NOOPs answered 250");
    assert_eq!(c.reply().await, "", "closed after 421");
}

#[tokio::test]
async fn a_tenant_sending_500_messages_with_rset_between_is_never_cut_off() {
    let gw = start("", TENANT).await;
    let mut c = greeted(gw.addr).await;
    c.send(b"EHLO x\r\n").await;
    assert!(c.reply().await.starts_with("250 "));
    for i in 0..500 {
        let r = send_message(&mut c, "p@example.org", MESSAGE).await;
        assert!(r.starts_with("250 2.0.0 Ok: queued"), "message {i}: {r}");
        c.send(b"RSET\r\n").await;
        assert!(c.reply().await.starts_with("250 "), "RSET after {i}");
    }
    assert_eq!(gw.store.list(None, 10_000).unwrap().len(), 500);
}

#[tokio::test]
async fn the_session_lifetime_ends_a_session_only_between_transactions() {
    let gw = start("max_session_time = \"1s\"", TENANT).await;
    let started = Instant::now();
    let mut c = greeted(gw.addr).await;
    c.send(b"EHLO x\r\nMAIL FROM:<a@acme-health.org>\r\nRCPT TO:<p@example.org>\r\n")
        .await;
    for _ in 0..3 {
        assert!(c.reply().await.starts_with("250 "));
    }
    // Inside the transaction the lifetime passes: the server says nothing (no 421) …
    let quiet = tokio::time::timeout(Duration::from_millis(1500), c.reply()).await;
    assert!(quiet.is_err(), "server spoke mid-transaction: {quiet:?}");
    assert!(started.elapsed() > Duration::from_secs(1));
    // … and the transaction completes.
    c.send(format!("BDAT {} LAST\r\n", MESSAGE.len()).as_bytes())
        .await;
    c.send(MESSAGE).await;
    let r = c.reply().await;
    assert!(r.starts_with("250 2.0.0 Ok: queued"), "{r}");
    // Between transactions the session ends at once.
    let r = c.reply().await;
    assert!(r.starts_with("421 4.4.2"), "{r}");
    assert_eq!(c.reply().await, "");
}

#[tokio::test]
async fn a_bare_lf_command_is_answered_at_once() {
    let gw = start("", TENANT).await;
    let mut c = greeted(gw.addr).await;
    c.send(b"EHLO x\n").await;
    let r = tokio::time::timeout(Duration::from_secs(1), c.reply())
        .await
        .expect("no reply within a second");
    assert!(r.starts_with("500 5.5.2"), "{r}");
    // The next proper command is served.
    c.send(b"NOOP\r\n").await;
    assert!(c.reply().await.starts_with("250 "));
}

#[tokio::test]
async fn a_line_without_end_is_answered_and_closed() {
    let gw = start("", TENANT).await;
    let mut c = greeted(gw.addr).await;
    c.send(&vec![b'x'; 100 * 1024]).await;
    let r = tokio::time::timeout(Duration::from_secs(10), c.reply())
        .await
        .expect("no reply");
    assert!(r.starts_with("500 5.5.2"), "{r}");
    assert_eq!(c.reply().await, "", "connection closed");
}

#[tokio::test]
async fn the_memory_budget_refuses_at_mail_and_at_end_of_data() {
    // 1 MiB of budget holds 256 KiB of content (four copies).
    let gw = start("memory_budget = \"1MiB\"", TENANT).await;
    let mut c = greeted(gw.addr).await;
    c.send(b"EHLO x\r\nMAIL FROM:<a@acme-health.org> SIZE=300000\r\n")
        .await;
    assert!(c.reply().await.starts_with("250 "));
    let r = c.reply().await;
    assert!(r.starts_with("452 4.3.1"), "{r}");
    // Without SIZE the transaction starts, and outgrows the budget while its content arrives.
    let mut big = MESSAGE.to_vec();
    big.extend_from_slice(&b"0123456789abcdef0123456789abcdef\r\n".repeat(12_000));
    let r = send_message(&mut c, "p@example.org", &big).await;
    assert!(r.starts_with("452 4.3.1"), "{r}");
    // Budget given back: a small message is accepted.
    let r = send_message(&mut c, "p@example.org", MESSAGE).await;
    assert!(r.starts_with("250 2.0.0 Ok: queued"), "{r}");
    assert_eq!(gw.store.list(None, 10_000).unwrap().len(), 1);
}

#[tokio::test]
async fn bdat_outside_a_transaction_is_refused_and_the_stream_stays_in_step() {
    let gw = start("memory_budget = \"1MiB\"", TENANT).await;
    let mut c = greeted(gw.addr).await;
    let chunk = vec![b'z'; 3 << 20];
    c.send(format!("BDAT {} LAST\r\n", chunk.len()).as_bytes())
        .await;
    c.send(&chunk).await;
    assert!(c.reply().await.starts_with("503 5.5.1"));
    c.send(b"EHLO x\r\n").await;
    assert!(c.reply().await.starts_with("250 "));
    let r = send_message(&mut c, "p@example.org", MESSAGE).await;
    assert!(r.starts_with("250 2.0.0 Ok: queued"), "{r}");
}

#[tokio::test]
async fn tenant_networks_are_not_throttled_per_address() {
    let gw = start("max_connections_per_ip = 1", TENANT).await;
    let a = greeted(gw.addr).await;
    let b = greeted(gw.addr).await;
    let c = greeted(gw.addr).await;
    drop((a, b, c));
}

#[tokio::test]
async fn a_quoted_local_part_is_accepted_and_kept_quoted() {
    let gw = start("", TENANT).await;
    let mut c = greeted(gw.addr).await;
    c.send(b"EHLO x\r\n").await;
    assert!(c.reply().await.starts_with("250 "));
    let r = send_message(&mut c, "\"john smith\"@dest.test", MESSAGE).await;
    assert!(r.starts_with("250 2.0.0 Ok: queued"), "{r}");
    let id = r.rsplit(' ').next().unwrap().parse().unwrap();
    let entry = gw.store.get(id).unwrap().unwrap();
    let rcpt = &entry.message.envelope.recipients[0].address;
    assert_eq!(rcpt.to_string(), "\"john smith\"@dest.test");
    // A control character inside the quotes cannot be passed on safely.
    c.send(b"MAIL FROM:<a@acme-health.org>\r\nRCPT TO:<\"a\x01b\"@dest.test>\r\n")
        .await;
    assert!(c.reply().await.starts_with("250 "));
    assert!(c.reply().await.starts_with("501 5.1.3"));
}

#[tokio::test]
async fn ambiguous_originator_headers_are_refused_with_5_6_x() {
    let gw = start("", TENANT).await;
    let mut c = greeted(gw.addr).await;
    c.send(b"EHLO x\r\n").await;
    assert!(c.reply().await.starts_with("250 "));
    for (from, expect) in [
        (
            &b"From: ceo@evil.example@acme-health.org\r\n"[..],
            "550 5.6.0",
        ),
        (b"From: ceo\0@acme-health.org\r\n", "550 5.6.0"),
        (
            b"F rom: ceo@evil.example\r\nFrom: a@acme-health.org\r\n",
            "550 5.6.0",
        ),
        (
            b"From: a@acme-health.org\r\nSender: s@evil.example\r\n",
            "550 5.7.1",
        ),
        (
            b"From: a@acme-health.org\r\nResent-From: s@evil.example\r\n",
            "550 5.7.1",
        ),
        (
            b"From: Alice <a@acme-health.org>\r\nSender: b@acme-health.org\r\n",
            "250 2.0.0",
        ),
    ] {
        let mut m = from.to_vec();
        m.extend_from_slice(b"Subject: t\r\n\r\nhello\r\n");
        let r = send_message(&mut c, "p@example.org", &m).await;
        assert!(
            r.starts_with(expect),
            "{}: {r}",
            String::from_utf8_lossy(from)
        );
        c.send(b"RSET\r\n").await;
        assert!(c.reply().await.starts_with("250 "));
    }
}

/// A dual-stack `[::]` listener sees IPv4 clients as `::ffff:a.b.c.d`; a balancer listed as
/// IPv4 must still be made to send its PROXY header.
#[tokio::test]
async fn proxy_v2_is_enforced_for_an_ipv4_mapped_balancer_on_a_dual_stack_listener() {
    let gw = start_on(
        "[::]:0",
        "proxy_protocol_from = [\"127.0.0.0/8\"]",
        "\"40.92.0.0/15\"",
    )
    .await;
    let v4 = std::net::SocketAddr::from(([127, 0, 0, 1], gw.addr.port()));
    // Without the header the balancer's connection is dropped, never served as a client.
    let mut bare = Client::connect(v4).await;
    bare.send(b"EHLO x\r\n").await;
    assert_eq!(bare.reply().await, "");
    // With it, the client address comes from the header (a tenant network here).
    let mut c = Client::connect(v4).await;
    let mut first = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    first.extend_from_slice(&[
        0x21, 0x11, 0, 12, 40, 92, 1, 2, 127, 0, 0, 1, 0x30, 0x39, 0, 25,
    ]);
    first.extend_from_slice(b"EHLO balancer.test\r\nMAIL FROM:<a@acme-health.org>\r\n");
    c.send(&first).await;
    assert!(c.reply().await.starts_with("220 "));
    assert!(c.reply().await.starts_with("250 "));
    let r = c.reply().await;
    assert!(r.starts_with("250 2.1.0"), "{r}");
}
