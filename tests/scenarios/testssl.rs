//! Acceptance: `testssl --nodns none -t smtp` (Debian `testssl.sh`) against the STARTTLS
//! listener; its JSON report shows no SSLv2, SSLv3, TLS 1.0 or TLS 1.1, no cipher under 128
//! bits, and no NULL, anonymous, export or other weak suite.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::tools::{describe, require_tool, run};
use sealgate_tests::{Env, Gateway, GatewayConfig};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

fn finding<'a>(report: &'a [Value], id: &str) -> &'a str {
    report
        .iter()
        .find(|e| e["id"] == id)
        .and_then(|e| e["finding"].as_str())
        .unwrap_or_else(|| panic!("testssl report has no `{id}` entry"))
}

#[test]
fn testssl_finds_only_tls12_plus_and_strong_ciphers() {
    require_tool("testssl");
    let env = Env::new();
    let gw = Gateway::start(&env, &GatewayConfig::default());
    let json = env.root().join("testssl.json");
    let out = run(
        Command::new("testssl")
            .args([
                "--nodns",
                "none",
                "-t",
                "smtp",
                "--warnings",
                "batch",
                "--color",
                "0",
            ])
            .arg("--jsonfile")
            .arg(&json)
            .arg(gw.smtp.to_string())
            .env("TMPDIR", env.tmp()),
        Duration::from_secs(900),
    );
    let text = std::fs::read_to_string(&json)
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {}", describe(&out)));
    let report: Vec<Value> = serde_json::from_str(&text).expect("testssl JSON");
    let fatal: Vec<&Value> = report
        .iter()
        .filter(|e| e["severity"] == "FATAL" || e["id"] == "scanProblem")
        .collect();
    assert!(fatal.is_empty(), "testssl could not scan: {fatal:?}");

    for proto in ["SSLv2", "SSLv3", "TLS1", "TLS1_1"] {
        let f = finding(&report, proto);
        assert!(f.starts_with("not offered"), "{proto}: {f}");
    }
    let tls12 = finding(&report, "TLS1_2");
    let tls13 = finding(&report, "TLS1_3");
    assert!(
        tls12.starts_with("offered") || tls13.starts_with("offered"),
        "neither TLS 1.2 nor 1.3 offered: {tls12} / {tls13}"
    );
    for list in [
        "cipherlist_NULL",
        "cipherlist_aNULL",
        "cipherlist_EXPORT",
        "cipherlist_LOW",
        "cipherlist_3DES_IDEA",
    ] {
        let f = finding(&report, list);
        assert!(f.starts_with("not offered"), "{list}: {f}");
    }

    // Every offered cipher: `cipher_xHHHH` findings are columns
    // `hexcode  openssl-name  kx [bits]  enc  enc-bits  IANA-name`.
    let ciphers: Vec<&str> = report
        .iter()
        .filter(|e| e["id"].as_str().is_some_and(|i| i.starts_with("cipher_x")))
        .filter_map(|e| e["finding"].as_str())
        .collect();
    assert!(!ciphers.is_empty(), "testssl listed no offered cipher");
    for c in &ciphers {
        let cols: Vec<&str> = c.split_whitespace().collect();
        let iana = cols.last().copied().unwrap_or("");
        let bits: u32 = cols
            .get(cols.len().saturating_sub(2))
            .and_then(|b| b.parse().ok())
            .unwrap_or_else(|| panic!("cannot read the key size of {c:?}"));
        assert!(bits >= 128, "cipher under 128 bits: {c}");
        let upper = c.to_ascii_uppercase();
        for weak in [
            "NULL", "ANON", "_ANON_", "EXPORT", "EXP-", "ADH", "AECDH", "RC4", "DES", "MD5",
        ] {
            assert!(!upper.contains(weak), "weak suite ({weak}) offered: {c}");
        }
        assert!(
            iana.contains("GCM") || iana.contains("CHACHA20_POLY1305") || iana.contains("CCM"),
            "non-AEAD suite offered: {c}"
        );
    }
    assert!(gw.terminate().success());
}
