//! Issue 14's named bugs and the kinds of content behind them, each with a regression test:
//! a context word directly followed by digits, label-only "already encrypted" (real messages
//! made by gpg and `openssl cms` for the positive side), unrecognised binary parts, text-like
//! types (`application/ics`, vCard, JSON, HL7 v2), file names, inline `cid:` images, table
//! headers, untitled names and the forms of a date of birth.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;
use common::*;
use sealgate_rules::{Location, Requirement, RuleSet, Source};
use std::process::Command;

fn protected(raw: &[u8]) -> bool {
    let d = classify(&RuleSet::embedded_default(), raw);
    d.recipients.iter().any(|r| *r != Requirement::Deliver)
}

fn hit_in(raw: &[u8], detector: &str, loc: &Location) -> bool {
    let d = classify(&RuleSet::embedded_default(), raw);
    d.hits
        .iter()
        .any(|h| h.detector == detector && h.location == *loc)
}

#[test]
fn ss_hash_directly_followed_by_digits_is_ssn_context() {
    // Bare nine digits score 0.3; only the `SS#` label lifts them to medium.
    assert!(protected(&eml(
        "claim",
        "Member SS#536228147 for the claim."
    )));
    assert!(protected(&eml(
        "claim",
        "Member SSN536228147 for the claim."
    )));
    assert!(!protected(&eml("order", "Order number 536228147 shipped.")));
}

/// A rule set where `encrypted = true` delivers and an SSN encrypts.
fn encrypted_set() -> RuleSet {
    let rules = r#"
[[rule]]
id = "already"
action = "deliver"
stop = true
[rule.when]
encrypted = true

[[rule]]
id = "ssn"
action = "encrypt"
[rule.when]
detector = "us-ssn"
"#;
    let f = [Source {
        name: "a.toml",
        text: rules,
    }];
    RuleSet::from_sources(&f, &[], &[], sealgate_rules::PROVIDED_METHODS).unwrap()
}

fn rules_of(set: &RuleSet, raw: &[u8]) -> Vec<String> {
    classify(set, raw).rules
}

#[test]
fn label_only_encryption_is_not_encryption() {
    let s = encrypted_set();
    let pgp = b"From: a@clinic.example\r\nTo: pat@mail.example\r\nSubject: s\r\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=x\r\n\r\n--x\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--x\r\nContent-Type: text/plain\r\n\r\nPatient SSN 536-22-8147\r\n--x--\r\n";
    assert_eq!(rules_of(&s, pgp), ["ssn"]);
    let p7 = b"From: a@clinic.example\r\nTo: pat@mail.example\r\nSubject: s\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\nPatient SSN 536-22-8147\r\n";
    assert_eq!(rules_of(&s, p7), ["ssn"]);
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("tool runs");
    assert!(out.status.success(), "{cmd:?}: {:?}", out.status);
    out.stdout
}

#[test]
fn real_openpgp_and_cms_messages_are_encrypted() {
    let s = encrypted_set();
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, "Patient SSN 536-22-8147\n").unwrap();
    // OpenPGP: gpg's symmetric encryption (SKESK + SEIPD), ASCII armored, in RFC 3156 form.
    let armored = run(Command::new("gpg")
        .arg("--homedir")
        .arg(dir.path())
        .args([
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "x",
        ])
        .args(["--symmetric", "--armor", "--output", "-"])
        .arg(&plain));
    let armored = String::from_utf8(armored)
        .unwrap()
        .replace("\r\n", "\n")
        .replace('\n', "\r\n");
    let pgp = format!(
        "From: a@clinic.example\r\nTo: pat@mail.example\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=x\r\n\r\n--x\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--x\r\nContent-Type: application/octet-stream\r\n\r\n{armored}\r\n--x--\r\n"
    );
    assert_eq!(rules_of(&s, pgp.as_bytes()), ["already"]);
    // The same ciphertext inline as the whole body.
    let inline =
        format!("From: a@clinic.example\r\nTo: pat@mail.example\r\nSubject: s\r\n\r\n{armored}");
    assert_eq!(rules_of(&s, inline.as_bytes()), ["already"]);
    // CMS EnvelopedData made by `openssl cms -encrypt` (its S/MIME output is a whole entity).
    let (key, cert) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
    run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert));
    let smime = run(Command::new("openssl")
        .args(["cms", "-encrypt", "-aes256", "-in"])
        .arg(&plain)
        .arg(&cert));
    let smime = String::from_utf8(smime)
        .unwrap()
        .replace("\r\n", "\n")
        .replace('\n', "\r\n");
    let p7 = format!("From: a@clinic.example\r\nTo: pat@mail.example\r\nSubject: s\r\n{smime}");
    assert_eq!(rules_of(&s, p7.as_bytes()), ["already"]);
    // The default set sees no unscannable part in a real encrypted message: the ciphertext is
    // no unrecognised binary.
    let d = classify(&RuleSet::embedded_default(), p7.as_bytes());
    assert!(
        !d.hits.iter().any(|h| h.detector == "unscannable"),
        "{:?}",
        d.hits
    );
}

