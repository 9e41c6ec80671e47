//! [`KeyStore`] over the spool's database: recipient certificates and DKIM private keys.
//!
//! Guarantees: DKIM material (private keys) is stored only sealed — AES-256-GCM under a fresh
//! data key wrapped by the master keys, bound to its kind, name and fingerprint, so a sealed key
//! moved to another record fails to open. Public material (OpenPGP, S/MIME) is stored as is.
//! Writes are durable group commits.

use crate::crypto;
use crate::error::CommitError;
use crate::queue::{Shared, Spool};
use crate::schema;
use sealgate_core::store::{KeyKind, KeyRecord, KeyStore, StoreError};
use sealgate_core::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The spool's key store (see [`Spool::keys`]).
#[derive(Clone)]
pub struct SpoolKeys {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SpoolKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpoolKeys")
    }
}

impl Spool {
    /// The key store backed by this spool's database.
    pub fn keys(&self) -> SpoolKeys {
        SpoolKeys {
            shared: self.shared.clone(),
        }
    }
}

/// How the material is kept.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Material {
    /// Public material, hex.
    Clear(String),
    /// A sealed blob (see `crypto.rs`), hex.
    Sealed(String),
}

#[derive(Serialize, Deserialize)]
struct StoredKey {
    trust: String,
    added_at: Timestamp,
    material: Material,
}

fn kind_name(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::OpenPgp => "open-pgp",
        KeyKind::Smime => "smime",
        KeyKind::Dkim => "dkim",
    }
}

fn context(kind: KeyKind, name: &str, fingerprint: &str) -> Vec<u8> {
    [
        b"key\0",
        kind_name(kind).as_bytes(),
        b"\0",
        name.as_bytes(),
        b"\0",
        fingerprint.as_bytes(),
    ]
    .concat()
}

impl SpoolKeys {
    fn put_inner(&self, record: &KeyRecord) -> Result<(), CommitError> {
        let sh = &*self.shared;
        let material = if record.kind == KeyKind::Dkim {
            let ctx = context(record.kind, &record.name, &record.fingerprint);
            Material::Sealed(hex::encode(crypto::seal(
                &*sh.wrapper,
                &*sh.rng,
                &ctx,
                &record.material,
            )?))
        } else {
            Material::Clear(hex::encode(&record.material))
        };
        let value = schema::encode(&StoredKey {
            trust: record.trust.clone(),
            added_at: record.added_at,
            material,
        })?;
        let (kind, name, fp) = (
            kind_name(record.kind),
            record.name.clone(),
            record.fingerprint.clone(),
        );
        sh.write(Box::new(move |txn| {
            txn.open_table(schema::KEYS)?
                .insert((kind, name.as_str(), fp.as_str()), value.as_slice())?;
            Ok(0)
        }))?;
        Ok(())
    }

    fn decode(
        &self,
        kind: KeyKind,
        name: &str,
        fingerprint: &str,
        bytes: &[u8],
    ) -> Result<KeyRecord, CommitError> {
        let stored: StoredKey = schema::decode(bytes)?;
        let bad_hex = |_| CommitError::Corrupt("key material is not hex".into());
        let material = match stored.material {
            Material::Clear(h) => hex::decode(h).map_err(bad_hex)?,
            Material::Sealed(h) => crypto::open(
                &*self.shared.wrapper,
                &context(kind, name, fingerprint),
                hex::decode(h).map_err(bad_hex)?,
            )?,
        };
        Ok(KeyRecord {
            kind,
            name: name.to_string(),
            fingerprint: fingerprint.to_string(),
            trust: stored.trust,
            material,
            added_at: stored.added_at,
        })
    }

    /// Records of `kind`, only those named `name` when given.
    fn scan(&self, kind: KeyKind, name: Option<&str>) -> Result<Vec<KeyRecord>, CommitError> {
        let txn = schema::read(&self.shared.db)?;
        let table = txn.open_table(schema::KEYS)?;
        let k = kind_name(kind);
        let mut out = Vec::new();
        for row in table.range((k, name.unwrap_or(""), "")..)? {
            let (key, value) = row?;
            let (rk, rn, rf) = key.value();
            if rk != k || name.is_some_and(|n| n != rn) {
                break;
            }
            out.push(self.decode(kind, rn, rf, value.value())?);
        }
        Ok(out)
    }

    fn remove_inner(&self, kind: KeyKind, name: &str, fp: &str) -> Result<(), CommitError> {
        let (k, name, fp) = (kind_name(kind), name.to_string(), fp.to_string());
        self.shared.write(Box::new(move |txn| {
            let mut table = txn.open_table(schema::KEYS)?;
            match table.remove((k, name.as_str(), fp.as_str()))? {
                Some(_) => Ok(0),
                None => Err(CommitError::NotFound),
            }
        }))?;
        Ok(())
    }
}

impl KeyStore for SpoolKeys {
    fn put(&self, record: &KeyRecord) -> Result<(), StoreError> {
        Ok(self.put_inner(record)?)
    }

    fn find(&self, kind: KeyKind, name: &str) -> Result<Vec<KeyRecord>, StoreError> {
        Ok(self.scan(kind, Some(name))?)
    }

    fn list(&self, kind: KeyKind) -> Result<Vec<KeyRecord>, StoreError> {
        Ok(self.scan(kind, None)?)
    }

    fn remove(&self, kind: KeyKind, name: &str, fingerprint: &str) -> Result<(), StoreError> {
        Ok(self.remove_inner(kind, name, fingerprint)?)
    }
}
