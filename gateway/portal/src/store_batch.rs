//! Group commit of the escrow store: concurrent deposits and event appends share one durable
//! redb transaction, and one fsync of each file directory.
//!
//! Leader/follower over a `Mutex`, no extra thread. A caller queues its operation with its own
//! one-message channel; if no batch is running it leads: it takes what is queued (up to a
//! cap), fsyncs the sealed and halves directories once if any operation of the batch renamed a
//! file into them, runs the operations in arrival order in one write transaction, commits it
//! (`Durability::Immediate`, redb's default: fsync'd), then posts each waiter its own result on
//! its own channel (no broadcast wake-up). Callers arriving meanwhile queue and form the next
//! batch; when the leader's own operation is done it hands leadership to the first of them.
//!
//! Guarantees: [`Batcher::run`] returns `Ok` only after the transaction holding its operation
//! is durably committed; an operation queued with `sync_dirs` is committed only after an fsync
//! of both directories that started after it was queued (so after its renames). An operation
//! failing with [`PortalError::NotFound`], [`PortalError::Conflict`] or [`PortalError::Corrupt`] must not have written
//! anything (validate first, then write): the batch goes on without it. Any other failure
//! aborts the whole batch and every caller in it gets an error — nothing of that batch is
//! committed. A leader that unwinds drops its batch's channels (its followers get an error)
//! and passes leadership on, so later callers do not wait forever.

use crate::error::PortalError;
use crate::files::fsync_dir;
use crate::record::EscrowRecord;
use crate::store::{BY_MESSAGE, ESCROWS, EVENTS, decode, encode};
use redb::ReadableTable;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// One write operation; its record (as committed) goes back to the caller.
pub(crate) type Op =
    Box<dyn FnOnce(&redb::WriteTransaction) -> Result<EscrowRecord, PortalError> + Send>;

type Outcome = Result<EscrowRecord, PortalError>;

/// Counters: how well the batching works (tests and the benchmark).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// Durable transactions committed (or attempted).
    pub transactions: u64,
    /// Operations they contained.
    pub operations: u64,
    /// Directory fsyncs (each of the two directories counts once).
    pub dir_fsyncs: u64,
}

/// What a queued caller is woken with.
enum Wake {
    Done(Outcome),
    /// Lead the next batch (the caller's operation is still queued, first).
    Lead,
}

struct Queued {
    op: Op,
    sync_dirs: bool,
    wake: SyncSender<Wake>,
}

#[derive(Default)]
struct State {
    queue: Vec<Queued>,
    leading: bool,
    stats: BatchStats,
}

/// The group committer of the escrow database.
pub(crate) struct Batcher {
    state: Mutex<State>,
    dirs: Vec<PathBuf>,
    max_batch: usize,
}

