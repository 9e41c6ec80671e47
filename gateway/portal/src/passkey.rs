//! WebAuthn passkeys, the verification side: our own checks of `none`-attestation registrations
//! and of assertions, for ES256 (P-256) and EdDSA (Ed25519) credentials.
//!
//! Why our own and not `webauthn-rs`: the portal needs two ceremonies with one credential type,
//! and every check below is a few lines over crates already in the tree (aws-lc-rs for the
//! signatures, ciborium for CBOR, sha2, serde_json), each one unit-tested with a software
//! authenticator (`passkey_tests.rs`) and end to end with Chromium's virtual authenticator.
//!
//! Guarantees:
//! * a registration is accepted only when its `clientDataJSON` is a `webauthn.create` for the
//!   challenge this process issued, from the tenant's portal origin (not cross-origin), and its
//!   authenticator data carries SHA-256 of the tenant's relying-party id, user presence and an
//!   attested ES256 or EdDSA public key; the attestation statement is not evaluated (the
//!   portal asks for `none`: the recipient's emailed code is what vouches for them);
//! * an assertion is accepted only when its `clientDataJSON` is a `webauthn.get` for the
//!   issued challenge from that origin, its authenticator data carries the relying-party id
//!   hash and user presence, the signature over authenticator data ‖ SHA-256(client data)
//!   verifies with the stored key, and the signature counter moved forward (when either side
//!   counts);
//! * a challenge is 32 random bytes, usable once ([`Challenges::take`] removes it) and for five
//!   minutes: a replayed response finds no challenge.

use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1, ED25519, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value;
use sealgate_core::time::{Clock, Random, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// COSE algorithm ES256 (ECDSA P-256 with SHA-256).
pub const ES256: i64 = -7;
/// COSE algorithm EdDSA (Ed25519).
pub const EDDSA: i64 = -8;
/// The longest credential id accepted (WebAuthn's limit).
const MAX_CREDENTIAL_ID: usize = 1023;

/// Why a passkey ceremony was refused. The page shows a generic line; the kind is logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasskeyError {
    /// The browser's data does not parse.
    #[error("malformed passkey data: {0}")]
    Malformed(&'static str),
    /// `clientDataJSON.type` is not the ceremony's.
    #[error("wrong ceremony type")]
    WrongType,
    /// Not the challenge this process issued, or it was used or expired.
    #[error("the challenge is unknown, used or expired")]
    Challenge,
    /// Not the tenant's portal origin (or a cross-origin frame).
    #[error("the origin is not the tenant's portal")]
    Origin,
    /// The authenticator data is for another relying party.
    #[error("the relying party is not the tenant's portal host")]
    RpId,
    /// The authenticator did not see the user.
    #[error("user presence missing")]
    UserPresence,
    /// Not an ES256 or EdDSA key.
    #[error("unsupported key type or algorithm")]
    Algorithm,
    /// The signature does not verify.
    #[error("the signature does not verify")]
    Signature,
    /// The signature counter did not move forward: perhaps a cloned authenticator.
    #[error("the signature counter went backwards")]
    Counter,
    /// No passkey of this recipient on this tenant has this id.
    #[error("unknown passkey")]
    Unknown,
}

/// A tenant's relying party: its portal host (the RP id) and origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelyingParty {
    /// The portal host name, `portal.clinic.example`.
    pub id: String,
    /// The origin pages are served at, `https://portal.clinic.example`.
    pub origin: String,
}

impl RelyingParty {
    /// The relying party of a portal base URL (`https://host[:port]`); `None` for an IP
    /// address host, which WebAuthn does not accept as an RP id.
    pub fn from_base_url(url: &str) -> Option<RelyingParty> {
        let origin = url.trim_end_matches('/').to_ascii_lowercase();
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))?;
        let host = rest.split([':', '/']).next()?;
        if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() || rest.contains('/') {
            return None;
        }
        Some(RelyingParty {
            id: host.to_string(),
            origin,
        })
    }
}

/// A credential's public key as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKey {
    /// [`ES256`] or [`EDDSA`].
    pub alg: i64,
    /// SEC1 uncompressed point (ES256) or the 32 raw bytes (EdDSA).
    #[serde(with = "b64")]
    pub key: Vec<u8>,
}

