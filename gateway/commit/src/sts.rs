//! [`StsCache`] over the spool's database: cached MTA-STS policies per recipient domain.
//!
//! Guarantees: entries are keyed by the domain's A-label form; an entry whose `expires` is at or
//! before `now` is not returned; writes are durable.

use crate::error::CommitError;
use crate::queue::{Shared, Spool};
use crate::schema;
use sealgate_core::address::Domain;
use sealgate_core::store::{StoreError, StsCache, StsCacheEntry};
use sealgate_core::time::Timestamp;
use std::sync::Arc;

/// The spool's MTA-STS policy cache (see [`Spool::sts_cache`]).
#[derive(Clone)]
pub struct SpoolStsCache {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SpoolStsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpoolStsCache")
    }
}

impl Spool {
    /// The MTA-STS policy cache backed by this spool's database.
    pub fn sts_cache(&self) -> SpoolStsCache {
        SpoolStsCache {
            shared: self.shared.clone(),
        }
    }
}

impl SpoolStsCache {
    fn get_inner(
        &self,
        domain: &Domain,
        now: Timestamp,
    ) -> Result<Option<StsCacheEntry>, CommitError> {
        let txn = schema::read(&self.shared.db)?;
        let table = txn.open_table(schema::STS)?;
        let Some(v) = table.get(domain.as_str())? else {
            return Ok(None);
        };
        let entry: StsCacheEntry = schema::decode(v.value())?;
        Ok((entry.expires > now).then_some(entry))
    }
}

impl StsCache for SpoolStsCache {
    fn put(&self, domain: &Domain, entry: &StsCacheEntry) -> Result<(), StoreError> {
        let value = schema::encode(entry)?;
        let domain = domain.as_str().to_string();
        self.shared.write(Box::new(move |txn| {
            txn.open_table(schema::STS)?
                .insert(domain.as_str(), value.as_slice())?;
            Ok(0)
        }))?;
        Ok(())
    }

    fn get(&self, domain: &Domain, now: Timestamp) -> Result<Option<StsCacheEntry>, StoreError> {
        Ok(self.get_inner(domain, now)?)
    }

    fn remove(&self, domain: &Domain) -> Result<(), StoreError> {
        let domain = domain.as_str().to_string();
        self.shared.write(Box::new(move |txn| {
            txn.open_table(schema::STS)?.remove(domain.as_str())?;
            Ok(0)
        }))?;
        Ok(())
    }
}
