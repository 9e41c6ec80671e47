//! Acceptance: the README walk-through. `sealgate serve` with no configuration runs the
//! embedded default — loopback the only tenant, allowed to send as any domain (and the log says
//! so loudly), a generated self-signed certificate, master key and admin token under
//! `./sealgate-data` with mode 0600, delivery into `./sealgate-data/outbox` — and swaks, plain
//! and with STARTTLS, gets `250` and a `.eml` in the outbox. Only the listen addresses are
//! overridden (`--smtp-listen`/`--admin-listen 127.0.0.1:0`) so the test owns its ports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::mail::unique_message_id;
use sealgate_tests::tools::{describe, http_get, require_tool, swaks};
use sealgate_tests::{Env, Gateway};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Waits (each round blocks on an HTTP exchange with the admin API) until the outbox holds a
/// file containing `needle`, at most 30 s.
fn wait_outbox(gw: &Gateway, token: &str, outbox: &Path, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(dir) = std::fs::read_dir(outbox) {
            for e in dir.flatten() {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                if e.path().extension().is_some_and(|x| x == "eml") && text.contains(needle) {
                    return text;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no .eml with {needle} in {}",
            outbox.display()
        );
        let (status, _) = http_get(
            gw.admin,
            "/api/v1/queue",
            Some(token),
            Duration::from_secs(10),
        )
        .expect("admin API");
        assert_eq!(status, 200);
    }
}

#[test]
fn serve_without_a_config_runs_the_embedded_default_walkthrough() {
    require_tool("swaks");
    let env = Env::new();
    let gw = Gateway::start_embedded(
        &env,
        &[
            "--smtp-listen",
            "127.0.0.1:0",
            "--admin-listen",
            "127.0.0.1:0",
        ],
    );
    let data = env.root().join("sealgate-data");
    for secret in ["master.key", "admin.token"] {
        assert_eq!(mode(&data.join(secret)), 0o600, "{secret} must be 0600");
    }
    let cert = data.join("tls").join("self-signed.crt");
    assert!(cert.is_file(), "no self-signed certificate generated");
    let log = gw.log_text();
    assert!(
        log.contains("embedded default") && log.contains("ANY domain"),
        "the log must say loudly that loopback may send as any domain:\n{log}"
    );
    let token = std::fs::read_to_string(data.join("admin.token")).unwrap();
    let token = token.trim();
    let (status, _) = http_get(gw.admin, "/readyz", None, Duration::from_secs(10)).unwrap();
    assert_eq!(status, 200, "/readyz");

    let server = gw.smtp.to_string();
    for tls in [false, true] {
        let msgid = unique_message_id(if tls { "walk-tls" } else { "walk-plain" });
        let header = format!("Message-Id: {msgid}");
        let mut args = vec![
            "--server",
            &server,
            "--from",
            "doctor@clinic.example",
            "--to",
            "patient@example.org",
            "--header",
            &header,
            "--timeout",
            "20",
        ];
        if tls {
            args.push("--tls");
        }
        let out = swaks(&args);
        assert!(out.status.success(), "swaks tls={tls}: {}", describe(&out));
        let transcript = String::from_utf8_lossy(&out.stdout);
        assert!(
            transcript.contains("250 2.0.0 Ok: queued as"),
            "tls={tls}: no 250 queued:\n{transcript}"
        );
        let eml = wait_outbox(&gw, token, &data.join("outbox"), &msgid);
        assert!(
            eml.starts_with("Received: from "),
            "the final message carries our Received header first:\n{eml}"
        );
    }
    let status = gw.terminate();
    assert!(status.success(), "SIGTERM drain exit: {status:?}");
}
