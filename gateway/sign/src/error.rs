//! Errors of the sign stage. Loading problems name the key (`selector._domainkey.domain`), its
//! owner and its file; none carries message content.

use crate::key::KeyOwner;
use sealgate_core::Domain;
use std::fmt;
use std::path::PathBuf;

/// Why a [`Signer`](crate::Signer) could not be built or a message could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// One or more configured keys cannot be used: a configuration error (fix and restart).
    /// Every problem found is listed.
    #[error("{}", Problems(.0))]
    Config(Vec<KeyProblem>),
    /// The crypto library refused to sign. Not expected with a key that loaded; callers should
    /// treat it as a temporary failure rather than send the message unsigned.
    #[error("DKIM signing with {key} failed: {reason}")]
    Sign {
        /// `selector._domainkey.domain`.
        key: String,
        /// The library's reason.
        reason: String,
    },
}

impl SignError {
    /// True for configuration errors (a key that cannot be loaded).
    pub fn is_config(&self) -> bool {
        matches!(self, SignError::Config(_))
    }
}

/// One unusable key in the configuration.
#[derive(Debug, thiserror::Error)]
pub enum KeyProblem {
    /// The key file cannot be read.
    #[error("DKIM key {key} of {owner}: cannot read {}: {source}", .path.display())]
    Unreadable {
        /// `selector._domainkey.domain`.
        key: String,
        /// Whose key it is.
        owner: KeyOwner,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key file is accessible by group or others (the master key's rule).
    #[error(
        "DKIM key {key} of {owner}: {} is accessible by group or others (mode {mode:04o}); run `chmod 600 {}`",
        .path.display(), .path.display()
    )]
    Exposed {
        /// `selector._domainkey.domain`.
        key: String,
        /// Whose key it is.
        owner: KeyOwner,
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file is not a usable RSA or Ed25519 private key.
    #[error("DKIM key {key} of {owner}: {}: {reason}", .path.display())]
    Unusable {
        /// `selector._domainkey.domain`.
        key: String,
        /// Whose key it is.
        owner: KeyOwner,
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The selector is not a sequence of DNS labels.
    #[error("DKIM key {key} of {owner}: selector is not a DNS name (letters, digits, hyphens)")]
    BadSelector {
        /// `selector._domainkey.domain` as given.
        key: String,
        /// Whose key it is.
        owner: KeyOwner,
    },
    /// The domain has a single label (a key would match as a top-level domain).
    #[error("DKIM key {key} of {owner}: domain needs at least two labels")]
    BadDomain {
        /// `selector._domainkey.domain`.
        key: String,
        /// Whose key it is.
        owner: KeyOwner,
    },
    /// The same selector and domain are configured twice for one owner.
    #[error("DKIM key {key} of {owner}: configured twice")]
    Duplicate {
        /// `selector._domainkey.domain`.
        key: String,
        /// Whose key it is.
        owner: KeyOwner,
    },
    /// Two tenants have keys for the same domain; a domain's keys belong to one tenant.
    #[error(
        "DKIM domain {domain}: keys configured for both {first} and {second}; a domain's keys belong to one tenant"
    )]
    SharedDomain {
        /// The domain.
        domain: Domain,
        /// The owner configured first.
        first: KeyOwner,
        /// The other owner.
        second: KeyOwner,
    },
}

struct Problems<'a>(&'a [KeyProblem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}
