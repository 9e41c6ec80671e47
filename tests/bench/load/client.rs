//! The load client: `sessions` concurrent SMTP sessions (optionally STARTTLS, optionally from
//! several loopback source addresses) share `msgs` messages, `per_conn` per connection, and
//! record for each message the time from the end of DATA to its `250`.
//!
//! With a `rate`, message i is not started before `start + i / rate` (open loop), so latency is
//! measured at a chosen load rather than at saturation.

use crate::smtp;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

/// What to send.
#[derive(Clone)]
pub struct Plan {
    /// Where to (the relay, or the sink for the ceiling).
    pub target: SocketAddr,
    /// Local addresses to connect from, round robin by session (empty: the kernel's choice).
    pub sources: Vec<IpAddr>,
    /// Concurrent sessions.
    pub sessions: usize,
    /// Messages in all.
    pub msgs: u64,
    /// Messages per connection.
    pub per_conn: u64,
    /// Body bytes per message.
    pub size: usize,
    /// STARTTLS (any certificate) when set.
    pub tls: Option<Arc<ClientConfig>>,
    /// Total messages per second, open loop; none = as fast as replies come.
    pub rate: Option<f64>,
}

/// What happened.
pub struct Outcome {
    /// Messages answered `250` after DATA.
    pub accepted: u64,
    /// Messages refused or lost with their connection.
    pub failed: u64,
    /// First error seen, if any.
    pub first_error: Option<String>,
    /// End of DATA → `250`, one per accepted message.
    pub latencies: Vec<Duration>,
    /// Wall time until the last session ended.
    pub wall: Duration,
}

struct Shared {
    plan: Plan,
    next: AtomicU64,
    start: Instant,
    template: Vec<u8>,
}

/// Runs the plan to the end.
pub async fn run(plan: Plan) -> Outcome {
    let sessions = plan.sessions.max(1);
    let shared = Arc::new(Shared {
        template: smtp::message(plan.size),
        next: AtomicU64::new(0),
        start: Instant::now(),
        plan,
    });
    let mut tasks = Vec::with_capacity(sessions);
    for i in 0..sessions {
        let s = shared.clone();
        tasks.push(tokio::spawn(async move { session_loop(&s, i).await }));
    }
    let mut out = Outcome {
        accepted: 0,
        failed: 0,
        first_error: None,
        latencies: Vec::new(),
        wall: Duration::ZERO,
    };
    for t in tasks {
        match t.await {
            Ok(r) => {
                out.accepted += r.latencies.len() as u64;
                out.failed += r.failed;
                out.latencies.extend(r.latencies);
                if out.first_error.is_none() {
                    out.first_error = r.error;
                }
            }
            Err(e) => out.first_error = Some(format!("session task: {e}")),
        }
    }
    out.wall = shared.start.elapsed();
    out
}

#[derive(Default)]
struct SessionResult {
    latencies: Vec<Duration>,
    failed: u64,
    error: Option<String>,
}

/// Takes message tickets until they run out; one connection per `per_conn` tickets. A broken
/// connection counts as one failure and ends the session (the others go on), so a refusing
/// target cannot spin it.
async fn session_loop(s: &Shared, index: usize) -> SessionResult {
    let mut r = SessionResult::default();
    let source = (!s.plan.sources.is_empty()).then(|| s.plan.sources[index % s.plan.sources.len()]);
    loop {
        if s.next.load(Ordering::Relaxed) >= s.plan.msgs {
            return r;
        }
        if let Err(e) = connection(s, source, &mut r).await {
            r.failed += 1;
            r.error.get_or_insert(e);
            return r;
        }
    }
}

async fn connect(target: SocketAddr, source: Option<IpAddr>) -> Result<TcpStream, String> {
    let sock = if target.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(|e| format!("socket: {e}"))?;
    if let Some(ip) = source {
        sock.bind(SocketAddr::new(ip, 0))
            .map_err(|e| format!("bind {ip}: {e}"))?;
    }
    let stream = sock
        .connect(target)
        .await
        .map_err(|e| format!("connect {target}: {e}"))?;
    stream
        .set_nodelay(true)
        .map_err(|e| format!("nodelay: {e}"))?;
    Ok(stream)
}

