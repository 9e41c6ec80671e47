//! The SMTP command parser: one command line (without its CRLF) in, a [`Request`] or the
//! error reply out. It is pure (no session state), so it can be fuzzed on its own.
//!
//! smtp-proto does the grammar; around it this module refuses NUL, CR and LF inside a line,
//! `REQUIRETLS` given a value or twice, and `STARTTLS` with parameters, and takes the MAIL and
//! RCPT mailbox from the raw line — quoted local parts keep their quotes
//! (`"john smith"@dest.test`), where smtp-proto would drop them and change the address.

use sealgate_core::Reply;
use smtp_proto::Request;

/// Parses one command line (without CRLF).
pub fn parse_command(line: &[u8]) -> Result<Request<String>, Reply> {
    if line.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n') {
        return Err(Reply::new(500, [5, 5, 2], "Invalid characters in command"));
    }
    if requiretls_misused(line) {
        return Err(Reply::new(
            501,
            [5, 5, 4],
            "Syntax: REQUIRETLS takes no value and is given once",
        ));
    }
    let mut framed = line.to_vec();
    framed.extend_from_slice(b"\r\n");
    let request = Request::parse(&mut framed.iter())
        .map_err(parse_error_reply)?
        .into_owned();
    Ok(match request {
        // RFC 3207 §4: STARTTLS takes no parameters (smtp-proto ignores them).
        Request::StartTls if !line.trim_ascii_end().eq_ignore_ascii_case(b"STARTTLS") => {
            return Err(Reply::new(
                501,
                [5, 5, 4],
                "Syntax: STARTTLS (no parameters)",
            ));
        }
        Request::Mail { mut from } => {
            if let Some(raw) = raw_mailbox(line, b"MAIL", b"FROM:") {
                from.address = raw;
            }
            Request::Mail { from }
        }
        Request::Rcpt { mut to } => {
            if let Some(raw) = raw_mailbox(line, b"RCPT", b"TO:") {
                to.address = raw;
            }
            Request::Rcpt { to }
        }
        other => other,
    })
}

/// The mailbox of a MAIL or RCPT path as the client wrote it: between the angle brackets,
/// quotes kept, a source route (`@relay:`) dropped; `None` when the line has no bracketed path.
fn raw_mailbox(line: &[u8], verb: &[u8], keyword: &[u8]) -> Option<String> {
    let rest = line
        .get(..verb.len())
        .filter(|v| v.eq_ignore_ascii_case(verb))
        .map(|_| line[verb.len()..].trim_ascii_start())?;
    let path = rest
        .get(..keyword.len())
        .filter(|k| k.eq_ignore_ascii_case(keyword))
        .map(|_| rest[keyword.len()..].trim_ascii_start())?;
    if path.first() != Some(&b'<') {
        return None;
    }
    let after = parameters(path);
    let inner = path.get(1..path.len() - after.len())?.strip_suffix(b">")?;
    let mailbox = match inner.strip_prefix(b"@") {
        Some(route) => &route[route.iter().position(|&b| b == b':')? + 1..],
        None => inner,
    };
    std::str::from_utf8(mailbox).ok().map(str::to_string)
}

/// Maps a parser error to a reply.
fn parse_error_reply(e: smtp_proto::Error) -> Reply {
    use smtp_proto::Error as E;
    match e {
        E::UnknownCommand => Reply::new(500, [5, 5, 1], "Command unrecognized"),
        E::InvalidSenderAddress => Reply::new(501, [5, 1, 7], "Bad sender address syntax"),
        E::InvalidRecipientAddress => Reply::new(501, [5, 1, 3], "Bad recipient address syntax"),
        E::SyntaxError { syntax } => Reply::new(501, [5, 5, 4], format!("Syntax: {syntax}")),
        E::InvalidParameter { param } => {
            Reply::new(501, [5, 5, 4], format!("Invalid {param} parameter"))
        }
        E::UnsupportedParameter { .. } => Reply::new(555, [5, 5, 4], "Unsupported parameter"),
        _ => Reply::new(500, [5, 5, 2], "Syntax error"),
    }
}

