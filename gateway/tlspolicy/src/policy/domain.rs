//! A domain's plan and the per-host plans made from it (DANE applied, MTA-STS filter).
//!
//! Guarantees: a host is skipped (never contacted) when its TLSA lookup was bogus or failed,
//! when the DNSSEC MX lookup was, when the MTA-STS `enforce` policy does not list it (unless
//! it has usable TLSA: DANE wins, RFC 8461 §2), or when `dane-only` finds no usable TLSA;
//! usable TLSA makes TLS mandatory with the DANE verifier; TLSA records that are all unusable
//! make the host `encrypt`; plaintext is allowed only when the host's floor is `may` or below;
//! every host's plan says how its name was authenticated, and with `mx = "authenticated"` an
//! unauthenticated host is skipped for verified TLS (`mx_auth.rs`).

use crate::dane::{DaneVerifier, Tlsa};
use crate::error::TlsPolicyError;
use crate::floor::{Achieved, Floor, FloorPart, FloorSource, Unmet, Verdict};
use crate::mtasts::cache::StsLookup;
use crate::mtasts::policy::Mode;
use crate::tlsrpt::{PolicyKind, ReportPolicy};
use crate::verify::{self, Verifiers};
use rustls::ClientConfig;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::CertificateDer;
use sealgate_core::{Domain, MxAuth, TlsLevel};
use std::collections::HashMap;
use std::sync::Arc;

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
    /// The hosts of a DNSSEC-secure MX answer (empty when the answer was not secure): their
    /// names are authenticated.
    pub secure_mx: Vec<String>,
    /// `mx = "authenticated"` applies to this domain: verified TLS only to authenticated names.
    pub mx_required: bool,
    /// The administrator named these hosts (a tenant's return route, set by deliver): their
    /// names count as authenticated, as a static route's do.
    pub configured: bool,
    pub(crate) verifiers: Arc<Verifiers>,
}

impl std::fmt::Debug for DomainPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DomainPlan")
            .field("domain", &self.domain)
            .field("floor", &self.floor)
            .field("sts", &self.sts)
            .field("dane", &self.dane)
            .field("secure_mx", &self.secure_mx)
            .field("mx_required", &self.mx_required)
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
    /// How the host's name was authenticated (recorded with the attempt).
    pub mx_auth: MxAuth,
    verifiers: Arc<Verifiers>,
    /// The verifier is DANE's (usable TLSA).
    dane: bool,
}

impl std::fmt::Debug for MxPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MxPlan")
            .field("host", &self.host)
            .field("level", &self.level)
            .field("plaintext_allowed", &self.plaintext_allowed)
            .field("skip", &self.skip)
            .field("mx_auth", &self.mx_auth)
            .finish()
    }
}

impl MxPlan {
    /// The verdict for a connection to this host that reached `achieved`.
    pub fn judge(&self, achieved: Achieved) -> Verdict {
        self.floor.judge(self.level, achieved)
    }

    /// The level a session reached: `None` for plaintext, else the chain the server presented
    /// in a handshake that passed `self.tls`.
    pub fn achieved(&self, handshake: Option<&[CertificateDer<'_>]>) -> Achieved {
        match handshake {
            None => Achieved::Plaintext,
            Some(_) if self.dane => Achieved::DaneVerified,
            Some(chain) if self.webpki_ok(chain) => Achieved::Verified,
            Some(_) => Achieved::Encrypted,
        }
    }

    /// The verifier is DANE's (the host has usable TLSA records): a finished handshake means
    /// a TLSA record matched.
    pub fn uses_dane(&self) -> bool {
        self.dane
    }

    /// Whether the presented chain passes WebPKI for this host (recorded whatever the level).
    pub fn webpki_ok(&self, chain: &[CertificateDer<'_>]) -> bool {
        self.verifiers.webpki_ok(&self.host, chain)
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
        if !self.secure_mx.is_empty() {
            out.push_str(&format!(
                "dnssec: MX secure ({})\n",
                self.secure_mx.join(",")
            ));
        }
        if self.mx_required {
            out.push_str("mx names: authenticated only (for verified TLS)\n");
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
        let usable = matches!(dane, DaneState::Usable(_));
        let (parts, mut skip) = self.floor_parts(&host, route, &dane);
        // DANE wins over MTA-STS (RFC 8461 §2): a host with usable TLSA needs no STS match.
        if route == RouteKind::Mx && !usable && !self.mx_allowed(&host) {
            skip = Some(self.no_mx_allowed());
        }
        let mx_auth = self.mx_auth(&host, route);
        if let Some(u) = self.unauthenticated_mx(&host, mx_auth, &parts) {
            skip = skip.or(Some(u));
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
            mx_auth,
            verifiers: self.verifiers.clone(),
            dane: usable,
        })
    }

    /// The floor's parts that apply on this route (MTA-STS only for MX hosts), with DANE's
    /// own part for `host`, and the first reason the host cannot be used at all (a `dane-only`
    /// domain without usable TLSA, a failed or bogus TLSA lookup).
    fn floor_parts(
        &self,
        host: &str,
        route: RouteKind,
        dane: &DaneState,
    ) -> (Vec<FloorPart>, Option<Unmet>) {
        let usable = matches!(dane, DaneState::Usable(_));
        let mut parts: Vec<FloorPart> = self
            .floor
            .parts
            .iter()
            .filter(|p| route == RouteKind::Mx || p.source != FloorSource::MtaSts)
            .cloned()
            .collect();
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
        match dane {
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
        (parts, skip)
    }
}
