//! Check-digit and issuing-rule validators for the built-in identifier detectors.
//!
//! Every function here is pure and total: it takes digits (as values 0–9) or ASCII bytes and
//! answers yes or no. Nothing is allocated. These are cross-checked against python-stdnum (SSN,
//! Luhn, NPI, ITIN/EIN) and an independent Python implementation (DEA, MBI) in `tests/stdnum.rs`.

/// Luhn (mod 10) check over digit values, the last being the check digit.
pub fn luhn(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let d = u32::from(d);
        sum += if i % 2 == 1 {
            let x = d * 2;
            if x > 9 { x - 9 } else { x }
        } else {
            d
        };
    }
    sum.is_multiple_of(10)
}

/// US Social Security number rules (SSA): area not 000, 666 or 9xx; group not 00; serial not
/// 0000; and not one of the numbers published in advertising or used as well-known examples.
pub fn ssn(area: u16, group: u16, serial: u16) -> bool {
    if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
        return false;
    }
    // Woolworth wallet card (078-05-1120), Social Security Board pamphlet (219-09-9999) and the
    // LifeLock advertisement (457-55-5462).
    !matches!(
        (area, group, serial),
        (78, 5, 1120) | (219, 9, 9999) | (457, 55, 5462)
    )
}

/// National Provider Identifier: 10 digits starting with 1 or 2, whose Luhn check digit is
/// computed over the prefix `80840` followed by the NPI (CMS NPI check-digit rule).
pub fn npi(d: &[u8; 10]) -> bool {
    if d[0] != 1 && d[0] != 2 {
        return false;
    }
    let mut all = [0u8; 15];
    all[..5].copy_from_slice(&[8, 0, 8, 4, 0]);
    all[5..].copy_from_slice(d);
    luhn(&all)
}

/// First letters of DEA registration numbers (registrant types), upper case.
const DEA_FIRST: &[u8] = b"ABCDEFGHJKLMPRSTUX";

/// DEA registration number: an allowed registrant-type letter, a second letter (the registrant's
/// surname initial) or `9`, and seven digits whose last is
/// `((d1 + d3 + d5) + 2 × (d2 + d4 + d6)) mod 10`.
pub fn dea(first: u8, second: u8, d: &[u8; 7]) -> bool {
    if !DEA_FIRST.contains(&first) || !(second.is_ascii_uppercase() || second == b'9') {
        return false;
    }
    let odd = u32::from(d[0]) + u32::from(d[2]) + u32::from(d[4]);
    let even = u32::from(d[1]) + u32::from(d[3]) + u32::from(d[5]);
    (odd + 2 * even) % 10 == u32::from(d[6])
}

/// An MBI letter: upper case, not S, L, O, I, B or Z.
fn mbi_alpha(c: u8) -> bool {
    c.is_ascii_uppercase() && !b"SLOIBZ".contains(&c)
}

/// Medicare Beneficiary Identifier (CMS format, 11 characters without dashes):
/// `C A AN N A AN N A A N N` where C is 1–9, N is 0–9, A is a letter other than S L O I B Z and
/// AN is either.
pub fn mbi(c: &[u8; 11]) -> bool {
    let num = |x: u8| x.is_ascii_digit();
    let an = |x: u8| num(x) || mbi_alpha(x);
    (b'1'..=b'9').contains(&c[0])
        && mbi_alpha(c[1])
        && an(c[2])
        && num(c[3])
        && mbi_alpha(c[4])
        && an(c[5])
        && num(c[6])
        && mbi_alpha(c[7])
        && mbi_alpha(c[8])
        && num(c[9])
        && num(c[10])
}

