//! Dates (for the date-of-birth detector) and US street addresses, parsed at a digit token.
//!
//! Dates: `mm/dd/yyyy`, `m/d/yy`, `mm-dd-yyyy`, `mm.dd.yyyy` (and day first when the first
//! number cannot be a month), `yyyy-mm-dd` / `yyyy/mm/dd` / `yyyy.mm.dd`, `d Month yyyy`,
//! `14-Mar-1962`, `14 Mar 62`, `Month d, yyyy` (the month name is looked up just before the day),
//! and eight digits without separators (`03141962`, `19620314`). A date is only a date of
//! birth with context (`DOB`, `born`…), which the scoring step adds. Addresses: a house number,
//! one to four capitalised words and a street suffix (`12 Oak Hill Road`).

use super::IdKind;
use super::scan::IdMatch;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Spanish month names whose first three letters differ from the English ones (0-based).
const SPANISH: [(&str, usize); 4] = [("ene", 0), ("abr", 3), ("ago", 7), ("dic", 11)];

const SUFFIXES: [&str; 30] = [
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "lane",
    "ln",
    "drive",
    "dr",
    "court",
    "ct",
    "way",
    "place",
    "pl",
    "terrace",
    "ter",
    "circle",
    "cir",
    "parkway",
    "pkwy",
    "highway",
    "hwy",
    "square",
    "sq",
    "trail",
    "trl",
    "pike",
];

fn run(t: &[u8], i: usize) -> usize {
    t.get(i..)
        .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
}

fn value(t: &[u8], i: usize, k: usize) -> u32 {
    t[i..i + k]
        .iter()
        .fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'))
}

fn end_ok(t: &[u8], e: usize) -> bool {
    match t.get(e) {
        None => true,
        Some(c) if c.is_ascii_alphanumeric() => false,
        Some(b'-' | b'/' | b'.' | b':') => !t.get(e + 1).is_some_and(u8::is_ascii_digit),
        Some(b',') => !super::scan::thousands(t, e),
        Some(_) => true,
    }
}

fn year_ok(y: u32, digits: usize) -> bool {
    digits == 2 || (1900..=2099).contains(&y)
}

fn day_ok(m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

fn found(start: usize, end: usize) -> Option<IdMatch> {
    Some(IdMatch {
        kind: IdKind::Date,
        start: start as u32,
        end: end as u32,
        formatted: true,
    })
}

/// A date starting at the digit token `s` (whose digit run is `r` long).
pub fn date(t: &[u8], s: usize, r: usize) -> Option<IdMatch> {
    if r == 4 {
        return iso(t, s);
    }
    if r == 0 || r > 2 {
        return None;
    }
    numeric_us(t, s, r)
        .or_else(|| day_month_year(t, s, r))
        .or_else(|| month_day_year(t, s, r))
}

fn iso(t: &[u8], s: usize) -> Option<IdMatch> {
    let y = value(t, s, 4);
    let sep = *t.get(s + 4)?;
    if !matches!(sep, b'-' | b'/' | b'.') || run(t, s + 5) != 2 || t.get(s + 7) != Some(&sep) {
        return None;
    }
    if run(t, s + 8) != 2 || !end_ok(t, s + 10) || !(1900..=2099).contains(&y) {
        return None;
    }
    if day_ok(value(t, s + 5, 2), value(t, s + 8, 2)) {
        found(s, s + 10)
    } else {
        None
    }
}

fn numeric_us(t: &[u8], s: usize, r: usize) -> Option<IdMatch> {
    let sep = *t.get(s + r)?;
    if sep != b'/' && sep != b'-' && sep != b'.' {
        return None;
    }
    let d0 = s + r + 1;
    let rd = run(t, d0);
    if !(1..=2).contains(&rd) || t.get(d0 + rd) != Some(&sep) {
        return None;
    }
    let y0 = d0 + rd + 1;
    let ry = run(t, y0);
    if (ry != 2 && ry != 4) || !end_ok(t, y0 + ry) {
        return None;
    }
    let (m, d, y) = (value(t, s, r), value(t, d0, rd), value(t, y0, ry));
    if (day_ok(m, d) || day_ok(d, m)) && year_ok(y, ry) {
        found(s, y0 + ry)
    } else {
        None
    }
}

/// The month whose name starts the word at `i` (three letters or the full name), and the end of
/// that word.
fn month_word(t: &[u8], i: usize) -> Option<(u32, usize)> {
    let len = t
        .get(i..)?
        .iter()
        .take(10)
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    if len < 3 {
        return None;
    }
    let key = [
        t[i].to_ascii_lowercase(),
        t[i + 1].to_ascii_lowercase(),
        t[i + 2].to_ascii_lowercase(),
    ];
    let m = MONTHS
        .iter()
        .position(|name| name.as_bytes() == key)
        .or_else(|| {
            SPANISH
                .iter()
                .find(|(n, _)| n.as_bytes() == key)
                .map(|&(_, m)| m)
        })?;
    let mut e = i + len;
    if t.get(e) == Some(&b'.') {
        e += 1;
    }
    Some((m as u32 + 1, e))
}

fn day_month_year(t: &[u8], s: usize, r: usize) -> Option<IdMatch> {
    let sep = *t.get(s + r)?;
    if sep != b' ' && sep != b'-' {
        return None;
    }
    // Spanish: `9 de marzo de 1952`.
    let de = |i: usize| {
        t.get(i..i + 3)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"de "))
    };
    let m0 = if sep == b' ' && de(s + r + 1) {
        s + r + 4
    } else {
        s + r + 1
    };
    let (m, e) = month_word(t, m0)?;
    let y0 = if t.get(e) == Some(&b',') {
        e + 2
    } else if t.get(e) == Some(&b' ') && de(e + 1) {
        e + 4
    } else {
        e + 1
    };
    if !matches!(t.get(y0 - 1), Some(b' ' | b'-')) {
        return None;
    }
    let ry = run(t, y0);
    if (ry != 4 && ry != 2) || !end_ok(t, y0 + ry) {
        return None;
    }
    if day_ok(m, value(t, s, r)) && year_ok(value(t, y0, ry), ry) {
        found(s, y0 + ry)
    } else {
        None
    }
}

