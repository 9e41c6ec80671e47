//! Acceptance: STARTTLS command injection is ignored, and SMTP smuggling probes never split a
//! message.
//!
//! - Commands pipelined after `STARTTLS` in the same packet are discarded (RFC 3207 §4.2): they
//!   get no reply before the handshake, and are not executed after it.
//! - A DATA or BDAT body that hides a second transaction behind `\n.\n`, `\r.\r`, `\r\n.\n`
//!   (and the other bare CR/LF variants) is refused whole with `550 5.5.2`; the spool holds
//!   neither the outer nor the smuggled message, only the clean control message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::gateway::find_by_message_id;
use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::smtp::{dot_stuff, queued_id, tls_trusting};
use sealgate_tests::{Env, Gateway, GatewayConfig, Smtp};

const HOST: &str = "gw.sealgate.test";

#[test]
fn commands_pipelined_after_starttls_are_discarded() {
    let env = Env::new();
    let gw = Gateway::start(&env, &GatewayConfig::default());
    let tls = tls_trusting(&env.self_signed_cert());
    let mut s = Smtp::ready(gw.smtp);
    let injected_id = unique_message_id("injected");
    // One write: STARTTLS followed by a whole plaintext transaction.
    let injected = format!(
        "STARTTLS\r\nMAIL FROM:<alice@acme-health.org>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\n\
         From: alice@acme-health.org\r\nMessage-ID: {injected_id}\r\n\r\ninjected\r\n.\r\n"
    );
    s.send(injected.as_bytes()).unwrap();
    let r = s.reply().unwrap();
    r.expect(220, "2.0.0", "STARTTLS");
    // Smtp::starttls fails if any reply to the injected commands arrived in plaintext.
    s.starttls(tls, HOST)
        .expect("TLS handshake after injected bytes");
    // Nothing executed: no pending replies, no open transaction, EHLO required again.
    s.cmd("MAIL FROM:<alice@acme-health.org>").expect(
        503,
        "5.5.1",
        "MAIL right after STARTTLS (fresh EHLO required)",
    );
    s.cmd("EHLO client.test").expect(250, "", "EHLO in TLS");
    s.cmd("RCPT TO:<victim@example.com>").expect(
        503,
        "5.5.1",
        "RCPT in TLS: the injected MAIL must not have been executed",
    );
    let control_id = unique_message_id("after-tls");
    let msg = simple(
        "alice@acme-health.org",
        "bob@example.com",
        "ok",
        &control_id,
        "ok",
    );
    let r = s.send_mail("alice@acme-health.org", &["bob@example.com"], &msg);
    r.expect(250, "2.0.0", "transaction in TLS");
    s.cmd("QUIT").expect(221, "2.0.0", "QUIT");
    let entries = gw.queue_list();
    assert!(
        find_by_message_id(&entries, &injected_id).is_none(),
        "injected message queued"
    );
    assert!(
        find_by_message_id(&entries, &control_id).is_some(),
        "TLS message not queued"
    );
    assert_eq!(entries.len(), 1, "unexpected spool contents: {entries:?}");
}

#[test]
fn starttls_injection_of_a_single_command_gets_no_reply() {
    let env = Env::new();
    let gw = Gateway::start(&env, &GatewayConfig::default());
    let tls = tls_trusting(&env.self_signed_cert());
    let mut s = Smtp::ready(gw.smtp);
    s.send(b"STARTTLS\r\nNOOP\r\n").unwrap();
    s.reply().unwrap().expect(220, "2.0.0", "STARTTLS");
    s.starttls(tls, HOST).expect("TLS handshake");
    // If the injected NOOP had been kept, its 250 would answer this EHLO first.
    let r = s.cmd("EHLO client.test");
    r.expect(250, "", "EHLO");
    assert!(
        r.lines.len() > 1 && r.lines[0].starts_with(HOST),
        "first reply after the handshake is not the EHLO answer: {r}"
    );
    assert!(
        !r.text().contains("STARTTLS"),
        "STARTTLS offered again inside TLS: {r}"
    );
    s.cmd("STARTTLS")
        .expect(503, "5.5.1", "STARTTLS inside TLS");
}

