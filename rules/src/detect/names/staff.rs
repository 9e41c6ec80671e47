//! Who a capitalised pair is not: staff and firms. A name in a signature block or before a
//! sign-off, after a clinician's title or a staff label, before a credential or a role, in a
//! staff table row, with an address at the sender's own domain, or a firm's name (`Smith, Lee
//! and Co`) is not a patient's.

use super::super::name_words::*;
use super::word_at;

/// `t.split_inclusive('\n')`, the line ends found with `memchr` (`str`'s own search for a
/// `char` was a fifth of the name scan on a 10 KiB body).
pub(super) fn lines_inclusive(t: &str) -> impl Iterator<Item = &str> {
    let mut ends = memchr::memchr_iter(b'\n', t.as_bytes());
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= t.len() {
            return None;
        }
        let end = ends.next().map_or(t.len(), |i| i + 1);
        let line = &t[start..end];
        start = end;
        Some(line)
    })
}

/// Byte ranges of signature blocks: from a `-- ` line or a valediction line to the next blank
/// line (at most eight lines), or a quote marker.
pub fn signature_blocks(t: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut open: Option<(usize, usize)> = None; // (start, lines so far)
    for line in lines_inclusive(t) {
        let trimmed = line.trim();
        // Only short lines can be a valediction (`VALEDICTIONS` are lower case), compared
        // ignoring ASCII case: no lower-case copy of a line.
        let bare = trimmed.trim_end_matches([',', '!', '.']);
        let valediction =
            trimmed.len() < 24 && VALEDICTIONS.iter().any(|v| v.eq_ignore_ascii_case(bare));
        if let Some((start, n)) = open {
            let ends = trimmed.is_empty() || trimmed.starts_with('>') || n >= 8;
            if ends {
                out.push((start, pos));
                open = None;
            } else {
                open = Some((start, n + 1));
            }
        }
        let starts = trimmed == "--" || (valediction && (trimmed.ends_with(',') || bare.len() > 4));
        if open.is_none() && starts {
            open = Some((pos, 0));
        }
        pos += line.len();
    }
    if let Some((start, _)) = open {
        out.push((start, pos));
    }
    out
}

/// The name is the whole line and the paragraph ends there (`Beth Roberts` above a blank line
/// or `--`): a sign-off.
pub(super) fn sign_off(text: &str, s: usize, e: usize) -> bool {
    let line_start = text[..s].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[e..].find('\n').map_or(text.len(), |i| e + i);
    let before =
        text[line_start..s].trim_matches(|c: char| c.is_whitespace() || c == '-' || c == '—');
    if !before.is_empty() || !text[e..line_end].trim().is_empty() {
        return false;
    }
    let next = text[line_end..].trim_start_matches(['\r', '\n']);
    let blank_follows = text[line_end..]
        .trim_start_matches('\r')
        .starts_with("\n\r\n")
        || text[line_end..]
            .trim_start_matches('\r')
            .starts_with("\n\n");
    next.is_empty() || next.starts_with("--") || blank_follows
}

/// The word just before `s` (lower case, without a trailing dot), if any.
pub(super) fn previous_word(t: &[u8], s: usize) -> String {
    let mut e = s;
    while e > 0 && matches!(t[e - 1], b' ' | b'.') {
        e -= 1;
    }
    let mut b = e;
    while b > 0 && t[b - 1].is_ascii_alphabetic() {
        b -= 1;
    }
    String::from_utf8_lossy(&t[b..e]).to_ascii_lowercase()
}

/// A staff label right before `s` on the same line: `Owner: `, `Presenter - `.
pub(super) fn staff_label_before(t: &[u8], s: usize) -> bool {
    let mut from = s.saturating_sub(24);
    while from < s && t[from] & 0xc0 == 0x80 {
        from += 1; // a UTF-8 continuation byte: start at the next character
    }
    let Ok(before) = std::str::from_utf8(&t[from..s]) else {
        return false;
    };
    let before = before.rsplit('\n').next().unwrap_or("");
    let Some(label) = before.trim_end().strip_suffix([':', '-']) else {
        return false;
    };
    let label = label.trim().to_ascii_lowercase();
    let label = label.rsplit([';', '\t']).next().unwrap_or("").trim();
    STAFF_LABELS
        .iter()
        .any(|l| label == *l || label.strip_suffix(l).is_some_and(|p| p.ends_with(' ')))
}

