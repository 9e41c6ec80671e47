//! OpenPGP copies for several recipients, and the keys the chain must skip (expired, revoked,
//! signing-only, untrusted), checked with gpg (part of `interop.rs`, split for length).

use super::*;

#[test]
fn three_recipients_get_three_copies_with_only_their_own_key_ids() {
    let f = fixture(&[]);
    let homes: Vec<(String, GpgHome)> = ["a@one.example", "b@two.example", "c@three.example"]
        .into_iter()
        .map(|a| (a.to_string(), gpg_key(&format!("R <{a}>"))))
        .collect();
    for (_, h) in &homes {
        keys::import(&*f.store, &h.export(), TrustLevel::Manual, now()).unwrap();
    }
    let original: Body = message().into();
    // One accepted message with three envelope recipients (b and c are Bcc: not in the header).
    let req = Requirement::Encrypt {
        chain: vec![Method::Pgp, Method::Hold],
        min_key_trust: sealgate_core::KeyTrust::Discovered,
    };
    let stored = three_recipient_message(&original, &homes, req);
    let copies: Vec<Body> = (0..stored.envelope.recipients.len())
        .map(|i| {
            let r = Request::for_recipient(&stored, i, TrustLevel::Manual, now()).unwrap();
            let p = f.transformer.protect(&r, &plaintext_hop()).unwrap();
            sent(&p).0.clone()
        })
        .collect();
    assert!(Request::for_recipient(&stored, 3, TrustLevel::Manual, now()).is_none());
    assert_eq!(copies.len(), 3);
    for (i, ((_, home), body)) in homes.iter().zip(&copies).enumerate() {
        let ids = pkesk_key_ids(body);
        let own = home.key_ids();
        assert!(!ids.is_empty());
        assert!(
            ids.iter().all(|id| own.contains(id)),
            "copy {i} has foreign key id: {ids:?} vs {own:?}"
        );
        for (j, (other_addr, other)) in homes.iter().enumerate() {
            if j != i {
                assert!(!String::from_utf8_lossy(body).contains(other_addr.as_str()));
                assert!(other.key_ids().iter().all(|k| !ids.contains(k)));
                assert!(
                    other.pgpmime_decrypt(body).is_err(),
                    "copy {i} opened by {j}"
                );
            }
        }
        let inner = home.pgpmime_decrypt(body).expect("own copy decrypts");
        assert_eq!(same_parts(&original, &inner), PROTECTED_SUBJECT);
    }
}

fn three_recipient_message(
    body: &Body,
    homes: &[(String, GpgHome)],
    req: Requirement,
) -> sealgate_core::Message {
    use sealgate_core::{BodyType, ClientInfo, Envelope, MessageId, Recipient};
    sealgate_core::Message {
        id: MessageId::from_bytes([7; 16]),
        tenant: "acme".into(),
        received_at: now(),
        client: ClientInfo {
            ip: "127.0.0.1".parse().unwrap(),
            helo: "mx.acme-health.org".into(),
            tls_version: None,
            tls_cipher: None,
            client_cert_name: None,
        },
        envelope: Envelope {
            mail_from: Some(Address::parse("house@acme-health.org").unwrap()),
            recipients: homes
                .iter()
                .map(|(a, _)| Recipient::new(Address::parse(a).unwrap()))
                .collect(),
            ret: None,
            envid: None,
            body_type: BodyType::EightBitMime,
            smtputf8: false,
            require_tls: false,
            tls_required_no: false,
        },
        size: body.len() as u64,
        header_message_id: None,
        decision: Decision {
            recipients: vec![req; homes.len()],
            ..decision()
        },
        body: body.clone(),
    }
}

#[test]
fn expired_revoked_signing_only_and_untrusted_pgp_keys_are_skipped_with_reasons() {
    let f = fixture(&[]);
    let req = Requirement::Encrypt {
        chain: vec![Method::Pgp, Method::Hold],
        min_key_trust: sealgate_core::KeyTrust::Discovered,
    };
    let body: Body = message().into();

    let expiring = GpgHome::generate("E <e@x.example>", "future-default", "default", "1d");
    keys::import(&*f.store, &expiring.export(), TrustLevel::Manual, now()).unwrap();
    let later = now().plus(Duration::from_secs(3 * 86400));
    let p = f.protect_at(
        &body,
        "e@x.example",
        &req,
        &plaintext_hop(),
        later,
        TrustLevel::Discovered,
    );
    assert_eq!(p.outcome, Outcome::Hold);
    assert_eq!(only_problem(&p, Method::Pgp), Problem::Expired);
    // The same key today is fine.
    sent(&f.protect(&body, "e@x.example", &req, &plaintext_hop()));

    let revoked = gpg_key("R <r@x.example>");
    revoked.revoke();
    keys::import(&*f.store, &revoked.export(), TrustLevel::Manual, now()).unwrap();
    let p = f.protect(&body, "r@x.example", &req, &plaintext_hop());
    assert_eq!(only_problem(&p, Method::Pgp), Problem::Revoked);

    let signing = GpgHome::generate("S <s@x.example>", "ed25519", "sign", "never");
    keys::import(&*f.store, &signing.export(), TrustLevel::Manual, now()).unwrap();
    let p = f.protect(&body, "s@x.example", &req, &plaintext_hop());
    assert_eq!(only_problem(&p, Method::Pgp), Problem::NoEncryptionKey);

    let found = gpg_key("D <d@x.example>");
    keys::import(&*f.store, &found.export(), TrustLevel::Discovered, now()).unwrap();
    let p = f.protect_at(
        &body,
        "d@x.example",
        &req,
        &plaintext_hop(),
        now(),
        TrustLevel::Verified,
    );
    assert_eq!(
        only_problem(&p, Method::Pgp),
        Problem::BelowTrust {
            have: TrustLevel::Discovered,
            need: TrustLevel::Verified
        }
    );
    let fp = found.fingerprint();
    assert_eq!(
        keys::set_trust(&*f.store, &fp, TrustLevel::Verified).unwrap(),
        1
    );
    let p = f.protect_at(
        &body,
        "d@x.example",
        &req,
        &plaintext_hop(),
        now(),
        TrustLevel::Verified,
    );
    sent(&p);
}