/// The outer message: a bare line break + `.` + line break, then a whole smuggled
/// transaction, then the real end of data.
fn smuggling_body(sep: &str, outer_id: &str, smuggled_id: &str) -> Vec<u8> {
    format!(
        "From: alice@acme-health.org\r\nTo: bob@example.com\r\nMessage-ID: {outer_id}\r\n\
         Subject: outer\r\n\r\nouter body{sep}MAIL FROM:<alice@acme-health.org>\r\n\
         RCPT TO:<victim@example.com>\r\nDATA\r\nFrom: alice@acme-health.org\r\n\
         Message-ID: {smuggled_id}\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n"
    )
    .into_bytes()
}

const SEPARATORS: &[(&str, &str)] = &[
    ("LF.LF", "\n.\n"),
    ("CR.CR", "\r.\r"),
    ("CRLF.LF", "\r\n.\n"),
    ("LF.CRLF", "\n.\r\n"),
    ("CR.CRLF", "\r.\r\n"),
    ("CRLF.CR", "\r\n.\r"),
    ("CRLF.CRCRLF", "\r\n.\r\r\n"),
];

#[test]
fn smuggling_probes_never_split_a_message() {
    let env = Env::new();
    let gw = Gateway::start(&env, &GatewayConfig::default());
    let mut hidden = Vec::new();
    let mut failures = Vec::new();
    for (name, sep) in SEPARATORS {
        for bdat in [false, true] {
            let (outer, smuggled) = (unique_message_id("outer"), unique_message_id("smuggled"));
            hidden.push(outer.clone());
            hidden.push(smuggled.clone());
            let body = smuggling_body(sep, &outer, &smuggled);
            let mut s = Smtp::ready(gw.smtp);
            s.cmd("MAIL FROM:<alice@acme-health.org>")
                .expect(250, "2.1.0", name);
            s.cmd("RCPT TO:<bob@example.com>")
                .expect(250, "2.1.5", name);
            if bdat {
                s.send(format!("BDAT {} LAST\r\n", body.len()).as_bytes())
                    .unwrap();
                s.send(&body).unwrap();
            } else {
                s.cmd("DATA").expect(354, "", name);
                s.send(&body).unwrap();
            }
            let r = s.reply().unwrap();
            let how = if bdat { "BDAT" } else { "DATA" };
            if !r.is(550, "5.5.2") {
                failures.push(format!("{name} in {how}: {r}"));
            }
            // Exactly one reply for the whole thing: the next command gets its own answer.
            let n = s.cmd("NOOP");
            if !n.is(250, "2.0.0") {
                failures.push(format!("{name} in {how}: extra reply {n}"));
            }
        }
    }
    // A clean message in the same gateway is accepted: the spool works.
    let control = unique_message_id("control");
    let mut s = Smtp::ready(gw.smtp);
    let msg = simple(
        "alice@acme-health.org",
        "bob@example.com",
        "ok",
        &control,
        "a\r\n.\r\nb",
    );
    let r = s.send_mail("alice@acme-health.org", &["bob@example.com"], &msg);
    r.expect(250, "2.0.0", "control message");
    let control_qid = queued_id(&r).unwrap();
    assert!(
        failures.is_empty(),
        "smuggling probes:\n{}",
        failures.join("\n")
    );
    let entries = gw.queue_list();
    for id in &hidden {
        assert!(
            find_by_message_id(&entries, id).is_none(),
            "{id} reached the spool"
        );
    }
    assert_eq!(
        entries.len(),
        1,
        "spool holds more than the control message: {entries:?}"
    );
    assert_eq!(entries[0]["message"]["id"], control_qid.as_str());
    assert_eq!(
        dot_stuff(b"a\r\n.\r\n"),
        b"a\r\n..\r\n.\r\n".to_vec(),
        "dot-stuffing helper"
    );
}
