//! A minimal ZIP reader: central directory, stored and deflated entries, nothing else.
//!
//! Sizes come from the central directory but are never trusted: inflation stops at the
//! budget's remaining bytes, so a bomb is a [`ExtractFailure::Limit`], not an allocation.
//! Encrypted entries and ZIP64 archives are refused (fail closed).

use super::{Budget, ExtractFailure};

/// Most entries looked at.
const MAX_ENTRIES: usize = 10_000;

/// One entry of the central directory.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Name as stored (UTF-8 lossily).
    pub name: String,
    method: u16,
    flags: u16,
    compressed: usize,
    local_offset: usize,
}

fn u16_at(b: &[u8], i: usize) -> Result<u16, ExtractFailure> {
    b.get(i..i + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or(ExtractFailure::Malformed)
}

fn u32_at(b: &[u8], i: usize) -> Result<usize, ExtractFailure> {
    b.get(i..i + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
        .ok_or(ExtractFailure::Malformed)
}

/// Reads the central directory.
pub fn entries(b: &[u8]) -> Result<Vec<Entry>, ExtractFailure> {
    let search_from = b.len().saturating_sub(22 + 65_535);
    let eocd = (search_from..b.len().saturating_sub(21))
        .rev()
        .find(|&i| b[i..i + 4] == *b"PK\x05\x06")
        .ok_or(ExtractFailure::Malformed)?;
    let count = usize::from(u16_at(b, eocd + 10)?);
    let cd_offset = u32_at(b, eocd + 16)?;
    if cd_offset == 0xFFFF_FFFF || count == 0xFFFF {
        return Err(ExtractFailure::Limit); // ZIP64
    }
    if count > MAX_ENTRIES {
        return Err(ExtractFailure::Limit);
    }
    let mut out = Vec::with_capacity(count);
    let mut p = cd_offset;
    for _ in 0..count {
        if b.get(p..p + 4) != Some(b"PK\x01\x02") {
            return Err(ExtractFailure::Malformed);
        }
        let flags = u16_at(b, p + 8)?;
        let method = u16_at(b, p + 10)?;
        let compressed = u32_at(b, p + 20)?;
        let name_len = usize::from(u16_at(b, p + 28)?);
        let extra_len = usize::from(u16_at(b, p + 30)?);
        let comment_len = usize::from(u16_at(b, p + 32)?);
        let local_offset = u32_at(b, p + 42)?;
        let name = b
            .get(p + 46..p + 46 + name_len)
            .ok_or(ExtractFailure::Malformed)?;
        out.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            method,
            flags,
            compressed,
            local_offset,
        });
        p += 46 + name_len + extra_len + comment_len;
    }
    Ok(out)
}

/// The decompressed bytes of an entry, charged to the budget.
pub fn read(b: &[u8], e: &Entry, budget: &mut Budget) -> Result<Vec<u8>, ExtractFailure> {
    budget.tick()?;
    if e.flags & 1 != 0 {
        return Err(ExtractFailure::Encrypted);
    }
    let h = e.local_offset;
    if b.get(h..h + 4) != Some(b"PK\x03\x04") {
        return Err(ExtractFailure::Malformed);
    }
    let name_len = usize::from(u16_at(b, h + 26)?);
    let extra_len = usize::from(u16_at(b, h + 28)?);
    let start = h + 30 + name_len + extra_len;
    let data = b
        .get(start..start.saturating_add(e.compressed))
        .ok_or(ExtractFailure::Malformed)?;
    let out = match e.method {
        0 => data.to_vec(),
        8 => {
            let limit = budget.remaining();
            miniz_oxide::inflate::decompress_to_vec_with_limit(data, limit).map_err(|err| {
                if err.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                    ExtractFailure::Limit
                } else {
                    ExtractFailure::Malformed
                }
            })?
        }
        _ => return Err(ExtractFailure::Malformed),
    };
    budget.spend(out.len())?;
    Ok(out)
}
