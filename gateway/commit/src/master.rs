//! Master keys: the local [`KeyWrapper`], holding several AES-256 keys by id with one current.
//!
//! Guarantees: new data keys are wrapped (AES-256-GCM, random nonce) with the current key only;
//! any key still held can unwrap what it wrapped, so rotation never rewrites stored bodies; the
//! key id and the caller's context are associated data of the wrap; key bytes are wiped on drop
//! and never printed (`Debug` shows ids only).
//!
//! A wrapped data key is `nonce (12) ‖ ciphertext (32) ‖ tag (16)`.

use crate::crypto::{DataKey, KeyWrapper, WrappedKey};
use crate::error::CommitError;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use sealgate_core::time::Random;
use zeroize::Zeroizing;

const WRAP_AAD_PREFIX: &[u8] = b"sealgate-wrap-v1\0";

/// One master key.
struct MasterKey {
    id: String,
    key: Zeroizing<[u8; 32]>,
}

/// The set of master keys, one of them current.
pub struct MasterKeys {
    keys: Vec<MasterKey>,
    current: usize,
}

impl std::fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKeys")
            .field("ids", &self.ids().collect::<Vec<_>>())
            .field("current", &self.current_id())
            .finish()
    }
}

/// True for an id usable in the key file and the blob header: 1–64 of `[A-Za-z0-9._-]`.
pub fn valid_key_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl MasterKeys {
    /// A set holding one key, which is current.
    pub fn new(id: &str, key: [u8; 32]) -> Result<Self, CommitError> {
        let mut keys = MasterKeys::empty();
        keys.add(id, key)?;
        Ok(keys)
    }

    /// A set holding one freshly generated key.
    pub fn generate(id: &str, rng: &dyn Random) -> Result<Self, CommitError> {
        let mut key = Zeroizing::new([0u8; 32]);
        rng.fill(&mut key[..]);
        let mut keys = MasterKeys::empty();
        keys.add_zeroizing(id, key)?;
        Ok(keys)
    }

    /// A set with no key yet: only for building one; callers add a key before any other use
    /// (`current_id` indexes the key list).
    pub(crate) fn empty() -> Self {
        MasterKeys {
            keys: Vec::new(),
            current: 0,
        }
    }

    /// Adds a key (not current). Ids must be valid and unique.
    pub fn add(&mut self, id: &str, key: [u8; 32]) -> Result<(), CommitError> {
        self.add_zeroizing(id, Zeroizing::new(key))
    }

    pub(crate) fn add_zeroizing(
        &mut self,
        id: &str,
        key: Zeroizing<[u8; 32]>,
    ) -> Result<(), CommitError> {
        if !valid_key_id(id) {
            return Err(CommitError::Crypto(format!(
                "invalid master key id {id:?}: use 1-64 of A-Z a-z 0-9 . _ -"
            )));
        }
        if self.keys.iter().any(|k| k.id == id) {
            return Err(CommitError::Crypto(format!(
                "duplicate master key id {id:?}"
            )));
        }
        self.keys.push(MasterKey {
            id: id.to_string(),
            key,
        });
        Ok(())
    }

    /// Makes the key with this id current (used for all new wraps).
    pub fn set_current(&mut self, id: &str) -> Result<(), CommitError> {
        self.current = self
            .keys
            .iter()
            .position(|k| k.id == id)
            .ok_or_else(|| CommitError::Crypto(format!("no master key with id {id:?}")))?;
        Ok(())
    }

    /// Id of the current key.
    pub fn current_id(&self) -> &str {
        // `current` always indexes `keys`: both constructors add a key first and
        // `set_current` only stores found positions; keys are never removed.
        &self.keys[self.current].id
    }

    /// All ids, in file order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.id.as_str())
    }

    /// The raw key bytes of an id (for writing the key file).
    pub(crate) fn key_bytes(&self, id: &str) -> Option<&[u8; 32]> {
        self.keys.iter().find(|k| k.id == id).map(|k| &*k.key)
    }

    fn cipher(&self, id: &str) -> Result<Aes256Gcm, CommitError> {
        let key = self
            .key_bytes(id)
            .ok_or_else(|| CommitError::Crypto(format!("unknown master key id {id:?}")))?;
        Ok(Aes256Gcm::new(key.into()))
    }
}

fn wrap_aad(key_id: &str, context: &[u8]) -> Vec<u8> {
    [WRAP_AAD_PREFIX, key_id.as_bytes(), b"\0", context].concat()
}

impl KeyWrapper for MasterKeys {
    fn wrap(
        &self,
        key: &DataKey,
        context: &[u8],
        rng: &dyn Random,
    ) -> Result<WrappedKey, CommitError> {
        let id = self.current_id();
        let mut nonce = [0u8; 12];
        rng.fill(&mut nonce);
        let mut buf = Zeroizing::new(*key.as_bytes());
        let tag = self
            .cipher(id)?
            .encrypt_in_place_detached(
                Nonce::from_slice(&nonce),
                &wrap_aad(id, context),
                &mut buf[..],
            )
            .map_err(|_| CommitError::Crypto("data key wrap failed".into()))?;
        Ok(WrappedKey {
            key_id: id.to_string(),
            bytes: [&nonce[..], &buf[..], &tag[..]].concat(),
        })
    }

    fn unwrap(&self, key_id: &str, wrapped: &[u8], context: &[u8]) -> Result<DataKey, CommitError> {
        if wrapped.len() != 12 + 32 + 16 {
            return Err(CommitError::Corrupt(
                "wrapped data key has a bad length".into(),
            ));
        }
        let mut buf = Zeroizing::new([0u8; 32]);
        buf.copy_from_slice(&wrapped[12..44]);
        self.cipher(key_id)?
            .decrypt_in_place_detached(
                Nonce::from_slice(&wrapped[..12]),
                &wrap_aad(key_id, context),
                &mut buf[..],
                Tag::from_slice(&wrapped[44..]),
            )
            .map_err(|_| {
                CommitError::Crypto("data key unwrap failed (wrong key, tampered or moved)".into())
            })?;
        Ok(DataKey::from_zeroizing(buf))
    }
}
