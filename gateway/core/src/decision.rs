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
            }],
            header_changes: vec![HeaderChange::StripSubjectTag {
                tag: "[secure]".into(),
            }],
            phi: true,
            reject: None,
        };
        let j = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<Decision>(&j).unwrap(), d);
    }
}
