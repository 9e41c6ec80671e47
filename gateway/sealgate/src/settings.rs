//! Builds the accept stage's settings from a configuration: tenants, TLS, the classifier.
//! Used at start and on every SIGHUP reload (a failure keeps the running settings).

use anyhow::Context;
use sealgate_accept::tls::{ClientRoots, acceptor};
use sealgate_accept::{Classifier, Settings};
use sealgate_config::{CertSource, ClientCa, Config, Platform};
use sealgate_connectors::{LoopStamp, MailAuthDkim, Tenants, self_test_address};
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

/// The tenant table: tokens read from their files (0600 enforced), the loop-stamp key, the
/// connector self-test address (`connect-test@<gateway.domain>`), and — when a google tenant
/// exists — the DKIM verifier over the configured resolver.
fn tenants(config: &Config) -> anyhow::Result<Tenants> {
    let mut tenants = Tenants::load(&config.tenants, crate::secrets::read_secret)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_stamp(LoopStamp::new(crate::secrets::loop_stamp_key(
            &config.storage.dir,
        )?));
    if let Some(address) = self_test_address(&config.gateway.domain) {
        tenants = tenants.with_self_test(address);
    }
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
    let child = extractor(&set, exe, vec!["__extract".to_string()]);
    Ok(set.with_extractor(Arc::new(child)))
}

/// The extraction child for `set`: `program args…` limited to the rule set's
/// `[settings.limits] extract_memory_mib` of address space.
fn extractor(set: &RuleSet, program: std::path::PathBuf, args: Vec<String>) -> ChildProcess {
    ChildProcess::new(program, args, set.limits().extract_memory_mib)
}

/// The rules engine as the accept stage's classify hook.
struct Rules(RuleSet);

impl Classifier for Rules {
    fn classify(&self, message: &Message) -> Decision {
        self.0.classify(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealgate_rules::{DocKind, Extractor};

    /// Regression: the child was always limited to 512 MiB whatever the rule files said.
    #[test]
    fn the_extraction_child_gets_the_configured_memory_limit() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("10-limits.toml"),
            "[settings.limits]\nextract_memory_mib = 64\n",
        )
        .unwrap();
        let set = RuleSet::load_dir(dir.path()).unwrap();
        // A stand-in child that answers with the limit it was given (the protocol: read the
        // request, write the text, exit 0).
        let script = r#"cat >/dev/null; printf %s "$SEALGATE_EXTRACT_MEMORY_MIB""#;
        let child = extractor(
            &set,
            "/bin/sh".into(),
            vec!["-c".to_string(), script.to_string()],
        );
        let got = child
            .extract(
                DocKind::Pdf,
                b"%PDF-1.4",
                1024,
                std::time::Duration::from_secs(10),
            )
            .unwrap();
        assert_eq!(got, "64");
    }
}
