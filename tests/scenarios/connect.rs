//! Acceptance (issue 11): `sealgate connect` against a real gateway.
//!
//! One `m365` tenant (acme) admitted from 127.0.0.1 only (standing in for Exchange Online's
//! ranges), a client certificate for `mail.protection.outlook.com` from a test CA, a token made
//! by `sealgate tenant token`, messages sent by swaks:
//! - `connect m365` prints the script with acme's values (text and `--json`) and warns that the
//!   gateway's SMTP certificate is self-signed; `connect google` refuses an m365 tenant;
//! - six faults are injected one after the other — missing token, wrong token, wrong tenant
//!   id, no client certificate, a source outside the ranges (swaks from 127.0.0.2), a loop
//!   (the gateway's own output sent back) — and after each `connect check` through the admin
//!   API names it first, with its fix;
//! - the gateway stopped, `connect check` reads the facts file and still names all six.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::tools::toml_path as q;

use sealgate_tests::certs::{CertFiles, TestCa};
use sealgate_tests::connect::{Client, Sent, make_token, send};
use sealgate_tests::receiver::pause;
use sealgate_tests::tools::{sealgate, swaks};
use sealgate_tests::{Env, Gateway, GatewayConfig};
use std::time::{Duration, Instant};

const ACME_ID: &str = "0a1b2c3d-1111-4111-8111-aaaaaaaaaaaa";
const OTHER_ID: &str = "0a1b2c3d-2222-4222-8222-bbbbbbbbbbbb";

fn message(ids: &[&str], token: Option<&str>, msgid: &str) -> Vec<u8> {
    let mut m = format!(
        "From: Alice <alice@acme-health.org>\r\nTo: bob@example.com\r\nSubject: connect check\r\nMessage-ID: {msgid}\r\n"
    );
    for id in ids {
        m.push_str(&format!("X-MS-Exchange-CrossTenant-Id: {id}\r\n"));
    }
    if let Some(t) = token {
        m.push_str(&format!("X-Sealgate-Token: {t}\r\n"));
    }
    m.push_str("\r\nhello bob\r\n");
    m.into_bytes()
}

/// swaks from 127.0.0.2 (outside acme's networks), over STARTTLS with the certificate.
fn send_from_outside(gw: &Gateway, cert: &CertFiles, m: &[u8]) -> Sent {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.eml");
    std::fs::write(&file, m).unwrap();
    let (server, data) = (gw.smtp.to_string(), format!("@{}", file.display()));
    let (c, k) = (cert.cert.to_string_lossy(), cert.key.to_string_lossy());
    let out = swaks(&[
        "--server",
        &server,
        "--local-interface",
        "127.0.0.2",
        "--helo",
        "client.test",
        "--from",
        "alice@acme-health.org",
        "--to",
        "bob@example.com",
        "--data",
        &data,
        "--tls",
        "--tls-cert",
        &c,
        "--tls-key",
        &k,
    ]);
    Sent {
        transcript: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// `connect check acme --json` (through `admin` when given); the parsed report and exit code.
fn check(config: &std::path::Path, admin: Option<&Gateway>) -> (serde_json::Value, i32) {
    let cfg = config.to_string_lossy().to_string();
    let addr = admin.map(|g| g.admin.to_string());
    let mut args = vec!["connect", "check", "acme", "--config", &cfg, "--json"];
    if let Some(a) = &addr {
        args.extend(["--admin", a]);
    }
    let out = sealgate(&args);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out.status.code().unwrap_or(-1))
}

/// A fault: its name, how to inject it, the refusal code, words `connect check` must print.
type Fault<'a> = (
    &'static str,
    Box<dyn Fn() -> Sent + 'a>,
    &'static str,
    &'static str,
);

fn wait_outbox(env: &Env, id: &str) -> Vec<u8> {
    let path = env.outbox().join(format!("{id}.eml"));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(b) = std::fs::read(&path) {
            return b;
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        pause(Duration::from_millis(50));
    }
}

