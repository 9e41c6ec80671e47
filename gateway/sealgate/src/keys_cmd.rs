//! `sealgate keys import|list|remove|trust`: recipient OpenPGP certificates and S/MIME
//! certificates in the spool's key store, with trust levels (manual > verified > discovered).
//!
//! These work on the store directly, so they need the gateway stopped (redb admits one
//! process); while a gateway answers on the admin API they refuse and say so — the admin-API
//! key routes are not built yet. Every change is an audit record (`keys.import`,
//! `keys.remove`, `keys.trust`) naming the fingerprint, never key material.

use crate::admin_client::{self, NotRunning};
use crate::settings::load_config;
use anyhow::{Context, bail};
use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::store::{AuditLog, AuditRecord, StoreError};
use sealgate_core::{Clock, SystemClock};
use sealgate_transform::{TrustLevel, keys};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the store is.
pub struct Target {
    /// Config file (embedded default when absent).
    pub config: Option<PathBuf>,
    /// JSON output.
    pub json: bool,
}

fn open(target: &Target) -> anyhow::Result<Spool> {
    let config = load_config(target.config.as_deref())?;
    if let Ok(token) = crate::secrets::read_secret(&config.admin.token_file) {
        let token = String::from_utf8_lossy(&token).trim().to_string();
        match admin_client::get(config.admin.listen, &token, "/healthz") {
            Ok(_) => bail!(
                "a gateway is running on {} and holds the store; stop it to change keys \
                 (the admin API has no key routes yet)",
                config.admin.listen
            ),
            Err(e) if e.downcast_ref::<NotRunning>().is_some() => {}
            Err(e) => return Err(e),
        }
    }
    // Keys may be imported before the first `serve`: create the master key (0600) if absent.
    let master = MasterKeys::load_or_generate(&config.storage.master_key_file)
        .context("storage.master_key_file")?;
    let rng = Arc::new(OsRandom::checked()?);
    Spool::open(&config.storage.dir, master, Arc::new(SystemClock), rng)
        .context("the store cannot be opened")
}

fn audit(spool: &Spool, action: &str, detail: String) -> anyhow::Result<()> {
    spool.audit().append(&AuditRecord {
        at: SystemClock.now(),
        actor: "cli".into(),
        action: action.into(),
        message: None,
        detail,
    })?;
    Ok(())
}

/// `keys import FILE [--trust LEVEL]`.
pub fn import(target: &Target, file: &Path, trust: &str) -> anyhow::Result<u8> {
    let trust: TrustLevel = trust.parse()?;
    let material =
        std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let spool = open(target)?;
    let imported = keys::import(&spool.keys(), &material, trust, SystemClock.now())?;
    let kind = serde_json::to_value(imported.kind)?;
    audit(
        &spool,
        "keys.import",
        format!(
            "{} {} trust {}",
            kind.as_str().unwrap_or("key"),
            imported.fingerprint,
            trust
        ),
    )?;
    if target.json {
        outln!("{}", serde_json::to_string_pretty(&imported)?);
    } else {
        outln!(
            "imported {} {} for {} (trust {})",
            kind.as_str().unwrap_or("key"),
            imported.fingerprint,
            imported.addresses.join(", "),
            imported.trust
        );
    }
    Ok(0)
}

/// `keys list`.
pub fn list(target: &Target) -> anyhow::Result<u8> {
    let spool = open(target)?;
    let listed = keys::list(&spool.keys())?;
    if target.json {
        outln!("{}", serde_json::to_string_pretty(&listed)?);
        return Ok(0);
    }
    outln!(
        "{:<8}  {:<10}  {:<64}  ADDRESS",
        "KIND",
        "TRUST",
        "FINGERPRINT"
    );
    for k in &listed {
        let kind = serde_json::to_value(k.kind)?;
        outln!(
            "{:<8}  {:<10}  {:<64}  {}",
            kind.as_str().unwrap_or("key"),
            k.trust,
            k.fingerprint,
            k.address
        );
    }
    outln!("{} key record(s)", listed.len());
    Ok(0)
}

fn not_found(r: Result<usize, StoreError>, fingerprint: &str) -> anyhow::Result<Option<usize>> {
    match r {
        Ok(n) => Ok(Some(n)),
        Err(StoreError::NotFound) => {
            eprintln!("no key with fingerprint {fingerprint}");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// `keys remove FINGERPRINT`.
pub fn remove(target: &Target, fingerprint: &str) -> anyhow::Result<u8> {
    let spool = open(target)?;
    let Some(n) = not_found(keys::remove(&spool.keys(), fingerprint), fingerprint)? else {
        return Ok(1);
    };
    audit(&spool, "keys.remove", fingerprint.to_string())?;
    outln!("removed {fingerprint} ({n} record(s))");
    Ok(0)
}

/// `keys trust FINGERPRINT LEVEL`.
pub fn trust(target: &Target, fingerprint: &str, level: &str) -> anyhow::Result<u8> {
    let level: TrustLevel = level.parse()?;
    let spool = open(target)?;
    let Some(n) = not_found(
        keys::set_trust(&spool.keys(), fingerprint, level),
        fingerprint,
    )?
    else {
        return Ok(1);
    };
    audit(&spool, "keys.trust", format!("{fingerprint} {level}"))?;
    outln!("{fingerprint}: trust {level} ({n} record(s))");
    Ok(0)
}
