//! `[[tenants.NAME.dkim]]`: reading the keys and naming every mistake with its dotted key.

use sealgate_config::Config;

const BASE: &str = r#"
[tenants.acme]
networks = ["10.1.0.0/16"]
sender_domains = ["acme-health.org"]
[tenants.beta]
networks = ["10.2.0.0/16"]
sender_domains = ["beta.example"]
"#;

#[test]
fn dkim_keys_are_read_in_order() {
    let c = Config::from_toml(&format!(
        "{BASE}{}",
        r#"
[[tenants.acme.dkim]]
domain = "ACME-health.org"
selector = "s2026"
key = "/etc/sealgate/dkim/acme-s2026.pem"
[[tenants.acme.dkim]]
domain = "mail.acme-health.org"
selector = "ed2026"
key = "/etc/sealgate/dkim/acme-ed2026.pem"
"#
    ))
    .unwrap();
    let acme = c.tenants.iter().find(|t| t.name == "acme").unwrap();
    assert_eq!(acme.dkim.len(), 2);
    assert_eq!(acme.dkim[0].domain.as_str(), "acme-health.org");
    assert_eq!(acme.dkim[0].selector, "s2026");
    assert_eq!(
        acme.dkim[0].key.to_str(),
        Some("/etc/sealgate/dkim/acme-s2026.pem")
    );
    assert_eq!(acme.dkim[1].domain.as_str(), "mail.acme-health.org");
    let beta = c.tenants.iter().find(|t| t.name == "beta").unwrap();
    assert!(beta.dkim.is_empty());
}

#[test]
fn dkim_mistakes_are_all_named() {
    let err = Config::from_toml(&format!(
        "{BASE}{}",
        r#"
[[tenants.acme.dkim]]
domain = "acme-health.org"
selector = "bad_selector"
key = "/k.pem"
colour = "blue"
[[tenants.acme.dkim]]
selector = "s1"
[[tenants.acme.dkim]]
domain = "beta.example"
selector = "s1"
key = "/k.pem"
[[tenants.beta.dkim]]
domain = "beta.example"
selector = "s1"
key = "/b.pem"
"#
    ))
    .unwrap_err();
    let keys: Vec<(&str, &str)> = err
        .issues
        .iter()
        .map(|i| (i.key.as_str(), i.message.as_str()))
        .collect();
    let has = |k: &str, words: &str| {
        assert!(
            keys.iter().any(|(key, m)| *key == k && m.contains(words)),
            "no issue {k} ~ {words} in {keys:?}"
        )
    };
    has("tenants.acme.dkim[0].selector", "not a selector");
    has("tenants.acme.dkim[0].colour", "unknown key");
    has("tenants.acme.dkim[1].domain", "is required");
    has("tenants.acme.dkim[1].key", "is required");
    // Tenant acme may not hold keys for beta's domain: not its sender domain, and beta has
    // keys for it.
    has(
        "tenants.acme.dkim[2].domain",
        "not one of this tenant's sender_domains",
    );
    has(
        "tenants.beta.dkim[0].domain",
        "already has DKIM keys under tenants.acme",
    );
}

#[test]
fn dkim_must_be_a_list_of_tables() {
    let err = Config::from_toml(&format!(
        "{BASE}{}",
        "[tenants.gamma]\nnetworks = [\"10.3.0.0/16\"]\nsender_domains = [\"g.example\"]\ndkim = \"s1\"\n"
    ))
    .unwrap_err();
    assert!(
        err.issues
            .iter()
            .any(|i| i.key == "tenants.gamma.dkim" && i.message.contains("list of tables")),
        "{err}"
    );
}
