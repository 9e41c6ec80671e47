//! gzip (RFC 1952): a compressed log or CSV is read, not refused. The header is parsed (optional
//! extra field, file name, comment and header CRC skipped), the deflate stream inflated up to
//! the [`Budget`]'s byte limit (a gzip bomb costs at most that), and the result handled like a
//! ZIP member: text is rendered ([`crate::textlike`]), a document inside is extracted one level
//! deeper, anything else is unrecognised (fail closed). Only the first member is read; a
//! multi-member file's further members are ignored by the inflater (they follow the first
//! member's trailer), so only the first is scanned.

use super::{Budget, DocKind, ExtractFailure};
use crate::textlike::{render, text_kind};

/// The gzip magic and the deflate method byte.
pub const MAGIC: &[u8] = b"\x1f\x8b\x08";

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// Offset of the deflate stream after the header, and the original file name (lower case) when
/// the header has one (`report.csv` tells a CSV).
fn body_start(b: &[u8]) -> Result<(usize, String), ExtractFailure> {
    if !b.starts_with(MAGIC) || b.len() < 18 {
        return Err(ExtractFailure::Malformed);
    }
    let flags = b[3];
    let mut i = 10;
    let mut name = String::new();
    if flags & FEXTRA != 0 {
        let n = usize::from(u16::from_le_bytes([b[i], *b.get(i + 1).unwrap_or(&0)]));
        i = i.saturating_add(2).saturating_add(n);
    }
    for flag in [FNAME, FCOMMENT] {
        if flag & flags != 0 {
            let nul = b
                .get(i..)
                .and_then(|r| r.iter().position(|&c| c == 0))
                .ok_or(ExtractFailure::Malformed)?;
            if flag == FNAME && nul <= 255 {
                name = String::from_utf8_lossy(&b[i..i + nul]).to_ascii_lowercase();
            }
            i += nul + 1;
        }
    }
    if flags & FHCRC != 0 {
        i += 2;
    }
    if i >= b.len() {
        return Err(ExtractFailure::Malformed);
    }
    Ok((i, name))
}

/// Text of a gzip file.
pub fn text(bytes: &[u8], budget: &mut Budget, depth: u32) -> Result<String, ExtractFailure> {
    if depth > super::MAX_NESTED_ARCHIVES {
        return Err(ExtractFailure::Limit);
    }
    budget.tick()?;
    let (start, name) = body_start(bytes)?;
    let limit = budget.remaining();
    let raw = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes[start..], limit).map_err(
        |err| {
            if err.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                ExtractFailure::Limit
            } else {
                ExtractFailure::Malformed
            }
        },
    )?;
    budget.spend(raw.len())?;
    if let Some(kind) = DocKind::sniff(&raw) {
        return super::extract_nested(kind, &raw, budget, depth + 1);
    }
    match text_kind("", &name, &raw) {
        Some(kind) => Ok(render(kind, &String::from_utf8_lossy(&raw))),
        None => Err(ExtractFailure::Unrecognised),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn gzip(data: &[u8], name: Option<&str>) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 8, if name.is_some() { FNAME } else { 0 }];
        out.extend_from_slice(&[0, 0, 0, 0, 0, 3]);
        if let Some(n) = name {
            out.extend_from_slice(n.as_bytes());
            out.push(0);
        }
        out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
        out.extend_from_slice(&[0; 8]); // CRC32 and size: not checked
        out
    }

    #[test]
    fn text_inside_is_read_and_binary_is_unrecognised() {
        let mut b = Budget::new(1 << 20, Duration::from_secs(5));
        let t = text(
            &gzip(b"Name,DOB\nAnn Lee,03/14/1962\n", Some("a.csv")),
            &mut b,
            0,
        );
        assert!(t.unwrap().contains("DOB: 03/14/1962"));
        let mut b = Budget::new(1 << 20, Duration::from_secs(5));
        let bin: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        assert_eq!(
            text(&gzip(&bin, None), &mut b, 0),
            Err(ExtractFailure::Unrecognised)
        );
        let mut b = Budget::new(1 << 20, Duration::from_secs(5));
        assert_eq!(
            text(b"\x1f\x8b\x08\x08name-without-end", &mut b, 0),
            Err(ExtractFailure::Malformed)
        );
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_budget() {
        let zeros = vec![b'a'; 8 << 20];
        let mut b = Budget::new(1 << 20, Duration::from_secs(5));
        assert_eq!(
            text(&gzip(&zeros, None), &mut b, 0),
            Err(ExtractFailure::Limit)
        );
    }
}
