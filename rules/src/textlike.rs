//! Parts that are text whatever their label says: `text/*`, calendars (`application/ics`),
//! vCards, JSON, XML (FHIR, C-CDA), HL7 v2, CSV — and `application/octet-stream` or an unknown
//! type whose bytes are plainly text. Each is rendered for scanning: markup stripped, HL7 fields
//! labelled, table rows given their column headers ([`crate::tables`]).
//!
//! A part that is none of these and no document the extractor knows is *unrecognised*, which
//! the content walk counts as unscannable (fail closed).

use crate::html::{data_xml_to_text, html_to_text};
use crate::tables::{label_columns, label_plain};

/// How a text-like part is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Scanned as it is (plain text, calendars, vCards, JSON).
    Plain,
    /// Comma- or tab-separated values: each row gets its column headers.
    Delimited(u8),
    /// HTML: tags stripped, table cells labelled.
    Html,
    /// XML (FHIR, C-CDA, anything `+xml`): tags stripped.
    Xml,
    /// An HL7 v2 message: segments on lines, patient fields labelled.
    Hl7,
    /// JSON (FHIR, API payloads): `label: value` lines, FHIR names and identifiers labelled.
    Json,
}

const TEXT_TYPES: &[&str] = &[
    "application/ics",
    "application/json",
    "application/xml",
    "application/csv",
    "application/vcard",
    "application/x-vcard",
    "application/hl7-v2",
    "application/x-hl7",
    "application/edi-hl7",
    "application/edi-x12",
    "application/rtf-text",
    "application/x-ndjson",
    "application/javascript",
    "application/x-yaml",
    "application/yaml",
    "message/delivery-status",
    "message/disposition-notification",
];

const TEXT_EXTENSIONS: &[&str] = &[
    ".txt", ".text", ".csv", ".tsv", ".log", ".json", ".ndjson", ".xml", ".ics", ".ical", ".vcs",
    ".vcf", ".vcard", ".hl7", ".ccd", ".ccda", ".cda", ".fhir", ".htm", ".html", ".md", ".yaml",
    ".yml", ".edi", ".x12", ".dat",
];

/// The text kind of a part, from its type, its file name (lower case) and its first bytes.
/// `None` when the part is not text.
pub fn text_kind(content_type: &str, lower_name: &str, bytes: &[u8]) -> Option<TextKind> {
    let labelled = content_type.starts_with("text/")
        || TEXT_TYPES.contains(&content_type)
        || content_type.ends_with("+json")
        || content_type.ends_with("+xml")
        || TEXT_EXTENSIONS.iter().any(|x| lower_name.ends_with(x));
    if !labelled && !looks_like_text(bytes) {
        return None;
    }
    Some(kind_of(content_type, lower_name, bytes))
}

fn kind_of(content_type: &str, lower_name: &str, bytes: &[u8]) -> TextKind {
    let head = bytes.trim_ascii_start();
    if head.starts_with(b"MSH|") || head.starts_with(b"FHS|") || head.starts_with(b"BHS|") {
        return TextKind::Hl7;
    }
    let csv = content_type.ends_with("/csv")
        || content_type.ends_with("comma-separated-values")
        || lower_name.ends_with(".csv");
    let tsv = content_type.ends_with("tab-separated-values") || lower_name.ends_with(".tsv");
    let json = content_type.ends_with("json")
        || lower_name.ends_with(".json")
        || lower_name.ends_with(".fhir")
        || head.starts_with(b"{");
    if json {
        return TextKind::Json;
    }
    if csv {
        return TextKind::Delimited(b',');
    }
    if tsv {
        return TextKind::Delimited(b'\t');
    }
    let html = content_type == "text/html" || lower_name.ends_with(".htm") || {
        let h = &head[..head.len().min(512)];
        let lower = String::from_utf8_lossy(h).to_ascii_lowercase();
        lower.starts_with("<!doctype html") || lower.starts_with("<html")
    };
    if html {
        return TextKind::Html;
    }
    if head.starts_with(b"<") {
        return TextKind::Xml;
    }
    TextKind::Plain
}

