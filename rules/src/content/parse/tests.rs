use super::*;

/// The fast path's result equals the full parse's; returns whether the fast path applied.
fn same(raw: &[u8]) -> bool {
    let parser = MessageParser::default();
    assert_eq!(
        parse(&parser, raw),
        parser.parse(raw),
        "{}",
        String::from_utf8_lossy(raw)
    );
    plain_single(&parser, raw).is_some()
}

const HEAD: &str = "From: a@example.com\r\nTo: b@example.com\r\nSubject: s\r\n";

fn msg(headers: &str, body: &[u8]) -> Vec<u8> {
    let mut v = format!("{HEAD}{headers}\r\n").into_bytes();
    v.extend_from_slice(body);
    v
}

#[test]
fn plain_utf8_and_unlabelled_bodies_take_the_fast_path() {
    let body = "Patient: Jane Doe, DOB 01/02/1960 — café\r\nline two\r\n".as_bytes();
    assert!(same(&msg(
        "Content-Type: text/plain; charset=utf-8\r\n",
        body
    )));
    assert!(same(&msg(
        "Content-Type: text/plain; charset=\"UTF-8\"\r\n",
        body
    )));
    assert!(same(&msg("Content-Type: text/plain\r\n", body)));
    assert!(same(&msg("", body)));
    assert!(same(&msg(
        "Content-Type: text/html; charset=utf-8\r\n",
        b"<p>Hi &amp; bye</p>"
    )));
    assert!(same(&msg("Content-Transfer-Encoding: 8bit\r\n", body)));
    assert!(same(&msg(
        "Content-Transfer-Encoding: 7bit\r\n",
        b"ascii only\r\n"
    )));
    // Bare LF line ends, an empty body, a body without a final line end.
    assert!(same(b"Subject: s\nContent-Type: text/plain\n\nbody\nmore"));
    assert!(same(&msg("", b"")));
    assert!(same(&msg("", b"no line end")));
}

#[test]
fn invalid_utf8_is_replaced_exactly_as_the_parser_does() {
    for body in [
        &b"caf\xe9 \xff\xfe end\r\n"[..],
        b"\xe2\x82",
        b"ok \xf0\x9f\x98 cut \xc3\xa9 \xed\xa0\x80 surrogate",
    ] {
        assert!(same(&msg(
            "Content-Type: text/plain; charset=utf-8\r\n",
            body
        )));
        assert!(same(&msg("", body)));
    }
}

#[test]
fn encoded_or_decoded_bodies_go_to_the_full_parse() {
    let latin1 = b"caf\xe9 na\xefve\r\n";
    assert!(!same(&msg(
        "Content-Type: text/plain; charset=iso-8859-1\r\n",
        latin1
    )));
    assert!(!same(&msg(
        "Content-Type: text/plain; charset=us-ascii\r\n",
        latin1
    )));
    assert!(!same(&msg(
        "Content-Type: text/plain; charset=windows-1252\r\n",
        latin1
    )));
    let qp = b"caf=C3=A9 soft=\r\nbreak =3D\r\n";
    assert!(!same(&msg(
        "Content-Transfer-Encoding: quoted-printable\r\n",
        qp
    )));
    assert!(!same(&msg(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: Quoted-Printable\r\n",
        qp
    )));
    let b64 = b"Y2Fmw6kgbmHDr3ZlCg==\r\n";
    assert!(!same(&msg("Content-Transfer-Encoding: base64\r\n", b64)));
    assert!(!same(&msg(
        "Content-Type: text/plain; charset=latin1\r\nContent-Transfer-Encoding: BASE64\r\n",
        b64
    )));
    // An attachment, a nested message, multipart.
    assert!(!same(&msg(
        "Content-Type: application/pdf\r\n",
        b"%PDF-1.4"
    )));
    assert!(!same(&msg(
        "Content-Type: message/rfc822\r\n",
        b"Subject: in\r\n\r\ninner\r\n"
    )));
    let mp = b"--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\nContent-Type: text/html\r\n\r\n<b>two</b>\r\n--b--\r\n";
    assert!(!same(&msg(
        "Content-Type: multipart/alternative; boundary=b\r\n",
        mp
    )));
    assert!(!same(&msg(
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n",
        mp
    )));
    // A multipart type without a boundary is taken as text by the parser (either path agrees).
    same(&msg("Content-Type: multipart/mixed\r\n", mp));
}

#[test]
fn odd_header_sections_agree() {
    for raw in [
        &b""[..],
        b"\r\n\r\nbody",
        b"\n\nbody",
        b"Subject: only headers\r\n",
        b"Subject: only headers\r\n\r\n",
        b"Subject: s\r\n   \r\nX-After: blank-ish\r\n\r\nbody",
        b"Subject: folded\r\n continued\r\n\r\nbody",
        b"Subject: s\r\nContent-Type: text/plain; charset=latin1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ncaf\xe9",
        b"Subject: s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Type: text/plain; charset=latin1\r\n\r\ncaf\xe9",
        b"From: \"quoted\r\n\r\nname\" <a@example.com>\r\n\r\nbody",
        b"Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\nbody \xc3\xa9",
        b"not a header line at all\r\n\r\nbody",
        b"Subject: s\r\n\r\n\r\n\r\nbody after blank lines",
    ] {
        same(raw);
    }
}

/// Every `.eml` under `SEALGATE_PARSE_CORPUS` (a generated corpus) and `corpus/dev_extra`.
#[test]
fn corpus_messages_agree() {
    let mut dirs =
        vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/dev_extra")];
    if let Ok(d) = std::env::var("SEALGATE_PARSE_CORPUS") {
        dirs.extend(d.split(':').map(std::path::PathBuf::from));
    }
    let (mut n, mut fast) = (0, 0);
    for dir in dirs {
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        paths.sort();
        for p in paths {
            n += 1;
            fast += usize::from(same(&std::fs::read(&p).unwrap()));
        }
    }
    assert!(n > 100);
    eprintln!("{n} messages, {fast} on the fast path");
}
