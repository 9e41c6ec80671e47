//! Command output that survives a closed pipe and cannot drive the terminal.
//!
//! `println!` panics when stdout is a pipe whose reader has gone (`sealgate queue list | head`).
//! [`outln!`] writes the same line but, when stdout can no longer be written, ends the process
//! quietly with the status a shell reports for SIGPIPE (141), as Unix tools do.
//!
//! Much of what the CLI prints comes from elsewhere: a remote server's SMTP reply, a domain's
//! MTA-STS policy, certificate names. Every line goes through [`clean`], which writes control
//! characters (escape sequences, carriage returns, C1 controls, bidirectional overrides) as
//! `\u{…}`-style escapes (`\u001b`), so remote text can neither recolour nor rewrite the
//! administrator's terminal. JSON output stays valid: the escape is JSON's own.

/// `println!` for command output, control characters escaped ([`clean`]); exits with status
/// 141 when stdout is closed.
macro_rules! outln {
    () => {
        outln!("")
    };
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let line = $crate::out::clean(&text);
        if writeln!(std::io::stdout(), "{line}").is_err() {
            std::process::exit(141);
        }
    }};
}

/// `text` with every control character but line feed and tab written as `\uXXXX`.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(dangerous) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if dangerous(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// C0 controls (but `\n` and `\t`), DEL, C1 controls and the bidirectional overrides and
/// isolates that reorder what a terminal shows.
fn dangerous(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn escapes_terminal_controls_and_keeps_json_valid() {
        let remote = "550 5.1.1 \u{1b}[31mno\u{1b}]0;pwned\u{7}\r user\u{9b}2J \u{202e}gnp";
        let c = clean(remote);
        assert_eq!(
            c,
            "550 5.1.1 \\u001b[31mno\\u001b]0;pwned\\u0007\\u000d user\\u009b2J \\u202egnp"
        );
        assert!(!c.chars().any(|ch| ch.is_control()));
        let json = serde_json::to_string(&serde_json::json!({ "reply": remote })).unwrap();
        let back: serde_json::Value = serde_json::from_str(&clean(&json)).unwrap();
        assert_eq!(back["reply"], remote);
        assert_eq!(clean("a\n\tb"), "a\n\tb");
    }
}
