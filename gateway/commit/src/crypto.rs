//! Envelope encryption of everything the stores keep at rest: the sealed-blob format.
//!
//! Guarantees: every blob is AES-256-GCM under a fresh random 256-bit data key; the data key is
//! wrapped by a [`KeyWrapper`] (the master keys, later a KMS); the whole header and a caller
//! *context* (for bodies: `body\0` + the 16 message-id bytes) are associated data, so a blob
//! moved to another message, or any flipped byte, fails to open. Data keys are wiped on drop.
//!
//! Format (version 1, all integers big-endian):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `SGSEALED` |
//! | 8 | 1 | format version (1) |
//! | 9 | 1 | key id length *n* (1–255) |
//! | 10 | *n* | master key id (ASCII) |
//! | 10+*n* | 2 | wrapped data key length *m* |
//! | 12+*n* | *m* | wrapped data key (opaque to this module) |
//! | 12+*n*+*m* | 12 | nonce |
//! | … | rest | ciphertext, then the 16-byte GCM tag |

use crate::error::CommitError;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use sealgate_core::time::Random;
use zeroize::Zeroizing;

/// Magic bytes at the start of every sealed blob.
pub const MAGIC: &[u8; 8] = b"SGSEALED";
/// The only format version written and read.
pub const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// A 256-bit data key, wiped from memory on drop.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    /// A fresh random key.
    pub fn generate(rng: &dyn Random) -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        rng.fill(&mut k[..]);
        DataKey(k)
    }

    /// Wraps raw bytes (e.g. from an unwrap).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        DataKey(Zeroizing::new(bytes))
    }

    /// Takes over bytes that are already wiped on drop.
    pub(crate) fn from_zeroizing(bytes: Zeroizing<[u8; 32]>) -> Self {
        DataKey(bytes)
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(self.0.as_ref().into())
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

/// A data key wrapped by a master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// Id of the master key that wrapped it (1–255 ASCII bytes).
    pub key_id: String,
    /// The wrapped bytes, opaque outside the wrapper (at most 65535).
    pub bytes: Vec<u8>,
}

/// Wraps and unwraps data keys. [`crate::MasterKeys`] is the local implementation; an external
/// KMS can replace it without changing the blob format.
pub trait KeyWrapper: Send + Sync {
    /// Wraps `key` with the current master key, binding `context` (unwrap must pass the same).
    fn wrap(
        &self,
        key: &DataKey,
        context: &[u8],
        rng: &dyn Random,
    ) -> Result<WrappedKey, CommitError>;
    /// Unwraps a key wrapped by master key `key_id` (current or older) with the same `context`.
    fn unwrap(&self, key_id: &str, wrapped: &[u8], context: &[u8]) -> Result<DataKey, CommitError>;
}

/// Encrypts `plaintext` into a sealed blob bound to `context`.
pub fn seal(
    wrapper: &dyn KeyWrapper,
    rng: &dyn Random,
    context: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CommitError> {
    let key = DataKey::generate(rng);
    let wrapped = wrapper.wrap(&key, context, rng)?;
    let id_len = u8::try_from(wrapped.key_id.len())
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| CommitError::Crypto("master key id must be 1-255 bytes".into()))?;
    let wrapped_len = u16::try_from(wrapped.bytes.len())
        .map_err(|_| CommitError::Crypto("wrapped data key longer than 65535 bytes".into()))?;
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill(&mut nonce);

    let header_len = 12 + usize::from(id_len) + wrapped.bytes.len() + NONCE_LEN;
    let mut out = Vec::with_capacity(header_len + plaintext.len() + TAG_LEN);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(id_len);
    out.extend_from_slice(wrapped.key_id.as_bytes());
    out.extend_from_slice(&wrapped_len.to_be_bytes());
    out.extend_from_slice(&wrapped.bytes);
    out.extend_from_slice(&nonce);
    let aad = [&out[..], context].concat();
    out.extend_from_slice(plaintext);
    let tag = key
        .cipher()
        .encrypt_in_place_detached(Nonce::from_slice(&nonce), &aad, &mut out[header_len..])
        .map_err(|_| CommitError::Crypto("encryption failed".into()))?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// The parsed header of a sealed blob.
struct Header<'a> {
    key_id: &'a str,
    wrapped: &'a [u8],
    nonce: &'a [u8],
    len: usize,
}

fn parse_header(blob: &[u8]) -> Result<Header<'_>, CommitError> {
    let corrupt = |why: &str| CommitError::Corrupt(format!("sealed blob: {why}"));
    if blob.len() < 10 || &blob[..8] != MAGIC {
        return Err(corrupt("bad magic"));
    }
    if blob[8] != VERSION {
        return Err(corrupt("unknown format version"));
    }
    let id_end = 10 + usize::from(blob[9]);
    let wrapped_start = id_end + 2;
    let len_bytes = blob
        .get(id_end..wrapped_start)
        .ok_or_else(|| corrupt("truncated"))?;
    let wrapped_len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
    let nonce_start = wrapped_start + wrapped_len;
    let len = nonce_start + NONCE_LEN;
    if blob.len() < len + TAG_LEN {
        return Err(corrupt("truncated"));
    }
    let key_id = std::str::from_utf8(&blob[10..id_end]).map_err(|_| corrupt("bad key id"))?;
    Ok(Header {
        key_id,
        wrapped: &blob[wrapped_start..nonce_start],
        nonce: &blob[nonce_start..len],
        len,
    })
}

/// The id of the master key a sealed blob was written with.
pub fn key_id_of(blob: &[u8]) -> Result<&str, CommitError> {
    Ok(parse_header(blob)?.key_id)
}

/// Decrypts a sealed blob (consumed, decrypted in place) that must be bound to `context`.
pub fn open(
    wrapper: &dyn KeyWrapper,
    context: &[u8],
    mut blob: Vec<u8>,
) -> Result<Vec<u8>, CommitError> {
    let header = parse_header(&blob)?;
    let key = wrapper.unwrap(header.key_id, header.wrapped, context)?;
    let nonce = *Nonce::from_slice(header.nonce);
    let header_len = header.len;
    let aad = [&blob[..header_len], context].concat();
    let tag_at = blob.len() - TAG_LEN;
    let tag = *Tag::from_slice(&blob[tag_at..]);
    key.cipher()
        .decrypt_in_place_detached(&nonce, &aad, &mut blob[header_len..tag_at], &tag)
        .map_err(|_| {
            CommitError::Crypto("sealed blob failed authentication (tampered or moved)".into())
        })?;
    blob.truncate(tag_at);
    blob.drain(..header_len);
    Ok(blob)
}

/// The AEAD context of a message body: `body\0` and the 16 id bytes.
pub fn body_context(id: sealgate_core::MessageId) -> Vec<u8> {
    [&b"body\0"[..], &id.to_bytes()].concat()
}
