//! Builds the accept stage's settings from a configuration: tenants, TLS, the classifier.
//! Used at start and on every SIGHUP reload (a failure keeps the running settings).

use anyhow::Context;
use sealgate_accept::tls::{ClientRoots, acceptor};
use sealgate_accept::{Settings, Uniform};
use sealgate_config::{CertSource, ClientCa, Config};
use sealgate_connectors::Tenants;
use sealgate_core::Requirement;
use std::sync::Arc;

/// Loads and parses a config file, or the embedded default.
pub fn load_config(path: Option<&std::path::Path>) -> anyhow::Result<Config> {
    match path {
        None => Ok(Config::embedded()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            Config::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
        }
    }
}

/// The accept-stage settings for `config`.
pub fn build(config: &Config) -> anyhow::Result<Settings> {
    let tls_cfg = &config.smtp.tls;
    let (cert, key) = match &tls_cfg.cert {
        CertSource::Files { cert, key } => (cert.clone(), key.clone()),
        CertSource::SelfSigned => {
            crate::secrets::self_signed(&config.storage.dir, &config.smtp.hostname)?
        }
    };
    let cert_names: Vec<String> = config
        .tenants
        .iter()
        .flat_map(|t| t.client_cert_names.iter().cloned())
        .collect();
    let roots = match (&tls_cfg.client_ca, cert_names.is_empty()) {
        (_, true) => ClientRoots::None,
        (ClientCa::System, false) => ClientRoots::Mozilla,
        (ClientCa::File(p), false) => ClientRoots::File(p),
    };
    let tls = acceptor(&cert, &key, roots).context("smtp.tls")?;
    let tenants = Tenants::from_config(&config.tenants);
    if tenants.has_open_sender_tenant() {
        tracing::warn!(
            "a tenant has any_sender_domain = true: clients in its networks may send as ANY domain. \
             This is the embedded trial default; configure [tenants.NAME] sender_domains for production"
        );
    }
    Ok(Settings {
        smtp: config.smtp.clone(),
        tenants,
        cert_names,
        tls: Some(tls),
        classifier: Arc::new(Uniform(Requirement::Deliver)),
    })
}
