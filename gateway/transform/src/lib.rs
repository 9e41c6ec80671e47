//! Transform stage of the Sealgate pipeline: for each recipient, the first protection method
//! of its chain that is possible now, and that recipient's copy.
//!
//! - [`Transformer::protect`] walks a recipient's [`Requirement`](sealgate_core::Requirement)
//!   chain (`tls-verified`, `pgp`, `smime`, `portal`, then `hold` / `bounce-with-notice`) given
//!   what the deliver stage knows about the next hop ([`Hop`]: TLS as far as known, SIZE,
//!   methods that already failed at delivery) and the keys on file, and returns an [`Outcome`]
//!   with the typed [`Skipped`] reasons of every method passed over.
//! - OpenPGP: PGP/MIME (RFC 3156) with Sequoia (OpenSSL backend), one recipient certificate per
//!   copy, protected headers (RFC 9788 style) inside, placeholder Subject outside when the
//!   subject carried PHI. gpg 2.2 reads the output (SEIPDv1 for v4 keys).
//! - S/MIME: CMS enveloped-data with AES-256-CBC and RSA PKCS#1 v1.5 key transport (OpenSSL);
//!   AES-256-GCM authEnveloped-data only for certificates whose SMIMECapabilities list it.
//! - [`keys`]: import / list / remove / trust over the [`KeyStore`](sealgate_core::store::KeyStore),
//!   with [`TrustLevel`]s `manual` > `verified` > `discovered` and a per-request minimum.
//!
//! Everything here is synchronous CPU work: async callers use `spawn_blocking`. Nothing logs;
//! errors and skip reasons carry fingerprints, serials, sizes and kinds — never content.
//!
//! - [`wkd`]: Web Key Directory discovery (advanced, then direct) over the caller's
//!   `reqwest::Client`, filing keys as `discovered` in the store, which is also the cache.
//!
//! Not yet: signing (tenant OpenPGP key, S/MIME signer), the portal method.
#![forbid(unsafe_code)]

mod chain;
mod error;
pub mod keys;
mod mime;
mod outcome;
mod pgp;
mod skip;
mod smime;
mod trust;
pub mod wkd;

pub use chain::{Hop, Request, Transformer};
pub use error::{ImportError, TransformError};
pub use outcome::{Choice, ChoiceOutcome, ContentCipher, Outcome, Protected, Protection};
pub use skip::{KeyProblem, Problem, Skip, Skipped, TlsCapability};
pub use smime::{SmimeTrust, TrustError};
pub use trust::{TrustLevel, UnknownTrust};

use sealgate_core::Timestamp;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A `Timestamp` as `SystemTime`.
fn time_of(t: Timestamp) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(t.millis())
}
