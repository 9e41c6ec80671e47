//! Group commit: many threads' write operations share one durable redb transaction.
//!
//! Leader/follower over a `Mutex`, no extra thread: a caller queues its operation; if no commit
//! is running it becomes the leader, takes everything queued (up to a cap), fsyncs once each
//! directory that operations of the batch renamed bodies into, runs the operations in one write
//! transaction, commits it (`Durability::Immediate`: fsync'd) and posts every result. Callers
//! arriving meanwhile park and form the next batch.
//!
//! Wake-ups are targeted (issue 19): each waiter parks its own thread, and a finished leader
//! unparks exactly the callers of its batch plus the first caller still queued (who leads the
//! next batch) — never every waiter, as a `Condvar::notify_all` would, each of them then
//! contending for the lock only to find its operation still queued.
//!
//! Guarantees: [`GroupCommit::run`] returns `Ok` only after the transaction holding its
//! operation is durably committed; an operation queued with a `sync_dir` is committed only
//! after an fsync of that directory that started after it was queued (so after its rename);
//! operations run one at a time, in arrival order, each seeing
//! the writes of those before it. An operation that fails with [`CommitError::Conflict`] or
//! [`CommitError::NotFound`] must not have written anything (validate first, then write): the
//! batch continues without it. Any other failure aborts the whole batch, and every caller in it
//! gets an error — nothing of that batch is committed. If a leader panics, its followers get an
//! error instead of waiting forever.

use crate::bodies::fsync_dir;
use crate::error::CommitError;
use redb::{Database, WriteTransaction};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread::Thread;

/// One write operation. Its `u64` output is passed back to the caller (e.g. a sequence number).
pub type Op = Box<dyn FnOnce(&WriteTransaction) -> Result<u64, CommitError> + Send>;

type Outcome = Result<u64, CommitError>;

/// Counters for metrics and the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitStats {
    /// Durable transactions committed.
    pub transactions: u64,
    /// Operations they contained.
    pub operations: u64,
}

/// A queued operation.
struct Queued {
    ticket: u64,
    op: Op,
    sync_dir: Option<PathBuf>,
    /// The caller's thread, unparked when its result is posted or it is to lead.
    waiter: Thread,
}

#[derive(Default)]
struct State {
    queue: Vec<Queued>,
    results: HashMap<u64, Outcome>,
    next_ticket: u64,
    leading: bool,
    stats: CommitStats,
}

/// The group committer of one database.
pub struct GroupCommit {
    state: Mutex<State>,
    max_batch: usize,
}

impl GroupCommit {
    /// A committer taking at most `max_batch` operations per transaction.
    pub fn new(max_batch: usize) -> Self {
        GroupCommit {
            state: Mutex::new(State::default()),
            max_batch: max_batch.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is only changed by short non-panicking sections, so a poisoned lock still
        // holds consistent data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counters so far.
    pub fn stats(&self) -> CommitStats {
        self.lock().stats
    }

    /// Runs `op` in a durable group transaction on `db`, after fsyncing `sync_dir` if given;
    /// see the module guarantees.
    pub fn run(
        &self,
        db: &Database,
        op: Op,
        sync_dir: Option<PathBuf>,
    ) -> Result<u64, CommitError> {
        let mut st = self.lock();
        let ticket = st.next_ticket;
        st.next_ticket += 1;
        st.queue.push(Queued {
            ticket,
            op,
            sync_dir,
            waiter: std::thread::current(),
        });
        loop {
            if let Some(outcome) = st.results.remove(&ticket) {
                return outcome;
            }
            if st.leading {
                drop(st);
                // Spurious or early wake-ups are fine: the loop checks again under the lock.
                std::thread::park();
                st = self.lock();
                continue;
            }
            st.leading = true;
            let take = st.queue.len().min(self.max_batch);
            let batch: Vec<Queued> = st.queue.drain(..take).collect();
            drop(st);
            let mut guard = LeaderGuard {
                group: self,
                waiters: batch.iter().map(|q| (q.ticket, q.waiter.clone())).collect(),
            };
            let outcomes = self.execute(db, batch);
            let waiters = std::mem::take(&mut guard.waiters);
            st = self.lock();
            st.stats.transactions += 1;
            st.stats.operations += outcomes.len() as u64;
            st.results.extend(outcomes);
            let mine = st.results.remove(&ticket);
            self.hand_over(st, waiters);
            if let Some(outcome) = mine {
                return outcome;
            }
            // More than a batch was queued ahead of this caller: it waits for a later one.
            st = self.lock();
        }
    }

    /// Ends a leadership: wakes the callers of the finished batch and the next leader (the
    /// first caller still queued, if any). Unparking after the lock is released spares the
    /// woken threads from blocking on it at once.
    fn hand_over(&self, mut st: MutexGuard<'_, State>, batch: Vec<(u64, Thread)>) {
        st.leading = false;
        let next = st.queue.first().map(|q| q.waiter.clone());
        drop(st);
        let me = std::thread::current().id();
        for waiter in batch.into_iter().map(|(_, t)| t).chain(next) {
            if waiter.id() != me {
                waiter.unpark();
            }
        }
    }
}

/// Releases leadership and fails the batch if the leader unwinds mid-commit.
struct LeaderGuard<'a> {
    group: &'a GroupCommit,
    waiters: Vec<(u64, Thread)>,
}

impl Drop for LeaderGuard<'_> {
    fn drop(&mut self) {
        if self.waiters.is_empty() {
            return;
        }
        let mut st = self.group.lock();
        for (t, _) in &self.waiters {
            st.results.insert(
                *t,
                Err(CommitError::Database("group commit leader panicked".into())),
            );
        }
        self.group.hand_over(st, std::mem::take(&mut self.waiters));
    }
}