#[test]
fn unrecognised_binary_part_is_unscannable_and_protected() {
    // Bytes of no format this build knows: no text, no document.
    let bin: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let raw = with_attachment(
        "see attached",
        "application/x-lab-instrument",
        "run.bin",
        &bin,
    );
    let d = classify(&RuleSet::embedded_default(), &raw);
    assert!(
        d.hits.iter().any(|h| h.detector == "unscannable"),
        "{:?}",
        d.hits
    );
    assert!(protected(&raw));
    // The same bytes as `application/octet-stream` without a name.
    let raw = with_attachment("see attached", "application/octet-stream", "blob", &bin);
    assert!(protected(&raw));
    // gzip of the same bytes (one stored deflate block): decompressed, still unrecognised.
    let mut gz = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x01".to_vec();
    let n = bin.len() as u16;
    gz.extend(n.to_le_bytes());
    gz.extend((!n).to_le_bytes());
    gz.extend(&bin);
    gz.extend([0; 8]);
    let raw = with_attachment("see attached", "application/gzip", "run.bin.gz", &gz);
    assert!(protected(&raw));
}

/// A gzipped log or CSV is decompressed and read like any text part (issue 14: it used to be
/// unscannable, so a harmless compressed server log was held as PHI).
#[test]
fn gzip_holding_text_is_read() {
    // gzip of "This is a string".
    let gz = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x0b\xc9\xc8\x2c\x56\x00\xa2\x44\x85\xe2\x92\xa2\xcc\xbc\x74\x00";
    let raw = with_attachment("see attached", "application/gzip", "notes.gz", gz);
    let d = classify(&RuleSet::embedded_default(), &raw);
    assert!(
        !d.hits.iter().any(|h| h.detector == "unscannable"),
        "{:?}",
        d.hits
    );
    assert!(!protected(&raw));
}

#[test]
fn octet_stream_holding_text_is_scanned_as_text() {
    let raw = with_attachment(
        "x",
        "application/octet-stream",
        "data.bin",
        b"SSN 536-22-8147\n",
    );
    assert!(hit_in(&raw, "us-ssn", &Location::Attachment { index: 0 }));
}

#[test]
fn calendar_vcard_json_and_hl7_parts_are_scanned() {
    let at = Location::Attachment { index: 0 };
    let ics = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Follow-up, SSN 536-22-8147\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let raw = with_attachment("invite", "application/ics", "invite.ics", ics);
    assert!(hit_in(&raw, "us-ssn", &at), "application/ics");
    let vcf = b"BEGIN:VCARD\r\nFN:Maribel Quintero\r\nBDAY:19620314\r\nEND:VCARD\r\n";
    let raw = with_attachment("contact", "text/vcard", "p.vcf", vcf);
    assert!(hit_in(&raw, "date-of-birth", &at));
    let json = br#"{"resourceType":"Patient","birthDate":"1962-03-14","identifier":[{"system":"ssn","value":"536-22-8147"}]}"#;
    let raw = with_attachment("fhir", "application/fhir+json", "p.json", json);
    assert!(hit_in(&raw, "us-ssn", &at));
    let hl7 = b"MSH|^~\\&|LAB|CLINIC|||202401011200||ORU^R01|1|P|2.5\rPID|1||12345678^^^MRN||QUINTERO^MARIBEL||19620314|F\rOBX|1|TX|||HbA1c 9.1\r";
    let raw = with_attachment("result", "application/octet-stream", "result.hl7", hl7);
    assert!(protected(&raw), "HL7 v2 with MRN and date of birth");
}

#[test]
fn attachment_file_names_are_scanned() {
    let raw = with_attachment(
        "As discussed.",
        "text/plain",
        "Quintero_Maribel_DOB_03141962_MRI.txt",
        b"see scan\n",
    );
    assert!(
        protected(&raw),
        "a name, a date of birth and a procedure in a file name"
    );
    let raw = with_attachment("As discussed.", "text/plain", "agenda.txt", b"see scan\n");
    assert!(!protected(&raw));
}

#[test]
fn inline_cid_images_are_benign_other_images_unscannable() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    let html = |src: &str, cid: &str| {
        format!(
            "From: ann@clinic.example\r\nTo: pat@mail.example\r\nSubject: news\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n<p>Hello</p><img src=\"{src}\">\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <{cid}>\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--r--\r\n",
            base64(png)
        )
        .into_bytes()
    };
    assert!(!protected(&html("cid:logo1@clinic", "logo1@clinic")));
    assert!(protected(&html(
        "https://clinic.example/x.png",
        "logo1@clinic"
    )));
    let raw = with_attachment(
        "photo",
        "image/jpeg",
        "wound.jpg",
        b"\xff\xd8\xff\xe0\0\x10JFIF\0",
    );
    assert!(
        protected(&raw),
        "an attached image without OCR is unscannable"
    );
}

