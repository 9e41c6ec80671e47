//! RTF text: control words dropped, `\par`/`\line`/`\tab`/`\cell` become whitespace, `\'hh` and
//! `\uN` decoded, and destinations that hold no body text (font and colour tables, pictures,
//! `\*` groups) skipped. Group nesting is tracked with a counter, never recursion.

use super::{Budget, ExtractFailure};

const SKIP: [&[u8]; 9] = [
    b"fonttbl",
    b"colortbl",
    b"stylesheet",
    b"info",
    b"pict",
    b"object",
    b"themedata",
    b"datastore",
    b"listtable",
];

/// Text of an RTF document.
pub fn text(b: &[u8], budget: &mut Budget) -> Result<String, ExtractFailure> {
    let mut out = String::new();
    let mut depth: u32 = 0;
    // While skipping a destination: the depth at which it started.
    let mut skip_at: Option<u32> = None;
    let mut uc_skip = 1usize;
    let mut i = 0;
    while i < b.len() {
        if i % 65_536 == 0 {
            budget.tick()?;
        }
        let c = b[i];
        match c {
            b'{' => {
                depth += 1;
                if depth > 10_000 {
                    return Err(ExtractFailure::Limit);
                }
                i += 1;
                if b.get(i..i + 2) == Some(b"\\*") && skip_at.is_none() {
                    skip_at = Some(depth);
                }
            }
            b'}' => {
                if skip_at == Some(depth) {
                    skip_at = None;
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'\\' => {
                i += 1;
                let Some(&n) = b.get(i) else { break };
                if n == b'\'' {
                    let v = b
                        .get(i + 1..i + 3)
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u8::from_str_radix(h, 16).ok());
                    if let (Some(v), None) = (v, skip_at) {
                        out.push(char::from(v));
                    }
                    i += 3;
                    continue;
                }
                if !n.is_ascii_alphabetic() {
                    if skip_at.is_none() && matches!(n, b'\\' | b'{' | b'}') {
                        out.push(char::from(n));
                    }
                    i += 1;
                    continue;
                }
                let ws = i;
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let word = &b[ws..i];
                let ns = i;
                if b.get(i) == Some(&b'-') {
                    i += 1;
                }
                while i < b.len() && b[i].is_ascii_digit() && i - ns < 10 {
                    i += 1;
                }
                let arg: Option<i64> = std::str::from_utf8(&b[ns..i])
                    .ok()
                    .and_then(|s| s.parse().ok());
                if b.get(i) == Some(&b' ') {
                    i += 1;
                }
                if SKIP.contains(&word) && skip_at.is_none() {
                    skip_at = Some(depth);
                }
                if skip_at.is_some() {
                    continue;
                }
                match word {
                    b"par" | b"line" | b"row" | b"sect" | b"page" => out.push('\n'),
                    b"tab" | b"cell" => out.push('\t'),
                    b"uc" => uc_skip = arg.unwrap_or(1).clamp(0, 4) as usize,
                    b"u" => {
                        let v = arg.unwrap_or(0);
                        let v = if v < 0 { v + 65_536 } else { v };
                        if let Some(ch) = u32::try_from(v).ok().and_then(char::from_u32) {
                            out.push(ch);
                        }
                        // Skip the fallback characters that follow \u.
                        let mut k = 0;
                        while k < uc_skip
                            && i < b.len()
                            && b[i] != b'\\'
                            && b[i] != b'{'
                            && b[i] != b'}'
                        {
                            i += 1;
                            k += 1;
                        }
                    }
                    _ => {}
                }
            }
            b'\r' | b'\n' => i += 1,
            _ => {
                if skip_at.is_none() {
                    out.push(char::from(c));
                }
                i += 1;
            }
        }
        if out.len() > budget.remaining() {
            return Err(ExtractFailure::Limit);
        }
    }
    budget.spend(out.len())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rtf_body_text() {
        let rtf = br"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\*\generator x;}\f0 Patient SSN 123\'2d45-6789\par MRN\tab 12345678}";
        let mut b = Budget::new(1 << 20, Duration::from_secs(5));
        let t = text(rtf, &mut b).unwrap();
        assert!(
            t.contains("Patient SSN 123-45-6789\nMRN\t12345678"),
            "{t:?}"
        );
        assert!(!t.contains("Arial"));
    }
}
