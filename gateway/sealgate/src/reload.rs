//! Configuration reload (SIGHUP, or a changed rule file): what applies at once, and what is
//! named in the log as needing a restart.
//!
//! Applied at once: the accept stage's settings (`[smtp]` limits and hostname, `[smtp.tls]`
//! certificate, the tenants' networks, sender domains, tokens and client certificate names,
//! the rules), `[delivery.routes]` (the deliver stage's router) and `[tls.domains]` (the
//! outbound TLS policy's admin table). Everything else is compared with what the process
//! started with; a difference is logged as needing a restart, and the running value stays.

use crate::settings;
use sealgate_accept::SettingsHandle;
use sealgate_config::Config;
use sealgate_deliver::Engine;
use sealgate_tlspolicy::TlsPolicy;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

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
        self.handle.replace(accept);
        if let Some(engine) = &self.engine {
            engine.set_routes(&config.delivery);
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
    if d_old != d_new {
        out.push("[delivery] (other than [delivery.routes])");
    }
    let (mut t_old, mut t_new) = (old.tls.clone(), new.tls.clone());
    t_old.domains.clear();
    t_new.domains.clear();
    if t_old != t_new {
        out.push("[tls] (other than [tls.domains])");
    }
    let return_routes = |c: &Config| -> Vec<_> {
        c.tenants
            .iter()
            .map(|t| (t.name.clone(), t.return_route.clone()))
            .collect()
    };
    if return_routes(old) != return_routes(new) {
        out.push("tenants.*.return_route");
    }
    if old.gateway != new.gateway {
        out.push("[gateway]");
    }
    if old.log != new.log {
        out.push("[log]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_tls_domains_apply_the_rest_is_named() {
        let old = Config::from_toml("[delivery]\nmode = \"mx\"\n").unwrap();
        let new = Config::from_toml(
            "[delivery]\nmode = \"mx\"\n[delivery.routes]\n\"a.example\" = \"10.0.0.1:25\"\n\
             [tls.domains]\n\"b.example\" = { level = \"verify\" }\n",
        )
        .unwrap();
        assert!(needs_restart(&old, &new).is_empty());
        let newer = Config::from_toml(
            "[delivery]\nmode = \"mx\"\nmax_deliveries = 3\n[admin]\nlisten = \"127.0.0.1:1\"\n",
        )
        .unwrap();
        assert_eq!(
            needs_restart(&old, &newer),
            vec!["[admin]", "[delivery] (other than [delivery.routes])"]
        );
    }
}
