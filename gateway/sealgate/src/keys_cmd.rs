//! `sealgate keys import|list|remove|trust`: recipient OpenPGP certificates and S/MIME
//! certificates in the spool's key store, with trust levels (manual > verified > discovered).
//!
//! Through the admin API (`/api/v1/keys…`) while a gateway runs (redb admits one process),
//! straight on the store when none answers. Every change is an audit record (`keys.import`,
//! `keys.remove`, `keys.trust`) naming the fingerprint, never key material.

use crate::admin_client::{self, NotRunning};
use crate::settings::load_config;
use anyhow::{Context, bail};
use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::store::{AuditLog, AuditRecord, StoreError};
use sealgate_core::{Clock, SystemClock};
use sealgate_transform::keys::{Imported, Listed};
use sealgate_transform::{TrustLevel, keys};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// Where the store is.
pub(crate) use crate::cli::Remote as Target;

enum Source {
    Api { addr: SocketAddr, token: String },
    Store(Spool),
}

fn open(target: &Target) -> anyhow::Result<Source> {
    let config = load_config(target.config.as_deref())?;
    let addr = target.admin.unwrap_or(config.admin.listen);
    if let Ok(token) = crate::secrets::read_secret(&config.admin.token_file) {
        let token = String::from_utf8_lossy(&token).trim().to_string();
        match admin_client::get(addr, &token, "/healthz") {
            Ok(_) => return Ok(Source::Api { addr, token }),
            Err(e) if e.downcast_ref::<NotRunning>().is_some() => {}
            Err(e) => return Err(e),
        }
    }
    // Keys may be imported before the first `serve`: create the master key (0600) if absent.
    let master = MasterKeys::load_or_generate(&config.storage.master_key_file)
        .context("storage.master_key_file")?;
    let rng = Arc::new(OsRandom::checked()?);
    let spool = Spool::open(&config.storage.dir, master, Arc::new(SystemClock), rng)
        .context("no gateway answers on the admin API and the store cannot be opened")?;
    Ok(Source::Store(spool))
}

/// The JSON of a 200 answer; `None` for 404; other statuses are errors.
fn answer<T: serde::de::DeserializeOwned>(
    (status, body): (u16, Vec<u8>),
) -> anyhow::Result<Option<T>> {
    match status {
        200 => Ok(Some(
            serde_json::from_slice(&body).context("admin API answer")?,
        )),
        404 => Ok(None),
        s => {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            bail!(
                "admin API answered {s}: {}",
                v["error"].as_str().unwrap_or("error")
            )
        }
    }
}

fn audit(spool: &Spool, action: &str, detail: String) -> Result<(), StoreError> {
    spool
        .audit()
        .append(&AuditRecord {
            at: SystemClock.now(),
            actor: "cli".into(),
            action: action.into(),
            message: None,
            detail,
        })
        .map(|_| ())
}

/// Letters and digits only (drops spaces and colons), for use in a URL path.
fn clean(fingerprint: &str) -> String {
    fingerprint
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

fn kind_name(kind: sealgate_core::store::KeyKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "key".into())
}

/// `keys import FILE [--trust LEVEL]`.
pub fn import(target: &Target, file: &Path, trust: &str) -> anyhow::Result<u8> {
    let trust: TrustLevel = trust.parse()?;
    let material =
        std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let imported: Imported = match open(target)? {
        Source::Api { addr, token } => {
            let path = format!("/api/v1/keys?trust={trust}");
            answer(admin_client::post_body(addr, &token, &path, &material)?)?
                .context("the admin API has no key routes")?
        }
        Source::Store(spool) => {
            let imported = keys::import(&spool.keys(), &material, trust, SystemClock.now())?;
            let detail = format!("{} trust {trust}", imported.fingerprint);
            audit(&spool, "keys.import", detail)?;
            release_held(spool, &imported.addresses)?;
            imported
        }
    };
    if target.json {
        outln!("{}", serde_json::to_string_pretty(&imported)?);
    } else {
        outln!(
            "imported {} {} for {} (trust {})",
            kind_name(imported.kind),
            imported.fingerprint,
            imported.addresses.join(", "),
            imported.trust
        );
    }
    Ok(0)
}

/// The held recipients of `addresses` become due (chain re-run) when the gateway starts, as
/// the admin API does at once while it runs; holds an administrator placed stay.
fn release_held(spool: Spool, addresses: &[String]) -> anyhow::Result<()> {
    let control = sealgate_deliver::QueueControl {
        store: Arc::new(spool),
        clock: Arc::new(SystemClock),
        hold_expiry: std::time::Duration::ZERO,
        wake: Arc::new(|_| {}),
    };
    let filter = sealgate_deliver::ReleaseFilter {
        addresses: Some(addresses.to_vec()),
        skip_admin_holds: true,
        ..Default::default()
    };
    let released = control.release_matching(&filter)?;
    if !released.is_empty() {
        eprintln!(
            "released the held recipients of {} message(s): their chain runs again",
            released.len()
        );
    }
    Ok(())
}

/// `keys list`.
pub fn list(target: &Target) -> anyhow::Result<u8> {
    let listed: Vec<Listed> = match open(target)? {
        Source::Api { addr, token } => answer(admin_client::get(addr, &token, "/api/v1/keys")?)?
            .context("the admin API has no key routes")?,
        Source::Store(spool) => keys::list(&spool.keys())?,
    };
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
        outln!(
            "{:<8}  {:<10}  {:<64}  {}",
            kind_name(k.kind),
            k.trust,
            k.fingerprint,
            k.address
        );
    }
    outln!("{} key record(s)", listed.len());
    Ok(0)
}

/// Runs a change through the API (`path`) or on the store (`local`); `None` when no key has
/// the fingerprint.
fn change(
    target: &Target,
    path: &str,
    local: impl FnOnce(&Spool) -> Result<usize, StoreError>,
) -> anyhow::Result<Option<usize>> {
    match open(target)? {
        Source::Api { addr, token } => {
            let v: Option<serde_json::Value> = answer(admin_client::post(addr, &token, path)?)?;
            Ok(v.map(|v| usize::try_from(v["changed"].as_u64().unwrap_or(0)).unwrap_or(0)))
        }
        Source::Store(spool) => match local(&spool) {
            Ok(n) => Ok(Some(n)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        },
    }
}

/// `keys remove FINGERPRINT`.
pub fn remove(target: &Target, fingerprint: &str) -> anyhow::Result<u8> {
    let fp = clean(fingerprint);
    let path = format!("/api/v1/keys/{fp}/remove");
    let done = change(target, &path, |spool| {
        let n = keys::remove(&spool.keys(), &fp)?;
        audit(spool, "keys.remove", fp.clone())?;
        Ok(n)
    })?;
    let Some(n) = done else {
        eprintln!("no key with fingerprint {fp}");
        return Ok(1);
    };
    outln!("removed {fp} ({n} record(s))");
    Ok(0)
}

/// `keys trust FINGERPRINT LEVEL`.
pub fn trust(target: &Target, fingerprint: &str, level: &str) -> anyhow::Result<u8> {
    let level: TrustLevel = level.parse()?;
    let fp = clean(fingerprint);
    let path = format!("/api/v1/keys/{fp}/trust/{level}");
    let done = change(target, &path, |spool| {
        let n = keys::set_trust(&spool.keys(), &fp, level)?;
        audit(spool, "keys.trust", format!("{fp} {level}"))?;
        Ok(n)
    })?;
    let Some(n) = done else {
        eprintln!("no key with fingerprint {fp}");
        return Ok(1);
    };
    outln!("{fp}: trust {level} ({n} record(s))");
    Ok(0)
}
