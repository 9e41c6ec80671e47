//! Trust levels of recipient keys: `manual` > `verified` > `discovered`.
//!
//! Guarantees: the order is total and fixed; a stored level that does not parse is treated as
//! the lowest (`discovered`), never as higher.

use sealgate_core::KeyTrust;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How much a recipient key is trusted, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrustLevel {
    /// Found by discovery (WKD) without further checks.
    Discovered,
    /// Checked out of band (e.g. fingerprint confirmed with the recipient).
    Verified,
    /// Imported by an administrator.
    Manual,
}

impl TrustLevel {
    /// Name as stored and as written in rules and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            TrustLevel::Discovered => "discovered",
            TrustLevel::Verified => "verified",
            TrustLevel::Manual => "manual",
        }
    }

    /// The stored text's level; unknown text counts as the lowest level.
    pub fn from_stored(text: &str) -> Self {
        text.parse().unwrap_or(TrustLevel::Discovered)
    }
}

impl fmt::Display for TrustLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's minimum (`min_key_trust`) as the level keys are checked against.
impl From<KeyTrust> for TrustLevel {
    fn from(t: KeyTrust) -> Self {
        match t {
            KeyTrust::Discovered => TrustLevel::Discovered,
            KeyTrust::Verified => TrustLevel::Verified,
            KeyTrust::Manual => TrustLevel::Manual,
        }
    }
}

/// The text names no trust level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown trust level (known: manual, verified, discovered)")]
pub struct UnknownTrust;

impl FromStr for TrustLevel {
    type Err = UnknownTrust;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            TrustLevel::Discovered,
            TrustLevel::Verified,
            TrustLevel::Manual,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
        .ok_or(UnknownTrust)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_beats_verified_beats_discovered() {
        assert!(TrustLevel::Manual > TrustLevel::Verified);
        assert!(TrustLevel::Verified > TrustLevel::Discovered);
        assert_eq!("MANUAL".parse::<TrustLevel>(), Ok(TrustLevel::Manual));
        assert_eq!(TrustLevel::from_stored("bogus"), TrustLevel::Discovered);
        for t in KeyTrust::ALL {
            assert_eq!(TrustLevel::from(t).as_str(), t.as_str());
        }
    }
}
