//! `[tls]`: outbound transport security policy (issue 5) — the per-domain floor table, MTA-STS,
//! DANE, "once TLS, always TLS" pins and TLS-RPT reporting.

use crate::defaults;
use crate::reader::{Section, parse_socket};
use sealgate_core::{Domain, Method, OnFailure, TlsLevel};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// One `[tls.domains]` entry: the admin's floor for a recipient domain, and whether its MX
/// names must be authenticated. It has a `level`, an `mx`, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsDomainRule {
    /// The recipient domain (exact match).
    pub domain: Domain,
    /// `level`: the lowest TLS level mail to it may use (none: no admin floor).
    pub level: Option<TlsLevel>,
    /// `on_failure`: `forced` (next method) or `exclusive` (drop with notice); default `forced`.
    pub on_failure: OnFailure,
    /// `mx`: overrides `[tls] mx` for this domain (none: the global setting).
    pub mx: Option<MxNames>,
}

/// `mx`: which MX host names a verified-TLS delivery (`tls-verified`, or a configured
/// `verify` level) may check the certificate against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MxNames {
    /// `any` (default): whatever plain DNS answered.
    #[default]
    Any,
    /// `authenticated`: only names from a DNSSEC-secure MX answer or listed by the domain's
    /// MTA-STS policy (or the domain itself, or a configured route). Most domains publish
    /// neither, so their verified-TLS mail goes down the method chain instead.
    Authenticated,
}

impl std::str::FromStr for MxNames {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "any" => Ok(MxNames::Any),
            "authenticated" => Ok(MxNames::Authenticated),
            _ => Err(format!("`{s}`: expected \"any\" or \"authenticated\"")),
        }
    }
}

/// `[tls.testing]`: overrides for test rigs only. Never set them in production.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsTesting {
    /// `trust_anchor`: DNSKEY records trusted instead of the root's (DNSSEC for DANE).
    pub trust_anchor: Option<PathBuf>,
    /// `mta_sts_address`: connect every MTA-STS policy fetch to this `ip:port`.
    pub mta_sts_address: Option<SocketAddr>,
    /// `mta_sts_ca`: PEM roots trusted for MTA-STS fetches instead of the Mozilla roots.
    pub mta_sts_ca: Option<PathBuf>,
    /// `mx_ca`: PEM roots trusted for level `verify` at MX hosts instead of the Mozilla roots.
    pub mx_ca: Option<PathBuf>,
}

/// `[tls]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsPolicyConfig {
    /// `[tls.domains]`, sorted by domain.
    pub domains: Vec<TlsDomainRule>,
    /// `mta_sts`: honour recipients' MTA-STS policies (default true).
    pub mta_sts: bool,
    /// `dane`: honour DNSSEC-secure TLSA records (default true).
    pub dane: bool,
    /// `mta_sts_fetch_timeout`: whole-request limit for one policy fetch.
    pub mta_sts_fetch_timeout: Duration,
    /// `pin_lifetime`: a pin lapses unless verified TLS is seen again within this (0: no pins).
    pub pin_lifetime: Duration,
    /// `report_organization`: `organization-name` of TLS-RPT reports (default: gateway domain).
    pub report_organization: Option<String>,
    /// `report_contact`: `contact-info` of TLS-RPT reports (default: the postmaster).
    pub report_contact: Option<String>,
    /// `fallback_chain`: the chain a `deliver` recipient walks when its domain's TLS floor
    /// (`[tls.domains]` with `on_failure = "forced"`) can't be met at delivery (default
    /// `["pgp", "smime", "bounce-with-notice"]`). Must end in `hold` or `bounce-with-notice`
    /// and may not name `tls-verified`.
    pub fallback_chain: Vec<Method>,
    /// `mx`: the default for every domain without its own `[tls.domains] mx` (default `any`).
    pub mx: MxNames,
    /// `[tls.testing]`.
    pub testing: TlsTesting,
}

pub(crate) fn read_tls_policy(mut s: Section<'_>) -> TlsPolicyConfig {
    let domains = read_domains(s.section("domains"));
    let mta_sts = s.boolean("mta_sts").unwrap_or(true);
    let dane = s.boolean("dane").unwrap_or(true);
    let mta_sts_fetch_timeout = s
        .positive_duration("mta_sts_fetch_timeout")
        .unwrap_or(defaults::MTA_STS_FETCH_TIMEOUT);
    let pin_lifetime = s.duration("pin_lifetime").unwrap_or(defaults::PIN_LIFETIME);
    let report_organization = s.string("report_organization");
    let report_contact = s.string("report_contact");
    let fallback_chain = read_fallback_chain(&mut s);
    let mx = s.parsed("mx", str::parse).unwrap_or_default();
    let testing = read_testing(s.section("testing"));
    s.finish();
    TlsPolicyConfig {
        domains,
        mta_sts,
        dane,
        mta_sts_fetch_timeout,
        pin_lifetime,
        report_organization,
        report_contact,
        fallback_chain,
        mx,
        testing,
    }
}

/// The default `fallback_chain` (`portal` is passed over where no `[portal]` is configured).
pub const DEFAULT_FALLBACK_CHAIN: [Method; 4] = [
    Method::Pgp,
    Method::Smime,
    Method::Portal,
    Method::BounceWithNotice,
];

