//! What the policy remembers besides pins and the MTA-STS cache: the last TLS facts per
//! recipient domain (for `sealgate tls status`), the TLS-RPT day counts and the reports made
//! but not yet delivered.
//!
//! Guarantees: a session only touches memory (a short lock); the store ([`TlsStateStore`])
//! is written in one transaction per [`crate::TlsPolicy::flush`] — the scheduler flushes every
//! tick (60 s by default) and at shutdown — and a day's counts become pending reports in one
//! transaction. A crash therefore loses at most the statistics and facts of the last tick; a
//! report, once stored, stays until delivered or given up (a failed write keeps everything in
//! memory and tries again with the next write). Stored counts are merged back
//! before anything is written (so a flush never replaces a stored day with a partial one).
//! Without a store everything stays in memory (facts bounded to [`MEMORY_FACTS`] domains).
//! Store calls run on the blocking pool.

use crate::error::TlsPolicyError;
use crate::tlsrpt::collect::Changes;
use crate::tlsrpt::{Collector, Report};
use sealgate_core::store::{PendingTlsReport, TlsFacts, TlsStateChanges, TlsStateStore};
use sealgate_core::{Domain, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

/// Most domains whose last facts are kept when there is no store.
pub const MEMORY_FACTS: usize = 10_000;

/// A report made for a finished day and not yet delivered to every `rua`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingReport {
    /// The report (policy domain, submitter and day set).
    pub report: Report,
    /// `rua` URIs it reached.
    pub delivered: Vec<String>,
    /// Delivery rounds tried.
    pub attempts: u32,
    /// Why the last round failed.
    pub last_error: Option<String>,
    /// Not before this (memory only: after a restart, try at once).
    pub next_try: Timestamp,
}

#[derive(Serialize, Deserialize)]
struct StoredReport {
    submitter: Domain,
    report: Report,
}

impl PendingReport {
    pub(crate) fn key(&self) -> (u64, String) {
        (
            self.report.day,
            self.report
                .policy_domain
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        )
    }

    fn to_row(&self) -> Result<PendingTlsReport, TlsPolicyError> {
        let (day, domain) = self.key();
        let submitter = self
            .report
            .submitter
            .clone()
            .ok_or_else(|| TlsPolicyError::Report("report lacks its submitter".into()))?;
        let report = serde_json::to_string(&StoredReport {
            submitter,
            report: self.report.clone(),
        })
        .map_err(|e| TlsPolicyError::Report(format!("JSON: {e}")))?;
        Ok(PendingTlsReport {
            day,
            domain,
            report,
            delivered: self.delivered.clone(),
            attempts: self.attempts,
            last_error: self.last_error.clone(),
        })
    }

    fn from_row(row: PendingTlsReport) -> Option<PendingReport> {
        let stored: StoredReport = serde_json::from_str(&row.report).ok()?;
        let mut report = stored.report;
        report.policy_domain = Some(Domain::parse(&row.domain).ok()?);
        report.submitter = Some(stored.submitter);
        report.day = row.day;
        Some(PendingReport {
            report,
            delivered: row.delivered,
            attempts: row.attempts,
            last_error: row.last_error,
            next_try: Timestamp(0),
        })
    }
}

/// The policy's remembered state.
pub(crate) struct State {
    store: Option<Arc<dyn TlsStateStore>>,
    /// Facts since the last flush (with a store), or all of them (without).
    facts: Mutex<HashMap<Domain, TlsFacts>>,
    pending: Mutex<BTreeMap<(u64, String), PendingReport>>,
    /// Serialises writes; `true` once the store's rows were merged in.
    write: tokio::sync::Mutex<bool>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Critical sections are single map operations: a poisoned lock holds consistent data.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, sealgate_core::store::StoreError> + Send + 'static,
) -> Result<T, TlsPolicyError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| TlsPolicyError::Report(format!("store task: {e}")))?
        .map_err(TlsPolicyError::from)
}

impl State {
    pub(crate) fn new(store: Option<Arc<dyn TlsStateStore>>) -> State {
        State {
            store,
            facts: Mutex::new(HashMap::new()),
            pending: Mutex::new(BTreeMap::new()),
            write: tokio::sync::Mutex::new(false),
        }
    }

    /// Remembers the facts of a finished session (memory only).
    pub(crate) fn note(&self, domain: &Domain, facts: TlsFacts) {
        let mut map = lock(&self.facts);
        if self.store.is_none() && map.len() >= MEMORY_FACTS && !map.contains_key(domain) {
            // Without a store the map is the only record: forget the oldest entry.
            if let Some(oldest) = map.iter().min_by_key(|(_, f)| f.at).map(|(d, _)| d.clone()) {
                map.remove(&oldest);
            }
        }
        map.insert(domain.clone(), facts);
    }

