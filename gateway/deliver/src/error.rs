//! The deliver stage's error type. Every failure is classified temporary or permanent where it
//! happens, and carries the reply that goes into the attempt record and any DSN: the next hop's
//! own reply when it refused, otherwise a local reply with an enhanced status code and generic
//! text (never internals, bodies or addresses).

use sealgate_core::store::StoreError;
use sealgate_core::{Reply, Severity};

/// Why a delivery (or part of one) failed.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// A DNS lookup failed; `permanent` for NXDOMAIN-like answers.
    #[error("DNS lookup failed: {detail}")]
    Dns {
        /// What failed (names and record types only).
        detail: String,
        /// The domain does not exist (a permanent failure).
        permanent: bool,
    },
    /// Every MX host of the domain resolves only to non-global addresses, which
    /// `[delivery] allow_non_global_destinations` forbids: deferred, bounced at expiry.
    #[error("every mail host of {0} has only non-global addresses (refused by policy)")]
    NonGlobalMx(String),
    /// The domain publishes a null MX (RFC 7505): it accepts no mail.
    #[error("the domain accepts no mail (null MX)")]
    NullMx,
    /// No next hop could be reached.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The next hop does not offer TLS, or the handshake failed, where TLS is required.
    #[error("TLS not available: {0}")]
    TlsRequired(String),
    /// A TLS handshake failed.
    #[error("TLS handshake failed: {0}")]
    Tls(String),
    /// The handshake failed (certificate refused by the host's verifier, or the peer broke
    /// it off), with the TLS-RPT result type.
    #[error("TLS handshake failed: {why}")]
    Handshake {
        /// rustls' words.
        why: String,
        /// The TLS-RPT result type.
        failure: sealgate_tlspolicy::tlsrpt::FailureKind,
    },
    /// The message asked REQUIRETLS (RFC 8689) and no next hop qualified: permanent, `5.7.30`.
    #[error("REQUIRETLS not possible: {0}")]
    RequireTls(String),
    /// The next hop did not answer in time.
    #[error("timeout {0}")]
    Timeout(&'static str),
    /// The next hop broke the protocol or the connection dropped.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The next hop greeted with something other than `220`: it will not talk to us now.
    /// Temporary whatever the code (a `554` greeting says nothing about the recipient — as
    /// Postfix's `smtp_skip_5xx_greeting`): the next host is tried, and later this one again.
    #[error("the next hop refused the session: {0}")]
    Greeting(Reply),
    /// The next hop refused (its reply).
    #[error("refused by the next hop: {0}")]
    Refused(Reply),
    /// The message cannot be sent to this next hop as it is (size, 8-bit, SMTPUTF8).
    #[error("cannot send to this next hop: {0}")]
    Unsendable(Reply),
    /// The spool failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A local configuration problem (bad TLS setup, resolver).
    #[error("configuration: {0}")]
    Config(String),
    /// The transform stage could not run now (key store or encryption library); temporary.
    #[error("transform: {0}")]
    Transform(String),
    /// DKIM signing failed with a key that loaded; temporary (never sent unsigned instead).
    #[error("DKIM signing: {0}")]
    Sign(String),
}

impl From<std::io::Error> for DeliverError {
    fn from(e: std::io::Error) -> Self {
        DeliverError::Protocol(e.kind().to_string())
    }
}

impl DeliverError {
    /// A copy (one per recipient of a failed group; the store error is not `Clone`).
    pub fn copy(&self) -> DeliverError {
        match self {
            DeliverError::Dns { detail, permanent } => DeliverError::Dns {
                detail: detail.clone(),
                permanent: *permanent,
            },
            DeliverError::NullMx => DeliverError::NullMx,
            DeliverError::NonGlobalMx(s) => DeliverError::NonGlobalMx(s.clone()),
            DeliverError::Connect(s) => DeliverError::Connect(s.clone()),
            DeliverError::TlsRequired(s) => DeliverError::TlsRequired(s.clone()),
            DeliverError::Tls(s) => DeliverError::Tls(s.clone()),
            DeliverError::Handshake { why, failure } => DeliverError::Handshake {
                why: why.clone(),
                failure: *failure,
            },
            DeliverError::RequireTls(s) => DeliverError::RequireTls(s.clone()),
            DeliverError::Timeout(s) => DeliverError::Timeout(s),
            DeliverError::Protocol(s) => DeliverError::Protocol(s.clone()),
            DeliverError::Greeting(r) => DeliverError::Greeting(r.clone()),
            DeliverError::Refused(r) => DeliverError::Refused(r.clone()),
            DeliverError::Unsendable(r) => DeliverError::Unsendable(r.clone()),
            DeliverError::Store(e) => DeliverError::Store(StoreError::Io(e.to_string())),
            DeliverError::Config(s) => DeliverError::Config(s.clone()),
            DeliverError::Transform(s) => DeliverError::Transform(s.clone()),
            DeliverError::Sign(s) => DeliverError::Sign(s.clone()),
        }
    }

