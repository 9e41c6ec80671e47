//! The API the deliver stage calls.
//!
//! # How deliver uses it
//!
//! 1. At start: `TlsPolicy::from_config(&config.tls, &config.delivery.testing.nameservers,
//!    deps)` once, with the spool's `pins()` and `sts_cache()` stores, the clock and the roots
//!    for `verify` ([`verify::mozilla_roots`], a test CA in rigs).
//! 2. Per destination group (recipients of one domain sharing a requirement, as `attempt.rs`
//!    groups them), before routing: `let plan = policy.plan(&domain, rule.as_ref()).await?`
//!    with `rule = RuleFloor::from_requirement(&req, method)`. `plan.floor` is what the attempt
//!    record and `explain` show (every part with its source).
//! 3. For MX routes, filter the router's hosts with [`DomainPlan::mx_allowed`]; when none is
//!    left, the group gets [`DomainPlan::no_mx_allowed`] (a `Defer`, RFC 8461 §5). For each
//!    host tried, `let mx = plan.mx_plan(host, RouteKind::Mx)` (`RouteKind::Static` for a
//!    static route: no MTA-STS filter, no DANE). If `mx.skip` is `Some`, don't connect to that
//!    host (TLSA bogus or failed, or `dane-only` without TLSA); if every host is skipped, the
//!    first skip's [`Unmet`] applies.
//! 4. Connect with `mx.tls` (a rustls `ClientConfig` whose verifier enforces `mx.level`,
//!    server name = the MX host). STARTTLS missing or the handshake failing: if
//!    `mx.plaintext_allowed` retry the host in plaintext, else it is unmet. After the
//!    handshake, `mx.webpki_ok(chain)` tells whether the chain also passes WebPKI (record it).
//! 5. `mx.judge(achieved)` gives [`Verdict::Send`] or an [`Unmet`]: `Defer` → temporary
//!    failure (retry schedule); `NextMethod` → record the `fallback from tls-verified` status so
//!    plan.rs moves to the next chain method, or the global fallback chain for `deliver`;
//!    `Drop` → `DroppedByPolicy` with the `dropped-tls` notice.
//! 6. After each session (delivered or not): `policy.record_result(&plan, &mx, &result)` —
//!    pins a domain seen with verified TLS and counts the session for TLS-RPT. Once a day,
//!    [`TlsPolicy::reports`] drains yesterday's reports; each goes to the `rua` of
//!    `_smtp._tls.DOMAIN` ([`crate::tlsrpt::rua`]) as [`crate::tlsrpt::compose_mail`] builds it,
//!    DKIM-signed with the gateway key, `TLS-Required: No`, exempt from pins.

use crate::dane::{DaneVerifier, Tlsa, TlsaSet};
use crate::dns::{Dnssec, HickoryPolicyDns, PolicyDns};
use crate::error::TlsPolicyError;
use crate::floor::{Achieved, Floor, FloorPart, FloorSource, RuleFloor, Unmet, Verdict};
use crate::mtasts::StsResolver;
use crate::mtasts::cache::StsLookup;
use crate::mtasts::fetch::{Fetcher, FetcherConfig};
use crate::mtasts::policy::Mode;
use crate::pins::Pins;
use crate::tlsrpt::{Collector, FailureKind, PolicyKind, Report, ReportPolicy, Submitter};
use crate::verify::{self, Verifiers};
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
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

/// How deliver reaches a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// An MX (or implicit MX) host of the recipient domain: MTA-STS and DANE apply.
    Mx,
    /// A configured static route (smart host, hairpin): only rule, admin and pin apply.
    Static,
}

/// The DANE facts of one MX host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaneState {
    /// DANE does not apply (disabled, MX RRset not secure, or no TLSA records).
    None,
    /// Secure TLSA records, at least one usable.
    Usable(Vec<Tlsa>),
    /// Secure TLSA records, none usable: the host is `encrypt` (RFC 7672 §2.2).
    Unusable,
    /// The TLSA lookup failed or was bogus: skip the host, never plaintext.
    Failed(String),
}

