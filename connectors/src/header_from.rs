//! The originator header checks: every address of the (single) From header — and of `Sender:`,
//! `Resent-From:` and `Resent-Sender:` when present — must be in the tenant's sender domains.
//! Display names are parsed but never kept or logged.
//!
//! Strictness: a header field name that is not RFC 5322 `ftext` (`F rom:`, a NUL, a line with
//! no colon) refuses the message — such a name is read differently by different parsers, one of
//! which may take it for From; an originator address with more than one `@` outside a quoted
//! local part (`ceo@evil.example@acme-health.org`) or with a control character (NUL) in the
//! field is ambiguous and refused, never "repaired".

use mail_parser::{Address, Header, HeaderName, MessageParser};
use sealgate_core::Domain;

/// Why a message's originator headers are unacceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderFromError {
    /// No From header (RFC 5322 requires exactly one).
    #[error("message has no From header")]
    Missing,
    /// More than one From header.
    #[error("message has more than one From header")]
    Duplicate,
    /// More than one Sender header (RFC 5322 §3.6.2 allows one).
    #[error("message has more than one Sender header")]
    DuplicateOther,
    /// An originator address has more than one `@`: which domain it is depends on the reader.
    #[error("originator address is ambiguous")]
    Ambiguous,
    /// A NUL or other control character inside an originator field.
    #[error("control character in an originator field")]
    ControlCharacter,
    /// A header field name that is not RFC 5322 `ftext`, or a header line without a colon.
    #[error("malformed header field name")]
    MalformedFieldName,
    /// An originator address could not be parsed into a mailbox with a domain.
    #[error("originator address is not valid")]
    Invalid,
}

/// The domains of every address in the message's From header.
pub fn header_from_domains(message: &[u8]) -> Result<Vec<Domain>, HeaderFromError> {
    check_field_names(message)?;
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
    field_domains(message, from)
}

/// The domains of every address in `Sender:`, `Resent-From:` and `Resent-Sender:` (empty when
/// there are none), under the same strictness as From. Policy (ARCHITECTURE.md): the tenant
/// must own these domains too, as it must own From's.
pub fn other_originator_domains(message: &[u8]) -> Result<Vec<Domain>, HeaderFromError> {
    check_field_names(message)?;
    let Some(parsed) = MessageParser::new().parse_headers(message) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut senders = 0;
    for h in parsed.headers() {
        match h.name {
            HeaderName::Sender => senders += 1,
            HeaderName::ResentFrom | HeaderName::ResentSender => {}
            _ => continue,
        }
        out.extend(field_domains(message, h)?);
    }
    if senders > 1 {
        return Err(HeaderFromError::DuplicateOther);
    }
    Ok(out)
}

/// The domain of each address of one originator field, checking the raw field first.
fn field_domains(message: &[u8], h: &Header<'_>) -> Result<Vec<Domain>, HeaderFromError> {
    let raw = message
        .get(h.offset_start as usize..h.offset_end as usize)
        .ok_or(HeaderFromError::Invalid)?;
    if raw
        .iter()
        .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')) || b == 0x7f)
    {
        return Err(HeaderFromError::ControlCharacter);
    }
    let list = h.value.as_address().ok_or(HeaderFromError::Invalid)?;
    let out = addresses(list)
        .into_iter()
        .map(mailbox_domain)
        .collect::<Result<Vec<_>, _>>()?;
    if out.is_empty() {
        return Err(HeaderFromError::Invalid);
    }
    Ok(out)
}

fn addresses<'a>(list: &'a Address<'a>) -> Vec<Option<&'a str>> {
    list.iter().map(|a| a.address()).collect()
}

