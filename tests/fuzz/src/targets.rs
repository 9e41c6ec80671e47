//! The fuzz targets: each a public entry point, its seed corpus, its tokens and the properties
//! checked beyond "does not panic".

use crate::Target;
use crate::rng::Rng;
use sealgate_accept::command::parse_command;
use sealgate_accept::conn::{DataOutcome, DataReader, Line, MAX_TEXT_LINE, frame_line};
use sealgate_accept::proxy;
use sealgate_core::Address;
use smtp_proto::Request;
use std::net::SocketAddr;

mod content;
use content::{
    DOC_TOKENS, HEADER_TOKENS, MIME_TOKENS, RULE_TOKENS, check_extract, check_header_from,
    check_mime, check_rules, document_seeds, mime_seeds, rule_seeds,
};

/// Every target.
pub fn all() -> Vec<Target> {
    vec![
        Target {
            name: "smtp-command",
            seeds: command_seeds,
            tokens: COMMAND_TOKENS,
            max_len: 4096,
            check: check_command,
        },
        Target {
            name: "data-reader",
            seeds: data_seeds,
            tokens: DATA_TOKENS,
            max_len: 64 * 1024,
            check: check_data_reader,
        },
        Target {
            name: "bdat-reader",
            seeds: data_seeds,
            tokens: DATA_TOKENS,
            max_len: 64 * 1024,
            check: check_bdat,
        },
        Target {
            name: "proxy-header",
            seeds: proxy_seeds,
            tokens: &[
                b"\r\n\r\n\0\r\nQUIT\n",
                b"\x21\x11",
                b"\x21\x21",
                b"\x20\x00",
            ],
            max_len: 1024,
            check: check_proxy,
        },
        Target {
            name: "header-from",
            seeds: mime_seeds,
            tokens: HEADER_TOKENS,
            max_len: 16 * 1024,
            check: check_header_from,
        },
        Target {
            name: "mime-walker",
            seeds: mime_seeds,
            tokens: MIME_TOKENS,
            max_len: 256 * 1024,
            check: check_mime,
        },
        Target {
            name: "extractors",
            seeds: document_seeds,
            tokens: DOC_TOKENS,
            max_len: 256 * 1024,
            check: check_extract,
        },
        Target {
            name: "rule-compiler",
            seeds: rule_seeds,
            tokens: RULE_TOKENS,
            max_len: 32 * 1024,
            check: check_rules,
        },
        crate::reply_form::target(),
    ]
}

const COMMAND_TOKENS: &[&[u8]] = &[
    b"MAIL FROM:",
    b"RCPT TO:",
    b"<\"john smith\"@dest.test>",
    b"<@relay:",
    b" SIZE=",
    b" REQUIRETLS",
    b" BODY=8BITMIME",
    b" SMTPUTF8",
    b" NOTIFY=SUCCESS,FAILURE",
    b" ORCPT=rfc822;",
    b" ENVID=",
    b"BDAT 10 LAST",
    b"EHLO ",
    b"STARTTLS",
    b"\\\"",
    b"postmaster",
];

