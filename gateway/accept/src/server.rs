//! The listener: binds, enforces connection limits, reads PROXY headers from trusted balancers,
//! spawns one session per connection, swaps settings on reload and drains on shutdown.

use crate::budget::Budget;
use crate::classify::Classifier;
use crate::conn::{Conn, Stream};
use crate::session::Session;
use ipnet::IpNet;
use sealgate_config::SmtpConfig;
use sealgate_connectors::Tenants;
use sealgate_core::store::QueueStore;
use sealgate_core::{Clock, MessageId, Random};
use sealgate_report::{Metrics, Pseudonymiser, RejectReason};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

/// What a session reads at its start; replaced as a whole on reload.
pub struct Settings {
    /// `[smtp]` limits and names.
    pub smtp: SmtpConfig,
    /// Tenants.
    pub tenants: Tenants,
    /// Every client-certificate name some tenant accepts.
    pub cert_names: Vec<String>,
    /// STARTTLS, when configured.
    pub tls: Option<TlsAcceptor>,
    /// The classify hook.
    pub classifier: Arc<dyn Classifier>,
}

/// The callback run after each durable commit (the deliver stage's wake-up).
pub type OnCommit = Arc<dyn Fn(MessageId) + Send + Sync>;

/// The stages after accept, shared by all sessions.
pub struct Pipeline {
    /// The spool (commit stage).
    pub store: Arc<dyn QueueStore>,
    /// Metrics.
    pub metrics: Metrics,
    /// Address pseudonyms for logs.
    pub pseudonyms: Pseudonymiser,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness (message ids).
    pub rng: Arc<dyn Random>,
    /// Called after each durable commit, so delivery can start at once.
    pub on_commit: OnCommit,
}

/// A handle to replace the settings of new sessions (SIGHUP reload).
#[derive(Clone)]
pub struct SettingsHandle(Arc<RwLock<Arc<Settings>>>);

impl SettingsHandle {
    /// Sessions started from now on use `settings`.
    pub fn replace(&self, settings: Settings) {
        if let Ok(mut guard) = self.0.write() {
            *guard = Arc::new(settings);
        }
    }

    /// The settings new sessions use now (the portal's replies classify with their rules).
    pub fn current(&self) -> Option<Arc<Settings>> {
        self.0.read().ok().map(|g| Arc::clone(&g))
    }
}

/// Tells the server to stop accepting and drain.
#[derive(Clone)]
pub struct ShutdownHandle(watch::Sender<bool>);

impl ShutdownHandle {
    /// Begin shutdown.
    pub fn shutdown(&self) {
        let _ = self.0.send(true);
    }
}

/// Counts sessions per client address: IPv4 by address, IPv6 by its `per_ip_v6_prefix`
/// network (one site usually holds a whole /64), an IPv4-mapped IPv6 address as IPv4.
#[derive(Default)]
struct PerIp(Mutex<HashMap<IpAddr, usize>>);

/// True when `ip` is one of the balancers whose PROXY header is required, compared in canonical
/// form: an IPv4 client of a dual-stack (`[::]`) listener arrives as `::ffff:a.b.c.d`.
pub(crate) fn trusted_balancer(nets: &[IpNet], ip: IpAddr) -> bool {
    let ip = ip.to_canonical();
    nets.iter().any(|n| n.contains(&ip))
}

/// The key `ip` is counted under.
pub(crate) fn per_ip_key(ip: IpAddr, v6_prefix: u8) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let mask = u128::MAX
                .checked_shl(128 - u32::from(v6_prefix.min(128)))
                .unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(bits & mask))
        }
        v4 => v4,
    }
}

struct IpSlot {
    table: Arc<PerIp>,
    ip: IpAddr,
}

