//! The API the deliver stage calls (`gateway/deliver/src/attempt/send.rs` follows these steps).
//!
//! # How deliver uses it
//!
//! 1. **At start**, once: `TlsPolicy::from_config(&config.tls,
//!    &config.delivery.testing.nameservers, Deps { pins: Arc::new(spool.pins()), sts_cache:
//!    Arc::new(spool.sts_cache()), clock, mx_roots: verify::mozilla_roots() })?
//!    .with_state(Arc::new(spool.tls_state()))` (a test CA as `mx_roots` in rigs; without
//!    `with_state` facts and counts live in memory only). Keep it in an `Arc` beside the
//!    router, and hand the same `Arc` to the admin API (`tls status`) and to the TLS-RPT run
//!    (step 7).
//! 2. **Per destination group** (recipients of one domain sharing the TLS their rule asks and
//!    a copy, as `attempt.rs` groups them), before routing: the rule's part (deliver's
//!    `client::TlsPolicy::rule_floor`: `may`/forced, `encrypt`/exclusive for `tls-only`,
//!    `verify`/forced for `tls-verified`), then
//!    `let plan = policy.plan_with(&domain, Some(&rule), discovery).await?;` — [`Discovery`]
//!    leaves out MTA-STS and DANE for a static route and pins too for `TLS-Required: No` mail
//!    (async: pin store on the blocking pool, `_mta-sts` TXT + cache + fetch, DNSSEC MX +
//!    TLSA). A `TlsPolicyError` is [`TlsPolicyError::severity`]-classified; the group defers.
//! 3. **Per host**, in the router's order: `let mx = plan.mx_plan(&target.host,
//!    RouteKind::Mx)?` (`RouteKind::Static` for a `[delivery.routes]` hop: no MTA-STS filter,
//!    no DANE). If `mx.skip` is `Some(unmet)`, don't connect; call
//!    `policy.record_skipped(&plan, &mx)` and try the next host. When every host failed on
//!    TLS (skipped or below its level), the strongest [`Unmet`](crate::Unmet) — drop, then
//!    next method, then defer — is the group's outcome (a skip is `Defer` for DNSSEC failures
//!    and for MX hosts an MTA-STS `enforce` policy doesn't list, RFC 8461 §5).
//! 4. **Connect** with `mx.tls` (a rustls `ClientConfig` whose verifier enforces `mx.level`;
//!    server name = the MX host). No STARTTLS, or a failed handshake: retry this host in
//!    plaintext only if `mx.plaintext_allowed`. The level reached is
//!    `mx.achieved(None)` for plaintext or `mx.achieved(Some(&chain))` after a handshake
//!    (DANE-verified, WebPKI-verified or just encrypted); record `mx.webpki_ok(&chain)` with the
//!    attempt either way.
//! 5. **Judge**: `mx.judge(achieved)` → [`Verdict::Send`](crate::Verdict::Send), or an
//!    [`Unmet`](crate::Unmet): `Defer` → temporary failure (retry schedule and queue
//!    lifetime); `NextMethod` → record the `fallback from tls-verified` status so plan.rs moves
//!    to the next chain method (then transform and sign again), or to the global fallback chain
//!    for a `deliver` recipient; `Drop` → `DroppedByPolicy` with the `dropped-tls` notice and
//!    its record; a demand only DANE makes defers (RFC 7672 §2.2), an admin `dane` entry
//!    follows its `on_failure`.
//! 6. **After each session** (delivered or not): `policy.record_result(&plan, &mx,
//!    &SessionResult { achieved, webpki_ok, failure, sending_ip, receiving_ip, tls_version,
//!    tls_cipher }).await` — pins a domain seen with verified TLS, counts the session for
//!    TLS-RPT and remembers its facts for `tls status` (memory only; see [`crate::state`]);
//!    `failure` from [`FailureKind::from_rustls`](crate::tlsrpt::FailureKind::from_rustls)
//!    or `StarttlsNotSupported`.
//! 7. **Daily**: spawn [`crate::tlsrpt::schedule::run`]`(policy, sink, Schedule::from_config(
//!    &config), rng, shutdown)` once. It flushes the state every minute and at shutdown, and
//!    after each UTC day (plus a random delay) mails each report through the
//!    [`ReportSink`](crate::tlsrpt::ReportSink) — deliver commits it to the spool as gateway-
//!    originated mail, DKIM-signed with the gateway key, `TLS-Required: No`, exempt from pins
//!    and floors — or POSTs it to an `https:` `rua`; undelivered reports are retried.
//!    [`crate::tlsrpt::schedule::send_day`] does one day now (an admin command).
//!
//! Whether `tls-verified` is possible now, deliver tells the chain walk from the last
//! session's facts ([`TlsPolicy::last_facts`], `protect::known_hop`); the sync
//! [`TlsPolicy::known_floor`] (rule, admin, pin, cached MTA-STS) is there for callers that
//! need the floor without network I/O.

