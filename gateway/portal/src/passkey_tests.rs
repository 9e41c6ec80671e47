//! Unit tests of the passkey checks with a software authenticator (aws-lc-rs keys, CBOR built
//! by ciborium): each refusal is produced by changing exactly one thing in a good ceremony.

use super::*;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use sealgate_commit::OsRandom as CoreRandom;
use sealgate_core::time::SystemClock;

enum Key {
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

/// A software authenticator holding one credential.
struct Soft {
    key: Key,
    id: Vec<u8>,
    count: u32,
}

fn rp() -> RelyingParty {
    RelyingParty::from_base_url("https://portal.clinic.example").unwrap()
}

fn client_data(kind: &str, challenge: &[u8], origin: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "type": kind,
        "challenge": URL_SAFE_NO_PAD.encode(challenge),
        "origin": origin,
        "crossOrigin": false,
    }))
    .unwrap()
}

fn head(rp_id: &str, flags: u8, count: u32) -> Vec<u8> {
    let mut out = Sha256::digest(rp_id.as_bytes()).to_vec();
    out.push(flags);
    out.extend_from_slice(&count.to_be_bytes());
    out
}

impl Soft {
    fn ec() -> Soft {
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap();
        Soft {
            key: Key::Ec(key),
            id: vec![7; 16],
            count: 0,
        }
    }

    fn ed() -> Soft {
        Soft {
            key: Key::Ed(Ed25519KeyPair::generate().unwrap()),
            id: vec![9; 32],
            count: 0,
        }
    }

    fn cose(&self) -> Vec<u8> {
        let i = |n: i64| Value::Integer(n.into());
        let map = match &self.key {
            Key::Ec(k) => {
                let p = k.public_key().as_ref();
                vec![
                    (i(1), i(2)),
                    (i(3), i(ES256)),
                    (i(-1), i(1)),
                    (i(-2), Value::Bytes(p[1..33].to_vec())),
                    (i(-3), Value::Bytes(p[33..65].to_vec())),
                ]
            }
            Key::Ed(k) => vec![
                (i(1), i(1)),
                (i(3), i(EDDSA)),
                (i(-1), i(6)),
                (i(-2), Value::Bytes(k.public_key().as_ref().to_vec())),
            ],
        };
        let mut out = Vec::new();
        ciborium::ser::into_writer(&Value::Map(map), &mut out).unwrap();
        out
    }

    fn attestation(&self, rp_id: &str) -> Vec<u8> {
        let mut data = head(rp_id, FLAG_UP | FLAG_AT | 0x04, self.count);
        data.extend_from_slice(&[0; 16]);
        data.extend_from_slice(&(self.id.len() as u16).to_be_bytes());
        data.extend_from_slice(&self.id);
        data.extend_from_slice(&self.cose());
        let att = Value::Map(vec![
            (Value::Text("fmt".into()), Value::Text("none".into())),
            (Value::Text("attStmt".into()), Value::Map(vec![])),
            (Value::Text("authData".into()), Value::Bytes(data)),
        ]);
        let mut out = Vec::new();
        ciborium::ser::into_writer(&att, &mut out).unwrap();
        out
    }

    /// (authenticator data, signature) over `client_data`, counting up.
    fn sign(&mut self, rp_id: &str, client_data: &[u8]) -> (Vec<u8>, Vec<u8>) {
        self.count += 1;
        let data = head(rp_id, FLAG_UP, self.count);
        let msg = [&data[..], &Sha256::digest(client_data)].concat();
        let sig = match &self.key {
            Key::Ec(k) => k
                .sign(&SystemRandom::new(), &msg)
                .unwrap()
                .as_ref()
                .to_vec(),
            Key::Ed(k) => k.sign(&msg).as_ref().to_vec(),
        };
        (data, sig)
    }
}

fn register(soft: &Soft, challenge: &[u8; 32]) -> NewPasskey {
    let cd = client_data(
        "webauthn.create",
        challenge,
        "https://portal.clinic.example",
    );
    verify_registration(
        &rp(),
        challenge,
        &cd,
        &soft.attestation("portal.clinic.example"),
    )
    .unwrap()
}

fn assert_with(
    soft: &mut Soft,
    reg: &NewPasskey,
    challenge: &[u8; 32],
    stored: u32,
) -> Result<u32, PasskeyError> {
    let cd = client_data("webauthn.get", challenge, "https://portal.clinic.example");
    let (data, sig) = soft.sign("portal.clinic.example", &cd);
    let a = Assertion {
        client_data: &cd,
        authenticator_data: &data,
        signature: &sig,
    };
    verify_assertion(&rp(), challenge, &reg.key, stored, &a)
}

#[test]
fn es256_and_eddsa_credentials_register_and_sign_in() {
    for mut soft in [Soft::ec(), Soft::ed()] {
        let reg = register(&soft, &[1; 32]);
        assert_eq!(reg.id, soft.id);
        assert_eq!(assert_with(&mut soft, &reg, &[2; 32], 0), Ok(1));
        assert_eq!(assert_with(&mut soft, &reg, &[3; 32], 1), Ok(2));
    }
}

