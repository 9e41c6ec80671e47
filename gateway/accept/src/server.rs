//! The listener: binds, enforces connection limits, reads PROXY headers from trusted balancers,
//! spawns one session per connection, swaps settings on reload and drains on shutdown.

use crate::classify::Classifier;
use crate::conn::{Conn, Stream};
use crate::session::Session;
use sealgate_config::SmtpConfig;
use sealgate_connectors::Tenants;
use sealgate_core::store::QueueStore;
use sealgate_core::{Clock, MessageId, Random};
use sealgate_report::{Metrics, Pseudonymiser, RejectReason};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
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

    fn current(&self) -> Option<Arc<Settings>> {
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

/// Counts sessions per client address.
#[derive(Default)]
struct PerIp(Mutex<HashMap<IpAddr, usize>>);

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
}

impl Server {
    /// Binds every listen address. `max_connections` is fixed here for the process lifetime.
    pub async fn bind(settings: Settings, pipeline: Pipeline) -> std::io::Result<Server> {
        let mut listeners = Vec::new();
        for addr in &settings.smtp.listen {
            listeners.push(TcpListener::bind(addr).await?);
        }
        let max_slots = settings.smtp.max_connections;
        Ok(Server {
            listeners,
            settings: SettingsHandle(Arc::new(RwLock::new(Arc::new(settings)))),
            pipeline: Arc::new(pipeline),
            shutdown: watch::channel(false).0,
            slots: Arc::new(Semaphore::new(max_slots)),
            max_slots,
            per_ip: Arc::new(PerIp::default()),
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
        let trusted = settings
            .smtp
            .proxy_protocol_from
            .iter()
            .any(|n| n.contains(&peer.ip()));
        let (client, leftover) = if trusted {
            match crate::proxy::read_v2(&mut tcp, peer, deadline).await {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "PROXY header refused");
                    return;
                }
            }
        } else {
            (peer, Vec::new())
        };
        let Some(ip_slot) = self
            .per_ip
            .take(client.ip(), settings.smtp.max_connections_per_ip)
        else {
            self.refuse(&mut tcp, &host).await;
            return;
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
