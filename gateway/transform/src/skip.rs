//! Why a method was passed over: the typed reasons that go into the per-message record and
//! `sealgate explain`.
//!
//! Guarantees: reasons carry method names, key fingerprints, certificate serials, sizes and
//! trust levels only — never an address, a subject or any content.

use crate::trust::TrustLevel;
use sealgate_core::Method;
use serde::{Deserialize, Serialize};

/// What is known about the recipient's next hop's TLS, as far as the deliver stage knows now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsCapability {
    /// Nothing known yet (no attempt, no policy): `tls-verified` is tried and the deliver stage
    /// enforces it, sending the recipient back here if it fails.
    Unknown,
    /// The hop is known to meet TLS at `verify` (or the domain's higher floor).
    Verified,
    /// The hop offers TLS, but it does not verify (wrong name, untrusted or expired certificate).
    Unverified,
    /// The hop offers no STARTTLS at all.
    PlaintextOnly,
}

/// Why one key or certificate could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "problem")]
pub enum Problem {
    /// The stored material does not parse.
    Unparseable,
    /// The certificate (or every encryption subkey) has expired.
    Expired,
    /// The certificate is not valid yet.
    NotYetValid,
    /// The certificate (or every encryption subkey) is revoked.
    Revoked,
    /// No key is marked for (transport) encryption.
    NoEncryptionKey,
    /// The OpenPGP standard policy rejects the certificate (weak algorithms, bad binding).
    RejectedByPolicy,
    /// Trust below what the rule requires.
    BelowTrust {
        /// The key's level.
        have: TrustLevel,
        /// The minimum asked.
        need: TrustLevel,
    },
    /// The certificate does not chain to a trusted root, or is not for S/MIME encryption.
    Untrusted {
        /// The verifier's reason (an OpenSSL verify error string; no content).
        reason: String,
    },
    /// The library refused to encrypt to this key.
    EncryptFailed,
}

/// One key that was looked at and not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyProblem {
    /// OpenPGP fingerprint, or the S/MIME certificate's SHA-256 fingerprint.
    pub fingerprint: String,
    /// Why.
    pub problem: Problem,
}

/// Why a method of the chain was not taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "reason")]
pub enum Skip {
    /// The hop is known not to meet verified TLS.
    TlsNotVerified {
        /// What is known.
        known: TlsCapability,
    },
    /// The method was tried and failed at delivery (the deliver stage sent it back).
    FailedAtDelivery,
    /// No key or certificate on file for the recipient.
    NoKey,
    /// Keys are on file, none usable; each with its reason.
    NoUsableKey {
        /// Every key looked at.
        keys: Vec<KeyProblem>,
    },
    /// The copy would exceed the recipient's advertised SIZE.
    TooLarge {
        /// Octets the copy needs (estimated before encrypting, exact after).
        size: u64,
        /// The recipient's limit.
        limit: u64,
    },
    /// The gateway cannot perform the method (`portal` with no `[portal]` configured).
    NotAvailable,
}

/// A method passed over, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The method.
    pub method: Method,
    /// Why.
    pub reason: Skip,
}
