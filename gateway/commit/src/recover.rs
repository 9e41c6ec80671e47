//! Start-up recovery: orphan bodies, finished bodies, in-flight recipients, missing bodies.
//!
//! Guarantees: runs with commits excluded (exclusive gate), so a body file without a committed
//! record is a true orphan — the leftover of a commit that never returned `Ok` — and is removed
//! with any `.tmp` file; the body file of a message whose recipients are all terminal is
//! removed (a deletion lost in a crash). Bodies in the database need none of this (they commit
//! and go with their record's transactions); one left under a message that is not active —
//! impossible by construction, but cheap to check — is removed. Every non-terminal recipient
//! without a due time gets `next_attempt = now` and a `Recovered` event, in one durable
//! transaction; a record whose body (database row, else file) is missing or fails to decrypt
//! is counted and logged, never deleted.

use crate::bodies::Found;
use crate::crypto;
use crate::error::CommitError;
use crate::queue::Shared;
use crate::schema::{self, RcptRow};
use redb::ReadableTable;
use sealgate_core::event::{Event, EventKind};
use sealgate_core::store::RecoveryReport;
use sealgate_core::time::Timestamp;

/// Runs recovery; see the module guarantees.
pub(crate) fn recover(sh: &Shared, now: Timestamp) -> Result<RecoveryReport, CommitError> {
    let _gate = sh.exclusive_gate();
    let mut report = RecoveryReport {
        orphans_removed: remove_orphans(sh)?,
        ..RecoveryReport::default()
    };
    report.requeued = sh.write(Box::new(move |txn| requeue(txn, now)))?;
    report.missing_bodies = check_bodies(sh)?;
    tracing::info!(
        orphans_removed = report.orphans_removed,
        requeued = report.requeued,
        missing_bodies = report.missing_bodies,
        "spool recovery finished"
    );
    Ok(report)
}

/// Removes temporary files and bodies without a record; also bodies of finished messages.
fn remove_orphans(sh: &Shared) -> Result<u64, CommitError> {
    let txn = schema::read(&sh.db)?;
    let messages = txn.open_table(schema::MESSAGES)?;
    let active = txn.open_table(schema::ACTIVE)?;
    let mut removed = 0;
    for found in sh.bodies.scan()? {
        match found {
            Found::Temp(path) => {
                sh.bodies.remove_found(&path)?;
                removed += 1;
            }
            Found::Body(id) => {
                let key = schema::key(id);
                if messages.get(key)?.is_none() {
                    sh.bodies.remove(id)?;
                    removed += 1;
                } else if active.get(key)?.is_none() {
                    sh.bodies.remove(id)?;
                    tracing::info!(%id, "removed the body of a finished message");
                }
            }
            Found::Other(path) => {
                tracing::warn!(path = %path.display(), "unexpected file in the body directory");
            }
        }
    }
    Ok(removed)
}

/// Gives every in-flight recipient of an active message a due time of `now`.
fn requeue(txn: &redb::WriteTransaction, now: Timestamp) -> Result<u64, CommitError> {
    let active = txn.open_table(schema::ACTIVE)?;
    let mut recipients = txn.open_table(schema::RECIPIENTS)?;
    let mut events = txn.open_table(schema::EVENTS)?;
    let mut due = txn.open_table(schema::DUE)?;
    let recovered = schema::encode(&Event {
        at: now,
        kind: EventKind::Recovered,
    })?;
    let mut bodies = txn.open_table(schema::BODIES)?;
    let mut stray = Vec::new();
    for entry in bodies.iter()? {
        let key = entry?.0.value();
        if active.get(key)?.is_none() {
            stray.push(key);
        }
    }
    for key in stray {
        tracing::warn!(id = %schema::id_of(key), "removed the stored body of a finished message");
        bodies.remove(key)?;
    }
    let mut stalled = Vec::new();
    for entry in active.iter()? {
        let key = entry?.0.value();
        for row in recipients.range((key, 0)..=(key, u32::MAX))? {
            let (k, v) = row?;
            let row: RcptRow = schema::decode(v.value())?;
            if !row.status.is_terminal() && row.next_attempt.is_none() {
                stalled.push((key, k.value().1, row));
            }
        }
    }
    let count = stalled.len() as u64;
    for (key, index, mut row) in stalled {
        events.insert((key, index, row.events), recovered.as_slice())?;
        row.events = row.events.saturating_add(1);
        row.next_attempt = Some(now);
        recipients.insert((key, index), schema::encode(&row)?.as_slice())?;
        due.insert((now.millis(), key, index), ())?;
    }
    Ok(count)
}

/// Counts active messages whose body is missing or does not decrypt.
fn check_bodies(sh: &Shared) -> Result<u64, CommitError> {
    let txn = schema::read(&sh.db)?;
    let active = txn.open_table(schema::ACTIVE)?;
    let mut missing = 0;
    for entry in active.iter()? {
        let key = entry?.0.value();
        let id = schema::id_of(key);
        let sealed = match schema::inline_body(&txn, key) {
            Ok(None) => sh.bodies.read(id),
            found => found,
        };
        let problem = match sealed {
            Ok(None) => Some("missing".to_string()),
            Ok(Some(sealed)) => crypto::open(&*sh.wrapper, &crypto::body_context(id), sealed)
                .err()
                .map(|e| e.to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(problem) = problem {
            tracing::error!(%id, %problem, "queued message has no usable body");
            missing += 1;
        }
    }
    Ok(missing)
}
