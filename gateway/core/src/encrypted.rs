//! Is a message already encrypted end to end? Judged by its content, never by its label.
//!
//! A `multipart/encrypted` or `application/pkcs7-mime` *label* costs a sender nothing; what
//! counts is what the body holds. [`is_encrypted_message`] says yes only for
//!
//! * a top-level `multipart/encrypted; protocol="application/pgp-encrypted"` (RFC 3156) whose
//!   second part is an OpenPGP message: one or more public- or symmetric-key encrypted session
//!   key packets (PKESK, tag 1; SKESK, tag 3) followed by exactly one encrypted data packet
//!   (SEIPD, tag 18; SED, tag 9; AEAD, tag 20) that runs to the end;
//! * a top-level `application/(x-)pkcs7-mime` whose body is a CMS `ContentInfo` with the
//!   `envelopedData` (1.2.840.113549.1.7.3) or `authEnvelopedData` (1.2.840.113549.1.9.16.1.23)
//!   content type and an `EnvelopedData` structure behind it (RFC 5652, 5083);
//! * a top-level single-part body that is nothing but one ASCII-armored OpenPGP message of the
//!   same shape (inline PGP).
//!
//! The classify stage (`sealgate-rules`, the `encrypted` condition) and the transform stage
//! (sending the input unchanged) both ask this one function, so the two always agree. Pure and
//! bounded: no allocation beyond one decoded copy of the body, no recursion.

use std::borrow::Cow;

/// True when `raw` (a whole RFC 5322 message) is already encrypted, judged by content.
pub fn is_encrypted_message(raw: &[u8]) -> bool {
    let (headers, body) = split_header(raw);
    let ctype = header_value(headers, "content-type").unwrap_or_default();
    let media = media_type(&ctype);
    let cte = header_value(headers, "content-transfer-encoding").unwrap_or_default();
    match media.as_str() {
        "multipart/encrypted" => {
            let protocol = param(&ctype, "protocol").unwrap_or_default();
            if !protocol.eq_ignore_ascii_case("application/pgp-encrypted") {
                return false;
            }
            let Some(boundary) = param(&ctype, "boundary") else {
                return false;
            };
            let parts = multipart_parts(body, boundary.as_bytes());
            let Some(second) = parts.get(1) else {
                return false;
            };
            let (h, b) = split_header(second);
            let inner_cte = header_value(h, "content-transfer-encoding").unwrap_or_default();
            decode_cte(b, &inner_cte).is_some_and(|d| is_armored_openpgp_message(&d))
        }
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => {
            decode_cte(body, &cte).is_some_and(|d| is_cms_enveloped(&d))
        }
        "" | "text/plain" => decode_cte(body, &cte).is_some_and(|d| {
            let t = d.trim_ascii();
            t.starts_with(ARMOR_BEGIN) && is_armored_openpgp_message(t) && armor_is_whole(t)
        }),
        _ => false,
    }
}

const ARMOR_BEGIN: &[u8] = b"-----BEGIN PGP MESSAGE-----";
const ARMOR_END: &[u8] = b"-----END PGP MESSAGE-----";

/// The text holds nothing after the armor's end line.
fn armor_is_whole(t: &[u8]) -> bool {
    find(t, ARMOR_END).is_some_and(|i| t[i + ARMOR_END.len()..].trim_ascii().is_empty())
}

/// Splits at the first empty line (CRLF or LF). A message without one is all header.
fn split_header(raw: &[u8]) -> (&[u8], &[u8]) {
    let crlf = find(raw, b"\r\n\r\n").map(|i| (i, i + 4));
    // Only a bare-LF blank line before the CRLF one matters: no second pass over the body.
    let lf_zone = crlf.map_or(raw, |(i, _)| &raw[..i + 1]);
    let lf = find(lf_zone, b"\n\n").map(|i| (i, i + 2));
    let at = match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    };
    match at {
        Some((h, b)) => (&raw[..h], &raw[b..]),
        None if raw.starts_with(b"\r\n") => (&[], &raw[2..]),
        None => (raw, &[]),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    // Jump from one occurrence of the first byte to the next (a fast byte search) instead of
    // comparing the needle at every position.
    while let Some(i) = hay[from..].iter().position(|&b| b == first) {
        let at = from + i;
        if hay[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The unfolded value of the first header field `name` (lower case).
fn header_value(headers: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(headers);
    let mut found: Option<String> = None;
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some(v) = found.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if found.is_some() {
            break;
        }
        // The name's bytes first (most lines are other fields), then a colon after blanks.
        let named = line
            .as_bytes()
            .get(..name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()));
        if named && let Some(v) = line[name.len()..].trim_start().strip_prefix(':') {
            found = Some(v.trim().to_string());
        }
    }
    found
}

fn media_type(ctype: &str) -> String {
    ctype
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A parameter of a structured header value (quotes removed).
fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The bodies (headers included) of a multipart's parts, preamble and epilogue dropped.
fn multipart_parts<'a>(body: &'a [u8], boundary: &[u8]) -> Vec<&'a [u8]> {
    let mut delim = b"--".to_vec();
    delim.extend_from_slice(boundary);
    let mut starts = Vec::new();
    let mut pos = 0;
    while let Some(i) = find(&body[pos..], &delim) {
        let at = pos + i;
        let line_start = at == 0 || body[at - 1] == b'\n';
        pos = at + delim.len();
        if !line_start {
            continue;
        }
        let closing = body[pos..].starts_with(b"--");
        starts.push((at, pos, closing));
        if closing {
            break;
        }
    }
    let mut parts = Vec::new();
    for w in starts.windows(2) {
        let (_, after, closing) = w[0];
        if closing {
            break;
        }
        let content_start = body[after..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |i| after + i + 1);
        let end = w[1].0.saturating_sub(1);
        let end = if end > 0 && body[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        parts.push(&body[content_start.min(end)..end]);
    }
    parts
}

/// The decoded body for `7bit`, `8bit`, `binary` (as is, not copied) and `base64`; `None` for
/// others.
fn decode_cte<'a>(body: &'a [u8], cte: &str) -> Option<Cow<'a, [u8]>> {
    match cte.trim().to_ascii_lowercase().as_str() {
        "" | "7bit" | "8bit" | "binary" => Some(Cow::Borrowed(body)),
        "base64" => base64_decode(body).map(Cow::Owned),
        _ => None,
    }
}

