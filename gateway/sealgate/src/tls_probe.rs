//! `sealgate tls probe DOMAIN [--json]`: tests now what delivery to a domain would meet — the
//! TLS plan (floor and sources, MTA-STS fetched afresh, DANE per MX) and one session per next
//! hop up to STARTTLS and EHLO, judged as a delivery would judge it. Sends no mail and records
//! nothing (no pin, no TLS-RPT count); the gateway need not be running. Exit status 0 when at
//! least one next hop would take the mail now, 1 otherwise.

use crate::settings::load_config;
use anyhow::Context;
use sealgate_commit::OsRandom;
use sealgate_core::{Domain, SystemClock};
use sealgate_deliver::dns::HickoryDns;
use sealgate_deliver::probe::{ProbeParts, probe};
use std::path::Path;
use std::sync::Arc;

/// `tls probe DOMAIN`.
pub fn run(config: Option<&Path>, domain: &str, json: bool) -> anyhow::Result<u8> {
    let domain = Domain::parse(domain).map_err(|e| anyhow::anyhow!("{domain}: {e}"))?;
    let config = load_config(config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("async runtime")?;
    let report = runtime.block_on(async {
        let dns = HickoryDns::new(&config.delivery.testing.nameservers).context("DNS resolver")?;
        let parts = ProbeParts {
            dns: Arc::new(dns),
            clock: Arc::new(SystemClock),
            rng: Arc::new(OsRandom::checked().context("no operating-system randomness")?),
        };
        probe(&config, &domain, parts)
            .await
            .with_context(|| format!("probing {domain}"))
    })?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for line in report.to_string().lines() {
            outln!("{line}");
        }
    }
    let deliverable = report.hosts.iter().any(|h| h.verdict == "send");
    Ok(if deliverable { 0 } else { 1 })
}