/// The name at `s` is in a table row that labels a staff attribute (`Shift: 7a-7p`, `Badge: 4471`).
pub(super) fn staff_row(text: &str, s: usize) -> bool {
    let start = text[..s].rfind('\n').map_or(0, |i| i + 1);
    let end = text[s..].find('\n').map_or(text.len(), |i| s + i);
    let line = &text[start..end];
    // Only rows the table labeller wrote (`header: value;` cells) have column labels.
    if !line.contains(";\t") {
        return false;
    }
    let line = line.to_ascii_lowercase();
    STAFF_ROW_LABELS.iter().any(|l| line.contains(l))
}

/// The name is followed by an address at the sender's own domain (`Ann Lee <ann@clinic.example>`
/// in a forwarded header): a colleague. `sender` holds that domain as `@domain`.
pub(super) fn colleague_address(t: &[u8], e: usize, sender: &[String]) -> bool {
    let rest = &t[e..t.len().min(e + 120)];
    let Some(rest) = rest.trim_ascii_start().strip_prefix(b"<") else {
        return false;
    };
    let Some(close) = rest.iter().position(|&b| b == b'>') else {
        return false;
    };
    let Some(at) = rest[..close].iter().rposition(|&b| b == b'@') else {
        return false;
    };
    let domain = String::from_utf8_lossy(&rest[at..close]).to_ascii_lowercase();
    let local = String::from_utf8_lossy(&rest[..at]).to_ascii_lowercase();
    !system_mailbox(&local) && sender.iter().any(|d| d.starts_with('@') && *d == domain)
}

/// A mailbox no person reads (`noreply`, `portal-notifications`, `mychart`): the clinic's own
/// systems send a patient's portal message, a fax or a form from it *in the patient's name*
/// (`Gloria Estrada <portal-noreply@clinic.example>`), so the name is no colleague's.
pub(super) fn system_mailbox(local: &str) -> bool {
    const SYSTEM: &[&str] = &[
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "do_not_reply",
        "portal",
        "mychart",
        "notification",
        "efax",
        "forms",
    ];
    SYSTEM.iter().any(|w| local.contains(w))
}

/// A credential right after `e` (`, MD`, ` RN`).
pub(super) fn credential_after(t: &[u8], e: usize) -> bool {
    let mut i = e;
    while i < t.len() && matches!(t[i], b',' | b' ') {
        i += 1;
    }
    let mut j = i;
    while j < t.len() && (t[j].is_ascii_alphabetic() || t[j] == b'-') {
        j += 1;
    }
    i > e && j > i && {
        let w = String::from_utf8_lossy(&t[i..j]).to_ascii_lowercase();
        CREDENTIALS.contains(&w.as_str())
            && t[i..j].iter().all(|c| c.is_ascii_uppercase() || *c == b'-')
    }
}

/// The words after a name make it an organisation: a capitalised organisation word
/// (`Maple Grove Health`), or after `Last, First` an `and` or a comma (`Schneider, Flores and
/// Wright`).
pub(super) fn organisation(t: &[u8], e: usize, comma: bool) -> bool {
    if comma && (t[e..].starts_with(b" and ") || t[e..].starts_with(b", ")) {
        return true;
    }
    if t.get(e) != Some(&b' ') {
        return false;
    }
    let Some((s, e2)) = word_at(t, e + 1) else {
        return false;
    };
    let w = String::from_utf8_lossy(&t[s..e2]).to_ascii_lowercase();
    ORGANISATION.contains(&w.as_str())
}

/// A staff role right after a name (`, our diabetes educator`, ` (Clinical Pharmacist)`).
pub(super) fn role_after(t: &[u8], e: usize) -> bool {
    let mut i = e;
    while i < t.len() && i < e + 4 && matches!(t[i], b',' | b' ' | b'(' | b'-') {
        i += 1;
    }
    let tail = String::from_utf8_lossy(&t[i..t.len().min(i + 40)]).to_ascii_lowercase();
    let mut words = tail
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty());
    let first = words.next().unwrap_or("");
    if first == "our" {
        return !matches!(words.next(), Some("patient" | "pt" | "client" | "member"));
    }
    // The role may follow an adjective or two: `, certified diabetes educator`.
    i > e
        && std::iter::once(first)
            .chain(words.take(2))
            .any(|w| ROLES.contains(&w))
}
