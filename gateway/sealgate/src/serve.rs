//! `sealgate serve`: opens the spool, starts delivery, the SMTP listener and the admin API,
//! prints `READY {json}` on stdout once listening, reloads on SIGHUP and drains on SIGTERM.

use crate::notify::{Health, Notifier};
use crate::{credentials, notify, secrets, settings};
use anyhow::Context;
use sealgate_accept::{Pipeline, Server};
use sealgate_admin::AdminState;
use sealgate_commit::{OsRandom, Spool};
use sealgate_config::Config;
use sealgate_core::store::{KeyStore, QueueStore, TlsStateStore};
use sealgate_core::{Clock, Random, SystemClock};
use sealgate_deliver::escrow::PortalEscrow;
use sealgate_report::{Metrics, Pseudonymiser};
use sealgate_tlspolicy::policy::Deps;
use sealgate_tlspolicy::verify::mozilla_roots;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

mod delivery;

/// The blocking pool's bound (tokio's default is 512). Every session's classify + commit holds
/// one of these threads until its group transaction is durable, so at 1,000 sessions the
/// default grew the pool to all 512 threads, each with its stack and allocator state (issue
/// 19's scale table, `tests/bench/README.md`). Beyond this bound work queues for a thread.
/// No blocking task waits for a blocking task that has not started (group-commit followers
/// wait for a running leader), so a full pool cannot deadlock. A bound of the cores + 32 was
/// measured against this one (issue 19, same README): ~4 MiB less RSS at 20 sessions, no CPU
/// gain beyond the noise, lower msg/s in two of three pairs (smaller group transactions), so
/// 128 stays.
const MAX_BLOCKING_THREADS: usize = 128;

/// The environment variable that overrides the blocking pool's bound, for measuring (see
/// `tests/bench/README.md`).
const BLOCKING_THREADS_ENV: &str = "SEALGATE_BLOCKING_THREADS";

/// The blocking pool's bound: `SEALGATE_BLOCKING_THREADS` when set, else
/// [`MAX_BLOCKING_THREADS`].
fn max_blocking_threads() -> anyhow::Result<usize> {
    let Some(v) = std::env::var_os(BLOCKING_THREADS_ENV) else {
        return Ok(MAX_BLOCKING_THREADS);
    };
    v.to_str()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .with_context(|| format!("{BLOCKING_THREADS_ENV}: expected a whole number above 0"))
}

/// Listen addresses given on the command line; they win over the configuration's.
#[derive(Debug, Default)]
pub struct Listen {
    /// `--smtp-listen` (empty: `smtp.listen`).
    pub smtp: Vec<SocketAddr>,
    /// `--admin-listen` (none: `admin.listen`).
    pub admin: Option<SocketAddr>,
}

