//! Session counts per UTC day and policy domain, kept in memory (one short lock per session)
//! until a day's reports are drained.
//!
//! Guarantees: recording never blocks on I/O. For persistence ([`crate::state`]) the collector
//! tracks which (day, domain) entries changed and which were drained since the last
//! [`Collector::take_changes`], and encodes changed entries whole, so storing them replaces
//! the stored row (idempotent); stored rows merge back in by addition ([`Collector::restore`]).

use super::{DAY_SECS, FailureKind, Report, ReportPolicy, Submitter};
use crate::floor::Achieved;
use crate::policy::SessionResult;
use sealgate_core::store::TlsReportCounts;
use sealgate_core::{Domain, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};

/// One `failure-details` bucket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct FailureKey {
    pub(crate) kind: FailureKind,
    pub(crate) sending_ip: Option<IpAddr>,
    pub(crate) receiving_host: String,
    pub(crate) receiving_ip: Option<IpAddr>,
}

/// Counts of one policy on one day.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) success: u64,
    pub(crate) failures: BTreeMap<FailureKey, u64>,
}

/// The stored form of one (day, domain) entry (format version 1).
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    v: u32,
    policies: Vec<StoredPolicy>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredPolicy {
    policy: ReportPolicy,
    success: u64,
    failures: Vec<(FailureKey, u64)>,
}

type Key = (u64, String);

#[derive(Debug, Default)]
struct Inner {
    days: BTreeMap<Key, BTreeMap<ReportPolicy, Counts>>,
    /// Entries changed since the last `take_changes`.
    dirty: BTreeSet<Key>,
    /// Entries drained since the last `take_changes` (their stored rows must go).
    drained: BTreeSet<Key>,
}

/// Collects session results in memory until a day's reports are drained.
#[derive(Debug, Default)]
pub struct Collector {
    inner: Mutex<Inner>,
}

/// What changed since the last [`Collector::take_changes`], encoded for the store.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    pub(crate) counts: Vec<TlsReportCounts>,
    pub(crate) removed: Vec<(u64, String)>,
}

impl Collector {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every critical section leaves the maps consistent; a panic elsewhere can't tear them.
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Counts one session made at `now` under `policy` to `host`.
    pub fn record(&self, now: Timestamp, policy: &ReportPolicy, host: &str, r: &SessionResult) {
        let key = (now.secs() / DAY_SECS, policy.domain.clone());
        let failure = match (r.failure, r.achieved) {
            (Some(k), _) => Some(k),
            (None, Achieved::Plaintext) => Some(FailureKind::StarttlsNotSupported),
            (None, _) => None,
        };
        let mut inner = self.lock();
        let counts = inner
            .days
            .entry(key.clone())
            .or_default()
            .entry(policy.clone())
            .or_default();
        match failure {
            None => counts.success += 1,
            Some(kind) => {
                *counts
                    .failures
                    .entry(FailureKey {
                        kind,
                        sending_ip: r.sending_ip,
                        receiving_host: host.to_string(),
                        receiving_ip: r.receiving_ip,
                    })
                    .or_default() += 1;
            }
        }
        inner.drained.remove(&key);
        inner.dirty.insert(key);
    }

    /// Every report of UTC day `day` (days since the epoch), removed from the collector.
    pub fn drain_day(&self, day: u64, submitter: &Submitter) -> Vec<Report> {
        self.drain_until(day, submitter, None)
    }

    /// [`Collector::drain_day`] for a day not over yet: the reports cover up to `until`
    /// (seconds into the day).
    pub fn drain_until(&self, day: u64, submitter: &Submitter, until: Option<u64>) -> Vec<Report> {
        let mut inner = self.lock();
        let keys: Vec<Key> = inner.days.keys().filter(|k| k.0 == day).cloned().collect();
        let mut out = Vec::new();
        for key in keys {
            let Some(policies) = inner.days.remove(&key) else {
                continue;
            };
            inner.dirty.remove(&key);
            inner.drained.insert(key.clone());
            let Ok(domain) = Domain::parse(&key.1) else {
                continue;
            };
            out.push(Report::new(day, domain, submitter, policies, until));
        }
        out
    }

    /// The days that have counts, oldest first.
    pub fn days(&self) -> Vec<u64> {
        let inner = self.lock();
        let days: BTreeSet<u64> = inner.days.keys().map(|k| k.0).collect();
        days.into_iter().collect()
    }

    /// Changed entries (encoded whole) and drained ones since the last call; `restore_changes`
    /// puts them back when writing them failed.
    pub(crate) fn take_changes(&self) -> Changes {
        let mut inner = self.lock();
        let dirty = std::mem::take(&mut inner.dirty);
        let drained = std::mem::take(&mut inner.drained);
        let mut counts = Vec::new();
        for key in dirty {
            let Some(policies) = inner.days.get(&key) else {
                continue;
            };
            let stored = Stored {
                v: 1,
                policies: policies
                    .iter()
                    .map(|(p, c)| StoredPolicy {
                        policy: p.clone(),
                        success: c.success,
                        failures: c.failures.iter().map(|(k, n)| (k.clone(), *n)).collect(),
                    })
                    .collect(),
            };
            match serde_json::to_string(&stored) {
                Ok(text) => counts.push(TlsReportCounts {
                    day: key.0,
                    domain: key.1,
                    counts: text,
                }),
                Err(e) => {
                    tracing::warn!(error = %e, "TLS-RPT counts not encodable; kept in memory")
                }
            }
        }
        Changes {
            counts,
            removed: drained.into_iter().collect(),
        }
    }

