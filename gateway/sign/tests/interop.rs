//! Our signatures, judged by dkimpy and `opendkim -t` only: RSA-2048 (PKCS#8 and PKCS#1 key
//! files) and Ed25519, over bodies that trip canonicalisation bugs — trailing blank lines,
//! whitespace-only lines, 8-bit UTF-8, empty bodies, folded and sloppy headers, MIME
//! structures like the transform stage's PGP/MIME and S/MIME output.
//!
//! Debian bookworm's opendkim 2.11 verifies Ed25519 (it reports "0-bit key" but `dkim=pass`),
//! so both verifiers check both algorithms.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use sealgate_sign::{Outcome, Signer, Unsigned};
use support::*;

const DOMAIN: &str = "acme-health.org";

/// (name, extra headers, body): the bodies every algorithm must get right.
fn corpus() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut v: Vec<(&'static str, String, Vec<u8>)> = vec![
        ("plain", "Content-Type: text/plain; charset=us-ascii\r\n".into(), b"Hello Bob,\r\n\r\nyour results are ready.\r\n".to_vec()),
        ("trailing blank lines", "Content-Type: text/plain\r\n".into(), b"Hello\r\n\r\n\r\n\r\n\r\n".to_vec()),
        ("trailing whitespace lines (upstream #62)", "Content-Type: text/plain\r\n".into(), b"line one  \r\n \t \r\n\r\n  \r\n\t\r\nlast \t\r\n   \r\n\r\n".to_vec()),
        ("8-bit UTF-8", "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n".into(), "Grüße aus der Klinik — 診療所 ✓\r\nÄrztin: Dr. Müller\r\n\r\n".as_bytes().to_vec()),
        ("empty body", "Content-Type: text/plain\r\n".into(), Vec::new()),
        ("body without final CRLF", "Content-Type: text/plain\r\n".into(), b"no line end at the end".to_vec()),
        ("only CRLFs", "Content-Type: text/plain\r\n".into(), b"\r\n\r\n\r\n".to_vec()),
        (
            "reply headers and folding",
            "Reply-To: desk@acme-health.org\r\nIn-Reply-To: <prev@patient.example>\r\nReferences: <first@patient.example>\r\n\t<prev@patient.example>\r\nContent-Type: text/plain;\r\n  charset=\"utf-8\"\r\n".into(),
            b"see below\r\n".to_vec(),
        ),
        (
            "PGP/MIME",
            "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";\r\n boundary=\"b1\"\r\n".into(),
            b"This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n--b1\r\nContent-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n--b1\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA1aGcU0pWMBTAQf/ZZZZ\r\n=abcd\r\n-----END PGP MESSAGE-----\r\n\r\n--b1--\r\n".to_vec(),
        ),
        (
            "S/MIME",
            "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7m\"\r\n".into(),
            b"MIAGCSqGSIb3DQEHA6CAMIACAQAxggFIMIIBRAIBADAsMBQxEjAQBgNVBAMMCWJv\r\nYi50ZXN0AhQ0r2Yp\r\n".to_vec(),
        ),
    ];
    // A multipart body with a long base64 attachment and a UTF-8 part.
    let mut mixed = "--mix\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nBefund anbei — für Jörg.\r\n\r\n--mix\r\nContent-Type: application/pdf; name=\"lab.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n".as_bytes().to_vec();
    for i in 0..200 {
        mixed.extend_from_slice(format!("JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29kZT4+{i:04}\r\n").as_bytes());
    }
    mixed.extend_from_slice(b"--mix--\r\n\r\n");
    v.push((
        "multipart with attachment",
        "Content-Type: multipart/mixed; boundary=\"mix\"\r\n".into(),
        mixed,
    ));
    v
}

