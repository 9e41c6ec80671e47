//! A scripted receiving MTA (`tests/support/smtp-receiver.py`, aiosmtpd) and the small things
//! delivery tests need around it: a test certificate, a free loopback port, a pause.
//!
//! The receiver reports every accepted message (and every refused RCPT) as a JSON line on its
//! stdout; [`Receiver`] reads those lines on a thread into a channel, so a test waits on the
//! receiver's own events with a deadline instead of polling its directory. Recipients' answers
//! are scripted by local part (`defer1-`, `defer-`, `reject-`; see the script's header).
//!
//! Guarantees: loopback only; every wait has a deadline; the receiver is killed when its
//! handle is dropped, and exits by itself when the test process goes away (its stdin closes).

use crate::OrDie;
use crate::tools::{require_tool, run, signal};
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The receiver script.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("support/smtp-receiver.py")
}

/// Waits `d` without `std::thread::sleep` (banned): a receive that nothing ever sends to.
/// Only for the pause between two polls of something that has no event to wait on.
pub fn pause(d: Duration) {
    let (_tx, rx) = mpsc::channel::<()>();
    let _ = rx.recv_timeout(d);
}

/// A TCP port free on `ip` right now, for a listener the test starts later (or never).
///
/// Chosen *below* the kernel's ephemeral range (`net.ipv4.ip_local_port_range`, read at run
/// time): a port handed out by `bind(…:0)` could be taken by any outgoing connection or other
/// `bind(…:0)` before the caller binds it again — CI once saw exactly that. Below the range only
/// another explicit bind can collide, so each port is handed out once per test process and the
/// start point is spread by the process id and the clock.
pub fn free_port(ip: IpAddr) -> u16 {
    use std::sync::Mutex;
    static NEXT: Mutex<Option<u16>> = Mutex::new(None);
    let (low, high) = below_ephemeral();
    let span = u32::from(high - low);
    // The lock only guards a counter; a poisoned lock still holds a usable value.
    let mut next = NEXT.lock().unwrap_or_else(|p| p.into_inner());
    let mut candidate = next.unwrap_or_else(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let seed = std::process::id().wrapping_mul(7919) ^ nanos;
        low + (seed % span) as u16
    });
    for _ in 0..span {
        let port = candidate;
        candidate = if candidate + 1 >= high {
            low
        } else {
            candidate + 1
        };
        if TcpListener::bind(SocketAddr::new(ip, port)).is_ok() {
            *next = Some(candidate);
            return port;
        }
    }
    panic!("no free port on {ip} between {low} and {high}");
}

/// The port range tests pick fixed ports from: from 20000 up to the start of the ephemeral
/// range, or above its end when it starts lower (32768–60999 when it cannot be read).
fn below_ephemeral() -> (u16, u16) {
    let range: Vec<u16> = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .map(|s| {
            s.split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let (start, end) = match range[..] {
        [start, end] => (start, end),
        _ => (32768, 60999),
    };
    if start > 21000 {
        (20000, start)
    } else if end < 64000 {
        (end + 1, 65535)
    } else {
        // The whole port space is ephemeral: no safe range; take the common one.
        (20000, 32768)
    }
}

/// A self-signed certificate and key for `name` (PEM files `NAME.crt`, `NAME.key` in `dir`),
/// made with openssl.
pub fn test_cert(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    require_tool("openssl");
    let crt = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    let out = run(
        Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&crt)
            .args(["-subj", &format!("/CN={name}")])
            .args(["-addext", &format!("subjectAltName=DNS:{name}")]),
        Duration::from_secs(60),
    );
    assert!(
        out.status.success(),
        "openssl req: {}",
        crate::tools::describe(&out)
    );
    (crt, key)
}

/// One event from the receiver.
#[derive(Debug, Clone)]
pub enum Event {
    /// A message was accepted and saved.
    Message(Received),
    /// A RCPT was refused with this code.
    Refused {
        /// The recipient.
        address: String,
        /// The reply code.
        code: u16,
    },
    /// A connection opened; this many are open now.
    Connections(usize),
}

/// An accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    /// Where its bytes are.
    pub file: PathBuf,
    /// Envelope sender (`<>` for the null sender).
    pub mail_from: String,
    /// Envelope recipients accepted.
    pub rcpt_tos: Vec<String>,
    /// The Message-ID header (with brackets), `""` when absent.
    pub message_id: String,
    /// Whether the session was under STARTTLS.
    pub tls: bool,
}

impl Received {
    /// The message's bytes as received.
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.file).or_die("read received message")
    }
}

/// A running receiver.
pub struct Receiver {
    child: Option<Child>,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Where it saves messages.
    pub dir: PathBuf,
    rx: mpsc::Receiver<String>,
    /// Every event so far, in order.
    pub events: Vec<Event>,
}

impl Receiver {
    /// Starts the receiver on `ip:port` (`port` 0: any free port), saving into `dir`, with
    /// STARTTLS offered when `tls` names a certificate and key.
    pub fn start(ip: IpAddr, port: u16, dir: &Path, tls: Option<&(PathBuf, PathBuf)>) -> Receiver {
        Receiver::start_with(ip, port, dir, tls, &[])
    }