    /// Marks the entries of a failed write as changed again (they are written next time).
    pub(crate) fn restore_changes(&self, changes: &Changes) {
        let mut inner = self.lock();
        for c in &changes.counts {
            let key = (c.day, c.domain.clone());
            if inner.days.contains_key(&key) {
                inner.dirty.insert(key);
            }
        }
        for key in &changes.removed {
            if !inner.days.contains_key(key) {
                inner.drained.insert(key.clone());
            }
        }
    }

    /// Adds stored rows (from before a restart) to what is in memory. A row that does not
    /// decode is skipped and logged (its day is then reported without it).
    pub(crate) fn restore(&self, rows: Vec<TlsReportCounts>) {
        let mut inner = self.lock();
        for row in rows {
            let stored: Stored = match serde_json::from_str(&row.counts) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(day = row.day, error = %e, "stored TLS-RPT counts unreadable; skipped");
                    continue;
                }
            };
            let key = (row.day, row.domain);
            let entry = inner.days.entry(key.clone()).or_default();
            for p in stored.policies {
                let counts = entry.entry(p.policy).or_default();
                counts.success += p.success;
                for (k, n) in p.failures {
                    *counts.failures.entry(k).or_default() += n;
                }
            }
            inner.dirty.insert(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlsrpt::PolicyKind;

    fn result(achieved: Achieved) -> SessionResult {
        SessionResult {
            achieved,
            webpki_ok: false,
            failure: None,
            sending_ip: None,
            receiving_ip: None,
            tls_version: None,
            tls_cipher: None,
        }
    }

    #[test]
    fn changes_round_trip_through_the_stored_form() {
        let policy = ReportPolicy {
            kind: PolicyKind::NoPolicyFound,
            domain: "example.net".into(),
            strings: vec![],
            mx_hosts: vec![],
        };
        let a = Collector::default();
        let t = Timestamp(1_800_000_000_000);
        a.record(t, &policy, "mx.example.net", &result(Achieved::Encrypted));
        a.record(t, &policy, "mx.example.net", &result(Achieved::Plaintext));
        let changes = a.take_changes();
        assert_eq!(changes.counts.len(), 1);
        assert!(a.take_changes().counts.is_empty(), "taken");
        // A restarted collector that already counted one more session adds the stored ones.
        let b = Collector::default();
        b.record(t, &policy, "mx.example.net", &result(Achieved::Encrypted));
        b.restore(changes.counts);
        let sub = Submitter {
            organization: "o".into(),
            contact: "c".into(),
            domain: Domain::parse("gw.example.org").unwrap(),
        };
        let day = t.secs() / DAY_SECS;
        assert_eq!(b.days(), vec![day]);
        let r = b.drain_day(day, &sub);
        assert_eq!(r[0].policies[0].summary.successful, 2);
        assert_eq!(r[0].policies[0].summary.failed, 1);
        let c = b.take_changes();
        assert_eq!(c.removed, vec![(day, "example.net".to_string())]);
        assert!(c.counts.is_empty());
    }

    /// A report made before its day ended ("send now") covers up to then and has an id and a
    /// file name of its own, so the day's later report does not repeat them (RFC 8460 §4.4).
    #[test]
    fn a_report_cut_short_ends_then_and_is_named_apart() {
        let policy = ReportPolicy {
            kind: PolicyKind::NoPolicyFound,
            domain: "example.net".into(),
            strings: vec![],
            mx_hosts: vec![],
        };
        let sub = Submitter {
            organization: "o".into(),
            contact: "c".into(),
            domain: Domain::parse("gw.example.org").unwrap(),
        };
        let day = 20_788; // 2026-12-01
        let at = Timestamp((day * DAY_SECS + 3723) * 1000);
        let c = Collector::default();
        c.record(at, &policy, "mx.example.net", &result(Achieved::Encrypted));
        let partial = c.drain_until(day, &sub, Some(3723)).remove(0);
        assert_eq!(partial.date_range.start, "2026-12-01T00:00:00Z");
        assert_eq!(partial.date_range.end, "2026-12-01T01:02:03Z");
        assert_eq!(
            partial.report_id,
            "2026-12-01T010203Z.example.net@gw.example.org"
        );
        let begin = day * DAY_SECS;
        assert_eq!(
            partial.file_name().unwrap(),
            format!(
                "gw.example.org!example.net!{begin}!{}!20261201T010203.json.gz",
                begin + 3723
            )
        );
        c.record(at, &policy, "mx.example.net", &result(Achieved::Encrypted));
        let full = c.drain_day(day, &sub).remove(0);
        assert_eq!(full.date_range.end, "2026-12-01T23:59:59Z");
        assert_eq!(full.report_id, "2026-12-01.example.net@gw.example.org");
        assert_ne!(full.file_name().unwrap(), partial.file_name().unwrap());
    }
}