/// Runs the gateway until SIGTERM/SIGINT.
pub fn run(config_path: Option<&Path>, listen: Listen) -> anyhow::Result<u8> {
    let blocking_threads = max_blocking_threads()?;
    let mut config = settings::load_config(config_path)?;
    if !listen.smtp.is_empty() {
        config.smtp.listen.clone_from(&listen.smtp);
    }
    if let Some(admin) = listen.admin {
        config.admin.listen = admin;
    }
    crate::logging::init(&config.log);
    // What `config check` checks, before anything is created, opened or bound.
    let problems = crate::preflight::check(&config);
    if !problems.is_empty() {
        anyhow::bail!(
            "{} problem(s) in the configuration:\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
    }
    // The process holds the master key: no core file may carry it to disk.
    if let Err(e) = rlimit::setrlimit(rlimit::Resource::CORE, 0, 0) {
        tracing::warn!(error = %e, "cannot disable core dumps (RLIMIT_CORE)");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(blocking_threads)
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(config, config_path.map(Path::to_path_buf), listen))?;
    Ok(0)
}

async fn serve(config: Config, config_path: Option<PathBuf>, listen: Listen) -> anyhow::Result<()> {
    if config_path.is_none() {
        tracing::warn!(
            "no --config given: running the embedded default (loopback tenant, outbox delivery)"
        );
    }
    for w in sealgate_config::warnings(&config.tenants) {
        tracing::warn!("{w}");
    }
    let core = open_core(&config).await?;
    let stages = delivery::stages(
        &config,
        Arc::clone(&core.recipient_keys),
        core.tls.clone(),
        core.portal.clone(),
    )?;
    let delivery = delivery::start(&config, &core.shared(), stages)?;
    let accept_settings = settings::build(&config)?;
    // Portal replies classify with the rules sessions use (reloads included, once bound).
    let live_rules = Arc::new(std::sync::OnceLock::new());
    let reply = crate::portal_reply::Wiring {
        classify: crate::portal_reply::classifier(&accept_settings, &live_rules),
        domains: crate::portal_reply::domains(&config),
    };
    let portal_addr = match core.portal.clone() {
        Some(p) => {
            let (wake, clock, random) =
                (Arc::clone(&delivery.on_commit), &core.clock, &core.random);
            Some(crate::portal_serve::start(p, wake, clock, random, reply).await?)
        }
        None => None,
    };
    let pipeline = Pipeline {
        store: Arc::clone(&core.store),
        metrics: core.metrics.clone(),
        pseudonyms: core.pseudonyms.clone(),
        clock: Arc::clone(&core.clock),
        rng: Arc::clone(&core.random),
        on_commit: Arc::clone(&delivery.on_commit),
    };
    let tenants = accept_settings.tenants.clone();
    crate::connect_facts::spawn(tenants.clone(), config.storage.dir.clone());
    let server = Server::bind(accept_settings, pipeline)
        .await
        .context("smtp.listen: cannot bind")?;
    let _ = live_rules.set(server.settings_handle());
    let admin = start_admin(&config, &core, &delivery, &tenants).await?;
    let notifier = start_notifier(Health {
        store: Arc::clone(&core.store),
        delivery_alive: Arc::clone(&delivery.alive),
        deadline: HEALTH_DEADLINE,
    });
    let live = crate::reload::Live {
        handle: server.settings_handle(),
        engine: delivery.tls_run.as_ref().map(|r| r.engine.clone()),
        tls: delivery.tls_run.as_ref().map(|r| Arc::clone(&r.policy)),
        started: config.clone(),
        smtp_listen: listen.smtp,
        admin_listen: listen.admin,
    };
    let metrics = core.metrics.clone();
    crate::reload::spawn_signal_handlers(&server, live, config_path, metrics, notifier.clone())?;
    admin.ready.store(true, Ordering::Release);
    announce_ready(
        &server.local_addrs(),
        admin.addr,
        portal_addr,
        notifier.as_deref(),
    );
    server.run(config.gateway.drain_timeout).await;
    stop(&config, tenants, admin.stop, delivery.tls_run).await;
    Ok(())
}

/// What every stage shares: time, randomness, the spool's stores, the metrics registry, the
/// log's pseudonymiser and the portal's escrow store.
struct Core {
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    store: Arc<dyn QueueStore>,
    /// The spool itself, for the admin API's backup.
    backup_spool: Spool,
    recipient_keys: Arc<dyn KeyStore>,
    key_admin: sealgate_admin::KeyAdmin,
    tls: (Deps, Arc<dyn TlsStateStore>),
    portal: Option<Arc<PortalEscrow>>,
    metrics: Metrics,
    pseudonyms: Pseudonymiser,
}

impl Core {
    fn shared(&self) -> delivery::Shared<'_> {
        delivery::Shared {
            store: &self.store,
            clock: &self.clock,
            rng: &self.random,
            metrics: &self.metrics,
            pseudonyms: &self.pseudonyms,
        }
    }
}

