//! Hostile inputs: bounded time and memory, a fail-closed decision, no panic to the caller.

mod common;
use common::*;
use sealgate_rules::{Requirement, RuleSet};
use std::time::{Duration, Instant};

fn fail_closed(d: &sealgate_rules::Decision) {
    assert!(
        matches!(d.recipients[0], Requirement::Encrypt { .. }),
        "{d:?}"
    );
    assert!(d.phi);
    assert!(d.rules.iter().any(|r| r == "fail-closed"), "{:?}", d.rules);
    assert!(d.hits.iter().any(|h| h.detector == "unscannable"));
}

fn timed(raw: &[u8]) -> (sealgate_rules::Decision, Duration) {
    let s = RuleSet::embedded_default();
    let t = Instant::now();
    let d = classify(&s, raw);
    (d, t.elapsed())
}

#[test]
fn zip_bomb_docx_hits_the_limit() {
    // 200 MiB of zeros deflated: about 200 KB on the wire.
    let zeros = vec![0u8; 200 << 20];
    let deflated = miniz_oxide::deflate::compress_to_vec(&zeros, 6);
    drop(zeros);
    let mut z = zip_stored(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", &deflated),
    ]);
    // Mark the second member as deflated (method 8) in its local and central headers.
    let local = z
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x03\x04")
        .nth(1)
        .unwrap()
        .0;
    z[local + 8] = 8;
    let central = z
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x01\x02")
        .nth(1)
        .unwrap()
        .0;
    z[central + 10] = 8;
    let raw = with_attachment("x", "application/octet-stream", "bomb.docx", &z);
    let (d, took) = timed(&raw);
    fail_closed(&d);
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn ten_thousand_deep_mime_nesting() {
    let mut raw = String::from("From: a@b.example\r\nTo: p@x.example\r\nSubject: deep\r\n");
    for i in 0..10_000 {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    raw.push_str("Content-Type: text/plain\r\n\r\nhello\r\n");
    let (d, took) = timed(raw.as_bytes());
    fail_closed(&d);
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn deep_nested_rfc822_within_the_container_limit() {
    let mut inner = String::from("From: a@b.example\r\nSubject: leaf\r\n\r\nleaf\r\n");
    for _ in 0..40 {
        inner = format!(
            "From: a@b.example\r\nTo: p@x.example\r\nSubject: fwd\r\nContent-Type: message/rfc822\r\n\r\n{inner}"
        );
    }
    let (d, _) = timed(inner.as_bytes());
    fail_closed(&d);
}

#[test]
fn invalid_charsets_do_not_break_scanning() {
    let raw = b"From: a@b.example\r\nTo: p@x.example\r\nSubject: =?x-unknown?Q?=FF=FE?=\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\n\xff\xfe\x80 SSN 123-45-6789 \xc3\x28\r\n";
    let (d, _) = timed(raw);
    assert!(
        d.hits.iter().any(|h| h.detector == "us-ssn"),
        "{:?}",
        d.hits
    );
}

#[test]
fn pdf_with_broken_xref_is_still_read() {
    let pdf = b"%PDF-1.7\n1 0 obj\n<< /Length 999 >>\nstream\nBT (Patient SSN 123-45-6789) Tj ET\nendstream\nendobj\nxref\n0 1\nBROKEN\ntrailer << /Size 1 >>\nstartxref\n99999\n%%EOF\n";
    let raw = with_attachment("x", "application/pdf", "r.pdf", pdf);
    let (d, _) = timed(&raw);
    assert!(
        d.hits.iter().any(|h| h.detector == "us-ssn"),
        "{:?}",
        d.hits
    );
}

#[test]
fn truncated_pdf_and_fake_documents_fail_closed() {
    let raw = with_attachment("x", "application/pdf", "r.pdf", b"not a pdf at all");
    fail_closed(&timed(&raw).0);
    let raw = with_attachment(
        "x",
        "application/pdf",
        "r.pdf",
        b"%PDF-1.4\n1 0 obj << /Encrypt 2 0 R >>",
    );
    fail_closed(&timed(&raw).0);
}

#[test]
fn fifty_mib_attachment_is_bounded() {
    let big = vec![b'A'; 50 << 20];
    let raw = with_attachment("x", "application/octet-stream", "big.pdf", &big);
    drop(big);
    let (d, took) = timed(&raw);
    fail_closed(&d);
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn child_process_extractor_stops_a_runaway_child() {
    // `sleep` stands in for a parser that never finishes: the deadline kills it.
    let x = sealgate_rules::ChildProcess::new("sleep", vec!["30".into()], 64);
    let t = Instant::now();
    let r = sealgate_rules::Extractor::extract(
        &x,
        sealgate_rules::DocKind::Pdf,
        b"%PDF-",
        1024,
        Duration::from_millis(300),
    );
    assert_eq!(r, Err(sealgate_rules::ExtractFailure::Timeout));
    assert!(t.elapsed() < Duration::from_secs(5));
    let crash = sealgate_rules::ChildProcess::new("false", vec![], 64);
    let r = sealgate_rules::Extractor::extract(
        &crash,
        sealgate_rules::DocKind::Pdf,
        b"%PDF-",
        1024,
        Duration::from_secs(2),
    );
    assert_eq!(r, Err(sealgate_rules::ExtractFailure::Crashed));
}

/// Issue 14: the new parsers on hostile input — a legacy Office file of 20 MiB of text runs, an
/// HL7 v2 "message" of a quarter million segments, an XLSX of half a million cells and ZIPs nested four
/// deep — each ends within its budget, and what cannot be read fails closed.
#[test]
fn ole2_full_of_text_is_bounded() {
    let mut ole = vec![0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
    ole.extend(std::iter::repeat_n(*b"word ", 4 << 20).flatten());
    let raw = with_attachment("x", "application/msword", "old.doc", &ole);
    drop(ole);
    let (d, took) = timed(&raw);
    fail_closed(&d);
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn encrypted_ole2_is_unscannable() {
    let mut ole = vec![0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
    ole.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    let raw = with_attachment("x", "application/vnd.ms-excel", "locked.xls", &ole);
    fail_closed(&timed(&raw).0);
}

#[test]
fn quarter_million_segment_hl7_is_bounded() {
    let hl7: Vec<u8> = std::iter::once(b"MSH|^~\\&|A|B\r".to_vec())
        .chain(std::iter::repeat_n(b"OBX|1|TX|||x^y^z\r".to_vec(), 250_000))
        .flatten()
        .collect();
    let raw = with_attachment("x", "application/hl7-v2", "big.hl7", &hl7);
    drop(hl7);
    let (d, took) = timed(&raw);
    assert!(d.recipients.len() == 1);
    assert!(took < Duration::from_secs(60), "{took:?}");
}

#[test]
fn large_xlsx_is_bounded() {
    let mut sheet = String::from("<worksheet><sheetData>");
    for r in 1..=100_000 {
        sheet.push_str(&format!(
            "<row r=\"{r}\"><c r=\"A{r}\"><v>{r}</v></c><c r=\"B{r}\" t=\"inlineStr\"><is><t>cell text {r}</t></is></c><c r=\"C{r}\"><v>4{r}</v></c><c r=\"D{r}\"><v>x</v></c><c r=\"E{r}\"><v>y</v></c></row>"
        ));
    }
    sheet.push_str("</sheetData></worksheet>");
    let x = zip_stored(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ]);
    drop(sheet);
    let raw = with_attachment("x", "application/vnd.ms-excel", "big.xlsx", &x);
    let (d, took) = timed(&raw);
    assert!(d.recipients.len() == 1);
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn zip_in_zip_beyond_the_nesting_limit_fails_closed() {
    let mut z = zip_stored(&[("note.txt", b"hello")]);
    for i in 0..4 {
        z = zip_stored(&[(&format!("layer{i}.zip"), &z)]);
    }
    let raw = with_attachment("x", "application/zip", "nested.zip", &z);
    fail_closed(&timed(&raw).0);
}

#[test]
fn unrecognised_member_of_a_zip_fails_closed() {
    let z = zip_stored(&[("notes.gz", b"\x1f\x8b\x08\0\0\0\0\0\0\x03binary")]);
    let raw = with_attachment("x", "application/zip", "a.zip", &z);
    fail_closed(&timed(&raw).0);
}
