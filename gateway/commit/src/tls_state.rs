//! [`TlsStateStore`] over the spool's database: the last TLS facts per recipient domain and
//! the TLS-RPT day counts and undelivered reports.
//!
//! Guarantees: facts are keyed by the domain's A-label form; one [`TlsStateChanges`] is one
//! durable transaction (removals first, then stores), so a batch is never half written. The
//! policy crate calls [`TlsStateStore::apply`] about once a minute, not per session.

use crate::error::CommitError;
use crate::queue::{Shared, Spool};
use crate::schema;
use redb::ReadableTable;
use sealgate_core::address::Domain;
use sealgate_core::store::{
    PendingTlsReport, StoreError, TlsFacts, TlsReportCounts, TlsStateChanges, TlsStateStore,
};
use std::sync::Arc;

/// The spool's TLS state store (see [`Spool::tls_state`]).
#[derive(Clone)]
pub struct SpoolTlsState {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SpoolTlsState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpoolTlsState")
    }
}

impl Spool {
    /// The TLS state store (last TLS facts, TLS-RPT counts) backed by this spool's database.
    pub fn tls_state(&self) -> SpoolTlsState {
        SpoolTlsState {
            shared: self.shared.clone(),
        }
    }
}

/// A batch encoded before the write transaction, so the transaction only inserts.
struct Encoded {
    facts: Vec<(String, Vec<u8>)>,
    counts: Vec<(u64, String, Vec<u8>)>,
    remove_counts: Vec<(u64, String)>,
    pending: Vec<(u64, String, Vec<u8>)>,
    remove_pending: Vec<(u64, String)>,
}

fn encode(c: TlsStateChanges) -> Result<Encoded, CommitError> {
    Ok(Encoded {
        facts: c
            .facts
            .iter()
            .map(|(d, f)| Ok((d.as_str().to_string(), schema::encode(f)?)))
            .collect::<Result<_, CommitError>>()?,
        counts: c
            .counts
            .iter()
            .map(|r| Ok((r.day, r.domain.clone(), schema::encode(r)?)))
            .collect::<Result<_, CommitError>>()?,
        remove_counts: c.remove_counts,
        pending: c
            .pending
            .iter()
            .map(|r| Ok((r.day, r.domain.clone(), schema::encode(r)?)))
            .collect::<Result<_, CommitError>>()?,
        remove_pending: c.remove_pending,
    })
}

impl SpoolTlsState {
    fn facts_inner(&self, domain: &Domain) -> Result<Option<TlsFacts>, CommitError> {
        let txn = schema::read(&self.shared.db)?;
        let table = txn.open_table(schema::TLS_FACTS)?;
        match table.get(domain.as_str())? {
            Some(v) => Ok(Some(schema::decode(v.value())?)),
            None => Ok(None),
        }
    }

    fn all<T: serde::de::DeserializeOwned>(
        &self,
        def: redb::TableDefinition<(u64, &str), &[u8]>,
    ) -> Result<Vec<T>, CommitError> {
        let txn = schema::read(&self.shared.db)?;
        let table = txn.open_table(def)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (_, v) = row?;
            out.push(schema::decode(v.value())?);
        }
        Ok(out)
    }
}

impl TlsStateStore for SpoolTlsState {
    fn apply(&self, changes: TlsStateChanges) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let e = encode(changes)?;
        self.shared.write(Box::new(move |txn| {
            {
                let mut t = txn.open_table(schema::TLS_COUNTS)?;
                for (day, domain) in &e.remove_counts {
                    t.remove((*day, domain.as_str()))?;
                }
                for (day, domain, v) in &e.counts {
                    t.insert((*day, domain.as_str()), v.as_slice())?;
                }
            }
            {
                let mut t = txn.open_table(schema::TLS_PENDING)?;
                for (day, domain) in &e.remove_pending {
                    t.remove((*day, domain.as_str()))?;
                }
                for (day, domain, v) in &e.pending {
                    t.insert((*day, domain.as_str()), v.as_slice())?;
                }
            }
            let mut t = txn.open_table(schema::TLS_FACTS)?;
            for (domain, v) in &e.facts {
                t.insert(domain.as_str(), v.as_slice())?;
            }
            Ok(0)
        }))?;
        Ok(())
    }

    fn facts(&self, domain: &Domain) -> Result<Option<TlsFacts>, StoreError> {
        Ok(self.facts_inner(domain)?)
    }

    fn report_counts(&self) -> Result<Vec<TlsReportCounts>, StoreError> {
        Ok(self.all(schema::TLS_COUNTS)?)
    }

    fn pending_reports(&self) -> Result<Vec<PendingTlsReport>, StoreError> {
        Ok(self.all(schema::TLS_PENDING)?)
    }
}
