//! The task behind [`StateGauges`]: every [`EVERY`] it reads, on the blocking pool, the spool
//! file system's free space, the oldest waiting message, the expiry of the SMTP certificate and
//! of the return routes' client certificates, and the write times of the DKIM key files, and
//! sets the gauges; it also installs the spool's fsync observer (`sealgate_fsync_seconds`). A read that fails leaves the gauge
//! as it was and is logged once per round (never a path's content, never an address).

use anyhow::Context;
use sealgate_config::{CertSource, Config};
use sealgate_core::Clock;
use sealgate_core::store::QueueStore;
use sealgate_report::{Metrics, StateGauges};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// How often the gauges are refreshed.
const EVERY: Duration = Duration::from_secs(15);

/// What the task reads: paths from the configuration, fixed at start.
struct Sources {
    data_dir: PathBuf,
    /// (fixed certificate name, tenant or `gateway`, PEM file).
    certs: Vec<(&'static str, String, PathBuf)>,
    /// tenant name (or `gateway`) → DKIM key files.
    dkim: BTreeMap<String, Vec<PathBuf>>,
}

impl Sources {
    fn from_config(config: &Config) -> Sources {
        let smtp_cert = match &config.smtp.tls.cert {
            CertSource::Files { cert, .. } => cert.clone(),
            CertSource::SelfSigned => config.storage.dir.join("tls").join("self-signed.crt"),
        };
        let mut certs = vec![("smtp", "gateway".to_owned(), smtp_cert)];
        let mut dkim: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
        for t in &config.tenants {
            if let Some(client) = &t.return_cert {
                certs.push(("return_route_client", t.name.clone(), client.cert.clone()));
            }
            let keys: Vec<PathBuf> = t.dkim.iter().map(|k| k.key.clone()).collect();
            if !keys.is_empty() {
                dkim.insert(t.name.clone(), keys);
            }
        }
        if let Some(key) = &config.gateway.dkim_key {
            dkim.insert("gateway".to_owned(), vec![key.clone()]);
        }
        Sources {
            data_dir: config.storage.dir.clone(),
            certs,
            dkim,
        }
    }
}

/// Registers the gauges and starts the task.
pub fn spawn(
    config: &Config,
    metrics: &Metrics,
    store: Arc<dyn QueueStore>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    let gauges = StateGauges::register(metrics).context("metrics registry")?;
    let fsync = gauges.fsync_seconds.clone();
    // Installed once per process (a second `serve` in one process keeps the first).
    sealgate_commit::observe_fsyncs(Box::new(move |kind, took| {
        fsync
            .with_label_values(&[kind.as_str()])
            .observe(took.as_secs_f64());
    }));
    let sources = Arc::new(Sources::from_config(config));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let (g, s, st, c) = (
                gauges.clone(),
                Arc::clone(&sources),
                Arc::clone(&store),
                Arc::clone(&clock),
            );
            let _ =
                tokio::task::spawn_blocking(move || refresh(&g, &s, st.as_ref(), c.as_ref())).await;
        }
    });
    Ok(())
}

/// One round: every gauge it can read.
fn refresh(g: &StateGauges, s: &Sources, store: &dyn QueueStore, clock: &dyn Clock) {
    match rustix::fs::statvfs(&s.data_dir) {
        Ok(v) => {
            let to_i64 =
                |blocks: u64| i64::try_from(blocks.saturating_mul(v.f_frsize)).unwrap_or(i64::MAX);
            g.spool_free_bytes.set(to_i64(v.f_bavail));
            g.spool_size_bytes.set(to_i64(v.f_blocks));
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the spool file system's free space"),
    }
    match store.depth() {
        Ok(depth) => {
            let now = clock.now().millis();
            let age = depth
                .oldest
                .map_or(0, |id| now.saturating_sub(id.timestamp().millis()));
            g.oldest_age_seconds.set(age as f64 / 1000.0);
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the queue depth"),
    }
    for (name, tenant, path) in &s.certs {
        match not_after(path) {
            Ok(t) => g
                .cert_expiry
                .with_label_values(&[name, tenant.as_str()])
                .set(t as f64),
            Err(e) => {
                tracing::warn!(certificate = name, error = %e, "cannot read the certificate's expiry")
            }
        }
    }
    for (tenant, keys) in &s.dkim {
        let oldest = keys.iter().filter_map(|k| written(k).ok()).min();
        if let Some(t) = oldest {
            g.dkim_key_oldest.with_label_values(&[tenant]).set(t as f64);
        }
    }
}

/// The first certificate's notAfter in `path` (PEM), Unix seconds.
fn not_after(path: &Path) -> anyhow::Result<i64> {
    let pem = std::fs::read(path)?;
    let cert = openssl::x509::X509::from_pem(&pem)?;
    let diff = openssl::asn1::Asn1Time::from_unix(0)?.diff(cert.not_after())?;
    Ok(i64::from(diff.days) * 86_400 + i64::from(diff.secs))
}

/// When the file was last written, Unix seconds.
fn written(path: &Path) -> anyhow::Result<u64> {
    let modified = std::fs::metadata(path)?.modified()?;
    Ok(modified.duration_since(UNIX_EPOCH)?.as_secs())
}
