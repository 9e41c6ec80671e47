//! "Once TLS, always TLS": a domain seen accepting verified TLS is pinned, and later mail to it
//! is not sent in plaintext or unverified until the pin lapses.
//!
//! Guarantees: a pin is written only after a session that met `verify` (WebPKI) or was
//! DANE-verified; a WebPKI-verified domain is pinned at `verify`, a domain verified only by DANE
//! at `encrypt` (its certificate may not be WebPKI-valid, and its TLSA records already raise the
//! floor while they exist); every such session refreshes the expiry to now + lifetime; a pin
//! never lowers a stored higher level while it is valid; an unreadable level counts as
//! `encrypt` (never as nothing). Time comes from the [`Clock`].

use crate::error::TlsPolicyError;
use crate::floor::{Achieved, FloorPart, FloorSource};
use sealgate_core::store::{Pin, PinStore};
use sealgate_core::{Clock, Domain, TlsLevel};
use std::sync::Arc;
use std::time::Duration;

/// The pin keeper.
#[derive(Clone)]
pub struct Pins {
    store: Arc<dyn PinStore>,
    clock: Arc<dyn Clock>,
    lifetime: Duration,
}

impl std::fmt::Debug for Pins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pins")
            .field("lifetime", &self.lifetime)
            .finish()
    }
}

/// How stale a pin's `last_seen` may be before a verified session writes it again: a
/// hundredth of the lifetime, at most an hour.
fn refresh_interval(lifetime: Duration) -> Duration {
    (lifetime / 100).min(Duration::from_secs(3600))
}

impl Pins {
    /// Pins in `store`, lapsing `lifetime` after the last verified session (zero: no pinning).
    pub fn new(store: Arc<dyn PinStore>, clock: Arc<dyn Clock>, lifetime: Duration) -> Pins {
        Pins {
            store,
            clock,
            lifetime,
        }
    }

    /// Whether pinning is on (`pin_lifetime` is not zero).
    pub fn enabled(&self) -> bool {
        !self.lifetime.is_zero()
    }

    /// The valid pin of a domain and the level it demands.
    pub fn get(&self, domain: &Domain) -> Result<Option<(Pin, TlsLevel)>, TlsPolicyError> {
        let now = self.clock.now();
        Ok(self.store.get(domain, now)?.map(|p| {
            let level = p
                .level
                .parse::<TlsLevel>()
                .unwrap_or(TlsLevel::Encrypt)
                .max(TlsLevel::Encrypt);
            (p, level)
        }))
    }

    /// The floor part of a domain's pin, if it has a valid one.
    pub fn part(&self, domain: &Domain) -> Result<Option<FloorPart>, TlsPolicyError> {
        Ok(self.get(domain)?.map(|(p, level)| FloorPart {
            source: FloorSource::Pin,
            level,
            on_failure: None,
            detail: format!(
                "pinned after verified TLS (last seen {} s, expires {} s since epoch)",
                p.last_seen.secs(),
                p.expires.secs()
            ),
        }))
    }

    /// Records a finished session: pins or refreshes the domain after verified TLS. Returns the
    /// pin written, if any.
    pub fn record(
        &self,
        domain: &Domain,
        achieved: Achieved,
    ) -> Result<Option<Pin>, TlsPolicyError> {
        if self.lifetime.is_zero() {
            return Ok(None);
        }
        let level = match achieved {
            Achieved::Verified => TlsLevel::Verify,
            Achieved::DaneVerified => TlsLevel::Encrypt,
            Achieved::Plaintext | Achieved::Encrypted => return Ok(None),
        };
        let now = self.clock.now();
        let level = match self.get(domain)? {
            // Refreshed recently at this level: no write (a busy domain would otherwise cost a
            // store commit per session). The pin then lapses at most a refresh interval early.
            Some((old, old_level))
                if old_level >= level
                    && now.millis().saturating_sub(old.last_seen.millis())
                        < refresh_interval(self.lifetime).as_millis() as u64 =>
            {
                return Ok(None);
            }
            Some((_, old)) => old.max(level),
            None => level,
        };
        let pin = Pin {
            level: level.as_str().to_string(),
            last_seen: now,
            expires: now.plus(self.lifetime),
        };
        self.store.put(domain, &pin)?;
        Ok(Some(pin))
    }
}
