//! Invariant 3 (no PHI at rest in clear): a message full of a planted SSN and a canary string is
//! committed, recorded and recovered; then every byte of every file in the spool directory is
//! searched for them in clear, base64 (all three alignments), quoted-printable and hex.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use sealgate_commit::{BodyLocation, INLINE_BODY_MAX};
use sealgate_core::decision::{DetectorHit, Location};
use sealgate_core::event::Event;
use sealgate_core::store::QueueStore;
use sealgate_core::{Status, Timestamp};
use std::fs;
use std::path::Path;

const CANARIES: [&str; 2] = ["078-05-1120", "SSN-CANARY-7731"];

fn b64(input: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The base64 characters that depend only on `needle`, when it starts `k` bytes into a stream.
fn b64_core(needle: &[u8], k: usize) -> String {
    let mut input = vec![b'x'; k];
    input.extend_from_slice(needle);
    let enc = b64(&input);
    let first = (8 * k).div_ceil(6);
    let last = (8 * (k + needle.len()) - 6) / 6;
    enc[first..=last].to_string()
}

fn qp(needle: &[u8]) -> String {
    needle
        .iter()
        .map(|&b| match b {
            33..=60 | 62..=126 => (b as char).to_string(),
            _ => format!("={b:02X}"),
        })
        .collect()
}

fn forms() -> Vec<String> {
    let mut out = Vec::new();
    for c in CANARIES {
        let b = c.as_bytes();
        out.push(c.to_string());
        out.push(qp(b));
        out.push(b.iter().map(|x| format!("{x:02x}")).collect());
        out.extend((0..3).map(|k| b64_core(b, k)));
    }
    out
}

fn scan(dir: &Path, found: &mut Vec<String>, files: &mut usize) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scan(&path, found, files);
            continue;
        }
        *files += 1;
        let bytes = fs::read(&path).unwrap();
        for form in forms() {
            if bytes.windows(form.len()).any(|w| w == form.as_bytes()) {
                found.push(format!("{form:?} in {}", path.display()));
            }
        }
    }
}

#[test]
fn no_planted_phi_anywhere_in_the_spool_directory_body_in_the_database() {
    planted_phi_stays_sealed(0, BodyLocation::Database);
}

#[test]
fn no_planted_phi_anywhere_in_the_spool_directory_body_in_a_file() {
    planted_phi_stays_sealed(INLINE_BODY_MAX, BodyLocation::File);
}

/// Commits a message full of planted PHI (padded with `filler` bytes of neutral text, which
/// decides where its body is stored), then scans every file of the spool for it.
fn planted_phi_stays_sealed(filler: usize, expected: BodyLocation) {
    let padding = "filler text line\r\n".repeat(filler / 18 + 1);
    let attachment = b64(b"Patient SSN 078-05-1120, ref SSN-CANARY-7731\r\n");
    let body = format!(
        "From: \"SSN-CANARY-7731 Clinic\" <doctor@acme.example>\r\n\
         To: <patient0@clinic.example>\r\n\
         Subject: [secure] SSN 078-05-1120 SSN-CANARY-7731\r\n\
         Message-ID: <abc123@acme.example>\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
         Your SSN is 078-05-1120 (SSN-CANARY-7731).\r\n{padding}\
         --b\r\nContent-Type: application/pdf; name=\"SSN-CANARY-7731-078-05-1120.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{attachment}\r\n--b--\r\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let mut m = message(T0, 2, body.as_bytes());
    m.decision.hits.push(DetectorHit {
        detector: "us-ssn".into(),
        count: 3,
        confidence: 0.97,
        location: Location::Body,
    });
    m.decision.phi = true;
    spool.commit(&m).unwrap();
    assert_eq!(spool.body_location(m.id).unwrap(), Some(expected));
    spool
        .record(
            m.id,
            0,
            Event::status(Timestamp(T0 + 1), Status::TemporaryFailure, "451 4.4.1"),
            None,
        )
        .unwrap();
    spool.recover(Timestamp(T0 + 2)).unwrap();
    assert_eq!(
        &*spool.body(m.id).unwrap(),
        body.as_bytes(),
        "the body itself survives"
    );
    drop(spool);

    // The scanner finds what it should: sanity-check it against the plain body.
    let probe = dir.path().join("probe");
    fs::write(&probe, body.as_bytes()).unwrap();
    let (mut found, mut files) = (Vec::new(), 0);
    scan(dir.path(), &mut found, &mut files);
    assert!(
        found.iter().filter(|f| f.contains("probe")).count() >= 4,
        "{found:?}"
    );
    for c in CANARIES {
        let cores: Vec<String> = (0..3).map(|k| b64_core(c.as_bytes(), k)).collect();
        assert!(
            cores.iter().any(|core| attachment.contains(core.as_str())),
            "{c} in base64"
        );
    }
    fs::remove_file(&probe).unwrap();

    let (mut found, mut files) = (Vec::new(), 0);
    scan(dir.path(), &mut found, &mut files);
    let least = if expected == BodyLocation::File { 2 } else { 1 };
    assert!(
        files >= least,
        "the database and any body file were scanned"
    );
    assert!(found.is_empty(), "PHI at rest in clear: {found:?}");
}
