//! The second half of `malformed.rs`'s case table (split for length): command parameters and syntax,
//! error limits, STARTTLS misuse, and hang-ups and timeouts.

use super::*;

/// Pseudo-random bytes (xorshift), reproducible.
fn garbage(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

/// Parameters, syntax, error limits, STARTTLS misuse, hang-ups and timeouts.
pub(super) fn cases() -> Vec<(&'static str, Vec<Step>)> {
    // Binary garbage lines, each with a NUL so each is one invalid command.
    let garbage_lines: Vec<u8> = (0..12u64)
        .flat_map(|i| {
            let mut l: Vec<u8> = garbage(300, i + 1)
                .into_iter()
                .map(|b| if b == b'\r' || b == b'\n' { b'?' } else { b })
                .collect();
            l[7] = 0;
            l.extend_from_slice(b"\r\n");
            l
        })
        .collect();
    vec![
        (
            "BDAT with a bad size",
            with(envelope(), [send("BDAT lots\r\n"), Expect(501, "5.5.4")]),
        ),
        (
            "DATA after BDAT",
            with(
                envelope(),
                [
                    send("BDAT 5\r\nhello"),
                    Expect(250, ""),
                    send("DATA\r\n"),
                    Expect(503, "5.5.1"),
                ],
            ),
        ),
        ("BDAT content with a bare LF", {
            let c = format!("{HEADERS}one\n.\ntwo\r\n");
            with(
                envelope(),
                [
                    send(format!("BDAT {} LAST\r\n{c}", c.len())),
                    Expect(550, "5.5.2"),
                ],
            )
        }),
        (
            "BDAT over max_message_size",
            with(
                envelope(),
                [
                    send(format!("BDAT 100000 LAST\r\n{}", "b".repeat(100_000))),
                    Expect(552, "5.3.4"),
                ],
            ),
        ),
        (
            "SIZE= over the limit",
            vec![
                send(EHLO),
                Expect(250, ""),
                send("MAIL FROM:<alice@acme-health.org> SIZE=999999999\r\n"),
                Expect(552, "5.3.4"),
            ],
        ),
        (
            "unknown MAIL parameter",
            vec![
                send(EHLO),
                Expect(250, ""),
                send("MAIL FROM:<alice@acme-health.org> FOO=BAR\r\n"),
                Expect(555, "5.5.4"),
            ],
        ),
        (
            "unknown RCPT parameter",
            with(
                vec![
                    send(EHLO),
                    Expect(250, ""),
                    send(MAIL),
                    Expect(250, "2.1.0"),
                ],
                [
                    send("RCPT TO:<bob@example.com> FOO=BAR\r\n"),
                    Expect(555, "5.5.4"),
                ],
            ),
        ),
        (
            "MAIL syntax",
            vec![
                send(EHLO),
                Expect(250, ""),
                send("MAIL FROM alice@acme-health.org\r\n"),
                Expect(501, "5.5.4"),
            ],
        ),
        (
            "unparseable sender",
            vec![
                send(EHLO),
                Expect(250, ""),
                send("MAIL FROM:<alice>\r\n"),
                Expect(501, "5.1.7"),
            ],
        ),
        (
            "bad recipient",
            with(
                vec![
                    send(EHLO),
                    Expect(250, ""),
                    send(MAIL),
                    Expect(250, "2.1.0"),
                ],
                [send("RCPT TO:<bob@>\r\n"), Expect(501, "5.1.3")],
            ),
        ),
        (
            "EHLO without a name",
            vec![
                send("EHLO\r\n"),
                Expect(501, "5.5.4"),
                send("HELO\r\n"),
                Expect(501, "5.5.4"),
            ],
        ),
        (
            "unknown command",
            vec![send("FROB\r\n"), Expect(500, "5.5.1")],
        ),
        (
            "EXPN, VRFY, HELP",
            vec![
                send("EXPN staff\r\n"),
                Expect(502, "5.5.1"),
                send("VRFY bob\r\n"),
                Expect(252, "2.5.2"),
                send("HELP\r\n"),
                Expect(214, "2.0.0"),
            ],
        ),
        (
            "binary garbage lines end in 421 after max_errors",
            vec![
                Send(garbage_lines),
                ExpectN(10, 500, "5.5.2"),
                Expect(421, "4.7.0"),
                Closed,
            ],
        ),
        (
            "ten errors end the session",
            vec![
                send("FROB\r\n".repeat(11)),
                ExpectN(10, 500, "5.5.1"),
                Expect(421, "4.7.0"),
                Closed,
            ],
        ),
        (
            "binary garbage without a line end, then hang up",
            vec![Send(garbage(5000, 99)), Hangup],
        ),
        (
            "ENVID decoding to CR LF (RFC 3461: printable only)",
            vec![
                send(EHLO),
                Expect(250, ""),
                send("MAIL FROM:<alice@acme-health.org> ENVID=abc+0D+0ARSET\r\n"),
                Expect(501, "5.5.4"),
                send(MAIL),
                Expect(250, "2.1.0"),
            ],
        ),
        (
            "ORCPT decoding to a control character",
            vec![
                send(EHLO),
                Expect(250, ""),
                send(MAIL),
                Expect(250, "2.1.0"),
                send("RCPT TO:<bob@example.com> ORCPT=rfc822;bob+00@example.com\r\n"),
                Expect(501, "5.5.4"),
                send(RCPT),
                Expect(250, "2.1.5"),
            ],
        ),
        (
            "STARTTLS with an argument",
            vec![
                send(EHLO),
                Expect(250, ""),
                send("STARTTLS now\r\n"),
                Expect(501, "5.5.4"),
            ],
        ),
        (
            "TLS garbage after STARTTLS",
            vec![
                send(EHLO),
                Expect(250, ""),
                send("STARTTLS\r\n"),
                Expect(220, "2.0.0"),
                Send(garbage(2000, 7)),
                Closed,
            ],
        ),
        (
            "plaintext after STARTTLS",
            vec![
                send(EHLO),
                Expect(250, ""),
                send("STARTTLS\r\n"),
                Expect(220, "2.0.0"),
                send("EHLO client.test\r\nMAIL FROM:<alice@acme-health.org>\r\n"),
                Closed,
            ],
        ),
        (
            "STARTTLS inside TLS",
            vec![
                send(EHLO),
                Expect(250, ""),
                send("STARTTLS\r\n"),
                Expect(220, "2.0.0"),
                Tls,
                send(EHLO),
                Expect(250, ""),
                send("STARTTLS\r\n"),
                Expect(503, "5.5.1"),
            ],
        ),
        (
            "MAIL after STARTTLS needs a new EHLO",
            vec![
                send(EHLO),
                Expect(250, ""),
                send("STARTTLS\r\n"),
                Expect(220, "2.0.0"),
                Tls,
                send(MAIL),
                Expect(503, "5.5.1"),
            ],
        ),
        (
            "hang up in the middle of DATA",
            with(
                envelope(),
                [
                    send("DATA\r\n"),
                    Expect(354, ""),
                    send(format!("{HEADERS}half a mess")),
                    Hangup,
                ],
            ),
        ),
        (
            "slow drip (slowloris) past command_timeout",
            vec![
                Drip(
                    b"NOOP xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".to_vec(),
                    Duration::from_millis(250),
                    421,
                    "4.4.2",
                ),
                Closed,
            ],
        ),
        (
            "idle past command_timeout",
            vec![send(EHLO), Expect(250, ""), Expect(421, "4.4.2"), Closed],
        ),
    ]
}