/// What a verified registration yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPasskey {
    /// The credential id.
    pub id: Vec<u8>,
    /// Its public key.
    pub key: PublicKey,
    /// The signature counter at registration.
    pub count: u32,
}

/// An assertion as the browser returns it (decoded from base64url).
#[derive(Debug, Clone, Copy)]
pub struct Assertion<'a> {
    /// `response.clientDataJSON`.
    pub client_data: &'a [u8],
    /// `response.authenticatorData`.
    pub authenticator_data: &'a [u8],
    /// `response.signature`.
    pub signature: &'a [u8],
}

#[derive(Deserialize)]
struct ClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
    #[serde(rename = "crossOrigin", default)]
    cross_origin: bool,
}

/// Equality without an early exit (the challenge is secret until used).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn check_client_data(
    json: &[u8],
    kind: &str,
    challenge: &[u8; 32],
    rp: &RelyingParty,
) -> Result<(), PasskeyError> {
    let cd: ClientData =
        serde_json::from_slice(json).map_err(|_| PasskeyError::Malformed("clientDataJSON"))?;
    if cd.kind != kind {
        return Err(PasskeyError::WrongType);
    }
    let got = URL_SAFE_NO_PAD
        .decode(cd.challenge.trim_end_matches('='))
        .map_err(|_| PasskeyError::Challenge)?;
    if !same(&got, challenge) {
        return Err(PasskeyError::Challenge);
    }
    if cd.origin != rp.origin || cd.cross_origin {
        return Err(PasskeyError::Origin);
    }
    Ok(())
}

/// The fixed head of authenticator data, checked against the relying party.
struct AuthData<'a> {
    flags: u8,
    count: u32,
    rest: &'a [u8],
}

const FLAG_UP: u8 = 0x01;
const FLAG_AT: u8 = 0x40;

fn auth_data<'a>(bytes: &'a [u8], rp: &RelyingParty) -> Result<AuthData<'a>, PasskeyError> {
    if bytes.len() < 37 {
        return Err(PasskeyError::Malformed("authenticator data"));
    }
    if !same(&bytes[..32], &Sha256::digest(rp.id.as_bytes())) {
        return Err(PasskeyError::RpId);
    }
    let flags = bytes[32];
    if flags & FLAG_UP == 0 {
        return Err(PasskeyError::UserPresence);
    }
    let count = u32::from_be_bytes([bytes[33], bytes[34], bytes[35], bytes[36]]);
    Ok(AuthData {
        flags,
        count,
        rest: &bytes[37..],
    })
}

fn int(v: &Value) -> Option<i64> {
    v.as_integer().and_then(|i| i64::try_from(i).ok())
}

/// The ES256 or EdDSA key of a COSE_Key map.
fn cose_key(v: &Value) -> Result<PublicKey, PasskeyError> {
    let map = v
        .as_map()
        .ok_or(PasskeyError::Malformed("credential key"))?;
    let get = |k: i64| {
        map.iter()
            .find(|(key, _)| int(key) == Some(k))
            .map(|e| &e.1)
    };
    let num = |k: i64| get(k).and_then(int);
    let bytes = |k: i64| {
        get(k)
            .and_then(Value::as_bytes)
            .filter(|b| b.len() == 32)
            .ok_or(PasskeyError::Malformed("credential key coordinates"))
    };
    match (num(1), num(3), num(-1)) {
        (Some(2), Some(ES256), Some(1)) => {
            let key = [&[4u8][..], bytes(-2)?, bytes(-3)?].concat();
            Ok(PublicKey { alg: ES256, key })
        }
        (Some(1), Some(EDDSA), Some(6)) => Ok(PublicKey {
            alg: EDDSA,
            key: bytes(-2)?.clone(),
        }),
        _ => Err(PasskeyError::Algorithm),
    }
}

fn text_key<'a>(map: &'a [(Value, Value)], name: &str) -> Option<&'a Value> {
    map.iter()
        .find(|(k, _)| k.as_text() == Some(name))
        .map(|e| &e.1)
}

