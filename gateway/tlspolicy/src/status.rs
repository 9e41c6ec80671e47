//! `sealgate tls status DOMAIN`: what is known about a recipient domain's transport security,
//! read from configuration and stores only (no DNS, no network): the admin `[tls.domains]`
//! floor, a valid pin, the cached MTA-STS policy and the last session's TLS facts.
//!
//! Guarantees: the same [`TlsStatus`] comes from a running gateway ([`TlsPolicy::status`],
//! which also sees facts not yet flushed) and from the stores of a stopped one
//! ([`TlsStatus::from_stores`]); it holds host names, levels, protocol names and times —
//! never a recipient or message content.
//!
//! [`TlsPolicy::status`]: crate::TlsPolicy::status

use crate::error::TlsPolicyError;
use crate::floor::FloorPart;
use crate::mtasts::StsPolicy;
use crate::pins::Pins;
use crate::tlsrpt::civil;
use sealgate_config::TlsPolicyConfig;
use sealgate_core::store::{PinStore, StsCache, TlsFacts, TlsStateStore};
use sealgate_core::{Clock, Domain, OnFailure, Timestamp, TlsLevel};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The admin's `[tls.domains]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminStatus {
    /// The level demanded.
    pub level: TlsLevel,
    /// What happens when it can't be met.
    pub on_failure: Option<OnFailure>,
}

/// A valid "once TLS, always TLS" pin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinStatus {
    /// The level it demands.
    pub level: TlsLevel,
    /// When verified TLS was last seen.
    pub last_seen: Timestamp,
    /// When it lapses unless refreshed.
    pub expires: Timestamp,
}

/// The cached MTA-STS policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StsStatus {
    /// The `_mta-sts` record `id` it was fetched under.
    pub id: String,
    /// `enforce`, `testing` or `none` (empty when the cached text doesn't parse).
    pub mode: String,
    /// `mx` patterns.
    pub mx: Vec<String>,
    /// `max_age` in seconds.
    pub max_age: u64,
    /// When it was fetched (or confirmed).
    pub fetched: Timestamp,
    /// When the cache entry lapses.
    pub expires: Timestamp,
}

/// Everything known about one domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsStatus {
    /// The domain (A-label).
    pub domain: String,
    /// When this was read.
    pub now: Timestamp,
    /// `[tls] mta_sts`.
    pub mta_sts_enabled: bool,
    /// `[tls] dane`.
    pub dane_enabled: bool,
    /// The `[tls.domains]` entry.
    pub admin: Option<AdminStatus>,
    /// `mx = "authenticated"` applies (the domain's entry, or the `[tls] mx` default): verified
    /// TLS only to authenticated MX names.
    #[serde(default)]
    pub mx_authenticated_only: bool,
    /// A valid pin.
    pub pin: Option<PinStatus>,
    /// The cached MTA-STS policy, if unexpired.
    pub mta_sts: Option<StsStatus>,
    /// The last session's facts.
    pub last: Option<TlsFacts>,
}

/// Reads the status (blocks on the stores).
pub(crate) fn read(
    domain: &Domain,
    admin: Option<FloorPart>,
    pins: &Pins,
    sts: &dyn StsCache,
    last: Option<TlsFacts>,
    (mta_sts_enabled, dane_enabled): (bool, bool),
    now: Timestamp,
) -> Result<TlsStatus, TlsPolicyError> {
    let pin = pins.get(domain)?.map(|(p, level)| PinStatus {
        level,
        last_seen: p.last_seen,
        expires: p.expires,
    });
    let mta_sts = sts.get(domain, now)?.map(|e| {
        let parsed = StsPolicy::parse(&e.policy).ok();
        StsStatus {
            id: e.id,
            mode: parsed
                .as_ref()
                .map(|p| p.mode.as_str().to_string())
                .unwrap_or_default(),
            mx: parsed.as_ref().map(|p| p.mx.clone()).unwrap_or_default(),
            max_age: parsed.as_ref().map_or(0, |p| p.max_age.as_secs()),
            fetched: e.fetched,
            expires: e.expires,
        }
    });
    Ok(TlsStatus {
        domain: domain.to_string(),
        now,
        mta_sts_enabled,
        dane_enabled,
        admin: admin.map(|p| AdminStatus {
            level: p.level,
            on_failure: p.on_failure,
        }),
        mx_authenticated_only: false,
        pin,
        mta_sts,
        last,
    })
}

