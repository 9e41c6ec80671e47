//! One pass over a text for every built-in identifier detector.
//!
//! The scanner jumps from digit to digit (eight bytes at a time where there are none), and only at
//! the start of a token that contains a digit tries the detectors' small hand-written parsers. Each
//! parser checks shape, separators and word boundaries, then the validator of
//! [`super::validate`]. A match records only its kind, its span and whether it was in the
//! strongly formatted form; the matched text is never copied.

use super::IdKind;
use super::validate;

/// One validated identifier in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdMatch {
    /// Which detector.
    pub kind: IdKind,
    /// Byte offset of the first character.
    pub start: u32,
    /// Byte offset after the last character.
    pub end: u32,
    /// The number was written in its distinctive formatted form (e.g. `123-45-6789`).
    pub formatted: bool,
}

/// Scans `t`, appending every validated identifier to `out` in text order.
pub fn scan(t: &[u8], out: &mut Vec<IdMatch>) {
    let n = t.len();
    let mut i = 0;
    while i < n {
        i = match next_digit(t, i) {
            Some(p) => p,
            None => return,
        };
        let mut s = i;
        while s > 0 && t[s - 1].is_ascii_alphabetic() && i - s < 2 {
            s -= 1;
        }
        if (s > 0 && t[s - 1].is_ascii_alphanumeric()) || continues_number(t, s) {
            // A label glued to its number (`SSN123456789`, `DOB03141962`) still starts one.
            if let Some(m) = glued_label(t, i).then(|| digit_start(t, i)).flatten() {
                i = m.end as usize;
                out.push(m);
            } else {
                i = skip_alnum(t, i);
            }
            continue;
        }
        let found = if s < i {
            letter_start(t, s)
        } else {
            digit_start(t, s)
        };
        match found {
            Some(m) => {
                i = m.end as usize;
                out.push(m);
            }
            None => i = skip_alnum(t, i),
        }
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Digit bytes of the little-endian word `w`, as the high bit of each byte. The lowest set bit
/// is exact (the borrow of the subtraction can only flag bytes above a real digit).
#[inline]
fn digit_mask(w: u64) -> u64 {
    let x = w ^ (LO * 0x30);
    x.wrapping_sub(LO * 10) & !x & HI
}

#[inline]
fn word(t: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&t[i..i + 8]);
    u64::from_le_bytes(w)
}

/// Position of the next ASCII digit at or after `from`: sixteen bytes a step, and the exact
/// byte from the mask.
#[inline]
fn next_digit(t: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 16 <= t.len() {
        let (a, b) = (digit_mask(word(t, i)), digit_mask(word(t, i + 8)));
        if a != 0 {
            return Some(i + (a.trailing_zeros() / 8) as usize);
        }
        if b != 0 {
            return Some(i + 8 + (b.trailing_zeros() / 8) as usize);
        }
        i += 16;
    }
    t[i..].iter().position(u8::is_ascii_digit).map(|p| p + i)
}

/// Labels written directly before their number.
const GLUED_LABELS: [&[u8]; 5] = [b"ssn", b"dob", b"mrn", b"mbi", b"npi"];

/// The letters right before the digit at `i` are a whole word and one of [`GLUED_LABELS`].
fn glued_label(t: &[u8], i: usize) -> bool {
    let mut j = i;
    while j > 0 && i - j < 4 && t[j - 1].is_ascii_alphabetic() {
        j -= 1;
    }
    let whole = j == 0 || !t[j - 1].is_ascii_alphanumeric();
    whole && j < i && GLUED_LABELS.iter().any(|l| t[j..i].eq_ignore_ascii_case(l))
}

/// End of the alphanumeric run at `from` (at least one byte further, so scanning advances).
fn skip_alnum(t: &[u8], from: usize) -> usize {
    let mut i = from + 1;
    while i < t.len() && t[i].is_ascii_alphanumeric() {
        i += 1;
    }
    i
}

/// The token at `s` continues a longer number (`12-345…`, `1.5`, `1,234`).
fn continues_number(t: &[u8], s: usize) -> bool {
    if s < 2 || !t[s - 2].is_ascii_digit() {
        return false;
    }
    match t[s - 1] {
        b'-' | b'/' | b'.' => true,
        b',' => thousands(t, s - 1),
        _ => false,
    }
}

/// The comma at `p` groups thousands (`1,234`, `12,345,678`): one to three digits before it
/// and exactly three after, not followed by `-` or `/`. A comma between CSV cells
/// (`…6789,12/08/2026`, `…MK73,100-…`) does not.
pub(super) fn thousands(t: &[u8], p: usize) -> bool {
    let before = t[..p]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=3).contains(&before) || run_len(t, p + 1) != 3 {
        return false;
    }
    !matches!(t.get(p + 4), Some(b'-' | b'/'))
}