    /// Like [`Receiver::start`], with more options for the script (`--drop-after-data`).
    pub fn start_with(
        ip: IpAddr,
        port: u16,
        dir: &Path,
        tls: Option<&(PathBuf, PathBuf)>,
        options: &[&str],
    ) -> Receiver {
        require_tool("python3");
        let mut cmd = Command::new("python3");
        cmd.arg(script())
            .args(["--host", &ip.to_string(), "--port", &port.to_string()])
            .arg("--save")
            .arg(dir);
        if let Some((crt, key)) = tls {
            cmd.arg("--tls-cert").arg(crt).arg("--tls-key").arg(key);
        }
        cmd.args(options);
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .or_die("start smtp-receiver.py (is aiosmtpd installed?)");
        let stdout = child.stdout.take().or_die("receiver stdout");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(l) => l,
            Err(e) => {
                signal(child.id(), "KILL");
                panic!("smtp-receiver.py did not start on {ip}:{port}: {e:?}");
            }
        };
        let port: u16 = first
            .strip_prefix("listening ")
            .and_then(|rest| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse().ok())
            .or_die(&format!(
                "receiver's first line is not `listening`: {first:?}"
            ));
        Receiver {
            child: Some(child),
            addr: SocketAddr::new(ip, port),
            dir: dir.to_path_buf(),
            rx,
            events: Vec::new(),
        }
    }

    fn parse(line: &str) -> Option<Event> {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        match v["event"].as_str()? {
            "message" => Some(Event::Message(Received {
                file: PathBuf::from(v["file"].as_str()?),
                mail_from: v["mail_from"].as_str().unwrap_or("").to_string(),
                rcpt_tos: v["rcpt_tos"]
                    .as_array()?
                    .iter()
                    .filter_map(|r| r.as_str().map(String::from))
                    .collect(),
                message_id: v["message_id"].as_str().unwrap_or("").to_string(),
                tls: v["tls"].as_bool().unwrap_or(false),
            })),
            "connections" => Some(Event::Connections(v["open"].as_u64()? as usize)),
            "rcpt" => Some(Event::Refused {
                address: v["address"].as_str()?.to_string(),
                code: v["code"].as_u64()? as u16,
            }),
            _ => None,
        }
    }

    /// Waits up to `timeout` for the next event (`None` when none came in time).
    pub fn next_event(&mut self, timeout: Duration) -> Option<Event> {
        let line = self.rx.recv_timeout(timeout).ok()?;
        let ev = Receiver::parse(&line).or_die(&format!("receiver printed {line:?}"));
        self.events.push(ev.clone());
        Some(ev)
    }

    /// Takes the events already printed, without waiting.
    pub fn drain(&mut self) {
        while let Ok(line) = self.rx.try_recv() {
            let ev = Receiver::parse(&line).or_die(&format!("receiver printed {line:?}"));
            self.events.push(ev);
        }
    }

    /// The messages received so far.
    pub fn messages(&mut self) -> Vec<Received> {
        self.drain();
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Message(m) => Some(m.clone()),
                Event::Refused { .. } | Event::Connections(_) => None,
            })
            .collect()
    }

    /// Waits until at least `n` messages were received in all, at most `timeout`; fails the
    /// test (saying `what`) otherwise.
    pub fn wait_messages(&mut self, n: usize, timeout: Duration, what: &str) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let have = self.messages();
            if have.len() >= n {
                return have;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{what}: {} of {n} messages arrived within {timeout:?}",
                have.len()
            );
            self.next_event(left);
        }
    }

    /// The most connections that were open at once so far.
    pub fn max_connections(&mut self) -> usize {
        self.drain();
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Connections(n) => Some(*n),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// How many connections were made so far.
    pub fn connections_made(&mut self) -> usize {
        self.drain();
        self.events
            .iter()
            .filter(|e| matches!(e, Event::Connections(_)))
            .count()
    }

    /// Waits until a RCPT for `address` was refused with `code`, at most `timeout`.
    pub fn wait_refused(&mut self, address: &str, code: u16, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            self.drain();
            let seen = self.events.iter().any(|e| {
                matches!(e, Event::Refused { address: a, code: c } if a == address && *c == code)
            });
            if seen {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {code} for RCPT {address} within {timeout:?}"
            );
            self.next_event(left);
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Parses a received DSN with Python's `email` package (`tests/support/parse-dsn.py`): its
/// content type, report type, parts, delivery-status fields and returned content, as JSON.
pub fn parse_dsn(file: &Path) -> serde_json::Value {
    require_tool("python3");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/parse-dsn.py");
    let out = run(
        Command::new("python3").arg(script).arg(file),
        Duration::from_secs(60),
    );
    assert!(
        out.status.success(),
        "parse-dsn.py {}: {}",
        file.display(),
        crate::tools::describe(&out)
    );
    serde_json::from_slice(&out.stdout).or_die("parse-dsn.py output")
}
