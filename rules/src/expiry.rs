//! Per-message portal expiry: the subject's expiry tag (`[expire=7d]`, also `[expires=…]`,
//! case-insensitive, spaces allowed around `=`) and the `portal_expiry` rule key share one
//! duration syntax — a whole number followed by `m` (minutes), `h`, `d` or `w`.
//!
//! Guarantees: the tag is recognised without any rule asking for it, and the decision then
//! always strips the literal tag from the subject (it is an instruction to the gateway, not
//! something the recipient should read); only the first tag counts; a malformed tag
//! (`[expire=soon]`) is left in the subject and asks for nothing. The value is a length of
//! time, never message content, so it may appear in decisions and `queue show`.

/// Longest expiry the syntax accepts (ten years); the portal's bounds clamp it further.
const MAX_SECS: u64 = 10 * 366 * 86_400;

/// Parses `30m`, `12h`, `7d`, `2w` into seconds.
pub fn parse_duration(text: &str) -> Option<u64> {
    let t = text.trim();
    let unit = t.chars().last()?;
    let per = match unit.to_ascii_lowercase() {
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return None,
    };
    let digits = &t[..t.len() - unit.len_utf8()];
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs = digits.parse::<u64>().ok()?.checked_mul(per)?;
    (secs > 0 && secs <= MAX_SECS).then_some(secs)
}

/// Seconds in the largest unit that divides them: `604800` → `7d`, `90` → `90s`.
pub fn format_duration(secs: u64) -> String {
    for (per, unit) in [(7 * 86_400, "w"), (86_400, "d"), (3_600, "h"), (60, "m")] {
        if secs >= per && secs.is_multiple_of(per) {
            return format!("{}{unit}", secs / per);
        }
    }
    format!("{secs}s")
}

/// The first well-formed expiry tag in `subject`: the tag exactly as written and its length
/// in seconds.
pub fn find_expiry_tag(subject: &str) -> Option<(String, u64)> {
    let mut from = 0;
    while let Some(open) = subject[from..].find('[') {
        let start = from + open;
        let len = subject[start..].find(']')?;
        let tag = &subject[start..=start + len];
        if let Some(secs) = tag_value(&tag[1..tag.len() - 1]) {
            return Some((tag.to_string(), secs));
        }
        from = start + 1;
    }
    None
}

/// `expire=7d` / `expires = 7d` inside the brackets.
fn tag_value(inner: &str) -> Option<u64> {
    let (key, value) = inner.split_once('=')?;
    let key = key.trim();
    let known = key.eq_ignore_ascii_case("expire") || key.eq_ignore_ascii_case("expires");
    if !known {
        return None;
    }
    parse_duration(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_have_a_unit_and_stay_in_range() {
        assert_eq!(parse_duration("1m"), Some(60));
        assert_eq!(parse_duration(" 12h "), Some(43_200));
        assert_eq!(parse_duration("7D"), Some(604_800));
        assert_eq!(parse_duration("2w"), Some(1_209_600));
        for bad in [
            "",
            "d",
            "0d",
            "7",
            "7x",
            "-1d",
            "1.5d",
            "99999999d",
            "7dd",
            "½d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_print_in_their_largest_whole_unit() {
        assert_eq!(format_duration(604_800), "1w");
        assert_eq!(format_duration(86_400 * 3), "3d");
        assert_eq!(format_duration(5_400), "90m");
        assert_eq!(format_duration(90), "90s");
        for text in ["1m", "12h", "6d", "2w"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
    }

    #[test]
    fn the_tag_is_found_as_written_wherever_it_stands() {
        assert_eq!(
            find_expiry_tag("[secure] Results [Expire=7d]"),
            Some(("[Expire=7d]".into(), 604_800))
        );
        assert_eq!(
            find_expiry_tag("[expires = 1m] [expire=2d]"),
            Some(("[expires = 1m]".into(), 60))
        );
        // A malformed tag asks for nothing; a later good one still counts.
        assert_eq!(
            find_expiry_tag("[expire=soon] [ref 12] [expire=3h]"),
            Some(("[expire=3h]".into(), 10_800))
        );
        for none in [
            "Results",
            "[secure] results",
            "[expire=soon]",
            "[expire=1d",
            "[keep=1d]",
        ] {
            assert_eq!(find_expiry_tag(none), None, "{none}");
        }
    }
}