/// A connection whose `220` arrived. A handshake the target's full accept queue dropped looks
/// established here but is never greeted: after [`GREETING_WAIT`] it is abandoned and the
/// connection made again, up to [`GREETING_TRIES`] times (as an MTA would retry), so one dropped
/// handshake cannot stall the whole run.
async fn greeted(
    target: SocketAddr,
    source: Option<IpAddr>,
    line: &mut String,
) -> Result<BufReader<TcpStream>, String> {
    for _ in 0..GREETING_TRIES {
        let mut io = BufReader::new(connect(target, source).await?);
        match tokio::time::timeout(GREETING_WAIT, expect(&mut io, line, 220, "greeting")).await {
            Ok(greeting) => return greeting.map(|()| io),
            Err(_) => continue,
        }
    }
    Err(format!("no greeting after {GREETING_TRIES} connections"))
}

const GREETING_WAIT: Duration = Duration::from_secs(15);
const GREETING_TRIES: u32 = 4;

async fn connection(
    s: &Shared,
    source: Option<IpAddr>,
    r: &mut SessionResult,
) -> Result<(), String> {
    let mut line = String::new();
    let mut io = greeted(s.plan.target, source, &mut line).await?;
    command(
        &mut io,
        &mut line,
        b"EHLO client.bench.test\r\n",
        250,
        "EHLO",
    )
    .await?;
    let Some(tls) = &s.plan.tls else {
        return transactions(s, io, r).await;
    };
    command(&mut io, &mut line, b"STARTTLS\r\n", 220, "STARTTLS").await?;
    let name = ServerName::try_from("relay.bench.test").map_err(|e| e.to_string())?;
    let stream = tokio_rustls::TlsConnector::from(tls.clone())
        .connect(name, io.into_inner())
        .await
        .map_err(|e| format!("TLS handshake: {e}"))?;
    let mut io = BufReader::new(stream);
    command(
        &mut io,
        &mut line,
        b"EHLO client.bench.test\r\n",
        250,
        "EHLO after STARTTLS",
    )
    .await?;
    transactions(s, io, r).await
}

/// Up to `per_conn` transactions on this connection, then QUIT.
async fn transactions<S: AsyncRead + AsyncWrite + Unpin>(
    s: &Shared,
    mut io: BufReader<S>,
    r: &mut SessionResult,
) -> Result<(), String> {
    let mut line = String::new();
    for _ in 0..s.plan.per_conn.max(1) {
        let n = s.next.fetch_add(1, Ordering::Relaxed);
        if n >= s.plan.msgs {
            break;
        }
        if let Some(rate) = s.plan.rate {
            let due = s.start + Duration::from_secs_f64(n as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
        }
        // SIZE= as Exchange Online sends it: the gateway admits content into its memory
        // budget by it.
        let mail = format!(
            "MAIL FROM:<sender@bench.test> SIZE={}\r\n",
            s.template.len() + 64
        );
        command(&mut io, &mut line, mail.as_bytes(), 250, "MAIL").await?;
        command(
            &mut io,
            &mut line,
            b"RCPT TO:<rcpt@dest.bench.test>\r\n",
            250,
            "RCPT",
        )
        .await?;
        command(&mut io, &mut line, b"DATA\r\n", 354, "DATA").await?;
        let header = format!(
            "Message-ID: <{n}.{}@client.bench.test>\r\n",
            std::process::id()
        );
        let w = io.get_mut();
        w.write_all(header.as_bytes())
            .await
            .map_err(|e| format!("write: {e}"))?;
        w.write_all(&s.template)
            .await
            .map_err(|e| format!("write: {e}"))?;
        let t0 = Instant::now();
        match smtp::reply(&mut io, &mut line).await? {
            250 => r.latencies.push(t0.elapsed()),
            code => {
                r.failed += 1;
                r.error
                    .get_or_insert(format!("end of data answered {code}: {}", line.trim_end()));
            }
        }
    }
    let _ = io.get_mut().write_all(b"QUIT\r\n").await;
    let _ = smtp::reply(&mut io, &mut line).await;
    Ok(())
}

async fn expect<S: AsyncRead + Unpin>(
    io: &mut BufReader<S>,
    line: &mut String,
    want: u16,
    what: &str,
) -> Result<(), String> {
    let code = smtp::reply(io, line).await?;
    if code == want {
        Ok(())
    } else {
        Err(format!("{what} answered {:?}", line.trim_end()))
    }
}

async fn command<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut BufReader<S>,
    line: &mut String,
    cmd: &[u8],
    want: u16,
    what: &str,
) -> Result<(), String> {
    io.get_mut()
        .write_all(cmd)
        .await
        .map_err(|e| format!("write {what}: {e}"))?;
    expect(io, line, want, what).await
}
