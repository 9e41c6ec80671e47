//! The MX delivery engine: the scheduler over the spool and the dispatch of due messages.
//!
//! Guarantees: one message is processed by at most one task at a time (an in-flight set); at
//! most `max_deliveries` messages are in delivery at once; a message is looked at as soon as it
//! is committed (the accept stage's `on_commit`), when an admin action wakes it, and otherwise
//! when the due index says so (checked every `scan_interval`). Store calls run on the blocking
//! pool.

use crate::attempt;
use crate::client::Timeouts;
use crate::discover::Discoverer;
use crate::dns::Dns;
use crate::error::DeliverError;
use crate::notice::{Identity, Originator, Templates};
use crate::pool::Pool;
use crate::return_route::ReturnRoutes;
use crate::route::Router;
use sealgate_config::DeliveryConfig;
use sealgate_core::store::{KeyStore, QueueStore};
use sealgate_core::{Clock, DestinationGuard, MessageId, Method, Random};
use sealgate_report::{Metrics, Pseudonymiser};
use sealgate_sign::Signer;
use sealgate_tlspolicy::TlsPolicy;
use sealgate_transform::Transformer;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};

/// Per-tenant presentation: EHLO name and source address.
#[derive(Debug, Clone, Default)]
pub struct TenantOut {
    /// EHLO name.
    pub helo: Option<String>,
    /// Source address.
    pub source: Option<IpAddr>,
}

/// The engine's settings, taken from `[delivery]`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Waits after each failed attempt; the last repeats.
    pub retry_schedule: Vec<Duration>,
    /// Give up after this long.
    pub max_queue_lifetime: Duration,
    /// Delay DSN after this long, if set.
    pub delay_warning: Option<Duration>,
    /// Held recipients bounce after this long.
    pub hold_expiry: Duration,
    /// Messages in delivery at once.
    pub max_deliveries: usize,
    /// Due-index scan period.
    pub scan_interval: Duration,
    /// Client timeouts.
    pub timeouts: Timeouts,
    /// `[tls] fallback_chain`: walked by a `deliver` recipient whose forced floor failed.
    pub fallback_chain: Vec<Method>,
}

/// What a configuration reload replaces ([`Engine::set_tenants`]): each tenant's EHLO name and
/// source address (`[delivery.tenants]`) and its return route (`[tenants.NAME.return_route]`).
/// A group takes one snapshot and uses it throughout.
#[derive(Debug, Default)]
pub struct TenantRoutes {
    /// Per-tenant EHLO name and source address.
    pub tenants: HashMap<String, TenantOut>,
    /// Each tenant's return route for the mail the gateway originates for it.
    pub return_routes: Arc<ReturnRoutes>,
}

impl TenantRoutes {
    /// From `[delivery.tenants]` and the loaded return routes.
    pub fn new(c: &DeliveryConfig, return_routes: Arc<ReturnRoutes>) -> TenantRoutes {
        let tenants = c
            .tenants
            .iter()
            .map(|t| {
                let out = TenantOut {
                    helo: t.helo.clone(),
                    source: t.source_address,
                };
                (t.name.clone(), out)
            })
            .collect();
        TenantRoutes {
            tenants,
            return_routes,
        }
    }
}

impl Settings {
    /// From the configuration.
    pub fn from_config(c: &DeliveryConfig) -> Settings {
        Settings {
            retry_schedule: c.retry_schedule.clone(),
            max_queue_lifetime: c.max_queue_lifetime,
            delay_warning: c.delay_warning,
            hold_expiry: c.hold_expiry,
            max_deliveries: c.max_deliveries.max(1),
            scan_interval: c.scan_interval,
            timeouts: Timeouts::rfc5321(c.connect_timeout),
            fallback_chain: sealgate_config::DEFAULT_FALLBACK_CHAIN.to_vec(),
        }
    }

    /// The wait after `attempts` failed attempts.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let i = (attempts.max(1) as usize - 1).min(self.retry_schedule.len().saturating_sub(1));
        self.retry_schedule
            .get(i)
            .copied()
            .unwrap_or(Duration::from_secs(300))
    }
}