/// Opens the spool (recovering what a crash left before any session is accepted), the
/// portal's store when `[portal]` is configured, and the metrics registry.
async fn open_core(config: &Config) -> anyhow::Result<Core> {
    let data = config.storage.dir.clone();
    secrets::private_dir(&data)?;
    let keys = credentials::load_master_keys(&config.storage.master_key_file)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // One getrandom(2) per thread and MiB instead of one per draw (issue 19).
    let os = OsRandom::checked().context("no operating-system randomness")?;
    let random: Arc<dyn Random> = Arc::new(crate::fast_random::FastRandom::new(os));
    let spool = {
        let (data, clock, rng) = (data.clone(), Arc::clone(&clock), Arc::clone(&random));
        tokio::task::spawn_blocking(move || Spool::open(&data, keys, clock, rng))
            .await?
            .context("storage.dir: cannot open the spool")?
    };
    let key_admin = sealgate_admin::KeyAdmin {
        keys: Arc::new(spool.keys()),
        audit: Arc::new(spool.audit()),
        clock: Arc::clone(&clock),
    };
    let tls_deps = Deps {
        pins: Arc::new(spool.pins()),
        sts_cache: Arc::new(spool.sts_cache()),
        clock: Arc::clone(&clock),
        mx_roots: mozilla_roots(),
    };
    let tls_state: Arc<dyn TlsStateStore> = Arc::new(spool.tls_state());
    let recipient_keys: Arc<dyn KeyStore> = Arc::new(spool.keys());
    let backup_spool = spool.clone();
    let store: Arc<dyn QueueStore> = Arc::new(spool);
    let portal = match &config.portal {
        // The portal's escrow store wraps its stored halves under the same master key.
        Some(_) => {
            let master = credentials::load_master_keys(&config.storage.master_key_file)?;
            crate::portal_serve::open(config, master, &store, &clock, &random).await?
        }
        None => None,
    };
    {
        // Recovery logs what it found; it must finish before the first session is accepted.
        let (s, now) = (Arc::clone(&store), clock.now());
        tokio::task::spawn_blocking(move || s.recover(now)).await??;
    }
    let metrics = open_metrics(config, &store, &clock, portal.as_deref())?;
    let pseudonyms = Pseudonymiser::new(
        secrets::pseudonym_key(&data)?,
        config.log.pseudonymise_addresses,
    );
    Ok(Core {
        clock,
        random,
        store,
        backup_spool,
        recipient_keys,
        key_admin,
        tls: (tls_deps, tls_state),
        portal,
        metrics,
        pseudonyms,
    })
}

/// The metrics registry with the build's identity, the state gauges' refresher and the
/// portal's event counters.
fn open_metrics(
    config: &Config,
    store: &Arc<dyn QueueStore>,
    clock: &Arc<dyn Clock>,
    portal: Option<&PortalEscrow>,
) -> anyhow::Result<Metrics> {
    let metrics = Metrics::new().context("metrics registry")?;
    metrics
        .set_build_info(env!("CARGO_PKG_VERSION"), env!("SEALGATE_COMMIT"))
        .context("metrics registry")?;
    crate::state_gauges::spawn(config, &metrics, Arc::clone(store), Arc::clone(clock))?;
    if let Some(p) = portal {
        crate::portal_serve::count_events(p, &metrics)?;
    }
    Ok(metrics)
}

/// The running admin API: where it listens, its readiness flag and how to stop it.
struct Admin {
    addr: SocketAddr,
    ready: Arc<AtomicBool>,
    stop: tokio::sync::watch::Sender<bool>,
}