/// Decodes base64, ignoring white space; `None` on any other byte outside the alphabet.
fn base64_decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in input {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// An ASCII-armored OpenPGP message (`-----BEGIN PGP MESSAGE-----`) whose packets are an
/// encrypted message.
pub fn is_armored_openpgp_message(text: &[u8]) -> bool {
    let Some(begin) = find(text, ARMOR_BEGIN) else {
        return false;
    };
    let rest = &text[begin + ARMOR_BEGIN.len()..];
    let Some(end) = find(rest, ARMOR_END) else {
        return false;
    };
    let block = &rest[..end];
    // Armor headers (`Version: …`) end at the first empty line; the checksum line starts `=`.
    let mut data = Vec::new();
    let mut in_headers = true;
    for line in block.split(|&b| b == b'\n').skip(1) {
        let line = line.trim_ascii();
        if in_headers {
            if line.is_empty() {
                in_headers = false;
            } else if !line.contains(&b':') {
                in_headers = false;
                data.extend_from_slice(line);
            }
            continue;
        }
        if line.starts_with(b"=") {
            break;
        }
        data.extend_from_slice(line);
    }
    base64_decode(&data).is_some_and(|p| is_openpgp_message(&p))
}

/// One OpenPGP packet header: tag, body start, body length (`None`: runs to the end), and
/// whether the length is a partial-body length.
struct PacketHeader {
    tag: u8,
    start: usize,
    len: Option<usize>,
    partial: bool,
}

fn packet_header(p: &[u8], at: usize) -> Option<PacketHeader> {
    let first = *p.get(at)?;
    if first & 0x80 == 0 {
        return None;
    }
    if first & 0x40 != 0 {
        let tag = first & 0x3f;
        let (len, used, partial) = new_length(p, at + 1)?;
        return Some(PacketHeader {
            tag,
            start: at + 1 + used,
            len: Some(len),
            partial,
        });
    }
    let tag = (first >> 2) & 0x0f;
    let (len, used) = match first & 3 {
        0 => (Some(usize::from(*p.get(at + 1)?)), 1),
        1 => (
            Some(usize::from(u16::from_be_bytes([
                *p.get(at + 1)?,
                *p.get(at + 2)?,
            ]))),
            2,
        ),
        2 => (Some(be32(p, at + 1)?), 4),
        _ => (None, 0),
    };
    Some(PacketHeader {
        tag,
        start: at + 1 + used,
        len,
        partial: false,
    })
}

fn be32(p: &[u8], at: usize) -> Option<usize> {
    let b = p.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// A new-format length at `at`: (length, octets used, partial).
fn new_length(p: &[u8], at: usize) -> Option<(usize, usize, bool)> {
    let o = usize::from(*p.get(at)?);
    match o {
        0..=191 => Some((o, 1, false)),
        192..=223 => Some((
            ((o - 192) << 8) + usize::from(*p.get(at + 1)?) + 192,
            2,
            false,
        )),
        255 => Some((be32(p, at + 1)?, 5, false)),
        _ => Some((1 << (o & 0x1f), 1, true)),
    }
}

/// End of a packet body, following partial-body chunks to the last one.
fn packet_end(p: &[u8], h: &PacketHeader) -> Option<usize> {
    let Some(mut len) = h.len else {
        return Some(p.len());
    };
    let mut at = h.start;
    let mut partial = h.partial;
    while partial {
        at = at.checked_add(len)?;
        let (l, used, more) = new_length(p, at)?;
        at += used;
        len = l;
        partial = more;
    }
    let end = at.checked_add(len)?;
    (end <= p.len()).then_some(end)
}

/// Binary OpenPGP packets forming an encrypted message: session-key packets (PKESK v3/v6,
/// SKESK v4–v6; marker packets allowed), then one encrypted data packet that ends the input.
pub fn is_openpgp_message(p: &[u8]) -> bool {
    let mut at = 0;
    let mut session_keys = 0;
    while at < p.len() {
        let Some(h) = packet_header(p, at) else {
            return false;
        };
        let version = p.get(h.start).copied();
        match h.tag {
            1 if !h.partial && matches!(version, Some(3 | 6)) => session_keys += 1,
            3 if !h.partial && matches!(version, Some(4..=6)) => session_keys += 1,
            10 if !h.partial => {}
            9 | 18 | 20 => {
                let data_ok = h.tag == 9 || matches!(version, Some(1 | 2));
                return session_keys > 0 && data_ok && packet_end(p, &h) == Some(p.len());
            }
            _ => return false,
        }
        match packet_end(p, &h) {
            Some(end) if end > at => at = end,
            _ => return false,
        }
    }
    false
}

const OID_ENVELOPED: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03];
const OID_AUTH_ENVELOPED: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17,
];

