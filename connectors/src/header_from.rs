//! The header From check: every address of the (single) From header must be in the tenant's
//! sender domains. Display names are parsed but never kept or logged.

use mail_parser::{HeaderName, MessageParser};
use sealgate_core::Domain;

/// Why a message's From header is unacceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderFromError {
    /// No From header (RFC 5322 requires exactly one).
    #[error("message has no From header")]
    Missing,
    /// More than one From header.
    #[error("message has more than one From header")]
    Duplicate,
    /// A From address could not be parsed into a mailbox with a domain.
    #[error("From header address is not valid")]
    Invalid,
}

/// The domains of every address in the message's From header.
pub fn header_from_domains(message: &[u8]) -> Result<Vec<Domain>, HeaderFromError> {
    let parsed = MessageParser::new()
        .parse_headers(message)
        .ok_or(HeaderFromError::Missing)?;
    let mut froms = parsed
        .headers()
        .iter()
        .filter(|h| matches!(h.name, HeaderName::From));
    let from = froms.next().ok_or(HeaderFromError::Missing)?;
    if froms.next().is_some() {
        return Err(HeaderFromError::Duplicate);
    }
    let list = from.value.as_address().ok_or(HeaderFromError::Invalid)?;
    let mut out = Vec::new();
    for addr in list.iter() {
        let text = addr.address().ok_or(HeaderFromError::Invalid)?;
        let (_, domain) = text.rsplit_once('@').ok_or(HeaderFromError::Invalid)?;
        out.push(Domain::parse(domain).map_err(|_| HeaderFromError::Invalid)?);
    }
    if out.is_empty() {
        return Err(HeaderFromError::Invalid);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_from_domain() {
        let m =
            b"From: \"Dr. A\" <a@Acme.org>, b@xn--bcher-kva.example\r\nSubject: x\r\n\r\nbody\r\n";
        let d = header_from_domains(m).unwrap();
        assert_eq!(d[0].as_str(), "acme.org");
        assert_eq!(d[1].as_str(), "xn--bcher-kva.example");
    }

    #[test]
    fn missing_duplicate_and_invalid() {
        assert_eq!(
            header_from_domains(b"Subject: x\r\n\r\nb\r\n"),
            Err(HeaderFromError::Missing)
        );
        assert_eq!(
            header_from_domains(b"From: a@a.org\r\nFrom: b@b.org\r\n\r\nb\r\n"),
            Err(HeaderFromError::Duplicate)
        );
        assert_eq!(
            header_from_domains(b"From: nobody\r\n\r\nb\r\n"),
            Err(HeaderFromError::Invalid)
        );
    }
}