fn check_algorithm(key: &TestKey, selector: &str) {
    let signer = Signer::new([spec("acme", DOMAIN, selector, key)]).unwrap();
    let pubkeys = public_keys(&[(selector, DOMAIN, key)]);
    let mut failures = Vec::new();
    for (name, extra, body) in corpus() {
        let subject = if name == "8-bit UTF-8" {
            "Befund für Jörg ✓"
        } else {
            "Lab   results  "
        };
        let original = message("alice@acme-health.org", subject, &extra, &body);
        let outcome = signer.sign(&tenant("acme"), &original).unwrap();
        let Outcome::Signed(_) = &outcome else {
            failures.push(format!("{name}: not signed: {outcome:?}"));
            continue;
        };
        let signed = outcome.apply(&original);
        assert!(
            signed.ends_with(&original),
            "{name}: the message itself must not change"
        );
        let (ok, why) = dkimpy(&pubkeys, &signed, 0);
        if !ok {
            failures.push(format!("{name}: dkimpy: {why}"));
        }
        let (results, text) = opendkim(&pubkeys, &signed);
        if !opendkim_passes(&results, selector, DOMAIN) {
            failures.push(format!("{name}: opendkim: {results:?}\n{text}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn rsa_2048_pkcs8_verifies_with_dkimpy_and_opendkim() {
    check_algorithm(&keys().rsa, "rsa2026");
}

#[test]
fn rsa_2048_pkcs1_verifies_with_dkimpy_and_opendkim() {
    check_algorithm(&keys().rsa_pkcs1, "legacy");
}

#[test]
fn ed25519_verifies_with_dkimpy_and_opendkim() {
    check_algorithm(&keys().ed, "ed2026");
}

#[test]
fn every_selector_of_the_domain_signs_rsa_and_ed25519_both_verify() {
    let k = keys();
    let signer = Signer::new([
        spec("acme", DOMAIN, "rsa2026", &k.rsa),
        spec("acme", DOMAIN, "ed2026", &k.ed),
    ])
    .unwrap();
    let pubkeys = public_keys(&[("rsa2026", DOMAIN, &k.rsa), ("ed2026", DOMAIN, &k.ed)]);
    let original = message("alice@acme-health.org", "two signatures", "", b"body\r\n");
    let outcome = signer.sign(&tenant("acme"), &original).unwrap();
    let selectors: Vec<&str> = outcome
        .signatures()
        .iter()
        .map(|s| s.selector.as_str())
        .collect();
    assert_eq!(selectors, ["rsa2026", "ed2026"]);
    let signed = outcome.apply(&original);
    for i in 0..2 {
        let (ok, why) = dkimpy(&pubkeys, &signed, i);
        assert!(ok, "signature {i}: {why}");
    }
    let (results, text) = opendkim(&pubkeys, &signed);
    assert!(opendkim_passes(&results, "rsa2026", DOMAIN), "{text}");
    assert!(opendkim_passes(&results, "ed2026", DOMAIN), "{text}");
}

#[test]
fn a_signature_already_present_is_kept_and_still_verifies() {
    let k = keys();
    // The tenant's platform (say Google Workspace) signed first; dkimpy makes that signature.
    let original = message(
        "alice@acme-health.org",
        "pre-signed",
        "Content-Type: text/plain\r\n",
        b"already signed upstream\r\n\r\n",
    );
    let google = public_keys(&[("google", DOMAIN, &k.other_rsa)]);
    let presigned = dkimpy_sign(&original, "google", DOMAIN, &k.other_rsa);
    assert!(
        dkimpy(&google, &presigned, 0).0,
        "the upstream signature must verify to start with"
    );

    let signer = Signer::new([spec("acme", DOMAIN, "rsa2026", &k.rsa)]).unwrap();
    let outcome = signer.sign(&tenant("acme"), &presigned).unwrap();
    let signed = outcome.apply(&presigned);
    assert!(
        signed.ends_with(&presigned),
        "the upstream signature and message are byte-identical"
    );

    let both = public_keys(&[
        ("google", DOMAIN, &k.other_rsa),
        ("rsa2026", DOMAIN, &k.rsa),
    ]);
    let (ours, why) = dkimpy(&both, &signed, 0);
    assert!(ours, "ours (topmost): {why}");
    let (theirs, why) = dkimpy(&both, &signed, 1);
    assert!(theirs, "the upstream one, below ours: {why}");
    let (results, text) = opendkim(&both, &signed);
    assert!(opendkim_passes(&results, "rsa2026", DOMAIN), "{text}");
    assert!(opendkim_passes(&results, "google", DOMAIN), "{text}");
}

#[test]
fn utf8_domain_in_from_is_signed_with_its_a_label_key() {
    let k = keys();
    let signer = Signer::new([spec("acme", "bücher.example", "ed2026", &k.ed)]).unwrap();
    let original = message(
        "jörg@bücher.example",
        "IDN",
        "Content-Type: text/plain; charset=utf-8\r\n",
        "Grüße\r\n".as_bytes(),
    );
    let outcome = signer.sign(&tenant("acme"), &original).unwrap();
    assert_eq!(outcome.signatures().len(), 1, "{outcome:?}");
    let pubkeys = public_keys(&[("ed2026", "xn--bcher-kva.example", &k.ed)]);
    let (ok, why) = dkimpy(&pubkeys, &outcome.apply(&original), 0);
    assert!(ok, "{why}");
}

#[test]
fn messages_without_a_single_from_domain_are_left_unsigned() {
    let k = keys();
    let signer = Signer::new([spec("acme", DOMAIN, "rsa2026", &k.rsa)]).unwrap();
    let cases: [(&[u8], Unsigned); 3] = [
        (
            b"To: b@x.org\r\nSubject: s\r\n\r\nbody\r\n",
            Unsigned::NoFrom,
        ),
        (
            b"From: a@acme-health.org\r\nFrom: a@acme-health.org\r\n\r\nbody\r\n",
            Unsigned::SeveralFromFields,
        ),
        (
            b"From: a@acme-health.org, b@other.example\r\n\r\nbody\r\n",
            Unsigned::SeveralFromDomains,
        ),
    ];
    for (m, why) in cases {
        let outcome = signer.sign(&tenant("acme"), m).unwrap();
        assert_eq!(outcome, Outcome::Unsigned(why));
        assert_eq!(outcome.apply(m), m, "unsigned mail is passed on unchanged");
    }
}

/// dkimpy signs (relaxed/relaxed, as Google does), to stand in for an upstream signature.
fn dkimpy_sign(message: &[u8], selector: &str, domain: &str, key: &TestKey) -> Vec<u8> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let script = format!(
        "import dkim,sys\nm=sys.stdin.buffer.read()\nk=open({:?},'rb').read()\n\
         s=dkim.sign(m,{:?}.encode(),{:?}.encode(),k,canonicalize=(b'relaxed',b'relaxed'),include_headers=[b'from',b'to',b'subject',b'date'])\n\
         sys.stdout.buffer.write(s+m)\n",
        key.path.display().to_string(),
        selector,
        domain
    );
    let mut child = Command::new("python3")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(message).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    out.stdout
}
