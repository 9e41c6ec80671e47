//! The two key halves and the sealed-file format.
//!
//! The content key of an escrowed copy is `HKDF-SHA256(ikm = link half ‖ stored half,
//! salt = "sealgate-portal-v1", info = "content\0" ‖ escrow id)`. The *link half* (32 random
//! bytes) exists only in the link's URL fragment (and, in `key_mode = "server"`, wrapped in
//! the store); the *stored half* is kept wrapped under the master key. Neither half alone
//! derives anything: the store without the link, or the link without the store, opens nothing.
//!
//! Sealed file (all integers big-endian): magic `SGPORTAL`, version 1, 12-byte nonce, then the
//! AES-256-GCM ciphertext and its 16-byte tag; the associated data is the 9 header bytes and
//! the 16 escrow-id bytes, so a file moved to another escrow fails to open.

use crate::error::PortalError;
use crate::id::EscrowId;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use sealgate_core::time::Random;
use sha2::Sha256;
use zeroize::Zeroizing;

const MAGIC: &[u8; 8] = b"SGPORTAL";
const VERSION: u8 = 1;
const HEADER_LEN: usize = 9;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const SALT: &[u8] = b"sealgate-portal-v1";

/// One 256-bit key half, wiped from memory on drop and never printed.
pub struct Half(Zeroizing<[u8; 32]>);

impl Half {
    /// A fresh random half.
    pub fn generate(rng: &dyn Random) -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        rng.fill(&mut k[..]);
        Half(k)
    }

    /// Takes over raw bytes (from an unwrap or a decoded fragment).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Half(Zeroizing::new(bytes))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The URL-fragment form: 43 characters of unpadded base64url.
    pub fn to_fragment(&self) -> Zeroizing<String> {
        Zeroizing::new(URL_SAFE_NO_PAD.encode(&self.0[..]))
    }

    /// Decodes the URL-fragment form; `None` for anything that is not exactly 32 bytes.
    pub fn from_fragment(text: &str) -> Option<Self> {
        let bytes = Zeroizing::new(URL_SAFE_NO_PAD.decode(text.trim()).ok()?);
        let arr: [u8; 32] = bytes.as_slice().try_into().ok()?;
        Some(Half::from_bytes(arr))
    }
}

impl std::fmt::Debug for Half {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Half(..)")
    }
}

/// Derives the content key of `id` from its two halves.
fn content_key(link: &Half, stored: &Half, id: EscrowId) -> Result<Aes256Gcm, PortalError> {
    let ikm = Zeroizing::new([&link.0[..], &stored.0[..]].concat());
    let info = [&b"content\0"[..], &id.to_bytes()].concat();
    let mut okm = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(SALT), &ikm)
        .expand(&info, &mut okm[..])
        .map_err(|_| PortalError::Crypto("key derivation failed".into()))?;
    Ok(Aes256Gcm::new(okm.as_ref().into()))
}

fn aad(header: &[u8], id: EscrowId) -> Vec<u8> {
    [header, &id.to_bytes()].concat()
}

/// Seals `plaintext` for escrow `id` under the key of its two halves.
pub fn seal(
    link: &Half,
    stored: &Half,
    id: EscrowId,
    rng: &dyn Random,
    plaintext: &[u8],
) -> Result<Vec<u8>, PortalError> {
    let cipher = content_key(link, stored, id)?;
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill(&mut nonce);
    let mut out = Vec::with_capacity(HEADER_LEN + NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    let start = out.len();
    out.extend_from_slice(plaintext);
    let tag = cipher
        .encrypt_in_place_detached(
            Nonce::from_slice(&nonce),
            &aad(&out[..HEADER_LEN], id),
            &mut out[start..],
        )
        .map_err(|_| PortalError::Crypto("encryption failed".into()))?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// Opens a sealed file of escrow `id` (consumed, decrypted in place).
pub fn open(
    link: &Half,
    stored: &Half,
    id: EscrowId,
    mut blob: Vec<u8>,
) -> Result<Zeroizing<Vec<u8>>, PortalError> {
    let body = HEADER_LEN + NONCE_LEN;
    if blob.len() < body + TAG_LEN || &blob[..8] != MAGIC {
        return Err(PortalError::Corrupt(
            "sealed file: bad magic or truncated".into(),
        ));
    }
    if blob[8] != VERSION {
        return Err(PortalError::Corrupt("sealed file: unknown version".into()));
    }
    let cipher = content_key(link, stored, id)?;
    let nonce = *Nonce::from_slice(&blob[HEADER_LEN..body]);
    let tag_at = blob.len() - TAG_LEN;
    let tag = *Tag::from_slice(&blob[tag_at..]);
    let aad = aad(&blob[..HEADER_LEN], id);
    cipher
        .decrypt_in_place_detached(&nonce, &aad, &mut blob[body..tag_at], &tag)
        .map_err(|_| PortalError::Crypto("sealed file failed authentication".into()))?;
    blob.truncate(tag_at);
    blob.drain(..body);
    Ok(Zeroizing::new(blob))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counter(std::sync::atomic::AtomicU8);
    impl Random for Counter {
        fn fill(&self, buf: &mut [u8]) {
            for b in buf {
                *b = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }

    fn rng() -> Counter {
        Counter(std::sync::atomic::AtomicU8::new(1))
    }

    #[test]
    fn both_halves_and_the_id_are_needed() {
        let r = rng();
        let (link, stored, id) = (
            Half::generate(&r),
            Half::generate(&r),
            EscrowId::generate(&r),
        );
        let blob = seal(&link, &stored, id, &r, b"SSN 078-05-1120").unwrap();
        assert!(!blob.windows(4).any(|w| w == b"078-"));
        assert_eq!(
            &open(&link, &stored, id, blob.clone()).unwrap()[..],
            b"SSN 078-05-1120"
        );
        let other = Half::generate(&r);
        assert!(open(&other, &stored, id, blob.clone()).is_err());
        assert!(open(&link, &other, id, blob.clone()).is_err());
        assert!(
            open(&stored, &link, id, blob.clone()).is_err(),
            "order matters"
        );
        assert!(open(&link, &stored, EscrowId::generate(&r), blob.clone()).is_err());
        let mut flipped = blob;
        flipped[20] ^= 1;
        assert!(open(&link, &stored, id, flipped).is_err());
    }

    #[test]
    fn fragment_round_trips_and_rejects_wrong_lengths() {
        let half = Half::generate(&rng());
        let text = half.to_fragment();
        assert_eq!(text.len(), 43);
        assert_eq!(
            Half::from_fragment(&text).unwrap().as_bytes(),
            half.as_bytes()
        );
        assert!(Half::from_fragment(&text[..40]).is_none());
        assert!(Half::from_fragment("not base64 !").is_none());
        assert_eq!(format!("{half:?}"), "Half(..)");
    }
}
