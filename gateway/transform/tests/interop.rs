//! The transform stage against independent verifiers: gpg 2.2 (through
//! ../shared/interop/pgpmime-decrypt.py), `openssl smime` and `openssl cms`, and Python's
//! `email` module for comparing parts. Keys and certificates are made by gpg and openssl.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic as test failures

#[path = "interop/pgp.rs"]
mod pgp;
#[path = "interop/smime.rs"]
mod smime;
mod support;

use sealgate_core::Clock;
use sealgate_core::store::KeyStore;
use sealgate_core::{
    Address, Body, Decision, HeaderChange, Method, Requirement, SystemClock, Timestamp,
};
use sealgate_transform::keys;
use sealgate_transform::{
    ContentCipher, Hop, Outcome, Problem, Protected, Protection, Request, Skip, Skipped,
    SmimeTrust, TlsCapability, Transformer, TrustLevel,
};
use std::sync::Arc;
use std::time::Duration;
use support::{GpgHome, MemKeys, Pki, pkesk_key_ids, same_parts, subject_of};

const CANARY: &str = "078-05-1120";

/// A multipart message with a UTF-8 quoted-printable text part and a base64 attachment; the
/// canary SSN is in the Subject and the body.
fn message() -> Vec<u8> {
    let attachment = b"%PDF-1.4 fake report \x00\x01\x02\xff".repeat(40);
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&attachment);
    let b64_lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "From: Dr. House <house@acme-health.org>\r\n\
         To: Patient <patient@clinic.example>\r\n\
         Subject: [secure] Lab results =?UTF-8?Q?f=C3=BCr?= SSN {CANARY}\r\n\
         Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\
         Message-ID: <lab-1@acme-health.org>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"outer-b\"\r\n\
         \r\n\
         --outer-b\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         \r\n\
         Gr=C3=BC=C3=9Fe, your SSN on file is {CANARY}.\r\n\
         Results attached.\r\n\
         --outer-b\r\n\
         Content-Type: application/pdf; name=\"report.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"report.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         {}\r\n\
         --outer-b--\r\n",
        b64_lines.join("\r\n")
    )
    .into_bytes()
}

fn decision() -> Decision {
    Decision {
        header_changes: vec![
            HeaderChange::StripSubjectTag {
                tag: "[secure]".into(),
            },
            HeaderChange::PlaceholderSubject {
                subject: "Secure message from Acme Health".into(),
            },
        ],
        phi: true,
        ..Decision::default()
    }
}

const PROTECTED_SUBJECT: &str = "Lab results für SSN 078-05-1120";

fn full_chain() -> Requirement {
    Requirement::Encrypt {
        chain: vec![
            Method::TlsVerified,
            Method::Pgp,
            Method::Smime,
            Method::Hold,
        ],
        min_key_trust: sealgate_core::KeyTrust::Discovered,
    }
}

fn plaintext_hop() -> Hop {
    Hop {
        tls: TlsCapability::PlaintextOnly,
        size_limit: None,
        failed: vec![],
    }
}

fn now() -> Timestamp {
    SystemClock.now()
}

struct Fixture {
    store: Arc<MemKeys>,
    transformer: Transformer,
}

fn fixture(roots: &[u8]) -> Fixture {
    let store = Arc::new(MemKeys::default());
    let trust = if roots.is_empty() {
        SmimeTrust::system().unwrap()
    } else {
        SmimeTrust::from_pem(roots).unwrap()
    };
    let transformer = Transformer::new(store.clone(), trust);
    Fixture { store, transformer }
}

impl Fixture {
    fn protect_at(
        &self,
        body: &Body,
        to: &str,
        req: &Requirement,
        hop: &Hop,
        at: Timestamp,
        min: TrustLevel,
    ) -> Protected {
        let d = decision();
        let addr = Address::parse(to).unwrap();
        let r = Request {
            body,
            decision: &d,
            recipient: &addr,
            requirement: Some(req),
            min_trust: min,
            now: at,
        };
        self.transformer.protect(&r, hop).unwrap()
    }

    fn protect(&self, body: &Body, to: &str, req: &Requirement, hop: &Hop) -> Protected {
        self.protect_at(body, to, req, hop, now(), TrustLevel::Discovered)
    }
}

fn sent(p: &Protected) -> (&Body, &Protection) {
    match &p.outcome {
        Outcome::Send { body, protection } => (body, protection),
        other => panic!("expected a copy, got {other:?} after {:?}", p.skipped),
    }
}

fn assert_no_canary(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(!text.contains(CANARY), "canary in output");
    assert!(!text.contains("078=2D05"), "QP canary in output");
}

fn gpg_key(uid: &str) -> GpgHome {
    GpgHome::generate(uid, "future-default", "default", "never")
}