/// The policy of one recipient domain for one attempt.
#[derive(Clone)]
pub struct DomainPlan {
    /// The domain.
    pub domain: Domain,
    /// The floor before DANE (rule, admin, MTA-STS enforce, pin).
    pub floor: Floor,
    /// The MTA-STS discovery result.
    pub sts: StsLookup,
    /// DANE per secure MX host.
    pub dane: HashMap<String, DaneState>,
    /// The DNSSEC-validated MX lookup was bogus or failed: no MX host may be used (RFC 7672
    /// §2.2.1: never fall back to an unvalidated answer, never plaintext).
    pub mx_dnssec_failure: Option<String>,
    verifiers: Arc<Verifiers>,
}

impl std::fmt::Debug for DomainPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DomainPlan")
            .field("domain", &self.domain)
            .field("floor", &self.floor)
            .field("sts", &self.sts)
            .field("dane", &self.dane)
            .finish()
    }
}

/// The policy for connecting to one host.
#[derive(Clone)]
pub struct MxPlan {
    /// The host (TLS server name).
    pub host: String,
    /// The level a connection must reach.
    pub level: TlsLevel,
    /// The floor with DANE applied (for judging and explain).
    pub floor: Floor,
    /// Verifier enforcing `level`.
    pub verifier: Arc<dyn ServerCertVerifier>,
    /// Client configuration around `verifier` (TLS 1.2+).
    pub tls: Arc<ClientConfig>,
    /// Plaintext may follow a missing STARTTLS or a failed handshake.
    pub plaintext_allowed: bool,
    /// Don't connect to this host, and why.
    pub skip: Option<Unmet>,
    /// The policy this session is reported under (TLS-RPT).
    pub report: ReportPolicy,
    verifiers: Arc<Verifiers>,
}

impl std::fmt::Debug for MxPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MxPlan")
            .field("host", &self.host)
            .field("level", &self.level)
            .field("plaintext_allowed", &self.plaintext_allowed)
            .field("skip", &self.skip)
            .finish()
    }
}

impl MxPlan {
    /// The verdict for a connection to this host that reached `achieved`.
    pub fn judge(&self, achieved: Achieved) -> Verdict {
        self.floor.judge(self.level, achieved)
    }

    /// Whether the presented chain passes WebPKI for this host (recorded whatever the level).
    pub fn webpki_ok(&self, chain: &[CertificateDer<'_>]) -> bool {
        self.verifiers.webpki_ok(&self.host, chain)
    }
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
}

/// The policy engine.
pub struct TlsPolicy {
    admin: HashMap<Domain, FloorPart>,
    dane_enabled: bool,
    dns: Arc<dyn PolicyDns>,
    sts: Option<StsResolver>,
    pins: Pins,
    verifiers: Arc<Verifiers>,
    reports: Collector,
    sts_cache: Option<Arc<dyn StsCache>>,
    clock: Arc<dyn Clock>,
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
        let admin = config
            .domains
            .iter()
            .map(|r| {
                (
                    r.domain.clone(),
                    FloorPart {
                        source: FloorSource::Admin,
                        level: r.level,
                        on_failure: Some(r.on_failure),
                        detail: format!("[tls.domains] \"{}\"", r.domain),
                    },
                )
            })
            .collect();
        let sts = config.mta_sts.then(|| {
            StsResolver::new(
                dns.clone(),
                Fetcher::new(fetcher),
                deps.sts_cache.clone(),
                deps.clock.clone(),
            )
        });
        Ok(TlsPolicy {
            admin,
            dane_enabled: config.dane,
            dns,
            sts,
            pins: Pins::new(deps.pins, deps.clock.clone(), config.pin_lifetime),
            verifiers: Arc::new(Verifiers::new(deps.mx_roots)?),
            reports: Collector::default(),
            sts_cache: config.mta_sts.then_some(deps.sts_cache),
            clock: deps.clock,
        })
    }

