//! Keys belong to tenants: a tenant's mail is signed only with its own keys for its own
//! domains; the gateway's key signs only the gateway's mail. Signers built from a real
//! configuration text, key files made by openssl.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use sealgate_config::Config;
use sealgate_core::Domain;
use sealgate_sign::{KeyOwner, Outcome, Signer, Unsigned};
use support::*;

fn config_signer() -> Signer {
    let k = keys();
    let text = format!(
        r#"
[smtp]
hostname = "gw.sealgate.example"
[tenants.acme]
networks = ["10.1.0.0/16"]
sender_domains = ["acme-health.org"]
[[tenants.acme.dkim]]
domain = "acme-health.org"
selector = "s2026"
key = "{acme}"
[tenants.beta]
networks = ["10.2.0.0/16"]
sender_domains = ["beta-clinic.example"]
[[tenants.beta.dkim]]
domain = "beta-clinic.example"
selector = "b1"
key = "{beta}"
[gateway]
domain = "gw.sealgate.example"
dkim_selector = "gw1"
dkim_key = "{gw}"
"#,
        acme = k.rsa.path.display(),
        beta = k.ed.path.display(),
        gw = k.other_rsa.path.display(),
    );
    let config = Config::from_toml(&text).unwrap();
    let signer = Signer::from_config(&config).unwrap();
    assert_eq!(signer.key_count(), 3);
    signer
}

fn sign(signer: &Signer, owner: &KeyOwner, from: &str) -> (Outcome, Vec<u8>) {
    let m = message(from, "hello", "", b"body\r\n");
    let outcome = signer.sign(owner, &m).unwrap();
    let signed = outcome.apply(&m);
    (outcome, signed)
}

#[test]
fn tenant_a_gets_no_signature_for_tenant_b_domain() {
    let signer = config_signer();
    for from in ["x@beta-clinic.example", "x@mail.beta-clinic.example"] {
        let (outcome, signed) = sign(&signer, &tenant("acme"), from);
        let Outcome::Unsigned(Unsigned::NoKey { domain }) = &outcome else {
            panic!("acme signing as {from}: {outcome:?}");
        };
        assert!(domain.is_within(&Domain::parse("beta-clinic.example").unwrap()));
        assert!(
            !String::from_utf8_lossy(&signed)
                .to_ascii_lowercase()
                .contains("dkim-signature"),
            "no signature header at all"
        );
    }
    // Nor with the gateway's domain.
    let (outcome, _) = sign(&signer, &tenant("acme"), "postmaster@gw.sealgate.example");
    assert!(
        matches!(outcome, Outcome::Unsigned(Unsigned::NoKey { .. })),
        "{outcome:?}"
    );
    // An unknown tenant owns nothing.
    let (outcome, _) = sign(&signer, &tenant("nobody"), "x@acme-health.org");
    assert!(
        matches!(outcome, Outcome::Unsigned(Unsigned::NoKey { .. })),
        "{outcome:?}"
    );
}

#[test]
fn each_owner_signs_its_own_domain_and_the_signature_verifies() {
    let signer = config_signer();
    let k = keys();
    let pubkeys = public_keys(&[
        ("s2026", "acme-health.org", &k.rsa),
        ("b1", "beta-clinic.example", &k.ed),
        ("gw1", "gw.sealgate.example", &k.other_rsa),
    ]);
    for (owner, from, selector, domain) in [
        (
            tenant("acme"),
            "alice@acme-health.org",
            "s2026",
            "acme-health.org",
        ),
        (
            tenant("beta"),
            "bea@beta-clinic.example",
            "b1",
            "beta-clinic.example",
        ),
        (
            KeyOwner::Gateway,
            "postmaster@gw.sealgate.example",
            "gw1",
            "gw.sealgate.example",
        ),
    ] {
        let (outcome, signed) = sign(&signer, &owner, from);
        let sigs = outcome.signatures();
        assert_eq!(sigs.len(), 1, "{owner}: {outcome:?}");
        assert_eq!(
            (sigs[0].selector.as_str(), sigs[0].domain.as_str()),
            (selector, domain)
        );
        let (ok, why) = dkimpy(&pubkeys, &signed, 0);
        assert!(ok, "{owner}: {why}");
    }
}

#[test]
fn the_gateway_key_never_signs_tenant_mail() {
    let signer = config_signer();
    let (outcome, _) = sign(&signer, &KeyOwner::Gateway, "alice@acme-health.org");
    assert!(
        matches!(outcome, Outcome::Unsigned(Unsigned::NoKey { .. })),
        "{outcome:?}"
    );
}

#[test]
fn a_subdomain_sender_is_signed_with_the_parent_domain_key() {
    let signer = config_signer();
    let k = keys();
    let (outcome, signed) = sign(&signer, &tenant("acme"), "lab@results.mail.acme-health.org");
    assert_eq!(outcome.signatures()[0].domain.as_str(), "acme-health.org");
    let pubkeys = public_keys(&[("s2026", "acme-health.org", &k.rsa)]);
    let (ok, why) = dkimpy(&pubkeys, &signed, 0);
    assert!(ok, "{why}");
    // A look-alike that merely ends with the same letters is not a subdomain.
    let (outcome, _) = sign(&signer, &tenant("acme"), "x@evilacme-health.org");
    assert!(
        matches!(outcome, Outcome::Unsigned(Unsigned::NoKey { .. })),
        "{outcome:?}"
    );
}

#[test]
fn two_tenants_cannot_load_keys_for_one_domain() {
    let k = keys();
    let err = Signer::new([
        spec("acme", "acme-health.org", "s1", &k.rsa),
        spec("beta", "acme-health.org", "s2", &k.ed),
    ])
    .unwrap_err();
    let text = err.to_string();
    assert!(err.is_config());
    assert!(
        text.contains("acme-health.org")
            && text.contains("tenant acme")
            && text.contains("tenant beta"),
        "{text}"
    );
    // The gateway may share a domain with a tenant (a single-organisation install).
    Signer::new([
        spec("acme", "acme-health.org", "s1", &k.rsa),
        spec("gateway", "acme-health.org", "gw", &k.ed),
    ])
    .unwrap();
}
