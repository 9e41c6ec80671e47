//! The transform stage's errors, each classified temporary or permanent for the queue.
//!
//! Guarantees: no error carries a body, a subject or a matched value — only kinds, key
//! fingerprints and library error classes.

use sealgate_core::store::StoreError;

/// A failure of the transform stage as a whole (a single unusable key is not an error: it is
/// a recorded [`crate::Skip`] reason and the chain moves on).
#[derive(Debug, thiserror::Error)]
pub enum TransformError {
    /// The key store could not be read; retry later.
    #[error("key store unavailable: {0}")]
    Store(#[from] StoreError),
    /// The requirement is `reject`, which is answered at DATA and never reaches this stage.
    #[error("a rejected message reached the transform stage")]
    Rejected,
    /// A cryptographic library failed in a way that is not about one key (e.g. no randomness).
    #[error("encryption library failure: {0}")]
    Crypto(String),
}

impl TransformError {
    /// True when retrying later may succeed (the queue keeps the recipient scheduled).
    pub fn is_temporary(&self) -> bool {
        match self {
            TransformError::Store(StoreError::NotFound) => false,
            TransformError::Store(_) | TransformError::Crypto(_) => true,
            TransformError::Rejected => false,
        }
    }
}

/// Why a key file given to `keys import` was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Neither an OpenPGP certificate nor an X.509 certificate (PEM or DER).
    #[error("not an OpenPGP certificate or an X.509 certificate (PEM or DER)")]
    Unrecognised,
    /// The material parsed but names no e-mail address to file it under.
    #[error("the key names no e-mail address")]
    NoAddress,
    /// The file holds a secret key; only public certificates are accepted.
    #[error("the file holds secret key material; import only public certificates")]
    SecretKey,
    /// Unknown trust level.
    #[error("unknown trust level (known: manual, verified, discovered)")]
    Trust,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
