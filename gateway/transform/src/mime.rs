//! The few MIME operations the transform stage needs: split a message into header fields and
//! body, and build the inner (encrypted) entity and the
//! outer headers of a protected copy.
//!
//! Guarantees: header fields are copied byte for byte (folding kept) except the ones this module
//! rewrites (`Subject`, `Content-Type` of the inner entity); the body is never altered; every
//! header line written ends in CRLF and carries no bare CR or LF from decoded text.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// One header field: its name and its raw bytes (name, colon, value, continuation lines and
/// the final CRLF).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field<'a> {
    pub name: &'a str,
    pub raw: &'a [u8],
}

impl Field<'_> {
    fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// True for fields that describe the content and travel inside the encrypted entity.
    fn is_content(&self) -> bool {
        self.name.len() > 8 && self.name[..8].eq_ignore_ascii_case("content-")
    }
}

/// A message split into header fields and body.
#[derive(Debug)]
pub(crate) struct Parsed<'a> {
    pub fields: Vec<Field<'a>>,
    /// The header block including its terminating empty line.
    pub header_block: &'a [u8],
    pub body: &'a [u8],
}

/// Splits at the first empty line. A message without one is all header.
pub(crate) fn split(msg: &[u8]) -> Parsed<'_> {
    // (name, start) of each field; a field ends where the next line that is not a
    // continuation begins.
    let mut starts: Vec<(&str, usize)> = Vec::new();
    let mut pos = 0;
    let mut header_end = msg.len();
    let mut body_start = msg.len();
    while pos < msg.len() {
        let end = find_crlf(msg, pos).map_or(msg.len(), |i| i + 2);
        let line = &msg[pos..end];
        if line == b"\r\n" {
            header_end = pos;
            body_start = end;
            break;
        }
        if !matches!(line.first(), Some(b' ' | b'\t')) || starts.is_empty() {
            let colon = line.iter().position(|&b| b == b':').unwrap_or(0);
            let name = std::str::from_utf8(&line[..colon]).unwrap_or("").trim();
            starts.push((name, pos));
        }
        pos = end;
    }
    let fields = starts
        .iter()
        .enumerate()
        .map(|(i, &(name, start))| {
            let end = starts.get(i + 1).map_or(header_end, |next| next.1);
            Field {
                name,
                raw: &msg[start..end],
            }
        })
        .collect();
    Parsed {
        fields,
        header_block: &msg[..body_start],
        body: &msg[body_start..],
    }
}

fn find_crlf(msg: &[u8], from: usize) -> Option<usize> {
    msg[from..]
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|i| from + i)
}

impl Parsed<'_> {
    fn field(&self, name: &str) -> Option<&Field<'_>> {
        self.fields.iter().find(|f| f.is(name))
    }

    /// The decoded Subject (RFC 2047 words decoded), if the message has one.
    pub fn subject(&self) -> Option<String> {
        self.field("Subject")?;
        let parsed = mail_parser::MessageParser::new().parse_headers(self.header_block)?;
        Some(parsed.subject().unwrap_or("").to_string())
    }
}

