//! Acceptance (issue 10): Google Workspace tenants attributed by their platform identity.
//!
//! Two `google` tenants, acme and globex, on the same networks (loopback standing in for
//! Google's ranges); their DKIM keys (openssl) published in a hickory DNS server on loopback;
//! messages signed by dkimpy and sent by swaks over STARTTLS:
//! - acme's token and a signature by acme's domain → accepted;
//! - no token, globex's token, a signature by globex's domain (From acme), no STARTTLS → each
//!   refused with its own `[SG-GOOGLE-…]` code;
//! - a signature whose key cannot be looked up (the DNS server refuses the zone) →
//!   `451 4.7.5 [SG-GOOGLE-DKIM-DNS]`, a temporary refusal;
//! - nothing refused is queued.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::tools::toml_path as q;

use sealgate_tests::connect::{Client, dkim_sign, make_token, send};
use sealgate_tests::crypto::dkim_key;
use sealgate_tests::dns::{DnsServer, Zone};
use sealgate_tests::{Env, Gateway, GatewayConfig};

const SIGNED: &[&str] = &["From", "To", "Subject", "Message-ID"];

#[test]
fn google_spoofing_matrix_each_refused_with_its_reason() {
    let env = Env::new();
    let acme_key = dkim_key(&env.etc(), "acme-dkim", false);
    let globex_key = dkim_key(&env.etc(), "globex-dkim", false);
    let dns = DnsServer::start(&[
        Zone::new("acme-health.org").txt("google._domainkey.acme-health.org", &acme_key.txt),
        Zone::new("globex.example").txt("google._domainkey.globex.example", &globex_key.txt),
    ]);
    let tenants = format!(
        r#"
[tenants.acme]
platform = "google"
primary_domain = "acme-health.org"
dkim_domains = ["acme-signing.test"]
networks = ["127.0.0.0/8"]
sender_domains = ["acme-health.org"]
token_file = {}

[tenants.globex]
platform = "google"
primary_domain = "globex.example"
networks = ["127.0.0.0/8"]
sender_domains = ["globex.example"]
token_file = {}
"#,
        q(&env.etc().join("acme.token")),
        q(&env.etc().join("globex.token"))
    );
    let cfg = GatewayConfig {
        tenants,
        extra: format!("[delivery.testing]\n{}\n", dns.nameservers_line()),
        ..GatewayConfig::default()
    };
    let path = cfg.write(&env, "sealgate.toml");
    let acme = make_token(&path, "acme");
    let globex = make_token(&path, "globex");
    let gw = Gateway::start_file(&env, &path, &[]);

    let base = |token: Option<&str>, n: u32| {
        let mut m = String::new();
        if let Some(t) = token {
            m.push_str(&format!("X-Sealgate-Token: {t}\r\n"));
        }
        m.push_str(&format!(
            "From: Alice <alice@acme-health.org>\r\nTo: bob@example.com\r\nSubject: google test\r\n\
             Message-ID: <g{n}@acme-health.org>\r\n\r\nhello bob\r\n"
        ));
        m.into_bytes()
    };
    // The token header is added after signing (Google adds custom headers on the way out).
    let signed = |token: Option<&str>, n: u32, key: &std::path::Path, domain: &str| {
        let unsigned = base(None, n);
        let mut m = token
            .map(|t| format!("X-Sealgate-Token: {t}\r\n").into_bytes())
            .unwrap_or_default();
        m.extend_from_slice(&dkim_sign(&unsigned, key, domain, "google", SIGNED));
        m
    };
    let tls = Client {
        tls: true,
        cert: None,
    };
    let plain = Client {
        tls: false,
        cert: None,
    };
    let (a, g) = (&acme_key.path, &globex_key.path);
    let cases: Vec<(&str, &Client, Vec<u8>, &str, &str)> = vec![
        (
            "no token",
            &tls,
            signed(None, 1, a, "acme-health.org"),
            "550 5.7.1",
            "SG-GOOGLE-TOKEN-MISSING",
        ),
        (
            "globex's token as acme",
            &tls,
            signed(Some(&globex), 2, a, "acme-health.org"),
            "550 5.7.1",
            "SG-GOOGLE-TOKEN",
        ),
        (
            "signed by globex's domain, From acme",
            &tls,
            signed(Some(&acme), 3, g, "globex.example"),
            "550 5.7.1",
            "SG-GOOGLE-DKIM",
        ),
        (
            "no signature",
            &tls,
            base(Some(&acme), 4),
            "550 5.7.1",
            "SG-GOOGLE-DKIM",
        ),
        (
            "no STARTTLS",
            &plain,
            signed(Some(&acme), 5, a, "acme-health.org"),
            "550 5.7.1",
            "SG-GOOGLE-TLS",
        ),
        (
            "key lookup fails",
            &tls,
            signed(Some(&acme), 6, a, "acme-signing.test"),
            "451 4.7.5",
            "SG-GOOGLE-DKIM-DNS",
        ),
    ];
    for (case, client, m, code, short) in &cases {
        let sent = send(
            gw.smtp,
            client,
            "alice@acme-health.org",
            "bob@example.com",
            m,
        );
        sent.assert_refused(case, code, short);
    }
    assert!(gw.queue_list().is_empty(), "a refused message was queued");
    let ok = send(
        gw.smtp,
        &tls,
        "alice@acme-health.org",
        "bob@example.com",
        &signed(Some(&acme), 7, a, "acme-health.org"),
    );
    assert!(ok.queued().is_some(), "acme refused:\n{}", ok.transcript);
}
