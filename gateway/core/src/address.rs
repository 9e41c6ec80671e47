//! Mail addresses and domains that are valid by construction.
//!
//! A [`Domain`] is always stored in its ASCII (A-label) form, lower case, so that `ACME-Health.org`,
//! `acme-health.org` and a U-label spelling of an IDN compare equal. An [`Address`] is a local part
//! and a `Domain`; the local part keeps its case (RFC 5321 §2.4) but is compared case-insensitively
//! only where a policy says so.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not an acceptable address or domain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// The domain part is empty, too long, or has a bad label.
    #[error("invalid domain")]
    InvalidDomain,
    /// The local part is empty, too long, or has characters SMTP does not allow unquoted.
    #[error("invalid local part")]
    InvalidLocalPart,
    /// No `@` separates a local part from a domain.
    #[error("missing @")]
    MissingAt,
    /// The path is not enclosed in angle brackets or has trailing garbage.
    #[error("malformed path")]
    MalformedPath,
}

/// A DNS domain name in lower-case A-label form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Domain(String);

impl Domain {
    /// Parses a domain given as A-labels or U-labels (IDNA 2008 / UTS 46), rejecting address
    /// literals, empty labels and names longer than 253 octets.
    pub fn parse(input: &str) -> Result<Self, AddressError> {
        let trimmed = input.strip_suffix('.').unwrap_or(input);
        if trimmed.is_empty() || trimmed.starts_with('[') {
            return Err(AddressError::InvalidDomain);
        }
        let ascii =
            idna::domain_to_ascii_strict(trimmed).map_err(|_| AddressError::InvalidDomain)?;
        if ascii.len() > 253 || ascii.split('.').any(|l| !valid_label(l)) {
            return Err(AddressError::InvalidDomain);
        }
        Ok(Domain(ascii))
    }

    /// The A-label form, lower case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when this domain equals `other` or is a subdomain of it.
    pub fn is_within(&self, other: &Domain) -> bool {
        self.0 == other.0
            || (self.0.len() > other.0.len()
                && self.0.ends_with(&other.0)
                && self.0.as_bytes()[self.0.len() - other.0.len() - 1] == b'.')
    }
}

fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl TryFrom<String> for Domain {
    type Error = AddressError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Domain::parse(&value)
    }
}

impl From<Domain> for String {
    fn from(d: Domain) -> String {
        d.0
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mailbox address: local part and domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Address {
    local: String,
    domain: Domain,
}

impl Address {
    /// Parses `local@domain` (no angle brackets). A quoted local part is accepted and kept quoted;
    /// the domain is everything after the last `@` outside quotes.
    pub fn parse(input: &str) -> Result<Self, AddressError> {
        let at = split_at(input).ok_or(AddressError::MissingAt)?;
        let (local, domain) = (&input[..at], &input[at + 1..]);
        if local.is_empty() || local.len() > 64 || !valid_local(local) {
            return Err(AddressError::InvalidLocalPart);
        }
        Ok(Address {
            local: local.to_string(),
            domain: Domain::parse(domain)?,
        })
    }

    /// Parses an SMTP reverse/forward path `<...>`, discarding an RFC 5321 source route
    /// (`<@relay:user@domain>`), as §4.1.1.3 tells servers to. `<>` is not an address: see
    /// [`Address::parse_reverse_path`].
    pub fn parse_path(input: &str) -> Result<Self, AddressError> {
        let inner = input
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .ok_or(AddressError::MalformedPath)?;
        let mailbox = match inner.strip_prefix('@') {
            Some(route) => route.split_once(':').ok_or(AddressError::MalformedPath)?.1,
            None => inner,
        };
        Address::parse(mailbox)
    }

    /// Parses a MAIL FROM path, where `<>` (the null sender) yields `None`.
    pub fn parse_reverse_path(input: &str) -> Result<Option<Self>, AddressError> {
        if input == "<>" {
            return Ok(None);
        }
        Address::parse_path(input).map(Some)
    }

    /// The local part as given.
    pub fn local(&self) -> &str {
        &self.local
    }

    /// The domain.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }
}

/// Index of the `@` that separates local part and domain: the last one outside a quoted string.
fn split_at(input: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    let mut at = None;
    for (i, c) in input.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '@' if !quoted => at = Some(i),
            _ => {}
        }
    }
    at
}