#[test]
fn connect_generates_the_setup_and_check_names_six_faults_running_and_stopped() {
    let env = Env::new();
    let ca = TestCa::new(&env.etc(), "exo");
    let cert = ca.leaf(
        &env.etc(),
        "exo-client",
        &["mail.protection.outlook.com"],
        false,
    );
    let tenants = format!(
        "[tenants.acme]\nplatform = \"m365\"\ntenant_id = \"{ACME_ID}\"\nnetworks = [\"127.0.0.1/32\"]\n\
         sender_domains = [\"acme-health.org\"]\ntoken_file = {}\n",
        q(&env.etc().join("acme.token"))
    );
    let cfg = GatewayConfig {
        tls: vec![format!("client_ca = {}", q(&ca.pem_file))],
        tenants,
        ..GatewayConfig::default()
    };
    let path = cfg.write(&env, "sealgate.toml");
    let token = make_token(&path, "acme");
    let p = path.to_string_lossy().to_string();

    // The generated setup, with acme's values.
    let out = sealgate(&["connect", "m365", "acme", "--config", &p]);
    let script = String::from_utf8_lossy(&out.stdout).to_string();
    let warn = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{script}{warn}");
    for needle in [
        "New-OutboundConnector -Name $Outbound -ConnectorType Partner",
        "-TlsSettings DomainValidation -TlsDomain $Gateway",
        &format!("$Token = '{token}'"),
        "$Gateway = 'gw.sealgate.test'",
        "# DNS records",
    ] {
        assert!(script.contains(needle), "{needle} missing:\n{script}");
    }
    assert!(
        warn.contains("self-signed"),
        "no certificate warning: {warn}"
    );
    assert!(warn.contains("no return route"), "{warn}");
    let json = sealgate(&["connect", "m365", "acme", "--config", &p, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["platform"], "m365");
    assert!(v["script"].as_str().unwrap().contains(&token));
    assert!(
        v["dns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "acme-health.org")
    );
    let wrong = sealgate(&["connect", "google", "acme", "--config", &p]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("platform = \"m365\""));

    let gw = Gateway::start_file(&env, &path, &[]);
    let (v, code) = check(&path, Some(&gw));
    assert_eq!(code, 1);
    assert_eq!(v["report"]["messages"], 0, "{v}");

    let with_cert = Client {
        tls: true,
        cert: Some(&cert),
    };
    let no_cert = Client {
        tls: true,
        cert: None,
    };
    let from = "alice@acme-health.org";
    let to = "bob@example.com";
    // An accepted message first: its delivered copy is the loop fault's message.
    let ok = send(
        gw.smtp,
        &with_cert,
        from,
        to,
        &message(&[ACME_ID], Some(&token), "<ok@acme-health.org>"),
    );
    let id = ok
        .queued()
        .unwrap_or_else(|| panic!("refused:\n{}", ok.transcript));
    let delivered = wait_outbox(&env, &id);
    let (v, code) = check(&path, Some(&gw));
    assert_eq!((code, v["report"]["ok"].as_bool()), (0, Some(true)), "{v}");

    let faults: Vec<Fault<'_>> = vec![
        (
            "missing token",
            Box::new(|| {
                send(
                    gw.smtp,
                    &with_cert,
                    from,
                    to,
                    &message(&[ACME_ID], None, "<f1@acme-health.org>"),
                )
            }),
            "SG-M365-TOKEN-MISSING",
            "token header missing",
        ),
        (
            "wrong token",
            Box::new(|| {
                send(
                    gw.smtp,
                    &with_cert,
                    from,
                    to,
                    &message(
                        &[ACME_ID],
                        Some("wrong-0123456789abcdef0123456789abcdef"),
                        "<f2@acme-health.org>",
                    ),
                )
            }),
            "SG-M365-TOKEN",
            "wrong token",
        ),
        (
            "wrong tenant id",
            Box::new(|| {
                send(
                    gw.smtp,
                    &with_cert,
                    from,
                    to,
                    &message(&[OTHER_ID], Some(&token), "<f3@acme-health.org>"),
                )
            }),
            "SG-M365-TENANT-ID",
            "wrong tenant id",
        ),
        (
            "certificate missing",
            Box::new(|| {
                send(
                    gw.smtp,
                    &no_cert,
                    from,
                    to,
                    &message(&[ACME_ID], Some(&token), "<f4@acme-health.org>"),
                )
            }),
            "SG-M365-CERT",
            "certificate missing",
        ),
        (
            "source outside ranges",
            Box::new(|| {
                send_from_outside(
                    &gw,
                    &cert,
                    &message(&[ACME_ID], Some(&token), "<f5@acme-health.org>"),
                )
            }),
            "SG-NOT-TENANT",
            "source outside the ranges",
        ),
        (
            "loop stamp",
            Box::new(|| {
                let mut again = format!("X-Sealgate-Token: {token}\r\n").into_bytes();
                again.extend_from_slice(&delivered);
                send(gw.smtp, &with_cert, from, to, &again)
            }),
            "SG-LOOP",
            "loop stamp seen",
        ),
    ];
    for (case, inject, code, words) in &faults {
        let sent = inject();
        assert!(
            sent.queued().is_none(),
            "{case}: accepted:\n{}",
            sent.transcript
        );
        assert!(
            sent.last_reply().contains(&format!("[{code}]")),
            "{case}: {}",
            sent.last_reply()
        );
        let (v, exit) = check(&path, Some(&gw));
        let first = &v["report"]["findings"][0];
        assert_eq!(exit, 1, "{case}: {v}");
        assert_eq!(first["code"], *code, "{case}: {v}");
        assert!(
            first["problem"].as_str().unwrap().contains(words),
            "{case}: {v}"
        );
        assert!(!first["fix"].as_str().unwrap().is_empty());
        assert!(v["source"].as_str().unwrap().contains("admin API"), "{v}");
    }
    // The source-outside fault names the client's address.
    let (v, _) = check(&path, Some(&gw));
    let findings = v["report"]["findings"].as_array().unwrap();
    let outside = findings
        .iter()
        .find(|f| f["code"] == "SG-NOT-TENANT")
        .unwrap();
    assert_eq!(outside["sources"][0], "127.0.0.2", "{v}");

    // Stopped: the facts file.
    let expected: Vec<&str> = faults.iter().map(|f| f.2).collect();
    drop(faults);
    assert!(gw.terminate().success());
    let (v, exit) = check(&path, None);
    assert_eq!(exit, 1);
    assert!(
        v["source"].as_str().unwrap().contains("gateway stopped"),
        "{v}"
    );
    let codes: Vec<&str> = v["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    for code in &expected {
        assert!(codes.contains(code), "{code} missing after stop: {codes:?}");
    }
    assert_eq!(codes[0], "SG-LOOP");
    let text = sealgate(&["connect", "check", "acme", "--config", &p]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("FAILING: the last message was refused") && text.contains("fix: "),
        "{text}"
    );
}
