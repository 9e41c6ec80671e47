//! Acceptance: swaks sends plain and with `--tls` to a running gateway in outbox mode; each
//! message gets `250`, is in the spool (found by its Message-ID through `queue list --json`)
//! and its final `.eml` appears in the outbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::gateway::find_by_message_id;
use sealgate_tests::mail::unique_message_id;
use sealgate_tests::tools::{describe, require_tool, swaks};
use sealgate_tests::{Env, Gateway, GatewayConfig};
use std::time::{Duration, Instant};

/// The queue id from swaks' transcript line `<-  250 2.0.0 Ok: queued as ID` (`<~` under TLS).
fn swaks_queue_id(transcript: &str) -> Option<String> {
    transcript.lines().find_map(|l| {
        let l = l.trim_start_matches(['<', '~', '-', ' ']);
        l.strip_prefix("250 2.0.0 ")
            .and_then(|rest| rest.split("queued as ").nth(1))
            .map(|id| id.trim().to_string())
    })
}

/// Polls the admin API (each poll blocks on an HTTP exchange) until every recipient of `id`
/// is `delivered`, at most 30 s.
fn wait_delivered(gw: &Gateway, env: &Env, id: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = gw.admin_get(env, &format!("/api/v1/queue/{id}"));
        assert_eq!(
            status,
            200,
            "GET /api/v1/queue/{id}: {}",
            String::from_utf8_lossy(&body)
        );
        let entry: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let rcpts = entry["recipients"].as_array().unwrap();
        if !rcpts.is_empty() && rcpts.iter().all(|r| r["status"] == "delivered") {
            return entry;
        }
        assert!(
            Instant::now() < deadline,
            "{id} not delivered in time: {entry}"
        );
    }
}

fn send_and_check(tls: bool) {
    require_tool("swaks");
    let env = Env::new();
    let gw = Gateway::start(&env, &GatewayConfig::default());
    let msgid = unique_message_id(if tls { "swaks-tls" } else { "swaks-plain" });
    let server = gw.smtp.to_string();
    let header = format!("Message-Id: {msgid}");
    let body = format!("hello from swaks, tls={tls}");
    let mut args = vec![
        "--server",
        &server,
        "--helo",
        "client.test",
        "--from",
        "alice@acme-health.org",
        "--to",
        "bob@example.com",
        "--header",
        &header,
        "--body",
        &body,
    ];
    if tls {
        args.push("--tls");
    }
    let out = swaks(&args);
    let transcript = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "swaks failed: {}", describe(&out));
    if tls {
        assert!(
            transcript.contains("<~ "),
            "no TLS dialogue in the transcript:\n{transcript}"
        );
    }
    let id = swaks_queue_id(&transcript)
        .unwrap_or_else(|| panic!("no `250 2.0.0 … queued as ID` in:\n{transcript}"));

    // In the spool, by Message-ID, with the id the client was given.
    let entries = gw.queue_list();
    let entry = find_by_message_id(&entries, &msgid)
        .unwrap_or_else(|| panic!("{msgid} not in queue list: {entries:?}"));
    assert_eq!(entry["message"]["id"], id.as_str());
    assert_eq!(
        entry["message"]["envelope"]["mail_from"],
        "alice@acme-health.org"
    );
    let tls_version = &entry["message"]["client"]["tls_version"];
    if tls {
        assert!(
            tls_version
                .as_str()
                .is_some_and(|v| v.contains("1.2") || v.contains("1.3")),
            "TLS session not recorded: {tls_version}"
        );
    } else {
        assert!(
            tls_version.is_null(),
            "plain session recorded as TLS: {tls_version}"
        );
    }

    // The final message in the outbox.
    wait_delivered(&gw, &env, &id);
    let eml = env.outbox().join(format!("{id}.eml"));
    let text = std::fs::read_to_string(&eml).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; outbox has {:?}",
            eml.display(),
            env.outbox_files()
        )
    });
    assert!(
        text.contains(&msgid),
        "Message-ID missing from the .eml:\n{text}"
    );
    assert!(text.contains(&body), "body missing from the .eml:\n{text}");
    assert!(text.contains("\r\n"), ".eml has no CRLF line ends");
    assert!(
        gw.terminate().success(),
        "gateway did not exit 0 on SIGTERM"
    );
}

#[test]
fn swaks_plain_is_queued_and_delivered_to_the_outbox() {
    send_and_check(false);
}

#[test]
fn swaks_starttls_is_queued_and_delivered_to_the_outbox() {
    send_and_check(true);
}
