//! The checks `serve` makes before it creates, opens or binds anything, shared with
//! `sealgate config check` — so a file `config check` passes is one `serve` starts with.
//!
//! Guarantees: nothing here creates a file or a directory, opens the queue database (locked
//! while a gateway runs) or generates a key; each problem names the key and the path, says the
//! cause first and then the fix (`rules.dir "/etc/sealgate/rulez": no such directory (…)`).

use sealgate_config::{CertSource, ClientCa, Config, DeliveryMode};
use std::path::Path;

/// Every problem found, in the order: files that are missing, then files that cannot be used.
pub fn check(config: &Config) -> Vec<String> {
    let mut p = Problems::default();
    rules(config, &mut p);
    smtp_tls(config, &mut p);
    admin(config, &mut p);
    portal(config, &mut p);
    tenants(config, &mut p);
    if let Err(problems) = crate::dkim_cmd::check_keys(config) {
        p.unusable.extend(problems);
    }
    storage(config, &mut p);
    delivery(config, &mut p);
    p.missing.into_iter().chain(p.unusable).collect()
}

#[derive(Default)]
struct Problems {
    /// Root causes: a file or directory that is not there.
    missing: Vec<String>,
    /// Files that are there but cannot be used.
    unusable: Vec<String>,
}

impl Problems {
    /// Records `key "path": no such file|directory (fix)`; true when it exists as that kind.
    fn exists(&mut self, key: &str, path: &Path, dir: bool, fix: &str) -> bool {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() == dir => true,
            Ok(_) => {
                let want = if dir {
                    "not a directory"
                } else {
                    "a directory, not a file"
                };
                self.unusable
                    .push(format!("{key} \"{}\": {want} ({fix})", path.display()));
                false
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let what = if dir { "directory" } else { "file" };
                self.missing.push(format!(
                    "{key} \"{}\": no such {what} ({fix})",
                    path.display()
                ));
                false
            }
            Err(e) => {
                self.unusable.push(format!(
                    "{key} \"{}\": cannot be read: {e} ({fix})",
                    path.display()
                ));
                false
            }
        }
    }
}

fn rules(config: &Config, p: &mut Problems) {
    let Some(dir) = &config.rules.dir else {
        return;
    };
    let fix = "create it with the rule files, or remove rules.dir to use the shipped rules";
    if !p.exists("rules.dir", dir, true, fix) {
        return;
    }
    if let Err(errors) = sealgate_rules::RuleSet::load_dir(dir) {
        for e in errors {
            p.unusable
                .push(format!("rules.dir \"{}\": {e}", dir.display()));
        }
    }
}

fn smtp_tls(config: &Config, p: &mut Problems) {
    let tls = &config.smtp.tls;
    if let ClientCa::File(ca) = &tls.client_ca {
        p.exists(
            "smtp.tls.client_ca",
            ca,
            false,
            "the CA bundle (PEM) of tenants' client certificates",
        );
    }
    let CertSource::Files { cert, key } = &tls.cert else {
        return;
    };
    let a = p.exists("smtp.tls.cert", cert, false, "the certificate chain, PEM");
    let b = p.exists("smtp.tls.key", key, false, "its private key, PEM");
    if a && b
        && let Err(e) =
            sealgate_accept::tls::acceptor(cert, key, sealgate_accept::tls::ClientRoots::None)
    {
        p.unusable.push(format!("smtp.tls: {e}"));
    }
}

fn admin(config: &Config, p: &mut Problems) {
    let a = &config.admin;
    let Some(tls) = &a.tls else {
        return;
    };
    let c = p.exists(
        "admin.tls_cert",
        &tls.cert,
        false,
        "the certificate chain, PEM",
    );
    let k = p.exists("admin.tls_key", &tls.key, false, "its private key, PEM");
    if c && k
        && let Err(e) = sealgate_accept::tls::acceptor(
            &tls.cert,
            &tls.key,
            sealgate_accept::tls::ClientRoots::None,
        )
    {
        p.unusable.push(format!("admin: {e}"));
    }
}

