//! `sealgate explain --keys`: for each recipient whose decision is `encrypt`, which method of
//! its chain the transform stage would pick now, from the key store, once for a next hop that
//! proves TLS and once for one that does not (the deliver stage learns which at connection
//! time). The same code as delivery decides (`Transformer::protect`); copies are made and
//! thrown away — only methods, fingerprints, serials and skip reasons are printed.
//!
//! The key store is opened directly (the store of `--config`, or of the embedded default); a
//! running gateway holds it (redb admits one process), which is reported as such.

use crate::settings::load_config;
use anyhow::{Context, Result, bail};
use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::{Address, Body, Clock, Decision, Requirement, SystemClock};
use sealgate_deliver::protect::{describe, protection_name};
use sealgate_transform::{
    ChoiceOutcome, Hop, Protection, Request, SmimeTrust, TlsCapability, Transformer, TrustLevel,
};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// What one recipient would get, per kind of next hop.
#[derive(Debug, Serialize)]
pub struct Walk {
    /// The recipient (1-based, as in the explanation above it).
    pub recipient: usize,
    /// Its address.
    pub address: String,
    /// `(hop, outcome)`: `verified-tls` and `no-verified-tls`.
    pub hops: Vec<HopWalk>,
}

/// The chain walked for one kind of next hop.
#[derive(Debug, Serialize)]
pub struct HopWalk {
    /// `verified-tls` or `no-verified-tls`.
    pub hop: &'static str,
    /// `tls-verified`, `pgp`, `smime`, `hold`, `bounce-with-notice`…
    pub outcome: String,
    /// Key fingerprint (and certificate serial) used, if any.
    pub key: Option<String>,
    /// Methods passed over, in words.
    pub skipped: Vec<String>,
}

fn open_keys(config: Option<&Path>) -> Result<Spool> {
    let config = load_config(config)?;
    let (dir, key) = (&config.storage.dir, &config.storage.master_key_file);
    if !dir.is_dir() || !key.is_file() {
        bail!(
            "no key store at {} (storage.dir); import keys with `sealgate keys import` first",
            dir.display()
        );
    }
    let master = MasterKeys::load_or_generate(key).context("storage.master_key_file")?;
    let rng = Arc::new(OsRandom::checked()?);
    Spool::open(dir, master, Arc::new(SystemClock), rng).context(
        "cannot open the key store (a running gateway holds it: stop it, or see `sealgate keys list`)",
    )
}

fn key_of(p: &Protection) -> Option<String> {
    match p {
        Protection::Pgp { fingerprint, .. } => Some(fingerprint.clone()),
        Protection::Smime {
            fingerprint,
            serial,
            ..
        } => Some(format!("{fingerprint} (serial {serial})")),
        _ => None,
    }
}

/// Walks the chain of every `encrypt` recipient of `raw` for both kinds of next hop.
pub fn walk(
    config: Option<&Path>,
    raw: &[u8],
    decision: &Decision,
    rcpts: &[Address],
) -> Result<Vec<Walk>> {
    let spool = open_keys(config)?;
    let roots = SmimeTrust::system().context("S/MIME trust roots")?;
    let portal = load_config(config)?.portal.is_some();
    let transformer = Transformer::new(Arc::new(spool.keys()), roots).with_portal(portal);
    let body = Body::new(raw.to_vec());
    let now = SystemClock.now();
    let mut out = Vec::new();
    for (i, rcpt) in rcpts.iter().enumerate() {
        let requirement = decision.recipients.get(i);
        if !matches!(requirement, Some(Requirement::Encrypt { .. })) {
            continue;
        }
        let req = Request {
            body: &body,
            decision,
            recipient: rcpt,
            requirement,
            min_trust: requirement.map_or(TrustLevel::Discovered, |r| r.min_key_trust().into()),
            now,
        };
        let mut hops = Vec::new();
        for (hop, tls) in [
            ("verified-tls", TlsCapability::Verified),
            ("no-verified-tls", TlsCapability::PlaintextOnly),
        ] {
            let hop_now = Hop {
                tls,
                ..Hop::unknown()
            };
            let choice = transformer
                .protect(&req, &hop_now)
                .context("transform")?
                .choice();
            let (outcome, key) = match &choice.outcome {
                ChoiceOutcome::Send { protection } => {
                    (protection_name(protection).to_string(), key_of(protection))
                }
                ChoiceOutcome::Hold => ("hold".to_string(), None),
                ChoiceOutcome::BounceWithNotice => ("bounce-with-notice".to_string(), None),
            };
            hops.push(HopWalk {
                hop,
                outcome,
                key,
                skipped: choice.skipped.iter().map(describe).collect(),
            });
        }
        out.push(Walk {
            recipient: i + 1,
            address: rcpt.to_string(),
            hops,
        });
    }
    Ok(out)
}

/// Prints the walks below the text explanation.
pub fn print(walks: &[Walk]) {
    outln!();
    outln!("Protection now (key store; the same choice delivery makes):");
    if walks.is_empty() {
        outln!("  no recipient requires encryption");
    }
    for w in walks {
        outln!("  Recipient {} <{}>:", w.recipient, w.address);
        for h in &w.hops {
            let key = h
                .key
                .as_deref()
                .map(|k| format!(" key {k}"))
                .unwrap_or_default();
            let label = if h.hop == "verified-tls" {
                "next hop proves TLS:"
            } else {
                "next hop does not: "
            };
            outln!("    {label} {}{key}", h.outcome);
            for s in &h.skipped {
                outln!("      skipped {s}");
            }
        }
    }
}
