//! Per-recipient history: an append-only list of typed events.
//!
//! Each event is one state change or attempt; the store appends and never rewrites, so the list
//! can later be hash-chained for tamper evidence. Events carry reasons and protocol facts, never
//! bodies, subjects or matched values.

use crate::reply::Reply;
use crate::status::Status;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// One entry in a recipient's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// When it happened.
    pub at: Timestamp,
    /// What happened.
    pub kind: EventKind,
}

/// Facts of one delivery attempt (filled by the deliver stage).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AttemptFacts {
    /// Next hop name (MX host, route, or `outbox`).
    pub next_hop: String,
    /// Peer IP address, if connected.
    pub ip: Option<String>,
    /// TLS version, if TLS was used.
    pub tls_version: Option<String>,
    /// TLS cipher suite, if TLS was used.
    pub tls_cipher: Option<String>,
    /// The server certificate was authenticated — by WebPKI for the host name, or by a
    /// DNSSEC-secure TLSA record (see `dane`) — if TLS was used.
    pub cert_verified: Option<bool>,
    /// `Some(true)` when the certificate was authenticated by DANE (RFC 7672: names and expiry
    /// are not checked for DANE-EE); absent when the host had no usable TLSA records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dane: Option<bool>,
    /// The TLS floor the session was judged against: level and the sources that set it,
    /// e.g. `verify (mta-sts)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_floor: Option<String>,
    /// How the next hop's name was authenticated (DNSSEC-secure MX, MTA-STS, …); absent in
    /// records written before it was recorded, and for attempts that made no connection plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mx_auth: Option<crate::tls::MxAuth>,
    /// The peer's reply, if any.
    pub reply: Option<Reply>,
    /// How the copy sent was protected and signed (filled by the deliver stage's transform
    /// and sign wiring).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<Box<CopyFacts>>,
}

/// How one recipient's copy was protected and signed: methods, reasons, fingerprints, serials,
/// DKIM domains and selectors — never content.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CopyFacts {
    /// The chain method used (`tls-verified`, `pgp`, `smime`), or `already-encrypted`,
    /// `opportunistic`, `tls-required`.
    pub protection: String,
    /// The recipient key used: OpenPGP fingerprint, or S/MIME certificate serial and fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Chain methods passed over before the one used, each `method: reason`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// DKIM signatures on the copy, each `d=DOMAIN s=SELECTOR ALGORITHM-BITS`; or why unsigned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dkim: Vec<String>,
}

/// The kinds of event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "event")]
pub enum EventKind {
    /// Accepted and committed to the spool with this requirement.
    Accepted {
        /// Name of the requirement the decision gave.
        requirement: String,
    },
    /// Status changed.
    Status {
        /// New status.
        status: Status,
        /// Why (generic text: a reply, a policy name, an admin action).
        reason: String,
    },
    /// A delivery attempt was made.
    Attempt(AttemptFacts),
    /// Requeued after a restart found it in flight.
    Recovered,
}

impl Event {
    /// A status change event.
    pub fn status(at: Timestamp, status: Status, reason: impl Into<String>) -> Self {
        Event {
            at,
            kind: EventKind::Status {
                status,
                reason: reason.into(),
            },
        }
    }
}