/// Verifies `navigator.credentials.create()`'s response for `challenge` on `rp`.
pub fn verify_registration(
    rp: &RelyingParty,
    challenge: &[u8; 32],
    client_data: &[u8],
    attestation_object: &[u8],
) -> Result<NewPasskey, PasskeyError> {
    check_client_data(client_data, "webauthn.create", challenge, rp)?;
    let att: Value = ciborium::de::from_reader(attestation_object)
        .map_err(|_| PasskeyError::Malformed("attestationObject"))?;
    let map = att
        .as_map()
        .ok_or(PasskeyError::Malformed("attestationObject"))?;
    let data = text_key(map, "authData")
        .and_then(Value::as_bytes)
        .ok_or(PasskeyError::Malformed("authData"))?;
    let ad = auth_data(data, rp)?;
    if ad.flags & FLAG_AT == 0 || ad.rest.len() < 18 {
        return Err(PasskeyError::Malformed("attested credential data"));
    }
    let len = usize::from(u16::from_be_bytes([ad.rest[16], ad.rest[17]]));
    let rest = &ad.rest[18..];
    if len == 0 || len > MAX_CREDENTIAL_ID || rest.len() < len {
        return Err(PasskeyError::Malformed("credential id"));
    }
    let cose: Value = ciborium::de::from_reader(&rest[len..])
        .map_err(|_| PasskeyError::Malformed("credential key"))?;
    Ok(NewPasskey {
        id: rest[..len].to_vec(),
        key: cose_key(&cose)?,
        count: ad.count,
    })
}

/// Verifies `navigator.credentials.get()`'s response for `challenge` on `rp` with the stored
/// `key` and counter; returns the new counter to store.
pub fn verify_assertion(
    rp: &RelyingParty,
    challenge: &[u8; 32],
    key: &PublicKey,
    stored_count: u32,
    a: &Assertion<'_>,
) -> Result<u32, PasskeyError> {
    check_client_data(a.client_data, "webauthn.get", challenge, rp)?;
    let ad = auth_data(a.authenticator_data, rp)?;
    let signed = [a.authenticator_data, &Sha256::digest(a.client_data)].concat();
    let verified = match key.alg {
        ES256 => {
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &key.key).verify(&signed, a.signature)
        }
        EDDSA => UnparsedPublicKey::new(&ED25519, &key.key).verify(&signed, a.signature),
        _ => return Err(PasskeyError::Algorithm),
    };
    verified.map_err(|_| PasskeyError::Signature)?;
    if (ad.count != 0 || stored_count != 0) && ad.count <= stored_count {
        return Err(PasskeyError::Counter);
    }
    Ok(ad.count)
}

/// How long an issued challenge may be answered.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(300);

/// Issued challenges, each usable once, in memory (a restart forgets them: the recipient
/// presses the button again).
pub struct Challenges {
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
    map: Mutex<HashMap<String, ([u8; 32], Timestamp)>>,
}

impl std::fmt::Debug for Challenges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Challenges").finish_non_exhaustive()
    }
}

impl Challenges {
    /// An empty book.
    pub fn new(clock: Arc<dyn Clock>, rng: Arc<dyn Random>) -> Self {
        Challenges {
            clock,
            rng,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, ([u8; 32], Timestamp)>> {
        // Plain map: consistent even if a holder panicked.
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A fresh challenge for `key` (ceremony, session, copy), replacing a pending one.
    pub fn issue(&self, key: &str) -> [u8; 32] {
        let mut c = [0u8; 32];
        self.rng.fill(&mut c);
        let now = self.clock.now();
        let mut map = self.map();
        map.retain(|_, (_, until)| now < *until);
        map.insert(key.to_string(), (c, now.plus(CHALLENGE_TTL)));
        c
    }

    /// The pending challenge of `key`, removed: a second call finds nothing.
    pub fn take(&self, key: &str) -> Option<[u8; 32]> {
        let (c, until) = self.map().remove(key)?;
        (self.clock.now() < until).then_some(c)
    }
}

/// Base64url (unpadded) for byte fields in JSON.
pub(crate) mod b64 {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&URL_SAFE_NO_PAD.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "passkey_tests.rs"]
mod tests;
