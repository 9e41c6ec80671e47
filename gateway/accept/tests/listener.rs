//! In-process tests of the listener: PROXY v2 trust, connection caps, CHUNKING, pipelining,
//! shutdown. The end-to-end suite in `tests/` drives the real binary with real clients.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use sealgate_core::store::QueueStore;

use std::time::Duration;
use support::{Client, MESSAGE, start};

fn proxy_v2(src: [u8; 4]) -> Vec<u8> {
    let mut h = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    h.extend_from_slice(&[0x21, 0x11, 0, 12]);
    h.extend_from_slice(&src);
    h.extend_from_slice(&[127, 0, 0, 1, 0x30, 0x39, 0, 25]);
    h
}

#[tokio::test]
async fn proxy_v2_from_a_trusted_balancer_supplies_the_client_address() {
    let gw = start(
        "proxy_protocol_from = [\"127.0.0.1/32\"]",
        "\"40.92.0.0/15\"",
    )
    .await;
    let mut c = Client::connect(gw.addr).await;
    let mut first = proxy_v2([40, 92, 1, 2]);
    first.extend_from_slice(b"EHLO balancer.test\r\n");
    c.send(&first).await;
    assert!(c.reply().await.starts_with("220 "));
    assert!(c.reply().await.starts_with("250 "));
    c.send(b"MAIL FROM:<a@acme-health.org>\r\n").await;
    assert_eq!(&c.reply().await[..9], "250 2.1.0");

    // From the trusted balancer, a connection without the header is dropped.
    let mut bare = Client::connect(gw.addr).await;
    bare.send(b"EHLO x\r\n").await;
    assert_eq!(bare.reply().await, "");
}

#[tokio::test]
async fn proxy_header_from_an_untrusted_peer_is_only_garbage() {
    let gw = start("", "\"40.92.0.0/15\"").await;
    let mut c = Client::connect(gw.addr).await;
    assert!(c.reply().await.starts_with("220 "));
    let mut forged = proxy_v2([40, 92, 1, 2]);
    forged.extend_from_slice(b"\r\nEHLO x\r\n");
    c.send(&forged).await;
    // The binary header is refused line by line as invalid commands (its `QUIT\n` is no
    // command: lines end only at CRLF); the EHLO after it is answered normally.
    let mut refused = 0;
    loop {
        let r = c.reply().await;
        if r.starts_with("250 ") {
            break;
        }
        assert!(r.starts_with("500 5.5."), "{r}");
        refused += 1;
    }
    assert!(refused >= 2);
    c.send(b"MAIL FROM:<a@acme-health.org>\r\n").await;
    let r = c.reply().await;
    assert!(
        r.starts_with("550 5.7.1") && r.contains("[SG-NOT-TENANT]"),
        "{r}"
    );
}

#[tokio::test]
async fn per_ip_connection_cap_answers_421() {
    // The cap is for clients outside the tenant networks (tenant networks are not throttled).
    let gw = start("max_connections_per_ip = 2", "\"10.9.9.0/24\"").await;
    let mut a = Client::connect(gw.addr).await;
    let mut b = Client::connect(gw.addr).await;
    assert!(a.reply().await.starts_with("220 "));
    assert!(b.reply().await.starts_with("220 "));
    let mut c = Client::connect(gw.addr).await;
    assert!(c.reply().await.starts_with("421 4.7.0"));
    drop(a);
    // Once a slot is free again a new session is served.
    let mut served = false;
    for _ in 0..50 {
        let mut d = Client::connect(gw.addr).await;
        if d.reply().await.starts_with("220 ") {
            served = true;
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(served);
    drop(b);
}

#[tokio::test]
async fn bdat_chunks_make_one_message_and_pipelined_replies_keep_order() {
    let gw = start("", "\"127.0.0.1/32\"").await;
    let mut c = Client::connect(gw.addr).await;
    assert!(c.reply().await.starts_with("220 "));
    let (head, tail) = MESSAGE.split_at(30);
    let mut batch =
        b"EHLO x\r\nMAIL FROM:<a@acme-health.org>\r\nRCPT TO:<p@example.org>\r\n".to_vec();
    batch.extend_from_slice(format!("BDAT {}\r\n", head.len()).as_bytes());
    batch.extend_from_slice(head);
    batch.extend_from_slice(format!("BDAT {} LAST\r\n", tail.len()).as_bytes());
    batch.extend_from_slice(tail);
    c.send(&batch).await;
    assert!(c.reply().await.starts_with("250 "));
    assert!(c.reply().await.starts_with("250 2.1.0"));
    assert!(c.reply().await.starts_with("250 2.1.5"));
    assert!(c.reply().await.starts_with("250 2.0.0 30 octets"));
    let done = c.reply().await;
    assert!(done.starts_with("250 2.0.0 Ok: queued as "), "{done}");
    let id = done.rsplit(' ').next().unwrap().parse().unwrap();
    let body = gw.store.body(id).unwrap();
    assert!(body.starts_with(b"Received: from x"));
    assert!(body.ends_with(MESSAGE));
    let entry = gw.store.get(id).unwrap().unwrap();
    assert_eq!(
        entry.message.header_message_id.as_deref(),
        Some("<m1@acme-health.org>")
    );
}

#[tokio::test]
async fn shutdown_tells_idle_sessions_and_stops() {
    let gw = start("", "\"127.0.0.1/32\"").await;
    let mut c = Client::connect(gw.addr).await;
    assert!(c.reply().await.starts_with("220 "));
    gw.shutdown.shutdown();
    assert!(c.reply().await.starts_with("421 4.3.2"));
    tokio::time::timeout(Duration::from_secs(10), gw.task)
        .await
        .unwrap()
        .unwrap();
}
