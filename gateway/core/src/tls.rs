//! The TLS vocabulary shared by rules, config and delivery (DESIGN.md "Protection model"):
//! security levels after Postfix's model, ordered weakest to strictest, and what happens when a
//! recipient domain's floor cannot be met at delivery.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An outbound TLS security level; `Ord` follows strictness (`None < May < … < DaneOnly`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsLevel {
    /// No TLS at all.
    None,
    /// Opportunistic: STARTTLS when offered, any certificate, plaintext otherwise (RFC 7435).
    May,
    /// TLS mandatory, any certificate.
    Encrypt,
    /// TLS mandatory with a WebPKI chain valid for the MX host name.
    Verify,
    /// DANE (RFC 7672) where DNSSEC-secure TLSA records exist; TLS mandatory then.
    Dane,
    /// DANE mandatory: no usable, secure TLSA records means no delivery.
    DaneOnly,
}

impl TlsLevel {
    /// Every level, weakest first.
    pub const ALL: [TlsLevel; 6] = [
        TlsLevel::None,
        TlsLevel::May,
        TlsLevel::Encrypt,
        TlsLevel::Verify,
        TlsLevel::Dane,
        TlsLevel::DaneOnly,
    ];

    /// Name as written in config and audit records.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsLevel::None => "none",
            TlsLevel::May => "may",
            TlsLevel::Encrypt => "encrypt",
            TlsLevel::Verify => "verify",
            TlsLevel::Dane => "dane",
            TlsLevel::DaneOnly => "dane-only",
        }
    }

    /// True when delivery without TLS is not allowed at this level.
    pub fn requires_tls(self) -> bool {
        self >= TlsLevel::Encrypt
    }
}

impl fmt::Display for TlsLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text names no TLS level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown TLS level (known: none, may, encrypt, verify, dane, dane-only)")]
pub struct UnknownTlsLevel;

impl FromStr for TlsLevel {
    type Err = UnknownTlsLevel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TlsLevel::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s))
            .ok_or(UnknownTlsLevel)
    }
}

/// What happens to a recipient when its domain's TLS floor cannot be met at delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnFailure {
    /// Back to transform for the next method of the chain (or the global fallback chain).
    Forced,
    /// "TLS or drop": dropped with a sender notice and an audit event.
    Exclusive,
}

impl OnFailure {
    /// Name as written in config.
    pub fn as_str(self) -> &'static str {
        match self {
            OnFailure::Forced => "forced",
            OnFailure::Exclusive => "exclusive",
        }
    }
}

impl fmt::Display for OnFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is neither `forced` nor `exclusive`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown on_failure (known: forced, exclusive)")]
pub struct UnknownOnFailure;

impl FromStr for OnFailure {
    type Err = UnknownOnFailure;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "forced" => Ok(OnFailure::Forced),
            "exclusive" => Ok(OnFailure::Exclusive),
            _ => Err(UnknownOnFailure),
        }
    }
}

/// How the name of the host a delivery attempt connected to was authenticated: the
/// certificate check of `tls-verified` is only as good as the name it checks (issue 16 item 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MxAuth {
    /// The MX answer was DNSSEC-secure.
    Dnssec,
    /// The domain's MTA-STS policy (fetched over verified HTTPS) lists the host.
    MtaSts,
    /// The host is the recipient domain itself (implicit MX): no DNS answer chose the name.
    Domain,
    /// A route the administrator configured (`[delivery.routes]`, a tenant's return route).
    Configured,
    /// The name came from a plain (unsigned or unvalidated) DNS answer.
    Unauthenticated,
}

impl MxAuth {
    /// Name for records and `queue show`.
    pub fn as_str(self) -> &'static str {
        match self {
            MxAuth::Dnssec => "dnssec",
            MxAuth::MtaSts => "mta-sts",
            MxAuth::Domain => "recipient domain",
            MxAuth::Configured => "configured route",
            MxAuth::Unauthenticated => "unauthenticated",
        }
    }

    /// True unless the name came from plain DNS.
    pub fn is_authenticated(self) -> bool {
        self != MxAuth::Unauthenticated
    }
}

impl fmt::Display for MxAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_parse_by_name() {
        for w in TlsLevel::ALL.windows(2) {
            assert!(w[0] < w[1]);
        }
        for l in TlsLevel::ALL {
            assert_eq!(l.as_str().parse::<TlsLevel>().unwrap(), l);
        }
        assert!("secure".parse::<TlsLevel>().is_err());
        assert_eq!(
            "Exclusive".parse::<OnFailure>().unwrap(),
            OnFailure::Exclusive
        );
        assert!(!TlsLevel::May.requires_tls() && TlsLevel::Encrypt.requires_tls());
    }
}
