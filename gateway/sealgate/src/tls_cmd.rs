//! `sealgate tls status DOMAIN [--json]`: what is known about a recipient domain's transport
//! security — the `[tls.domains]` floor, the pin, the cached MTA-STS policy and the last
//! session's TLS version, cipher and certificate result. No DNS, no network: through the admin
//! API while a gateway runs (it holds the store and has facts not yet flushed), straight from
//! the store when none answers.
//!
//! `sealgate tls report [--day YYYY-MM-DD] [--json]`: the TLS-RPT "send now" of one UTC day
//! (default today, the counts so far) — only through the running gateway's admin API (it holds
//! the day's counts and the report sink); with none running it says so and fails.

use crate::admin_client::{self, NotRunning};
use crate::settings::load_config;
use anyhow::{Context, bail};
use sealgate_admin::tls::{SentSummary, TlsStatus, day_string, parse_day};
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

/// `tls report [--day D]`: exit 0 when every destination took its report, 1 when one failed
/// (it stays pending); an error (exit 2) for a bad day, a refusal or no running gateway.
pub fn report(target: &Target, day: Option<&str>, json: bool) -> anyhow::Result<u8> {
    // Checked here too, so nothing malformed reaches the request line.
    let day = day.map(parse_day).transpose().map_err(anyhow::Error::msg)?;
    let config = load_config(target.config.as_deref())?;
    let addr = target.admin.unwrap_or(config.admin.listen);
    let token = crate::secrets::read_secret(&config.admin.token_file)
        .context("admin.token_file (tls report needs the running gateway's admin API)")?;
    let token = String::from_utf8_lossy(&token).trim().to_string();
    let path = match day {
        Some(d) => format!("/api/v1/tls/reports?day={}", day_string(d)),
        None => "/api/v1/tls/reports".to_string(),
    };
    let summary = match admin_client::post(addr, &token, &path) {
        Ok((200, body)) => {
            serde_json::from_slice::<SentSummary>(&body).context("admin API answer")?
        }
        Ok((code, body)) => {
            let text = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
            bail!("admin API answered {code}: {text}")
        }
        Err(e) if e.downcast_ref::<NotRunning>().is_some() => bail!(
            "{e}: tls report sends through the running gateway (it holds the day's TLS-RPT \
             counts); start `sealgate serve` or pass --admin"
        ),
        Err(e) => return Err(e),
    };
    let failed = summary.outcomes.iter().any(|o| o.error.is_some());
    if json {
        outln!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        outln!("reports made: {}", summary.made);
        for o in &summary.outcomes {
            let day = day_string(o.day);
            // An empty `rua`: the `_smtp._tls` lookup itself failed.
            let to = if o.rua.is_empty() {
                String::new()
            } else {
                format!(" to {}", o.rua)
            };
            match &o.error {
                None => outln!("sent: {day} {}{to}", o.domain),
                Some(e) => outln!("failed (retried later): {day} {}{to}: {e}", o.domain),
            }
        }
        for d in &summary.without_rua {
            outln!("no TLS-RPT record (report dropped): {d}");
        }
        for d in &summary.given_up {
            outln!("given up: {d}");
        }
        if summary.is_empty() {
            outln!("nothing to send");
        }
    }
    Ok(u8::from(failed))
}
