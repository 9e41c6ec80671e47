//! PDF text, without trusting the cross-reference table.
//!
//! The file is scanned for `stream … endstream` bodies (so a broken or missing xref does not
//! matter); Flate-encoded or unfiltered streams are inflated within the budget, image and other
//! filtered streams are skipped, and the text-showing operators (`Tj`, `TJ`, `'`, `"`) of content
//! streams are read. Strings are taken as PDFDocEncoding/Latin-1, or UTF-16BE with a BOM. Fonts
//! with custom encodings or CID fonts without a simple mapping yield unreadable text — a known
//! limit, documented in the README. Encrypted PDFs are refused (fail closed).

use super::{Budget, ExtractFailure, ocr};

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= hay.len() || needle.is_empty() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Text of a PDF.
pub fn text(b: &[u8], budget: &mut Budget) -> Result<String, ExtractFailure> {
    if find(b, b"/Encrypt", 0).is_some() {
        return Err(ExtractFailure::Encrypted);
    }
    let mut out = String::new();
    let mut images: Vec<Vec<u8>> = Vec::new();
    let mut unreadable_images = 0;
    let mut pos = 0;
    while let Some(s) = find(b, b"stream", pos) {
        budget.tick()?;
        pos = s + 6;
        if s >= 3 && &b[s - 3..s] == b"end" {
            continue;
        }
        let mut data_start = s + 6;
        match b.get(data_start) {
            Some(b'\r') if b.get(data_start + 1) == Some(&b'\n') => data_start += 2,
            Some(b'\n' | b'\r') => data_start += 1,
            _ => continue,
        }
        let Some(end) = find(b, b"endstream", data_start) else {
            break;
        };
        pos = end + 9;
        let dict_from = s.saturating_sub(2048);
        let dict_area = &b[dict_from..s];
        let dict = match rfind(dict_area, b"obj") {
            Some(o) => &dict_area[o..],
            None => dict_area,
        };
        let data = &b[data_start..end];
        if find(dict, b"/Image", 0).is_some() {
            match image(dict, data, budget)? {
                Some(img) if images.len() <= ocr::MAX_PAGES => images.push(img),
                Some(_) => {}
                None => unreadable_images += 1,
            }
            continue;
        }
        let Some(content) = decode(dict, data, budget)? else {
            continue;
        };
        let before = out.len();
        show_text(&content, &mut out, budget)?;
        budget.spend(out.len() - before)?;
    }
    // A scan: pages that are images with (next to) no text. Read them by OCR, or fail closed.
    let words = out.bytes().filter(u8::is_ascii_alphanumeric).count();
    if words < MIN_TEXT && (unreadable_images > 0 || !images.is_empty()) {
        if unreadable_images > 0 {
            return Err(ExtractFailure::Unrecognised);
        }
        out.push_str(&ocr::pages_text(&images, budget)?);
    }
    Ok(out)
}

/// Fewer letters and digits than this make a PDF with images a scan.
const MIN_TEXT: usize = 40;

/// The integer after `key` in a dictionary.
fn int_after(dict: &[u8], key: &[u8]) -> Option<usize> {
    let i = find(dict, key, 0)? + key.len();
    let digits: Vec<u8> = dict[i..]
        .iter()
        .skip_while(|c| c.is_ascii_whitespace())
        .take_while(|c| c.is_ascii_digit())
        .copied()
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// An image XObject as a file tesseract reads: JPEG (`/DCTDecode`) as it is, 8-bit grey or
/// RGB Flate samples as PGM/PPM. `None` for what OCR cannot take (CCITT, JBIG2, JPEG 2000…).
fn image(dict: &[u8], data: &[u8], budget: &mut Budget) -> Result<Option<Vec<u8>>, ExtractFailure> {
    let has = |k: &[u8]| find(dict, k, 0).is_some();
    if has(b"/DCTDecode") && !has(b"/FlateDecode") {
        return Ok(Some(data.to_vec()));
    }
    if !has(b"/FlateDecode") || int_after(dict, b"/BitsPerComponent") != Some(8) {
        return Ok(None);
    }
    let colours = if has(b"/DeviceGray") {
        1
    } else if has(b"/DeviceRGB") {
        3
    } else {
        return Ok(None);
    };
    let (Some(w), Some(h)) = (int_after(dict, b"/Width"), int_after(dict, b"/Height")) else {
        return Ok(None);
    };
    let png = int_after(dict, b"/Predictor").is_some_and(|p| p >= 10);
    let limit = budget.remaining();
    let raw = match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, limit) {
        Ok(v) => v,
        Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
            return Err(ExtractFailure::Limit);
        }
        Err(_) => return Ok(None),
    };
    budget.spend(raw.len())?;
    Ok(ocr::netpbm(&raw, w, h, colours, png))
}