    /// The admin's `[tls.domains]` part for a domain (sync, no I/O).
    pub fn admin_part(&self, domain: &Domain) -> Option<FloorPart> {
        self.admin.get(domain).cloned()
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
        let mut parts: Vec<FloorPart> = rule.map(RuleFloor::part).into_iter().collect();
        parts.extend(self.admin_part(domain));
        let pins = self.pins.clone();
        let d = domain.clone();
        let pin = tokio::task::spawn_blocking(move || pins.part(&d))
            .await
            .map_err(|e| TlsPolicyError::Dns(format!("pin task: {e}")))??;
        parts.extend(pin);
        let sts = match &self.sts {
            Some(s) => s.lookup(domain).await?,
            None => StsLookup::NoPolicy,
        };
        if let StsLookup::Policy { id, policy, .. } = &sts
            && policy.mode == Mode::Enforce
        {
            parts.push(sts_part(id));
        }
        let mut dane = HashMap::new();
        let mut mx_dnssec_failure = None;
        let mx = if self.dane_enabled {
            self.dns.secure_mx(domain.as_str()).await
        } else {
            Dnssec::NoRecords
        };
        match mx {
            Dnssec::Bogus(e) | Dnssec::Failed(e) => mx_dnssec_failure = Some(e),
            Dnssec::NoRecords | Dnssec::Insecure(_) => {}
            Dnssec::Secure(hosts) => {
                for host in hosts.into_iter().take(MAX_DANE_HOSTS) {
                    let state = match self.dns.tlsa(&host, 25).await {
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
                    dane.insert(host, state);
                }
            }
        }
        Ok(DomainPlan {
            domain: domain.clone(),
            floor: Floor::compute(parts),
            sts,
            dane,
            mx_dnssec_failure,
            verifiers: self.verifiers.clone(),
        })
    }

    /// Records a finished session: pins the domain after verified TLS, counts it for TLS-RPT.
    /// The pin store blocks; this runs it on the blocking pool.
    pub async fn record_result(
        &self,
        plan: &DomainPlan,
        mx: &MxPlan,
        result: &SessionResult,
    ) -> Result<(), TlsPolicyError> {
        self.reports
            .record(self.clock.now(), &mx.report, &mx.host, result);
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
        };
        self.reports
            .record(self.clock.now(), &mx.report, &mx.host, &result);
    }

    /// Reports for every policy domain with sessions on the UTC day `day` (days since the
    /// epoch), removing them from the collector.
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

/// The floor part of an MTA-STS `enforce` policy.
fn sts_part(id: &str) -> FloorPart {
    FloorPart {
        source: FloorSource::MtaSts,
        level: TlsLevel::Verify,
        on_failure: None,
        detail: format!("MTA-STS id {id} mode enforce"),
    }
}

impl DomainPlan {
    /// The MTA-STS `enforce` policy in force, if any.
    fn enforce(&self) -> Option<&crate::mtasts::StsPolicy> {
        match &self.sts {
            StsLookup::Policy { policy, .. } if policy.mode == Mode::Enforce => Some(policy),
            _ => None,
        }
    }

    /// Whether deliver may use this MX host (MTA-STS `enforce`: only matching hosts, §4.1).
    pub fn mx_allowed(&self, host: &str) -> bool {
        self.enforce().is_none_or(|p| p.matches(host))
    }

    /// What is known, for `explain` and `sealgate tls status`: the floor with its sources,
    /// MTA-STS and DANE per MX (no message content).
    pub fn explain(&self) -> String {
        let mut out = format!("domain {}\n{}", self.domain, self.floor);
        out.push_str(&match &self.sts {
            StsLookup::NoPolicy => "mta-sts: none\n".to_string(),
            StsLookup::Unavailable { error, .. } => format!("mta-sts: unavailable ({error})\n"),
            StsLookup::Policy { id, policy, origin } => format!(
                "mta-sts: id {id} mode {} mx {} max_age {} ({origin:?})\n",
                policy.mode.as_str(),
                policy.mx.join(","),
                policy.max_age.as_secs()
            ),
        });
        if let Some(e) = &self.mx_dnssec_failure {
            out.push_str(&format!("dnssec: MX lookup failed or bogus ({e})\n"));
        }
        let mut hosts: Vec<_> = self.dane.iter().collect();
        hosts.sort_by(|a, b| a.0.cmp(b.0));
        for (host, state) in hosts {
            let s = match state {
                DaneState::None => "no TLSA".to_string(),
                DaneState::Usable(r) => format!("{} usable TLSA", r.len()),
                DaneState::Unusable => "TLSA present, none usable (encrypt)".to_string(),
                DaneState::Failed(e) => format!("TLSA lookup failed ({e})"),
            };
            out.push_str(&format!("dane {host}: {s}\n"));
        }
        out
    }

    /// The outcome when no MX host is allowed by the MTA-STS policy: defer (RFC 8461 §5).
    pub fn no_mx_allowed(&self) -> Unmet {
        Unmet::Defer {
            reason: "no MX host matches the domain's MTA-STS policy".into(),
        }
    }

