//! `sealgate queue list|show|retry|hold|release|delete`: through the admin API while a gateway
//! runs, straight from the store when none answers (actions then take effect when it starts). Addresses are shown in clear: this is the administrator's view of
//! the store, behind the admin token or file-system access to the spool.

use crate::admin_client::{self, NotRunning};
use crate::settings::load_config;
use anyhow::{Context, bail};
use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::store::{QueueEntry, QueueStore, StoreError};
use sealgate_core::{EventKind, MessageId, SystemClock};
use sealgate_deliver::{ActionReport, QueueAction, QueueControl, ReleaseFilter};
use std::net::SocketAddr;
use std::sync::Arc;

/// Where to find the queue.
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

/// `queue retry|hold|release|delete ID` (`id` `None`: retry every waiting message).
pub fn action(target: &Target, id: Option<&str>, action: &str) -> anyhow::Result<u8> {
    let id: Option<MessageId> = match id {
        Some(text) => Some(text.parse().context("not a message id")?),
        None => None,
    };
    let kind = QueueAction::parse(action).context("unknown action")?;
    let reports: Vec<ActionReport> = match open(target)? {
        Source::Api { addr, token } => {
            let path = match id {
                Some(id) => format!("/api/v1/queue/{id}/{action}"),
                None => "/api/v1/queue/retry".to_string(),
            };
            let (status, body) = admin_client::post(addr, &token, &path)?;
            match (status, id) {
                (200, Some(_)) => vec![serde_json::from_slice(&body).context("admin API answer")?],
                (200, None) => serde_json::from_slice(&body).context("admin API answer")?,
                (404, _) => {
                    eprintln!("no such message");
                    return Ok(1);
                }
                (s, _) => bail!("admin API answered {s}: {}", String::from_utf8_lossy(&body)),
            }
        }
        Source::Store(spool) => {
            let config = load_config(target.config.as_deref())?;
            let control = QueueControl {
                store: Arc::new(spool),
                clock: Arc::new(SystemClock),
                hold_expiry: config.delivery.hold_expiry,
                wake: Arc::new(|_| {}),
            };
            match id {
                Some(id) => match control.apply(id, kind) {
                    Ok(r) => vec![r],
                    Err(StoreError::NotFound) => {
                        eprintln!("no message {id}");
                        return Ok(1);
                    }
                    Err(e) => return Err(e.into()),
                },
                None => control.retry_all()?,
            }
        }
    };
    if target.json {
        outln!("{}", serde_json::to_string_pretty(&reports)?);
        return Ok(0);
    }
    for r in &reports {
        outln!(
            "{action} {}: {} recipient(s) changed",
            r.id,
            r.changed.len()
        );
    }
    if reports.is_empty() {
        outln!("{action}: nothing to change");
    }
    Ok(0)
}

/// `queue release --all [--tenant T] [--reason R] [--domain D]`.
pub fn release_all(target: &Target, filter: &ReleaseFilter) -> anyhow::Result<u8> {
    let reports: Vec<ActionReport> = match open(target)? {
        Source::Api { addr, token } => {
            let mut query = Vec::new();
            for (k, v) in [
                ("tenant", &filter.tenant),
                ("reason", &filter.reason),
                ("domain", &filter.domain),
            ] {
                if let Some(v) = v {
                    query.push(format!("{k}={}", url_encode(v)));
                }
            }
            let path = format!("/api/v1/queue/release?{}", query.join("&"));
            let (status, body) = admin_client::post(addr, &token, &path)?;
            if status != 200 {
                bail!(
                    "admin API answered {status}: {}",
                    String::from_utf8_lossy(&body)
                );
            }
            serde_json::from_slice(&body).context("admin API answer")?
        }
        Source::Store(spool) => {
            let config = load_config(target.config.as_deref())?;
            QueueControl {
                store: Arc::new(spool),
                clock: Arc::new(SystemClock),
                hold_expiry: config.delivery.hold_expiry,
                wake: Arc::new(|_| {}),
            }
            .release_matching(filter)?
        }
    };
    if target.json {
        outln!("{}", serde_json::to_string_pretty(&reports)?);
        return Ok(0);
    }
    for r in &reports {
        outln!("release {}: {} recipient(s) changed", r.id, r.changed.len());
    }
    let n: usize = reports.iter().map(|r| r.changed.len()).sum();
    outln!("released {n} recipient(s) in {} message(s)", reports.len());
    Ok(0)
}

