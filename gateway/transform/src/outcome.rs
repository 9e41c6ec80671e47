//! What the transform stage returns for one recipient: the [`Outcome`] (a copy and how it is
//! protected, or hold / bounce) with the [`Skipped`] methods, and [`Choice`], the same without
//! the body for the per-message record and `sealgate explain`.
//!
//! Guarantees: nothing here holds content except [`Outcome::Send`]'s body; [`Choice`] and
//! [`Protection`] carry methods, fingerprints, serials and reasons only.

use crate::skip::Skipped;
use sealgate_core::{Body, Method};
use serde::{Deserialize, Serialize};

/// The content cipher of an S/MIME copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContentCipher {
    /// AES-256-CBC enveloped-data.
    Aes256Cbc,
    /// AES-256-GCM authEnveloped-data (only when the certificate lists it).
    Aes256Gcm,
}

/// How a copy that is sent is protected; recorded per recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "protection")]
pub enum Protection {
    /// Requirement `deliver`: opportunistic TLS.
    Opportunistic,
    /// Requirement `tls-only`: TLS required, or drop with notice (deliver decides).
    TlsRequired,
    /// Chain method `tls-verified`: the deliver stage must enforce verified TLS (or the floor).
    TlsVerified,
    /// The input was already encrypted end to end and is sent unchanged.
    AlreadyEncrypted,
    /// PGP/MIME to one certificate.
    Pgp {
        /// Primary key fingerprint.
        fingerprint: String,
        /// The encryption subkeys used.
        subkeys: Vec<String>,
    },
    /// S/MIME enveloped-data to one certificate.
    Smime {
        /// SHA-256 fingerprint of the certificate.
        fingerprint: String,
        /// The certificate's serial number (hex).
        serial: String,
        /// Content cipher.
        cipher: ContentCipher,
    },
    /// Chain method `portal`: the body is the copy to escrow (sanitised and sealed by the
    /// deliver stage); what is sent is a notification that carries no content.
    Portal,
}

impl Protection {
    /// The chain method this copy fulfils, if any.
    pub fn method(&self) -> Option<Method> {
        match self {
            Protection::Opportunistic | Protection::TlsRequired => None,
            Protection::TlsVerified => Some(Method::TlsVerified),
            Protection::AlreadyEncrypted => None,
            Protection::Pgp { .. } => Some(Method::Pgp),
            Protection::Smime { .. } => Some(Method::Smime),
            Protection::Portal => Some(Method::Portal),
        }
    }
}

/// What to do with the recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Send this body (then sign it: DKIM is the last change).
    Send {
        /// The recipient's copy.
        body: Body,
        /// How it is protected.
        protection: Protection,
    },
    /// Hold the copy and notify the sender (chain ended in `hold`, ran out, or requirement `hold`).
    Hold,
    /// Bounce the copy with a notice to the sender.
    BounceWithNotice,
}

/// The chain's result for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    /// What to do.
    pub outcome: Outcome,
    /// Methods passed over before it, in chain order, with why.
    pub skipped: Vec<Skipped>,
}

/// What the per-message record and `sealgate explain` keep of a [`Protected`]: the outcome
/// without the body, and the skipped methods with their reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// `send`, `hold` or `bounce-with-notice`.
    pub outcome: ChoiceOutcome,
    /// Methods passed over, in chain order.
    pub skipped: Vec<Skipped>,
}

/// The outcome part of a [`Choice`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum ChoiceOutcome {
    /// A copy is sent, protected so.
    Send {
        /// How.
        #[serde(flatten)]
        protection: Protection,
    },
    /// Held.
    Hold,
    /// Bounced with notice.
    BounceWithNotice,
}

impl Protected {
    /// The record of this choice (no body, no content).
    pub fn choice(&self) -> Choice {
        let outcome = match &self.outcome {
            Outcome::Send { protection, .. } => ChoiceOutcome::Send {
                protection: protection.clone(),
            },
            Outcome::Hold => ChoiceOutcome::Hold,
            Outcome::BounceWithNotice => ChoiceOutcome::BounceWithNotice,
        };
        Choice {
            outcome,
            skipped: self.skipped.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skip::{Skip, TlsCapability};

    #[test]
    fn choice_records_method_key_and_reasons_as_json() {
        let p = Protected {
            outcome: Outcome::Send {
                body: Body::default(),
                protection: Protection::Pgp {
                    fingerprint: "AB12".into(),
                    subkeys: vec!["CD34".into()],
                },
            },
            skipped: vec![Skipped {
                method: Method::TlsVerified,
                reason: Skip::TlsNotVerified {
                    known: TlsCapability::PlaintextOnly,
                },
            }],
        };
        let json = serde_json::to_value(p.choice()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "outcome": {"outcome": "send", "protection": "pgp", "fingerprint": "AB12", "subkeys": ["CD34"]},
                "skipped": [{"method": "tls-verified", "reason": {"reason": "tls-not-verified", "known": "plaintext-only"}}]
            })
        );
        let back: Choice = serde_json::from_value(json).unwrap();
        assert_eq!(back, p.choice());
    }
}
