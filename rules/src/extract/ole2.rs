//! Legacy Office files (OLE2 / Compound File Binary: `.doc`, `.xls`, `.ppt`, `.msg`): the text
//! runs of the file, 8-bit and UTF-16LE, as the `strings` tool would find them.
//!
//! Word 97–2003 keeps a document's text as runs of 8-bit or UTF-16LE characters in its
//! `WordDocument` stream, and Excel's shared strings table keeps cell text the same way, so the
//! runs hold what the detectors need without a structural parser (sector chains and piece
//! tables are not followed: text split across a sector boundary may be cut in two). A file
//! holding an `EncryptedPackage` or `EncryptionInfo` stream (a password-protected document) is
//! [`ExtractFailure::Encrypted`]. One linear pass, output capped by the budget.

use super::{Budget, ExtractFailure};

/// The OLE2 signature.
pub const MAGIC: &[u8] = &[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/// Shortest run kept.
const MIN_RUN: usize = 4;

fn printable(c: u8) -> bool {
    (0x20..0x7f).contains(&c) || c == b'\t'
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Text runs of an OLE2 compound file.
pub fn text(bytes: &[u8], budget: &mut Budget) -> Result<String, ExtractFailure> {
    if !bytes.starts_with(MAGIC) {
        return Err(ExtractFailure::Malformed);
    }
    for marker in ["EncryptedPackage", "EncryptionInfo"] {
        let m = utf16(marker);
        if bytes.windows(m.len()).any(|w| w == m.as_slice()) {
            return Err(ExtractFailure::Encrypted);
        }
    }
    let mut out = String::new();
    ascii_runs(bytes, &mut out, budget)?;
    utf16_runs(bytes, &mut out, budget)?;
    Ok(out)
}

fn ascii_runs(b: &[u8], out: &mut String, budget: &mut Budget) -> Result<(), ExtractFailure> {
    let mut i = 0;
    while i < b.len() {
        if !printable(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && printable(b[i]) {
            i += 1;
        }
        if i - start >= MIN_RUN {
            budget.spend(i - start + 1)?;
            out.push_str(&String::from_utf8_lossy(&b[start..i]));
            out.push('\n');
        }
    }
    Ok(())
}

fn utf16_runs(b: &[u8], out: &mut String, budget: &mut Budget) -> Result<(), ExtractFailure> {
    for parity in 0..2 {
        let mut run = String::new();
        let mut i = parity;
        while i + 1 < b.len() {
            let unit = u16::from_le_bytes([b[i], b[i + 1]]);
            let ch = char::from_u32(u32::from(unit)).filter(|c| {
                (!c.is_control() || *c == '\t')
                    && !(0xd800..=0xdfff).contains(&unit)
                    && unit >= 0x20
            });
            let wide = b[i + 1] != 0 || !printable(b[i]);
            match ch {
                // Plain 8-bit text read at the wrong alignment looks like CJK; keep a run only
                // while its units are ASCII or Latin-1 letters, or genuinely wide characters
                // next to them.
                Some(c) if !wide || c.is_alphabetic() => run.push(c),
                _ => flush(&mut run, out, budget)?,
            }
            i += 2;
        }
        flush(&mut run, out, budget)?;
    }
    Ok(())
}

fn flush(run: &mut String, out: &mut String, budget: &mut Budget) -> Result<(), ExtractFailure> {
    let ascii = run.bytes().filter(u8::is_ascii).count();
    if run.chars().count() >= MIN_RUN && ascii * 2 >= run.len() {
        budget.spend(run.len() + 1)?;
        out.push_str(run);
        out.push('\n');
    }
    run.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn runs_of_both_widths_and_encrypted_files() {
        let mut doc = MAGIC.to_vec();
        doc.extend_from_slice(&[0; 8]);
        doc.extend_from_slice(b"Patient SSN 123-45-6789\0\0");
        doc.extend_from_slice(&utf16("DOB 03/14/1962"));
        doc.extend_from_slice(&[0, 0, 0xff, 0xfe]);
        let mut budget = Budget::new(1 << 20, Duration::from_secs(5));
        let t = text(&doc, &mut budget).unwrap();
        assert!(t.contains("Patient SSN 123-45-6789"), "{t}");
        assert!(t.contains("DOB 03/14/1962"), "{t}");
        let mut enc = MAGIC.to_vec();
        enc.extend_from_slice(&utf16("EncryptedPackage"));
        assert_eq!(text(&enc, &mut budget), Err(ExtractFailure::Encrypted));
    }

    #[test]
    fn output_is_bounded_by_the_budget() {
        let mut big = MAGIC.to_vec();
        big.extend(std::iter::repeat_n(b'a', 4 << 20));
        let mut budget = Budget::new(1 << 20, Duration::from_secs(5));
        assert_eq!(text(&big, &mut budget), Err(ExtractFailure::Limit));
    }
}
