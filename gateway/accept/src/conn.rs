//! One client connection: plain TCP or TLS, an input buffer, and strict CRLF line framing
//! with length limits and deadlines.
//!
//! Lines end only at CRLF. A bare CR, bare LF or NUL inside a command line makes it invalid
//! (never a line end), which closes the door on SMTP smuggling at the command level too.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_rustls::server::TlsStream;

/// The transport under a session.
pub enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS after STARTTLS.
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Why reading stopped.
#[derive(Debug)]
pub enum ReadError {
    /// The deadline passed.
    Timeout,
    /// The peer closed the connection.
    Closed,
    /// Transport error.
    Io,
}

/// A framed line.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line without its CRLF.
    Ok(Vec<u8>),
    /// Longer than the limit (its bytes were discarded up to the CRLF).
    TooLong,
}

/// A connection with its input buffer and pending output.
pub struct Conn {
    /// The transport; `None` only transiently during the TLS handshake.
    pub stream: Option<Stream>,
    buf: Vec<u8>,
    start: usize,
    out: Vec<u8>,
}

impl Conn {
    /// Wraps a transport, with bytes already read (e.g. after a PROXY header).
    pub fn new(stream: Stream, leftover: Vec<u8>) -> Self {
        Conn {
            stream: Some(stream),
            buf: leftover,
            start: 0,
            out: Vec::with_capacity(512),
        }
    }

    fn pending(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// True when a complete line is already buffered (a pipelined command).
    pub fn has_buffered_line(&self) -> bool {
        find_crlf(self.pending()).is_some()
    }

    /// Discards everything buffered (RFC 3207: bytes received before the TLS handshake).
    pub fn discard_buffered(&mut self) {
        self.buf.clear();
        self.start = 0;
    }

    async fn fill(&mut self, deadline: Instant) -> Result<(), ReadError> {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 64 * 1024 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let stream = self.stream.as_mut().ok_or(ReadError::Closed)?;
        let old = self.buf.len();
        self.buf.resize(old + 16 * 1024, 0);
        let read = timeout_at(deadline, stream.read(&mut self.buf[old..])).await;
        let n = match read {
            Err(_) => {
                self.buf.truncate(old);
                return Err(ReadError::Timeout);
            }
            Ok(Err(e)) => {
                self.buf.truncate(old);
                let _ = e;
                return Err(ReadError::Io);
            }
            Ok(Ok(n)) => n,
        };
        self.buf.truncate(old + n);
        if n == 0 {
            return Err(ReadError::Closed);
        }
        Ok(())
    }

    /// Reads one CRLF-terminated line of at most `limit` octets (without CRLF) by `deadline`.
    pub async fn read_line(&mut self, limit: usize, deadline: Instant) -> Result<Line, ReadError> {
        let mut too_long = false;
        loop {
            if let Some(i) = find_crlf(self.pending()) {
                let line = self.pending()[..i].to_vec();
                self.start += i + 2;
                return Ok(if too_long || line.len() > limit {
                    Line::TooLong
                } else {
                    Line::Ok(line)
                });
            }
            if self.pending().len() > limit + 1 {
                // Keep the last byte: it may be the CR of a CRLF split across reads.
                too_long = true;
                self.start = self.buf.len() - 1;
            }
            self.fill(deadline).await?;
        }
    }

    /// Reads DATA content up to the terminating `CRLF.CRLF`, undoing dot-stuffing. Only a line
    /// that is exactly `.` ends it; `LF.LF`, `CR.CR` and `CRLF.LF` are content, and are flagged
    /// as bare line breaks. Content beyond `max` octets is read and dropped.
    pub async fn read_data(
        &mut self,
        max: usize,
        deadline: Instant,
    ) -> Result<DataOutcome, ReadError> {
        let mut out = DataOutcome::default();
        loop {
            while let Some(i) = find_crlf(self.pending()) {
                let (from, to) = (self.start, self.start + i);
                self.start = to + 2;
                let line = &self.buf[from..to];
                if line == b"." {
                    return Ok(out);
                }
                let content = line.strip_prefix(b".").unwrap_or(line);
                if content.iter().any(|&b| b == b'\r' || b == b'\n') {
                    out.bare_line_break = true;
                }
                if content.len() > MAX_TEXT_LINE {
                    out.long_line = true;
                }
                if out.too_big || out.body.len() + content.len() + 2 > max {
                    out.too_big = true;
                } else {
                    out.body.extend_from_slice(content);
                    out.body.extend_from_slice(b"\r\n");
                }
            }
            if self.pending().len() > MAX_UNTERMINATED {
                // No CRLF in a megabyte: certainly an overlong line. Keep the last byte, which
                // may be the CR of a CRLF split across reads.
                out.long_line = true;
                self.start = self.buf.len() - 1;
            }
            self.fill(deadline).await?;
        }
    }

    /// Reads exactly `n` octets (a BDAT chunk) by `deadline`, passing them to `sink` in pieces.
    pub async fn read_exact_into(
        &mut self,
        mut n: usize,
        deadline: Instant,
        mut sink: impl FnMut(&[u8]),
    ) -> Result<(), ReadError> {
        while n > 0 {
            if self.pending().is_empty() {
                self.fill(deadline).await?;
            }
            let take = n.min(self.pending().len());
            sink(&self.pending()[..take]);
            self.start += take;
            n -= take;
        }
        Ok(())
    }

    /// Queues a reply line (CRLF added).
    pub fn queue(&mut self, line: &str) {
        self.out.extend_from_slice(line.as_bytes());
        self.out.extend_from_slice(b"\r\n");
    }

    /// Writes queued output.
    pub async fn flush(&mut self) -> io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let stream = self
            .stream
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "no stream"))?;
        stream.write_all(&self.out).await?;
        stream.flush().await?;
        self.out.clear();
        Ok(())
    }
}

/// RFC 5322 §2.1.1: a line is at most 998 characters plus CRLF.
pub const MAX_TEXT_LINE: usize = 998;
const MAX_UNTERMINATED: usize = 1 << 20;

/// What DATA delivered.
#[derive(Debug, Default)]
pub struct DataOutcome {
    /// The content with CRLF line ends, dot-stuffing undone (empty past the limit).
    pub body: Vec<u8>,
    /// More than the size limit arrived.
    pub too_big: bool,
    /// A bare CR or LF appeared in the content.
    pub bare_line_break: bool,
    /// A line exceeded 998 octets.
    pub long_line: bool,
}

/// Position of the first CRLF.
pub fn find_crlf(data: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = data[from..].iter().position(|&b| b == b'\r') {
        let i = from + p;
        if data.get(i + 1) == Some(&b'\n') {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::find_crlf;

    #[test]
    fn crlf_only() {
        assert_eq!(find_crlf(b"abc\r\n"), Some(3));
        assert_eq!(find_crlf(b"a\rb\nc\r\n"), Some(5));
        assert_eq!(find_crlf(b"a\n"), None);
        assert_eq!(find_crlf(b"a\r"), None);
    }
}