fn read_fallback_chain(s: &mut Section<'_>) -> Vec<Method> {
    let Some(chain) = s.parsed_list("fallback_chain", |v| {
        v.parse::<Method>().map_err(|e| format!("`{v}`: {e}"))
    }) else {
        return DEFAULT_FALLBACK_CHAIN.to_vec();
    };
    if chain.contains(&Method::TlsVerified) {
        s.issue(
            "fallback_chain",
            "may not name tls-verified: it is walked because TLS could not be had",
        );
    }
    if !matches!(chain.last(), Some(Method::Hold | Method::BounceWithNotice)) {
        s.issue(
            "fallback_chain",
            "must end in hold or bounce-with-notice (nothing may be left undecided)",
        );
    }
    chain
}

fn read_domains(mut s: Section<'_>) -> Vec<TlsDomainRule> {
    let mut out = Vec::new();
    for (key, mut t) in s.drain_tables() {
        let domain = Domain::parse(&key);
        if domain.is_err() {
            s.issue(&key, "is not a domain name");
        }
        let level = t.parsed("level", |v| {
            v.parse::<TlsLevel>().map_err(|e| format!("`{v}`: {e}"))
        });
        let mx = t.parsed("mx", str::parse::<MxNames>);
        if level.is_none() && mx.is_none() && !t.had_issue("level") && !t.had_issue("mx") {
            t.issue("level", "is required (or give `mx`)");
        }
        let on_failure = t
            .parsed("on_failure", |v| {
                v.parse::<OnFailure>().map_err(|e| format!("`{v}`: {e}"))
            })
            .unwrap_or(OnFailure::Forced);
        t.finish();
        if let Ok(domain) = domain
            && (level.is_some() || mx.is_some())
        {
            out.push(TlsDomainRule {
                domain,
                level,
                on_failure,
                mx,
            });
        }
    }
    s.finish();
    out.sort_by(|a, b| a.domain.as_str().cmp(b.domain.as_str()));
    out
}

fn read_testing(mut s: Section<'_>) -> TlsTesting {
    let trust_anchor = s.path("trust_anchor");
    let mta_sts_address = s.parsed("mta_sts_address", parse_socket);
    let mta_sts_ca = s.path("mta_sts_ca");
    let mx_ca = s.path("mx_ca");
    s.finish();
    TlsTesting {
        trust_anchor,
        mta_sts_address,
        mta_sts_ca,
        mx_ca,
    }
}

#[cfg(test)]
mod tests {
    use crate::Config;
    use sealgate_core::{OnFailure, TlsLevel};

    #[test]
    fn tls_domains_table_reads_and_reports_every_problem() {
        let c = Config::from_toml(
            r#"
            [tls]
            pin_lifetime = "10d"
            [tls.domains]
            "bank.example"    = { level = "verify",  on_failure = "exclusive" }
            "partner.example" = { level = "encrypt" }
            "#,
        )
        .unwrap();
        let d = &c.tls.domains;
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].domain.as_str(), "bank.example");
        assert_eq!(
            (d[0].level, d[0].on_failure),
            (Some(TlsLevel::Verify), OnFailure::Exclusive)
        );
        assert_eq!(
            (d[1].level, d[1].on_failure),
            (Some(TlsLevel::Encrypt), OnFailure::Forced)
        );
        assert_eq!(c.tls.mx, super::MxNames::Any, "off by default");
        assert_eq!(c.tls.pin_lifetime.as_secs(), 864_000);
        assert!(c.tls.mta_sts && c.tls.dane);
        assert_eq!(c.tls.fallback_chain, super::DEFAULT_FALLBACK_CHAIN.to_vec());
        let c = Config::from_toml("[tls]\nfallback_chain = [\"smime\", \"hold\"]\n").unwrap();
        assert_eq!(
            c.tls.fallback_chain,
            vec![sealgate_core::Method::Smime, sealgate_core::Method::Hold]
        );

        let e = Config::from_toml(
            r#"
            [tls]
            colour = 1
            mx = "yes"
            fallback_chain = ["tls-verified", "pgp"]
            [tls.domains]
            "bad domain" = { level = "verify" }
            "a.example" = { level = "paranoid", on_failure = "maybe" }
            "b.example" = { on_failure = "forced" }
            "c.example" = { mx = "dnssec" }
            "#,
        )
        .unwrap_err();
        let keys: Vec<&str> = e.issues.iter().map(|i| i.key.as_str()).collect();
        for k in [
            "tls.colour",
            "tls.fallback_chain",
            "tls.domains.bad domain",
            "tls.domains.a.example.level",
            "tls.domains.a.example.on_failure",
            "tls.domains.b.example.level",
            "tls.domains.c.example.mx",
            "tls.mx",
        ] {
            assert!(keys.contains(&k), "{k} missing from {keys:?}");
        }
    }

    #[test]
    fn mx_names_read_globally_and_per_domain() {
        let c = Config::from_toml(
            r#"
            [tls]
            mx = "authenticated"
            [tls.domains]
            "open.example" = { mx = "any" }
            "strict.example" = { level = "verify", mx = "authenticated" }
            "#,
        )
        .unwrap();
        assert_eq!(c.tls.mx, super::MxNames::Authenticated);
        let d = &c.tls.domains;
        assert_eq!(
            (d[0].domain.as_str(), d[0].level, d[0].mx),
            ("open.example", None, Some(super::MxNames::Any))
        );
        assert_eq!(
            (d[1].level, d[1].mx),
            (Some(TlsLevel::Verify), Some(super::MxNames::Authenticated))
        );
    }
}