/// True when `line` (a command line without its CRLF) is a MAIL command whose parameters give
/// `REQUIRETLS` with a value or more than once (RFC 8689 §3: the keyword stands alone). smtp-proto
/// would OR a repeated keyword into one flag and call one with a value unsupported (555), so the
/// raw line is looked at before it is parsed.
fn requiretls_misused(line: &[u8]) -> bool {
    let Some(rest) = line
        .get(..5)
        .filter(|verb| verb.eq_ignore_ascii_case(b"MAIL "))
        .map(|_| line[5..].trim_ascii_start())
    else {
        return false;
    };
    let Some(rest) = rest
        .get(..5)
        .filter(|kw| kw.eq_ignore_ascii_case(b"FROM:"))
        .map(|_| rest[5..].trim_ascii_start())
    else {
        return false;
    };
    let mut seen = 0usize;
    for param in parameters(rest).split(u8::is_ascii_whitespace) {
        let (keyword, value) = match param.iter().position(|&b| b == b'=') {
            Some(eq) => (&param[..eq], true),
            None => (param, false),
        };
        if keyword.eq_ignore_ascii_case(b"REQUIRETLS") {
            seen += 1;
            if value || seen > 1 {
                return true;
            }
        }
    }
    false
}

/// What follows the reverse-path of a MAIL command (`path` starts where the path does). A `>` or
/// a space inside a quoted local part does not end the path.
fn parameters(path: &[u8]) -> &[u8] {
    if path.first() != Some(&b'<') {
        let end = path
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(path.len());
        return &path[end..];
    }
    let mut quoted = false;
    let mut escaped = false;
    for (i, &b) in path.iter().enumerate().skip(1) {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b'>' if !quoted => return &path[i + 1..],
            _ => {}
        }
    }
    &[]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox(line: &str) -> String {
        match parse_command(line.as_bytes()) {
            Ok(Request::Mail { from }) => from.address,
            Ok(Request::Rcpt { to }) => to.address,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn quoted_local_parts_keep_their_quotes() {
        assert_eq!(
            mailbox("RCPT TO:<\"john smith\"@dest.test>"),
            "\"john smith\"@dest.test"
        );
        assert_eq!(
            mailbox("MAIL FROM:<\"a>b\"@acme-health.org> SIZE=10"),
            "\"a>b\"@acme-health.org"
        );
        assert_eq!(
            mailbox("rcpt to: <@relay.test:bob@dest.test>"),
            "bob@dest.test"
        );
        assert_eq!(mailbox("MAIL FROM:<>"), "");
        assert_eq!(
            mailbox("RCPT TO:<bob@dest.test> NOTIFY=NEVER"),
            "bob@dest.test"
        );
    }

    #[test]
    fn invalid_characters_and_starttls_parameters() {
        assert_eq!(parse_command(b"NO\0OP").unwrap_err().code, 500);
        assert_eq!(parse_command(b"STARTTLS now").unwrap_err().code, 501);
        assert!(matches!(parse_command(b"STARTTLS "), Ok(Request::StartTls)));
    }

    #[test]
    fn requiretls_with_a_value_or_twice_is_misuse() {
        for ok in [
            &b"MAIL FROM:<a@acme-health.org>"[..],
            b"MAIL FROM:<a@acme-health.org> REQUIRETLS",
            b"mail from: <a@acme-health.org> body=8bitmime requiretls SMTPUTF8",
            b"MAIL FROM:<> REQUIRETLS",
            // Inside the quoted local part it is no parameter at all.
            b"MAIL FROM:<\"x> REQUIRETLS REQUIRETLS=1\"@acme-health.org> REQUIRETLS",
            b"MAIL FROM:<\"x\\\" REQUIRETLS REQUIRETLS\"@acme-health.org>",
            b"RCPT TO:<b@example.org> REQUIRETLS REQUIRETLS",
            b"MAIL FROM:<a@acme-health.org> ENVID=REQUIRETLS",
        ] {
            assert!(!requiretls_misused(ok), "{}", String::from_utf8_lossy(ok));
        }
        for bad in [
            &b"MAIL FROM:<a@acme-health.org> REQUIRETLS REQUIRETLS"[..],
            b"MAIL FROM:<a@acme-health.org> requiretls SIZE=10 RequireTLS",
            b"MAIL FROM:<a@acme-health.org> REQUIRETLS=YES",
            b"MAIL FROM:<a@acme-health.org> REQUIRETLS=",
            b"mail  from:a@acme-health.org REQUIRETLS REQUIRETLS",
            b"MAIL FROM:<\"q>\"@acme-health.org> REQUIRETLS=1",
        ] {
            assert!(requiretls_misused(bad), "{}", String::from_utf8_lossy(bad));
        }
    }
}
