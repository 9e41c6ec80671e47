//! A raw SMTP client for probing the listener byte by byte.
//!
//! It sends exactly the bytes it is given (no normalisation, so malformed input stays
//! malformed), reads replies under a deadline per reply, and can switch to TLS with rustls
//! after STARTTLS, trusting only the certificate the test names.
//!
//! Guarantees: every read is bounded by [`Smtp::timeout`]; nothing read ahead is silently
//! dropped — [`Smtp::starttls`] fails if the server sent bytes beyond its `220` before the
//! handshake.

use crate::OrDie;
use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One SMTP reply (all its lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit code.
    pub code: u16,
    /// The text of each line, after `NNN-` / `NNN `.
    pub lines: Vec<String>,
}

impl Reply {
    /// The enhanced status code at the start of the first line (`5.7.1`), if any.
    pub fn enhanced(&self) -> Option<&str> {
        let first = self.lines.first()?.split_whitespace().next()?;
        let parts: Vec<&str> = first.split('.').collect();
        let ok = parts.len() == 3 && parts.iter().all(|p| p.parse::<u16>().is_ok());
        ok.then_some(first)
    }
    /// True when code and enhanced code are these (`enhanced` empty: no enhanced code expected).
    pub fn is(&self, code: u16, enhanced: &str) -> bool {
        self.code == code && (enhanced.is_empty() || self.enhanced() == Some(enhanced))
    }
    /// Fails unless the reply is `code enhanced`.
    #[track_caller]
    pub fn expect(&self, code: u16, enhanced: &str, context: &str) {
        assert!(
            self.is(code, enhanced),
            "{context}: expected {code} {enhanced}, got {self}"
        );
    }
    /// The whole reply text (all lines).
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = self.lines.len().saturating_sub(1);
        for (i, l) in self.lines.iter().enumerate() {
            let sep = if i == last { ' ' } else { '-' };
            write!(f, "{}{sep}{l}", self.code)?;
            if i != last {
                f.write_str(" | ")?;
            }
        }
        Ok(())
    }
}

enum Conn {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Conn {
    fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => s.get_ref(),
        }
    }
}

/// A client connection.
pub struct Smtp {
    conn: Option<Conn>,
    buf: Vec<u8>,
    /// Deadline for each reply (and each write).
    pub timeout: Duration,
}