#[test]
fn table_headers_give_context_to_their_columns() {
    let csv = b"Patient Name,DOB,Member ID,Visit\nMaribel Quintero,03/14/1962,XQ4481,office\nDelphine Okafor,07/02/1975,XQ9912,office\n";
    let raw = with_attachment("roster", "text/csv", "roster.csv", csv);
    assert!(protected(&raw), "names with birth dates from a header");
    let html = b"From: ann@clinic.example\r\nTo: pat@mail.example\r\nSubject: list\r\nContent-Type: text/html\r\n\r\n<table><tr><th>Patient Name (DOB)</th><th>Date of birth</th></tr><tr><td>Maribel Quintero</td><td>3/14/62</td></tr></table>\r\n";
    assert!(protected(html));
}

#[test]
fn untitled_names_need_a_health_fact() {
    assert!(protected(&eml(
        "MRI",
        "Maribel Quintero's MRI shows a torn meniscus."
    )));
    assert!(protected(&eml(
        "fwd",
        "See below.\r\n\r\n> On Monday Delphine Okafor wrote:\r\n> Rosalind Quintero needs her metformin refilled"
    )));
    assert!(!protected(&eml(
        "lunch",
        "Maribel Quintero will join the budget meeting."
    )));
    // The sender's own name and a signature block are not patients.
    assert!(!protected(&eml(
        "flu clinic",
        "Flu shots are on Friday.\r\n\r\nThanks,\r\nRosalind Quintero\r\nEmployee wellness"
    )));
}

#[test]
fn date_of_birth_forms() {
    for body in [
        "Maribel Quintero DOB 03141962",
        "Maribel Quintero DOB 14-Mar-1962",
        "Maribel Quintero born on 14.03.1962",
        "Maribel Quintero birthday 3/14/62",
        "Maribel Quintero fecha de nacimiento 14/03/1962",
    ] {
        assert!(protected(&eml("x", body)), "{body}");
    }
    assert!(!protected(&eml(
        "x",
        "Maribel Quintero, meeting 03/14/2026"
    )));
}

/// OCR (Debian's tesseract): an attached PNG of typed text and an image-only PDF page are read;
/// a scan of more pages than the OCR page budget is unscannable.
#[test]
fn scanned_images_and_pdf_pages_are_read_by_ocr() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("note.txt");
    std::fs::write(&src, "Patient SSN 536-22-8147\n").unwrap();
    let png = dir.path().join("note.png");
    // ImageMagick is not needed: Python's Pillow (installed by install-tools) draws the page.
    let draw = format!(
        "from PIL import Image, ImageDraw, ImageFont\n\
         img = Image.new('L', (1400, 200), 255)\n\
         font = ImageFont.truetype('DejaVuSans.ttf', 48)\n\
         ImageDraw.Draw(img).text((40, 60), 'Patient SSN 536-22-8147', fill=0, font=font)\n\
         img.save({png:?})\n\
         img.convert('RGB').save({pdf:?}, 'PDF', resolution=150)\n\
         img.save({many:?}, 'PDF', save_all=True, append_images=[img] * 11)\n",
        png = png.to_str().unwrap(),
        pdf = dir.path().join("scan.pdf").to_str().unwrap(),
        many = dir.path().join("many.pdf").to_str().unwrap(),
    );
    run(Command::new("python3").arg("-c").arg(&draw));
    let at = Location::Attachment { index: 0 };
    let image = std::fs::read(&png).unwrap();
    let raw = with_attachment("scan", "image/png", "scan.png", &image);
    assert!(hit_in(&raw, "us-ssn", &at), "OCR of a PNG");
    let pdf = std::fs::read(dir.path().join("scan.pdf")).unwrap();
    let raw = with_attachment("scan", "application/pdf", "scan.pdf", &pdf);
    assert!(hit_in(&raw, "us-ssn", &at), "OCR of an image-only PDF page");
    let many = std::fs::read(dir.path().join("many.pdf")).unwrap();
    let raw = with_attachment("scan", "application/pdf", "many.pdf", &many);
    assert!(
        hit_in(&raw, "unscannable", &at),
        "twelve pages, a budget of ten"
    );
}

/// An age over 89 beside a health fact is PHI (a HIPAA identifier of its own); a large number
/// of years that is no age is not.
#[test]
fn age_over_89_beside_a_health_fact() {
    assert!(protected(&eml(
        "SNF",
        "101yo F in 381B w/ PNA + fall at home."
    )));
    assert!(protected(&eml(
        "x",
        "The 94-year-old with CHF was seen today."
    )));
    assert!(!protected(&eml(
        "x",
        "Our diabetes educators bring 92 years of experience; 90-day supplies ship free."
    )));
}

/// A Luhn-valid 16-digit order reference is no payment card without card context (issue 14's
/// false positives); the same number labelled as a card is one.
#[test]
fn card_numbers_need_card_context() {
    assert!(!protected(&eml(
        "toner order",
        "Order reference 4111 1111 1111 1111, delivery Friday."
    )));
    assert!(protected(&eml(
        "copay",
        "Card number 4111 1111 1111 1111 for the copay."
    )));
}
