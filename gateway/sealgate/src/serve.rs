//! `sealgate serve`: opens the spool, starts delivery, the SMTP listener and the admin API,
//! prints `READY {json}` on stdout once listening, reloads on SIGHUP and drains on SIGTERM.

use crate::notify::{Health, Notifier};
use crate::{credentials, notify, secrets, settings};
use anyhow::Context;
use sealgate_accept::{OnCommit, Pipeline, Server};
use sealgate_admin::AdminState;
use sealgate_commit::{OsRandom, Spool};
use sealgate_config::{Config, DeliveryMode};
use sealgate_core::store::TlsStateStore;
use sealgate_core::store::{KeyStore, QueueStore};
use sealgate_core::{Clock, Random, SystemClock};
use sealgate_deliver::dns::HickoryDns;
use sealgate_deliver::{Engine, Identity, Outbox, Parts, QueueControl, ReturnRoutes, Templates};
use sealgate_report::{Metrics, Pseudonymiser};
use sealgate_sign::Signer;
use sealgate_tlspolicy::TlsPolicy;
use sealgate_tlspolicy::policy::Deps;
use sealgate_tlspolicy::tlsrpt::schedule::{self, ReportSink, Schedule};
use sealgate_tlspolicy::verify::mozilla_roots;
use sealgate_transform::{SmimeTrust, Transformer};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

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
    let data = config.storage.dir.clone();
    secrets::private_dir(&data)?;
    let keys = credentials::load_master_keys(&config.storage.master_key_file)?;
    // The portal's escrow store wraps its stored halves under the same master key.
    let portal_keys = match &config.portal {
        Some(_) => Some(credentials::load_master_keys(
            &config.storage.master_key_file,
        )?),
        None => None,
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // One getrandom(2) per thread and MiB instead of one per draw (issue 19).
    let os = OsRandom::checked().context("no operating-system randomness")?;
    let rng = Arc::new(crate::fast_random::FastRandom::new(os));
    let spool = {
        let (data, clock, rng) = (data.clone(), Arc::clone(&clock), rng.clone());
        tokio::task::spawn_blocking(move || Spool::open(&data, keys, clock, rng))
            .await?
            .context("storage.dir: cannot open the spool")?
    };
    let recipient_keys: Arc<dyn KeyStore> = Arc::new(spool.keys());
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
    let backup_spool = spool.clone();
    let store: Arc<dyn QueueStore> = Arc::new(spool);
    let random: Arc<dyn Random> = rng.clone();
    let portal = match portal_keys {
        Some(k) => crate::portal_serve::open(&config, k, &store, &clock, &random).await?,
        None => None,
    };
    {
        // Recovery logs what it found; it must finish before the first session is accepted.
        let (s, now) = (Arc::clone(&store), clock.now());
        tokio::task::spawn_blocking(move || s.recover(now)).await??;
    }
    let metrics = Metrics::new().context("metrics registry")?;
    metrics
        .set_build_info(env!("CARGO_PKG_VERSION"), env!("SEALGATE_COMMIT"))
        .context("metrics registry")?;
    crate::state_gauges::spawn(&config, &metrics, Arc::clone(&store), Arc::clone(&clock))?;
    if let Some(p) = &portal {
        crate::portal_serve::count_events(p, &metrics)?;
    }
    let pseudonyms = Pseudonymiser::new(
        secrets::pseudonym_key(&data)?,
        config.log.pseudonymise_addresses,
    );
    let stages = stages(
        &config,
        recipient_keys,
        (tls_deps, tls_state),
        portal.clone(),
    )?;
    let (on_commit, control, tls_run, delivery_alive) = start_delivery(
        &config,
        &store,
        &clock,
        &random,
        &metrics,
        &pseudonyms,
        stages,
    )?;
    let portal_admin = portal.as_ref().map(|p| {
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
    });
    let accept_settings = settings::build(&config)?;
    // Portal replies classify with the rules sessions use (reloads included, once bound).
    let live_rules = Arc::new(std::sync::OnceLock::new());
    let reply = crate::portal_reply::Wiring {
        classify: crate::portal_reply::classifier(&accept_settings, &live_rules),
        domains: crate::portal_reply::domains(&config),
    };
    let portal_addr = match portal {
        Some(p) => Some(
            crate::portal_serve::start(p, Arc::clone(&on_commit), &clock, &random, reply).await?,
        ),
        None => None,
    };
    let pipeline = Pipeline {
        store: Arc::clone(&store),
        metrics: metrics.clone(),
        pseudonyms,
        clock: Arc::clone(&clock),
        rng,
        on_commit,
    };
    let tenants = accept_settings.tenants.clone();
    crate::connect_facts::spawn(tenants.clone(), data.clone());
    let server = Server::bind(accept_settings, pipeline)
        .await
        .context("smtp.listen: cannot bind")?;
    let smtp_addrs = server.local_addrs();
    let _ = live_rules.set(server.settings_handle());
    let token: Arc<str> = secrets::admin_token(&config.admin.token_file)
        .context("admin.token_file")?
        .into();
    let ready = Arc::new(AtomicBool::new(false));
    let admin_listener = tokio::net::TcpListener::bind(config.admin.listen)
        .await
        .context("admin.listen: cannot bind")?;
    let admin_addr = admin_listener.local_addr()?;
    let (admin_stop_tx, admin_stop) = tokio::sync::watch::channel(false);
    let state = AdminState {
        store: Arc::clone(&store),
        metrics: metrics.clone(),
        token: Arc::clone(&token),
        ready: Arc::clone(&ready),
        control: Some(control),
        keys: Some(key_admin),
    };
    // `tls status` is answered from the running policy (facts not yet flushed included);
    // `tls report` sends through the same policy, sink and schedule as the daily run.
    let app = crate::admin_app::app(
        state,
        crate::admin_app::Extras {
            backup_spool,
            staging: data.join(crate::admin_app::BACKUP_STAGING),
            clock: Arc::clone(&clock),
            tls: tls_run.as_ref().map(|run| sealgate_admin::tls::TlsAdmin {
                policy: Arc::clone(&run.policy),
                sink: Arc::clone(&run.sink),
                schedule: run.schedule.clone(),
            }),
            tenants: tenants.clone(),
            portal: portal_admin,
        },
    );
    let admin_options = crate::admin_app::serve_options(&config.admin)?;
    tokio::spawn(sealgate_admin::server::serve(
        admin_listener,
        app,
        admin_options,
        admin_stop,
    ));
    let notifier = start_notifier(Health {
        store: Arc::clone(&store),
        delivery_alive,
        deadline: HEALTH_DEADLINE,
    });
    let live = crate::reload::Live {
        handle: server.settings_handle(),
        engine: tls_run.as_ref().map(|r| r.engine.clone()),
        tls: tls_run.as_ref().map(|r| Arc::clone(&r.policy)),
        started: config.clone(),
        smtp_listen: listen.smtp,
        admin_listen: listen.admin,
    };
    crate::reload::spawn_signal_handlers(
        &server,
        live,
        config_path,
        metrics.clone(),
        notifier.clone(),
    )?;
    ready.store(true, Ordering::Release);
    let smtp: Vec<String> = smtp_addrs.iter().map(ToString::to_string).collect();
    tracing::info!(smtp = ?smtp, admin = %admin_addr, "listening");
    println!(
        "READY {}",
        serde_json::json!({
            "smtp": smtp,
            "admin": admin_addr.to_string(),
            "portal": portal_addr.map(|a| a.to_string()),
        })
    );
    if let Some(n) = &notifier {
        n.send("READY=1\nSTATUS=serving");
    }
    server.run(config.gateway.drain_timeout).await;
    let facts_dir = data.clone();
    if let Ok(Err(e)) =
        tokio::task::spawn_blocking(move || crate::connect_facts::write(&tenants, &facts_dir)).await
    {
        tracing::warn!(error = %e, "cannot write the connect facts file");
    }
    let _ = admin_stop_tx.send(true);
    if let Some(run) = tls_run {
        // The TLS-RPT run flushes the day's counts and the last TLS facts before it ends.
        let _ = run.stop.send(true);
        let _ = run.task.await;
    }
    tracing::info!("stopped");
    Ok(())
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

/// The transform stage, the sign stage, the recipient key store the transform stage reads
/// (where WKD discovery files what it finds) and the stores of the outbound TLS policy.
struct Stages {
    transformer: Arc<Transformer>,
    signer: Arc<Signer>,
    keys: Arc<dyn KeyStore>,
    tls: (Deps, Arc<dyn TlsStateStore>),
    /// The portal's escrow step, when `[portal]` is configured.
    portal: Option<Arc<sealgate_deliver::escrow::PortalEscrow>>,
}

/// The daily TLS-RPT run (which also flushes the TLS policy's remembered state) and how to
/// stop it.
struct TlsRun {
    policy: Arc<TlsPolicy>,
    /// The delivery engine (reload replaces its routes).
    engine: Engine,
    /// The run's report sink and schedule, for the admin API's "send now".
    sink: Arc<dyn ReportSink>,
    schedule: Schedule,
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

/// The transform stage (recipient keys, S/MIME roots) and the sign stage (every configured
/// DKIM key, loaded once; a key that cannot be used stops the start with every problem named).
fn stages(
    config: &Config,
    keys: Arc<dyn KeyStore>,
    tls: (Deps, Arc<dyn TlsStateStore>),
    portal: Option<Arc<sealgate_deliver::escrow::PortalEscrow>>,
) -> anyhow::Result<Stages> {
    // The operating system's roots (OpenSSL's default paths, which honour SSL_CERT_FILE).
    let roots = SmimeTrust::system().context("S/MIME trust roots")?;
    let transformer =
        Arc::new(Transformer::new(Arc::clone(&keys), roots).with_portal(portal.is_some()));
    let signer = Signer::from_config(config).context("DKIM keys")?;
    tracing::info!(keys = signer.key_count(), "DKIM signer ready");
    Ok(Stages {
        transformer,
        signer: Arc::new(signer),
        keys,
        tls,
        portal,
    })
}

/// Whether the deliver stage's task still runs (for the watchdog).
type Alive = Arc<dyn Fn() -> bool + Send + Sync>;

/// Starts the deliver stage for the configured mode; returns the commit notification, the
/// admin queue control, in mx mode the TLS-RPT run, and the stage's liveness.
fn start_delivery(
    config: &Config,
    store: &Arc<dyn QueueStore>,
    clock: &Arc<dyn Clock>,
    rng: &Arc<dyn Random>,
    metrics: &Metrics,
    pseudonyms: &Pseudonymiser,
    stages: Stages,
) -> anyhow::Result<(OnCommit, QueueControl, Option<TlsRun>, Alive)> {
    let mut tls_run = None;
    let alive: Alive;
    let wake: OnCommit = match &config.delivery.mode {
        DeliveryMode::Outbox { dir } => {
            let outbox = Outbox::new(
                dir.clone(),
                Arc::clone(store),
                Arc::clone(clock),
                metrics.clone(),
            )
            .context("delivery.outbox_dir")?;
            let tx = outbox.spawn();
            let runner = tx.clone();
            alive = Arc::new(move || !runner.is_closed());
            tracing::info!(dir = %dir.display(), "delivery mode outbox");
            Arc::new(move |id| {
                let _ = tx.send(id);
            })
        }
        DeliveryMode::Mx => {
            let d = &config.delivery;
            let t = &d.testing;
            if !t.nameservers.is_empty()
                || t.mx_port.is_some()
                || !t.mx_host_ports.is_empty()
                || t.wkd_address.is_some()
                || t.wkd_ca.is_some()
            {
                tracing::warn!("[delivery.testing] overrides are set: for test rigs only");
            }
            let tt = &config.tls.testing;
            if tt.trust_anchor.is_some()
                || tt.mta_sts_address.is_some()
                || tt.mta_sts_ca.is_some()
                || tt.mx_ca.is_some()
            {
                tracing::warn!("[tls.testing] overrides are set: for test rigs only");
            }
            let Stages {
                transformer,
                signer,
                keys,
                tls: (tls_deps, tls_state),
                portal,
            } = stages;
            let tls_policy = Arc::new(
                TlsPolicy::from_config(&config.tls, &t.nameservers, tls_deps)
                    .context("tls: outbound TLS policy")?
                    .with_state(tls_state)
                    .with_destination_guard(sealgate_core::DestinationGuard::new(
                        d.allow_non_global_destinations,
                        Some(Arc::new(metrics.clone())),
                    )),
            );
            let dns = HickoryDns::new(&d.testing.nameservers).context("DNS resolver")?;
            let templates = Templates::load(config.gateway.notice_templates.as_deref())
                .context("gateway.notice_templates")?;
            let parts = Parts {
                store: Arc::clone(store),
                clock: Arc::clone(clock),
                rng: Arc::clone(rng),
                dns: Arc::new(dns),
                metrics: metrics.clone(),
                pseudonyms: pseudonyms.clone(),
                identity: Identity {
                    hostname: config.smtp.hostname.clone(),
                    domain: config.gateway.domain.clone(),
                    postmaster: config.gateway.postmaster.clone(),
                },
                templates,
                transformer,
                keys,
                escrow: portal.map(|p| p as Arc<dyn sealgate_deliver::escrow::Escrow>),
                signer,
                tls_policy: Arc::clone(&tls_policy),
                fallback_chain: config.tls.fallback_chain.clone(),
                return_routes: Arc::new(
                    ReturnRoutes::load(&config.tenants).context("tenants: return routes")?,
                ),
            };
            let engine = Engine::start(d, parts).context("delivery engine")?;
            let running = engine.clone();
            alive = Arc::new(move || running.is_running());
            tracing::info!(routes = d.routes.len(), "delivery mode mx");
            let sink: Arc<dyn ReportSink> = Arc::new(engine.report_sink());
            let (stop, mut stopped) = tokio::sync::watch::channel(false);
            let report_schedule = Schedule::from_config(config);
            let task = tokio::spawn(schedule::run(
                Arc::clone(&tls_policy),
                Arc::clone(&sink),
                report_schedule.clone(),
                Arc::clone(rng),
                async move {
                    let _ = stopped.changed().await;
                },
            ));
            let waker = engine.waker();
            tls_run = Some(TlsRun {
                policy: tls_policy,
                engine,
                sink,
                schedule: report_schedule,
                stop,
                task,
            });
            waker
        }
    };
    let control = QueueControl {
        store: Arc::clone(store),
        clock: Arc::clone(clock),
        hold_expiry: config.delivery.hold_expiry,
        wake: Arc::clone(&wake),
    };
    Ok((wake, control, tls_run, alive))
}