/// The domain of one parsed mailbox: exactly one `@` (a quoted `@` in the local part counts
/// too: the parser has removed the quotes, so the text would be read two ways).
fn mailbox_domain(text: Option<&str>) -> Result<Domain, HeaderFromError> {
    let text = text.ok_or(HeaderFromError::Invalid)?;
    if text.chars().any(char::is_control) {
        return Err(HeaderFromError::ControlCharacter);
    }
    let (local, domain) = text.rsplit_once('@').ok_or(HeaderFromError::Invalid)?;
    if local.contains('@') {
        return Err(HeaderFromError::Ambiguous);
    }
    if local.is_empty() {
        return Err(HeaderFromError::Invalid);
    }
    Domain::parse(domain).map_err(|_| HeaderFromError::Invalid)
}

/// Every field name of the top-level header section is `ftext` (printable US-ASCII but the
/// colon), optionally followed by white space before the colon (RFC 5322 obsolete syntax).
fn check_field_names(message: &[u8]) -> Result<(), HeaderFromError> {
    for line in message.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            continue;
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or(HeaderFromError::MalformedFieldName)?;
        let name = line[..colon].trim_ascii_end();
        if name.is_empty() || !name.iter().all(|&b| (33..=126).contains(&b)) {
            return Err(HeaderFromError::MalformedFieldName);
        }
    }
    Ok(())
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

    #[test]
    fn ambiguous_from_forms_are_refused() {
        assert_eq!(
            header_from_domains(b"From: ceo@evil.example@acme-health.org\r\n\r\nb\r\n"),
            Err(HeaderFromError::Ambiguous)
        );
        assert_eq!(
            header_from_domains(b"From: <ceo@evil.example@acme-health.org>\r\n\r\nb\r\n"),
            Err(HeaderFromError::Ambiguous)
        );
        assert_eq!(
            header_from_domains(b"From: ceo\0@acme-health.org\r\n\r\nb\r\n"),
            Err(HeaderFromError::ControlCharacter)
        );
        assert_eq!(
            header_from_domains(b"F rom: ceo@acme-health.org\r\n\r\nb\r\n"),
            Err(HeaderFromError::MalformedFieldName)
        );
        assert_eq!(
            header_from_domains(b"From: a@acme-health.org\r\nno colon here\r\n\r\nb\r\n"),
            Err(HeaderFromError::MalformedFieldName)
        );
        // Normal forms stay accepted: display names, obsolete `From :`, folding. (A quoted
        // local part in From is not read by mail-parser 0.11 and stays refused as invalid.)
        for ok in [
            &b"From: Alice <alice@acme-health.org>\r\n\r\nb\r\n"[..],
            b"From :\talice@acme-health.org\r\nX-Y: z\r\n\tfolded\r\n\r\nb\r\n",
            b"From: \"Smith, J (alice@evil.example)\" <alice@acme-health.org>\r\n\r\nb\r\n",
        ] {
            let d = header_from_domains(ok)
                .unwrap_or_else(|e| panic!("{e:?}: {}", String::from_utf8_lossy(ok)));
            assert_eq!(d[0].as_str(), "acme-health.org", "{ok:?}");
        }
    }

    #[test]
    fn sender_and_resent_fields_are_originators_too() {
        let m = b"From: a@acme-health.org\r\nSender: s@evil.example\r\n\
                  Resent-From: r@other.example\r\n\r\nb\r\n";
        let d = other_originator_domains(m).unwrap();
        let names: Vec<&str> = d.iter().map(Domain::as_str).collect();
        assert_eq!(names, ["evil.example", "other.example"]);
        assert_eq!(
            other_originator_domains(b"From: a@a.org\r\nSender: x@y@a.org\r\n\r\nb\r\n"),
            Err(HeaderFromError::Ambiguous)
        );
        assert_eq!(
            other_originator_domains(
                b"From: a@a.org\r\nSender: a@a.org\r\nSender: b@a.org\r\n\r\n"
            ),
            Err(HeaderFromError::DuplicateOther)
        );
        assert!(
            other_originator_domains(b"From: a@a.org\r\n\r\nb\r\n")
                .unwrap()
                .is_empty()
        );
    }
}