/// The decoded stream, or `None` for streams that cannot hold page text.
fn decode(
    dict: &[u8],
    data: &[u8],
    budget: &mut Budget,
) -> Result<Option<Vec<u8>>, ExtractFailure> {
    let has = |k: &[u8]| find(dict, k, 0).is_some();
    if has(b"/Image")
        || has(b"/DCTDecode")
        || has(b"/JPXDecode")
        || has(b"/CCITT")
        || has(b"/JBIG2")
    {
        return Ok(None);
    }
    if !has(b"/Filter") {
        return Ok(Some(data.to_vec()));
    }
    if !has(b"/FlateDecode") || has(b"/ASCII85Decode") || has(b"/LZWDecode") {
        return Ok(None);
    }
    let limit = budget.remaining();
    let inflated = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, limit)
        .or_else(|_| miniz_oxide::inflate::decompress_to_vec_with_limit(data, limit));
    match inflated {
        Ok(v) => {
            budget.spend(v.len())?;
            Ok(Some(v))
        }
        Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
            Err(ExtractFailure::Limit)
        }
        // A damaged stream is skipped; the rest of the file may still be readable.
        Err(_) => Ok(None),
    }
}

/// Appends the text shown by a content stream.
fn show_text(c: &[u8], out: &mut String, budget: &Budget) -> Result<(), ExtractFailure> {
    if find(c, b"BT", 0).is_none() {
        return Ok(());
    }
    let mut pending: Vec<u8> = Vec::new();
    let mut i = 0;
    let mut steps = 0u32;
    while i < c.len() {
        steps += 1;
        if steps.is_multiple_of(4096) {
            budget.tick()?;
        }
        match c[i] {
            b'(' => {
                i = literal(c, i + 1, &mut pending);
            }
            b'<' if c.get(i + 1) != Some(&b'<') => {
                i = hex(c, i + 1, &mut pending);
            }
            b'-' | b'0'..=b'9' | b'.' => {
                let st = i;
                i += 1;
                while i < c.len() && (c[i].is_ascii_digit() || c[i] == b'.') {
                    i += 1;
                }
                // A large negative kern inside TJ is a word gap.
                if c[st] == b'-'
                    && i - st > 3
                    && !pending.is_empty()
                    && pending.last() != Some(&b' ')
                {
                    pending.push(b' ');
                }
            }
            b'%' => {
                while i < c.len() && c[i] != b'\n' && c[i] != b'\r' {
                    i += 1;
                }
            }
            ch if ch.is_ascii_alphabetic() || ch == b'\'' || ch == b'"' || ch == b'*' => {
                let st = i;
                while i < c.len()
                    && (c[i].is_ascii_alphanumeric() || matches!(c[i], b'*' | b'\'' | b'"'))
                {
                    i += 1;
                }
                match &c[st..i] {
                    b"Tj" | b"TJ" => flush(&mut pending, out, ""),
                    b"'" | b"\"" => flush(&mut pending, out, "\n"),
                    b"Td" | b"TD" | b"T*" | b"Tm" | b"ET" => {
                        flush(&mut pending, out, "");
                        if !out.ends_with('\n') {
                            out.push('\n');
                        }
                    }
                    _ => pending.clear(),
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

fn flush(pending: &mut Vec<u8>, out: &mut String, prefix: &str) {
    out.push_str(prefix);
    if pending.len() >= 2 && pending[0] == 0xFE && pending[1] == 0xFF {
        let units: Vec<u16> = pending[2..]
            .chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]]))
            .collect();
        out.push_str(&String::from_utf16_lossy(&units));
    } else {
        out.extend(pending.iter().map(|&b| char::from(b)));
    }
    pending.clear();
}

fn literal(c: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
    let mut depth = 1u32;
    while i < c.len() {
        let ch = c[i];
        i += 1;
        match ch {
            b'\\' => {
                let Some(&e) = c.get(i) else { break };
                i += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' | b'f' => {}
                    b'0'..=b'7' => {
                        let mut v = u32::from(e - b'0');
                        for _ in 0..2 {
                            match c.get(i) {
                                Some(&d @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push((v & 0xFF) as u8);
                    }
                    b'\r' | b'\n' => {}
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(ch);
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    i
}

fn hex(c: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
    let mut hi: Option<u8> = None;
    while i < c.len() && c[i] != b'>' {
        if let Some(v) = (c[i] as char).to_digit(16) {
            let v = v as u8;
            match hi.take() {
                Some(h) => out.push(h << 4 | v),
                None => hi = Some(v),
            }
        }
        i += 1;
    }
    if let Some(h) = hi {
        out.push(h << 4);
    }
    i + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn plain_content_stream_with_broken_xref() {
        let pdf = b"%PDF-1.4\n1 0 obj << /Length 44 >>\nstream\nBT /F1 12 Tf (SSN 123-45-) Tj (6789) Tj ET\nendstream\nendobj\nxref\ngarbage\n%%EOF";
        let mut b = Budget::new(1 << 20, Duration::from_secs(5));
        let t = text(pdf, &mut b).unwrap();
        assert!(t.contains("SSN 123-45-6789"), "{t:?}");
    }

    #[test]
    fn tj_arrays_and_escapes() {
        let mut out = String::new();
        let b = Budget::new(1 << 20, Duration::from_secs(5));
        show_text(b"BT [(Pa)-20(tient)-400(J\\(ane\\))] TJ ET", &mut out, &b).unwrap();
        assert!(out.contains("Patient J(ane)"), "{out:?}");
    }
}
