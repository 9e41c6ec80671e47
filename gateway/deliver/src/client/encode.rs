//! How envelope parameters and the body are written on the wire: DSN NOTIFY, RFC 3461 xtext
//! for ENVID and ORCPT, and dot-stuffing.

use sealgate_core::Notify;

pub(super) fn notify_text(n: Notify) -> String {
    if n.never {
        return "NEVER".into();
    }
    let mut parts = Vec::new();
    if n.success {
        parts.push("SUCCESS");
    }
    if n.failure {
        parts.push("FAILURE");
    }
    if n.delay {
        parts.push("DELAY");
    }
    if parts.is_empty() {
        return "NEVER".into();
    }
    parts.join(",")
}

/// RFC 3461 §4 xtext: printable US-ASCII except `+` and `=` as it is, every other octet `+HH`.
pub fn xtext(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if (b'!'..=b'~').contains(&b) && b != b'+' && b != b'=' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("+{b:02X}"));
        }
    }
    out
}

/// True when every octet is printable US-ASCII or a space (what RFC 3461 allows in a decoded
/// ENVID or rfc822 ORCPT).
pub(super) fn printable(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// The address type an ORCPT value already names (`rfc822;…`, `utf-8;…`), if any.
pub fn orcpt_type(orcpt: &str) -> Option<&str> {
    let (kind, _) = orcpt.split_once(';')?;
    ["rfc822", "utf-8"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(kind))
        .then_some(kind)
}

/// The ORCPT parameter as sent: `rfc822;` and the xtext of the address (RFC 3461 §4.2), or the
/// value as it is when it already names its type.
pub(super) fn orcpt_param(orcpt: &str) -> String {
    match orcpt_type(orcpt) {
        Some(_) => orcpt.to_string(),
        None => format!("rfc822;{}", xtext(orcpt)),
    }
}

/// The body as sent after DATA: leading dots doubled, CRLF ensured at the end, then `.`.
pub fn dot_stuff(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 64 + 8);
    let mut at_line_start = true;
    for &b in body {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
    }
    if !body.is_empty() && !body.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing() {
        assert_eq!(
            dot_stuff(b".a\r\nb\r\n..c\r\n"),
            b"..a\r\nb\r\n...c\r\n.\r\n"
        );
        assert_eq!(dot_stuff(b"x"), b"x\r\n.\r\n");
    }

    /// Regression: ORCPT went out as the bare decoded address (`ORCPT=orig+x@a.example`),
    /// which Postfix refuses with `501 5.5.4 Bad ORCPT parameter syntax`, and ENVID unencoded.
    #[test]
    fn orcpt_and_envid_go_out_as_typed_xtext() {
        assert_eq!(
            orcpt_param("orig+x=y@a.example"),
            "rfc822;orig+2Bx+3Dy@a.example"
        );
        assert_eq!(orcpt_param("rfc822;a@b.example"), "rfc822;a@b.example");
        assert_eq!(xtext("env 42+"), "env+2042+2B");
        assert_eq!(xtext("é"), "+C3+A9");
        assert!(printable("env 42"));
        assert!(!printable("env\r\nRCPT TO:<x@y>"));
    }

    #[test]
    fn notify_as_on_the_wire() {
        let n = Notify {
            failure: true,
            delay: true,
            ..Notify::default()
        };
        assert_eq!(notify_text(n), "FAILURE,DELAY");
        let never = Notify {
            never: true,
            ..Notify::default()
        };
        assert_eq!(notify_text(never), "NEVER");
    }
}