/// A DER/BER tag-length at `at`: (tag, content start, length; `None` = indefinite).
fn tlv(d: &[u8], at: usize) -> Option<(u8, usize, Option<usize>)> {
    let tag = *d.get(at)?;
    let l = *d.get(at + 1)?;
    if l < 0x80 {
        return Some((tag, at + 2, Some(usize::from(l))));
    }
    if l == 0x80 {
        return Some((tag, at + 2, None));
    }
    let n = usize::from(l & 0x7f);
    if n > 4 {
        return None;
    }
    let bytes = d.get(at + 2..at + 2 + n)?;
    let len = bytes.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b));
    Some((tag, at + 2 + n, Some(len)))
}

fn fits(d: &[u8], start: usize, len: Option<usize>) -> bool {
    len.is_none_or(|l| start.checked_add(l).is_some_and(|e| e <= d.len()))
}

/// A CMS `ContentInfo` holding `EnvelopedData` or `AuthEnvelopedData`: SEQUENCE { OID, [0] {
/// SEQUENCE { INTEGER version, … } } }.
pub fn is_cms_enveloped(d: &[u8]) -> bool {
    let Some((0x30, s, len)) = tlv(d, 0) else {
        return false;
    };
    if !fits(d, s, len) {
        return false;
    }
    let Some((0x06, o, Some(olen))) = tlv(d, s) else {
        return false;
    };
    let Some(oid) = d.get(o..o + olen) else {
        return false;
    };
    if oid != OID_ENVELOPED && oid != OID_AUTH_ENVELOPED {
        return false;
    }
    let Some((0xa0, c, clen)) = tlv(d, o + olen) else {
        return false;
    };
    let Some((0x30, e, elen)) = tlv(d, c) else {
        return false;
    };
    let Some((0x02, v, Some(1))) = tlv(d, e) else {
        return false;
    };
    fits(d, c, clen) && fits(d, e, elen) && d.get(v).is_some_and(|&x| x <= 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_alone_are_not_encryption() {
        let pgp = b"Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=x\r\n\r\n--x\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--x\r\nContent-Type: application/octet-stream\r\n\r\nPatient SSN 123-45-6789\r\n--x--\r\n";
        assert!(!is_encrypted_message(pgp));
        let p7 = b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\nPatient SSN 123-45-6789\r\n";
        assert!(!is_encrypted_message(p7));
        let fake_armor = b"Content-Type: text/plain\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\nUGF0aWVudA==\r\n-----END PGP MESSAGE-----\r\n";
        assert!(!is_encrypted_message(fake_armor));
    }

    #[test]
    fn packet_sequences() {
        // PKESK v3 (old format, tag 1, 3 bytes), then SEIPD v1 (new format, tag 18, 3 bytes).
        let ok = [0x84, 3, 3, 0, 0, 0xd2, 3, 1, 0xaa, 0xbb];
        assert!(is_openpgp_message(&ok));
        // No session key packet.
        assert!(!is_openpgp_message(&ok[5..]));
        // Literal data packet (tag 11) is plaintext.
        assert!(!is_openpgp_message(&[0x84, 3, 3, 0, 0, 0xcb, 2, b'b', 0]));
        // Trailing bytes after the encrypted packet.
        let mut long = ok.to_vec();
        long.push(0);
        assert!(!is_openpgp_message(&long));
    }

    #[test]
    fn cms_shapes() {
        let mut d = vec![0x30, 0x14, 0x06, 0x09];
        d.extend_from_slice(OID_ENVELOPED);
        d.extend_from_slice(&[0xa0, 0x07, 0x30, 0x05, 0x02, 0x01, 0x00, 0x31, 0x00]);
        assert!(is_cms_enveloped(&d));
        let mut signed = d.clone();
        signed[12] = 0x02; // 1.2.840.113549.1.7.2 signedData
        assert!(!is_cms_enveloped(&signed));
        assert!(!is_cms_enveloped(b"Patient SSN"));
    }
}
