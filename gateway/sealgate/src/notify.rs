//! systemd service notifications (the `sd_notify` protocol) without libsystemd, and the
//! watchdog that pings only while the running gateway is healthy.
//!
//! Under `Type=notify` systemd passes `NOTIFY_SOCKET` (a Unix datagram socket: a path, or an
//! abstract name written `@name`) and, with `WatchdogSec=`, `WATCHDOG_USEC` (and
//! `WATCHDOG_PID`). `serve` sends `READY=1` once it listens, `WATCHDOG=1` every half watchdog
//! interval while [`Health::check`] passes, and `STOPPING=1` when the drain begins. Without
//! `NOTIFY_SOCKET` nothing is sent. Sends never block: the socket is non-blocking and a full
//! buffer drops the message (systemd reads it promptly; a dropped ping is re-sent next round).

use sealgate_core::store::QueueStore;
use std::ffi::OsStr;
use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr as UnixAddr, UnixDatagram};
use std::sync::Arc;
use std::time::Duration;

/// A connection to systemd's notification socket.
pub struct Notifier {
    socket: UnixDatagram,
    addr: UnixAddr,
}

impl Notifier {
    /// The notifier named by `NOTIFY_SOCKET`; `None` when the variable is unset or empty.
    pub fn from_env() -> Option<io::Result<Notifier>> {
        let path = std::env::var_os("NOTIFY_SOCKET").filter(|p| !p.is_empty())?;
        Some(Notifier::to(&path))
    }

    /// A notifier sending to `path` (`@name` for an abstract socket).
    pub fn to(path: &OsStr) -> io::Result<Notifier> {
        let bytes = path.as_bytes();
        let addr = match bytes.strip_prefix(b"@") {
            Some(name) => UnixAddr::from_abstract_name(name)?,
            None => UnixAddr::from_pathname(path)?,
        };
        let socket = UnixDatagram::unbound()?;
        socket.set_nonblocking(true)?;
        Ok(Notifier { socket, addr })
    }

    /// Sends one notification (`KEY=VALUE` lines). A full socket buffer drops it.
    pub fn send(&self, state: &str) {
        match self.socket.send_to_addr(state.as_bytes(), &self.addr) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                tracing::warn!("service manager socket full; notification dropped");
            }
            Err(e) => tracing::warn!(error = %e, "cannot notify the service manager"),
        }
    }
}

/// The watchdog interval systemd asks for (`WATCHDOG_USEC`), if it is meant for this process.
pub fn watchdog_interval() -> Option<Duration> {
    if let Some(pid) = std::env::var_os("WATCHDOG_PID")
        && pid.to_str()?.parse::<u32>().ok()? != std::process::id()
    {
        return None;
    }
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    Some(Duration::from_micros(usec)).filter(|d| !d.is_zero())
}

/// What the watchdog asks before each ping: the spool answers on the blocking pool within the
/// deadline, and the delivery stage's scheduler still runs.
pub struct Health {
    /// The spool.
    pub store: Arc<dyn QueueStore>,
    /// Whether the deliver stage's task is alive (engine or outbox runner).
    pub delivery_alive: Arc<dyn Fn() -> bool + Send + Sync>,
    /// How long the spool may take to answer.
    pub deadline: Duration,
}

impl Health {
    /// `Ok` when healthy, otherwise what failed (a fixed phrase, for the log).
    pub async fn check(&self) -> Result<(), &'static str> {
        if !(self.delivery_alive)() {
            return Err("the delivery scheduler has stopped");
        }
        let store = Arc::clone(&self.store);
        let probe = tokio::task::spawn_blocking(move || store.depth());
        match tokio::time::timeout(self.deadline, probe).await {
            Ok(Ok(Ok(_))) => Ok(()),
            Ok(Ok(Err(_))) => Err("the spool returned an error"),
            Ok(Err(_)) => Err("the spool probe failed"),
            Err(_) => Err("the spool did not answer in time"),
        }
    }
}

/// Pings the watchdog every half `interval` while `health` passes; a failed check skips the
/// ping (and is logged), so systemd restarts a gateway that stays unhealthy.
pub fn spawn_watchdog(notifier: Arc<Notifier>, interval: Duration, health: Health) {
    let every = (interval / 2).max(Duration::from_millis(100));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match health.check().await {
                Ok(()) => notifier.send("WATCHDOG=1"),
                Err(why) => tracing::error!(why, "health check failed; watchdog not pinged"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
    use super::*;

    #[test]
    fn sends_to_a_path_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let server = UnixDatagram::bind(&path).unwrap();
        server
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Notifier::to(path.as_os_str()).unwrap().send("READY=1");
        let mut buf = [0u8; 64];
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");
    }

    #[test]
    fn sends_to_an_abstract_socket() {
        let name = format!("sealgate-test-{}", std::process::id());
        let server =
            UnixDatagram::bind_addr(&UnixAddr::from_abstract_name(name.as_bytes()).unwrap())
                .unwrap();
        server
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Notifier::to(OsStr::new(&format!("@{name}")))
            .unwrap()
            .send("WATCHDOG=1");
        let mut buf = [0u8; 64];
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"WATCHDOG=1");
    }
}