/// `subject` without every case-insensitive occurrence of `tag`, spaces tidied.
pub(crate) fn strip_tag(subject: &str, tag: &str) -> String {
    if tag.is_empty() {
        return subject.to_string();
    }
    let lower_tag = tag.to_lowercase();
    let mut out = String::with_capacity(subject.len());
    let mut rest = subject;
    while let Some(i) = find_ci(rest, &lower_tag) {
        out.push_str(&rest[..i]);
        out.push(' ');
        rest = &rest[i + tag.len()..];
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Byte index of a case-insensitive match of `lower_needle` (ASCII case folding, so indices stay
/// valid; escalation tags are ASCII).
fn find_ci(hay: &str, lower_needle: &str) -> Option<usize> {
    let n = lower_needle.len();
    (0..=hay.len().checked_sub(n)?).find(|&i| {
        hay.is_char_boundary(i)
            && hay.is_char_boundary(i + n)
            && hay[i..i + n].eq_ignore_ascii_case(lower_needle)
    })
}

/// A `Subject:` field for `text`: plain when printable ASCII, RFC 2047 `B` words otherwise;
/// control characters become spaces; folded so no line exceeds 78 octets.
pub(crate) fn subject_field(text: &str) -> Vec<u8> {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = b"Subject:".to_vec();
    if clean.is_ascii() && !clean.contains("=?") {
        let mut line = 8;
        for word in clean.split(' ') {
            if line + 1 + word.len() > 78 && line > 8 {
                out.extend_from_slice(b"\r\n");
                line = 0;
            }
            out.push(b' ');
            out.extend_from_slice(word.as_bytes());
            line += 1 + word.len();
        }
    } else {
        // Chunks of at most 39 octets of UTF-8 (52 base64 characters), split on characters.
        let mut chunks: Vec<String> = vec![String::new()];
        for c in clean.chars() {
            if chunks.last().is_some_and(|l| l.len() + c.len_utf8() > 39) {
                chunks.push(String::new());
            }
            if let Some(last) = chunks.last_mut() {
                last.push(c);
            }
        }
        for (i, chunk) in chunks.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b" =?UTF-8?B?");
            out.extend_from_slice(STANDARD.encode(chunk.as_bytes()).as_bytes());
            out.extend_from_slice(b"?=");
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// Header fields copied into the encrypted entity besides the content fields (RFC 9788
/// "Header Protection": the recipient's client shows these instead of the outer ones).
const PROTECTED: [&str; 8] = [
    "From",
    "To",
    "Cc",
    "Date",
    "Message-ID",
    "Reply-To",
    "In-Reply-To",
    "References",
];

/// The entity that gets encrypted: the content fields and body of the original, with
/// protected headers (`subject` and [`PROTECTED`]) and `protected-headers="v1"` on its
/// Content-Type.
pub(crate) fn inner_entity(p: &Parsed<'_>, subject: Option<&str>) -> Vec<u8> {
    let mut out = Vec::with_capacity(p.header_block.len() + p.body.len() + 128);
    let mut typed = false;
    for f in p.fields.iter().filter(|f| f.is_content()) {
        if f.is("Content-Type") && !typed {
            typed = true;
            let raw = f.raw.strip_suffix(b"\r\n").unwrap_or(f.raw);
            out.extend_from_slice(raw);
            out.extend_from_slice(b";\r\n protected-headers=\"v1\"\r\n");
        } else {
            out.extend_from_slice(f.raw);
            if !f.raw.ends_with(b"\r\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    if !typed {
        out.extend_from_slice(
            b"Content-Type: text/plain; charset=us-ascii;\r\n protected-headers=\"v1\"\r\n",
        );
    }
    if let Some(s) = subject {
        out.extend_from_slice(&subject_field(s));
    }
    for f in p
        .fields
        .iter()
        .filter(|f| PROTECTED.iter().any(|n| f.is(n)))
    {
        out.extend_from_slice(f.raw);
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(p.body);
    out
}

/// The outer header block of a protected copy, without MIME-Version and content fields (the
/// caller appends its own), without `Bcc`, and without the final empty line: every other
/// field in its place, the Subject replaced by `subject`, then `extra` fields.
pub(crate) fn outer_headers(
    p: &Parsed<'_>,
    subject: Option<&str>,
    extra: &[(String, String)],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(p.header_block.len() + 256);
    let mut subject_written = false;
    for f in &p.fields {
        // A stray Bcc field would name blind recipients to every recipient: never copied.
        if f.is_content() || f.is("MIME-Version") || f.is("Bcc") {
            continue;
        }
        if f.is("Subject") {
            if let (Some(s), false) = (subject, subject_written) {
                out.extend_from_slice(&subject_field(s));
                subject_written = true;
            }
            continue;
        }
        out.extend_from_slice(f.raw);
        if !f.raw.ends_with(b"\r\n") {
            out.extend_from_slice(b"\r\n");
        }
    }
    if let (Some(s), false) = (subject, subject_written) {
        out.extend_from_slice(&subject_field(s));
    }
    push_extra(&mut out, extra);
    out
}

/// Appends `Name: value` fields, dropping any whose name or value could break the header.
fn push_extra(out: &mut Vec<u8>, extra: &[(String, String)]) {
    for (name, value) in extra {
        let name_ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
        let value_ok = value.bytes().all(|b| b != b'\r' && b != b'\n');
        if name_ok && value_ok {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
    }
}

/// The whole message with its Subject replaced by `subject` (when given) and `extra` fields
/// added at the end of the header; the body untouched. Used for copies sent as they are.
pub(crate) fn rewrite_plain(
    p: &Parsed<'_>,
    subject: Option<&str>,
    extra: &[(String, String)],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(p.header_block.len() + p.body.len() + 256);
    for f in &p.fields {
        match subject {
            Some(s) if f.is("Subject") => out.extend_from_slice(&subject_field(s)),
            _ => {
                out.extend_from_slice(f.raw);
                if !f.raw.ends_with(b"\r\n") {
                    out.extend_from_slice(b"\r\n");
                }
            }
        }
    }
    push_extra(&mut out, extra);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(p.body);
    out
}

/// Base64 with CRLF line ends, 76 characters a line (RFC 2045).
pub(crate) fn base64_lines(data: &[u8]) -> Vec<u8> {
    base64_width(data, 76)
}

/// Base64 with CRLF line ends, `width` characters a line.
pub(crate) fn base64_width(data: &[u8], width: usize) -> Vec<u8> {
    let text = STANDARD.encode(data);
    let mut out = Vec::with_capacity(text.len() + text.len() / width * 2 + 2);
    for line in text.as_bytes().chunks(width) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"From: a@example.org\r\nSubject: [secure] lab\r\n results\r\nContent-Type: text/plain;\r\n charset=utf-8\r\nMIME-Version: 1.0\r\n\r\nbody\r\n";

    #[test]
    fn splits_folded_fields_and_body() {
        let p = split(MSG);
        assert_eq!(p.fields.len(), 4);
        assert_eq!(p.fields[1].raw, b"Subject: [secure] lab\r\n results\r\n");
        assert_eq!(p.body, b"body\r\n");
        assert_eq!(p.subject().as_deref(), Some("[secure] lab results"));
    }

    #[test]
    fn tag_is_stripped_case_insensitively() {
        assert_eq!(
            strip_tag("[SECURE] lab  results", "[secure]"),
            "lab results"
        );
        assert_eq!(strip_tag("lab [secure]", "[secure]"), "lab");
        assert_eq!(strip_tag("é [secure] ü", "[secure]"), "é ü");
    }

    #[test]
    fn non_ascii_subject_is_encoded_and_folded() {
        let f = subject_field(&"Befund für Müller ".repeat(6));
        let text = String::from_utf8(f).unwrap();
        assert!(text.starts_with("Subject: =?UTF-8?B?"));
        assert!(text.lines().all(|l| l.len() <= 78));
        let f = subject_field("a\r\nBcc: x");
        assert_eq!(f, b"Subject: a  Bcc: x\r\n");
    }

    #[test]
    fn inner_entity_carries_content_fields_and_protected_headers() {
        let p = split(MSG);
        let inner = String::from_utf8(inner_entity(&p, Some("lab results"))).unwrap();
        assert!(inner.starts_with(
            "Content-Type: text/plain;\r\n charset=utf-8;\r\n protected-headers=\"v1\"\r\n"
        ));
        assert!(inner.contains("Subject: lab results\r\nFrom: a@example.org\r\n\r\nbody\r\n"));
        let outer = String::from_utf8(outer_headers(&p, Some("Secure message"), &[])).unwrap();
        assert_eq!(outer, "From: a@example.org\r\nSubject: Secure message\r\n");
        let with_bcc = [b"Bcc: hidden@example.net\r\n".as_slice(), MSG].concat();
        let p = split(&with_bcc);
        let outer = outer_headers(&p, None, &[]);
        let inner = inner_entity(&p, None);
        assert!(!String::from_utf8_lossy(&[outer, inner].concat()).contains("hidden@"));
    }
}
