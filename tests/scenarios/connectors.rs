//! Acceptance (issue 10): Microsoft 365 tenants attributed by their platform identity.
//!
//! Two `m365` tenants, acme and globex, on the same networks (loopback here, standing in for
//! Exchange Online's ranges) and the same client certificate (`mail.protection.outlook.com`
//! from a test CA), tokens made by `sealgate tenant token`, messages sent by swaks:
//! - the spoofing matrix: globex's client (its tenant id, its token) sending as acme's domain,
//!   acme's id with globex's token, no certificate, no token, two `X-MS-Exchange-CrossTenant-Id`
//!   headers, no such header — each refused with its own `[SG-M365-…]` code, nothing queued;
//!   acme's correct client accepted;
//! - what reaches the outbox has no token and no `X-Sealgate-*` header from outside, carries
//!   the gateway's loop stamp, and an Exchange-style DKIM signature (dkimpy, over `From`,
//!   `Subject`, `X-MS-Exchange-*` headers) still verifies;
//! - that delivered message sent back in is refused as a loop (`554 5.4.6 [SG-LOOP]`), nothing
//!   queued; the log has one line for it;
//! - `config check` and `serve` refuse two `smtp` tenants on overlapping networks, and accept
//!   the two `m365` tenants (with a warning naming the missing return route).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::tools::toml_path as q;

use sealgate_tests::certs::{CertFiles, TestCa};
use sealgate_tests::connect::{Client, dkim_sign, make_token, send};
use sealgate_tests::crypto::{dkim_key, dkimpy, public_keys};
use sealgate_tests::receiver::pause;
use sealgate_tests::tools::{describe, sealgate};
use sealgate_tests::{Env, Gateway, GatewayConfig};
use std::time::{Duration, Instant};

const ACME_ID: &str = "0a1b2c3d-1111-4111-8111-aaaaaaaaaaaa";
const GLOBEX_ID: &str = "0a1b2c3d-2222-4222-8222-bbbbbbbbbbbb";

fn m365_tenants(env: &Env) -> String {
    format!(
        r#"
[tenants.acme]
platform = "m365"
tenant_id = "{ACME_ID}"
networks = ["127.0.0.0/8"]
sender_domains = ["acme-health.org"]
token_file = {}

[tenants.globex]
platform = "m365"
tenant_id = "{GLOBEX_ID}"
networks = ["127.0.0.0/8"]
sender_domains = ["globex.example"]
token_file = {}
"#,
        q(&env.etc().join("acme.token")),
        q(&env.etc().join("globex.token"))
    )
}

struct Rig {
    env: Env,
    gw: Gateway,
    cert: CertFiles,
    acme: String,
    globex: String,
}

fn rig() -> Rig {
    let env = Env::new();
    let ca = TestCa::new(&env.etc(), "exo");
    let cert = ca.leaf(
        &env.etc(),
        "exo-client",
        &["mail.protection.outlook.com"],
        false,
    );
    let cfg = GatewayConfig {
        tls: vec![format!("client_ca = {}", q(&ca.pem_file))],
        tenants: m365_tenants(&env),
        ..GatewayConfig::default()
    };
    let path = cfg.write(&env, "sealgate.toml");
    let acme = make_token(&path, "acme");
    let globex = make_token(&path, "globex");
    let mode = std::fs::metadata(env.etc().join("acme.token")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o777, 0o600, "token file mode");
    // Asking again keeps the token.
    assert_eq!(make_token(&path, "acme"), acme);
    let gw = Gateway::start_file(&env, &path, &[]);
    Rig {
        env,
        gw,
        cert,
        acme,
        globex,
    }
}

fn message(from: &str, ids: &[&str], token: Option<&str>, msgid: &str) -> Vec<u8> {
    let mut m = format!(
        "From: {from}\r\nTo: bob@example.com\r\nSubject: connector test\r\nMessage-ID: {msgid}\r\n\
         X-MS-Exchange-Organization-AuthAs: Internal\r\n"
    );
    for id in ids {
        m.push_str(&format!("X-MS-Exchange-CrossTenant-Id: {id}\r\n"));
    }
    if let Some(t) = token {
        m.push_str(&format!("X-Sealgate-Token: {t}\r\n"));
    }
    m.push_str("X-Sealgate-Forwarded-Note: added by someone else\r\n\r\nhello bob\r\n");
    m.into_bytes()
}

