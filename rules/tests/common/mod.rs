//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use sealgate_core::Address;
use sealgate_rules::{Decision, Requirement, RuleSet};

pub fn addr(s: &str) -> Address {
    Address::parse(s).unwrap()
}

/// A plain-text message with CRLF line ends.
pub fn eml(subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Dr. Ann Lee <ann@clinic.example>\r\nTo: Pat <pat@mail.example>\r\nSubject: {subject}\r\nMessage-ID: <1@clinic.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        body.replace('\n', "\r\n")
    )
    .into_bytes()
}

pub fn classify(set: &RuleSet, raw: &[u8]) -> Decision {
    let s = addr("ann@clinic.example");
    let r = addr("pat@mail.example");
    set.classify_raw(raw, Some(&s), &[&r])
}

/// The shipped rule set (`deploy/rules`, embedded), built once per test binary.
pub fn shipped() -> &'static RuleSet {
    static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    SET.get_or_init(RuleSet::embedded_default)
}

/// How many matches of `detector` a decision counts.
pub fn count(d: &Decision, detector: &str) -> u32 {
    d.hits
        .iter()
        .filter(|h| h.detector == detector)
        .map(|h| h.count)
        .sum()
}

/// Matches of `detector` in a plain note with `body`, under the shipped rules.
pub fn hits(detector: &str, body: &str) -> u32 {
    count(&classify(shipped(), &eml("note", body)), detector)
}

/// Whether the shipped rules fire `rule` on `raw`.
pub fn fired(rule: &str, raw: &[u8]) -> bool {
    classify(shipped(), raw).rules.iter().any(|r| r == rule)
}

/// Whether the shipped rules protect any recipient of `raw` (anything but `deliver`).
pub fn protected(raw: &[u8]) -> bool {
    classify(shipped(), raw)
        .recipients
        .iter()
        .any(|r| *r != Requirement::Deliver)
}

/// The rules the shipped set fires on `raw`.
pub fn rules_of(raw: &[u8]) -> Vec<String> {
    classify(shipped(), raw).rules
}

/// Each positive message fires `rule` and is protected; each negative is delivered as ordinary
/// mail.
pub fn check_rule_raw(rule: &str, positives: &[Vec<u8>], negatives: &[Vec<u8>]) {
    for raw in positives {
        let text = String::from_utf8_lossy(raw);
        assert!(
            rules_of(raw).iter().any(|r| r == rule),
            "{rule} should fire: {text}\nrules {:?}",
            rules_of(raw)
        );
        assert!(protected(raw), "{text}");
    }
    for raw in negatives {
        let text = String::from_utf8_lossy(raw);
        assert!(!protected(raw), "{text}\nrules {:?}", rules_of(raw));
    }
}

/// [`check_rule_raw`] on plain messages with `subject` and these bodies.
pub fn check_rule(rule: &str, subject: &str, positives: &[&str], negatives: &[&str]) {
    let emls = |bodies: &[&str]| bodies.iter().map(|b| eml(subject, b)).collect::<Vec<_>>();
    check_rule_raw(rule, &emls(positives), &emls(negatives));
}

/// A plain message from `from` to a list address `to`.
pub fn to_list(from: &str, to: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: news\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        body.replace('\n', "\r\n")
    )
    .into_bytes()
}

/// A multipart/mixed message with one base64 attachment.
pub fn with_attachment(body: &str, ctype: &str, name: &str, data: &[u8]) -> Vec<u8> {
    let b64 = base64(data);
    format!(
        "From: ann@clinic.example\r\nTo: pat@mail.example\r\nSubject: documents\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n{body}\r\n--b1\r\nContent-Type: {ctype}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b1--\r\n"
    )
    .into_bytes()
}

pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, c) in data.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= c.len() {
                out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A stored (uncompressed) ZIP with the given members.
pub fn zip_stored(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in members {
        let off = out.len() as u32;
        let crc = crc32(data);
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&off.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_off = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_off.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A message from `from` to `to` (header addresses, `From` with a display name) with a body of
/// content type `ctype` (`text/plain`, `text/html`), CRLF line ends.
pub fn mail_between(from: &str, to: &str, subject: &str, ctype: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: {ctype}; charset=utf-8\r\n\r\n{}\r\n",
        body.replace('\n', "\r\n")
    )
    .into_bytes()
}

/// The rules the shipped set fires on `raw` sent by `sender` to its one recipient `to`, and
/// whether that recipient is protected (anything but `deliver`).
pub fn decide_for(sender: &str, to: &str, raw: &[u8]) -> (Vec<String>, bool) {
    let (s, r) = (addr(sender), addr(to));
    let d = shipped().classify_raw(raw, Some(&s), &[&r]);
    let protected = d.recipients.iter().any(|q| *q != Requirement::Deliver);
    (d.rules, protected)
}
