//! Acceptance (issue 5): `sslscan --starttls-smtp` (Debian `sslscan`) against the STARTTLS
//! listener; its XML report (`--xml=-`) shows SSLv2, SSLv3, TLS 1.0 and TLS 1.1 disabled, TLS 1.2
//! and TLS 1.3 enabled, and no accepted cipher under 128 bits or of a NULL, EXPORT, RC4, DES,
//! 3DES or anonymous suite. The checks are also run on a made-up weak report, so a parser that
//! found nothing could not pass.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::tools::{describe, require_tool, run};
use sealgate_tests::{Env, Gateway, GatewayConfig};
use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

/// One self-closing XML element's attributes, e.g. `<protocol type="tls" version="1.2" …/>`.
type Attrs = HashMap<String, String>;

/// Every `<NAME …/>` element of `xml`, as attribute maps (sslscan writes these on one line each,
/// attribute values in double quotes without escapes).
fn elements(xml: &str, name: &str) -> Vec<Attrs> {
    let open = format!("<{name} ");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let tail = &rest[start + open.len()..];
        let end = tail.find('>').unwrap_or(tail.len());
        out.push(attributes(tail[..end].trim_end_matches('/')));
        rest = &tail[end..];
    }
    out
}

fn attributes(mut s: &str) -> Attrs {
    let mut attrs = Attrs::new();
    while let Some(eq) = s.find("=\"") {
        let key = s[..eq].trim().to_string();
        let value_start = &s[eq + 2..];
        let Some(close) = value_start.find('"') else {
            break;
        };
        attrs.insert(key, value_start[..close].to_string());
        s = &value_start[close + 1..];
    }
    attrs
}

fn attr<'a>(a: &'a Attrs, key: &str) -> &'a str {
    a.get(key)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("element without `{key}`: {a:?}"))
}

/// What is wrong with the report, one line per problem; empty when it passes.
fn violations(xml: &str) -> Vec<String> {
    let mut bad = Vec::new();
    if !xml.contains("<ssltest ") {
        bad.push("no <ssltest> element: sslscan did not scan".to_string());
    }
    if xml.contains("<error") {
        bad.push(format!("sslscan reported an error: {xml}"));
    }
    let protocols: HashMap<String, String> = elements(xml, "protocol")
        .iter()
        .map(|p| {
            (
                format!("{} {}", attr(p, "type"), attr(p, "version")),
                attr(p, "enabled").to_string(),
            )
        })
        .collect();
    for (proto, want) in [
        ("ssl 2", "0"),
        ("ssl 3", "0"),
        ("tls 1.0", "0"),
        ("tls 1.1", "0"),
        ("tls 1.2", "1"),
        ("tls 1.3", "1"),
    ] {
        match protocols.get(proto) {
            None => bad.push(format!("{proto}: not in the report")),
            Some(got) if got != want => bad.push(format!("{proto}: enabled={got}, want {want}")),
            Some(_) => {}
        }
    }
    let ciphers: Vec<Attrs> = elements(xml, "cipher")
        .into_iter()
        .filter(|c| matches!(attr(c, "status"), "accepted" | "preferred"))
        .collect();
    if ciphers.is_empty() {
        bad.push("no accepted cipher in the report".to_string());
    }
    for version in ["TLSv1.2", "TLSv1.3"] {
        if !ciphers.iter().any(|c| attr(c, "sslversion") == version) {
            bad.push(format!("no accepted {version} cipher"));
        }
    }
    for c in &ciphers {
        let name = attr(c, "cipher");
        let version = attr(c, "sslversion");
        let bits: u32 = attr(c, "bits")
            .parse()
            .unwrap_or_else(|_| panic!("cipher bits not a number: {c:?}"));
        if bits < 128 {
            bad.push(format!("{version} {name}: {bits} bits"));
        }
        if !matches!(version, "TLSv1.2" | "TLSv1.3") {
            bad.push(format!("{version} {name}: cipher under an old protocol"));
        }
        let upper = name.to_ascii_uppercase();
        // DES covers 3DES and DES-CBC3; ADH/AECDH are OpenSSL's names for anonymous suites.
        for weak in ["NULL", "EXP", "RC4", "DES", "ANON", "ADH", "AECDH", "MD5"] {
            if upper.contains(weak) {
                bad.push(format!("{version} {name}: weak suite ({weak})"));
            }
        }
        if let Some(strength) = c.get("strength")
            && !matches!(strength.as_str(), "strong" | "acceptable")
        {
            bad.push(format!("{version} {name}: sslscan rates it {strength}"));
        }
    }
    for g in elements(xml, "group") {
        if attr(&g, "bits").parse::<u32>().unwrap_or(0) < 128 {
            bad.push(format!("key exchange group under 128 bits: {g:?}"));
        }
    }
    for h in elements(xml, "heartbleed") {
        if attr(&h, "vulnerable") != "0" {
            bad.push(format!("heartbleed: {h:?}"));
        }
    }
    for r in elements(xml, "renegotiation") {
        if attr(&r, "supported") == "1" && attr(&r, "secure") != "1" {
            bad.push("insecure renegotiation supported".to_string());
        }
    }
    bad
}