/// What the engine is built from.
pub struct Parts {
    /// The spool.
    pub store: Arc<dyn QueueStore>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub rng: Arc<dyn Random>,
    /// DNS.
    pub dns: Arc<dyn Dns>,
    /// Metrics.
    pub metrics: Metrics,
    /// Address pseudonyms for logs.
    pub pseudonyms: Pseudonymiser,
    /// The gateway's identity.
    pub identity: Identity,
    /// Notice and DSN templates.
    pub templates: Templates,
    /// The transform stage (method chain, PGP/MIME, S/MIME).
    pub transformer: Arc<Transformer>,
    /// The recipient key store the transformer reads: WKD files discovered keys there.
    pub keys: Arc<dyn KeyStore>,
    /// The `portal` method's escrow step (`None`: no portal configured).
    pub escrow: Option<Arc<dyn crate::escrow::Escrow>>,
    /// The sign stage (DKIM), the last change to every copy.
    pub signer: Arc<Signer>,
    /// The outbound TLS policy (floors, MTA-STS, DANE, pins, TLS-RPT counts).
    pub tls_policy: Arc<TlsPolicy>,
    /// `[tls] fallback_chain`.
    pub fallback_chain: Vec<Method>,
    /// The tenants' return routes (`[tenants.NAME.return_route]`).
    pub return_routes: Arc<ReturnRoutes>,
}

/// Shared state of the engine's tasks.
pub(crate) struct Inner {
    pub store: Arc<dyn QueueStore>,
    pub clock: Arc<dyn Clock>,
    pub router: Router,
    pub policy: Arc<TlsPolicy>,
    pub pool: Pool,
    pub settings: Settings,
    /// Replaced whole on reload; read through [`Inner::tenant_routes`].
    tenant_routes: RwLock<Arc<TenantRoutes>>,
    pub metrics: Metrics,
    pub pseudonyms: Pseudonymiser,
    pub origin: Originator,
    pub templates: Templates,
    pub transformer: Arc<Transformer>,
    /// The `portal` method's escrow step, when a portal is configured.
    pub escrow: Option<Arc<dyn crate::escrow::Escrow>>,
    /// WKD discovery (`None` when `delivery.wkd = false`).
    pub discovery: Option<Arc<Discoverer>>,
    pub signer: Arc<Signer>,
    in_flight: Mutex<HashSet<MessageId>>,
    slots: Arc<Semaphore>,
    pub tx: mpsc::UnboundedSender<MessageId>,
}

impl Inner {
    fn claim(&self, id: MessageId) -> bool {
        // Short, non-panicking sections only: a poisoned set is still consistent.
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id)
    }

    fn release(&self, id: MessageId) {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
    }

    /// The tenants' presentation and return routes now (a snapshot: a reload meanwhile
    /// applies to the next group).
    pub fn tenant_routes(&self) -> Arc<TenantRoutes> {
        // Only ever replaced whole: a poisoned lock still holds a complete value.
        Arc::clone(
            &self
                .tenant_routes
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Asks for `id` to be looked at now.
    pub fn wake(&self, id: MessageId) {
        let _ = self.tx.send(id);
    }

    /// Runs a blocking store call on the blocking pool.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn QueueStore) -> Result<T, DeliverError> + Send + 'static,
    ) -> Result<T, DeliverError> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || f(&*store))
            .await
            .map_err(|_| DeliverError::Config("blocking task failed".into()))?
    }
}

