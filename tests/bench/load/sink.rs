//! The sink: an SMTP receiver on loopback that offers STARTTLS and PIPELINING, answers `250` to
//! every transaction as soon as the data ends and keeps nothing (no file, no fsync) — a
//! receiver that costs as little as possible, so a relay's figures are the relay's.
//!
//! Guarantees: replies are written in command order and flushed only when no further pipelined
//! command is already buffered; only complete transactions (after the final dot) are counted.

use rustls::ServerConfig;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A running sink.
pub struct Sink {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Messages received so far.
    pub count: Arc<AtomicU64>,
    /// Of them, those received inside TLS.
    pub tls_count: Arc<AtomicU64>,
}

#[derive(Clone)]
struct Counters {
    all: Arc<AtomicU64>,
    tls: Arc<AtomicU64>,
}

/// Binds `listen` and serves every connection until the process ends.
pub async fn start(listen: SocketAddr, tls: Arc<ServerConfig>) -> Result<Sink, String> {
    let l = TcpListener::bind(listen)
        .await
        .map_err(|e| format!("sink bind {listen}: {e}"))?;
    let addr = l.local_addr().map_err(|e| e.to_string())?;
    let c = Counters {
        all: Arc::new(AtomicU64::new(0)),
        tls: Arc::new(AtomicU64::new(0)),
    };
    let (count, tls_count) = (c.all.clone(), c.tls.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = l.accept().await else {
                continue;
            };
            let (c, tls) = (c.clone(), tls.clone());
            tokio::spawn(async move {
                let _ = stream.set_nodelay(true);
                // A peer's broken session only ends that session.
                let _ = serve(stream, tls, c).await;
            });
        }
    });
    Ok(Sink {
        addr,
        count,
        tls_count,
    })
}

enum Next {
    Quit,
    StartTls,
}

async fn serve(stream: TcpStream, tls: Arc<ServerConfig>, count: Counters) -> std::io::Result<()> {
    let mut io = BufReader::new(stream);
    io.get_mut()
        .write_all(b"220 sink.bench.test ESMTP\r\n")
        .await?;
    if let Next::StartTls = dialogue(&mut io, true, &count).await? {
        let stream = tokio_rustls::TlsAcceptor::from(tls)
            .accept(io.into_inner())
            .await?;
        let mut io = BufReader::new(stream);
        dialogue(&mut io, false, &count).await?;
    }
    Ok(())
}

/// Commands until QUIT, EOF or (when `plain`) STARTTLS.
async fn dialogue<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut BufReader<S>,
    plain: bool,
    count: &Counters,
) -> std::io::Result<Next> {
    let mut line = Vec::with_capacity(1024);
    let mut out: Vec<u8> = Vec::with_capacity(512);
    loop {
        line.clear();
        if io.read_until(b'\n', &mut line).await? == 0 {
            return Ok(Next::Quit);
        }
        let verb = line
            .get(..4)
            .map(<[u8]>::to_ascii_uppercase)
            .unwrap_or_default();
        match verb.as_slice() {
            b"EHLO" => {
                out.extend_from_slice(b"250-sink.bench.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n");
                if plain {
                    out.extend_from_slice(b"250-STARTTLS\r\n");
                }
                out.extend_from_slice(b"250 ENHANCEDSTATUSCODES\r\n");
            }
            b"STAR" if plain => {
                io.get_mut().write_all(b"220 2.0.0 go ahead\r\n").await?;
                return Ok(Next::StartTls);
            }
            b"DATA" => {
                io.get_mut().write_all(&out).await?;
                out.clear();
                io.get_mut().write_all(b"354 go ahead\r\n").await?;
                skip_data(io, &mut line).await?;
                if !plain {
                    count.tls.fetch_add(1, Ordering::Relaxed);
                }
                count.all.fetch_add(1, Ordering::Relaxed);
                out.extend_from_slice(b"250 2.0.0 discarded\r\n");
            }
            b"QUIT" => {
                out.extend_from_slice(b"221 2.0.0 bye\r\n");
                io.get_mut().write_all(&out).await?;
                return Ok(Next::Quit);
            }
            b"MAIL" | b"RCPT" | b"RSET" | b"NOOP" | b"HELO" => {
                out.extend_from_slice(b"250 2.0.0 ok\r\n")
            }
            _ => out.extend_from_slice(b"502 5.5.2 not here\r\n"),
        }
        if io.buffer().is_empty() {
            io.get_mut().write_all(&out).await?;
            out.clear();
        }
    }
}

async fn skip_data<S: AsyncRead + Unpin>(
    io: &mut BufReader<S>,
    line: &mut Vec<u8>,
) -> std::io::Result<()> {
    loop {
        line.clear();
        if io.read_until(b'\n', line).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "EOF in DATA",
            ));
        }
        if line.as_slice() == b".\r\n" {
            return Ok(());
        }
    }
}
