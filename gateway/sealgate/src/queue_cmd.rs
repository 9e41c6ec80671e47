//! `sealgate queue list|show`: through the admin API while a gateway runs, straight from the
//! store when none answers. Addresses are shown in clear: this is the administrator's view of
//! the store, behind the admin token or file-system access to the spool.

use crate::admin_client::{self, NotRunning};
use crate::settings::load_config;
use anyhow::{Context, bail};
use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::store::{QueueEntry, QueueStore};
use sealgate_core::{EventKind, MessageId, SystemClock};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Where to find the queue.
pub struct Target {
    /// Config file (embedded default when absent).
    pub config: Option<PathBuf>,
    /// Admin API address override.
    pub admin: Option<SocketAddr>,
    /// JSON output.
    pub json: bool,
}

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
    let keys =
        MasterKeys::load(&config.storage.master_key_file).context("storage.master_key_file")?;
    let rng = Arc::new(OsRandom::checked()?);
    let spool = Spool::open(&config.storage.dir, keys, Arc::new(SystemClock), rng)
        .context("no gateway answers on the admin API and the store cannot be opened")?;
    Ok(Source::Store(spool))
}

fn api_json<T: serde::de::DeserializeOwned>(
    addr: SocketAddr,
    token: &str,
    path: &str,
) -> anyhow::Result<Option<T>> {
    let (status, body) = admin_client::get(addr, token, path)?;
    match status {
        200 => Ok(Some(
            serde_json::from_slice(&body).context("admin API answer")?,
        )),
        404 => Ok(None),
        s => bail!("admin API answered {s}: {}", String::from_utf8_lossy(&body)),
    }
}

/// `queue list`.
pub fn list(target: &Target, limit: usize) -> anyhow::Result<u8> {
    let entries: Vec<QueueEntry> = match open(target)? {
        Source::Api { addr, token } => {
            api_json(addr, &token, &format!("/api/v1/queue?limit={limit}"))?.unwrap_or_default()
        }
        Source::Store(s) => s.list(None, limit)?,
    };
    if target.json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(0);
    }
    println!(
        "{:<26}  {:<24}  {:<12}  {:>9}  RECIPIENTS",
        "ID", "RECEIVED", "TENANT", "SIZE"
    );
    for e in &entries {
        let states: Vec<String> = e
            .recipients
            .iter()
            .map(|r| format!("{}={}", r.address, r.status))
            .collect();
        println!(
            "{:<26}  {:<24}  {:<12}  {:>9}  {}",
            e.message.id,
            sealgate_accept::rfc5322_date(e.message.received_at)
                .get(5..25)
                .unwrap_or(""),
            e.message.tenant,
            e.message.size,
            states.join(" ")
        );
    }
    println!("{} message(s)", entries.len());
    Ok(0)
}

/// `queue show ID`.
pub fn show(target: &Target, id: &str) -> anyhow::Result<u8> {
    let id: MessageId = id.parse().context("not a message id")?;
    let entry: Option<QueueEntry> = match open(target)? {
        Source::Api { addr, token } => api_json(addr, &token, &format!("/api/v1/queue/{id}"))?,
        Source::Store(s) => s.get(id)?,
    };
    let Some(e) = entry else {
        eprintln!("no message {id}");
        return Ok(1);
    };
    if target.json {
        println!("{}", serde_json::to_string_pretty(&e)?);
        return Ok(0);
    }
    print_entry(&e);
    Ok(0)
}

fn print_entry(e: &QueueEntry) {
    let m = &e.message;
    println!("Message   {}", m.id);
    println!("Received  {}", sealgate_accept::rfc5322_date(m.received_at));
    println!("Tenant    {}", m.tenant);
    println!(
        "Client    {} (HELO {}, TLS {})",
        m.client.ip,
        m.client.helo,
        m.client.tls_version.as_deref().unwrap_or("none")
    );
    println!(
        "Sender    {}",
        m.envelope
            .mail_from
            .as_ref()
            .map_or("<>".to_string(), ToString::to_string)
    );
    println!("Size      {} octets", m.size);
    println!(
        "Msg-ID    {}",
        m.header_message_id.as_deref().unwrap_or("(none)")
    );
    println!(
        "Decision  phi={} rules=[{}] hits=[{}]",
        m.decision.phi,
        m.decision.rules.join(", "),
        m.decision
            .hits
            .iter()
            .map(|h| format!("{}×{}", h.detector, h.count))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for r in &e.recipients {
        let req = m
            .decision
            .recipients
            .get(r.index as usize)
            .map_or("deliver", |q| q.name());
        println!(
            "Recipient {} — {} (requirement {req}, {} attempt(s))",
            r.address, r.status, r.attempts
        );
        for ev in &r.events {
            let when = sealgate_accept::rfc5322_date(ev.at);
            let what = match &ev.kind {
                EventKind::Accepted { requirement } => {
                    format!("accepted, requirement {requirement}")
                }
                EventKind::Status { status, reason } => format!("{status}: {reason}"),
                EventKind::Attempt(a) => format!(
                    "attempt via {} tls={} reply={}",
                    a.next_hop,
                    a.tls_version.as_deref().unwrap_or("none"),
                    a.reply
                        .as_ref()
                        .map_or("-".to_string(), ToString::to_string)
                ),
                EventKind::Recovered => "requeued after restart".to_string(),
            };
            println!("    {when}  {what}");
        }
    }
}
