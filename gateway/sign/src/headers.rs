//! Which header fields a signature covers, and the header `From` domain that picks the key.
//! Reads the header block only; never returns header values other than the From domain.

use mail_parser::{HeaderName, Message, MessageParser};
use sealgate_core::Domain;

/// The header fields signed when present (every instance). `From` and `Subject` are also
/// oversigned: listed once more than present, so an added one breaks the signature.
pub const SIGNED_HEADERS: [&str; 11] = [
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "Reply-To",
    "In-Reply-To",
    "References",
];

/// Header names always listed once more than present.
const OVERSIGNED: [&str; 2] = ["From", "Subject"];

/// What signing needs from a header block.
pub(crate) struct Inspected {
    /// The `h=` list (see [`signed_header_names`]).
    pub(crate) names: Vec<&'static str>,
    /// The header From domain, or why there is none.
    pub(crate) from: Result<Domain, FromProblem>,
}

/// Parses the header block once.
pub(crate) fn inspect(message: &[u8]) -> Inspected {
    match MessageParser::new().parse_headers(message) {
        Some(parsed) => Inspected {
            names: signed_header_names(&parsed),
            from: from_domain(&parsed),
        },
        None => Inspected {
            names: Vec::new(),
            from: Err(FromProblem::Missing),
        },
    }
}

/// The `h=` list, in mail-auth's terms: each name of [`SIGNED_HEADERS`] that is present
/// (mail-auth signs all its instances, bottom-up), then the oversigned names again (mail-auth
/// lists a name it finds no further instance of as an empty header, which is what oversigning
/// means).
fn signed_header_names(parsed: &Message<'_>) -> Vec<&'static str> {
    let mut present = [false; SIGNED_HEADERS.len()];
    for h in parsed.headers() {
        let name = h.name.as_str();
        if let Some(i) = SIGNED_HEADERS
            .iter()
            .position(|s| name.eq_ignore_ascii_case(s))
        {
            present[i] = true;
        }
    }
    let mut names: Vec<&'static str> = SIGNED_HEADERS
        .iter()
        .zip(present)
        .filter(|&(name, p)| p && !OVERSIGNED.contains(name))
        .map(|(name, _)| *name)
        .collect();
    // An oversigned name that is present is listed twice (all instances + one empty); one
    // that is absent once (signing its absence).
    for name in OVERSIGNED {
        let i = SIGNED_HEADERS.iter().position(|h| *h == name);
        if i.is_some_and(|i| present[i]) {
            names.push(name);
        }
        names.push(name);
    }
    names
}

/// Why no From domain could be taken from a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FromProblem {
    /// No `From` field.
    Missing,
    /// More than one `From` field (RFC 5322 allows exactly one).
    SeveralFields,
    /// A `From` address without a valid domain.
    BadAddress,
    /// `From` lists addresses in more than one domain.
    SeveralDomains,
}

/// The domain of the header `From` (every address of it must share one domain).
fn from_domain(parsed: &Message<'_>) -> Result<Domain, FromProblem> {
    let fields = parsed
        .headers()
        .iter()
        .filter(|h| h.name == HeaderName::From)
        .count();
    match fields {
        0 => return Err(FromProblem::Missing),
        1 => {}
        _ => return Err(FromProblem::SeveralFields),
    }
    let addresses = parsed.from().ok_or(FromProblem::BadAddress)?;
    let mut domain: Option<Domain> = None;
    for addr in addresses.iter() {
        let text = addr.address().ok_or(FromProblem::BadAddress)?;
        let (_, d) = text.rsplit_once('@').ok_or(FromProblem::BadAddress)?;
        let d = Domain::parse(d).map_err(|_| FromProblem::BadAddress)?;
        match &domain {
            None => domain = Some(d),
            Some(first) if *first == d => {}
            Some(_) => return Err(FromProblem::SeveralDomains),
        }
    }
    domain.ok_or(FromProblem::BadAddress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn present_headers_are_listed_and_from_subject_oversigned() {
        let m =
            b"from: a@x.org\r\nTo: b@y.org\r\nX-Other: 1\r\nSubject: s\r\nDate: d\r\n\r\nbody\r\n";
        assert_eq!(
            inspect(m).names,
            ["To", "Date", "From", "From", "Subject", "Subject"]
        );
        let m = b"From: a@x.org\r\n\r\n";
        assert_eq!(inspect(m).names, ["From", "From", "Subject"]);
    }

    #[test]
    fn from_domain_cases() {
        let d = |m: &str| inspect(m.as_bytes()).from;
        assert_eq!(
            d("From: Dr A <a@Mail.Example.ORG>\r\n\r\nx").map(|d| d.to_string()),
            Ok("mail.example.org".into())
        );
        assert_eq!(
            d("From: a@x.org, b@x.org\r\n\r\n").map(|d| d.to_string()),
            Ok("x.org".into())
        );
        assert_eq!(
            d("From: a@x.org, b@y.org\r\n\r\n"),
            Err(FromProblem::SeveralDomains)
        );
        assert_eq!(
            d("From: a@x.org\r\nFrom: a@y.org\r\n\r\n"),
            Err(FromProblem::SeveralFields)
        );
        assert_eq!(d("To: a@x.org\r\n\r\n"), Err(FromProblem::Missing));
        assert_eq!(d("From: nobody\r\n\r\n"), Err(FromProblem::BadAddress));
        assert_eq!(
            d("From: =?utf-8?q?J=C3=B6rg?= <j@bücher.example>\r\n\r\n").map(|d| d.to_string()),
            Ok("xn--bcher-kva.example".into())
        );
    }
}
