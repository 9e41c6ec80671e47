//! Load from many concurrent SMTP sessions, and a gateway whose queue keeps what it accepts.
//!
//! [`held_mx_config`] renders an `mx`-mode configuration whose every domain is statically
//! routed to a closed loopback port with an hour-long retry schedule, so each accepted message
//! is tried once (refused at once, no DNS, no internet), deferred, and then stays in the spool
//! for the test to inspect. [`run_sessions`] sends messages over parallel sessions and records,
//! per message, whether the client saw `250` — counting the `250`s in a [`Counter`] another
//! thread can wait on (for example to `kill -9` the gateway part-way through a run).
//!
//! Guarantees: no sleeps; every wait is bounded (each SMTP reply by the client's timeout, the
//! counter by the deadline given); a session whose connection breaks records the error and
//! stops, it never retries (a retry would blur which messages got `250`).

use crate::OrDie;
use crate::gateway::{Env, GatewayConfig, Mode};
use crate::smtp::{Smtp, dot_stuff, queued_id};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// A loopback TCP port that nothing listens on (bound to 127.0.0.1:0, read back, released).
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").or_die("bind a probe port");
    l.local_addr().or_die("probe port address").port()
}

/// Writes `etc/sealgate.toml`: `base` in `mx` mode, every domain routed to a closed loopback
/// port, retries an hour apart — accepted mail is tried once, deferred and stays queued.
pub fn held_mx_config(env: &Env, base: &GatewayConfig) -> PathBuf {
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        ..base.clone()
    };
    let text = cfg.render(env);
    let anchor = "[delivery]\nmode = \"mx\"\n";
    assert!(
        text.contains(anchor),
        "rendered config has no `{anchor}`:\n{text}"
    );
    let held = format!("{anchor}retry_schedule = [\"1h\"]\n");
    // The routes table goes last: lines after the anchor still belong to `[delivery]`.
    let routes = format!(
        "\n[delivery.routes]\n\"*\" = \"127.0.0.1:{}\"\n",
        closed_port()
    );
    env.write_etc(
        "sealgate.toml",
        &(text.replacen(anchor, &held, 1) + &routes),
    )
}

/// A count of events (here: `250`s seen by clients) that threads can wait on.
#[derive(Default)]
pub struct Counter {
    n: Mutex<usize>,
    changed: Condvar,
}

impl Counter {
    /// Adds one and wakes the waiters.
    pub fn bump(&self) {
        let mut n = self.n.lock().unwrap_or_else(PoisonError::into_inner);
        *n += 1;
        self.changed.notify_all();
    }
    /// The count now.
    pub fn get(&self) -> usize {
        *self.n.lock().unwrap_or_else(PoisonError::into_inner)
    }
    /// Waits until the count reaches `target` or `done()` is true (checked on every change),
    /// at most `timeout`; returns the count then.
    pub fn wait_for(&self, target: usize, timeout: Duration, done: impl Fn() -> bool) -> usize {
        let deadline = Instant::now() + timeout;
        let mut n = self.n.lock().unwrap_or_else(PoisonError::into_inner);
        while *n < target && !done() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            // Wake at least every 100 ms to re-check `done()` (no event marks a thread's end).
            let (guard, _) = self
                .changed
                .wait_timeout(n, left.min(Duration::from_millis(100)))
                .unwrap_or_else(PoisonError::into_inner);
            n = guard;
        }
        *n
    }
}

/// One message of a run and what its client saw.
#[derive(Debug, Clone)]
pub struct Sent {
    /// Session number.
    pub session: usize,
    /// Its `Message-ID` header value (with angle brackets).
    pub message_id: String,
    /// The message as sent (before dot-stuffing).
    pub text: String,
    /// The reply to the end of data (`Err`: the transport failed first).
    pub outcome: Result<String, String>,
    /// The queue id of a `250 … queued as ID`.
    pub queue_id: Option<String>,
    /// When the client read that `250`.
    pub acked_at: Option<Instant>,
}

impl Sent {
    /// True when the client saw `250` for this message.
    pub fn accepted(&self) -> bool {
        self.queue_id.is_some()
    }
}

/// What one message of a run is: (message-id, text), made from (session, index).
pub type MakeMessage = dyn Fn(usize, usize) -> (String, String) + Send + Sync;

/// Sends `per_session` messages (MAIL `from`, one RCPT `to`) over each of `sessions` parallel
/// sessions to `addr`, bumping `acks` for every `250`. Returns every message attempted, in
/// session order. A session whose transport fails stops there.
pub fn run_sessions(
    addr: SocketAddr,
    sessions: usize,
    per_session: usize,
    from: &str,
    to: &str,
    make: Arc<MakeMessage>,
    acks: Arc<Counter>,
) -> Vec<Sent> {
    let handles: Vec<_> = (0..sessions)
        .map(|s| {
            let (make, acks) = (Arc::clone(&make), Arc::clone(&acks));
            let (from, to) = (from.to_string(), to.to_string());
            thread::spawn(move || session(addr, s, per_session, &from, &to, &*make, &acks))
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|h| h.join().or_die("a session thread panicked"))
        .collect()
}

fn session(
    addr: SocketAddr,
    s: usize,
    count: usize,
    from: &str,
    to: &str,
    make: &MakeMessage,
    acks: &Counter,
) -> Vec<Sent> {
    let mut out = Vec::with_capacity(count);
    let mut smtp = Smtp::ready(addr);
    for i in 0..count {
        let (message_id, text) = make(s, i);
        let outcome = one_message(&mut smtp, from, to, &text);
        let queue_id = match &outcome {
            Ok(r) if r.code == 250 => queued_id(r),
            _ => None,
        };
        let acked_at = queue_id.as_ref().map(|_| Instant::now());
        if queue_id.is_some() {
            acks.bump();
        }
        let broken = outcome.is_err();
        out.push(Sent {
            session: s,
            message_id,
            text,
            outcome: outcome.map(|r| r.to_string()),
            queue_id,
            acked_at,
        });
        if broken {
            break;
        }
    }
    out
}

/// One transaction; `Err` when the transport fails or a step before the data is refused.
fn one_message(
    smtp: &mut Smtp,
    from: &str,
    to: &str,
    text: &str,
) -> Result<crate::smtp::Reply, String> {
    let step = |smtp: &mut Smtp, line: String, want: u16| -> Result<(), String> {
        smtp.send(format!("{line}\r\n").as_bytes())
            .map_err(|e| format!("send {line:?}: {e}"))?;
        let r = smtp
            .reply()
            .map_err(|e| format!("reply to {line:?}: {e}"))?;
        if r.code == want {
            Ok(())
        } else {
            Err(format!("{line:?} refused: {r}"))
        }
    };
    step(smtp, format!("MAIL FROM:<{from}>"), 250)?;
    step(smtp, format!("RCPT TO:<{to}>"), 250)?;
    step(smtp, "DATA".into(), 354)?;
    smtp.send(&dot_stuff(text.as_bytes()))
        .map_err(|e| format!("send data: {e}"))?;
    smtp.reply().map_err(|e| format!("end-of-data reply: {e}"))
}
