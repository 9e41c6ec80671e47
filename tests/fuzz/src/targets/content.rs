//! The content targets (part of `targets.rs`, split for length): header `From`, MIME analysis,
//! document extraction and the shipped rules.

use sealgate_core::Address;
use sealgate_rules::content::analyse;
use sealgate_rules::extract::{Budget, DocKind, extract_text};
use sealgate_rules::{InProcess, Limits, PROVIDED_METHODS, RuleSet, Source};
use std::time::Duration;

pub(super) const HEADER_TOKENS: &[&[u8]] = &[
    b"From: ",
    b"F rom: ",
    b"Sender: ",
    b"Resent-From: ",
    b"\"quoted@part\"",
    b"@evil.example",
    b"\r\n\t",
    b"=?utf-8?b?",
    b"<>",
    b"\0",
];

pub(super) const MIME_TOKENS: &[&[u8]] = &[
    b"Content-Type: multipart/mixed; boundary=\"b\"\r\n",
    b"\r\n--b\r\n",
    b"\r\n--b--\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"Content-Type: message/rfc822\r\n",
    b"Content-Type: text/html\r\n",
    b"Content-Disposition: attachment; filename=\"a.pdf\"\r\n",
    b"=?utf-8?q?",
    b"%PDF-1.4",
    b"PK\x03\x04",
    b"{\\rtf1",
];

macro_rules! cases {
    ($($name:literal),*) => {
        &[$(include_bytes!(concat!("../../../../deploy/rules/cases/", $name, ".eml"))),*]
    };
}

const CASES: &[&[u8]] = cases!(
    "appointment-reminder",
    "clinical-note-dob",
    "csv-roster-mbi",
    "docx-attachment-ssn",
    "html-lab-results",
    "secure-tag",
    "ssn-in-body",
    "two-recipients"
);

pub(super) fn mime_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = CASES.iter().map(|c| c.to_vec()).collect();
    seeds.push(b"From: ceo@evil.example@acme-health.org\r\nSender: a@b.org\r\n\r\nx\r\n".to_vec());
    seeds
}

/// Header From and the other originator fields: never a panic; when accepted, every domain is
/// a valid A-label domain (it re-parses to itself).
pub(super) fn check_header_from(input: &[u8]) {
    let mut domains = Vec::new();
    if let Ok(d) = sealgate_connectors::header_from_domains(input) {
        domains.extend(d);
    }
    if let Ok(d) = sealgate_connectors::other_originator_domains(input) {
        domains.extend(d);
    }
    for d in domains {
        assert_eq!(
            sealgate_core::Domain::parse(d.as_str()).as_ref(),
            Ok(&d),
            "domain does not re-parse"
        );
    }
}

fn small_limits() -> Limits {
    Limits {
        max_attachment_bytes: 1 << 20,
        max_extracted_bytes: 1 << 20,
        max_scan_bytes: 4 << 20,
        extract_timeout_ms: 2_000,
        ..Limits::default()
    }
}

/// The MIME walker (with the in-process extractor behind it) never panics.
pub(super) fn check_mime(input: &[u8]) {
    let _ = analyse(input, &small_limits(), &InProcess);
}

pub(super) const DOC_TOKENS: &[&[u8]] = &[
    b"BT (text) Tj ET",
    b"stream\r\n",
    b"endstream",
    b"/FlateDecode",
    b"obj <<",
    b"\\par ",
    b"{\\*\\",
    b"\\u8212?",
    b"word/document.xml",
    b"<w:t>",
    b"PK\x01\x02",
    b"PK\x05\x06",
];

pub(super) fn document_seeds() -> Vec<Vec<u8>> {
    let mut seeds = vec![
        b"%PDF-1.4\n1 0 obj << /Length 44 >>\nstream\nBT /F1 12 Tf (Patient SSN 123-45-6789) Tj ET\nendstream\nendobj\n%%EOF".to_vec(),
        b"{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\f0 Patient \\b DOB\\b0 01/02/1960\\par\\u8212? x}".to_vec(),
    ];
    for case in CASES {
        if let Some(m) = mail_parser::MessageParser::default().parse(case) {
            seeds.extend(m.attachments().map(|a| a.contents().to_vec()));
        }
    }
    seeds
}

/// Every extractor, chosen by the input's sniffed kind or else by its first byte, never panics
/// and keeps within its budget.
pub(super) fn check_extract(input: &[u8]) {
    let kind = DocKind::sniff(input).unwrap_or(
        [DocKind::Pdf, DocKind::Rtf, DocKind::Zip]
            [usize::from(input.first().copied().unwrap_or(0)) % 3],
    );
    let mut budget = Budget::new(1 << 20, Duration::from_secs(2));
    if let Ok(text) = extract_text(kind, input, &mut budget) {
        assert!(text.len() <= 1 << 20, "extracted past the budget");
    }
}

pub(super) const RULE_TOKENS: &[&[u8]] = &[
    b"[[rule]]\n",
    b"[rule.when]\n",
    b"any = [",
    b"all = [",
    b"not = ",
    b"{ detector = \"us-ssn\", confidence = \"medium\" }",
    b"{ keyword = \"x\" }",
    b"action = \"encrypt\"\n",
    b"chain = [\"pgp\", \"hold\"]\n",
    b"regex = \"(a+)+$\"\n",
    b"[[detector]]\n",
    b"\"",
    b"]",
];

const RULE_FILES: &[(&str, &str)] = &[
    (
        "00-settings.toml",
        include_str!("../../../../deploy/rules/00-settings.toml"),
    ),
    (
        "10-detectors.toml",
        include_str!("../../../../deploy/rules/10-detectors.toml"),
    ),
    (
        "50-phi.toml",
        include_str!("../../../../deploy/rules/50-phi.toml"),
    ),
    (
        "60-secure-tag.toml",
        include_str!("../../../../deploy/rules/60-secure-tag.toml"),
    ),
];

const DICTIONARIES: &[(&str, &str)] = &[
    (
        "clinical-context",
        include_str!("../../../../deploy/rules/dictionaries/clinical-context.txt"),
    ),
    (
        "health-terms",
        include_str!("../../../../deploy/rules/dictionaries/health-terms.txt"),
    ),
    (
        "medications",
        include_str!("../../../../deploy/rules/dictionaries/medications.txt"),
    ),
];

pub(super) fn rule_seeds() -> Vec<Vec<u8>> {
    RULE_FILES
        .iter()
        .map(|(_, t)| t.as_bytes().to_vec())
        .collect()
}

/// The rule compiler takes any text without panicking (errors are fine); a set that compiles
/// classifies a sample message without panicking.
pub(super) fn check_rules(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    let dicts: Vec<Source<'_>> = DICTIONARIES
        .iter()
        .map(|(n, t)| Source { name: n, text: t })
        .collect();
    let files = [
        Source {
            name: RULE_FILES[1].0,
            text: RULE_FILES[1].1,
        },
        Source {
            name: "fuzzed.toml",
            text: text.as_ref(),
        },
    ];
    if let Ok(set) = RuleSet::from_sources(&files, &dicts, &[], PROVIDED_METHODS) {
        let rcpt = Address::parse("bob@example.com");
        if let Ok(rcpt) = rcpt {
            let _ = set.classify_raw(CASES[6], None, &[&rcpt]);
        }
    }
}
