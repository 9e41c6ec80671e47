//! What the caller asks of a connection: the rule's TLS wish, the TLS a pooled connection was
//! opened for, what the negotiation reached, the EHLO name and source address, and the
//! RFC 5321 timeouts.

use rustls::pki_types::CertificateDer;
use sealgate_tlspolicy::{OnFailure, RuleFloor, TlsLevel};
use std::net::IpAddr;
use std::time::Duration;

/// How much TLS the rule decision asks for a recipient's copy (the rule's part of the floor;
/// the TLS policy adds the admin table, MTA-STS, DANE and pins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TlsPolicy {
    /// STARTTLS when offered, any certificate; plaintext otherwise (RFC 7435).
    Opportunistic,
    /// TLS with any certificate, or no delivery.
    Required,
    /// TLS with a certificate valid for the host name, or no delivery.
    Verified,
}

impl TlsPolicy {
    /// Name for logs and attempt records.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsPolicy::Opportunistic => "opportunistic",
            TlsPolicy::Required => "required",
            TlsPolicy::Verified => "verified",
        }
    }

    /// The rule's floor part: `may` / forced (a `deliver` copy, or one already encrypted),
    /// `encrypt` / exclusive (`tls-only`: TLS or drop), `verify` / forced (`tls-verified`: the
    /// chain's next method when unmet).
    pub fn rule_floor(self, requirement: &'static str) -> RuleFloor {
        let (level, on_failure) = match self {
            TlsPolicy::Opportunistic => (TlsLevel::May, OnFailure::Forced),
            TlsPolicy::Required => (TlsLevel::Encrypt, OnFailure::Exclusive),
            TlsPolicy::Verified => (TlsLevel::Verify, OnFailure::Forced),
        };
        RuleFloor {
            level,
            on_failure,
            requirement,
        }
    }
}

/// What TLS a pooled connection was opened for: the host's level and whether its verifier was
/// DANE's (connections are reused only under the same verifier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TlsKey {
    /// The host's effective level.
    pub level: TlsLevel,
    /// The DANE verifier was used.
    pub dane: bool,
}

/// What a connection's TLS negotiation reached.
#[derive(Debug, Clone, Default)]
pub struct TlsSeen {
    /// The chain the server presented in a handshake that passed the verifier; `None` when
    /// the session is in plaintext.
    pub chain: Option<Vec<CertificateDer<'static>>>,
    /// The server offered STARTTLS.
    pub offered: bool,
    /// The chain also passed WebPKI for the host name (recorded whatever the level).
    pub webpki_ok: bool,
}

/// How the client presents itself and what TLS it insists on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionParams {
    /// EHLO name.
    pub helo: String,
    /// Local address to bind.
    pub source: Option<IpAddr>,
    /// TLS the connection was opened for.
    pub tls: TlsKey,
    /// The tenant whose client certificate the connection presents (return routes).
    pub client_cert: Option<String>,
}

/// Client timeouts (RFC 5321 §4.5.3.2 defaults, except connect).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// TCP connect.
    pub connect: Duration,
    /// Greeting, EHLO, STARTTLS, MAIL, RCPT, RSET (5 minutes).
    pub command: Duration,
    /// Reply to DATA (2 minutes).
    pub data_init: Duration,
    /// Writing the body (3 minutes per block; applied to the whole write).
    pub data_block: Duration,
    /// Reply to the final dot (10 minutes).
    pub data_done: Duration,
}

impl Timeouts {
    /// RFC 5321 values with the given connect timeout.
    pub fn rfc5321(connect: Duration) -> Self {
        Timeouts {
            connect,
            command: Duration::from_secs(300),
            data_init: Duration::from_secs(120),
            data_block: Duration::from_secs(180),
            data_done: Duration::from_secs(600),
        }
    }
}
