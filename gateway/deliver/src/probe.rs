//! `sealgate tls probe DOMAIN`: what delivery to a domain would meet right now — the TLS plan
//! (floor with its sources, MTA-STS, DANE per MX) and, for each next hop in the router's
//! order, an SMTP session up to STARTTLS and EHLO, judged as a delivery would judge it.
//!
//! Guarantees: no MAIL command is ever sent (each session ends with QUIT after the second
//! EHLO); a host the plan skips is not contacted; nothing is recorded — no pin, no TLS-RPT
//! count, no MTA-STS cache entry (the probe fetches the policy afresh into memory, so it shows
//! what the domain publishes now; the gateway's pins are shown by `sealgate tls status`).

use crate::client::{Connection, SessionParams, Timeouts, TlsKey, TlsPolicy};
use crate::dns::Dns;
use crate::error::DeliverError;
use crate::route::{Route, Router, Target};
use sealgate_config::Config;
use sealgate_core::store::{Pin, PinStore, StoreError, StsCache, StsCacheEntry};
use sealgate_core::{Clock, Domain, Random, Timestamp};
use sealgate_tlspolicy::policy::{Deps, RouteKind};
use sealgate_tlspolicy::{Achieved, MxPlan, TlsPolicy as Policy, Unmet, Verdict};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// One next hop as the probe found it.
#[derive(Debug, Clone, Serialize)]
pub struct HostProbe {
    /// MX or route host.
    pub host: String,
    /// Address tried.
    pub ip: String,
    /// Port tried.
    pub port: u16,
    /// The level a session to this host must reach.
    pub level: String,
    /// The plan skips this host (not contacted), and why.
    pub skipped: Option<String>,
    /// STARTTLS was offered.
    pub starttls: Option<bool>,
    /// Negotiated protocol.
    pub tls_version: Option<String>,
    /// Negotiated cipher suite.
    pub tls_cipher: Option<String>,
    /// The certificate passed WebPKI for the host name.
    pub webpki_ok: Option<bool>,
    /// What the session reached (`plaintext`, `encrypted`, `verified`, `dane-verified`).
    pub achieved: Option<Achieved>,
    /// REQUIRETLS was offered after TLS.
    pub requiretls: Option<bool>,
    /// `send`, `defer`, `next-method`, `drop` — what a delivery would do here now.
    pub verdict: String,
    /// Why, when not `send`.
    pub reason: Option<String>,
}

/// The probe of one domain.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    /// The domain.
    pub domain: String,
    /// `mx` or `static` (a `[delivery.routes]` hop: no MTA-STS, no DANE).
    pub route: String,
    /// The plan in words (floor and sources, MTA-STS, DANE per MX).
    pub plan: String,
    /// Each next hop in order.
    pub hosts: Vec<HostProbe>,
}

impl fmt::Display for ProbeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "route: {}", self.route)?;
        write!(f, "{}", self.plan)?;
        for h in &self.hosts {
            writeln!(f, "host {} [{}]:{} level {}", h.host, h.ip, h.port, h.level)?;
            if let Some(s) = &h.skipped {
                writeln!(f, "  skipped: {s}")?;
            }
            if let Some(st) = h.starttls {
                let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
                writeln!(
                    f,
                    "  starttls {} version {} cipher {} webpki {} requiretls {}",
                    if st { "offered" } else { "not offered" },
                    opt(&h.tls_version),
                    opt(&h.tls_cipher),
                    h.webpki_ok.map_or("-", |v| if v { "ok" } else { "failed" }),
                    h.requiretls.map_or("-", |v| if v { "yes" } else { "no" }),
                )?;
            }
            if let Some(a) = h.achieved {
                writeln!(f, "  reached: {a:?}")?;
            }
            match &h.reason {
                Some(r) => writeln!(f, "  verdict: {} ({r})", h.verdict)?,
                None => writeln!(f, "  verdict: {}", h.verdict)?,
            }
        }
        Ok(())
    }
}

/// Pins and MTA-STS policies held in memory for one probe.
#[derive(Default)]
struct Scratch {
    pins: Mutex<HashMap<Domain, Pin>>,
    sts: Mutex<HashMap<Domain, StsCacheEntry>>,
}

impl PinStore for Scratch {
    fn put(&self, domain: &Domain, pin: &Pin) -> Result<(), StoreError> {
        let mut m = self.pins.lock().unwrap_or_else(PoisonError::into_inner);
        m.insert(domain.clone(), pin.clone());
        Ok(())
    }
    fn get(&self, domain: &Domain, now: Timestamp) -> Result<Option<Pin>, StoreError> {
        let m = self.pins.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(m.get(domain).filter(|p| p.expires > now).cloned())
    }
    fn remove(&self, domain: &Domain) -> Result<(), StoreError> {
        let mut m = self.pins.lock().unwrap_or_else(PoisonError::into_inner);
        m.remove(domain);
        Ok(())
    }
}

impl StsCache for Scratch {
    fn put(&self, domain: &Domain, entry: &StsCacheEntry) -> Result<(), StoreError> {
        let mut m = self.sts.lock().unwrap_or_else(PoisonError::into_inner);
        m.insert(domain.clone(), entry.clone());
        Ok(())
    }
    fn get(&self, domain: &Domain, _now: Timestamp) -> Result<Option<StsCacheEntry>, StoreError> {
        let m = self.sts.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(m.get(domain).cloned())
    }
    fn remove(&self, domain: &Domain) -> Result<(), StoreError> {
        let mut m = self.sts.lock().unwrap_or_else(PoisonError::into_inner);
        m.remove(domain);
        Ok(())
    }
}