/// Eight digits without separators: `mmddyyyy` or `yyyymmdd`.
pub fn compact(t: &[u8], s: usize) -> Option<IdMatch> {
    if run(t, s) != 8 || !end_ok(t, s + 8) {
        return None;
    }
    let us = day_ok(value(t, s, 2), value(t, s + 2, 2)) && year_ok(value(t, s + 4, 4), 4);
    let iso = year_ok(value(t, s, 4), 4) && day_ok(value(t, s + 4, 2), value(t, s + 6, 2));
    if us || iso { found(s, s + 8) } else { None }
}

fn month_day_year(t: &[u8], s: usize, r: usize) -> Option<IdMatch> {
    // Look back over "Month " or "Mon. " before the day.
    if s < 4 || t[s - 1] != b' ' {
        return None;
    }
    let mut b = s - 1;
    if t[b - 1] == b'.' {
        b -= 1;
    }
    let mut w = b;
    while w > 0 && b - w < 9 && t[w - 1].is_ascii_alphabetic() {
        w -= 1;
    }
    if w > 0 && t[w - 1].is_ascii_alphanumeric() {
        return None;
    }
    let (m, _) = month_word(t, w)?;
    let mut y0 = s + r;
    if t.get(y0) == Some(&b',') {
        y0 += 1;
    }
    if t.get(y0) != Some(&b' ') || run(t, y0 + 1) != 4 || !end_ok(t, y0 + 5) {
        return None;
    }
    if day_ok(m, value(t, s, r)) && year_ok(value(t, y0 + 1, 4), 4) {
        found(w, y0 + 5)
    } else {
        None
    }
}

/// `12 Oak Hill Road`: a 1–6 digit house number, then capitalised words up to a street suffix.
pub fn street_address(t: &[u8], s: usize, r: usize) -> Option<IdMatch> {
    if !(1..=6).contains(&r) || t.get(s + r) != Some(&b' ') {
        return None;
    }
    let mut i = s + r + 1;
    for words in 0..5 {
        let len = t
            .get(i..)?
            .iter()
            .take(20)
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if len == 0 || !t[i].is_ascii_uppercase() {
            return None;
        }
        let word = &t[i..i + len];
        let e = i + len;
        let is_suffix = SUFFIXES
            .iter()
            .any(|x| word.eq_ignore_ascii_case(x.as_bytes()));
        if words > 0 && is_suffix {
            let e = if t.get(e) == Some(&b'.') { e + 1 } else { e };
            return found(s, e).map(|m| IdMatch {
                kind: IdKind::UsAddress,
                ..m
            });
        }
        if t.get(e) != Some(&b' ') {
            return None;
        }
        i = e + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::scan::scan;
    use super::*;

    fn kinds(text: &str) -> Vec<IdKind> {
        let mut v = Vec::new();
        scan(text.as_bytes(), &mut v);
        v.into_iter().map(|m| m.kind).collect()
    }

    #[test]
    fn date_forms() {
        for ok in [
            "DOB 03/14/1962",
            "DOB 3/4/62",
            "DOB 1962-03-14",
            "born 14 March 1962",
            "born March 14, 1962",
            "born Mar. 14, 1962",
            "DOB 03.14.1962",
            "DOB 14.03.1962",
            "DOB 14-Mar-1962",
            "DOB 14 Mar 62",
            "DOB 03141962",
            "DOB 19620314",
            "DOB 1962/03/14",
            "Fecha de nacimiento: 9 de marzo de 1952",
            "nacido el 14 de diciembre de 1952",
        ] {
            assert_eq!(kinds(ok), [IdKind::Date], "{ok}");
        }
        for bad in [
            "13/14/1962",
            "1962-13-01",
            "03/14/19620",
            "3/4",
            "99999999",
            "13141962",
        ] {
            assert!(kinds(bad).is_empty(), "{bad}");
        }
    }

    #[test]
    fn addresses() {
        assert_eq!(kinds("lives at 12 Oak Hill Road."), [IdKind::UsAddress]);
        assert_eq!(kinds("1600 Pennsylvania Ave"), [IdKind::UsAddress]);
        assert!(kinds("12 apples on the Road").is_empty());
    }
}