mod admin;
mod domain;
mod mx_auth;
mod remember;

pub(crate) use admin::{AdminTable, admin_table};

pub use domain::{DaneState, DomainPlan, MxPlan, RouteKind};

use crate::dane::TlsaSet;
use crate::dns::{Dnssec, HickoryPolicyDns, PolicyDns};
use crate::error::TlsPolicyError;
use crate::floor::{Achieved, Floor, FloorPart, FloorSource, RuleFloor};
use crate::mtasts::StsResolver;
use crate::mtasts::cache::StsLookup;
use crate::mtasts::fetch::{Fetcher, FetcherConfig};
use crate::mtasts::policy::Mode;
use crate::pins::Pins;
use crate::state::State;
use crate::tlsrpt::{Collector, FailureKind, PolicyKind, Report, Submitter};
use crate::verify::{self, Verifiers};
use rustls::RootCertStore;
use sealgate_config::TlsPolicyConfig;
use sealgate_core::store::{PinStore, StsCache};
use sealgate_core::{Clock, Domain, TlsLevel};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Most MX hosts whose TLSA records are looked up for one domain.
const MAX_DANE_HOSTS: usize = 10;

/// What the policy is built from besides the config.
#[derive(Clone)]
pub struct Deps {
    /// "Once TLS, always TLS" pins (the spool's `pins()`).
    pub pins: Arc<dyn PinStore>,
    /// The MTA-STS cache (the spool's `sts_cache()`).
    pub sts_cache: Arc<dyn StsCache>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Roots for level `verify` (the Mozilla roots in production).
    pub mx_roots: RootCertStore,
}

/// What one session achieved, as deliver reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionResult {
    /// The level reached.
    pub achieved: Achieved,
    /// The chain also passed WebPKI for the host.
    pub webpki_ok: bool,
    /// Why TLS failed, if it did (TLS-RPT result type).
    pub failure: Option<FailureKind>,
    /// Our source address, if known.
    pub sending_ip: Option<IpAddr>,
    /// The peer's address.
    pub receiving_ip: Option<IpAddr>,
    /// Negotiated protocol (`TLSv1.3`), for `sealgate tls status`.
    pub tls_version: Option<String>,
    /// Negotiated cipher suite, for `sealgate tls status`.
    pub tls_cipher: Option<String>,
}

/// Which discovered policies [`TlsPolicy::plan_with`] looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discovery {
    /// MTA-STS (`_mta-sts` TXT, cache, fetch) and DANE (DNSSEC MX, TLSA): only for mail that
    /// goes to the domain's own MX hosts; a static route (smart host, hairpin) needs neither.
    pub mx_policies: bool,
    /// The "once TLS, always TLS" pin. Off for mail that carries `TLS-Required: No`
    /// (RFC 8689 §5), such as TLS-RPT reports.
    pub pin: bool,
}

impl Discovery {
    /// Everything (MX delivery of ordinary mail).
    pub const ALL: Discovery = Discovery {
        mx_policies: true,
        pin: true,
    };
}

/// The policy engine.
pub struct TlsPolicy {
    /// `[tls.domains]` and `[tls] mx`; replaced on reload ([`TlsPolicy::set_admin_table`]).
    admin: std::sync::RwLock<AdminTable>,
    dane_enabled: bool,
    dns: Arc<dyn PolicyDns>,
    sts: Option<StsResolver>,
    pins: Pins,
    verifiers: Arc<Verifiers>,
    reports: Collector,
    sts_cache: Option<Arc<dyn StsCache>>,
    clock: Arc<dyn Clock>,
    /// The MTA-STS cache whether or not MTA-STS is honoured (for `tls status`).
    sts_store: Arc<dyn StsCache>,
    /// How MTA-STS policies are fetched; TLS-RPT `https:` POSTs use the same settings.
    fetcher: FetcherConfig,
    state: State,
}

impl std::fmt::Debug for TlsPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsPolicy")
    }
}

