//! Configuration reload (SIGHUP, or a changed rule file): what applies at once, and what is
//! named in the log as needing a restart; also the signal handlers and the rule-directory watch
//! that trigger it (and SIGTERM/SIGINT, which begin the drain).
//!
//! Applied at once: the accept stage's settings (`[smtp]` limits and hostname, `[smtp.tls]`
//! certificate, the tenants' networks, sender domains, tokens and client certificate names,
//! the rules), `[delivery.routes]` (the deliver stage's router), `[delivery.tenants]` and the
//! tenants' return routes with their client certificates (the deliver stage's per-tenant
//! table), and `[tls.domains]` with the `[tls] mx` default (the outbound TLS policy's admin
//! table). Everything else is compared with what the process started with; a difference is
//! logged as needing a restart, and the running value stays. A return route whose client
//! certificate can't be loaded fails the whole reload (nothing changes).

use crate::notify::Notifier;
use crate::settings;
use anyhow::Context;
use sealgate_accept::{Server, SettingsHandle};
use sealgate_config::{Config, RulesConfig};
use sealgate_deliver::{Engine, ReturnRoutes};
use sealgate_report::Metrics;
use sealgate_rules::watch::DirFingerprint;
use sealgate_tlspolicy::TlsPolicy;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};

/// The parts of the running gateway a reload changes.
pub struct Live {
    /// New sessions' settings.
    pub handle: SettingsHandle,
    /// The MX delivery engine (none in outbox mode).
    pub engine: Option<Engine>,
    /// The outbound TLS policy (none in outbox mode).
    pub tls: Option<Arc<TlsPolicy>>,
    /// The configuration the process started with (listen overrides applied).
    pub started: Config,
    /// `--smtp-listen` / `--admin-listen` given at start: they stay.
    pub smtp_listen: Vec<SocketAddr>,
    /// `--admin-listen`.
    pub admin_listen: Option<SocketAddr>,
}

/// What a successful reload did.
pub struct Reloaded {
    /// The configuration now running.
    pub config: Config,
    /// What changed but needs a restart to take effect.
    pub needs_restart: Vec<&'static str>,
}

impl Live {
    /// Reads `path` (or the embedded default) and applies it; on error nothing changes.
    pub fn reload(&self, path: Option<&Path>) -> anyhow::Result<Reloaded> {
        let mut config = settings::load_config(path)?;
        if !self.smtp_listen.is_empty() {
            config.smtp.listen.clone_from(&self.smtp_listen);
        }
        if let Some(a) = self.admin_listen {
            config.admin.listen = a;
        }
        let accept = settings::build(&config)?;
        // Loaded before anything is replaced, so a bad certificate changes nothing.
        let return_routes = match &self.engine {
            Some(_) => Some(Arc::new(
                ReturnRoutes::load(&config.tenants).context("tenants: return routes")?,
            )),
            None => None,
        };
        self.handle.replace(accept);
        if let (Some(engine), Some(routes)) = (&self.engine, return_routes) {
            engine.set_routes(&config.delivery);
            engine.set_tenants(&config.delivery, routes);
        }
        if let Some(tls) = &self.tls {
            tls.set_admin_table(&config.tls);
        }
        Ok(Reloaded {
            needs_restart: needs_restart(&self.started, &config),
            config,
        })
    }
}

/// The sections (or keys) that differ between `old` and `new` and that a reload does not apply.
pub fn needs_restart(old: &Config, new: &Config) -> Vec<&'static str> {
    let mut out = Vec::new();
    if old.smtp.listen != new.smtp.listen {
        out.push("smtp.listen");
    }
    if old.smtp.max_connections != new.smtp.max_connections {
        out.push("smtp.max_connections");
    }
    if old.storage != new.storage {
        out.push("[storage]");
    }
    if old.admin != new.admin {
        out.push("[admin]");
    }
    let (mut d_old, mut d_new) = (old.delivery.clone(), new.delivery.clone());
    d_old.routes.clear();
    d_new.routes.clear();
    d_old.tenants.clear();
    d_new.tenants.clear();
    if d_old != d_new {
        out.push("[delivery] (other than [delivery.routes] and [delivery.tenants])");
    }
    let (mut t_old, mut t_new) = (old.tls.clone(), new.tls.clone());
    t_old.domains.clear();
    t_new.domains.clear();
    t_new.mx = t_old.mx;
    if t_old != t_new {
        out.push("[tls] (other than [tls.domains] and mx)");
    }
    if old.gateway != new.gateway {
        out.push("[gateway]");
    }
    if old.log != new.log {
        out.push("[log]");
    }
    out
}

