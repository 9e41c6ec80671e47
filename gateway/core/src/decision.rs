//! The classification output: what the rules decided for a message and for each recipient.
//!
//! A [`Decision`] carries rule ids and detector *names and counts* — never a matched value — and
//! one [`Requirement`] per envelope recipient, in envelope order. It is fixed before the final
//! reply to DATA and stored with the message.

use crate::reply::Reply;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A protection method; an ordered list of them is a recipient's chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// TLS at `verify` or better (or whatever higher floor applies to the domain).
    TlsVerified,
    /// OpenPGP (PGP/MIME) to the recipient's key.
    Pgp,
    /// S/MIME enveloped-data to the recipient's certificate.
    Smime,
    /// Escrow in the secure web portal, with a pickup link.
    Portal,
    /// Terminal: hold the copy and notify the sender.
    Hold,
    /// Terminal: bounce the copy with a notice to the sender.
    BounceWithNotice,
}

impl Method {
    /// Every method, in the order of its usual place in a chain.
    pub const ALL: [Method; 6] = [
        Method::TlsVerified,
        Method::Pgp,
        Method::Smime,
        Method::Portal,
        Method::Hold,
        Method::BounceWithNotice,
    ];

    /// Kebab-case name as written in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::TlsVerified => "tls-verified",
            Method::Pgp => "pgp",
            Method::Smime => "smime",
            Method::Portal => "portal",
            Method::Hold => "hold",
            Method::BounceWithNotice => "bounce-with-notice",
        }
    }

    /// True for methods that end a chain (nothing after them is tried).
    pub fn is_terminal(self) -> bool {
        matches!(self, Method::Hold | Method::BounceWithNotice)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text names no known method.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown method (known: tls-verified, pgp, smime, portal, hold, bounce-with-notice)")]
pub struct UnknownMethod;

impl FromStr for Method {
    type Err = UnknownMethod;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
            .ok_or(UnknownMethod)
    }
}

/// The least trust a recipient key needs before a chain method may encrypt to it, lowest
/// first: `manual` > `verified` > `discovered`. The order is total; the strictest of several
/// minimums is the largest.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum KeyTrust {
    /// Any key on file, discovered ones (WKD) included.
    #[default]
    Discovered,
    /// Keys checked out of band or imported by an administrator.
    Verified,
    /// Only keys an administrator imported.
    Manual,
}

impl KeyTrust {
    /// Every level, lowest first.
    pub const ALL: [KeyTrust; 3] = [KeyTrust::Discovered, KeyTrust::Verified, KeyTrust::Manual];

    /// Name as written in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyTrust::Discovered => "discovered",
            KeyTrust::Verified => "verified",
            KeyTrust::Manual => "manual",
        }
    }

    /// True for the default (`discovered`); stored decisions leave it out.
    pub fn is_default(&self) -> bool {
        *self == KeyTrust::Discovered
    }
}

impl fmt::Display for KeyTrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text names no key trust level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown key trust level (known: manual, verified, discovered)")]
pub struct UnknownKeyTrust;

impl FromStr for KeyTrust {
    type Err = UnknownKeyTrust;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KeyTrust::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or(UnknownKeyTrust)
    }
}

/// What the rules require for one recipient's copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Requirement {
    /// Deliver with opportunistic TLS (subject to the domain's TLS floor).
    Deliver,
    /// TLS or drop with a sender notice.
    TlsOnly,
    /// Encrypt with the first possible method of the chain.
    Encrypt {
        /// Ordered methods; the last should be terminal (`hold` or `bounce-with-notice`).
        chain: Vec<Method>,
        /// The least trust a key needs for `pgp` / `smime` (absent in stored decisions from
        /// before it existed: `discovered`).
        #[serde(default, skip_serializing_if = "KeyTrust::is_default")]
        min_key_trust: KeyTrust,
    },
    /// Hold for review.
    Hold,
    /// Refuse the whole message at DATA.
    Reject,
}

impl Requirement {
    /// Short name for logs and explanations.
    pub fn name(&self) -> &'static str {
        match self {
            Requirement::Deliver => "deliver",
            Requirement::TlsOnly => "tls-only",
            Requirement::Encrypt { .. } => "encrypt",
            Requirement::Hold => "hold",
            Requirement::Reject => "reject",
        }
    }

    /// The least key trust the requirement asks for (`discovered` unless `encrypt` says more).
    pub fn min_key_trust(&self) -> KeyTrust {
        match self {
            Requirement::Encrypt { min_key_trust, .. } => *min_key_trust,
            _ => KeyTrust::Discovered,
        }
    }
}

/// Where in the message a detector matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "part")]
pub enum Location {
    /// The Subject header.
    Subject,
    /// A display name or other header.
    Header,
    /// A text body part.
    Body,
    /// An attachment, by its index among the message's attachments.
    Attachment {
        /// Zero-based attachment index.
        index: u32,
    },
}

/// One detector's findings in one location: names and counts only, never values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectorHit {
    /// Detector name, e.g. `us-ssn`.
    pub detector: String,
    /// Number of validated matches.
    pub count: u32,
    /// Confidence in 0.0..=1.0 after context scoring.
    pub confidence: f32,
    /// Where the matches were.
    pub location: Location,
}

