//! `sealgate portal list|show|revoke|extend`: the secure portal's escrowed copies, through the
//! running gateway's admin API (the gateway owns the escrow store). Shows ids, recipients,
//! tenants, states, expiry and events — never content, a link or a key.

use crate::admin_client;
use crate::queue_cmd::Target;
use crate::settings::load_config;
use anyhow::{Context, bail};
use std::net::SocketAddr;

fn api(target: &Target) -> anyhow::Result<(SocketAddr, String)> {
    let config = load_config(target.config.as_deref())?;
    if config.portal.is_none() {
        bail!("no [portal] in the configuration");
    }
    let addr = target.admin.unwrap_or(config.admin.listen);
    let token =
        crate::secrets::read_secret(&config.admin.token_file).context("admin.token_file")?;
    Ok((addr, String::from_utf8_lossy(&token).trim().to_string()))
}

fn answer(status: u16, body: &[u8]) -> anyhow::Result<serde_json::Value> {
    match status {
        200 => serde_json::from_slice(body).context("admin API answer"),
        404 => bail!("no such escrowed copy"),
        s => bail!("admin API answered {s}: {}", String::from_utf8_lossy(body)),
    }
}

/// `ms since the epoch` as `YYYY-MM-DDTHH:MMZ`-ish text via the deliver stage's date format.
pub fn date(v: &serde_json::Value) -> String {
    v.as_u64()
        .map(|ms| sealgate_deliver::notice::rfc5322_date(sealgate_core::Timestamp(ms)))
        .unwrap_or_default()
}

fn line(r: &serde_json::Value) -> String {
    format!(
        "{}  {:<8}  {:<10}  expires {}  {}  ({} of message {})",
        r["id"].as_str().unwrap_or_default(),
        r["state"].as_str().unwrap_or_default(),
        r["tenant"].as_str().unwrap_or_default(),
        date(&r["expires"]),
        r["recipient"].as_str().unwrap_or_default(),
        r["recipient_index"],
        r["message_id"].as_str().unwrap_or_default(),
    )
}

/// `portal list`.
pub fn list(target: &Target) -> anyhow::Result<u8> {
    let (addr, token) = api(target)?;
    let (status, body) = admin_client::get(addr, &token, "/api/v1/portal")?;
    let v = answer(status, &body)?;
    if target.json {
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    for r in v.as_array().into_iter().flatten() {
        outln!("{}", line(r));
    }
    Ok(0)
}

/// Prints one copy's events (also used by `queue show`).
pub fn print_events(shown: &serde_json::Value) {
    for e in shown["events"].as_array().into_iter().flatten() {
        let actor = match e["actor"]["pseudonym"].as_str() {
            Some(p) => format!("{} {p}", e["actor"]["role"].as_str().unwrap_or_default()),
            None => e["actor"]["role"].as_str().unwrap_or_default().to_string(),
        };
        outln!(
            "    {}  {:<22} {actor}",
            date(&e["at"]),
            e["kind"].as_str().unwrap_or_default()
        );
    }
}

/// `portal show ID`.
pub fn show(target: &Target, id: &str) -> anyhow::Result<u8> {
    let (addr, token) = api(target)?;
    let (status, body) = admin_client::get(addr, &token, &format!("/api/v1/portal/{id}"))?;
    let v = answer(status, &body)?;
    if target.json {
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    outln!("{}", line(&v["record"]));
    outln!(
        "  reference word {}",
        v["record"]["reference"].as_str().unwrap_or_default()
    );
    print_events(&v);
    Ok(0)
}

/// `portal revoke ID` / `portal extend ID --days N`.
pub fn action(target: &Target, id: &str, action: &str, days: Option<u64>) -> anyhow::Result<u8> {
    let (addr, token) = api(target)?;
    let path = match days {
        Some(d) => format!("/api/v1/portal/{id}/{action}?days={d}"),
        None => format!("/api/v1/portal/{id}/{action}"),
    };
    let (status, body) = admin_client::post(addr, &token, &path)?;
    let v = answer(status, &body)?;
    if target.json {
        outln!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        outln!("{action}: {}", line(&v));
    }
    Ok(0)
}
