//! Acceptance (issue 5, RFC 8689 inbound): the real gateway offers `REQUIRETLS` only after
//! STARTTLS (swaks' transcript of both EHLO replies); `MAIL FROM:<…> REQUIRETLS` in plaintext is
//! refused `530 5.7.10`, twice or with a value `501 5.5.4`; over TLS it is taken and the queued
//! record (`queue list --json` through the admin API) has `require_tls: true`. A message with a
//! `TLS-Required: No` header field (sent by swaks) is recorded `tls_required_no: true`; with
//! REQUIRETLS as well only `require_tls` is set (§4.2.1). swaks 2020 cannot add MAIL FROM
//! parameters, so REQUIRETLS itself goes through the harness's raw client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::gateway::find_by_message_id;
use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::queue::swaks_queue_id;
use sealgate_tests::smtp::{dot_stuff, queued_id, tls_trusting};
use sealgate_tests::tools::{describe, require_tool, swaks};
use sealgate_tests::{Env, Gateway, GatewayConfig, Smtp};

const HOST: &str = "gw.sealgate.test";
const FROM: &str = "alice@acme-health.org";
const TO: &str = "bob@example.com";

/// The queued record of the message with Message-ID `msgid`: its envelope.
fn queued_envelope(gw: &Gateway, msgid: &str) -> serde_json::Value {
    let entries = gw.queue_list();
    let entry = find_by_message_id(&entries, msgid)
        .unwrap_or_else(|| panic!("{msgid} not in queue list: {entries:?}"));
    entry["message"]["envelope"].clone()
}

fn flags(envelope: &serde_json::Value) -> (bool, bool) {
    let flag = |k: &str| {
        envelope[k]
            .as_bool()
            .unwrap_or_else(|| panic!("envelope has no boolean `{k}`: {envelope}"))
    };
    (flag("require_tls"), flag("tls_required_no"))
}

/// A raw session over STARTTLS, after the second EHLO.
fn tls_session(env: &Env, gw: &Gateway) -> Smtp {
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("STARTTLS").expect(220, "2.0.0", "STARTTLS");
    s.starttls(tls_trusting(&env.self_signed_cert()), HOST)
        .expect("TLS handshake");
    s.cmd("EHLO client.test").expect(250, "", "EHLO in TLS");
    s
}

/// `MAIL FROM:<FROM> PARAMS`, one RCPT, DATA with `message`: the final reply.
fn send_with(s: &mut Smtp, params: &str, message: &str) -> sealgate_tests::Reply {
    s.cmd(&format!("MAIL FROM:<{FROM}> {params}")).expect(
        250,
        "2.1.0",
        &format!("MAIL with {params}"),
    );
    s.cmd(&format!("RCPT TO:<{TO}>"))
        .expect(250, "2.1.5", "RCPT");
    s.cmd("DATA").expect(354, "", "DATA");
    s.send(&dot_stuff(message.as_bytes())).expect("send data");
    s.reply().expect("end-of-data reply")
}

/// `simple` with `extra` header lines inserted after From.
fn message_with(msgid: &str, extra: &str) -> String {
    let m = simple(FROM, TO, "requiretls", msgid, "hello");
    m.replacen("\r\n", &format!("\r\n{extra}"), 1)
}

#[test]
fn swaks_sees_requiretls_only_in_the_ehlo_after_starttls() {
    require_tool("swaks");
    let env = Env::new();
    let gw = Gateway::start(&env, &GatewayConfig::default());
    let server = gw.smtp.to_string();
    let out = swaks(&[
        "--server",
        &server,
        "--helo",
        "client.test",
        "--from",
        FROM,
        "--to",
        TO,
        "--tls",
        "--quit-after",
        "EHLO",
    ]);
    assert!(out.status.success(), "swaks failed: {}", describe(&out));
    let transcript = String::from_utf8_lossy(&out.stdout).to_string();
    // `<-` lines are read in plaintext, `<~` lines inside TLS.
    let plain: Vec<&str> = transcript
        .lines()
        .filter(|l| l.starts_with("<- "))
        .collect();
    let tls: Vec<&str> = transcript
        .lines()
        .filter(|l| l.starts_with("<~ "))
        .collect();
    let offers = |lines: &[&str], ext: &str| {
        lines.iter().any(|l| {
            l.trim_end().ends_with(&format!("250-{ext}"))
                || l.trim_end().ends_with(&format!("250 {ext}"))
        })
    };
    // Positive controls: both EHLO replies are in the transcript.
    assert!(
        offers(&plain, "STARTTLS"),
        "no plaintext EHLO reply:\n{transcript}"
    );
    assert!(
        offers(&tls, "PIPELINING"),
        "no EHLO reply inside TLS:\n{transcript}"
    );
    assert!(
        !offers(&plain, "REQUIRETLS"),
        "REQUIRETLS offered before STARTTLS:\n{transcript}"
    );
    assert!(
        offers(&tls, "REQUIRETLS"),
        "REQUIRETLS not offered after STARTTLS:\n{transcript}"
    );
    assert!(gw.terminate().success());
}