/// True when the first 8 KiB are text: no NUL, valid UTF-8 (a character cut at the end
/// allowed), and at least 95 % printable or white space.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.is_empty() || head.contains(&0) {
        return false;
    }
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && bytes.len() > head.len(),
    };
    if !valid {
        return false;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    control * 20 <= head.len()
}

/// The text to scan for a text-like part.
pub fn render(kind: TextKind, text: &str) -> String {
    match kind {
        TextKind::Plain if is_directory(text) => unfold(text),
        TextKind::Plain => label_plain(text).unwrap_or_else(|| text.to_string()),
        TextKind::Delimited(sep) => label_columns(text, sep).unwrap_or_else(|| text.to_string()),
        TextKind::Html => {
            let t = html_to_text(text);
            label_columns(&t, b'\t').unwrap_or(t)
        }
        TextKind::Xml => data_xml_to_text(text),
        TextKind::Hl7 => crate::hl7::to_text(text),
        TextKind::Json => crate::json::to_text(text).unwrap_or_else(|| text.to_string()),
    }
}

/// An iCalendar or vCard object (`BEGIN:VCALENDAR`, `BEGIN:VCARD`).
fn is_directory(text: &str) -> bool {
    let head = text.trim_start().as_bytes();
    let head = &head[..head.len().min(16)];
    head.len() >= 10 && head[..6].eq_ignore_ascii_case(b"begin:") && {
        let rest = &head[6..];
        rest.len() >= 5
            && (rest[..5].eq_ignore_ascii_case(b"vcale")
                || rest[..5].eq_ignore_ascii_case(b"vcard"))
    }
}

/// RFC 5545 / 6350 content lines as written: folded lines joined (a line break followed by a
/// space or tab continues the line, so `K\r\n aren` is `Karen`) and text escapes undone
/// (`\;` `\,` `\\` and `\n` as a line break). The output is never longer than the input.
fn unfold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' if matches!(chars.peek(), Some(' ' | '\t')) => {
                chars.next();
            }
            '\\' => match chars.peek().copied() {
                Some('n' | 'N') => {
                    chars.next();
                    out.push('\n');
                }
                Some(e @ (';' | ',' | '\\')) => {
                    chars.next();
                    out.push(e);
                }
                _ => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendars_are_unfolded_and_unescaped() {
        let ics = "BEGIN:VCALENDAR\r\nDESCRIPTION:Patients: Ann Lee\\; K\r\n aren Hill\\, RN\r\nEND:VCALENDAR\r\n";
        let t = render(TextKind::Plain, ics);
        assert!(t.contains("Patients: Ann Lee; Karen Hill, RN\n"), "{t}");
        assert_eq!(render(TextKind::Plain, "a\n b"), "a\n b", "not a calendar");
    }

    #[test]
    fn kinds_by_type_name_and_content() {
        assert_eq!(
            text_kind("application/ics", "", b"BEGIN:VCALENDAR"),
            Some(TextKind::Plain)
        );
        assert_eq!(
            text_kind("application/octet-stream", "x.bin", b"MSH|^~\\&|LAB"),
            Some(TextKind::Hl7)
        );
        assert_eq!(
            text_kind("application/fhir+xml", "", b"<Bundle/>"),
            Some(TextKind::Xml)
        );
        assert_eq!(
            text_kind(
                "application/fhir+json",
                "",
                b"{\"resourceType\":\"Patient\"}"
            ),
            Some(TextKind::Json)
        );
        assert_eq!(
            text_kind("application/octet-stream", "a.csv", b"a,b\n1,2"),
            Some(TextKind::Delimited(b','))
        );
        assert_eq!(
            text_kind("application/octet-stream", "x", b"\x1f\x8b\x08\0gzip"),
            None
        );
        assert_eq!(
            text_kind("image/png", "logo.png", b"\x89PNG\r\n\x1a\n\0"),
            None
        );
    }
}
