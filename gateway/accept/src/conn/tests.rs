//! Unit tests of the connection framing and buffer.

use super::*;

#[test]
fn command_lines_are_framed_at_once_for_bare_lf_and_overlong_input() {
    assert_eq!(
        frame_line(b"NOOP\r\nX", 10),
        Some((Line::Ok(b"NOOP".to_vec()), 6))
    );
    assert_eq!(frame_line(b"EHLO x\n", 10), Some((Line::BareLf, 7)));
    assert_eq!(frame_line(b"EHLO x", 10), None);
    assert_eq!(frame_line(&[b'x'; 12], 10), Some((Line::TooLong, 12)));
    assert_eq!(
        frame_line(b"0123456789\r\n", 10),
        Some((Line::Ok(b"0123456789".to_vec()), 12))
    );
    assert_eq!(
        frame_line(b"0123456789A\r\n", 10),
        Some((Line::TooLong, 13))
    );
}

#[test]
fn data_reader_stops_storing_when_the_budget_says_no() {
    let mut granted = 0;
    let mut r = DataReader::new(1000, |len| {
        granted = len;
        len <= 8
    });
    let used = r.feed(b"abc\r\ndefgh\r\n.\r\nNEXT");
    assert!(r.finished());
    assert_eq!(used, 15);
    let out = r.into_outcome();
    assert!(out.over_budget && out.body.is_empty() && !out.too_big);
    assert_eq!(granted, 12);
}

#[test]
fn chunked_content_rules() {
    let mut ok = DataOutcome {
        body: b"a\r\nb\r\n".to_vec(),
        ..Default::default()
    };
    ok.check_chunked();
    assert!(!ok.bare_line_break && !ok.long_line);
    for bad in [&b"a\nb\r\n"[..], b"a\rb\r\n", b"a\r\n.\nb\r\n"] {
        let mut o = DataOutcome {
            body: bad.to_vec(),
            ..Default::default()
        };
        o.check_chunked();
        assert!(o.bare_line_break, "{bad:?}");
    }
    let mut long = DataOutcome {
        body: vec![b'x'; 1200],
        ..Default::default()
    };
    long.check_chunked();
    assert!(long.long_line);
}

#[test]
fn crlf_only() {
    assert_eq!(find_crlf(b"abc\r\n"), Some(3));
    assert_eq!(find_crlf(b"a\rb\nc\r\n"), Some(5));
    assert_eq!(find_crlf(b"a\n"), None);
    assert_eq!(find_crlf(b"a\r"), None);
}

/// A connected pair over loopback: the server side wrapped in a [`Conn`], the client side raw.
async fn pair() -> (Conn, TcpStream) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (Conn::new(Stream::Plain(server), Vec::new()), client)
}

#[tokio::test]
async fn releasing_the_idle_buffer_keeps_pipelined_input_and_frees_the_rest() {
    let (mut conn, mut client) = pair().await;
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    client
        .write_all(b"DATA\r\nline\r\n.\r\nQUIT\r\n")
        .await
        .unwrap();
    assert_eq!(
        conn.read_line(512, deadline).await.unwrap(),
        Line::Ok(b"DATA".to_vec())
    );
    let out = conn.read_data(1000, deadline, |_| true).await.unwrap();
    assert_eq!(out.body, b"line\r\n");
    assert!(conn.buf.capacity() >= READ_CHUNK, "a read reserved a chunk");
    conn.release_idle_buffer();
    assert_eq!(conn.buf, b"QUIT\r\n", "the pipelined command is kept");
    assert!(conn.buf.capacity() < READ_CHUNK, "the rest is given back");
    assert_eq!(
        conn.read_line(512, deadline).await.unwrap(),
        Line::Ok(b"QUIT".to_vec())
    );
    conn.release_idle_buffer();
    assert_eq!(conn.buf.capacity(), 0, "nothing pending: nothing kept");
    client.write_all(b"NOOP\r\n").await.unwrap();
    assert_eq!(
        conn.read_line(512, deadline).await.unwrap(),
        Line::Ok(b"NOOP".to_vec()),
        "the next read reserves the buffer again"
    );
}
