//! `sealgate tls status DOMAIN [--json]`: what is known about a recipient domain's transport
//! security — the `[tls.domains]` floor, the pin, the cached MTA-STS policy and the last
//! session's TLS version, cipher and certificate result. No DNS, no network: through the admin
//! API while a gateway runs (it holds the store and has facts not yet flushed), straight from
//! the store when none answers.

use crate::admin_client::{self, NotRunning};
use crate::settings::load_config;
use anyhow::{Context, bail};
use sealgate_admin::tls::TlsStatus;
use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::{Domain, SystemClock};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Where to find the gateway.
pub struct Target {
    /// Config file (embedded default when absent).
    pub config: Option<PathBuf>,
    /// Admin API address override.
    pub admin: Option<SocketAddr>,
}

/// `tls status DOMAIN`.
pub fn status(target: &Target, domain: &str, json: bool) -> anyhow::Result<u8> {
    let domain = Domain::parse(domain).map_err(|e| anyhow::anyhow!("{domain}: {e}"))?;
    let config = load_config(target.config.as_deref())?;
    let addr = target.admin.unwrap_or(config.admin.listen);
    let mut status = None;
    if let Ok(token) = crate::secrets::read_secret(&config.admin.token_file) {
        let token = String::from_utf8_lossy(&token).trim().to_string();
        match admin_client::get(addr, &token, &format!("/api/v1/tls/{domain}")) {
            Ok((200, body)) => {
                status =
                    Some(serde_json::from_slice::<TlsStatus>(&body).context("admin API answer")?);
            }
            Ok((code, body)) => {
                bail!(
                    "admin API answered {code}: {}",
                    String::from_utf8_lossy(&body)
                )
            }
            Err(e) if e.downcast_ref::<NotRunning>().is_some() => {}
            Err(e) => return Err(e),
        }
    }
    let status = match status {
        Some(s) => s,
        None => {
            let keys = MasterKeys::load(&config.storage.master_key_file)
                .context("storage.master_key_file")?;
            let rng = Arc::new(OsRandom::checked()?);
            let spool = Spool::open(&config.storage.dir, keys, Arc::new(SystemClock), rng)
                .context("no gateway answers on the admin API and the store cannot be opened")?;
            TlsStatus::from_stores(
                &config.tls,
                &domain,
                Arc::new(spool.pins()),
                &spool.sts_cache(),
                &spool.tls_state(),
                Arc::new(SystemClock),
            )?
        }
    };
    if json {
        outln!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        for line in status.to_string().lines() {
            outln!("{line}");
        }
    }
    Ok(0)
}
