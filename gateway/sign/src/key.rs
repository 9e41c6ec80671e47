//! DKIM private keys: who owns them, where they come from, and loading them from PEM files.
//! A key that loaded is usable for signing: its type and size were checked here.

use crate::error::KeyProblem;
use aws_lc_rs::signature::Ed25519KeyPair;
use mail_auth::common::crypto::{DkimKey, Ed25519Key, RsaKey, Sha256};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use sealgate_core::Domain;
use std::fmt;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// Who a key belongs to. A message is only ever signed with keys of the owner its caller names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyOwner {
    /// A tenant, by its `[tenants.NAME]` name (`Message::tenant`).
    Tenant(String),
    /// The gateway itself, for the mail it originates (DSNs, sender notices, TLS reports).
    Gateway,
}

impl fmt::Display for KeyOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyOwner::Tenant(name) => write!(f, "tenant {name}"),
            KeyOwner::Gateway => f.write_str("the gateway"),
        }
    }
}

/// A configured key: owner, signing domain (`d=`), selector (`s=`) and PEM file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpec {
    /// Whose key it is.
    pub owner: KeyOwner,
    /// The signing domain.
    pub domain: Domain,
    /// The selector; the public key is published at `selector._domainkey.domain`.
    pub selector: String,
    /// PEM private key file.
    pub path: PathBuf,
}

impl KeySpec {
    /// `selector._domainkey.domain`, the key's DNS name, used to name it in errors.
    pub fn name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }
}

/// The algorithm of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// RSA with SHA-256 (`a=rsa-sha256`); keygen makes 2048-bit keys.
    Rsa,
    /// Ed25519 with SHA-256 (`a=ed25519-sha256`, RFC 8463).
    Ed25519,
}

impl KeyType {
    /// The `a=` tag value.
    pub fn dkim_algorithm(self) -> &'static str {
        match self {
            KeyType::Rsa => "rsa-sha256",
            KeyType::Ed25519 => "ed25519-sha256",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyType::Rsa => "rsa",
            KeyType::Ed25519 => "ed25519",
        })
    }
}

/// A key ready to sign.
pub(crate) struct LoadedKey {
    pub(crate) domain: Domain,
    pub(crate) selector: String,
    pub(crate) key_type: KeyType,
    /// Modulus size for RSA, 256 for Ed25519.
    pub(crate) bits: usize,
    pub(crate) key: DkimKey,
}

impl LoadedKey {
    pub(crate) fn name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }
}

/// True when `s` is one or more DNS labels (letters, digits, inner hyphens) joined by dots
/// (RFC 6376 §3.1 `selector`).
pub fn is_valid_selector(s: &str) -> bool {
    sealgate_config::valid_dkim_selector(s)
}

/// Reads and parses the key file of `spec`, refusing one that group or others can access.
pub(crate) fn load(spec: &KeySpec) -> Result<LoadedKey, KeyProblem> {
    use std::os::unix::fs::PermissionsExt;
    let unreadable = |source| KeyProblem::Unreadable {
        key: spec.name(),
        owner: spec.owner.clone(),
        path: spec.path.clone(),
        source,
    };
    let mode = std::fs::metadata(&spec.path)
        .map_err(unreadable)?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyProblem::Exposed {
            key: spec.name(),
            owner: spec.owner.clone(),
            path: spec.path.clone(),
            mode,
        });
    }
    let pem = std::fs::read(&spec.path)
        .map(Zeroizing::new)
        .map_err(|source| KeyProblem::Unreadable {
            key: spec.name(),
            owner: spec.owner.clone(),
            path: spec.path.clone(),
            source,
        })?;
    let (key_type, bits, key) = parse_pem(&pem).map_err(|reason| KeyProblem::Unusable {
        key: spec.name(),
        owner: spec.owner.clone(),
        path: spec.path.clone(),
        reason,
    })?;
    Ok(LoadedKey {
        domain: spec.domain.clone(),
        selector: spec.selector.clone(),
        key_type,
        bits,
        key,
    })
}

/// Parses a PEM private key: RSA PKCS#1, RSA PKCS#8 or Ed25519 PKCS#8.
pub(crate) fn parse_pem(pem: &[u8]) -> Result<(KeyType, usize, DkimKey), String> {
    let der =
        PrivateKeyDer::from_pem_slice(pem).map_err(|e| format!("not a PEM private key ({e})"))?;
    match der {
        PrivateKeyDer::Pkcs1(der) => rsa(PrivateKeyDer::Pkcs1(der)),
        PrivateKeyDer::Pkcs8(der) => {
            if Ed25519KeyPair::from_pkcs8_maybe_unchecked(der.secret_pkcs8_der()).is_ok() {
                let key = Ed25519Key::from_pkcs8_maybe_unchecked_der(der.secret_pkcs8_der())
                    .map_err(|e| format!("not a usable Ed25519 key ({e})"))?;
                return Ok((KeyType::Ed25519, 256, DkimKey::Ed25519(key)));
            }
            rsa(PrivateKeyDer::Pkcs8(der))
        }
        PrivateKeyDer::Sec1(_) => {
            Err("an elliptic-curve (SEC1) key; DKIM signs with RSA or Ed25519".into())
        }
        _ => Err("an unsupported private key format".into()),
    }
}

fn rsa(der: PrivateKeyDer<'_>) -> Result<(KeyType, usize, DkimKey), String> {
    let checked = match &der {
        PrivateKeyDer::Pkcs1(d) => aws_lc_rs::rsa::KeyPair::from_der(d.secret_pkcs1_der()),
        PrivateKeyDer::Pkcs8(d) => aws_lc_rs::rsa::KeyPair::from_pkcs8(d.secret_pkcs8_der()),
        _ => return Err("an unsupported private key format".into()),
    }
    .map_err(|e| match e.to_string().as_str() {
        "WrongAlgorithm" => "neither an RSA nor an Ed25519 key (elliptic-curve and other key \
                             types cannot sign DKIM)"
            .to_string(),
        _ => format!("not a usable RSA (2048 to 8192 bits) or Ed25519 key ({e})"),
    })?;
    let bits = checked.public_modulus_len() * 8;
    let key =
        RsaKey::<Sha256>::from_key_der(der).map_err(|e| format!("not a usable RSA key ({e})"))?;
    Ok((KeyType::Rsa, bits, DkimKey::Rsa(key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        for ok in ["s2026", "a.b", "sel-1", "2026q1"] {
            assert!(is_valid_selector(ok), "{ok}");
        }
        for bad in ["", "a..b", "-a", "a-", "a_b", "a b", "a;b", "é"] {
            assert!(!is_valid_selector(bad), "{bad}");
        }
    }

    #[test]
    fn garbage_is_not_a_key() {
        assert!(parse_pem(b"hello").is_err());
        assert!(
            parse_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").is_err()
        );
    }
}
