//! Recipient keys in the [`KeyStore`]: import, list, remove and re-trust OpenPGP certificates
//! and S/MIME certificates (the `sealgate keys` commands call these).
//!
//! Guarantees: only public material is stored (a file holding a secret key is refused); a key
//! is filed once per e-mail address it names, under the lower-cased address; fingerprints are
//! matched without regard to case, spaces or colons.

use crate::ImportError;
use crate::pgp::PgpCert;
use crate::smime::SmimeCert;
use crate::trust::TrustLevel;
use sealgate_core::store::{KeyKind, KeyRecord, KeyStore, StoreError};
use sealgate_core::{Address, Timestamp};
use serde::{Deserialize, Serialize};

/// The name recipient keys are filed under: the address, lower case.
pub fn lookup_name(address: &Address) -> String {
    format!("{}@{}", address.local(), address.domain()).to_lowercase()
}

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    /// OpenPGP or S/MIME.
    pub kind: KeyKind,
    /// Fingerprint it is filed under.
    pub fingerprint: String,
    /// Addresses it was filed for.
    pub addresses: Vec<String>,
    /// Trust given.
    pub trust: TrustLevel,
}

/// A stored key without its material, for listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    /// OpenPGP or S/MIME.
    pub kind: KeyKind,
    /// Address it is filed under.
    pub address: String,
    /// Fingerprint.
    pub fingerprint: String,
    /// Trust level.
    pub trust: String,
    /// When it was added.
    pub added_at: Timestamp,
}

fn looks_x509(material: &[u8]) -> bool {
    material.windows(17).any(|w| w == b"BEGIN CERTIFICATE") || material.first() == Some(&0x30)
}

/// Parses `material` (an OpenPGP certificate, armored or binary; or X.509 PEM/DER with
/// optional intermediates after the leaf) and files it for every address it names.
pub fn import(
    store: &dyn KeyStore,
    material: &[u8],
    trust: TrustLevel,
    now: Timestamp,
) -> Result<Imported, ImportError> {
    if material.windows(11).any(|w| w == b"PRIVATE KEY") {
        return Err(ImportError::SecretKey);
    }
    let (kind, fingerprint, addresses) = if looks_x509(material) {
        let c = SmimeCert::parse(material).map_err(|_| ImportError::Unrecognised)?;
        (KeyKind::Smime, c.fingerprint(), c.addresses())
    } else {
        let c = PgpCert::parse(material).map_err(|_| ImportError::Unrecognised)?;
        if c.is_secret() {
            return Err(ImportError::SecretKey);
        }
        (KeyKind::OpenPgp, c.fingerprint(), c.addresses(now))
    };
    if addresses.is_empty() {
        return Err(ImportError::NoAddress);
    }
    for name in &addresses {
        store.put(&KeyRecord {
            kind,
            name: name.clone(),
            fingerprint: fingerprint.clone(),
            trust: trust.as_str().to_string(),
            material: material.to_vec(),
            added_at: now,
        })?;
    }
    Ok(Imported {
        kind,
        fingerprint,
        addresses,
        trust,
    })
}

fn normalise(fp: &str) -> String {
    fp.chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect::<String>()
        .to_ascii_uppercase()
}

fn recipient_records(store: &dyn KeyStore) -> Result<Vec<KeyRecord>, StoreError> {
    let mut all = store.list(KeyKind::OpenPgp)?;
    all.extend(store.list(KeyKind::Smime)?);
    Ok(all)
}

/// Every recipient key (OpenPGP and S/MIME), without material.
pub fn list(store: &dyn KeyStore) -> Result<Vec<Listed>, StoreError> {
    Ok(recipient_records(store)?
        .into_iter()
        .map(|r| Listed {
            kind: r.kind,
            address: r.name,
            fingerprint: r.fingerprint,
            trust: r.trust,
            added_at: r.added_at,
        })
        .collect())
}

fn matching(store: &dyn KeyStore, fingerprint: &str) -> Result<Vec<KeyRecord>, StoreError> {
    let want = normalise(fingerprint);
    let found: Vec<KeyRecord> = recipient_records(store)?
        .into_iter()
        .filter(|r| normalise(&r.fingerprint) == want)
        .collect();
    if found.is_empty() {
        return Err(StoreError::NotFound);
    }
    Ok(found)
}

/// Removes every record with this fingerprint (all its addresses); returns how many.
pub fn remove(store: &dyn KeyStore, fingerprint: &str) -> Result<usize, StoreError> {
    let found = matching(store, fingerprint)?;
    for r in &found {
        store.remove(r.kind, &r.name, &r.fingerprint)?;
    }
    Ok(found.len())
}

/// Sets the trust level of every record with this fingerprint; returns how many.
pub fn set_trust(
    store: &dyn KeyStore,
    fingerprint: &str,
    trust: TrustLevel,
) -> Result<usize, StoreError> {
    let found = matching(store, fingerprint)?;
    for mut r in found.iter().cloned() {
        r.trust = trust.as_str().to_string();
        store.put(&r)?;
    }
    Ok(found.len())
}