impl PerIp {
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<IpSlot> {
        let mut map = self.0.lock().ok()?;
        let n = map.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(IpSlot {
            table: Arc::clone(self),
            ip,
        })
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        if let Ok(mut map) = self.table.0.lock()
            && let Some(n) = map.get_mut(&self.ip)
        {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// The SMTP server.
pub struct Server {
    listeners: Vec<TcpListener>,
    settings: SettingsHandle,
    pipeline: Arc<Pipeline>,
    shutdown: watch::Sender<bool>,
    slots: Arc<Semaphore>,
    max_slots: usize,
    per_ip: Arc<PerIp>,
    budget: Arc<Budget>,
}

/// Connections the kernel completes and queues before `accept` takes them. The library default
/// (128) drops the handshakes of a burst — a platform reconnecting hundreds of sessions at once
/// after an outage — and those clients then wait for a greeting that never comes until they time
/// out. The kernel caps it at `net.core.somaxconn` (4096 on current kernels).
const LISTEN_BACKLOG: u32 = 4096;

/// Binds `addr` (SO_REUSEADDR, as a restarted gateway needs) with [`LISTEN_BACKLOG`].
fn listen(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

impl Server {
    /// Binds every listen address. `max_connections` is fixed here for the process lifetime.
    pub async fn bind(settings: Settings, pipeline: Pipeline) -> std::io::Result<Server> {
        let mut listeners = Vec::new();
        for addr in &settings.smtp.listen {
            listeners.push(listen(*addr)?);
        }
        let max_slots = settings.smtp.max_connections;
        let budget = Budget::new(settings.smtp.limits.memory_budget);
        Ok(Server {
            listeners,
            settings: SettingsHandle(Arc::new(RwLock::new(Arc::new(settings)))),
            pipeline: Arc::new(pipeline),
            shutdown: watch::channel(false).0,
            slots: Arc::new(Semaphore::new(max_slots)),
            max_slots,
            per_ip: Arc::new(PerIp::default()),
            budget,
        })
    }

    /// The bound addresses (with real ports when 0 was configured).
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.listeners
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .collect()
    }

    /// Handle for reloads.
    pub fn settings_handle(&self) -> SettingsHandle {
        self.settings.clone()
    }

    /// Handle for shutdown.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle(self.shutdown.clone())
    }

    /// Accepts until shutdown, then waits up to `drain` for sessions to finish.
    pub async fn run(self, drain: Duration) {
        let this = Arc::new(self);
        let mut loops = Vec::new();
        for (i, _) in this.listeners.iter().enumerate() {
            let s = Arc::clone(&this);
            loops.push(tokio::spawn(async move { s.accept_loop(i).await }));
        }
        let mut rx = this.shutdown.subscribe();
        while !*rx.borrow_and_update() {
            if rx.changed().await.is_err() {
                break;
            }
        }
        for l in loops {
            l.abort();
        }
        tracing::info!("draining SMTP sessions");
        let all = u32::try_from(this.max_slots).unwrap_or(u32::MAX);
        if tokio::time::timeout(drain, this.slots.acquire_many(all))
            .await
            .is_err()
        {
            tracing::warn!("drain timeout: closing remaining sessions");
        }
    }

    async fn accept_loop(self: Arc<Self>, index: usize) {
        loop {
            let (tcp, peer) = match self.listeners[index].accept().await {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let this = Arc::clone(&self);
            tokio::spawn(async move { this.handle(tcp, peer).await });
        }
    }

    async fn handle(&self, mut tcp: TcpStream, peer: SocketAddr) {
        let Some(settings) = self.settings.current() else {
            return;
        };
        let host = settings.smtp.hostname.clone();
        let Ok(slot) = Arc::clone(&self.slots).try_acquire_owned() else {
            self.refuse(&mut tcp, &host).await;
            return;
        };
        let deadline = Instant::now() + settings.smtp.command_timeout;
        // On a dual-stack listener an IPv4 client arrives IPv4-mapped (`::ffff:a.b.c.d`):
        // every comparison below is on the canonical form.
        let peer = SocketAddr::new(peer.ip().to_canonical(), peer.port());
        let trusted = trusted_balancer(&settings.smtp.proxy_protocol_from, peer.ip());
        let (client, leftover) = if trusted {
            match crate::proxy::read_v2(&mut tcp, peer, deadline).await {
                Ok((c, rest)) => (SocketAddr::new(c.ip().to_canonical(), c.port()), rest),
                Err(e) => {
                    tracing::warn!(error = %e, "PROXY header refused");
                    return;
                }
            }
        } else {
            (peer, Vec::new())
        };
        // Tenant networks are not throttled per address (all of Exchange Online's mail may
        // come from a few addresses); the total cap still holds.
        let ip_slot = if settings.tenants.candidates(client.ip(), &[]).is_empty() {
            let key = per_ip_key(client.ip(), settings.smtp.limits.per_ip_v6_prefix);
            let Some(s) = self.per_ip.take(key, settings.smtp.max_connections_per_ip) else {
                self.refuse(&mut tcp, &host).await;
                return;
            };
            Some(s)
        } else {
            None
        };
        let m = &self.pipeline.metrics;
        m.sessions.inc();
        m.sessions_active.inc();
        let conn = Conn::new(Stream::Plain(tcp), leftover);
        let session = Session::new(
            conn,
            settings,
            Arc::clone(&self.pipeline),
            client,
            self.shutdown.subscribe(),
            Arc::clone(&self.budget),
        );
        session.run().await;
        m.sessions_active.dec();
        drop(ip_slot);
        drop(slot);
    }

    async fn refuse(&self, tcp: &mut TcpStream, host: &str) {
        self.pipeline.metrics.reject(RejectReason::Limits);
        let line = format!("421 4.7.0 {host} Too many connections, try again later\r\n");
        let _ = tokio::time::timeout(Duration::from_secs(5), tcp.write_all(line.as_bytes())).await;
    }
}

#[cfg(test)]
mod tests {
    use super::{per_ip_key, trusted_balancer};
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv6_clients_count_by_prefix_and_mapped_ipv4_as_ipv4() {
        let a = per_ip_key(ip("2001:db8:1:2:aaaa::1"), 64);
        assert_eq!(a, per_ip_key(ip("2001:db8:1:2:ffff:1:2:3"), 64));
        assert_ne!(a, per_ip_key(ip("2001:db8:1:3::1"), 64));
        assert_eq!(a, ip("2001:db8:1:2::"));
        assert_ne!(
            per_ip_key(ip("2001:db8::1"), 128),
            per_ip_key(ip("2001:db8::2"), 128)
        );
        assert_eq!(per_ip_key(ip("::ffff:192.0.2.7"), 64), ip("192.0.2.7"));
        assert_eq!(per_ip_key(ip("192.0.2.7"), 64), ip("192.0.2.7"));
    }

    #[test]
    fn an_ipv4_mapped_balancer_is_trusted_in_canonical_form() {
        let nets = vec!["10.0.0.0/8".parse().unwrap()];
        assert!(trusted_balancer(&nets, ip("::ffff:10.1.2.3")));
        assert!(trusted_balancer(&nets, ip("10.1.2.3")));
        assert!(!trusted_balancer(&nets, ip("::ffff:11.1.2.3")));
        let v6 = vec!["2001:db8::/32".parse().unwrap()];
        assert!(trusted_balancer(&v6, ip("2001:db8::5")));
    }
}
