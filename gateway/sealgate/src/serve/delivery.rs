//! The deliver stage as `serve` starts it: the transform and sign stages it drives, and the
//! outbox or MX engine (with the daily TLS-RPT run) the configuration's mode asks for.

use anyhow::Context;
use sealgate_accept::OnCommit;
use sealgate_config::{Config, DeliveryMode};
use sealgate_core::store::{KeyStore, QueueStore, TlsStateStore};
use sealgate_core::{Clock, Random};
use sealgate_deliver::dns::HickoryDns;
use sealgate_deliver::escrow::PortalEscrow;
use sealgate_deliver::{Engine, Identity, Outbox, Parts, QueueControl, ReturnRoutes, Templates};
use sealgate_report::{Metrics, Pseudonymiser};
use sealgate_sign::Signer;
use sealgate_tlspolicy::TlsPolicy;
use sealgate_tlspolicy::policy::Deps;
use sealgate_tlspolicy::tlsrpt::schedule::{self, ReportSink, Schedule};
use sealgate_transform::{SmimeTrust, Transformer};
use std::path::Path;
use std::sync::Arc;

/// The transform stage, the sign stage, the recipient key store the transform stage reads
/// (where WKD discovery files what it finds) and the stores of the outbound TLS policy.
pub(super) struct Stages {
    transformer: Arc<Transformer>,
    signer: Arc<Signer>,
    keys: Arc<dyn KeyStore>,
    tls: (Deps, Arc<dyn TlsStateStore>),
    /// The portal's escrow step, when `[portal]` is configured.
    portal: Option<Arc<PortalEscrow>>,
}

/// The daily TLS-RPT run (which also flushes the TLS policy's remembered state) and how to
/// stop it.
pub(super) struct TlsRun {
    pub policy: Arc<TlsPolicy>,
    /// The delivery engine (reload replaces its routes).
    pub engine: Engine,
    /// The run's report sink and schedule, for the admin API's "send now".
    pub sink: Arc<dyn ReportSink>,
    pub schedule: Schedule,
    pub stop: tokio::sync::watch::Sender<bool>,
    pub task: tokio::task::JoinHandle<()>,
}

/// The transform stage (recipient keys, S/MIME roots) and the sign stage (every configured
/// DKIM key, loaded once; a key that cannot be used stops the start with every problem named).
pub(super) fn stages(
    config: &Config,
    keys: Arc<dyn KeyStore>,
    tls: (Deps, Arc<dyn TlsStateStore>),
    portal: Option<Arc<PortalEscrow>>,
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
pub(super) type Alive = Arc<dyn Fn() -> bool + Send + Sync>;

/// What the deliver stage shares with the others.
pub(super) struct Shared<'a> {
    pub store: &'a Arc<dyn QueueStore>,
    pub clock: &'a Arc<dyn Clock>,
    pub rng: &'a Arc<dyn Random>,
    pub metrics: &'a Metrics,
    pub pseudonyms: &'a Pseudonymiser,
}

/// The started deliver stage.
pub(super) struct Delivery {
    /// Called with each committed message's id.
    pub on_commit: OnCommit,
    /// The admin API's queue control.
    pub control: QueueControl,
    /// In mx mode, the TLS-RPT run.
    pub tls_run: Option<TlsRun>,
    pub alive: Alive,
}

/// Starts the deliver stage for the configured mode.
pub(super) fn start(
    config: &Config,
    shared: &Shared<'_>,
    stages: Stages,
) -> anyhow::Result<Delivery> {
    let (on_commit, tls_run, alive) = match &config.delivery.mode {
        DeliveryMode::Outbox { dir } => {
            let (wake, alive) = start_outbox(dir, shared)?;
            (wake, None, alive)
        }
        DeliveryMode::Mx => {
            let run = start_mx(config, shared, stages)?;
            let running = run.engine.clone();
            let alive: Alive = Arc::new(move || running.is_running());
            (run.engine.waker(), Some(run), alive)
        }
    };
    let control = QueueControl {
        store: Arc::clone(shared.store),
        clock: Arc::clone(shared.clock),
        hold_expiry: config.delivery.hold_expiry,
        wake: Arc::clone(&on_commit),
    };
    Ok(Delivery {
        on_commit,
        control,
        tls_run,
        alive,
    })
}

/// The outbox writer: each committed message as accepted, in `dir`.
fn start_outbox(dir: &Path, shared: &Shared<'_>) -> anyhow::Result<(OnCommit, Alive)> {
    let outbox = Outbox::new(
        dir.to_path_buf(),
        Arc::clone(shared.store),
        Arc::clone(shared.clock),
        shared.metrics.clone(),
    )
    .context("delivery.outbox_dir")?;
    let tx = outbox.spawn();
    let runner = tx.clone();
    tracing::info!(dir = %dir.display(), "delivery mode outbox");
    let wake: OnCommit = Arc::new(move |id| {
        let _ = tx.send(id);
    });
    Ok((wake, Arc::new(move || !runner.is_closed())))
}

/// Warns when a test rig's overrides are set in a configuration that delivers for real.
fn warn_testing_overrides(config: &Config) {
    let t = &config.delivery.testing;
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
}

/// The MX engine with its outbound TLS policy, and the daily TLS-RPT run beside it.
fn start_mx(config: &Config, shared: &Shared<'_>, stages: Stages) -> anyhow::Result<TlsRun> {
    warn_testing_overrides(config);
    let d = &config.delivery;
    let Stages {
        transformer,
        signer,
        keys,
        tls: (tls_deps, tls_state),
        portal,
    } = stages;
    let tls_policy = Arc::new(
        TlsPolicy::from_config(&config.tls, &d.testing.nameservers, tls_deps)
            .context("tls: outbound TLS policy")?
            .with_state(tls_state)
            .with_destination_guard(sealgate_core::DestinationGuard::new(
                d.allow_non_global_destinations,
                Some(Arc::new(shared.metrics.clone())),
            )),
    );
    let dns = HickoryDns::new(&d.testing.nameservers).context("DNS resolver")?;
    let templates = Templates::load(config.gateway.notice_templates.as_deref())
        .context("gateway.notice_templates")?;
    let parts = Parts {
        store: Arc::clone(shared.store),
        clock: Arc::clone(shared.clock),
        rng: Arc::clone(shared.rng),
        dns: Arc::new(dns),
        metrics: shared.metrics.clone(),
        pseudonyms: shared.pseudonyms.clone(),
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
    tracing::info!(routes = d.routes.len(), "delivery mode mx");
    Ok(start_tls_reports(config, tls_policy, engine, shared.rng))
}

/// The daily TLS-RPT run, sending through `engine`.
fn start_tls_reports(
    config: &Config,
    policy: Arc<TlsPolicy>,
    engine: Engine,
    rng: &Arc<dyn Random>,
) -> TlsRun {
    let sink: Arc<dyn ReportSink> = Arc::new(engine.report_sink());
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let schedule = Schedule::from_config(config);
    let task = tokio::spawn(schedule::run(
        Arc::clone(&policy),
        Arc::clone(&sink),
        schedule.clone(),
        Arc::clone(rng),
        async move {
            let _ = stopped.changed().await;
        },
    ));
    TlsRun {
        policy,
        engine,
        sink,
        schedule,
        stop,
        task,
    }
}
