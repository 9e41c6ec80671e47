//! Acceptance: `sealgate config check` names every mistake of a file by its key, and the
//! `queue` CLI works against a running gateway (admin API: the store is locked by the running
//! process, so an answer proves the API was used) and against a stopped one (the store).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_core::store::QueueEntry;
use sealgate_tests::gateway::{find_by_message_id, queue_list};
use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, http_get, sealgate};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::time::Duration;

#[test]
fn config_check_names_all_three_mistakes() {
    let env = Env::new();
    let good = GatewayConfig::default().render(&env);
    let good_path = env.write_etc("good.toml", &good);
    let out = sealgate(&["config", "check", good_path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "valid file refused: {}",
        describe(&out)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");

    let bad = good
        .replace("[smtp]\n", "[smtp]\nmax_recipients = -3\n")
        .replace("mode = \"outbox\"", "mode = \"carrier-pigeon\"")
        .replace("[log]\n", "[log]\nformat = \"xml\"\n");
    let bad_path = env.write_etc("bad.toml", &bad);
    let out = sealgate(&["config", "check", bad_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for key in ["smtp.max_recipients", "delivery.mode", "log.format"] {
        assert!(
            all.lines()
                .any(|l| l.trim_start().starts_with(&format!("{key}:"))),
            "`{key}: …` line missing from:\n{all}"
        );
    }
    assert!(!all.contains("ok\n"), "said ok for a bad file:\n{all}");
}

#[test]
fn config_check_reports_an_unknown_key() {
    let env = Env::new();
    let bad = GatewayConfig::default()
        .render(&env)
        .replace("[smtp]\n", "[smtp]\nmax_recipeints = 10\n");
    let p = env.write_etc("typo.toml", &bad);
    let out = sealgate(&["config", "check", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let all =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        all.contains("max_recipeints"),
        "unknown key not named:\n{all}"
    );
}

fn send_one(gw: &Gateway, tag: &str) -> (String, String) {
    let msgid = unique_message_id(tag);
    let mut s = Smtp::ready(gw.smtp);
    let msg = simple(
        "alice@acme-health.org",
        "Bob <bob@example.com>",
        "cli",
        &msgid,
        "hi",
    );
    let r = s.send_mail(
        "alice@acme-health.org",
        &["bob@example.com", "carol@example.org"],
        &msg,
    );
    r.expect(250, "2.0.0", "end of data");
    s.cmd("QUIT");
    (msgid, queued_id(&r).unwrap())
}

fn show(config: &str, id: &str, admin: Option<&str>) -> QueueEntry {
    let mut args = vec!["queue", "show", id, "--json", "--config", config];
    if let Some(a) = admin {
        args.extend(["--admin", a]);
    }
    let out = sealgate(&args);
    assert!(out.status.success(), "queue show: {}", describe(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("queue show JSON is no QueueEntry ({e}): {}", describe(&out)))
}

#[test]
fn queue_cli_works_against_a_running_and_a_stopped_gateway() {
    let env = Env::new();
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);
    let config = gw.config.to_str().unwrap().to_string();
    let admin = gw.admin.to_string();
    let (msgid, id) = send_one(&gw, "cli");

    // Running: the store is locked by the gateway, so this answer came through the API.
    let entries = queue_list(&gw.config, Some(gw.admin));
    let e = find_by_message_id(&entries, &msgid).expect("message in queue list (API)");
    assert_eq!(e["message"]["id"], id.as_str());
    let statuses: Vec<&str> = e["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["scheduled", "scheduled"],
        "mx mode: recipients stay queued"
    );
    let entry = show(&config, &id, Some(&admin));
    assert_eq!(
        entry.message.header_message_id.as_deref(),
        Some(msgid.as_str())
    );
    assert_eq!(entry.recipients.len(), 2);
    // Text output too.
    let out = sealgate(&["queue", "list", "--config", &config, "--admin", &admin]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&id));

    // The admin API itself: token required for the queue, not for health and metrics.
    let t = Duration::from_secs(10);
    assert_eq!(http_get(gw.admin, "/healthz", None, t).unwrap().0, 200);
    assert_eq!(http_get(gw.admin, "/readyz", None, t).unwrap().0, 200);
    let (status, metrics) = http_get(gw.admin, "/metrics", None, t).unwrap();
    assert_eq!(status, 200);
    assert!(
        String::from_utf8_lossy(&metrics).contains("# TYPE"),
        "not Prometheus text"
    );
    assert_eq!(http_get(gw.admin, "/api/v1/queue", None, t).unwrap().0, 401);
    assert_eq!(
        http_get(gw.admin, "/api/v1/queue", Some("wrong-token"), t)
            .unwrap()
            .0,
        401
    );
    let (status, body) = gw.admin_get(&env, &format!("/api/v1/queue/{id}"));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));

    assert!(gw.terminate().success(), "gateway did not exit 0");

    // Stopped: nothing answers at the old admin address; the CLI opens the store.
    let entries = queue_list(
        &env.etc().join("sealgate.toml"),
        Some(admin.parse().unwrap()),
    );
    let e = find_by_message_id(&entries, &msgid).expect("message in queue list (store)");
    assert_eq!(e["message"]["id"], id.as_str());
    let entry = show(&config, &id, Some(&admin));
    assert_eq!(
        entry.message.header_message_id.as_deref(),
        Some(msgid.as_str())
    );
    let out = sealgate(&["queue", "show", &id, "--config", &config]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&id));
    // An unknown id is an error, not an empty success.
    let out = sealgate(&[
        "queue",
        "show",
        "01AAAAAAAAAAAAAAAAAAAAAAAA",
        "--config",
        &config,
    ]);
    assert!(!out.status.success(), "unknown id: {}", describe(&out));
}

/// Regression: `sealgate explain … | head` panicked ("failed printing to stdout") when the
/// reader closed the pipe; now it ends quietly with the SIGPIPE status 141.
#[test]
fn explain_into_a_closed_pipe_exits_quietly() {
    let case = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy/rules/cases/ssn-in-body.eml");
    let mut child = std::process::Command::new(sealgate_tests::tools::sealgate_bin())
        .arg("explain")
        .arg(&case)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start sealgate explain");
    // Close the read end before the child has loaded its rules and written anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    assert_eq!(out.status.code(), Some(141), "stderr:\n{stderr}");
}

/// A list sent in Bcc has no recipient in its headers (`To: undisclosed-recipients:;`):
/// `sealgate explain` says to name the envelope's with `--rcpt`, and explains for those when
/// given; `--from` replaces the From header's sender; a bad address names its option.
#[test]
fn explain_takes_the_envelope_from_rcpt_and_from_options() {
    let env = Env::new();
    let eml = env.write_etc(
        "bcc-list.eml",
        "From: Billing <billing@clinic.example>\r\nTo: undisclosed-recipients:;\r\n\
         Subject: Statement\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n\
         SSN 123-45-6789 is on the account.\r\n",
    );
    let eml = eml.to_str().unwrap();
    let out = sealgate(&["explain", eml]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("--rcpt"),
        "the refusal names the option: {}",
        describe(&out)
    );

    let out = sealgate(&[
        "explain",
        eml,
        "--json",
        "--rcpt",
        "pat@mail.example",
        "--rcpt",
        "lee@other.example",
        "--from",
        "ann@clinic.example",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("explain JSON");
    let rcpts = v["recipients"].as_array().expect("recipients");
    let addrs: Vec<&str> = rcpts.iter().filter_map(|r| r["address"].as_str()).collect();
    assert_eq!(addrs, ["pat@mail.example", "lee@other.example"], "{v}");
    assert_eq!(v["decision"]["phi"], true, "{v}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("123-45-6789"));

    let out = sealgate(&["explain", eml, "--rcpt", "not an address"]);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--rcpt `not an address`"),
        "{}",
        describe(&out)
    );
}

/// `sealgate explain --keys` walks each encrypted recipient's chain against the key store, as
/// delivery would: a recipient with a gpg key gets `tls-verified` behind a hop that proves TLS
/// and PGP with that key's fingerprint behind one that does not; a recipient with no key is
/// held there, each skipped method with its reason.
#[test]
fn explain_with_keys_shows_the_method_each_recipient_gets_now() {
    use sealgate_tests::crypto::GpgHome;
    let env = Env::new();
    let config = GatewayConfig::default().write(&env, "sealgate.toml");
    let gpg = GpgHome::generate("Pat <pat@mail.example>");
    let key = env.root().join("pat.asc");
    std::fs::write(&key, gpg.export()).unwrap();
    let cfg = config.to_str().unwrap();
    let out = sealgate(&["keys", "import", "--config", cfg, key.to_str().unwrap()]);
    assert!(out.status.success(), "keys import: {}", describe(&out));

    let eml = env.root().join("m.eml");
    std::fs::write(
        &eml,
        "From: Dr A <alice@acme-health.org>\r\nTo: pat@mail.example, sam@else.example\r\n\
         Subject: results\r\nMessage-ID: <x1@acme-health.org>\r\n\r\n\
         Patient SSN 536-22-8147, follow-up next week.\r\n",
    )
    .unwrap();
    let out = sealgate(&["explain", eml.to_str().unwrap(), "--keys", "--config", cfg]);
    assert!(out.status.success(), "explain --keys: {}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let fp = gpg.fingerprint();
    assert!(text.contains("Protection now"), "{text}");
    assert!(
        text.contains("next hop proves TLS: tls-verified"),
        "verified hop:\n{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("next hop does not:") && l.contains("pgp") && l.contains(&fp)),
        "pgp with {fp} behind a plaintext hop:\n{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("next hop does not:") && l.trim_end().ends_with("hold")),
        "the recipient without keys is held:\n{text}"
    );
    assert!(text.contains("no key on file"), "skip reasons:\n{text}");
    assert!(
        !text.contains("536-22-8147"),
        "a matched value leaked:\n{text}"
    );

    let out = sealgate(&[
        "explain",
        eml.to_str().unwrap(),
        "--json",
        "--keys",
        "--config",
        cfg,
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("explain JSON");
    let walks = v["protection_now"].as_array().expect("protection_now");
    assert_eq!(walks.len(), 2, "{v}");
    assert_eq!(walks[0]["hops"][1]["outcome"], "pgp");
    assert_eq!(walks[1]["hops"][1]["outcome"], "hold");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// Issue 6 item 2: a rule's `min_key_trust`. Pat's only key was imported as `discovered`; under
/// the shipped rules (minimum `discovered`) a plaintext hop gets PGP to it, under the same rules
/// with `min_key_trust = "manual"` on the PHI rule the key is skipped for its trust and the chain
/// goes on (no certificate: hold).
#[test]
fn explain_with_keys_skips_a_key_below_the_rules_min_key_trust() {
    use sealgate_tests::crypto::GpgHome;
    let env = Env::new();
    let config = GatewayConfig::default().write(&env, "sealgate.toml");
    let gpg = GpgHome::generate("Pat <pat@mail.example>");
    let key = env.root().join("pat.asc");
    std::fs::write(&key, gpg.export()).unwrap();
    let cfg = config.to_str().unwrap();
    let out = sealgate(&[
        "keys",
        "import",
        "--config",
        cfg,
        "--trust",
        "discovered",
        key.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "keys import: {}", describe(&out));

    let deploy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/rules");
    let strict = env.root().join("strict-rules");
    copy_dir(&deploy, &strict);
    let phi = strict.join("50-phi.toml");
    let text = std::fs::read_to_string(&phi).unwrap();
    assert!(text.contains("id = \"phi-identifier\"\n"));
    let text = text.replacen(
        "id = \"phi-identifier\"\n",
        "id = \"phi-identifier\"\nmin_key_trust = \"manual\"\n",
        1,
    );
    std::fs::write(&phi, text).unwrap();

    let eml = env.root().join("m.eml");
    std::fs::write(
        &eml,
        "From: Dr A <alice@acme-health.org>\r\nTo: pat@mail.example\r\n\
         Subject: results\r\nMessage-ID: <x2@acme-health.org>\r\n\r\n\
         Patient SSN 536-22-8147, follow-up next week.\r\n",
    )
    .unwrap();
    let fp = gpg.fingerprint();
    let plaintext_hop = |text: &str| -> String {
        text.lines()
            .find(|l| l.contains("next hop does not:"))
            .unwrap_or_default()
            .to_string()
    };

    // The shipped rules: the discovered key is good enough.
    let out = sealgate(&["explain", eml.to_str().unwrap(), "--keys", "--config", cfg]);
    assert!(out.status.success(), "explain --keys: {}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let hop = plaintext_hop(&text);
    assert!(
        hop.contains("pgp") && hop.contains(&fp),
        "pgp with {fp} under the default minimum:\n{text}"
    );
    assert!(text.contains("keys trusted discovered or better"), "{text}");

    // The rule asks for manual keys: PGP is skipped for the key's trust, the recipient held.
    let out = sealgate(&[
        "explain",
        eml.to_str().unwrap(),
        "--rules",
        strict.to_str().unwrap(),
        "--keys",
        "--config",
        cfg,
    ]);
    assert!(out.status.success(), "explain --keys: {}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("keys trusted manual or better"), "{text}");
    let hop = plaintext_hop(&text);
    assert!(
        hop.trim_end().ends_with("hold") && !hop.contains(&fp),
        "held, not encrypted to the discovered key:\n{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("skipped pgp:") && l.contains(&fp) && l.contains("below-trust")),
        "pgp skipped with the trust reason:\n{text}"
    );
    assert!(
        !text.contains("536-22-8147"),
        "a matched value leaked:\n{text}"
    );

    let out = sealgate(&[
        "explain",
        eml.to_str().unwrap(),
        "--rules",
        strict.to_str().unwrap(),
        "--json",
        "--keys",
        "--config",
        cfg,
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("explain JSON");
    assert_eq!(v["protection_now"][0]["hops"][1]["outcome"], "hold", "{v}");
    assert_eq!(
        v["decision"]["recipients"][0]["min_key_trust"], "manual",
        "{v}"
    );
}
