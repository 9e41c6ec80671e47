//! Builds the accept stage's settings from a configuration: tenants, TLS, the classifier.
//! Used at start and on every SIGHUP reload (a failure keeps the running settings).

use anyhow::Context;
use sealgate_accept::tls::{ClientRoots, acceptor};
use sealgate_accept::{Classifier, Settings};
use sealgate_config::{CertSource, ClientCa, Config, Platform};
use sealgate_connectors::{LoopStamp, MailAuthDkim, Tenants};
use sealgate_core::{Decision, Message};
use sealgate_rules::{ChildProcess, RuleSet};
use std::sync::Arc;

/// Loads and parses a config file, or the embedded default.
/// Also sets how the CLI's admin client reaches this configuration's admin API (TLS or not).
pub fn load_config(path: Option<&std::path::Path>) -> anyhow::Result<Config> {
    let config = match path {
        None => Config::embedded(),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            Config::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
        }
    };
    crate::admin_client::configure(&config.admin);
    Ok(config)
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
    let tenants = tenants(config)?;
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
        classifier: Arc::new(Rules(rule_set(config)?)),
    })
}

/// The tenant table: tokens read from their files (0600 enforced), the loop-stamp key, and
/// — when a google tenant exists — the DKIM verifier over the configured resolver.
fn tenants(config: &Config) -> anyhow::Result<Tenants> {
    let tenants = Tenants::load(&config.tenants, crate::secrets::read_secret)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_stamp(LoopStamp::new(crate::secrets::loop_stamp_key(
            &config.storage.dir,
        )?));
    let google = config
        .tenants
        .iter()
        .any(|t| matches!(t.platform, Platform::Google { .. }));
    if !google {
        return Ok(tenants);
    }
    let dkim = MailAuthDkim::new(&config.delivery.testing.nameservers).context("tenants")?;
    Ok(tenants.with_dkim(Arc::new(dkim)))
}

/// The rule set of `[rules] dir`, or the shipped default, extracting attachment text in a
/// child process (this binary's hidden `__extract` subcommand) that can be limited and killed.
pub fn rule_set(config: &Config) -> anyhow::Result<RuleSet> {
    let set = match &config.rules.dir {
        None => RuleSet::embedded_default(),
        Some(dir) => RuleSet::load_dir(dir).map_err(|errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow::anyhow!(
                "rules.dir: {} error(s):\n  {}",
                errors.len(),
                lines.join("\n  ")
            )
        })?,
    };
    let exe =
        std::env::current_exe().context("cannot locate the sealgate binary for the extractor")?;
    let child = ChildProcess::new(exe, vec!["__extract".to_string()], EXTRACT_MEMORY_MIB);
    Ok(set.with_extractor(Arc::new(child)))
}

/// Address-space limit of one extraction child.
const EXTRACT_MEMORY_MIB: u64 = 512;

/// The rules engine as the accept stage's classify hook.
struct Rules(RuleSet);

impl Classifier for Rules {
    fn classify(&self, message: &Message) -> Decision {
        self.0.classify(message)
    }
}