/// What the probe needs from its caller.
pub struct ProbeParts {
    /// DNS for MX and address lookups.
    pub dns: Arc<dyn Dns>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness (equal-preference MX order).
    pub rng: Arc<dyn Random>,
}

/// Probes `domain` as `config` would deliver to it (an ordinary `deliver` copy).
pub async fn probe(
    config: &Config,
    domain: &Domain,
    parts: ProbeParts,
) -> Result<ProbeReport, DeliverError> {
    let d = &config.delivery;
    let scratch = Arc::new(Scratch::default());
    let policy = Policy::from_config(
        &config.tls,
        &d.testing.nameservers,
        Deps {
            pins: scratch.clone(),
            sts_cache: scratch,
            clock: parts.clock,
            mx_roots: sealgate_tlspolicy::verify::mozilla_roots(),
        },
    )
    .map_err(|e| DeliverError::Config(format!("tls: {e}")))?;
    // The probe refuses what delivery would refuse (uncounted: the CLI has no metrics).
    let guard = sealgate_core::DestinationGuard::new(d.allow_non_global_destinations, None);
    let policy = policy.with_destination_guard(guard.clone());
    let router = Router::new(
        &d.routes,
        parts.dns,
        d.testing.mx_port.unwrap_or(25),
        parts.rng,
    )
    .with_host_ports(&d.testing.mx_host_ports)
    .with_guard(guard);
    let kind = match router.route_of(domain) {
        Route::Static(_) => RouteKind::Static,
        Route::Mx => RouteKind::Mx,
    };
    let rule = TlsPolicy::Opportunistic.rule_floor("deliver");
    let plan = policy
        .plan_with(
            domain,
            Some(&rule),
            sealgate_tlspolicy::policy::Discovery {
                mx_policies: kind == RouteKind::Mx,
                pin: true,
            },
        )
        .await
        .map_err(|e| DeliverError::TlsRequired(format!("TLS policy: {e}")))?;
    let targets = router.targets(domain).await?;
    let timeouts = Timeouts {
        command: Duration::from_secs(30),
        ..Timeouts::rfc5321(d.connect_timeout)
    };
    let mut hosts = Vec::new();
    for target in &targets {
        let mx = plan
            .mx_plan(&target.host, kind)
            .map_err(|e| DeliverError::Config(format!("TLS policy: {e}")))?;
        hosts.push(probe_host(&config.smtp.hostname, target, &mx, timeouts).await);
    }
    Ok(ProbeReport {
        domain: domain.to_string(),
        route: match kind {
            RouteKind::Mx => "mx".into(),
            RouteKind::Static => "static".into(),
        },
        plan: plan.explain(),
        hosts,
    })
}

/// One host as delivery would meet it: skipped by the plan, or a session opened, judged against
/// the host's floor and closed (nothing is sent).
async fn probe_host(helo: &str, target: &Target, mx: &MxPlan, timeouts: Timeouts) -> HostProbe {
    let mut h = HostProbe {
        host: target.host.clone(),
        ip: target.ip.to_string(),
        port: target.port,
        level: mx.level.as_str().to_string(),
        skipped: None,
        starttls: None,
        tls_version: None,
        tls_cipher: None,
        webpki_ok: None,
        achieved: None,
        requiretls: None,
        verdict: "send".into(),
        reason: None,
    };
    if let Some(u) = &mx.skip {
        h.skipped = Some(u.reason().to_string());
        set_verdict(&mut h, Verdict::Unmet(u.clone()));
        return h;
    }
    let params = SessionParams {
        helo: helo.to_string(),
        source: None,
        tls: TlsKey {
            level: mx.level,
            dane: mx.uses_dane(),
        },
        client_cert: None,
    };
    match Connection::open(target, &params, Some(mx), timeouts).await {
        Ok(conn) => {
            let achieved = mx.achieved(conn.tls.chain.as_deref());
            h.starttls = Some(conn.tls.offered);
            h.tls_version = conn.facts.tls_version.clone();
            h.tls_cipher = conn.facts.tls_cipher.clone();
            h.webpki_ok = conn.tls.chain.is_some().then_some(conn.tls.webpki_ok);
            h.requiretls = conn
                .tls
                .chain
                .is_some()
                .then(|| conn.capabilities().requiretls);
            h.achieved = Some(achieved);
            set_verdict(&mut h, mx.judge(achieved));
            conn.quit().await;
        }
        Err(e @ (DeliverError::Tls(_) | DeliverError::Handshake { .. })) => {
            h.starttls = Some(true);
            h.achieved = Some(Achieved::Plaintext);
            let verdict = mx.judge(Achieved::Plaintext);
            set_verdict(&mut h, verdict);
            h.reason = Some(match h.reason.take() {
                Some(r) => format!("{e}; {r}"),
                None if mx.plaintext_allowed => format!("{e}; plaintext allowed at may"),
                None => e.to_string(),
            });
        }
        Err(e) => {
            h.verdict = "unreachable".into();
            h.reason = Some(e.to_string());
        }
    }
    h
}

fn set_verdict(h: &mut HostProbe, v: Verdict) {
    let (verdict, reason) = match &v {
        Verdict::Send => ("send", None),
        Verdict::Unmet(u @ Unmet::Defer { .. }) => ("defer", Some(u.reason())),
        Verdict::Unmet(u @ Unmet::NextMethod { .. }) => ("next-method", Some(u.reason())),
        Verdict::Unmet(u @ Unmet::Drop { .. }) => ("drop", Some(u.reason())),
    };
    h.verdict = verdict.into();
    h.reason = reason.map(str::to_string);
}
