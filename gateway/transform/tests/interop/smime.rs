//! S/MIME copies against `openssl smime` / `openssl cms`, and the chain's fall-through when no
//! key or certificate fits (part of `interop.rs`, split for length).

use super::*;

fn smime_fixture() -> (Pki, Fixture) {
    let pki = Pki::new();
    let f = fixture(&pki.read("ca.pem"));
    (pki, f)
}

#[test]
fn smime_copy_decrypts_with_openssl_smime_and_cms() {
    let (pki, f) = smime_fixture();
    pki.issue("bob", "Bob@Partner.example", "");
    let imported =
        keys::import(&*f.store, &pki.read("bob.pem"), TrustLevel::Manual, now()).unwrap();
    assert_eq!(imported.addresses, vec!["bob@partner.example".to_string()]);
    let original = message();
    let p = f.protect(
        &original.clone().into(),
        "bob@partner.example",
        &full_chain(),
        &plaintext_hop(),
    );
    assert_eq!(
        p.skipped
            .iter()
            .map(|s| (s.method, s.reason.clone()))
            .collect::<Vec<_>>(),
        vec![
            (
                Method::TlsVerified,
                Skip::TlsNotVerified {
                    known: TlsCapability::PlaintextOnly
                }
            ),
            (Method::Pgp, Skip::NoKey),
        ]
    );
    let (body, protection) = sent(&p);
    assert!(matches!(
        protection,
        Protection::Smime {
            cipher: ContentCipher::Aes256Cbc,
            ..
        }
    ));
    assert_no_canary(body);
    assert_eq!(subject_of(body), "Secure message from Acme Health");
    let text = String::from_utf8_lossy(body);
    assert!(text.contains(
        "Content-Type: application/pkcs7-mime; smime-type=enveloped-data;\r\n name=smime.p7m"
    ));
    for tool in ["smime", "cms"] {
        let inner = pki
            .decrypt(tool, "bob", body)
            .unwrap_or_else(|e| panic!("openssl {tool}: {e}"));
        assert_eq!(
            same_parts(&original, &inner),
            PROTECTED_SUBJECT,
            "openssl {tool}"
        );
    }
    // The content cipher really is AES-256-CBC (as openssl reads the structure).
    let der = support::ok(
        &mut pki.openssl(&["cms", "-cmsout", "-print", "-inform", "SMIME"]),
        body,
    );
    assert!(String::from_utf8_lossy(&der).contains("aes-256-cbc"));
}

#[test]
fn smime_uses_gcm_only_when_the_certificate_lists_it() {
    let (pki, f) = smime_fixture();
    // SMIMECapabilities ::= SEQUENCE { SEQUENCE { id-aes256-GCM } }
    pki.issue(
        "carol",
        "carol@partner.example",
        "1.2.840.113549.1.9.15=DER:300D300B060960864801650304012E",
    );
    keys::import(&*f.store, &pki.read("carol.pem"), TrustLevel::Manual, now()).unwrap();
    let original = message();
    let req = Requirement::Encrypt {
        chain: vec![Method::Smime, Method::Hold],
        min_key_trust: sealgate_core::KeyTrust::Discovered,
    };
    let p = f.protect(
        &original.clone().into(),
        "carol@partner.example",
        &req,
        &plaintext_hop(),
    );
    let (body, protection) = sent(&p);
    assert!(matches!(
        protection,
        Protection::Smime {
            cipher: ContentCipher::Aes256Gcm,
            ..
        }
    ));
    assert!(String::from_utf8_lossy(body).contains("smime-type=authEnveloped-data"));
    let inner = pki
        .decrypt("cms", "carol", body)
        .expect("openssl cms reads authEnveloped-data");
    assert_eq!(same_parts(&original, &inner), PROTECTED_SUBJECT);
}

#[test]
fn expired_and_untrusted_certificates_are_skipped_with_reasons() {
    let (pki, f) = smime_fixture();
    pki.issue("dave", "dave@partner.example", "");
    keys::import(&*f.store, &pki.read("dave.pem"), TrustLevel::Manual, now()).unwrap();
    let req = Requirement::Encrypt {
        chain: vec![Method::Smime, Method::BounceWithNotice],
        min_key_trust: sealgate_core::KeyTrust::Discovered,
    };
    let body: Body = message().into();
    let later = now().plus(Duration::from_secs(60 * 86400));
    let p = f.protect_at(
        &body,
        "dave@partner.example",
        &req,
        &plaintext_hop(),
        later,
        TrustLevel::Discovered,
    );
    assert_eq!(p.outcome, Outcome::BounceWithNotice);
    assert_eq!(only_problem(&p, Method::Smime), Problem::Expired);

    // A certificate from a CA that is not configured.
    let other = Pki::new();
    other.issue("eve", "eve@partner.example", "");
    keys::import(&*f.store, &other.read("eve.pem"), TrustLevel::Manual, now()).unwrap();
    let p = f.protect(&body, "eve@partner.example", &req, &plaintext_hop());
    assert!(matches!(
        only_problem(&p, Method::Smime),
        Problem::Untrusted { .. }
    ));
}

#[test]
fn no_key_and_no_certificate_with_a_chain_ending_in_hold_is_held_and_nothing_is_produced() {
    let f = fixture(&[]);
    let body: Body = message().into();
    let p = f.protect(
        &body,
        "nobody@clinic.example",
        &full_chain(),
        &plaintext_hop(),
    );
    assert_eq!(p.outcome, Outcome::Hold);
    assert_eq!(
        p.skipped
            .iter()
            .map(|s| (s.method, s.reason.clone()))
            .collect::<Vec<_>>(),
        vec![
            (
                Method::TlsVerified,
                Skip::TlsNotVerified {
                    known: TlsCapability::PlaintextOnly
                }
            ),
            (Method::Pgp, Skip::NoKey),
            (Method::Smime, Skip::NoKey),
        ]
    );
    // The record that goes to the store and `explain` carries no content.
    assert_no_canary(serde_json::to_string(&p.skipped).unwrap().as_bytes());
}