fn valid_local(local: &str) -> bool {
    if local.starts_with('"') {
        return valid_quoted(local);
    }
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
    !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_alphanumeric() || SPECIALS.contains(c) || (!c.is_ascii() && !c.is_control())
        })
}

/// An RFC 5321 `Quoted-string` that can be passed on as it is: `qtextSMTP` (printable US-ASCII
/// but `"` and `\`, space included) and `quoted-pairSMTP` (`\` before a printable character),
/// plus UTF-8 beyond ASCII (RFC 6531). No control character, no unescaped quote inside, no
/// dangling backslash.
fn valid_quoted(local: &str) -> bool {
    let Some(inner) = local
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .filter(|_| local.len() >= 2)
    else {
        return false;
    };
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if !chars.next().is_some_and(|n| (' '..='~').contains(&n)) {
                    return false;
                }
            }
            '"' => return false,
            ' '..='~' => {}
            c if !c.is_ascii() && !c.is_control() => {}
            _ => return false,
        }
    }
    true
}

impl TryFrom<String> for Address {
    type Error = AddressError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Address::parse(&value)
    }
}

impl From<Address> for String {
    fn from(a: Address) -> String {
        a.to_string()
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_case_and_idn_forms_are_equal() {
        let a = Domain::parse("ACME-Health.ORG").unwrap();
        assert_eq!(a.as_str(), "acme-health.org");
        let u = Domain::parse("bücher.example").unwrap();
        let x = Domain::parse("xn--bcher-kva.example").unwrap();
        assert_eq!(u, x);
    }

    #[test]
    fn look_alike_idn_is_a_different_domain() {
        let real = Domain::parse("acme-health.org").unwrap();
        let fake = Domain::parse("acme-heаlth.org").unwrap(); // Cyrillic а
        assert_ne!(real, fake);
    }

    #[test]
    fn source_route_is_discarded() {
        let a = Address::parse_path("<@acme-health.org:x@evil.test>").unwrap();
        assert_eq!(a.domain().as_str(), "evil.test");
    }

    #[test]
    fn quoted_at_sign_does_not_move_the_domain() {
        let a = Address::parse_path("<\"x@acme-health.org\"@evil.test>").unwrap();
        assert_eq!(a.domain().as_str(), "evil.test");
    }

    #[test]
    fn quoted_local_parts_that_can_be_passed_on_are_kept_quoted() {
        for ok in [
            r#""john smith"@dest.test"#,
            r#""a\"b"@dest.test"#,
            r#""x@y"@dest.test"#,
            r#"""@dest.test"#,
            "\"j\u{f6}rg m\"@dest.test",
        ] {
            let a = Address::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(a.to_string(), ok);
            assert_eq!(Address::parse(&a.to_string()).unwrap(), a);
        }
        for bad in [
            "\"a\tb\"@dest.test",
            "\"a\u{1}\"@dest.test",
            r#""a"b"@dest.test"#,
            r#""ab\"@dest.test"#,
            "\"a\rb\"@dest.test",
            "\"a\0b\"@dest.test",
            "\"@dest.test",
            "\"a\\\u{1}\"@dest.test",
        ] {
            assert!(Address::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bad_inputs_are_refused() {
        for bad in [
            "",
            "x",
            "x@",
            "@d.org",
            "a..b@d.org",
            "x@[1.2.3.4]",
            "x@-d.org",
            "x@d..org",
        ] {
            assert!(Address::parse(bad).is_err(), "{bad}");
        }
        assert!(Address::parse_path("x@d.org").is_err());
        assert_eq!(Address::parse_reverse_path("<>").unwrap(), None);
    }

    #[test]
    fn subdomain_check() {
        let d = Domain::parse("mail.acme.org").unwrap();
        assert!(d.is_within(&Domain::parse("acme.org").unwrap()));
        assert!(
            !Domain::parse("evilacme.org")
                .unwrap()
                .is_within(&Domain::parse("acme.org").unwrap())
        );
    }
}