    /// The reply recorded for this failure (the peer's, or a local one).
    pub fn reply(&self) -> Reply {
        match self {
            DeliverError::Dns {
                permanent: true, ..
            } => Reply::new(550, [5, 1, 2], "Recipient domain not found"),
            DeliverError::Dns { .. } => Reply::new(451, [4, 4, 3], "DNS lookup failed"),
            DeliverError::NullMx => Reply::new(556, [5, 1, 10], "Recipient domain accepts no mail"),
            DeliverError::NonGlobalMx(_) => Reply::new(
                451,
                [4, 4, 4],
                "Mail hosts of the recipient domain have only non-global addresses (loopback, private, link-local); refused by policy",
            ),
            DeliverError::Connect(_) => Reply::new(451, [4, 4, 1], "Cannot connect to next hop"),
            // The reason names hosts, levels and policy sources — never content — and is what
            // explains the deferral in the record, `queue show` and a delay DSN.
            DeliverError::TlsRequired(why) => Reply::new(
                451,
                [4, 7, 5],
                format!("TLS required but not available at next hop: {why}"),
            ),
            DeliverError::Tls(_) | DeliverError::Handshake { .. } => {
                Reply::new(451, [4, 7, 5], "TLS handshake failed")
            }
            DeliverError::RequireTls(_) => Reply::new(
                550,
                [5, 7, 30],
                "REQUIRETLS support required: no next hop offers REQUIRETLS with MTA-STS or DANE validated TLS",
            ),
            DeliverError::Timeout(_) => Reply::new(451, [4, 4, 2], "Next hop timed out"),
            DeliverError::Protocol(_) => Reply::new(451, [4, 4, 2], "Connection to next hop lost"),
            DeliverError::Greeting(r) if r.code >= 500 => {
                Reply::new(451, [4, 4, 1], format!("Next hop refused the session: {r}"))
            }
            DeliverError::Greeting(r) | DeliverError::Refused(r) | DeliverError::Unsendable(r) => {
                r.clone()
            }
            DeliverError::Store(_) => Reply::local_error(),
            DeliverError::Config(_) => Reply::new(451, [4, 3, 5], "Local configuration error"),
            DeliverError::Transform(_) => {
                Reply::new(451, [4, 3, 0], "Message protection temporarily unavailable")
            }
            DeliverError::Sign(_) => {
                Reply::new(451, [4, 3, 0], "Message signing temporarily unavailable")
            }
        }
    }

    /// Temporary or permanent.
    pub fn severity(&self) -> Severity {
        self.reply().severity().unwrap_or(Severity::Temporary)
    }

    /// The reason class for metrics labels.
    pub fn class(&self) -> &'static str {
        match self {
            DeliverError::Dns { .. } => "dns",
            DeliverError::NullMx => "null_mx",
            DeliverError::NonGlobalMx(_) => "non_global_mx",
            DeliverError::Connect(_) => "connect",
            DeliverError::TlsRequired(_)
            | DeliverError::Tls(_)
            | DeliverError::Handshake { .. } => "tls",
            DeliverError::RequireTls(_) => "requiretls",
            DeliverError::Timeout(_) => "timeout",
            DeliverError::Protocol(_) => "protocol",
            DeliverError::Greeting(_) => "greeting",
            DeliverError::Refused(r) if r.code >= 500 => "refused_5xx",
            DeliverError::Refused(_) => "refused_4xx",
            DeliverError::Unsendable(_) => "unsendable",
            DeliverError::Store(_) => "storage",
            DeliverError::Config(_) => "config",
            DeliverError::Transform(_) => "transform",
            DeliverError::Sign(_) => "sign",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_classified_where_they_happen() {
        assert_eq!(DeliverError::NullMx.severity(), Severity::Permanent);
        assert_eq!(
            DeliverError::Connect("refused".into()).severity(),
            Severity::Temporary
        );
        let dns = DeliverError::Dns {
            detail: "x".into(),
            permanent: true,
        };
        assert_eq!(dns.reply().status_text().as_deref(), Some("5.1.2"));
        let r = Reply::new(451, [4, 2, 0], "later");
        assert_eq!(DeliverError::Refused(r).class(), "refused_4xx");
    }

    /// Regression: a `554` greeting bounced every recipient of the only next hop at once.
    #[test]
    fn a_5xx_greeting_is_temporary_and_quoted() {
        let e = DeliverError::Greeting(Reply::new(554, [5, 7, 1], "go away"));
        assert_eq!(e.severity(), Severity::Temporary);
        let r = e.reply();
        assert_eq!((r.code, r.status_text().as_deref()), (451, Some("4.4.1")));
        assert!(r.to_string().contains("554 5.7.1 go away"), "{r}");
    }
}
