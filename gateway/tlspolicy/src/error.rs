//! The crate's error type. Every variant says whether it is temporary (retry later: DNS,
//! network, storage) or permanent (configuration, a malformed policy), for the queue.

use sealgate_core::Severity;
use sealgate_core::store::StoreError;

/// A policy lookup or report failure. Texts name what failed, never message content.
#[derive(Debug, thiserror::Error)]
pub enum TlsPolicyError {
    /// A DNS lookup failed (SERVFAIL, timeout, network).
    #[error("DNS lookup failed: {0}")]
    Dns(String),
    /// An MTA-STS policy could not be fetched (network, TLS, status, type, size, time).
    #[error("MTA-STS policy fetch failed: {0}")]
    Fetch(String),
    /// A fetched MTA-STS policy or `_mta-sts` record is malformed.
    #[error("MTA-STS policy invalid: {0}")]
    Invalid(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The configuration cannot be used (bad trust anchor, unreadable CA file, TLS setup).
    #[error("TLS policy configuration: {0}")]
    Config(String),
    /// A TLS-RPT report could not be built.
    #[error("TLS-RPT report: {0}")]
    Report(String),
}

impl TlsPolicyError {
    /// Temporary (retry later) or permanent, for the queue.
    pub fn severity(&self) -> Severity {
        match self {
            TlsPolicyError::Dns(_) | TlsPolicyError::Fetch(_) | TlsPolicyError::Store(_) => {
                Severity::Temporary
            }
            TlsPolicyError::Invalid(_) | TlsPolicyError::Config(_) | TlsPolicyError::Report(_) => {
                Severity::Permanent
            }
        }
    }
}
