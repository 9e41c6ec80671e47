//! Policy discovery with a cache (RFC 8461 §3.3, §5.1).
//!
//! Guarantees: the `_mta-sts` record is looked up on every call; a cached, unexpired policy
//! whose `id` equals the record's is used without a fetch; a new `id` (or no cached policy)
//! fetches, and a successful fetch replaces the cache entry with expiry now + `max_age`; a
//! failed fetch, a missing record or a DNS failure keeps using an unexpired cached policy
//! (§5.1), so an attacker who blocks the fetch or strips the record cannot downgrade a cached
//! `enforce`. Store calls run on the blocking pool. Time comes from the [`Clock`].

use crate::dns::PolicyDns;
use crate::error::TlsPolicyError;
use crate::mtasts::fetch::Fetcher;
use crate::mtasts::policy::StsPolicy;
use crate::mtasts::record::StsRecord;
use sealgate_core::store::{StsCache, StsCacheEntry};
use sealgate_core::{Clock, Domain};
use std::sync::Arc;

/// Where a policy in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Fetched just now.
    Fetched,
    /// From the cache, the record's `id` unchanged.
    Cache,
    /// From the cache because the fetch (or the DNS) failed or the record is gone.
    CacheAfterFailure,
}

/// The result of a discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsLookup {
    /// The domain has no MTA-STS policy.
    NoPolicy,
    /// A record exists but no policy could be fetched and none is cached (TLS-RPT
    /// `sts-policy-fetch-error` / `sts-policy-invalid`; delivery as without a policy).
    Unavailable {
        /// Why (generic).
        error: String,
        /// True when the fetched policy was malformed rather than unreachable.
        invalid: bool,
    },
    /// A policy applies.
    Policy {
        /// The record `id` it was fetched under.
        id: String,
        /// The policy.
        policy: StsPolicy,
        /// Where it came from.
        origin: Origin,
    },
}

/// Discovers and caches MTA-STS policies.
#[derive(Clone)]
pub struct StsResolver {
    dns: Arc<dyn PolicyDns>,
    fetcher: Fetcher,
    cache: Arc<dyn StsCache>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for StsResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StsResolver")
    }
}

impl StsResolver {
    /// Replaces the fetcher (a new destination guard).
    pub(crate) fn set_fetcher(&mut self, fetcher: Fetcher) {
        self.fetcher = fetcher;
    }

    /// A resolver over these parts.
    pub fn new(
        dns: Arc<dyn PolicyDns>,
        fetcher: Fetcher,
        cache: Arc<dyn StsCache>,
        clock: Arc<dyn Clock>,
    ) -> StsResolver {
        StsResolver {
            dns,
            fetcher,
            cache,
            clock,
        }
    }

    async fn cached(&self, domain: &Domain) -> Result<Option<StsCacheEntry>, TlsPolicyError> {
        let (cache, d, now) = (self.cache.clone(), domain.clone(), self.clock.now());
        tokio::task::spawn_blocking(move || cache.get(&d, now))
            .await
            .map_err(|e| TlsPolicyError::Fetch(format!("cache task: {e}")))?
            .map_err(TlsPolicyError::from)
    }

    async fn store(&self, domain: &Domain, entry: StsCacheEntry) -> Result<(), TlsPolicyError> {
        let (cache, d) = (self.cache.clone(), domain.clone());
        tokio::task::spawn_blocking(move || cache.put(&d, &entry))
            .await
            .map_err(|e| TlsPolicyError::Fetch(format!("cache task: {e}")))?
            .map_err(TlsPolicyError::from)
    }

    fn from_cache(entry: StsCacheEntry, origin: Origin) -> StsLookup {
        match StsPolicy::parse(&entry.policy) {
            Ok(policy) => StsLookup::Policy {
                id: entry.id,
                policy,
                origin,
            },
            // Only parsed policies are ever cached; a corrupt row counts as no cache.
            Err(e) => StsLookup::Unavailable {
                error: format!("cached policy unreadable: {e}"),
                invalid: true,
            },
        }
    }

    /// The policy for `domain` now.
    pub async fn lookup(&self, domain: &Domain) -> Result<StsLookup, TlsPolicyError> {
        let cached = self.cached(domain).await?;
        let record = match self.dns.txt(&format!("_mta-sts.{domain}")).await {
            Ok(txts) => StsRecord::find(&txts).ok().flatten(),
            Err(e) => {
                return Ok(match cached {
                    Some(c) => Self::from_cache(c, Origin::CacheAfterFailure),
                    None => {
                        tracing::debug!(domain = %domain, error = %e, "MTA-STS record lookup failed");
                        StsLookup::NoPolicy
                    }
                });
            }
        };
        let Some(record) = record else {
            return Ok(match cached {
                Some(c) => Self::from_cache(c, Origin::CacheAfterFailure),
                None => StsLookup::NoPolicy,
            });
        };
        if let Some(c) = &cached
            && c.id == record.id
        {
            return Ok(Self::from_cache(c.clone(), Origin::Cache));
        }
        match self.fetcher.fetch(domain.as_str()).await {
            Ok(fetched) => {
                let now = self.clock.now();
                let entry = StsCacheEntry {
                    id: record.id.clone(),
                    policy: fetched.text,
                    fetched: now,
                    expires: now.plus(fetched.policy.max_age),
                };
                self.store(domain, entry).await?;
                Ok(StsLookup::Policy {
                    id: record.id,
                    policy: fetched.policy,
                    origin: Origin::Fetched,
                })
            }
            Err(e) => {
                tracing::info!(domain = %domain, error = %e, "MTA-STS policy fetch failed");
                Ok(match cached {
                    Some(c) => Self::from_cache(c, Origin::CacheAfterFailure),
                    None => StsLookup::Unavailable {
                        invalid: matches!(e, TlsPolicyError::Invalid(_)),
                        error: e.to_string(),
                    },
                })
            }
        }
    }
}
