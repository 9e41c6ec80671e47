//! Parts that are text whatever their label says: `text/*`, calendars (`application/ics`),
//! vCards, JSON, XML (FHIR, C-CDA), HL7 v2, CSV — and `application/octet-stream` or an unknown
//! type whose bytes are plainly text. Each is rendered for scanning: markup stripped, HL7 fields
//! labelled, table rows given their column headers ([`crate::tables`]).
//!
//! A part that is none of these and no document the extractor knows is *unrecognised*, which
//! the content walk counts as unscannable (fail closed).

use crate::html::{html_to_text, xml_to_text};
use crate::tables::label_columns;

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
        TextKind::Plain => label_columns(text, b'\t').unwrap_or_else(|| text.to_string()),
        TextKind::Delimited(sep) => label_columns(text, sep).unwrap_or_else(|| text.to_string()),
        TextKind::Html => {
            let t = html_to_text(text);
            label_columns(&t, b'\t').unwrap_or(t)
        }
        TextKind::Xml => xml_to_text(text),
        TextKind::Hl7 => crate::hl7::to_text(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