#[test]
fn pgp_copy_decrypts_with_gpg_to_the_original_parts_and_protected_subject() {
    // RSA (gpg's default algorithm) for this one; the others use gpg's ECC default.
    let home = GpgHome::generate(
        "Patient <patient@clinic.example>",
        "default",
        "default",
        "never",
    );
    let f = fixture(&[]);
    keys::import(&*f.store, &home.export(), TrustLevel::Manual, now()).unwrap();
    let original = message();
    let p = f.protect(
        &original.clone().into(),
        "patient@clinic.example",
        &full_chain(),
        &plaintext_hop(),
    );
    let (body, protection) = sent(&p);
    assert_eq!(
        p.skipped,
        vec![Skipped {
            method: Method::TlsVerified,
            reason: Skip::TlsNotVerified {
                known: TlsCapability::PlaintextOnly
            }
        }]
    );
    match protection {
        Protection::Pgp {
            fingerprint,
            subkeys,
        } => {
            assert_eq!(fingerprint, &home.fingerprint());
            assert_eq!(subkeys.len(), 1);
        }
        other => panic!("not PGP: {other:?}"),
    }
    assert_no_canary(body);
    assert_eq!(subject_of(body), "Secure message from Acme Health");
    let inner = home.pgpmime_decrypt(body).expect("gpg decrypts");
    assert_eq!(same_parts(&original, &inner), PROTECTED_SUBJECT);
}

fn only_problem(p: &Protected, method: Method) -> Problem {
    let s = p
        .skipped
        .iter()
        .find(|s| s.method == method)
        .expect("method skipped");
    match &s.reason {
        Skip::NoUsableKey { keys } => {
            assert_eq!(keys.len(), 1);
            keys[0].problem.clone()
        }
        other => panic!("unexpected reason {other:?}"),
    }
}

#[test]
fn chain_prefers_verified_tls_and_falls_back_when_it_failed_at_delivery() {
    let f = fixture(&[]);
    let home = gpg_key("P <p@clinic.example>");
    keys::import(&*f.store, &home.export(), TrustLevel::Manual, now()).unwrap();
    let body: Body = message().into();
    let p = f.protect(&body, "p@clinic.example", &full_chain(), &Hop::unknown());
    let (copy, protection) = sent(&p);
    assert_eq!(protection, &Protection::TlsVerified);
    // The TLS copy is the message with the tag stripped, nothing else changed.
    assert_eq!(subject_of(copy), PROTECTED_SUBJECT);
    assert_eq!(same_parts(&body, copy), PROTECTED_SUBJECT);

    let hop = Hop {
        failed: vec![Method::TlsVerified],
        ..Hop::unknown()
    };
    let p = f.protect(&body, "p@clinic.example", &full_chain(), &hop);
    assert!(matches!(sent(&p).1, Protection::Pgp { .. }));
    assert_eq!(p.skipped[0].reason, Skip::FailedAtDelivery);
}

#[test]
fn size_limit_counts_the_encrypted_growth() {
    let f = fixture(&[]);
    let home = gpg_key("P <p@clinic.example>");
    keys::import(&*f.store, &home.export(), TrustLevel::Manual, now()).unwrap();
    let body: Body = message().into();
    // Room for the message as it is, not for it a third larger.
    let limit = body.len() as u64 + 100;
    let hop = Hop {
        tls: TlsCapability::Verified,
        size_limit: Some(limit),
        failed: vec![],
    };
    let req = Requirement::Encrypt {
        chain: vec![Method::Pgp, Method::TlsVerified, Method::Hold],
        min_key_trust: sealgate_core::KeyTrust::Discovered,
    };
    let p = f.protect(&body, "p@clinic.example", &req, &hop);
    assert_eq!(sent(&p).1, &Protection::TlsVerified);
    assert!(matches!(p.skipped[0].reason, Skip::TooLarge { limit: l, .. } if l == limit));
    let hop = Hop {
        size_limit: Some(limit * 2 + 2048),
        ..hop
    };
    let p = f.protect(&body, "p@clinic.example", &req, &hop);
    assert!(
        matches!(sent(&p).1, Protection::Pgp { .. }),
        "{:?}",
        p.skipped
    );
}

#[test]
fn portal_is_recorded_as_not_available_yet() {
    let f = fixture(&[]);
    let req = Requirement::Encrypt {
        chain: vec![Method::Portal, Method::BounceWithNotice],
        min_key_trust: sealgate_core::KeyTrust::Discovered,
    };
    let p = f.protect(
        &message().into(),
        "x@clinic.example",
        &req,
        &plaintext_hop(),
    );
    assert_eq!(p.outcome, Outcome::BounceWithNotice);
    assert_eq!(
        p.skipped,
        vec![Skipped {
            method: Method::Portal,
            reason: Skip::NotAvailable
        }]
    );
}

#[test]
fn already_encrypted_input_passes_through_unchanged() {
    let f = fixture(&[]);
    let home = gpg_key("P <p@clinic.example>");
    keys::import(&*f.store, &home.export(), TrustLevel::Manual, now()).unwrap();
    let req = Requirement::Encrypt {
        chain: vec![Method::Pgp, Method::Hold],
        min_key_trust: sealgate_core::KeyTrust::Discovered,
    };
    let first = f.protect(
        &message().into(),
        "p@clinic.example",
        &req,
        &plaintext_hop(),
    );
    let encrypted = sent(&first).0.clone();
    let again = f.protect(&encrypted, "p@clinic.example", &req, &plaintext_hop());
    let (body, protection) = sent(&again);
    assert_eq!(protection, &Protection::AlreadyEncrypted);
    assert_eq!(body, &encrypted);

    let p7: Body = b"From: a@acme-health.org\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\r\n".to_vec().into();
    let p = f.protect(&p7, "p@clinic.example", &req, &plaintext_hop());
    assert_eq!(sent(&p), (&p7, &Protection::AlreadyEncrypted));
}