/// The MX delivery engine. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl Engine {
    /// Builds the engine and starts its scheduler (needs a Tokio runtime).
    pub fn start(config: &DeliveryConfig, parts: Parts) -> Result<Engine, DeliverError> {
        let mut settings = Settings::from_config(config);
        settings.fallback_chain = parts.fallback_chain;
        let tenant_routes = TenantRoutes::new(config, parts.return_routes);
        let mx_port = config.testing.mx_port.unwrap_or(25);
        let guard = DestinationGuard::new(
            config.allow_non_global_destinations,
            Some(Arc::new(parts.metrics.clone())),
        );
        let discovery =
            Discoverer::from_config(config, parts.keys, Arc::clone(&parts.dns), guard.clone())?
                .map(Arc::new);
        let router = Router::new(&config.routes, parts.dns, mx_port, Arc::clone(&parts.rng))
            .with_host_ports(&config.testing.mx_host_ports)
            .with_guard(guard);
        let (tx, rx) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            origin: Originator {
                store: Arc::clone(&parts.store),
                clock: Arc::clone(&parts.clock),
                rng: parts.rng,
                identity: parts.identity,
            },
            store: parts.store,
            clock: parts.clock,
            router,
            policy: parts.tls_policy,
            pool: Pool::new(
                config.max_per_destination,
                config.connection_cache_time,
                config.connection_reuse_limit,
            ),
            slots: Arc::new(Semaphore::new(settings.max_deliveries)),
            settings,
            tenant_routes: RwLock::new(Arc::new(tenant_routes)),
            metrics: parts.metrics,
            pseudonyms: parts.pseudonyms,
            templates: parts.templates,
            transformer: parts.transformer,
            escrow: parts.escrow,
            discovery,
            signer: parts.signer,
            in_flight: Mutex::new(HashSet::new()),
            tx,
        });
        tokio::spawn(run(Arc::clone(&inner), rx));
        Ok(Engine { inner })
    }

    /// Applies a reloaded `[delivery.routes]`: the next routing decision uses it.
    pub fn set_routes(&self, config: &DeliveryConfig) {
        self.inner.router.set_routes(&config.routes);
    }

    /// Applies a reloaded `[delivery.tenants]` and the tenants' return routes (loaded by the
    /// caller, client certificates included): groups started from now on use them.
    pub fn set_tenants(&self, config: &DeliveryConfig, return_routes: Arc<ReturnRoutes>) {
        let new = Arc::new(TenantRoutes::new(config, return_routes));
        *self
            .inner
            .tenant_routes
            .write()
            .unwrap_or_else(PoisonError::into_inner) = new;
    }

    /// Asks for `id` to be looked at now (after a commit or an admin action).
    pub fn wake(&self, id: MessageId) {
        self.inner.wake(id);
    }

    /// Where the daily TLS-RPT run hands its report mail: into the spool as the gateway's
    /// own mail, delivered by this engine.
    pub fn report_sink(&self) -> crate::report_mail::ReportMail {
        crate::report_mail::ReportMail::new(self.inner.origin.clone(), self.waker())
    }

    /// Whether the scheduler task still runs (for the service watchdog): it owns the wake
    /// channel's receiver, so the channel closes when the task ends or panics.
    pub fn is_running(&self) -> bool {
        !self.inner.tx.is_closed()
    }

    /// A callback form of [`Engine::wake`], for the accept stage and the admin API.
    pub fn waker(&self) -> Arc<dyn Fn(MessageId) + Send + Sync> {
        let inner = Arc::clone(&self.inner);
        Arc::new(move |id| inner.wake(id))
    }
}

async fn run(inner: Arc<Inner>, mut rx: mpsc::UnboundedReceiver<MessageId>) {
    let mut tick = tokio::time::interval(inner.settings.scan_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            got = rx.recv() => match got {
                Some(id) => dispatch(&inner, id).await,
                None => break,
            },
            _ = tick.tick() => {
                scan(&inner).await;
                inner.pool.expire().await;
            }
        }
    }
}

async fn scan(inner: &Arc<Inner>) {
    let now = inner.clock.now();
    let limit = inner.settings.max_deliveries.saturating_mul(4);
    match inner.blocking(move |s| Ok(s.due(now, limit)?)).await {
        Ok(ids) => {
            for id in ids {
                dispatch(inner, id).await;
            }
        }
        Err(e) => tracing::error!(error = %e, "delivery scheduler: cannot read the due index"),
    }
}

async fn dispatch(inner: &Arc<Inner>, id: MessageId) {
    if !inner.claim(id) {
        return;
    }
    let Ok(permit) = Arc::clone(&inner.slots).acquire_owned().await else {
        inner.release(id);
        return;
    };
    let inner = Arc::clone(inner);
    tokio::spawn(async move {
        let again = match attempt::process(&inner, id).await {
            Ok(again) => again,
            Err(e) => {
                tracing::error!(%id, error = %e, "delivery round failed; the message stays queued");
                false
            }
        };
        inner.release(id);
        drop(permit);
        if again {
            inner.wake(id);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_follows_the_schedule_and_repeats_the_last() {
        let c =
            sealgate_config::Config::from_toml("[delivery]\nretry_schedule = [5, 10]\n").unwrap();
        let s = Settings::from_config(&c.delivery);
        assert_eq!(s.backoff(1), Duration::from_secs(5));
        assert_eq!(s.backoff(2), Duration::from_secs(10));
        assert_eq!(s.backoff(9), Duration::from_secs(10));
        let d = Settings::from_config(&sealgate_config::Config::embedded().delivery);
        assert_eq!(d.backoff(1), Duration::from_secs(300));
        assert_eq!(d.backoff(100), Duration::from_secs(4000));
    }
}