#[test]
fn the_checks_catch_a_weak_report() {
    let weak = r#"<document><ssltest host="127.0.0.1" port="25">
  <protocol type="ssl" version="3" enabled="0" />
  <protocol type="tls" version="1.0" enabled="1" />
  <protocol type="tls" version="1.2" enabled="1" />
  <cipher status="accepted" sslversion="TLSv1.0" bits="112" cipher="DES-CBC3-SHA" id="0x000A" strength="medium" />
  <cipher status="rejected" sslversion="TLSv1.2" bits="256" cipher="AES256-GCM-SHA384" id="0x009D" />
  <cipher status="accepted" sslversion="TLSv1.2" bits="128" cipher="RC4-SHA" id="0x0005" strength="weak" />
  <cipher status="accepted" sslversion="TLSv1.2" bits="0" cipher="NULL-SHA256" id="0x003B" strength="null" />
  <cipher status="accepted" sslversion="TLSv1.2" bits="256" cipher="ADH-AES256-GCM-SHA384" id="0x00A7" strength="anonymous" />
  <renegotiation supported="1" secure="0" />
</ssltest></document>"#;
    let v = violations(weak).join("\n");
    for expected in [
        "ssl 2: not in the report",
        "tls 1.0: enabled=1, want 0",
        "tls 1.1: not in the report",
        "tls 1.3: not in the report",
        "no accepted TLSv1.3 cipher",
        "TLSv1.0 DES-CBC3-SHA: 112 bits",
        "TLSv1.0 DES-CBC3-SHA: cipher under an old protocol",
        "DES-CBC3-SHA: weak suite (DES)",
        "RC4-SHA: weak suite (RC4)",
        "NULL-SHA256: 0 bits",
        "NULL-SHA256: weak suite (NULL)",
        "ADH-AES256-GCM-SHA384: weak suite (ADH)",
        "insecure renegotiation",
    ] {
        assert!(v.contains(expected), "missing `{expected}` in:\n{v}");
    }
    // The rejected strong cipher is no finding, and an empty report is one.
    assert!(!v.contains("TLSv1.2 AES256-GCM-SHA384"), "{v}");
    assert!(!violations("").is_empty());
}

#[test]
fn sslscan_finds_only_tls12_plus_and_strong_ciphers() {
    require_tool("sslscan");
    let env = Env::new();
    let gw = Gateway::start(&env, &GatewayConfig::default());
    let out = run(
        Command::new("sslscan")
            .args(["--no-colour", "--starttls-smtp", "--xml=-"])
            .arg(gw.smtp.to_string())
            .env("TMPDIR", env.tmp()),
        Duration::from_secs(600),
    );
    assert!(out.status.success(), "sslscan failed: {}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let xml = stdout
        .find("<?xml")
        .map(|i| &stdout[i..])
        .unwrap_or_else(|| panic!("no XML in sslscan's output: {}", describe(&out)));
    let v = violations(xml);
    assert!(
        v.is_empty(),
        "sslscan findings:\n{}\n--- report\n{xml}",
        v.join("\n")
    );
    // Positive control on the live report: the parser read ciphers of both versions.
    let accepted = elements(xml, "cipher")
        .iter()
        .filter(|c| attr(c, "status") != "rejected")
        .count();
    assert!(accepted >= 2, "too few accepted ciphers parsed:\n{xml}");
    assert!(gw.terminate().success());
}