#[test]
fn m365_spoofing_matrix_each_refused_with_its_reason() {
    let r = rig();
    let with_cert = Client {
        tls: true,
        cert: Some(&r.cert),
    };
    let without_cert = Client {
        tls: true,
        cert: None,
    };
    let a = "Alice <alice@acme-health.org>";
    let cases: [(&str, &Client, Vec<u8>, &str); 6] = [
        (
            "globex's client as acme",
            &with_cert,
            message(a, &[GLOBEX_ID], Some(&r.globex), "<m1@acme-health.org>"),
            "SG-M365-TENANT-ID",
        ),
        (
            "acme's id, globex's token",
            &with_cert,
            message(a, &[ACME_ID], Some(&r.globex), "<m2@acme-health.org>"),
            "SG-M365-TOKEN",
        ),
        (
            "acme's id and token, no certificate",
            &without_cert,
            message(a, &[ACME_ID], Some(&r.acme), "<m3@acme-health.org>"),
            "SG-M365-CERT",
        ),
        (
            "no token",
            &with_cert,
            message(a, &[ACME_ID], None, "<m4@acme-health.org>"),
            "SG-M365-TOKEN-MISSING",
        ),
        (
            "two tenant-id headers",
            &with_cert,
            message(
                a,
                &[ACME_ID, ACME_ID],
                Some(&r.acme),
                "<m5@acme-health.org>",
            ),
            "SG-M365-TENANT-ID-REPEATED",
        ),
        (
            "no tenant-id header",
            &with_cert,
            message(a, &[], Some(&r.acme), "<m6@acme-health.org>"),
            "SG-M365-TENANT-ID-MISSING",
        ),
    ];
    for (case, client, m, code) in &cases {
        let sent = send(
            r.gw.smtp,
            client,
            "alice@acme-health.org",
            "bob@example.com",
            m,
        );
        sent.assert_refused(case, "550 5.7.1", code);
    }
    assert!(r.gw.queue_list().is_empty(), "a refused message was queued");
    let log = r.gw.log_text();
    for label in [
        "m365_tenant_id_wrong",
        "m365_token_wrong",
        "m365_certificate",
        "m365_token_missing",
        "m365_tenant_id_repeated",
        "m365_tenant_id_missing",
    ] {
        assert!(log.contains(label), "no log line for {label}:\n{log}");
    }
    let (_, metrics) = r.gw.admin_get(&r.env, "/metrics");
    let metrics = String::from_utf8_lossy(&metrics);
    assert!(
        metrics.contains("reason=\"m365_token_wrong\"} 1"),
        "metric by reason missing:\n{metrics}"
    );
    // acme's own client, correct: accepted.
    let ok = send(
        r.gw.smtp,
        &with_cert,
        "alice@acme-health.org",
        "bob@example.com",
        &message(a, &[ACME_ID], Some(&r.acme), "<m7@acme-health.org>"),
    );
    assert!(ok.queued().is_some(), "acme refused:\n{}", ok.transcript);
}

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
fn token_and_outside_sealgate_headers_removed_exchange_signature_kept_loop_refused() {
    let r = rig();
    let exo = dkim_key(&r.env.etc(), "exo-dkim", false);
    let keys = r.env.etc().join("keys.txt");
    public_keys(&keys, &[("selector1", "acme-health.org", &exo)]);
    let client = Client {
        tls: true,
        cert: Some(&r.cert),
    };
    let plain = message(
        "Alice <alice@acme-health.org>",
        &[ACME_ID],
        None,
        "<exo-signed@acme-health.org>",
    );
    // Exchange signs its own headers; the token rule and someone's X-Sealgate-* come later.
    let signed = dkim_sign(
        &plain,
        &exo.path,
        "acme-health.org",
        "selector1",
        &[
            "From",
            "To",
            "Subject",
            "Message-ID",
            "X-MS-Exchange-CrossTenant-Id",
            "X-MS-Exchange-Organization-AuthAs",
        ],
    );
    let mut m = format!("X-Sealgate-Token: {}\r\n", r.acme).into_bytes();
    m.extend_from_slice(&signed);
    assert!(
        dkimpy(&keys, &m, 0).0,
        "the test signature does not verify before the gateway"
    );
    let sent = send(
        r.gw.smtp,
        &client,
        "alice@acme-health.org",
        "bob@example.com",
        &m,
    );
    let id = sent
        .queued()
        .unwrap_or_else(|| panic!("refused:\n{}", sent.transcript));
    let out = wait_outbox(&r.env, &id);
    let text = String::from_utf8_lossy(&out).to_string();
    let header = &text[..text.find("\r\n\r\n").unwrap()];
    assert!(
        !header.contains(&r.acme),
        "token reached the receiver:\n{header}"
    );
    let sealgate: Vec<&str> = header
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("x-sealgate-"))
        .collect();
    assert_eq!(sealgate.len(), 1, "X-Sealgate-* headers: {sealgate:?}");
    assert!(
        sealgate[0].starts_with("X-Sealgate-Loop: v=1; s="),
        "{sealgate:?}"
    );
    assert!(header.contains(&format!("X-MS-Exchange-CrossTenant-Id: {ACME_ID}")));
    let (ok, why) = dkimpy(&keys, &out, 0);
    assert!(
        ok,
        "Exchange-style signature broken by the gateway: {why}\n{header}"
    );

    // The delivered message sent back in (as acme's platform would) is a loop.
    let before = r.gw.queue_list().len();
    let mut again = format!("X-Sealgate-Token: {}\r\n", r.acme).into_bytes();
    again.extend_from_slice(&out);
    let back = send(
        r.gw.smtp,
        &client,
        "alice@acme-health.org",
        "bob@example.com",
        &again,
    );
    back.assert_refused("stamped message sent back in", "554 5.4.6", "SG-LOOP");
    assert_eq!(r.gw.queue_list().len(), before, "the loop was queued");
    let loops =
        r.gw.log_text()
            .lines()
            .filter(|l| l.contains("mail loop"))
            .count();
    assert_eq!(loops, 1, "one log line per loop");
}