/// A rustls client configuration trusting only the PEM certificate(s) in `cert`.
pub fn tls_trusting(cert: &Path) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(cert).or_die("read cert PEM") {
        roots.add(c.or_die("parse cert PEM")).or_die("add root");
    }
    Arc::new(
        ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

impl Smtp {
    /// Connects (no greeting read yet).
    pub fn connect(addr: SocketAddr) -> Smtp {
        let s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
            .or_die(&format!("connect to {addr}"));
        let _ = s.set_nodelay(true);
        Smtp {
            conn: Some(Conn::Plain(s)),
            buf: Vec::new(),
            timeout: Duration::from_secs(30),
        }
    }

    /// Connects and checks the `220` greeting.
    pub fn open(addr: SocketAddr) -> Smtp {
        let mut s = Smtp::connect(addr);
        let g = s.reply().or_die("read greeting");
        assert_eq!(g.code, 220, "greeting: {g}");
        s
    }

    /// Connects, checks the greeting and says `EHLO client.test`.
    pub fn ready(addr: SocketAddr) -> Smtp {
        let mut s = Smtp::open(addr);
        s.cmd("EHLO client.test").expect(250, "", "EHLO");
        s
    }

    fn conn(&mut self) -> &mut Conn {
        self.conn.as_mut().or_die("connection in use")
    }

    /// Writes raw bytes.
    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let t = self.timeout;
        let c = self.conn();
        c.tcp().set_write_timeout(Some(t))?;
        match c {
            Conn::Plain(s) => s.write_all(bytes)?,
            Conn::Tls(s) => {
                s.write_all(bytes)?;
                s.flush()?
            }
        }
        Ok(())
    }

    /// Reads more bytes until `deadline`; `Ok(0)` at end of stream.
    fn fill(&mut self, deadline: Instant) -> io::Result<usize> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        let mut chunk = [0u8; 16384];
        let c = self.conn();
        c.tcp().set_read_timeout(Some(left))?;
        let n = match c {
            Conn::Plain(s) => s.read(&mut chunk),
            Conn::Tls(s) => s.read(&mut chunk),
        };
        let n = match n {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return Err(io::ErrorKind::TimedOut.into());
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => 0,
            other => other?,
        };
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// Reads one CRLF-terminated line (without CRLF) before `deadline`.
    fn line(&mut self, deadline: Instant) -> io::Result<String> {
        loop {
            if let Some(p) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&self.buf[..p]).to_string();
                self.buf.drain(..p + 2);
                return Ok(line);
            }
            if self.fill(deadline)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "connection closed (unterminated: {:?})",
                        String::from_utf8_lossy(&self.buf)
                    ),
                ));
            }
        }
    }

    /// Reads one complete (possibly multi-line) reply.
    pub fn reply(&mut self) -> io::Result<Reply> {
        let deadline = Instant::now() + self.timeout;
        let mut lines = Vec::new();
        loop {
            let line = self.line(deadline)?;
            let code: u16 = line
                .get(..3)
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, line.clone()))?;
            let sep = line.as_bytes().get(3).copied();
            lines.push(line.get(4..).unwrap_or("").to_string());
            if sep != Some(b'-') {
                return Ok(Reply { code, lines });
            }
        }
    }

    /// Sends `line` + CRLF and reads the reply (fails the test on a transport error).
    #[track_caller]
    pub fn cmd(&mut self, line: &str) -> Reply {
        self.send(format!("{line}\r\n").as_bytes())
            .or_die(&format!("send {line:?}"));
        self.reply().or_die(&format!("reply to {line:?}"))
    }

    /// Reads `n` replies (after pipelined commands).
    pub fn replies(&mut self, n: usize) -> io::Result<Vec<Reply>> {
        (0..n).map(|_| self.reply()).collect()
    }

    /// Waits (under the timeout) for the server to close; returns what it sent before.
    pub fn closed(&mut self) -> io::Result<String> {
        let deadline = Instant::now() + self.timeout;
        loop {
            match self.fill(deadline) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => break,
                Err(e) => return Err(e),
            }
        }
        Ok(String::from_utf8_lossy(&std::mem::take(&mut self.buf)).to_string())
    }

    /// Bytes read but not yet consumed as a reply.
    pub fn unread(&self) -> &[u8] {
        &self.buf
    }

    /// Performs the TLS handshake (after the server's `220` to STARTTLS) as `server_name`.
    pub fn starttls(&mut self, config: Arc<ClientConfig>, server_name: &str) -> io::Result<()> {
        assert!(
            self.buf.is_empty(),
            "server sent bytes after its STARTTLS reply, before the handshake: {:?}",
            String::from_utf8_lossy(&self.buf)
        );
        let Some(Conn::Plain(tcp)) = self.conn.take() else {
            panic!("STARTTLS on a connection that is not plain");
        };
        tcp.set_read_timeout(Some(self.timeout))?;
        tcp.set_write_timeout(Some(self.timeout))?;
        let name = ServerName::try_from(server_name.to_string())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let conn = ClientConnection::new(config, name).map_err(io::Error::other)?;
        let mut tls = StreamOwned::new(conn, tcp);
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock)?;
        }
        self.conn = Some(Conn::Tls(Box::new(tls)));
        Ok(())
    }

    /// The negotiated TLS version, if in TLS.
    pub fn tls_version(&self) -> Option<String> {
        match self.conn.as_ref()? {
            Conn::Tls(s) => s.conn.protocol_version().map(|v| format!("{v:?}")),
            Conn::Plain(_) => None,
        }
    }

    /// MAIL, RCPT…, DATA and the dot-stuffed `message`; returns the final reply. Fails the
    /// test if any step before the end of data is refused.
    #[track_caller]
    pub fn send_mail(&mut self, from: &str, rcpts: &[&str], message: &str) -> Reply {
        self.cmd(&format!("MAIL FROM:<{from}>"))
            .expect(250, "2.1.0", "MAIL");
        for r in rcpts {
            self.cmd(&format!("RCPT TO:<{r}>"))
                .expect(250, "2.1.5", "RCPT");
        }
        self.cmd("DATA").expect(354, "", "DATA");
        self.send(&dot_stuff(message.as_bytes()))
            .or_die("send data");
        self.reply().or_die("end-of-data reply")
    }
}

/// Dot-stuffs a message (CRLF line ends expected) and appends the end-of-data `.` line.
pub fn dot_stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 16);
    let mut at_line_start = true;
    for &b in message {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// The queue id in `250 2.0.0 Ok: queued as ID`.
pub fn queued_id(r: &Reply) -> Option<String> {
    let text = r.lines.first()?;
    let id = text
        .rsplit("queued as ")
        .next()?
        .split_whitespace()
        .next()?;
    (r.code == 250 && text.contains("queued as ")).then(|| id.to_string())
}
