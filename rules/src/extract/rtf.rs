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

/// Deepest group nesting read before the document is refused as hostile.
const MAX_DEPTH: u32 = 10_000;

/// Text of an RTF document.
pub fn text(b: &[u8], budget: &mut Budget) -> Result<String, ExtractFailure> {
    let mut r = Reader {
        b,
        i: 0,
        out: String::new(),
        depth: 0,
        skip_at: None,
        uc_skip: 1,
    };
    while r.i < b.len() {
        if r.i.is_multiple_of(65_536) {
            budget.tick()?;
        }
        r.step()?;
        if r.out.len() > budget.remaining() {
            return Err(ExtractFailure::Limit);
        }
    }
    budget.spend(r.out.len())?;
    Ok(r.out)
}

/// The reader's position and state while it walks the document once.
struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    out: String,
    depth: u32,
    /// While skipping a destination: the depth at which it started.
    skip_at: Option<u32>,
    /// How many fallback characters follow a `\uN` (set by `\ucN`).
    uc_skip: usize,
}

impl Reader<'_> {
    /// Reads one token: a group mark, a control sequence or a text byte.
    fn step(&mut self) -> Result<(), ExtractFailure> {
        let c = self.b[self.i];
        self.i += 1;
        match c {
            b'{' => return self.open_group(),
            b'}' => self.close_group(),
            b'\\' => self.control(),
            b'\r' | b'\n' => {}
            _ => self.emit(char::from(c)),
        }
        Ok(())
    }

    fn emit(&mut self, ch: char) {
        if self.skip_at.is_none() {
            self.out.push(ch);
        }
    }

    fn open_group(&mut self) -> Result<(), ExtractFailure> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExtractFailure::Limit);
        }
        if self.b.get(self.i..self.i + 2) == Some(b"\\*") && self.skip_at.is_none() {
            self.skip_at = Some(self.depth);
        }
        Ok(())
    }

    fn close_group(&mut self) {
        if self.skip_at == Some(self.depth) {
            self.skip_at = None;
        }
        self.depth = self.depth.saturating_sub(1);
    }

    /// After a backslash: a hex escape, an escaped symbol or a control word.
    fn control(&mut self) {
        let Some(&n) = self.b.get(self.i) else {
            return;
        };
        if n == b'\'' {
            let v = self
                .b
                .get(self.i + 1..self.i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = v {
                self.emit(char::from(v));
            }
            self.i += 3;
        } else if !n.is_ascii_alphabetic() {
            if matches!(n, b'\\' | b'{' | b'}') {
                self.emit(char::from(n));
            }
            self.i += 1;
        } else {
            self.control_word();
        }
    }

    /// A control word with its optional numeric argument and the one space that ends it.
    fn control_word(&mut self) {
        let b = self.b;
        let ws = self.i;
        while self.i < b.len() && b[self.i].is_ascii_alphabetic() {
            self.i += 1;
        }
        let word = &b[ws..self.i];
        let ns = self.i;
        if b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        while self.i < b.len() && b[self.i].is_ascii_digit() && self.i - ns < 10 {
            self.i += 1;
        }
        let arg: Option<i64> = std::str::from_utf8(&b[ns..self.i])
            .ok()
            .and_then(|s| s.parse().ok());
        if b.get(self.i) == Some(&b' ') {
            self.i += 1;
        }
        if SKIP.contains(&word) && self.skip_at.is_none() {
            self.skip_at = Some(self.depth);
        }
        if self.skip_at.is_some() {
            return;
        }
        match word {
            b"par" | b"line" | b"row" | b"sect" | b"page" => self.out.push('\n'),
            b"tab" | b"cell" => self.out.push('\t'),
            b"uc" => self.uc_skip = arg.unwrap_or(1).clamp(0, 4) as usize,
            b"u" => self.unicode(arg.unwrap_or(0)),
            _ => {}
        }
    }

    /// `\uN` (negative N counts from 65,536), then the fallback characters that follow it.
    fn unicode(&mut self, v: i64) {
        let v = if v < 0 { v + 65_536 } else { v };
        if let Some(ch) = u32::try_from(v).ok().and_then(char::from_u32) {
            self.out.push(ch);
        }
        // Each fallback character is one byte or one `\'hh` escape (Word writes `\u233\'e9`).
        for _ in 0..self.uc_skip {
            match self.b.get(self.i..) {
                Some([b'\\', b'\'', ..]) => self.i += 4,
                Some([c, ..]) if !matches!(c, b'\\' | b'{' | b'}') => self.i += 1,
                _ => break,
            }
        }
    }
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

    #[test]
    fn unicode_escapes_symbols_and_skipped_groups() {
        let rtf = br"{\rtf1{\*\comment hidden \'41}caf\u233\'e9 and \uc2 na\u239 ?\'3fve \{x\}\\}";
        let mut b = Budget::new(1 << 20, Duration::from_secs(5));
        let t = text(rtf, &mut b).unwrap();
        assert_eq!(t, "caf\u{e9} and na\u{ef}ve {x}\\");
    }

    #[test]
    fn hostile_nesting_and_truncation_fail_closed_or_stop() {
        let deep = vec![b'{'; (MAX_DEPTH + 1) as usize];
        let mut b = Budget::new(1 << 20, Duration::from_secs(5));
        assert!(matches!(text(&deep, &mut b), Err(ExtractFailure::Limit)));
        let mut b = Budget::new(1 << 20, Duration::from_secs(5));
        assert_eq!(text(br"{\rtf1 ends\", &mut b).unwrap(), "ends");
        let mut small = Budget::new(4, Duration::from_secs(5));
        assert!(text(br"{\rtf1 far too long}", &mut small).is_err());
    }
}