impl TlsPolicy {
    /// The policy from `[tls]`, asking `nameservers` (the system's when empty; TEST RIGS: the
    /// `[delivery.testing]` ones) with the `[tls.testing]` trust anchor and MTA-STS overrides.
    pub fn from_config(
        config: &TlsPolicyConfig,
        nameservers: &[SocketAddr],
        deps: Deps,
    ) -> Result<TlsPolicy, TlsPolicyError> {
        let dns = HickoryPolicyDns::new(nameservers, config.testing.trust_anchor.as_deref())?;
        let mut deps = deps;
        if let Some(p) = &config.testing.mx_ca {
            deps.mx_roots = verify::roots_from_pem(
                &std::fs::read(p)
                    .map_err(|e| TlsPolicyError::Config(format!("mx_ca {}: {e}", p.display())))?,
            )?;
        }
        let fetch_roots = match &config.testing.mta_sts_ca {
            Some(p) => verify::roots_from_pem(&std::fs::read(p).map_err(|e| {
                TlsPolicyError::Config(format!("mta_sts_ca {}: {e}", p.display()))
            })?)?,
            None => verify::mozilla_roots(),
        };
        let fetcher = FetcherConfig {
            timeout: config.mta_sts_fetch_timeout,
            roots: Arc::new(fetch_roots),
            connect_to: config.testing.mta_sts_address,
            // Refuses non-global addresses until the caller sets its own guard.
            guard: sealgate_core::DestinationGuard::default(),
        };
        TlsPolicy::new(config, Arc::new(dns), fetcher, deps)
    }

    /// The policy over explicit parts (tests give a fake or local DNS here).
    pub fn new(
        config: &TlsPolicyConfig,
        dns: Arc<dyn PolicyDns>,
        fetcher: FetcherConfig,
        deps: Deps,
    ) -> Result<TlsPolicy, TlsPolicyError> {
        let admin = AdminTable::from_config(config);
        let sts = config.mta_sts.then(|| {
            StsResolver::new(
                dns.clone(),
                Fetcher::new(fetcher.clone()),
                deps.sts_cache.clone(),
                deps.clock.clone(),
            )
        });
        Ok(TlsPolicy {
            admin: std::sync::RwLock::new(admin),
            dane_enabled: config.dane,
            dns,
            sts,
            pins: Pins::new(deps.pins, deps.clock.clone(), config.pin_lifetime),
            verifiers: Arc::new(Verifiers::new(deps.mx_roots)?),
            reports: Collector::default(),
            sts_cache: config.mta_sts.then_some(deps.sts_cache.clone()),
            clock: deps.clock,
            sts_store: deps.sts_cache,
            fetcher,
            state: State::new(None),
        })
    }

    /// The filter for MTA-STS policy hosts and TLS-RPT `https:` destinations (from
    /// `[delivery] allow_non_global_destinations`, counting into the metrics). Without it,
    /// non-global addresses are refused uncounted.
    pub fn with_destination_guard(mut self, guard: sealgate_core::DestinationGuard) -> TlsPolicy {
        self.fetcher.guard = guard;
        if let Some(sts) = &mut self.sts {
            sts.set_fetcher(Fetcher::new(self.fetcher.clone()));
        }
        self
    }

    /// The admin's `[tls.domains]` part for a domain (sync, no I/O).
    pub fn admin_part(&self, domain: &Domain) -> Option<FloorPart> {
        self.admin_table().part(domain)
    }

    /// Whether `[tls.domains] mx` (or the `[tls] mx` default) requires authenticated MX names
    /// for verified TLS to `domain` (sync, no I/O).
    pub fn mx_required(&self, domain: &Domain) -> bool {
        self.admin_table().mx_required(domain)
    }

    fn admin_table(&self) -> std::sync::RwLockReadGuard<'_, AdminTable> {
        // A poisoned lock still holds a whole table (it is only ever replaced whole).
        self.admin
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Replaces the `[tls.domains]` table and the `[tls] mx` default (configuration reload);
    /// plans made from now on use the new ones.
    pub fn set_admin_table(&self, config: &TlsPolicyConfig) {
        let table = AdminTable::from_config(config);
        *self
            .admin
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = table;
    }