/// Issuer identification number ranges of the major card networks, checked on the leading
/// digits together with the length.
pub fn card_network(d: &[u8]) -> bool {
    let n = d.len();
    let prefix = |k: usize| d.iter().take(k).fold(0u32, |a, &x| a * 10 + u32::from(x));
    match d.first() {
        Some(4) => n == 13 || n == 16 || n == 19, // Visa
        Some(5) => (51..=55).contains(&prefix(2)) && n == 16, // Mastercard
        Some(2) => (2221..=2720).contains(&prefix(4)) && n == 16, // Mastercard 2-series
        Some(3) if matches!(prefix(2), 34 | 37) => n == 15, // American Express
        Some(3) if (3528..=3589).contains(&prefix(4)) => n >= 16, // JCB
        Some(3) if matches!(prefix(2), 36 | 38 | 39) => n >= 14, // Diners
        Some(3) => (300..=305).contains(&prefix(3)) && n >= 14, // Diners
        Some(6) => {
            (prefix(4) == 6011 || prefix(2) == 65 || (644..=649).contains(&prefix(3))) && n >= 16
        }
        _ => false,
    }
}

/// ICD-10-CM code shape, given the bytes of the code without the dot: a category letter (not U,
/// except the emergency codes U07/U09), a digit, a digit or the few letters used in third
/// position (C4A, C7A, C7B, D3A, M1A, Z3A…), and up to four further characters.
pub fn icd10_shape(code: &[u8]) -> bool {
    if !(3..=7).contains(&code.len()) {
        return false;
    }
    let (l, d1, c3) = (code[0], code[1], code[2]);
    if !l.is_ascii_uppercase() || !d1.is_ascii_digit() {
        return false;
    }
    if l == b'U' && !(d1 == b'0' && matches!(c3, b'7' | b'9')) {
        return false;
    }
    let third_ok = c3.is_ascii_digit()
        || (c3 == b'A' && matches!(l, b'C' | b'D' | b'M' | b'Z'))
        || (c3 == b'B' && l == b'C');
    third_ok
        && code[3..]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> Vec<u8> {
        s.bytes().map(|b| b - b'0').collect()
    }

    #[test]
    fn luhn_known_values() {
        assert!(luhn(&digits("4111111111111111")));
        assert!(!luhn(&digits("4111111111111112")));
        assert!(luhn(&digits("79927398713")));
    }

    #[test]
    fn ssn_rules() {
        assert!(ssn(123, 45, 6789));
        assert!(!ssn(0, 45, 6789), "area 000");
        assert!(!ssn(666, 45, 6789));
        assert!(!ssn(900, 45, 6789));
        assert!(!ssn(123, 0, 6789));
        assert!(!ssn(123, 45, 0));
        assert!(!ssn(78, 5, 1120), "Woolworth wallet card");
    }

    #[test]
    fn npi_check_digit() {
        let ok: [u8; 10] = [1, 2, 4, 5, 3, 1, 9, 5, 9, 9];
        assert!(npi(&ok));
        let mut bad = ok;
        bad[9] = 8;
        assert!(!npi(&bad));
        let mut three = ok;
        three[0] = 3;
        assert!(!npi(&three));
    }

    #[test]
    fn dea_check_digit() {
        // 1+4+6 = 11; 2*(2+5+1) = 16; 27 mod 10 = 7.
        assert!(dea(b'A', b'B', &[1, 2, 4, 5, 6, 1, 7]));
        assert!(!dea(b'A', b'B', &[1, 2, 4, 5, 6, 1, 8]));
        assert!(
            !dea(b'Q', b'B', &[1, 2, 4, 5, 6, 1, 7]),
            "Q is no registrant type"
        );
    }

    #[test]
    fn mbi_positions() {
        assert!(mbi(b"1EG4TE5MK73"));
        assert!(!mbi(b"0EG4TE5MK73"), "first character 0");
        assert!(!mbi(b"1SG4TE5MK73"), "S is excluded");
        assert!(!mbi(b"1EG4TE5MK7A"));
    }

    #[test]
    fn icd_shapes() {
        for ok in ["E119", "I10", "S72001A", "C4A0", "U071", "Z3A20"] {
            assert!(icd10_shape(ok.as_bytes()), "{ok}");
        }
        for bad in ["A1C", "U123", "E1", "e119", "EE11"] {
            assert!(!icd10_shape(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn card_networks() {
        assert!(card_network(&digits("4111111111111111")));
        assert!(card_network(&digits("378282246310005")));
        assert!(card_network(&digits("5555555555554444")));
        assert!(!card_network(&digits("9111111111111111")));
    }
}
