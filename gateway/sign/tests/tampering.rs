//! What a signature covers, shown by the verifiers failing after each kind of change: an added
//! From or Subject (oversigned), a changed signed header, any change to the body (no `l=`).
//! An added unrelated field (what a receiving MTA adds) leaves it valid.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use sealgate_sign::Signer;
use support::*;

const DOMAIN: &str = "acme-health.org";

struct Fixture {
    signed: Vec<u8>,
    header_len: usize,
    pubkeys: PublicKeys,
}

fn fixture() -> Fixture {
    let k = keys();
    let signer = Signer::new([spec("acme", DOMAIN, "rsa2026", &k.rsa)]).unwrap();
    let original = message(
        "alice@acme-health.org",
        "Lab results",
        "Content-Type: text/plain\r\nReply-To: desk@acme-health.org\r\n",
        b"Your results are ready.\r\n",
    );
    let outcome = signer.sign(&tenant("acme"), &original).unwrap();
    Fixture {
        header_len: outcome.header().len(),
        signed: outcome.apply(&original),
        pubkeys: public_keys(&[("rsa2026", DOMAIN, &k.rsa)]),
    }
}

/// Inserts `field` right after our DKIM-Signature (i.e. above the original headers).
fn insert_header(f: &Fixture, field: &str) -> Vec<u8> {
    let mut m = f.signed[..f.header_len].to_vec();
    m.extend_from_slice(field.as_bytes());
    m.extend_from_slice(&f.signed[f.header_len..]);
    m
}

fn replace(m: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = String::from_utf8(m.to_vec()).unwrap();
    assert!(s.contains(from));
    s.replacen(from, to, 1).into_bytes()
}

fn both_fail(f: &Fixture, m: &[u8], what: &str) {
    let (ok, why) = dkimpy(&f.pubkeys, m, 0);
    assert!(!ok, "{what}: dkimpy still passes: {why}");
    let (results, text) = opendkim(&f.pubkeys, m);
    assert!(
        !opendkim_passes(&results, "rsa2026", DOMAIN),
        "{what}: opendkim still passes: {text}"
    );
}

fn both_pass(f: &Fixture, m: &[u8], what: &str) {
    let (ok, why) = dkimpy(&f.pubkeys, m, 0);
    assert!(ok, "{what}: dkimpy: {why}");
    let (results, text) = opendkim(&f.pubkeys, m);
    assert!(
        opendkim_passes(&results, "rsa2026", DOMAIN),
        "{what}: opendkim: {text}"
    );
}

#[test]
fn the_untouched_message_verifies() {
    let f = fixture();
    both_pass(&f, &f.signed, "untouched");
}

#[test]
fn an_added_from_breaks_the_signature() {
    let f = fixture();
    both_fail(
        &f,
        &insert_header(&f, "From: mallory@acme-health.org\r\n"),
        "added From",
    );
}

#[test]
fn an_added_subject_breaks_the_signature() {
    let f = fixture();
    both_fail(
        &f,
        &insert_header(&f, "Subject: Please wire money\r\n"),
        "added Subject",
    );
}

#[test]
fn changed_signed_headers_break_the_signature() {
    let f = fixture();
    for (from, to) in [
        (
            "To: Bob Patient <bob@patient.example>",
            "To: Eve <eve@evil.example>",
        ),
        (
            "Reply-To: desk@acme-health.org",
            "Reply-To: eve@evil.example",
        ),
        ("Date: Tue, 01 Dec 2026", "Date: Wed, 02 Dec 2026"),
        ("Cc: nurse@clinic.example", "Cc: eve@evil.example"),
    ] {
        both_fail(&f, &replace(&f.signed, from, to), from);
    }
}

#[test]
fn any_body_change_breaks_the_signature_there_is_no_l_tag() {
    let f = fixture();
    let mut appended = f.signed.clone();
    appended.extend_from_slice(b"P.S. click here\r\n");
    both_fail(&f, &appended, "appended body text");
    both_fail(
        &f,
        &replace(&f.signed, "results are ready", "results are READY"),
        "changed body",
    );
    // Body canonicalisation is `simple`: even whitespace inside a line counts.
    both_fail(
        &f,
        &replace(&f.signed, "results are", "results  are"),
        "body whitespace",
    );
}

#[test]
fn unrelated_added_fields_and_header_whitespace_keep_it_valid() {
    let f = fixture();
    let received = insert_header(
        &f,
        "Received: from gw.acme-health.org by mx.patient.example; Tue, 01 Dec 2026 15:00:01 +0000\r\n",
    );
    both_pass(&f, &received, "added Received");
    // Header canonicalisation is relaxed: refolding a signed field is tolerated.
    both_pass(
        &f,
        &replace(
            &f.signed,
            "Subject: Lab results",
            "Subject:  Lab\r\n  results",
        ),
        "refolded Subject",
    );
}