    /// The floor as far as known without network I/O: rule, admin table, pin and a cached
    /// MTA-STS `enforce` policy (the stores block: call from the blocking pool). Transform uses
    /// it to tell whether `tls-verified` is possible now; DANE is known only after
    /// [`TlsPolicy::plan`].
    pub fn known_floor(
        &self,
        domain: &Domain,
        rule: Option<&RuleFloor>,
    ) -> Result<Floor, TlsPolicyError> {
        let mut parts: Vec<FloorPart> = rule.map(RuleFloor::part).into_iter().collect();
        parts.extend(self.admin_part(domain));
        parts.extend(self.pins.part(domain)?);
        if let Some(cache) = &self.sts_cache
            && let Some(entry) = cache.get(domain, self.clock.now())?
            && let Ok(policy) = crate::mtasts::StsPolicy::parse(&entry.policy)
            && policy.mode == Mode::Enforce
        {
            parts.push(sts_part(&entry.id));
        }
        Ok(Floor::compute(parts))
    }

    /// The plan for a domain: the floor with its sources, MTA-STS, and DANE per secure MX.
    pub async fn plan(
        &self,
        domain: &Domain,
        rule: Option<&RuleFloor>,
    ) -> Result<DomainPlan, TlsPolicyError> {
        self.plan_with(domain, rule, Discovery::ALL).await
    }

    /// [`TlsPolicy::plan`] looking up only what `discovery` asks for: the rule and the admin
    /// table always count.
    pub async fn plan_with(
        &self,
        domain: &Domain,
        rule: Option<&RuleFloor>,
        discovery: Discovery,
    ) -> Result<DomainPlan, TlsPolicyError> {
        let mut parts: Vec<FloorPart> = rule.map(RuleFloor::part).into_iter().collect();
        parts.extend(self.admin_part(domain));
        if discovery.pin && self.pins.enabled() {
            let pins = self.pins.clone();
            let d = domain.clone();
            let pin = tokio::task::spawn_blocking(move || pins.part(&d))
                .await
                .map_err(|e| TlsPolicyError::Dns(format!("pin task: {e}")))??;
            parts.extend(pin);
        }
        let sts = match &self.sts {
            Some(s) if discovery.mx_policies => s.lookup(domain).await?,
            _ => StsLookup::NoPolicy,
        };
        if let StsLookup::Policy { id, policy, .. } = &sts
            && policy.mode == Mode::Enforce
        {
            parts.push(sts_part(id));
        }
        let mx = if discovery.mx_policies {
            self.dns.secure_mx(domain.as_str()).await
        } else {
            Dnssec::NoRecords
        };
        let (dane, mx_dnssec_failure, secure_mx) = self.dane_hosts(mx).await;
        Ok(DomainPlan {
            domain: domain.clone(),
            floor: Floor::compute(parts),
            sts,
            dane,
            mx_dnssec_failure,
            secure_mx,
            mx_required: self.mx_required(domain),
            configured: false,
            verifiers: self.verifiers.clone(),
        })
    }

    /// From the DNSSEC-validated MX answer: the DANE state per secure MX host (when DANE is
    /// on), the lookup failure that makes every MX unusable (when DANE is on: RFC 7672
    /// §2.2.1), and the secure hosts, whose names are authenticated (whether DANE is on or not).
    async fn dane_hosts(
        &self,
        mx: Dnssec<Vec<String>>,
    ) -> (HashMap<String, DaneState>, Option<String>, Vec<String>) {
        let mut dane = HashMap::new();
        let hosts = match mx {
            Dnssec::Bogus(e) | Dnssec::Failed(e) if self.dane_enabled => {
                return (dane, Some(e), Vec::new());
            }
            Dnssec::Secure(hosts) => hosts,
            _ => return (dane, None, Vec::new()),
        };
        if !self.dane_enabled {
            return (dane, None, hosts);
        }
        for host in hosts.iter().take(MAX_DANE_HOSTS) {
            let state = match self.dns.tlsa(host, 25).await {
                Dnssec::Secure(records) => {
                    let usable = TlsaSet(records).usable();
                    if usable.is_empty() {
                        DaneState::Unusable
                    } else {
                        DaneState::Usable(usable)
                    }
                }
                Dnssec::NoRecords | Dnssec::Insecure(_) => DaneState::None,
                Dnssec::Bogus(e) | Dnssec::Failed(e) => DaneState::Failed(e),
            };
            dane.insert(host.clone(), state);
        }
        (dane, None, hosts)
    }