/// Issue 14: a `multipart/encrypted` or `application/pkcs7-mime` label over clear text is not
/// encryption; the copy is protected like any other message (here held: no key, chain ends in
/// hold), never passed on unchanged.
#[test]
fn label_only_encryption_is_not_passed_through() {
    let f = fixture(&[]);
    let req = Requirement::Encrypt {
        chain: vec![Method::Pgp, Method::Hold],
        min_key_trust: sealgate_core::KeyTrust::Discovered,
    };
    let labelled: [&[u8]; 2] = [
        b"From: a@acme-health.org\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=b\r\n\r\n--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\nPatient SSN 536-22-8147\r\n--b--\r\n",
        b"From: a@acme-health.org\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\nPatient SSN 536-22-8147\r\n",
    ];
    for raw in labelled {
        let body: Body = raw.to_vec().into();
        let p = f.protect(&body, "nokey@clinic.example", &req, &plaintext_hop());
        assert!(
            !matches!(
                &p.outcome,
                Outcome::Send {
                    protection: Protection::AlreadyEncrypted,
                    ..
                }
            ),
            "label-only input passed through: {:?}",
            p.skipped
        );
        assert_eq!(p.outcome, Outcome::Hold, "{:?}", p.skipped);
    }
}

#[test]
fn keys_import_list_trust_remove() {
    let store = MemKeys::default();
    let home = GpgHome::generate("Two <one@x.example>", "future-default", "default", "never");
    ok_adduid(&home, "Two <two@x.example>");
    let imported = keys::import(&store, &home.export(), TrustLevel::Discovered, now()).unwrap();
    assert_eq!(imported.addresses, vec!["one@x.example", "two@x.example"]);
    let listed = keys::list(&store).unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|l| l.trust == "discovered"));
    let fp = home.fingerprint().to_lowercase();
    assert_eq!(keys::set_trust(&store, &fp, TrustLevel::Manual).unwrap(), 2);
    assert!(
        keys::list(&store)
            .unwrap()
            .iter()
            .all(|l| l.trust == "manual")
    );
    assert_eq!(keys::remove(&store, &fp).unwrap(), 2);
    assert!(keys::list(&store).unwrap().is_empty());
    assert!(keys::remove(&store, &fp).is_err());

    let secret = support::ok(&mut home.gpg(&["--armor", "--export-secret-keys"]), b"");
    assert!(matches!(
        keys::import(&store, &secret, TrustLevel::Manual, now()),
        Err(sealgate_transform::ImportError::SecretKey)
    ));
    assert!(
        store
            .list(sealgate_core::store::KeyKind::OpenPgp)
            .unwrap()
            .is_empty()
    );
}

fn ok_adduid(home: &GpgHome, uid: &str) {
    let fp = home.fingerprint();
    support::ok(
        &mut home.gpg(&["--passphrase", "", "--quick-add-uid", &fp, uid]),
        b"",
    );
}

#[test]
fn plain_copies_get_the_decisions_header_changes_and_nothing_else() {
    let f = fixture(&[]);
    let original: Body = message().into();
    let mut d = decision();
    d.header_changes.push(HeaderChange::AddHeader {
        name: "X-Sealgate-Policy".into(),
        value: "phi".into(),
    });
    let addr = Address::parse("p@clinic.example").unwrap();
    for req in [Requirement::Deliver, Requirement::TlsOnly] {
        let r = Request {
            body: &original,
            decision: &d,
            recipient: &addr,
            requirement: Some(&req),
            min_trust: TrustLevel::Manual,
            now: now(),
        };
        let p = f.transformer.protect(&r, &plaintext_hop()).unwrap();
        let (copy, _) = sent(&p);
        // Tag stripped (the placeholder is only for encrypted copies), header added, parts equal.
        assert_eq!(same_parts(&original, copy), PROTECTED_SUBJECT);
        let header = support::ok(
            std::process::Command::new("python3").args([
                "-c",
                "import sys,email;from email import policy;m=email.message_from_binary_file(sys.stdin.buffer,policy=policy.default);sys.stdout.write(m['X-Sealgate-Policy'])",
            ]),
            copy,
        );
        assert_eq!(header, b"phi");
    }
    let held = Requirement::Hold;
    let r = Request {
        body: &original,
        decision: &d,
        recipient: &addr,
        requirement: Some(&held),
        min_trust: TrustLevel::Manual,
        now: now(),
    };
    assert_eq!(
        f.transformer.protect(&r, &plaintext_hop()).unwrap().outcome,
        Outcome::Hold
    );
}