/// A change applied to every copy of the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "op")]
pub enum HeaderChange {
    /// Remove the escalation tag (e.g. `[secure]`) from the Subject.
    StripSubjectTag {
        /// The tag as configured.
        tag: String,
    },
    /// Add a header.
    AddHeader {
        /// Header name.
        name: String,
        /// Header value.
        value: String,
    },
    /// Replace the Subject of protected copies (the subject itself carried PHI).
    PlaceholderSubject {
        /// The replacement subject.
        subject: String,
    },
}

/// The classification result for one message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Decision {
    /// Ids of the rules that matched, in evaluation order.
    pub rules: Vec<String>,
    /// Detector findings.
    pub hits: Vec<DetectorHit>,
    /// One requirement per envelope recipient, in envelope order.
    pub recipients: Vec<Requirement>,
    /// Changes applied to every copy.
    pub header_changes: Vec<HeaderChange>,
    /// The rules judged the content to be PHI (DSNs then return headers only).
    pub phi: bool,
    /// Reply to send at DATA when a rule rejects the message (generic text).
    pub reject: Option<Reply>,
    /// How long a portal-escrowed copy stays readable, in seconds, when a rule
    /// (`portal_expiry`) or the subject's expiry tag (`[expire=7d]`) asked for one; the shortest
    /// asked wins. The portal clamps it to the tenant's `min_expiry`/`max_expiry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_expiry: Option<u64>,
    /// Set on a connector self-test (mail to `connect-test@<gateway domain>`): the message is
    /// never delivered; the deliver stage answers its sender with a report instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_self_test: Option<SelfTest>,
}

/// What accept learnt of a connector self-test's attribution, for the report (check names and
/// the configured or observed values they compared — never content, never the token).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SelfTest {
    /// One line per attribution check that passed, in the order they ran.
    pub checks: Vec<String>,
    /// What the gateway knows of the inbound message's DKIM (verified for a tenant domain, or
    /// not checked by this platform's attribution).
    pub inbound_dkim: String,
}

impl Decision {
    /// The configured default: every recipient gets `requirement`, nothing matched.
    pub fn uniform(requirement: Requirement, recipients: usize) -> Self {
        Decision {
            recipients: vec![requirement; recipients],
            ..Decision::default()
        }
    }

    /// True when the message must be refused at DATA.
    pub fn rejects(&self) -> bool {
        self.reject.is_some() || self.recipients.contains(&Requirement::Reject)
    }

    /// The reply for a rejection: the rule's, or a generic policy refusal.
    pub fn reject_reply(&self) -> Option<Reply> {
        if !self.rejects() {
            return None;
        }
        Some(
            self.reject
                .clone()
                .unwrap_or_else(|| Reply::new(550, [5, 7, 1], "Message refused by policy")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_parse_by_name() {
        for m in Method::ALL {
            assert_eq!(m.as_str().parse::<Method>().unwrap(), m);
        }
        assert!("carrier-pigeon".parse::<Method>().is_err());
    }

    #[test]
    fn reject_anywhere_rejects_the_message() {
        let mut d = Decision::uniform(Requirement::Deliver, 2);
        assert!(!d.rejects());
        d.recipients[1] = Requirement::Reject;
        assert_eq!(d.reject_reply().unwrap().code, 550);
    }

    #[test]
    fn decision_round_trips_as_json() {
        let d = Decision {
            rules: vec!["phi".into()],
            hits: vec![DetectorHit {
                detector: "us-ssn".into(),
                count: 2,
                confidence: 0.9,
                location: Location::Attachment { index: 0 },
            }],
            recipients: vec![Requirement::Encrypt {
                chain: vec![Method::TlsVerified, Method::Pgp, Method::Hold],
                min_key_trust: KeyTrust::Manual,
            }],
            header_changes: vec![HeaderChange::StripSubjectTag {
                tag: "[secure]".into(),
            }],
            phi: true,
            reject: None,
            portal_expiry: Some(7 * 86_400),
            connector_self_test: None,
        };
        let j = serde_json::to_string(&d).unwrap();
        assert!(j.contains(r#""min_key_trust":"manual""#), "{j}");
        assert_eq!(serde_json::from_str::<Decision>(&j).unwrap(), d);
    }

    #[test]
    fn stored_encrypt_requirements_without_a_minimum_read_as_discovered() {
        let old = r#"{"kind":"encrypt","chain":["pgp","hold"]}"#;
        let r: Requirement = serde_json::from_str(old).unwrap();
        assert_eq!(r.min_key_trust(), KeyTrust::Discovered);
        assert_eq!(serde_json::to_string(&r).unwrap(), old);
        assert!(KeyTrust::Manual > KeyTrust::Verified);
        assert!(KeyTrust::Verified > KeyTrust::Discovered);
        for t in KeyTrust::ALL {
            assert_eq!(t.as_str().parse::<KeyTrust>(), Ok(t));
        }
        assert!("Manual ".parse::<KeyTrust>().is_err());
    }
}
