//! Acceptance (issue 16, items 7, 8, 10, 11, 13): the operator surfaces.
//!
//! - the admin API closes a connection whose request head never completes, serves TLS that
//!   the CLI speaks (trusting `[admin] tls_ca`), and `config check` warns loudly about an
//!   admin API beyond loopback without TLS;
//! - remote text (a receiving server's reply) with terminal escapes is shown escaped;
//! - `config check` finds every startup error `serve` stops on, naming key, path and fix,
//!   without creating any file;
//! - JSON log list fields are arrays; one line of ours per failed MX lookup, none of hickory's;
//! - `keys --help` no longer claims the gateway must be stopped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::certs::TestCa;
use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, http_get, sealgate};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

fn with_admin(env: &Env, cfg: &GatewayConfig, lines: &str) -> std::path::PathBuf {
    let text = cfg
        .render(env)
        .replace("[admin]\n", &format!("[admin]\n{lines}\n"));
    env.write_etc("sealgate.toml", &text)
}

#[test]
fn a_partial_admin_request_is_closed_after_the_header_read_timeout() {
    let env = Env::new();
    let path = with_admin(
        &env,
        &GatewayConfig::default(),
        "header_read_timeout = \"1s\"",
    );
    let gw = Gateway::start_file(&env, &path, &[]);
    let mut s = TcpStream::connect(gw.admin).unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    // EOF (after an optional 408) — a read timeout here means the connection stayed open.
    let r = s.read_to_end(&mut buf);
    assert!(
        r.is_ok(),
        "the partial request was still open after {:?}: {r:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    // The API still answers whole requests.
    let (status, _) = http_get(gw.admin, "/healthz", None, Duration::from_secs(10)).unwrap();
    assert_eq!(status, 200);
}

#[test]
fn the_admin_api_serves_tls_and_the_cli_speaks_it() {
    let env = Env::new();
    let ca = TestCa::new(&env.etc(), "admin");
    let leaf = ca.leaf(&env.etc(), "admin-api", &["127.0.0.1"], false);
    let q = |p: &Path| serde_json::to_string(&p.to_string_lossy()).unwrap();
    let path = with_admin(
        &env,
        &GatewayConfig::default(),
        &format!(
            "tls_cert = {}\ntls_key = {}\ntls_ca = {}",
            q(&leaf.cert),
            q(&leaf.key),
            q(&ca.pem_file)
        ),
    );
    let gw = Gateway::start_file(&env, &path, &[]);
    // The store is locked by the running gateway: an answer proves the API (over TLS) was used.
    let list = sealgate_tests::gateway::queue_list(&path, Some(gw.admin));
    assert!(list.is_empty());
    // Plain HTTP gets no answer.
    let plain = http_get(gw.admin, "/healthz", None, Duration::from_secs(10));
    assert!(
        !matches!(plain, Ok((200, _))),
        "plain HTTP answered: {plain:?}"
    );
    // Without the CA, the CLI refuses the certificate.
    let text = std::fs::read_to_string(&path).unwrap();
    let other = TestCa::new(&env.etc(), "other");
    let wrong = env.write_etc(
        "wrong-ca.toml",
        &text.replace(&q(&ca.pem_file), &q(&other.pem_file)),
    );
    let out = sealgate(&[
        "queue",
        "list",
        "--config",
        wrong.to_str().unwrap(),
        "--admin",
        &gw.admin.to_string(),
    ]);
    assert!(
        !out.status.success(),
        "an untrusted certificate was accepted"
    );
}

#[test]
fn config_check_warns_about_an_admin_api_beyond_loopback_without_tls() {
    let env = Env::new();
    let text = GatewayConfig::default().render(&env).replace(
        "listen = \"127.0.0.1:0\"\ntoken_file",
        "listen = \"0.0.0.0:9925\"\ntoken_file",
    );
    let p = env.write_etc("exposed.toml", &text);
    let out = sealgate(&["config", "check", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: admin.listen 0.0.0.0:9925 is reachable beyond loopback WITHOUT TLS"),
        "{err}"
    );
}

/// A receiving SMTP server that refuses every RCPT with `reply` (one session).
fn refusing_server(reply: &'static str) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut c) = conn else { return };
            let mut r = BufReader::new(c.try_clone().unwrap());
            let _ = c.write_all(b"220 evil.test ESMTP\r\n");
            let mut line = String::new();
            while r.read_line(&mut line).unwrap_or(0) > 0 {
                let cmd = line.to_ascii_uppercase();
                let answer: String = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                    "250 evil.test\r\n".into()
                } else if cmd.starts_with("RCPT") {
                    format!("{reply}\r\n")
                } else if cmd.starts_with("QUIT") {
                    let _ = c.write_all(b"221 bye\r\n");
                    break;
                } else {
                    "250 ok\r\n".into()
                };
                if c.write_all(answer.as_bytes()).is_err() {
                    break;
                }
                line.clear();
            }
        }
    });
    addr
}

#[test]
fn a_remote_reply_with_terminal_escapes_is_shown_escaped() {
    let env = Env::new();
    let evil = refusing_server("550 5.1.1 \u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[31mno such user");
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        extra: format!("[delivery.routes]\n\"partner.example\" = \"{evil}\"\n"),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    let msg = simple(
        "alice@acme-health.org",
        "bob@partner.example",
        "hello",
        &unique_message_id("esc"),
        "hi",
    );
    let reply = s.send_mail("alice@acme-health.org", &["bob@partner.example"], &msg);
    let id = queued_id(&reply).unwrap();
    sealgate_tests::queue::wait_all(&gw, &env, &id, "bounced", Duration::from_secs(60));
    let cfgp = gw.config.to_string_lossy().to_string();
    let admin = gw.admin.to_string();
    for args in [
        vec!["queue", "show", &id, "--config", &cfgp, "--admin", &admin],
        vec!["queue", "list", "--config", &cfgp, "--admin", &admin],
        vec![
            "queue", "show", &id, "--json", "--config", &cfgp, "--admin", &admin,
        ],
    ] {
        let out = sealgate(&args);
        assert!(out.status.success(), "{}", describe(&out));
        assert!(
            !out.stdout
                .iter()
                .any(|b| *b == 0x1b || *b == 0x07 || *b == b'\r'),
            "raw control characters in `{}`: {:?}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout)
        );
        if args[1] == "show" {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("\\u001b[31mno such user"), "{text}");
        }
    }
}

