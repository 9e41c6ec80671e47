//! The MTA-STS policy (RFC 8461 §3.2) and MX matching (§4.1).
//!
//! Guarantees: `version: STSv1`, `mode` and `max_age` (0 ‥ 31 557 600) are required, and at
//! least one `mx` unless the mode is `none`; unknown keys are ignored; lines end in CRLF or LF.
//! An MX pattern `*.example.net` matches exactly one extra left-most label
//! (`mx1.example.net`, not `example.net` nor `a.b.example.net`); matching ignores case and a
//! trailing dot.

use crate::error::TlsPolicyError;
use std::time::Duration;

/// `mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Deliver only to matching MX hosts over verified TLS; else defer.
    Enforce,
    /// Report failures (TLS-RPT), deliver anyway.
    Testing,
    /// No policy.
    None,
}

impl Mode {
    /// The policy text's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Testing => "testing",
            Mode::None => "none",
        }
    }
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsPolicy {
    /// `mode`.
    pub mode: Mode,
    /// `mx` patterns, lower case, in order.
    pub mx: Vec<String>,
    /// `max_age`.
    pub max_age: Duration,
}

/// RFC 8461 §3.2: max_age up to 31 557 600 s (about a year).
const MAX_AGE_LIMIT: u64 = 31_557_600;

impl StsPolicy {
    /// Parses a policy body.
    pub fn parse(text: &str) -> Result<StsPolicy, TlsPolicyError> {
        let bad = |m: &str| TlsPolicyError::Invalid(m.to_string());
        let (mut version, mut mode, mut max_age, mut mx) = (None, None, None, Vec::new());
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                continue;
            }
            let Some((k, v)) = line.split_once(':') else {
                return Err(bad("a line is not `key: value`"));
            };
            let (k, v) = (k.trim(), v.trim());
            match k {
                "version" => version = Some(v.to_string()),
                "mode" => {
                    mode = Some(match v {
                        "enforce" => Mode::Enforce,
                        "testing" => Mode::Testing,
                        "none" => Mode::None,
                        _ => return Err(bad("mode must be enforce, testing or none")),
                    })
                }
                "max_age" => {
                    let n: u64 = v
                        .parse()
                        .ok()
                        .filter(|n| *n <= MAX_AGE_LIMIT && v.len() <= 10)
                        .ok_or_else(|| bad("max_age must be 0..=31557600"))?;
                    max_age = Some(Duration::from_secs(n));
                }
                "mx" => {
                    let p = v.trim_end_matches('.').to_ascii_lowercase();
                    if p.is_empty() || p.contains(char::is_whitespace) {
                        return Err(bad("empty or malformed mx pattern"));
                    }
                    mx.push(p);
                }
                _ => {}
            }
        }
        if version.as_deref() != Some("STSv1") {
            return Err(bad("version must be STSv1"));
        }
        let mode = mode.ok_or_else(|| bad("mode is required"))?;
        let max_age = max_age.ok_or_else(|| bad("max_age is required"))?;
        if mx.is_empty() && mode != Mode::None {
            return Err(bad("at least one mx is required"));
        }
        Ok(StsPolicy { mode, mx, max_age })
    }

    /// Whether `host` (an MX exchange) matches one of the patterns.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.mx.iter().any(|p| match p.strip_prefix("*.") {
            Some(base) => host
                .split_once('.')
                .is_some_and(|(label, rest)| !label.is_empty() && rest == base),
            None => *p == host,
        })
    }

    /// Lines for TLS-RPT's `policy-string`.
    pub fn policy_strings(&self) -> Vec<String> {
        let mut out = vec![
            "version: STSv1".to_string(),
            format!("mode: {}", self.mode.as_str()),
        ];
        out.extend(self.mx.iter().map(|m| format!("mx: {m}")));
        out.push(format!("max_age: {}", self.max_age.as_secs()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n";

    #[test]
    fn policy_parses_and_wildcards_match_exactly_one_label() {
        let p = StsPolicy::parse(P).unwrap();
        assert_eq!(p.mode, Mode::Enforce);
        assert_eq!(p.max_age, Duration::from_secs(604_800));
        assert!(p.matches("mail.example.com"));
        assert!(p.matches("MAIL.Example.COM."));
        assert!(p.matches("mx1.example.net"));
        assert!(!p.matches("example.net"));
        assert!(!p.matches("a.b.example.net"));
        assert!(!p.matches("mx1.example.net.evil"));
        assert!(!p.matches("xmail.example.com"));
        assert!(StsPolicy::parse("version: STSv1\nmode: none\nmax_age: 0\n").is_ok());
        assert!(StsPolicy::parse("version: STSv1\nmode: enforce\nmax_age: 10\n").is_err());
        assert!(StsPolicy::parse("version: STSv2\nmode: enforce\nmx: a\nmax_age: 1\n").is_err());
        assert!(
            StsPolicy::parse("version: STSv1\nmode: enforce\nmx: a\nmax_age: 99999999999\n")
                .is_err()
        );
        assert!(StsPolicy::parse("version: STSv1\nmode: strict\nmx: a\nmax_age: 1\n").is_err());
    }
}