#[test]
fn requiretls_in_plaintext_is_refused_and_malformed_requiretls_is_a_syntax_error() {
    let env = Env::new();
    let gw = Gateway::start(&env, &GatewayConfig::default());
    let mut s = Smtp::ready(gw.smtp);
    s.cmd(&format!("MAIL FROM:<{FROM}> REQUIRETLS")).expect(
        530,
        "5.7.10",
        "REQUIRETLS without TLS",
    );
    s.cmd(&format!("MAIL FROM:<{FROM}> REQUIRETLS=YES")).expect(
        501,
        "5.5.4",
        "REQUIRETLS with a value",
    );
    // The refused MAILs opened no transaction.
    s.cmd(&format!("MAIL FROM:<{FROM}>"))
        .expect(250, "2.1.0", "plain MAIL after the refusals");
    s.cmd("QUIT").expect(221, "2.0.0", "QUIT");

    let mut t = tls_session(&env, &gw);
    t.cmd(&format!("MAIL FROM:<{FROM}> REQUIRETLS REQUIRETLS"))
        .expect(501, "5.5.4", "REQUIRETLS twice");
    t.cmd(&format!("MAIL FROM:<{FROM}> REQUIRETLS=1")).expect(
        501,
        "5.5.4",
        "REQUIRETLS with a value over TLS",
    );
    t.cmd("QUIT").expect(221, "2.0.0", "QUIT");
    assert!(
        gw.queue_list().is_empty(),
        "nothing was sent, yet something is queued"
    );
    assert!(gw.terminate().success());
}

#[test]
fn requiretls_over_tls_is_queued_with_require_tls_and_wins_over_tls_required_no() {
    let env = Env::new();
    let gw = Gateway::start(&env, &GatewayConfig::default());
    let mut s = tls_session(&env, &gw);

    let only = unique_message_id("requiretls");
    let r = send_with(&mut s, "REQUIRETLS", &message_with(&only, ""));
    r.expect(250, "2.0.0", "REQUIRETLS message over TLS");
    assert!(queued_id(&r).is_some(), "{r}");

    let both = unique_message_id("requiretls-and-header");
    let r = send_with(
        &mut s,
        "REQUIRETLS",
        &message_with(&both, "TLS-Required: No\r\n"),
    );
    r.expect(250, "2.0.0", "REQUIRETLS message with TLS-Required: No");

    // Control: the same session without the parameter records neither.
    let neither = unique_message_id("tls-no-requiretls");
    send_with(&mut s, "BODY=8BITMIME", &message_with(&neither, "")).expect(
        250,
        "2.0.0",
        "message over TLS without REQUIRETLS",
    );
    s.cmd("QUIT").expect(221, "2.0.0", "QUIT");

    assert_eq!(
        flags(&queued_envelope(&gw, &only)),
        (true, false),
        "REQUIRETLS"
    );
    assert_eq!(
        flags(&queued_envelope(&gw, &both)),
        (true, false),
        "REQUIRETLS + TLS-Required: No (REQUIRETLS wins)"
    );
    assert_eq!(
        flags(&queued_envelope(&gw, &neither)),
        (false, false),
        "neither"
    );
    assert!(gw.terminate().success());
}

#[test]
fn swaks_message_with_tls_required_no_is_queued_with_tls_required_no() {
    require_tool("swaks");
    let env = Env::new();
    let gw = Gateway::start(&env, &GatewayConfig::default());
    let server = gw.smtp.to_string();
    let send = |msgid: &str, extra: &[&str]| {
        let header = format!("Message-Id: {msgid}");
        let mut args = vec![
            "--server",
            &server,
            "--helo",
            "client.test",
            "--from",
            FROM,
            "--to",
            TO,
            "--header",
            &header,
        ];
        args.extend_from_slice(extra);
        let out = swaks(&args);
        assert!(out.status.success(), "swaks failed: {}", describe(&out));
        let transcript = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            swaks_queue_id(&transcript).is_some(),
            "not queued:\n{transcript}"
        );
    };
    let header_no = unique_message_id("tls-required-no");
    send(&header_no, &["--add-header", "TLS-Required: No"]);
    // Mentioned only in the body: not the message's own field.
    let in_body = unique_message_id("tls-required-in-body");
    send(&in_body, &["--body", "TLS-Required: No\nis only text here"]);
    let with_tls = unique_message_id("tls-required-no-tls");
    send(&with_tls, &["--tls", "--add-header", "tls-required:  no"]);

    assert_eq!(
        flags(&queued_envelope(&gw, &header_no)),
        (false, true),
        "header"
    );
    assert_eq!(
        flags(&queued_envelope(&gw, &in_body)),
        (false, false),
        "body only"
    );
    assert_eq!(
        flags(&queued_envelope(&gw, &with_tls)),
        (false, true),
        "header, over TLS"
    );
    assert!(gw.terminate().success());
}
