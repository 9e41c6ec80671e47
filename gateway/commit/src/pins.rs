//! [`PinStore`] over the spool's database: "once TLS, always TLS" pins per recipient domain.
//!
//! Guarantees: pins are keyed by the domain's A-label form (so spellings of one IDN share a
//! pin); a pin whose `expires` is at or before `now` is not returned; writes are durable.

use crate::error::CommitError;
use crate::queue::{Shared, Spool};
use crate::schema;
use sealgate_core::address::Domain;
use sealgate_core::store::{Pin, PinStore, StoreError};
use sealgate_core::time::Timestamp;
use std::sync::Arc;

/// The spool's TLS pin store (see [`Spool::pins`]).
#[derive(Clone)]
pub struct SpoolPins {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SpoolPins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpoolPins")
    }
}

impl Spool {
    /// The TLS pin store backed by this spool's database.
    pub fn pins(&self) -> SpoolPins {
        SpoolPins {
            shared: self.shared.clone(),
        }
    }
}

impl SpoolPins {
    fn get_inner(&self, domain: &Domain, now: Timestamp) -> Result<Option<Pin>, CommitError> {
        let txn = schema::read(&self.shared.db)?;
        let table = txn.open_table(schema::PINS)?;
        let Some(v) = table.get(domain.as_str())? else {
            return Ok(None);
        };
        let pin: Pin = schema::decode(v.value())?;
        Ok((pin.expires > now).then_some(pin))
    }
}

impl PinStore for SpoolPins {
    fn put(&self, domain: &Domain, pin: &Pin) -> Result<(), StoreError> {
        let value = schema::encode(pin)?;
        let domain = domain.as_str().to_string();
        self.shared.write(Box::new(move |txn| {
            txn.open_table(schema::PINS)?
                .insert(domain.as_str(), value.as_slice())?;
            Ok(0)
        }))?;
        Ok(())
    }

    fn get(&self, domain: &Domain, now: Timestamp) -> Result<Option<Pin>, StoreError> {
        Ok(self.get_inner(domain, now)?)
    }

    fn remove(&self, domain: &Domain) -> Result<(), StoreError> {
        let domain = domain.as_str().to_string();
        self.shared.write(Box::new(move |txn| {
            txn.open_table(schema::PINS)?.remove(domain.as_str())?;
            Ok(0)
        }))?;
        Ok(())
    }
}
