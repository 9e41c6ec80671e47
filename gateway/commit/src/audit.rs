//! [`AuditLog`] over the spool's database: append-only administrative audit records.
//!
//! Guarantees: sequence numbers start at 1 and increase by one per record with no gaps (they
//! are assigned inside the durable write transaction); nothing here updates or deletes a record.

use crate::error::CommitError;
use crate::queue::{Shared, Spool};
use crate::schema;
use redb::ReadableTable;
use sealgate_core::store::{AuditLog, AuditRecord, StoreError};
use std::sync::Arc;

/// The spool's audit log (see [`Spool::audit`]).
#[derive(Clone)]
pub struct SpoolAudit {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SpoolAudit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpoolAudit")
    }
}

impl Spool {
    /// The audit log backed by this spool's database.
    pub fn audit(&self) -> SpoolAudit {
        SpoolAudit {
            shared: self.shared.clone(),
        }
    }
}

impl SpoolAudit {
    fn since_inner(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, AuditRecord)>, CommitError> {
        let txn = schema::read(&self.shared.db)?;
        let table = txn.open_table(schema::AUDIT)?;
        let mut out = Vec::new();
        let Some(start) = after.checked_add(1) else {
            return Ok(out);
        };
        for row in table.range(start..)? {
            if out.len() >= limit {
                break;
            }
            let (k, v) = row?;
            out.push((k.value(), schema::decode(v.value())?));
        }
        Ok(out)
    }
}

impl AuditLog for SpoolAudit {
    fn append(&self, record: &AuditRecord) -> Result<u64, StoreError> {
        let value = schema::encode(record)?;
        let seq = self.shared.write(Box::new(move |txn| {
            let mut table = txn.open_table(schema::AUDIT)?;
            let last = table.last()?.map_or(0, |(k, _)| k.value());
            let seq = last + 1;
            table.insert(seq, value.as_slice())?;
            Ok(seq)
        }))?;
        Ok(seq)
    }

    fn since(&self, after: u64, limit: usize) -> Result<Vec<(u64, AuditRecord)>, StoreError> {
        Ok(self.since_inner(after, limit)?)
    }
}
