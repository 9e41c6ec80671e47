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
    /// Longer than the limit (the bytes seen so far were discarded); the session ends.
    TooLong,
    /// Ended by a bare LF (discarded through the LF): never a command.
    BareLf,
}

/// How much a read asks for at most.
const READ_CHUNK: usize = 16 * 1024;
/// The input buffer capacity kept once everything buffered was consumed.
const IDLE_KEEP: usize = 2 * READ_CHUNK;

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

    /// Gives the input buffer's memory back, keeping only bytes not yet consumed (a pipelined
    /// command). For a session about to wait long — for its message's classify and commit —
    /// so that a thousand waiting sessions do not each hold a read buffer of 16–32 KiB; the
    /// next read reserves it again.
    pub fn release_idle_buffer(&mut self) {
        self.buf.drain(..self.start);
        self.start = 0;
        self.buf.shrink_to_fit();
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
            if self.buf.capacity() > IDLE_KEEP {
                // Everything was consumed (e.g. a message's DATA): a session waiting for its
                // next command keeps a small buffer, not its largest read burst.
                self.buf.shrink_to(READ_CHUNK);
            }
        } else if self.start > 64 * 1024 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let stream = self.stream.as_mut().ok_or(ReadError::Closed)?;
        // Read into the spare capacity (`read_buf`: no zero-filling of 16 KiB per read); the
        // buffer grows by READ_CHUNK only when less than a quarter of it is left.
        if self.buf.capacity() - self.buf.len() < READ_CHUNK / 4 {
            self.buf.reserve(READ_CHUNK);
        }
        let n = match timeout_at(deadline, stream.read_buf(&mut self.buf)).await {
            Err(_) => return Err(ReadError::Timeout),
            Ok(Err(_)) => return Err(ReadError::Io),
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            return Err(ReadError::Closed);
        }
        Ok(())
    }

    /// Reads one command line of at most `limit` octets (without CRLF) by `deadline`. A line
    /// ended by a bare LF, or longer than the limit, is answered as soon as it is seen (see
    /// [`frame_line`]); the session never waits for a CRLF that may never come.
    pub async fn read_line(&mut self, limit: usize, deadline: Instant) -> Result<Line, ReadError> {
        loop {
            if let Some((line, used)) = frame_line(self.pending(), limit) {
                self.start += used;
                return Ok(line);
            }
            self.fill(deadline).await?;
        }
    }

    /// Reads DATA content up to the terminating `CRLF.CRLF` (see [`DataReader`]). `grow` is
    /// asked before the stored content reaches each new length (the memory budget).
    pub async fn read_data(
        &mut self,
        max: usize,
        deadline: Instant,
        grow: impl FnMut(usize) -> bool,
    ) -> Result<DataOutcome, ReadError> {
        let mut reader = DataReader::new(max, grow);
        loop {
            let used = reader.feed(self.pending());
            self.start += used;
            if reader.finished() {
                return Ok(reader.into_outcome());
            }
            self.fill(deadline).await?;
        }
    }

    /// After a reply that ends the session: stops writing, then reads and drops what the client
    /// still sends (bounded by `deadline` and 1 MiB), so the close does not reset the connection
    /// before the client has read the reply.
    pub async fn linger_close(&mut self, deadline: Instant) {
        let Some(stream) = self.stream.as_mut() else {
            return;
        };
        let _ = timeout_at(deadline, stream.shutdown()).await;
        let mut sink = [0u8; 8192];
        let mut left = 1usize << 20;
        while left > 0 {
            match timeout_at(deadline, stream.read(&mut sink)).await {
                Ok(Ok(n)) if n > 0 => left = left.saturating_sub(n),
                _ => return,
            }
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

/// Frames the next command line at the start of `pending`: the line and the octets it used, or
/// `None` when more input is needed. A line ends at its first LF; without the CR before it, it
/// is [`Line::BareLf`]. More than `limit` octets without a line end (or a longer line) is
/// [`Line::TooLong`] at once, all of `pending` used.
pub fn frame_line(pending: &[u8], limit: usize) -> Option<(Line, usize)> {
    let window = &pending[..pending.len().min(limit + 2)];
    match window.iter().position(|&b| b == b'\n') {
        Some(lf) if lf > 0 && pending[lf - 1] == b'\r' => {
            let line = &pending[..lf - 1];
            let framed = if line.len() > limit {
                Line::TooLong
            } else {
                Line::Ok(line.to_vec())
            };
            Some((framed, lf + 1))
        }
        Some(lf) => Some((Line::BareLf, lf + 1)),
        None if pending.len() > limit + 1 => Some((Line::TooLong, pending.len())),
        None => None,
    }
}

/// What DATA delivered.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DataOutcome {
    /// The content with CRLF line ends, dot-stuffing undone (empty past the limit).
    pub body: Vec<u8>,
    /// More than the size limit arrived.
    pub too_big: bool,
    /// The memory budget could not hold the content (answered `452`, the content dropped).
    pub over_budget: bool,
    /// A bare CR or LF appeared in the content.
    pub bare_line_break: bool,
    /// A line exceeded 998 octets.
    pub long_line: bool,
}

impl DataOutcome {
    /// Appends `piece` unless the size limit or the budget (`grow`, asked with the new length)
    /// says no; from then on content is only counted as dropped.
    fn store(&mut self, piece: &[&[u8]], max: usize, grow: &mut impl FnMut(usize) -> bool) {
        let len: usize = piece.iter().map(|p| p.len()).sum();
        let new_len = self.body.len() + len;
        if self.too_big || self.over_budget {
            return;
        }
        if new_len > max {
            self.too_big = true;
        } else if !grow(new_len) {
            self.over_budget = true;
        } else {
            for p in piece {
                self.body.extend_from_slice(p);
            }
            return;
        }
        self.body = Vec::new();
    }

    /// BDAT content arrives unframed: applies the same bare-line-break and line-length rules
    /// as DATA, and ends the content with CRLF.
    pub fn check_chunked(&mut self) {
        let outcome = self;
        let body = &outcome.body;
        let mut line_len = 0usize;
        for (i, &b) in body.iter().enumerate() {
            match b {
                b'\r' if body.get(i + 1) == Some(&b'\n') => {}
                b'\n' if i > 0 && body[i - 1] == b'\r' => line_len = 0,
                b'\r' | b'\n' => outcome.bare_line_break = true,
                _ => {
                    line_len += 1;
                    if line_len > MAX_TEXT_LINE {
                        outcome.long_line = true;
                    }
                }
            }
        }
        if !body.is_empty() && !body.ends_with(b"\r\n") {
            outcome.body.extend_from_slice(b"\r\n");
        }
    }

    /// Adds a BDAT chunk piece (unframed content) under the same limits as DATA.
    pub fn add_chunk(&mut self, piece: &[u8], max: usize, grow: &mut impl FnMut(usize) -> bool) {
        self.store(&[piece], max, grow);
    }
}

/// The DATA content reader, independent of the transport: fed whatever has arrived, it takes
/// complete lines up to the terminating `CRLF.CRLF`, undoing dot-stuffing. Only a line that is
/// exactly `.` ends it; `LF.LF`, `CR.CR` and `CRLF.LF` are content, flagged as bare line
/// breaks. Content beyond `max` octets (or beyond what the budget grants) is read and dropped.
pub struct DataReader<G> {
    out: DataOutcome,
    max: usize,
    grow: G,
    done: bool,
}

impl<G: FnMut(usize) -> bool> DataReader<G> {
    /// A reader storing at most `max` octets, asking `grow` before each new stored length.
    pub fn new(max: usize, grow: G) -> Self {
        DataReader {
            out: DataOutcome::default(),
            max,
            grow,
            done: false,
        }
    }

    /// Takes the complete lines at the start of `input` and returns how many octets it used;
    /// nothing after the end line is used. A megabyte without CRLF is an overlong line: all
    /// but its last octet (maybe the CR of a CRLF split across reads) is used and dropped.
    pub fn feed(&mut self, input: &[u8]) -> usize {
        let mut used = 0;
        while !self.done {
            let Some(i) = find_crlf(&input[used..]) else {
                break;
            };
            let line = &input[used..used + i];
            used += i + 2;
            if line == b"." {
                self.done = true;
                return used;
            }
            let content = line.strip_prefix(b".").unwrap_or(line);
            if content.iter().any(|&b| b == b'\r' || b == b'\n') {
                self.out.bare_line_break = true;
            }
            if content.len() > MAX_TEXT_LINE {
                self.out.long_line = true;
            }
            self.out
                .store(&[content, &b"\r\n"[..]], self.max, &mut self.grow);
        }
        if input.len() - used > MAX_UNTERMINATED {
            self.out.long_line = true;
            used = input.len() - 1;
        }
        used
    }

    /// True once the end line has been read.
    pub fn finished(&self) -> bool {
        self.done
    }

    /// What was read.
    pub fn into_outcome(self) -> DataOutcome {
        self.out
    }
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
mod tests;
