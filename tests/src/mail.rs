//! Test messages: RFC 5322 text with CRLF line ends and a unique Message-ID, so a test can
//! find its message in the spool (`message.header_message_id`) and in the outbox.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static SEQ: AtomicU64 = AtomicU64::new(0);

/// A Message-ID (with angle brackets) unique across tests and runs: `<tag.pid.nanos.seq@test>`.
pub fn unique_message_id(tag: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!(
        "<{tag}.{}.{nanos}.{seq}@client.sealgate.test>",
        std::process::id()
    )
}

/// A plain-text message.
pub fn simple(from: &str, to: &str, subject: &str, message_id: &str, body: &str) -> String {
    let mut m = String::new();
    m.push_str(&format!("From: {from}\r\n"));
    m.push_str(&format!("To: {to}\r\n"));
    m.push_str(&format!("Subject: {subject}\r\n"));
    m.push_str(&format!("Message-ID: {message_id}\r\n"));
    m.push_str("Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n");
    m.push_str("MIME-Version: 1.0\r\n");
    m.push_str("Content-Type: text/plain; charset=utf-8\r\n");
    m.push_str("\r\n");
    for line in body.lines() {
        m.push_str(line);
        m.push_str("\r\n");
    }
    m
}

/// A body of about `size` octets in lines of 76 characters.
pub fn filler(size: usize, seed: &str) -> String {
    let mut s = String::with_capacity(size + 80);
    let mut n = 0u64;
    while s.len() < size {
        let line = format!("{seed} line {n:06} ");
        let pad = 76usize.saturating_sub(line.len());
        s.push_str(&line);
        s.push_str(&"x".repeat(pad));
        s.push('\n');
        n += 1;
    }
    s
}