fn command_seeds() -> Vec<Vec<u8>> {
    [
        "EHLO client.test",
        "HELO x",
        "MAIL FROM:<alice@acme-health.org> SIZE=1000 BODY=8BITMIME",
        "MAIL FROM:<> REQUIRETLS",
        "MAIL FROM:<\"a b\"@acme-health.org> ENVID=abc RET=HDRS",
        "RCPT TO:<\"john smith\"@dest.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;x@y.test",
        "RCPT TO:<@relay.test:bob@dest.test>",
        "RCPT TO:<bob@b\u{fc}cher.example>",
        "BDAT 1000 LAST",
        "BDAT 0",
        "DATA",
        "RSET",
        "NOOP hello",
        "VRFY bob",
        "STARTTLS",
        "QUIT",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// The parser never panics; what it accepts never held a NUL, CR or LF; an address it hands
/// on parses into an [`Address`] that prints and re-parses to itself.
fn check_command(line: &[u8]) {
    let Ok(request) = parse_command(line) else {
        return;
    };
    assert!(
        !line.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n'),
        "accepted a control character"
    );
    let address = match &request {
        Request::Mail { from } => &from.address,
        Request::Rcpt { to } => &to.address,
        _ => return,
    };
    if let Ok(a) = Address::parse(address) {
        let again = Address::parse(&a.to_string());
        assert_eq!(again.as_ref(), Ok(&a), "address does not round-trip");
    }
}

const DATA_TOKENS: &[&[u8]] = &[
    b"\r\n.\r\n",
    b"\r\n..",
    b"\n.\n",
    b"\r.\r",
    b"\r\n.\n",
    b".\r\n",
    b"\r\n",
    b"From: a@acme-health.org\r\n",
];

fn data_seeds() -> Vec<Vec<u8>> {
    vec![
        b"From: a@acme-health.org\r\nSubject: x\r\n\r\nhello\r\n.\r\n".to_vec(),
        b"From: a@b.org\r\n\r\n..dot\r\n.x\r\n\r\n.\r\n".to_vec(),
        b"one\n.\ntwo\r\n.\r\n".to_vec(),
        b"a\r.\rb\r\n.\r\n".to_vec(),
        [vec![b'x'; 1200], b"\r\n.\r\n".to_vec()].concat(),
        Vec::new(),
    ]
}

/// Feeds `input` to a [`DataReader`] the way the connection does, in pieces cut by `rng`;
/// the outcome and the octets used.
fn read_in_pieces(input: &[u8], rng: &mut Rng, max: usize) -> (DataOutcome, usize, bool) {
    let mut reader = DataReader::new(max, |_| true);
    let (mut arrived, mut start) = (0usize, 0usize);
    while arrived < input.len() && !reader.finished() {
        arrived = (arrived + 1 + rng.below(input.len() - arrived)).min(input.len());
        start += reader.feed(&input[start..arrived]);
    }
    let done = reader.finished();
    (reader.into_outcome(), start, done)
}

/// Split-invariance (pieces or all at once give the same content, flags and end) and the
/// round trip: lines dot-stuffed and ended with `.` read back exactly.
fn check_data_reader(input: &[u8]) {
    let mut rng = Rng::new(input.len() as u64 ^ u64::from(input.first().copied().unwrap_or(7)));
    let max = 16 * 1024;
    let whole = read_in_pieces(input, &mut Rng::new(0), usize::MAX).0;
    let once = {
        let mut r = DataReader::new(max, |_| true);
        let used = r.feed(input);
        (r.finished(), used, r.into_outcome())
    };
    let pieces = read_in_pieces(input, &mut rng, max);
    assert_eq!(
        (pieces.2, pieces.1),
        (once.0, once.1),
        "end differs by split"
    );
    assert_eq!(pieces.0, once.2, "outcome differs by split");
    assert!(once.2.body.len() <= max, "stored beyond the limit");
    assert_eq!(once.2.too_big, whole.body.len() > max, "size limit");
    // Round trip through dot-stuffing.
    let lines: Vec<Vec<u8>> = input
        .split(|&b| b == b'\n')
        .map(|l| l.iter().copied().filter(|&b| b != b'\r').collect())
        .collect();
    let mut wire = Vec::new();
    let mut expected = Vec::new();
    for l in &lines {
        if l.first() == Some(&b'.') {
            wire.push(b'.');
        }
        wire.extend_from_slice(l);
        wire.extend_from_slice(b"\r\n");
        expected.extend_from_slice(l);
        expected.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b".\r\n");
    let (out, used, done) = read_in_pieces(&wire, &mut rng, usize::MAX);
    assert!(
        done && used == wire.len(),
        "dot-stuffed content did not end"
    );
    assert_eq!(out.body, expected, "dot-stuffing round trip");
    assert!(!out.bare_line_break, "clean lines flagged");
    assert_eq!(
        out.long_line,
        lines.iter().any(|l| l.len() > MAX_TEXT_LINE),
        "long-line flag"
    );
}

/// BDAT: chunks cut anywhere give the same result; the bare-line-break flag is exactly "a CR
/// not before LF or an LF not after CR"; command framing of the same bytes never panics and
/// never returns a line holding an LF.
fn check_bdat(input: &[u8]) {
    let mut rng = Rng::new(input.len() as u64);
    let mut outcome = DataOutcome::default();
    let mut at = 0;
    while at < input.len() {
        let end = (at + 1 + rng.below(input.len() - at)).min(input.len());
        outcome.add_chunk(&input[at..end], usize::MAX, &mut |_| true);
        at = end;
    }
    outcome.check_chunked();
    let bare = input.iter().enumerate().any(|(i, &b)| {
        (b == b'\r' && input.get(i + 1) != Some(&b'\n'))
            || (b == b'\n' && (i == 0 || input[i - 1] != b'\r'))
    });
    assert_eq!(outcome.bare_line_break, bare, "bare line break flag");
    let mut rest = input;
    while let Some((line, used)) = frame_line(rest, 2048) {
        assert!(used > 0 && used <= rest.len(), "framing used {used}");
        if let Line::Ok(l) = &line {
            assert!(!l.contains(&b'\n') && l.len() <= 2048, "framed line");
        }
        rest = &rest[used..];
    }
}

fn proxy_header(family: u8, addr: &[u8], port: u16, extra: &[u8]) -> Vec<u8> {
    let mut h = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    let len = (addr.len() * 2 + 4 + extra.len()) as u16;
    h.extend_from_slice(&[0x21, family]);
    h.extend_from_slice(&len.to_be_bytes());
    h.extend_from_slice(addr);
    h.extend_from_slice(addr);
    h.extend_from_slice(&port.to_be_bytes());
    h.extend_from_slice(&25u16.to_be_bytes());
    h.extend_from_slice(extra);
    h
}

fn proxy_seeds() -> Vec<Vec<u8>> {
    vec![
        proxy_header(0x11, &[40, 92, 1, 2], 12345, &[]),
        proxy_header(
            0x21,
            &[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            1,
            &[],
        ),
        proxy_header(0x11, &[10, 0, 0, 1], 80, &[0x04, 0, 1, 0]),
        b"\r\n\r\n\0\r\nQUIT\n\x20\x00\x00\x00".to_vec(),
        b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n".to_vec(),
    ]
}

/// Random bytes never panic the parser; a well-formed header built from the input's bytes
/// (any address, port and trailing TLVs) always yields that address.
fn check_proxy(input: &[u8]) {
    let peer: SocketAddr = "10.0.0.9:1000"
        .parse()
        .unwrap_or(SocketAddr::from(([0; 4], 0)));
    let _ = proxy::parse(input, peer);
    let mut b = input.iter().copied().chain(std::iter::repeat(0));
    let v4 = [b.next(), b.next(), b.next(), b.next()].map(|x| x.unwrap_or(0));
    let port = u16::from_be_bytes([b.next().unwrap_or(0), b.next().unwrap_or(0)]);
    let extra: Vec<u8> = input.iter().copied().take(64).collect();
    let h = proxy_header(0x11, &v4, port, &extra);
    let got = proxy::parse(&h, peer).ok();
    assert_eq!(got, Some(SocketAddr::from((v4, port))), "built header");
}