impl Batcher {
    /// A committer for batches of at most `max_batch` operations; `dirs` are fsync'd once per
    /// batch that holds an operation queued with `sync_dirs`.
    pub(crate) fn new(dirs: Vec<PathBuf>, max_batch: usize) -> Self {
        Batcher {
            state: Mutex::new(State::default()),
            dirs,
            max_batch: max_batch.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Only short non-panicking sections change the state, so a poisoned lock still holds
        // consistent data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn stats(&self) -> BatchStats {
        self.lock().stats
    }

    /// How many operations wait for the next batch.
    #[cfg(test)]
    fn queued(&self) -> usize {
        self.lock().queue.len()
    }

    /// Runs `op` in a durable group transaction on `db`; see the module guarantees.
    pub(crate) fn run(&self, db: &redb::Database, op: Op, sync_dirs: bool) -> Outcome {
        let (wake, rx) = sync_channel(1);
        let lead = {
            let mut st = self.lock();
            // The queue holds the only sender: a leader that unwinds drops it, and this
            // caller's `recv` fails instead of waiting forever.
            st.queue.push(Queued {
                op,
                sync_dirs,
                wake,
            });
            !std::mem::replace(&mut st.leading, true)
        };
        if !lead {
            match rx.recv() {
                Ok(Wake::Done(outcome)) => return outcome,
                Ok(Wake::Lead) => {}
                Err(_) => return Err(PortalError::Io("escrow batch leader stopped".into())),
            }
        }
        self.lead(db, &rx)
    }

    /// Commits batches until the one holding the caller's operation is done, then passes the
    /// lead on (or ends it).
    fn lead(&self, db: &redb::Database, rx: &Receiver<Wake>) -> Outcome {
        let guard = LeadGuard { batcher: self };
        loop {
            let batch: Vec<Queued> = {
                let mut st = self.lock();
                let take = st.queue.len().min(self.max_batch);
                st.queue.drain(..take).collect()
            };
            let (outcomes, dir_fsyncs) = self.execute(db, batch);
            {
                let mut st = self.lock();
                st.stats.transactions += 1;
                st.stats.operations += outcomes.len() as u64;
                st.stats.dir_fsyncs += dir_fsyncs;
            }
            for (wake, outcome) in outcomes {
                // A waiter's receiver lives until it has its message; one message each.
                let _ = wake.try_send(Wake::Done(outcome));
            }
            // Our own result was posted to our own channel if it was in this batch.
            if let Ok(Wake::Done(outcome)) = rx.try_recv() {
                drop(guard);
                return outcome;
            }
            // Still queued (the batch was full): lead the next one too.
        }
    }

    /// Runs a batch in one transaction and commits it: each caller's channel with its outcome,
    /// and how many directory fsyncs it took.
    fn execute(
        &self,
        db: &redb::Database,
        batch: Vec<Queued>,
    ) -> (Vec<(SyncSender<Wake>, Outcome)>, u64) {
        let mut fsyncs = 0;
        if batch.iter().any(|q| q.sync_dirs) {
            for dir in &self.dirs {
                if let Err(e) = fsync_dir(dir) {
                    return (fail_all(batch.into_iter().map(|q| q.wake), &e), fsyncs);
                }
                fsyncs += 1;
            }
        }
        let txn = match db.begin_write() {
            Ok(t) => t,
            Err(e) => {
                let e = PortalError::from(e);
                return (fail_all(batch.into_iter().map(|q| q.wake), &e), fsyncs);
            }
        };
        let mut wakes = Vec::with_capacity(batch.len());
        let mut results = Vec::with_capacity(batch.len());
        let mut failed = None;
        for q in batch {
            wakes.push(q.wake);
            if failed.is_none() {
                match (q.op)(&txn) {
                    Err(e) if !is_per_op(&e) => failed = Some(e),
                    outcome => results.push(outcome),
                }
            }
        }
        let failed = match failed {
            Some(e) => {
                let _ = txn.abort();
                Some(e)
            }
            None => txn.commit().err().map(PortalError::from),
        };
        match failed {
            Some(e) => (fail_all(wakes.into_iter(), &e), fsyncs),
            None => (wakes.into_iter().zip(results).collect(), fsyncs),
        }
    }
}

fn is_per_op(e: &PortalError) -> bool {
    matches!(
        e,
        PortalError::NotFound | PortalError::Conflict(_) | PortalError::Corrupt(_)
    )
}

/// Every caller of a failed batch gets the batch's error (a temporary one: nothing was
/// committed, the same call may succeed later).
fn fail_all(
    wakes: impl Iterator<Item = SyncSender<Wake>>,
    e: &PortalError,
) -> Vec<(SyncSender<Wake>, Outcome)> {
    wakes
        .map(|w| {
            let err = PortalError::Io(format!("escrow batch not committed: {e}"));
            (w, Err(err))
        })
        .collect()
}

/// Passes the lead on when the leader is done or unwinds.
struct LeadGuard<'a> {
    batcher: &'a Batcher,
}

impl Drop for LeadGuard<'_> {
    fn drop(&mut self) {
        let mut st = self.batcher.lock();
        match st.queue.first() {
            // Its receiver waits for exactly this; `leading` stays true for it.
            Some(next) => {
                let _ = next.wake.try_send(Wake::Lead);
            }
            None => st.leading = false,
        }
    }
}

/// What one event does to its escrow's record.
pub(crate) enum Change {
    /// A new escrow: its record and its (message, recipient) index entry.
    Insert(Box<EscrowRecord>, (u128, u32)),
    /// An event only (notified, opened, viewed…): the stored record counts one more.
    Event,
    /// A new state or expiry (revoke, expiry, extend) of an escrow still active.
    Replace(Box<EscrowRecord>),
}

impl Change {
    /// Validates against the stored record, then writes the record and the event `row` of
    /// escrow `key`; fails `NotFound` / `Conflict` / `Corrupt` before writing anything.
    pub(crate) fn apply(
        self,
        txn: &redb::WriteTransaction,
        key: u128,
        row: &[u8],
    ) -> Result<EscrowRecord, PortalError> {
        let mut escrows = txn.open_table(ESCROWS)?;
        let stored: Option<EscrowRecord> = match escrows.get(key)? {
            Some(r) => Some(decode(r.value())?),
            None => None,
        };
        let mut index = None;
        let mut record = match (self, stored) {
            (Change::Insert(new, at), None) => {
                index = Some(at);
                *new
            }
            (Change::Event, Some(old)) => old,
            (Change::Replace(new), Some(old)) if old.is_active() => EscrowRecord {
                events: old.events,
                ..*new
            },
            (Change::Insert(..), Some(_)) => {
                return Err(PortalError::Conflict("the escrow id is taken".into()));
            }
            (Change::Replace(_), Some(_)) => {
                return Err(PortalError::Conflict(
                    "the escrow is no longer active".into(),
                ));
            }
            (_, None) => return Err(PortalError::NotFound),
        };
        let seq = record.events;
        record.events += 1;
        let encoded = encode(&record)?;
        txn.open_table(EVENTS)?.insert((key, seq), row)?;
        escrows.insert(key, encoded.as_slice())?;
        if let Some(at) = index {
            txn.open_table(BY_MESSAGE)?.insert(at, key)?;
        }
        Ok(record)
    }
}

#[cfg(test)]
#[path = "store_batch_tests.rs"]
mod tests;