    /// Records a finished session: pins the domain after verified TLS, counts it for TLS-RPT.
    /// The pin store blocks; this runs it on the blocking pool.
    pub async fn record_result(
        &self,
        plan: &DomainPlan,
        mx: &MxPlan,
        result: &SessionResult,
    ) -> Result<(), TlsPolicyError> {
        let now = self.clock.now();
        self.reports
            .record(now, &mx.report, &mx.host, &report_view(plan, mx, result));
        self.state
            .note(&plan.domain, remember::facts_of(&mx.host, result, now));
        let achieved = match result.achieved {
            Achieved::DaneVerified if result.webpki_ok => Achieved::Verified,
            a => a,
        };
        let pins = self.pins.clone();
        let d = plan.domain.clone();
        tokio::task::spawn_blocking(move || pins.record(&d, achieved))
            .await
            .map_err(|e| TlsPolicyError::Dns(format!("pin task: {e}")))??;
        Ok(())
    }

    /// Counts a host that deliver did not connect to because `mx.skip` said so (TLS-RPT:
    /// `dnssec-invalid` for DNSSEC failures, `dane-required` for `dane-only` without TLSA,
    /// `validation-failure` for an MX the MTA-STS policy does not list).
    pub fn record_skipped(&self, plan: &DomainPlan, mx: &MxPlan) {
        let kind = if plan.mx_dnssec_failure.is_some()
            || matches!(plan.dane.get(&mx.host), Some(DaneState::Failed(_)))
        {
            FailureKind::DnssecInvalid
        } else if mx.floor.level == TlsLevel::DaneOnly {
            FailureKind::DaneRequired
        } else {
            FailureKind::ValidationFailure
        };
        let result = SessionResult {
            achieved: Achieved::Plaintext,
            webpki_ok: false,
            failure: Some(kind),
            sending_ip: None,
            receiving_ip: None,
            tls_version: None,
            tls_cipher: None,
        };
        self.reports
            .record(self.clock.now(), &mx.report, &mx.host, &result);
    }

    /// Reports for every policy domain with sessions on the UTC day `day` (days since the
    /// epoch), removing them from the collector (and, at the next flush, from the state
    /// store). They are not kept anywhere: the TLS-RPT run uses
    /// [`TlsPolicy::make_reports`], which keeps them until delivered.
    pub fn reports(&self, day: u64, submitter: &Submitter) -> Vec<Report> {
        self.reports.drain_day(day, submitter)
    }

    /// Where `domain` wants its TLS-RPT reports (`_smtp._tls.DOMAIN` TXT `rua`); empty when it
    /// publishes no (or a malformed) record. A DNS failure is temporary: try again later.
    pub async fn report_destinations(
        &self,
        domain: &Domain,
    ) -> Result<Vec<crate::tlsrpt::Rua>, TlsPolicyError> {
        let txts = self.dns.txt(&format!("_smtp._tls.{domain}")).await?;
        Ok(crate::tlsrpt::rua(&txts))
    }

    /// The pins of this policy (for `tls status`).
    pub fn pins(&self) -> &Pins {
        &self.pins
    }
}

/// The session as TLS-RPT counts it: deliver's failure if it gave one; else a plaintext
/// session fails `starttls-not-supported` (in the collector); under an MTA-STS policy (in
/// `testing` mode too, where delivery went ahead) an unlisted MX is a `validation-failure` and
/// a certificate that fails WebPKI `sts-webpki-invalid` (RFC 8460 §4.3.2); a policy that could
/// not be fetched makes the session `sts-policy-fetch-error` or `sts-policy-invalid`.
fn report_view(plan: &DomainPlan, mx: &MxPlan, result: &SessionResult) -> SessionResult {
    let mut r = result.clone();
    if r.failure.is_some() || r.achieved == Achieved::Plaintext {
        return r;
    }
    match &plan.sts {
        StsLookup::Unavailable { invalid, .. } => {
            r.failure = Some(if *invalid {
                FailureKind::StsPolicyInvalid
            } else {
                FailureKind::StsPolicyFetchError
            });
        }
        StsLookup::Policy { policy, .. } if mx.report.kind == PolicyKind::Sts => {
            if !policy.matches(&mx.host) {
                r.failure = Some(FailureKind::ValidationFailure);
            } else if !r.webpki_ok {
                r.failure = Some(FailureKind::StsWebpkiInvalid);
            }
        }
        _ => {}
    }
    r
}

/// The floor part of an MTA-STS `enforce` policy.
pub(crate) fn sts_part(id: &str) -> FloorPart {
    FloorPart {
        source: FloorSource::MtaSts,
        level: TlsLevel::Verify,
        on_failure: None,
        detail: format!("MTA-STS id {id} mode enforce"),
    }
}