/// Each `[portal.tenants.NAME.texts.LANG] KEY` against the portal's catalogue: a known key,
/// only the placeholders of the text it replaces.
fn portal_texts(config: &Config, p: &mut Problems) {
    for t in config.portal.iter().flat_map(|c| &c.tenants) {
        for o in &t.texts {
            let lang = sealgate_portal::Lang::from_code(&o.lang).unwrap_or_default();
            if let Err(e) = sealgate_portal::i18n::check_override(&o.key, lang, &o.text) {
                p.unusable.push(format!(
                    "portal.tenants.{}.texts.{}.{}: {e}",
                    t.name, o.lang, o.key
                ));
            }
        }
    }
}

fn portal(config: &Config, p: &mut Problems) {
    portal_texts(config, p);
    for t in config.portal.iter().flat_map(|c| &c.tenants) {
        let Some(logo) = &t.logo else {
            continue;
        };
        let key = format!("portal.tenants.{}.logo", t.name);
        if p.exists(&key, logo, false, "a PNG or SVG file") {
            let checked = std::fs::read(logo)
                .map_err(|e| e.to_string())
                .and_then(sealgate_portal::Logo::from_bytes);
            if let Err(e) = checked {
                p.unusable
                    .push(format!("{key} \"{}\": {e}", logo.display()));
            }
        }
    }
    let Some((cert, key)) = config.portal.as_ref().and_then(|c| c.tls.as_ref()) else {
        return;
    };
    let c = p.exists("portal.tls_cert", cert, false, "the certificate chain, PEM");
    let k = p.exists("portal.tls_key", key, false, "its private key, PEM");
    if c && k
        && let Err(e) =
            sealgate_accept::tls::acceptor(cert, key, sealgate_accept::tls::ClientRoots::None)
    {
        p.unusable.push(format!("portal: {e}"));
    }
}

fn tenants(config: &Config, p: &mut Problems) {
    for t in &config.tenants {
        if let Some(c) = &t.return_cert {
            let fix = "the gateway's client certificate for this tenant's return route (PEM)";
            let key = format!("tenants.{}.return_route.client_cert", t.name);
            p.exists(&key, &c.cert, false, fix);
            let key = format!("tenants.{}.return_route.client_key", t.name);
            p.exists(&key, &c.key, false, fix);
        }
        let Some(path) = &t.token_file else {
            continue;
        };
        let key = format!("tenants.{}.token_file", t.name);
        let fix = format!(
            "create it with `sealgate tenant token {} --config FILE`",
            t.name
        );
        if p.exists(&key, path, false, &fix)
            && let Err(e) = crate::secrets::read_secret(path)
        {
            p.unusable.push(format!("{key}: {e:#}"));
        }
    }
}

fn storage(config: &Config, p: &mut Problems) {
    let s = &config.storage;
    // Created by `serve` when missing: only what exists is checked.
    if s.dir.exists() && !s.dir.is_dir() {
        p.unusable.push(format!(
            "storage.dir \"{}\": not a directory",
            s.dir.display()
        ));
    }
    if s.master_key_file.exists()
        && let Err(e) = sealgate_commit::MasterKeys::load(&s.master_key_file)
    {
        p.unusable.push(format!(
            "storage.master_key_file \"{}\": {e}",
            s.master_key_file.display()
        ));
    }
}

fn delivery(config: &Config, p: &mut Problems) {
    if let Some(dir) = &config.gateway.notice_templates
        && p.exists(
            "gateway.notice_templates",
            dir,
            true,
            "the directory of NAME.txt templates",
        )
        && let Err(e) = sealgate_deliver::Templates::load(Some(dir))
    {
        p.unusable.push(format!("gateway.notice_templates: {e}"));
    }
    if matches!(config.delivery.mode, DeliveryMode::Mx) {
        let t = &config.tls.testing;
        for (key, path) in [
            ("tls.testing.mx_ca", &t.mx_ca),
            ("tls.testing.mta_sts_ca", &t.mta_sts_ca),
        ] {
            if let Some(path) = path {
                p.exists(key, path, false, "a CA bundle, PEM");
            }
        }
    }
}