/// Binds and starts the admin API (not ready until `ready` is set).
async fn start_admin(
    config: &Config,
    core: &Core,
    delivery: &delivery::Delivery,
    tenants: &sealgate_connectors::Tenants,
) -> anyhow::Result<Admin> {
    let token: Arc<str> = secrets::admin_token(&config.admin.token_file)
        .context("admin.token_file")?
        .into();
    let ready = Arc::new(AtomicBool::new(false));
    let listener = tokio::net::TcpListener::bind(config.admin.listen)
        .await
        .context("admin.listen: cannot bind")?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let state = AdminState {
        store: Arc::clone(&core.store),
        metrics: core.metrics.clone(),
        token,
        ready: Arc::clone(&ready),
        control: Some(delivery.control.clone()),
        keys: Some(core.key_admin.clone()),
    };
    let data = &config.storage.dir;
    // `tls status` is answered from the running policy (facts not yet flushed included);
    // `tls report` sends through the same policy, sink and schedule as the daily run.
    let extras = crate::admin_app::Extras {
        backup_spool: core.backup_spool.clone(),
        staging: data.join(crate::admin_app::BACKUP_STAGING),
        clock: Arc::clone(&core.clock),
        tls: delivery
            .tls_run
            .as_ref()
            .map(|run| sealgate_admin::tls::TlsAdmin {
                policy: Arc::clone(&run.policy),
                sink: Arc::clone(&run.sink),
                schedule: run.schedule.clone(),
            }),
        tenants: tenants.clone(),
        portal: core.portal.as_deref().map(portal_limits),
    };
    let app = crate::admin_app::app(state, extras);
    let options = crate::admin_app::serve_options(&config.admin)?;
    tokio::spawn(sealgate_admin::server::serve(
        listener, app, options, stopped,
    ));
    Ok(Admin { addr, ready, stop })
}

/// The portal's store and expiry limits, for the admin API.
fn portal_limits(p: &PortalEscrow) -> crate::admin_app::PortalExtras {
    let tenant_max = p
        .config
        .tenants
        .iter()
        .filter_map(|t| Some((t.name.clone(), t.expiry?.max)));
    (
        Arc::clone(&p.store),
        p.config.max_expiry,
        Arc::new(tenant_max.collect()),
    )
}

/// Logs the listening addresses and prints the `READY {json}` line; tells systemd.
fn announce_ready(
    smtp_addrs: &[SocketAddr],
    admin: SocketAddr,
    portal: Option<SocketAddr>,
    notifier: Option<&Notifier>,
) {
    let smtp: Vec<String> = smtp_addrs.iter().map(ToString::to_string).collect();
    tracing::info!(smtp = ?smtp, admin = %admin, "listening");
    println!(
        "READY {}",
        serde_json::json!({
            "smtp": smtp,
            "admin": admin.to_string(),
            "portal": portal.map(|a| a.to_string()),
        })
    );
    if let Some(n) = notifier {
        n.send("READY=1\nSTATUS=serving");
    }
}

/// After the SMTP listener drained: writes the connect facts, stops the admin API and lets
/// the TLS-RPT run flush the day's counts and the last TLS facts.
async fn stop(
    config: &Config,
    tenants: sealgate_connectors::Tenants,
    admin_stop: tokio::sync::watch::Sender<bool>,
    tls_run: Option<delivery::TlsRun>,
) {
    let facts_dir = config.storage.dir.clone();
    if let Ok(Err(e)) =
        tokio::task::spawn_blocking(move || crate::connect_facts::write(&tenants, &facts_dir)).await
    {
        tracing::warn!(error = %e, "cannot write the connect facts file");
    }
    let _ = admin_stop.send(true);
    if let Some(run) = tls_run {
        let _ = run.stop.send(true);
        let _ = run.task.await;
    }
    tracing::info!("stopped");
}

/// How long the watchdog's spool probe may take.
const HEALTH_DEADLINE: Duration = Duration::from_secs(10);

/// The systemd notifier when `NOTIFY_SOCKET` is set, with the watchdog started when
/// `WATCHDOG_USEC` asks for one (pinging only while `health` passes).
fn start_notifier(health: Health) -> Option<Arc<Notifier>> {
    let notifier = match Notifier::from_env()? {
        Ok(n) => Arc::new(n),
        Err(e) => {
            tracing::warn!(error = %e, "NOTIFY_SOCKET is set but unusable; not notifying");
            return None;
        }
    };
    if let Some(interval) = notify::watchdog_interval() {
        let health = Health {
            deadline: health.deadline.min(interval / 2),
            ..health
        };
        notify::spawn_watchdog(Arc::clone(&notifier), interval, health);
        tracing::info!(
            interval_ms = interval.as_millis() as u64,
            "service watchdog on"
        );
    }
    Some(notifier)
}