/// Percent-encodes a query value (everything but unreserved characters).
fn url_encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
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
        outln!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(0);
    }
    outln!(
        "{:<26}  {:<24}  {:<12}  {:>9}  RECIPIENTS",
        "ID",
        "RECEIVED",
        "TENANT",
        "SIZE"
    );
    for e in &entries {
        let states: Vec<String> = e
            .recipients
            .iter()
            .map(|r| format!("{}={}", r.address, r.status))
            .collect();
        outln!(
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
    outln!("{} message(s)", entries.len());
    Ok(0)
}

/// `queue show ID`.
pub fn show(target: &Target, id: &str) -> anyhow::Result<u8> {
    let id: MessageId = id.parse().context("not a message id")?;
    let mut portal = None;
    let entry: Option<QueueEntry> = match open(target)? {
        Source::Api { addr, token } => {
            // The portal's events of this message's escrowed copies (none without a portal).
            let path = format!("/api/v1/portal?message={id}");
            portal = api_json::<serde_json::Value>(addr, &token, &path)
                .ok()
                .flatten();
            api_json(addr, &token, &format!("/api/v1/queue/{id}"))?
        }
        Source::Store(s) => s.get(id)?,
    };
    let Some(e) = entry else {
        eprintln!("no message {id}");
        return Ok(1);
    };
    if target.json {
        let mut v = serde_json::to_value(&e)?;
        if let Some(p) = portal {
            v["portal"] = p;
        }
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    print_entry(&e);
    for copy in portal
        .iter()
        .flat_map(|p| p.as_array().cloned().unwrap_or_default())
    {
        outln!(
            "Portal    recipient {} escrow {} ({}, expires {})",
            copy["record"]["recipient_index"]
                .as_u64()
                .unwrap_or_default()
                + 1,
            copy["record"]["id"].as_str().unwrap_or_default(),
            copy["record"]["state"].as_str().unwrap_or_default(),
            crate::portal_cmd::date(&copy["record"]["expires"])
        );
        crate::portal_cmd::print_events(&copy);
    }
    Ok(0)
}

fn print_entry(e: &QueueEntry) {
    let m = &e.message;
    outln!("Message   {}", m.id);
    outln!("Received  {}", sealgate_accept::rfc5322_date(m.received_at));
    outln!("Tenant    {}", m.tenant);
    outln!(
        "Client    {} (HELO {}, TLS {})",
        m.client.ip,
        m.client.helo,
        m.client.tls_version.as_deref().unwrap_or("none")
    );
    outln!(
        "Sender    {}",
        m.envelope
            .mail_from
            .as_ref()
            .map_or("<>".to_string(), ToString::to_string)
    );
    outln!("Size      {} octets", m.size);
    outln!(
        "Msg-ID    {}",
        m.header_message_id.as_deref().unwrap_or("(none)")
    );
    outln!(
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
    if let Some(secs) = m.decision.portal_expiry {
        outln!(
            "Expiry    portal copies readable for {} (asked by the message; within the portal's bounds)",
            sealgate_rules::expiry::format_duration(secs)
        );
    }
    if m.decision.connector_self_test.is_some() {
        outln!(
            "Self-test connector self-test: never delivered; the sender is answered with a report through the tenant's return route"
        );
    }
    for r in &e.recipients {
        let req = m
            .decision
            .recipients
            .get(r.index as usize)
            .map_or("deliver", |q| q.name());
        outln!(
            "Recipient {} — {} (requirement {req}, {} attempt(s))",
            r.address,
            r.status,
            r.attempts
        );
        for ev in &r.events {
            let when = sealgate_accept::rfc5322_date(ev.at);
            let what = match &ev.kind {
                EventKind::Accepted { requirement } => {
                    format!("accepted, requirement {requirement}")
                }
                EventKind::Status { status, reason } => format!("{status}: {reason}"),
                EventKind::Attempt(a) => attempt_text(a),
                EventKind::Recovered => "requeued after restart".to_string(),
            };
            outln!("    {when}  {what}");
        }
    }
}

/// One delivery attempt: next hop and address, TLS version and cipher, how the certificate
/// was checked, the TLS floor, the reply; then the MX and protection lines.
fn attempt_text(a: &sealgate_core::event::AttemptFacts) -> String {
    let opt = |v: Option<&str>, f: &dyn Fn(&str) -> String| v.map_or(String::new(), f);
    let cert = a.cert_verified.map_or(String::new(), |v| {
        let how = match (v, a.dane) {
            (true, Some(true)) => "dane",
            (true, _) => "verified",
            (false, _) => "unverified",
        };
        format!(" cert={how}")
    });
    format!(
        "attempt via {}{} tls={}{}{cert}{} reply={}",
        a.next_hop,
        opt(a.ip.as_deref(), &|ip| format!(" [{ip}]")),
        a.tls_version.as_deref().unwrap_or("none"),
        opt(a.tls_cipher.as_deref(), &|c| format!(" cipher={c}")),
        opt(a.tls_floor.as_deref(), &|f| format!(" floor={f}")),
        a.reply
            .as_ref()
            .map_or("-".to_string(), ToString::to_string)
    ) + &mx_text(a)
        + &protection_text(a)
}

/// How the attempt's next hop name was authenticated (issue 16 item 3):
/// `mx: mail.example.net (authenticated: dnssec)` or `(unauthenticated)`.
fn mx_text(a: &sealgate_core::event::AttemptFacts) -> String {
    match a.mx_auth {
        None => String::new(),
        Some(m) if m.is_authenticated() => {
            format!("\n        mx: {} (authenticated: {m})", a.next_hop)
        }
        Some(_) => format!("\n        mx: {} (unauthenticated)", a.next_hop),
    }
}

/// How an attempt's copy was protected: method, key, skipped methods, DKIM.
fn protection_text(a: &sealgate_core::event::AttemptFacts) -> String {
    let Some(c) = &a.copy else {
        return String::new();
    };
    let mut out = format!("\n        method {}", c.protection);
    if let Some(k) = &c.key {
        out.push_str(&format!(" key {k}"));
    }
    for s in &c.skipped {
        out.push_str(&format!("\n        skipped {s}"));
    }
    for d in &c.dkim {
        out.push_str(&format!("\n        dkim {d}"));
    }
    out
}