    fn report_policy(&self, host: &str, dane: &DaneState) -> ReportPolicy {
        if let DaneState::Usable(records) = dane {
            return ReportPolicy {
                kind: PolicyKind::Tlsa,
                domain: self.domain.to_string(),
                strings: records.iter().map(Tlsa::presentation).collect(),
                mx_hosts: vec![host.to_string()],
            };
        }
        match &self.sts {
            StsLookup::Policy { policy, .. } => ReportPolicy {
                kind: PolicyKind::Sts,
                domain: self.domain.to_string(),
                strings: policy.policy_strings(),
                mx_hosts: policy.mx.clone(),
            },
            StsLookup::Unavailable { .. } => ReportPolicy {
                kind: PolicyKind::Sts,
                domain: self.domain.to_string(),
                strings: Vec::new(),
                mx_hosts: Vec::new(),
            },
            StsLookup::NoPolicy => ReportPolicy {
                kind: PolicyKind::NoPolicyFound,
                domain: self.domain.to_string(),
                strings: Vec::new(),
                mx_hosts: Vec::new(),
            },
        }
    }

    /// The plan for connecting to `host`.
    pub fn mx_plan(&self, host: &str, route: RouteKind) -> Result<MxPlan, TlsPolicyError> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let dane = match route {
            RouteKind::Mx => self.dane.get(&host).cloned().unwrap_or(DaneState::None),
            RouteKind::Static => DaneState::None,
        };
        let mut parts: Vec<FloorPart> = self
            .floor
            .parts
            .iter()
            .filter(|p| route == RouteKind::Mx || p.source != FloorSource::MtaSts)
            .cloned()
            .collect();
        let usable = matches!(dane, DaneState::Usable(_));
        let mut skip: Option<Unmet> = None;
        for p in &mut parts {
            if p.level == TlsLevel::Dane && !usable {
                // Opportunistic DANE without usable TLSA: what the other parts say.
                p.level = TlsLevel::May;
            }
            if p.level == TlsLevel::DaneOnly
                && !usable
                && skip.is_none()
                && let Verdict::Unmet(u) =
                    Floor::compute(vec![p.clone()]).judge(p.level, Achieved::Verified)
            {
                skip = Some(u);
            }
        }
        match &dane {
            DaneState::Usable(records) => parts.push(FloorPart {
                source: FloorSource::Dane,
                level: TlsLevel::DaneOnly,
                on_failure: None,
                detail: format!(
                    "TLSA _25._tcp.{host}: {}",
                    records
                        .iter()
                        .map(|t| format!("{} {} {}", t.usage, t.selector, t.matching))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
            DaneState::Unusable => parts.push(FloorPart {
                source: FloorSource::Dane,
                level: TlsLevel::Encrypt,
                on_failure: None,
                detail: format!("TLSA _25._tcp.{host}: no usable record"),
            }),
            DaneState::Failed(e) => {
                skip = skip.or(Some(Unmet::Defer {
                    reason: format!("TLSA lookup for {host} failed or bogus: {e}"),
                }));
            }
            DaneState::None => {}
        }
        // DANE wins over MTA-STS (RFC 8461 §2): a host with usable TLSA needs no STS match.
        if route == RouteKind::Mx && !usable && !self.mx_allowed(&host) {
            skip = Some(self.no_mx_allowed());
        }
        if route == RouteKind::Mx
            && let Some(e) = &self.mx_dnssec_failure
        {
            skip = Some(Unmet::Defer {
                reason: format!("DNSSEC MX lookup failed or bogus: {e}"),
            });
        }
        let floor = Floor::compute(parts);
        let level = floor.level;
        let verifier: Arc<dyn ServerCertVerifier> = match (&dane, level) {
            (DaneState::Usable(records), _) => Arc::new(DaneVerifier::new(records)),
            (_, TlsLevel::Verify | TlsLevel::Dane | TlsLevel::DaneOnly) => {
                self.verifiers.webpki.clone()
            }
            _ => self.verifiers.any_cert.clone(),
        };
        Ok(MxPlan {
            report: self.report_policy(&host, &dane),
            tls: verify::client_config(verifier.clone())?,
            verifier,
            plaintext_allowed: floor.allows_plaintext(),
            level,
            floor,
            skip,
            host,
            verifiers: self.verifiers.clone(),
        })
    }
}