impl TlsStatus {
    /// The status from the stores of a stopped gateway (blocks: the stores are read here).
    pub fn from_stores(
        config: &TlsPolicyConfig,
        domain: &Domain,
        pins: Arc<dyn PinStore>,
        sts: &dyn StsCache,
        state: &dyn TlsStateStore,
        clock: Arc<dyn Clock>,
    ) -> Result<TlsStatus, TlsPolicyError> {
        let admin = crate::policy::admin_table(config).remove(domain);
        let now = clock.now();
        let pins = Pins::new(pins, clock, config.pin_lifetime);
        let last = state.facts(domain)?;
        let mut status = read(
            domain,
            admin,
            &pins,
            sts,
            last,
            (config.mta_sts, config.dane),
            now,
        )?;
        status.mx_authenticated_only =
            crate::policy::AdminTable::from_config(config).mx_required(domain);
        Ok(status)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc(t: Timestamp) -> String {
    let s = t.secs();
    let (y, m, d) = civil(s / 86_400);
    let r = s % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        r / 3600,
        r % 3600 / 60,
        r % 60
    )
}

fn or_none(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("-")
}

impl fmt::Display for TlsStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "domain {}", self.domain)?;
        match &self.admin {
            Some(a) => writeln!(
                f,
                "admin floor: {} (on failure: {})",
                a.level,
                a.on_failure.map_or("-", OnFailure::as_str)
            )?,
            None => writeln!(f, "admin floor: none ([tls.domains] has no entry)")?,
        }
        if self.mx_authenticated_only {
            writeln!(
                f,
                "mx names: authenticated only for verified TLS (DNSSEC-secure MX or MTA-STS)"
            )?;
        } else {
            writeln!(f, "mx names: any")?;
        }
        match &self.pin {
            Some(p) => writeln!(
                f,
                "pin: {} (last seen {}, expires {})",
                p.level,
                utc(p.last_seen),
                utc(p.expires)
            )?,
            None => writeln!(f, "pin: none")?,
        }
        let sts_note = if self.mta_sts_enabled {
            ""
        } else {
            " [mta_sts = false: not honoured]"
        };
        match &self.mta_sts {
            Some(s) => writeln!(
                f,
                "mta-sts: id {} mode {} mx {} max_age {} (fetched {}, cached until {}){sts_note}",
                s.id,
                if s.mode.is_empty() { "?" } else { &s.mode },
                s.mx.join(","),
                s.max_age,
                utc(s.fetched),
                utc(s.expires)
            )?,
            None => writeln!(f, "mta-sts: no cached policy{sts_note}")?,
        }
        writeln!(
            f,
            "dane: {} (TLSA is looked up per delivery; see the attempt records)",
            if self.dane_enabled { "on" } else { "off" }
        )?;
        match &self.last {
            Some(l) => {
                writeln!(f, "last session: {} to {}", utc(l.at), l.mx_host)?;
                writeln!(f, "  achieved: {}", l.achieved)?;
                writeln!(f, "  tls version: {}", or_none(&l.tls_version))?;
                writeln!(f, "  cipher: {}", or_none(&l.tls_cipher))?;
                writeln!(
                    f,
                    "  certificate: webpki {}, dane {}",
                    if l.webpki_ok { "ok" } else { "not verified" },
                    if l.dane_ok { "ok" } else { "not verified" }
                )?;
                if let Some(fail) = &l.failure {
                    writeln!(f, "  failure: {fail}")?;
                }
            }
            None => writeln!(f, "last session: none recorded")?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_formats_times() {
        assert_eq!(
            super::utc(sealgate_core::Timestamp(1_800_000_000_000)),
            "2027-01-15T08:00:00Z"
        );
    }
}