#[test]
fn overlapping_tenants_without_identity_checks_are_refused() {
    let env = Env::new();
    let overlapping = GatewayConfig {
        tenants: r#"
[tenants.acme]
networks = ["127.0.0.0/8"]
sender_domains = ["acme-health.org"]

[tenants.globex]
networks = ["127.0.0.1/32"]
sender_domains = ["globex.example"]
"#
        .into(),
        ..GatewayConfig::default()
    };
    let path = overlapping.write(&env, "overlap.toml");
    let check = sealgate(&["config", "check", &path.to_string_lossy()]);
    let text = describe(&check);
    assert_eq!(check.status.code(), Some(1), "{text}");
    assert!(
        text.contains("tenants.globex.networks") && text.contains("admit the same clients"),
        "{text}"
    );
    let serve = sealgate(&["serve", "--config", &path.to_string_lossy()]);
    assert!(
        !serve.status.success(),
        "serve started: {}",
        describe(&serve)
    );
    assert!(describe(&serve).contains("admit the same clients"));

    // The same networks for two m365 tenants (per-tenant identity checks): accepted, with the
    // missing return route named.
    let m365 = GatewayConfig {
        tenants: m365_tenants(&env),
        ..GatewayConfig::default()
    };
    let path = m365.write(&env, "m365.toml");
    // The token files must exist (`config check` runs serve's start-up checks).
    for name in ["acme", "globex"] {
        let made = sealgate(&["tenant", "token", name, "--config", &path.to_string_lossy()]);
        assert!(made.status.success(), "{}", describe(&made));
    }
    let check = sealgate(&["config", "check", &path.to_string_lossy()]);
    let text = describe(&check);
    assert_eq!(check.status.code(), Some(0), "{text}");
    assert!(
        text.contains("tenants.acme: no return route")
            && text.contains("[tenants.acme.return_route]"),
        "{text}"
    );
}