/// A match may end at `e`: end of text, or a character that neither extends the token nor
/// joins it to a following number.
fn right_ok(t: &[u8], e: usize) -> bool {
    match t.get(e) {
        None => true,
        Some(c) if c.is_ascii_alphanumeric() => false,
        Some(b'-' | b'/' | b'.') => !t.get(e + 1).is_some_and(u8::is_ascii_digit),
        Some(b',') => !thousands(t, e),
        Some(_) => true,
    }
}

/// Reads exactly `k` digits at `i`, returning their values.
fn digits<const K: usize>(t: &[u8], i: usize) -> Option<[u8; K]> {
    let mut d = [0u8; K];
    for (j, slot) in d.iter_mut().enumerate() {
        let c = *t.get(i + j)?;
        if !c.is_ascii_digit() {
            return None;
        }
        *slot = c - b'0';
    }
    Some(d)
}

fn run_len(t: &[u8], i: usize) -> usize {
    t[i.min(t.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

fn num(d: &[u8]) -> u16 {
    d.iter().fold(0u16, |a, &x| a * 10 + u16::from(x))
}

fn hit(kind: IdKind, start: usize, end: usize, formatted: bool) -> Option<IdMatch> {
    Some(IdMatch {
        kind,
        start: start as u32,
        end: end as u32,
        formatted,
    })
}

fn letter_start(t: &[u8], s: usize) -> Option<IdMatch> {
    dea(t, s).or_else(|| icd10(t, s))
}

/// Tries the parsers whose shape fits the digit run at `s` (its length and the byte after it),
/// so a number none of them could take costs one dispatch.
fn digit_start(t: &[u8], s: usize) -> Option<IdMatch> {
    let run = run_len(t, s);
    let next = t.get(s + run).copied().unwrap_or(0);
    let sep = matches!(next, b' ' | b'-');
    let date_sep = matches!(next, b'/' | b'.');
    match run {
        1 | 2 if next.is_ascii_alphabetic() => mbi(t, s),
        1 | 2 => super::dates::date(t, s, run).or_else(|| super::dates::street_address(t, s, run)),
        3 => ssn(t, s, run)
            .or_else(|| phone(t, s, run))
            .or_else(|| super::dates::street_address(t, s, run)),
        4 if sep => card(t, s)
            .or_else(|| super::dates::date(t, s, run))
            .or_else(|| super::dates::street_address(t, s, run)),
        4 if date_sep => super::dates::date(t, s, run),
        4..=6 => super::dates::street_address(t, s, run),
        8 => super::dates::compact(t, s),
        9 => ssn(t, s, run),
        10 => npi(t, s, run),
        13..=19 => card(t, s),
        _ => None,
    }
}

fn ssn(t: &[u8], s: usize, run: usize) -> Option<IdMatch> {
    if run == 9 {
        let d: [u8; 9] = digits(t, s)?;
        let ok = right_ok(t, s + 9) && validate::ssn(num(&d[..3]), num(&d[3..5]), num(&d[5..]));
        return if ok {
            hit(IdKind::UsSsn, s, s + 9, false)
        } else {
            None
        };
    }
    if run != 3 {
        return None;
    }
    let sep = *t.get(s + 3)?;
    if sep != b'-' && sep != b' ' && sep != b'.' {
        return None;
    }
    let a: [u8; 3] = digits(t, s)?;
    let g: [u8; 2] = digits(t, s + 4)?;
    if t.get(s + 6) != Some(&sep) {
        return None;
    }
    let r: [u8; 4] = digits(t, s + 7)?;
    let e = s + 11;
    if run_len(t, s + 4) != 2 || !right_ok(t, e) {
        return None;
    }
    if validate::ssn(num(&a), num(&g), num(&r)) {
        hit(IdKind::UsSsn, s, e, true)
    } else {
        None
    }
}

fn card(t: &[u8], s: usize) -> Option<IdMatch> {
    let mut d = [0u8; 19];
    let mut n = 0;
    let mut groups = [0u8; 6];
    let mut g = 0;
    let mut i = s;
    let mut sep = None;
    loop {
        let len = run_len(t, i);
        if len == 0 || n + len > 19 || g == groups.len() {
            return None;
        }
        for k in 0..len {
            d[n + k] = t[i + k] - b'0';
        }
        n += len;
        groups[g] = len as u8;
        g += 1;
        i += len;
        let c = t.get(i).copied();
        let joins = matches!(c, Some(b' ' | b'-'))
            && (sep.is_none() || sep == c)
            && t.get(i + 1).is_some_and(u8::is_ascii_digit)
            && n < 19;
        if !joins {
            break;
        }
        sep = c;
        i += 1;
    }
    if !(13..=19).contains(&n) || !right_ok(t, i) {
        return None;
    }
    let grouping_ok = match &groups[..g] {
        [_] => true,
        [4, 6, 5] | [4, 6, 4] => true,
        gs => gs[..g - 1].iter().all(|&x| x == 4) && (1..=4).contains(&gs[g - 1]),
    };
    let digits = &d[..n];
    if grouping_ok && validate::card_network(digits) && validate::luhn(digits) {
        hit(IdKind::PaymentCard, s, i, g > 1)
    } else {
        None
    }
}

fn npi(t: &[u8], s: usize, run: usize) -> Option<IdMatch> {
    if run != 10 || !right_ok(t, s + 10) {
        return None;
    }
    let d: [u8; 10] = digits(t, s)?;
    if validate::npi(&d) {
        hit(IdKind::Npi, s, s + 10, false)
    } else {
        None
    }
}

/// An MBI in capitals or lower case, plain or in 4-3-4 groups split by dashes or spaces.
fn mbi(t: &[u8], s: usize) -> Option<IdMatch> {
    let mut c = [0u8; 11];
    let mut i = s;
    let mut seps = 0;
    let sep = match t.get(s + 4) {
        Some(&b) if b == b'-' || b == b' ' => Some(b),
        _ => None,
    };
    for (k, slot) in c.iter_mut().enumerate() {
        if (k == 4 || k == 7) && sep.is_some() && t.get(i).copied() == sep {
            i += 1;
            seps += 1;
        }
        *slot = t.get(i)?.to_ascii_uppercase();
        i += 1;
    }
    let lower = t[s..i].iter().any(u8::is_ascii_lowercase);
    let upper = t[s..i].iter().any(u8::is_ascii_uppercase);
    if (seps != 0 && seps != 2) || (lower && upper) || !right_ok(t, i) || !validate::mbi(&c) {
        return None;
    }
    hit(IdKind::Mbi, s, i, seps == 2)
}

fn dea(t: &[u8], s: usize) -> Option<IdMatch> {
    let (a, b) = (*t.get(s)?, *t.get(s + 1)?);
    let d: [u8; 7] = digits(t, s + 2)?;
    if !right_ok(t, s + 9) || !validate::dea(a, b, &d) {
        return None;
    }
    hit(IdKind::Dea, s, s + 9, true)
}

fn icd10(t: &[u8], s: usize) -> Option<IdMatch> {
    let mut code = [0u8; 7];
    let head = t.get(s..s + 3)?;
    code[..3].copy_from_slice(head);
    let mut n = 3;
    let mut e = s + 3;
    if t.get(e) == Some(&b'.') {
        let tail = t[e + 1..]
            .iter()
            .take(5)
            .take_while(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            .count();
        if tail > 4 {
            return None;
        }
        code[3..3 + tail].copy_from_slice(&t[e + 1..e + 1 + tail]);
        if tail > 0 {
            n += tail;
            e += 1 + tail;
        }
    }
    if !right_ok(t, e) || !validate::icd10_shape(&code[..n]) {
        return None;
    }
    hit(IdKind::Icd10, s, e, n > 3)
}

fn phone(t: &[u8], s: usize, run: usize) -> Option<IdMatch> {
    // (ddd) ddd-dddd
    if run == 3 && s > 0 && t[s - 1] == b'(' && t.get(s + 3) == Some(&b')') {
        let mut i = s + 4;
        if t.get(i) == Some(&b' ') {
            i += 1;
        }
        return local_number(t, s - 1, num(&digits::<3>(t, s)?), i);
    }
    // ddd-ddd-dddd, ddd.ddd.dddd, ddd ddd dddd
    if run == 3 {
        let sep = *t.get(s + 3)?;
        if matches!(sep, b'-' | b'.' | b' ') && run_len(t, s + 4) == 3 && t.get(s + 7) == Some(&sep)
        {
            return local_number(t, s, num(&digits::<3>(t, s)?), s + 4);
        }
    }
    None
}

/// The `ddd-dddd` (or `ddd.dddd`, `ddd dddd`) after an area code at `i`; `start` is where the
/// whole number began.
fn local_number(t: &[u8], start: usize, area: u16, i: usize) -> Option<IdMatch> {
    let ex: [u8; 3] = digits(t, i)?;
    let sep = *t.get(i + 3)?;
    if !matches!(sep, b'-' | b'.' | b' ') {
        return None;
    }
    let _: [u8; 4] = digits(t, i + 4)?;
    let e = i + 8;
    if area < 200 || ex[0] < 2 || run_len(t, i + 4) != 4 || !right_ok(t, e) {
        return None;
    }
    hit(IdKind::UsPhone, start, e, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<IdKind> {
        let mut v = Vec::new();
        scan(text.as_bytes(), &mut v);
        v.into_iter().map(|m| m.kind).collect()
    }

    #[test]
    fn ssn_forms_and_invalid_neighbours() {
        assert_eq!(kinds("SSN 123-45-6789."), [IdKind::UsSsn]);
        assert_eq!(kinds("ssn 123 45 6789"), [IdKind::UsSsn]);
        assert_eq!(kinds("ssn 123456789"), [IdKind::UsSsn]);
        assert!(kinds("invoice 000-12-3456").is_empty(), "area 000");
        assert!(kinds("ref 123-45 6789").is_empty(), "mixed separators");
        assert!(kinds("code 123-45-67890").is_empty(), "too long");
        assert!(kinds("part 9123-45-6789").is_empty());
        assert!(kinds("A123-45-6789").is_empty(), "glued to a word");
        assert_eq!(kinds("SSN123456789"), [IdKind::UsSsn], "glued to its label");
        assert!(kinds("XSSN123456789").is_empty());
    }

    #[test]
    fn npi_needs_its_check_digit() {
        assert_eq!(kinds("NPI 1245319599"), [IdKind::Npi]);
        assert!(kinds("NPI 1245319598").is_empty());
    }

    #[test]
    fn cards_grouped_and_plain() {
        assert_eq!(kinds("card 4111 1111 1111 1111 exp"), [IdKind::PaymentCard]);
        assert_eq!(kinds("4111-1111-1111-1111"), [IdKind::PaymentCard]);
        assert_eq!(kinds("amex 3782 822463 10005"), [IdKind::PaymentCard]);
        assert!(kinds("4111 1111 1111 1112").is_empty());
        assert!(kinds("4111 1111-1111 1111").is_empty(), "mixed separators");
    }

    #[test]
    fn mbi_dea_icd() {
        assert_eq!(kinds("MBI 1EG4-TE5-MK73"), [IdKind::Mbi]);
        assert_eq!(kinds("MBI 1EG4TE5MK73"), [IdKind::Mbi]);
        assert!(kinds("1EG4-TE5MK73").is_empty());
        assert_eq!(kinds("mbi 1eg4-te5-mk73"), [IdKind::Mbi]);
        assert_eq!(kinds("MBI 1EG4 TE5 MK73"), [IdKind::Mbi]);
        assert!(kinds("1Eg4TE5MK73").is_empty(), "mixed case");
        assert_eq!(kinds("SSN 123.45.6789"), [IdKind::UsSsn]);
        assert_eq!(kinds("DEA AB1245617"), [IdKind::Dea]);
        assert!(kinds("DEA AB1245618").is_empty());
        assert_eq!(kinds("dx E11.9 and I10"), [IdKind::Icd10, IdKind::Icd10]);
        assert!(kinds("A1C was 7").is_empty());
    }

    #[test]
    fn phones() {
        assert_eq!(kinds("call (555) 234-5678"), [IdKind::UsPhone]);
        assert_eq!(kinds("call 555-234-5678"), [IdKind::UsPhone]);
        assert!(kinds("call 155-234-5678").is_empty());
    }

    #[test]
    fn csv_cells_are_not_thousands_groups() {
        assert_eq!(
            kinds("Amanda,3XG2-PK4-WW84,12/08/2026"),
            [IdKind::Mbi, IdKind::Date]
        );
        assert_eq!(kinds("x,123-45-6789,100,y"), [IdKind::UsSsn]);
        assert_eq!(
            kinds("12/08/2026,123-45-6789"),
            [IdKind::Date, IdKind::UsSsn]
        );
        assert!(
            kinds("$4,111,111,111,111,111").is_empty(),
            "a grouped amount"
        );
        assert!(kinds("12,345,678,901").is_empty());
    }

    #[test]
    fn digit_skipping_finds_digits_at_every_offset() {
        for pad in 0..17 {
            let text = format!("{}SSN 123-45-6789 x", "a ".repeat(pad));
            assert_eq!(kinds(&text), [IdKind::UsSsn], "pad {pad}");
        }
        assert!(kinds("no digits here at all, none").is_empty());
    }
}