fn is_per_op(e: &CommitError) -> bool {
    matches!(e, CommitError::Conflict(_) | CommitError::NotFound)
}

impl GroupCommit {
    /// Runs a batch in one transaction and commits it.
    fn execute(&self, db: &Database, batch: Vec<Queued>) -> Vec<(u64, Outcome)> {
        let tickets: Vec<u64> = batch.iter().map(|q| q.ticket).collect();
        let fail_all = |e: CommitError, except: Option<(u64, CommitError)>| {
            let shared = CommitError::Database(format!("group commit aborted: {e}"));
            let mut out: Vec<(u64, Outcome)> = tickets
                .iter()
                .map(|t| (*t, Err(shared.duplicate())))
                .collect();
            if let Some((t, own)) = except {
                out.retain(|(x, _)| *x != t);
                out.push((t, Err(own)));
            }
            out
        };
        let dirs: BTreeSet<&PathBuf> = batch.iter().filter_map(|q| q.sync_dir.as_ref()).collect();
        for dir in dirs {
            if let Err(e) = fsync_dir(dir) {
                return fail_all(e, None);
            }
        }
        let txn = match db.begin_write() {
            Ok(t) => t,
            Err(e) => return fail_all(e.into(), None),
        };
        let mut outcomes = Vec::with_capacity(batch.len());
        for Queued { ticket, op, .. } in batch {
            match op(&txn) {
                Ok(v) => outcomes.push((ticket, Ok(v))),
                Err(e) if is_per_op(&e) => outcomes.push((ticket, Err(e))),
                Err(e) => {
                    let summary = e.duplicate();
                    // Dropping an uncommitted transaction aborts it; abort explicitly to surface errors.
                    if let Err(abort) = txn.abort() {
                        tracing::warn!(error = %abort, "aborting a failed group transaction");
                    }
                    return fail_all(summary, Some((ticket, e)));
                }
            }
        }
        match crate::fsync::timed(crate::fsync::FsyncKind::Database, || txn.commit()) {
            Ok(()) => outcomes,
            Err(e) => fail_all(e.into(), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

    const T: TableDefinition<u64, u64> = TableDefinition::new("t");

    #[test]
    fn a_conflicting_op_does_not_spoil_its_batch_and_ops_are_grouped() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(dir.path().join("db")).unwrap();
        let group = GroupCommit::new(64);
        std::thread::scope(|s| {
            for t in 0..16u64 {
                let (db, group, dir) = (&db, &group, &dir);
                s.spawn(move || {
                    for i in 0..20u64 {
                        let n = t * 100 + i;
                        let out = group.run(
                            db,
                            Box::new(move |txn| {
                                if n % 2 == 1 {
                                    return Err(CommitError::Conflict("odd".into()));
                                }
                                txn.open_table(T)?.insert(n, n)?;
                                Ok(n)
                            }),
                            (n % 3 == 0).then(|| dir.path().to_path_buf()),
                        );
                        match out {
                            Ok(v) => assert_eq!(v, n),
                            Err(e) => assert!(n % 2 == 1 && matches!(e, CommitError::Conflict(_))),
                        }
                    }
                });
            }
        });
        let txn = db.begin_read().unwrap();
        let table = txn.open_table(T).unwrap();
        let stored: Vec<u64> = table
            .iter()
            .unwrap()
            .map(|r| r.unwrap().0.value())
            .collect();
        assert_eq!(stored.len(), 16 * 10);
        assert!(stored.iter().all(|n| n % 2 == 0));
        let stats = group.stats();
        assert_eq!(stats.operations, 16 * 20);
        assert!(stats.transactions <= stats.operations);
    }

    #[test]
    fn small_batches_hand_leadership_on_and_every_caller_returns() {
        // With a cap of 2, most callers find more than a batch queued ahead of them: each is
        // woken either with its result or to lead the next batch; none is left parked.
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(dir.path().join("db")).unwrap();
        let group = GroupCommit::new(2);
        std::thread::scope(|s| {
            for t in 0..12u64 {
                let (db, group) = (&db, &group);
                s.spawn(move || {
                    for i in 0..25u64 {
                        let n = t * 1000 + i;
                        let op: Op = Box::new(move |txn| {
                            txn.open_table(T)?.insert(n, n)?;
                            Ok(n)
                        });
                        assert_eq!(group.run(db, op, None).unwrap(), n);
                    }
                });
            }
        });
        let stats = group.stats();
        assert_eq!(stats.operations, 12 * 25);
        assert!(stats.transactions * 2 >= stats.operations);
        let txn = db.begin_read().unwrap();
        assert_eq!(txn.open_table(T).unwrap().len().unwrap(), 12 * 25);
    }

    #[test]
    fn a_storage_failure_fails_the_whole_batch_and_commits_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(dir.path().join("db")).unwrap();
        let group = GroupCommit::new(64);
        let out = group.run(
            &db,
            Box::new(|txn| {
                txn.open_table(T)?.insert(1, 1)?;
                Err(CommitError::Corrupt("broken row".into()))
            }),
            None,
        );
        assert!(matches!(out, Err(CommitError::Corrupt(_))));
        let txn = db.begin_read().unwrap();
        assert!(txn.open_table(T).is_err(), "nothing was committed");
    }
}