#[test]
fn a_bad_signature_is_refused() {
    let mut soft = Soft::ec();
    let reg = register(&soft, &[1; 32]);
    let cd = client_data("webauthn.get", &[2; 32], "https://portal.clinic.example");
    let (data, mut sig) = soft.sign("portal.clinic.example", &cd);
    let last = sig.len() - 1;
    sig[last] ^= 1;
    let a = Assertion {
        client_data: &cd,
        authenticator_data: &data,
        signature: &sig,
    };
    assert_eq!(
        verify_assertion(&rp(), &[2; 32], &reg.key, 0, &a),
        Err(PasskeyError::Signature)
    );
    // Another credential's key does not verify it either.
    let other = register(&Soft::ec(), &[1; 32]);
    let (data, sig) = soft.sign("portal.clinic.example", &cd);
    let a = Assertion {
        client_data: &cd,
        authenticator_data: &data,
        signature: &sig,
    };
    assert_eq!(
        verify_assertion(&rp(), &[2; 32], &other.key, 0, &a),
        Err(PasskeyError::Signature)
    );
}

#[test]
fn another_origin_or_relying_party_is_refused() {
    let mut soft = Soft::ec();
    let c = [1; 32];
    let cd = client_data("webauthn.create", &c, "https://portal.other.example");
    let att = soft.attestation("portal.clinic.example");
    assert_eq!(
        verify_registration(&rp(), &c, &cd, &att),
        Err(PasskeyError::Origin)
    );
    let cd = client_data("webauthn.create", &c, "https://portal.clinic.example");
    let att = soft.attestation("portal.other.example");
    assert_eq!(
        verify_registration(&rp(), &c, &cd, &att),
        Err(PasskeyError::RpId)
    );
    // An assertion made for another relying party, presented to this one.
    let reg = register(&soft, &c);
    let cd = client_data("webauthn.get", &c, "https://portal.clinic.example");
    let (data, sig) = soft.sign("portal.other.example", &cd);
    let a = Assertion {
        client_data: &cd,
        authenticator_data: &data,
        signature: &sig,
    };
    assert_eq!(
        verify_assertion(&rp(), &c, &reg.key, 0, &a),
        Err(PasskeyError::RpId)
    );
    // A registration response offered as an assertion.
    let cd = client_data("webauthn.create", &c, "https://portal.clinic.example");
    let (data, sig) = soft.sign("portal.clinic.example", &cd);
    let a = Assertion {
        client_data: &cd,
        authenticator_data: &data,
        signature: &sig,
    };
    assert_eq!(
        verify_assertion(&rp(), &c, &reg.key, 0, &a),
        Err(PasskeyError::WrongType)
    );
}

#[test]
fn a_replayed_challenge_is_refused() {
    let book = Challenges::new(Arc::new(SystemClock), Arc::new(CoreRandom));
    let mut soft = Soft::ec();
    let reg = register(&soft, &[1; 32]);
    let issued = book.issue("get\0session\0copy");
    let cd = client_data("webauthn.get", &issued, "https://portal.clinic.example");
    let (data, sig) = soft.sign("portal.clinic.example", &cd);
    let a = Assertion {
        client_data: &cd,
        authenticator_data: &data,
        signature: &sig,
    };
    let c = book.take("get\0session\0copy").unwrap();
    assert_eq!(verify_assertion(&rp(), &c, &reg.key, 0, &a), Ok(1));
    // The same response again: the challenge is gone.
    assert_eq!(book.take("get\0session\0copy"), None);
    // And against a newer challenge, the old client data does not match.
    let fresh = book.issue("get\0session\0copy");
    assert_ne!(fresh, issued);
    assert_eq!(
        verify_assertion(&rp(), &fresh, &reg.key, 1, &a),
        Err(PasskeyError::Challenge)
    );
}

#[test]
fn a_counter_going_backwards_is_refused() {
    let mut soft = Soft::ec();
    let reg = register(&soft, &[1; 32]);
    soft.count = 4;
    // The authenticator says 5, the store saw 9 already: a clone.
    assert_eq!(
        assert_with(&mut soft, &reg, &[2; 32], 9),
        Err(PasskeyError::Counter)
    );
    // Equal is backwards too.
    soft.count = 8;
    assert_eq!(
        assert_with(&mut soft, &reg, &[2; 32], 9),
        Err(PasskeyError::Counter)
    );
    assert_eq!(assert_with(&mut soft, &reg, &[2; 32], 9), Ok(10));
}

#[test]
fn malformed_data_and_other_algorithms_are_refused() {
    let soft = Soft::ec();
    let c = [1; 32];
    let cd = client_data("webauthn.create", &c, "https://portal.clinic.example");
    assert!(matches!(
        verify_registration(&rp(), &c, &cd, b"\xa1garbage"),
        Err(PasskeyError::Malformed(_))
    ));
    assert!(matches!(
        verify_registration(
            &rp(),
            &c,
            b"{not json",
            &soft.attestation("portal.clinic.example")
        ),
        Err(PasskeyError::Malformed(_))
    ));
    let rsa = Value::Map(vec![
        (Value::Integer(1.into()), Value::Integer(3.into())),
        (Value::Integer(3.into()), Value::Integer((-257).into())),
    ]);
    assert_eq!(cose_key(&rsa), Err(PasskeyError::Algorithm));
}

#[test]
fn relying_parties_come_from_base_urls() {
    let rp = RelyingParty::from_base_url("http://A.localhost:8080/").unwrap();
    assert_eq!(rp.id, "a.localhost");
    assert_eq!(rp.origin, "http://a.localhost:8080");
    assert_eq!(RelyingParty::from_base_url("http://127.0.0.1:80"), None);
}
