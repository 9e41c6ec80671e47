//! The few SMTP pieces both sides share: reading a (multi-line) reply or a command line, and the
//! test message.

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

/// Reads one reply (all its lines) and returns its code; an error names what was read.
pub async fn reply<S: AsyncRead + Unpin>(
    io: &mut BufReader<S>,
    line: &mut String,
) -> Result<u16, String> {
    loop {
        line.clear();
        let n = io.read_line(line).await.map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("connection closed".into());
        }
        let b = line.as_bytes();
        if b.len() < 4 || !b[..3].iter().all(u8::is_ascii_digit) {
            return Err(format!("bad reply line {:?}", line.trim_end()));
        }
        if b[3] != b'-' {
            return Ok(u16::from(b[0] - b'0') * 100
                + u16::from(b[1] - b'0') * 10
                + u16::from(b[2] - b'0'));
        }
    }
}

/// The part of a message after its `Message-ID` field (which the sender writes per message):
/// short headers, then about `size` body bytes in 76-character text lines (no dots at line
/// starts, so no stuffing), ending in the DATA terminator.
pub fn message(size: usize) -> Vec<u8> {
    let mut m = b"From: <sender@bench.test>\r\nTo: <rcpt@dest.bench.test>\r\n\
         Subject: bench message\r\nDate: Thu, 03 Dec 2026 12:00:00 +0000\r\n\r\n"
        .to_vec();
    let line = b"The quick brown fox jumps over the lazy dog, again and again and again...\r\n";
    let mut body = 0;
    while body < size {
        let take = (size - body).min(line.len() - 2);
        m.extend_from_slice(&line[..take]);
        m.extend_from_slice(b"\r\n");
        body += take + 2;
    }
    m.extend_from_slice(b".\r\n");
    m
}
