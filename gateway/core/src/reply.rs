//! SMTP replies with enhanced status codes (RFC 3463), and their temporary/permanent class.
//!
//! Every error that reaches an SMTP client or the queue is turned into a [`Reply`] where it
//! happens. Reply texts are generic: they never carry internals, bodies or matched values.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Whether a failure may succeed later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    /// 4xx: try again later.
    Temporary,
    /// 5xx: do not retry.
    Permanent,
}

/// One SMTP reply: basic code, enhanced status code and text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// Three-digit reply code (RFC 5321 §4.2).
    pub code: u16,
    /// Enhanced status code class.subject.detail, e.g. `[5, 7, 1]`; `None` for greetings.
    pub status: Option<[u16; 3]>,
    /// Human-readable text, one line, generic.
    pub text: String,
}

impl Reply {
    /// A reply with an enhanced status code.
    pub fn new(code: u16, status: [u16; 3], text: impl Into<String>) -> Self {
        Reply {
            code,
            status: Some(status),
            text: text.into(),
        }
    }

    /// A reply without an enhanced status code (greeting, EHLO).
    pub fn plain(code: u16, text: impl Into<String>) -> Self {
        Reply {
            code,
            status: None,
            text: text.into(),
        }
    }

    /// Temporary or permanent, from the code; 2xx/3xx count as neither and report `None`.
    pub fn severity(&self) -> Option<Severity> {
        match self.code {
            400..=499 => Some(Severity::Temporary),
            500..=599 => Some(Severity::Permanent),
            _ => None,
        }
    }

    /// True for 2xx and 3xx.
    pub fn is_positive(&self) -> bool {
        self.code < 400
    }

    /// Local processing error; the client should retry (451 4.3.0).
    pub fn local_error() -> Self {
        Reply::new(451, [4, 3, 0], "Local error, try again later")
    }

    /// Relaying or sender refused by policy (550 5.7.1).
    pub fn policy_refused() -> Self {
        Reply::new(550, [5, 7, 1], "Relaying denied by policy")
    }

    /// The status as `c.s.d` text.
    pub fn status_text(&self) -> Option<String> {
        self.status.map(|[c, s, d]| format!("{c}.{s}.{d}"))
    }
}

impl fmt::Display for Reply {
    /// Wire form without the trailing CRLF: `550 5.7.1 text`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status_text() {
            Some(s) => write!(f, "{} {} {}", self.code, s, self.text),
            None => write!(f, "{} {}", self.code, self.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_and_class() {
        let r = Reply::policy_refused();
        assert_eq!(r.to_string(), "550 5.7.1 Relaying denied by policy");
        assert_eq!(r.severity(), Some(Severity::Permanent));
        assert_eq!(Reply::local_error().severity(), Some(Severity::Temporary));
        assert!(Reply::plain(250, "ok").is_positive());
    }
}