    /// The last facts of a domain: memory first, then the store.
    pub(crate) async fn facts(&self, domain: &Domain) -> Result<Option<TlsFacts>, TlsPolicyError> {
        if let Some(f) = lock(&self.facts).get(domain).cloned() {
            return Ok(Some(f));
        }
        let Some(store) = self.store.clone() else {
            return Ok(None);
        };
        let d = domain.clone();
        blocking(move || store.facts(&d)).await
    }

    /// Merges the store's counts and pending reports in, once (call with the write lock held).
    async fn load(&self, loaded: &mut bool, collector: &Collector) -> Result<(), TlsPolicyError> {
        if *loaded {
            return Ok(());
        }
        let Some(store) = self.store.clone() else {
            *loaded = true;
            return Ok(());
        };
        let (counts, pending) =
            blocking(move || Ok((store.report_counts()?, store.pending_reports()?))).await?;
        collector.restore(counts);
        let mut map = lock(&self.pending);
        for row in pending {
            match PendingReport::from_row(row) {
                Some(p) => {
                    map.entry(p.key()).or_insert(p);
                }
                None => tracing::warn!("stored TLS-RPT report unreadable; dropped"),
            }
        }
        *loaded = true;
        Ok(())
    }

    /// Writes what changed since the last flush in one transaction; on failure everything is
    /// kept in memory for the next one.
    pub(crate) async fn flush(&self, collector: &Collector) -> Result<(), TlsPolicyError> {
        let mut loaded = self.write.lock().await;
        self.load(&mut loaded, collector).await?;
        if self.store.is_none() {
            return Ok(());
        }
        let changes = collector.take_changes();
        let facts: Vec<(Domain, TlsFacts)> = lock(&self.facts).drain().collect();
        self.write_changes(collector, changes, facts, Vec::new(), Vec::new())
            .await
    }

    async fn write_changes(
        &self,
        collector: &Collector,
        changes: Changes,
        facts: Vec<(Domain, TlsFacts)>,
        pending: Vec<PendingTlsReport>,
        remove_pending: Vec<(u64, String)>,
    ) -> Result<(), TlsPolicyError> {
        let Some(store) = self.store.clone() else {
            return Ok(());
        };
        let batch = TlsStateChanges {
            facts: facts.clone(),
            counts: changes.counts.clone(),
            remove_counts: changes.removed.clone(),
            pending,
            remove_pending,
        };
        if batch.is_empty() {
            return Ok(());
        }
        let result = blocking(move || store.apply(batch)).await;
        if result.is_err() {
            collector.restore_changes(&changes);
            let mut map = lock(&self.facts);
            for (d, f) in facts {
                map.entry(d).or_insert(f);
            }
        }
        result
    }

    /// Drains day `day` from the collector into pending reports, in one transaction with the
    /// removal of its counts. Returns the new reports.
    pub(crate) async fn make_reports(
        &self,
        collector: &Collector,
        drain: impl FnOnce() -> Vec<Report>,
    ) -> Result<Vec<PendingReport>, TlsPolicyError> {
        let mut loaded = self.write.lock().await;
        self.load(&mut loaded, collector).await?;
        let made: Vec<PendingReport> = drain()
            .into_iter()
            .map(|report| PendingReport {
                report,
                delivered: Vec::new(),
                attempts: 0,
                last_error: None,
                next_try: Timestamp(0),
            })
            .collect();
        if self.store.is_some() {
            let rows = made
                .iter()
                .map(PendingReport::to_row)
                .collect::<Result<Vec<_>, _>>()?;
            let changes = collector.take_changes();
            let facts: Vec<(Domain, TlsFacts)> = lock(&self.facts).drain().collect();
            if let Err(e) = self
                .write_changes(collector, changes, facts, rows, Vec::new())
                .await
            {
                // Keep the reports in memory; their counts are written as removed next flush
                // and the reports again with the next pending update.
                tracing::warn!(error = %e, "TLS-RPT reports not stored; kept in memory");
            }
        }
        let mut map = lock(&self.pending);
        for p in &made {
            map.insert(p.key(), p.clone());
        }
        Ok(made)
    }

    /// Every pending report (after merging the store's).
    pub(crate) async fn pending(
        &self,
        collector: &Collector,
    ) -> Result<Vec<PendingReport>, TlsPolicyError> {
        let mut loaded = self.write.lock().await;
        self.load(&mut loaded, collector).await?;
        Ok(lock(&self.pending).values().cloned().collect())
    }

    /// Stores updated pending reports and forgets finished ones, in one transaction.
    pub(crate) async fn update_pending(
        &self,
        collector: &Collector,
        updated: Vec<PendingReport>,
        finished: Vec<(u64, String)>,
    ) -> Result<(), TlsPolicyError> {
        let _loaded = self.write.lock().await;
        {
            let mut map = lock(&self.pending);
            for key in &finished {
                map.remove(key);
            }
            for p in &updated {
                map.insert(p.key(), p.clone());
            }
        }
        if self.store.is_none() {
            return Ok(());
        }
        let rows = updated
            .iter()
            .map(PendingReport::to_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.write_changes(collector, Changes::default(), Vec::new(), rows, finished)
            .await
    }
}