/// SIGTERM/SIGINT begin the drain; SIGHUP — or a changed file in the rule directory, checked
/// every `rules.watch_interval` — reloads the configuration and rules (a bad one is logged and
/// counted, and the running settings stay).
pub(crate) fn spawn_signal_handlers(
    server: &Server,
    live: Live,
    config_path: Option<PathBuf>,
    metrics: Metrics,
    notifier: Option<Arc<Notifier>>,
) -> anyhow::Result<()> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    let shutdown = server.shutdown_handle();
    let mut watch = RulesWatch::new(&live.started.rules);
    tokio::spawn(async move {
        loop {
            let why = tokio::select! {
                _ = term.recv() => break,
                _ = int.recv() => break,
                _ = hup.recv() => "SIGHUP",
                () = watch.changed() => "rule files changed",
            };
            match live.reload(config_path.as_deref()) {
                Ok(r) => {
                    watch.follow(&r.config.rules);
                    metrics.config_reloads.with_label_values(&["ok"]).inc();
                    tracing::info!(
                        trigger = why,
                        "configuration reloaded: tenants (return routes included), [smtp] limits \
                         and certificate, rules, [delivery.routes], [delivery.tenants], \
                         [tls.domains] and [tls] mx apply now"
                    );
                    if !r.needs_restart.is_empty() {
                        tracing::warn!(
                            trigger = why,
                            changed = ?r.needs_restart,
                            "changed in the configuration but applied only after a restart: {}",
                            r.needs_restart.join(", ")
                        );
                    }
                }
                Err(e) => {
                    metrics.config_reloads.with_label_values(&["error"]).inc();
                    tracing::error!(trigger = why, error = %format!("{e:#}"), "configuration reload failed; keeping the running configuration");
                }
            }
        }
        tracing::info!("shutdown requested");
        if let Some(n) = &notifier {
            n.send("STOPPING=1\nSTATUS=draining");
        }
        shutdown.shutdown();
    });
    Ok(())
}

/// Polls the rule directory's [`DirFingerprint`] (file names, sizes, modification times).
struct RulesWatch {
    dir: Option<PathBuf>,
    every: Duration,
    last: Option<DirFingerprint>,
}

impl RulesWatch {
    fn new(rules: &RulesConfig) -> RulesWatch {
        let mut w = RulesWatch {
            dir: None,
            every: Duration::ZERO,
            last: None,
        };
        w.follow(rules);
        w
    }

    /// Watches what `rules` names from now on (after a reload).
    fn follow(&mut self, rules: &RulesConfig) {
        self.dir = rules
            .dir
            .clone()
            .filter(|_| !rules.watch_interval.is_zero());
        self.every = rules.watch_interval;
        self.last = self.dir.as_deref().and_then(|d| DirFingerprint::of(d).ok());
    }

    /// Resolves when the directory differs from the last look; never without a directory.
    async fn changed(&mut self) {
        let Some(dir) = self.dir.clone() else {
            return std::future::pending().await;
        };
        loop {
            tokio::time::sleep(self.every).await;
            let d = dir.clone();
            let Ok(now) = tokio::task::spawn_blocking(move || DirFingerprint::of(&d).ok()).await
            else {
                continue;
            };
            if now != self.last {
                self.last = now;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_tls_domains_apply_the_rest_is_named() {
        let old = Config::from_toml("[delivery]\nmode = \"mx\"\n").unwrap();
        let new = Config::from_toml(
            "[delivery]\nmode = \"mx\"\n[delivery.routes]\n\"a.example\" = \"10.0.0.1:25\"\n\
             [tls]\nmx = \"authenticated\"\n\
             [tls.domains]\n\"b.example\" = { level = \"verify\", mx = \"any\" }\n",
        )
        .unwrap();
        assert!(needs_restart(&old, &new).is_empty());
        let newer = Config::from_toml(
            "[delivery]\nmode = \"mx\"\nmax_deliveries = 3\n[admin]\nlisten = \"127.0.0.1:1\"\n",
        )
        .unwrap();
        assert_eq!(
            needs_restart(&old, &newer),
            vec![
                "[admin]",
                "[delivery] (other than [delivery.routes] and [delivery.tenants])"
            ]
        );
    }
}