/// Runs `serve` on `config` (expecting it to stop) and `config check`; returns their outputs.
fn serve_and_check(config: &Path) -> (String, String) {
    let serve = sealgate_tests::tools::run(
        std::process::Command::new(sealgate_tests::tools::sealgate_bin())
            .args(["serve", "--config"])
            .arg(config),
        Duration::from_secs(60),
    );
    assert!(
        !serve.status.success(),
        "serve started: {}",
        describe(&serve)
    );
    let check = sealgate(&["config", "check", config.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1), "{}", describe(&check));
    (
        String::from_utf8_lossy(&serve.stderr).to_string(),
        String::from_utf8_lossy(&check.stdout).to_string(),
    )
}

#[test]
fn config_check_finds_every_startup_error_without_creating_a_file() {
    let env = Env::new();
    let etc = env.etc();
    let missing = |name: &str| etc.join(name).to_string_lossy().to_string();
    let cases: Vec<(&str, GatewayConfig, String)> = vec![
        (
            "rules dir",
            GatewayConfig {
                extra: format!("[rules]\ndir = \"{}\"\n", missing("rulez")),
                ..GatewayConfig::default()
            },
            format!("rules.dir \"{}\": no such directory", missing("rulez")),
        ),
        (
            "TLS certificate",
            GatewayConfig {
                tls: vec![
                    format!("cert = \"{}\"", missing("gw.crt")),
                    format!("key = \"{}\"", missing("gw.key")),
                ],
                ..GatewayConfig::default()
            },
            format!("smtp.tls.cert \"{}\": no such file", missing("gw.crt")),
        ),
        (
            "tenant token",
            GatewayConfig {
                tenants: format!(
                    "{}token_file = \"{}\"\n",
                    sealgate_tests::gateway::ACME_TENANT,
                    missing("acme.token")
                ),
                ..GatewayConfig::default()
            },
            format!(
                "tenants.acme.token_file \"{}\": no such file",
                missing("acme.token")
            ),
        ),
        (
            "notice templates",
            GatewayConfig {
                extra: format!("[gateway]\nnotice_templates = \"{}\"\n", missing("notices")),
                ..GatewayConfig::default()
            },
            format!(
                "gateway.notice_templates \"{}\": no such directory",
                missing("notices")
            ),
        ),
    ];
    for (what, cfg, expected) in cases {
        let path = cfg.write(&env, "broken.toml");
        let (serve, check) = serve_and_check(&path);
        assert!(serve.contains(&expected), "{what}: serve said:\n{serve}");
        assert!(
            check.contains(&expected),
            "{what}: config check said:\n{check}"
        );
        let created: Vec<_> = std::fs::read_dir(env.data()).unwrap().flatten().collect();
        assert!(created.is_empty(), "{what}: files created: {created:?}");
    }
    // A missing admin TLS certificate too.
    let path = with_admin(
        &env,
        &GatewayConfig::default(),
        &format!(
            "tls_cert = \"{}\"\ntls_key = \"{}\"",
            missing("a.crt"),
            missing("a.key")
        ),
    );
    let (serve, check) = serve_and_check(&path);
    let expected = format!("admin.tls_cert \"{}\": no such file", missing("a.crt"));
    assert!(
        serve.contains(&expected) && check.contains(&expected),
        "{serve}\n{check}"
    );
}

#[test]
fn json_log_lists_are_arrays_and_a_failed_mx_lookup_is_one_line_of_ours() {
    let env = Env::new();
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        log: vec!["format = \"json\"".into(), "level = \"info\"".into()],
        delivery: vec!["retry_schedule = [3600]".into()],
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);
    let listening: serde_json::Value = gw
        .log_text()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["message"] == "listening")
        .expect("a JSON `listening` line");
    assert!(listening["smtp"].is_array(), "{listening}");
    assert_eq!(listening["smtp"][0], gw.smtp.to_string());

    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    let msg = simple(
        "alice@acme-health.org",
        "bob@nowhere.example",
        "hello",
        &unique_message_id("mx"),
        "hi",
    );
    let reply = s.send_mail("alice@acme-health.org", &["bob@nowhere.example"], &msg);
    let id = queued_id(&reply).unwrap();
    sealgate_tests::queue::wait_for(&gw, &env, &id, Duration::from_secs(60), "deferred", |s| {
        s.iter().all(|x| x == "temporary-failure" || x == "bounced")
    });
    let log = gw.log_text();
    let ours = log
        .lines()
        .filter(|l| l.contains("MX lookup failed"))
        .count();
    assert_eq!(ours, 1, "one line per failed lookup:\n{log}");
    assert!(
        !log.contains("hickory"),
        "the DNS library's own lines:\n{log}"
    );
}

#[test]
fn keys_help_does_not_claim_the_gateway_must_be_stopped() {
    let out = sealgate(&["keys", "--help"]);
    assert!(out.status.success(), "{}", describe(&out));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(!help.contains("gateway stopped"), "{help}");
    assert!(help.contains("running"), "{help}");
}
