//! Group commit: many threads' write operations share one durable redb transaction.
//!
//! Leader/follower over a `Mutex` + `Condvar`, no extra thread: a caller queues its operation;
//! if no commit is running it becomes the leader, takes everything queued (up to a cap), fsyncs
//! once each directory that operations of the batch renamed bodies into, runs the
//! operations in one write transaction, commits it (`Durability::Immediate`: fsync'd), posts
//! every result and wakes the others. Callers arriving meanwhile wait and form the next batch.
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
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

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
    done: Condvar,
    max_batch: usize,
}

impl GroupCommit {
    /// A committer taking at most `max_batch` operations per transaction.
    pub fn new(max_batch: usize) -> Self {
        GroupCommit {
            state: Mutex::new(State::default()),
            done: Condvar::new(),
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
        });
        loop {
            if let Some(outcome) = st.results.remove(&ticket) {
                return outcome;
            }
            if st.leading {
                st = self.done.wait(st).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            st.leading = true;
            let take = st.queue.len().min(self.max_batch);
            let batch: Vec<Queued> = st.queue.drain(..take).collect();
            drop(st);
            let mut guard = LeaderGuard {
                group: self,
                tickets: batch.iter().map(|q| q.ticket).collect(),
            };
            let outcomes = self.execute(db, batch);
            guard.tickets.clear();
            st = self.lock();
            st.stats.transactions += 1;
            st.stats.operations += outcomes.len() as u64;
            st.results.extend(outcomes);
            st.leading = false;
            self.done.notify_all();
        }
    }
}

/// Releases leadership and fails the batch if the leader unwinds mid-commit.
struct LeaderGuard<'a> {
    group: &'a GroupCommit,
    tickets: Vec<u64>,
}

impl Drop for LeaderGuard<'_> {
    fn drop(&mut self) {
        if self.tickets.is_empty() {
            return;
        }
        let mut st = self.group.lock();
        for t in self.tickets.drain(..) {
            st.results.insert(
                t,
                Err(CommitError::Database("group commit leader panicked".into())),
            );
        }
        st.leading = false;
        self.group.done.notify_all();
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
    use redb::{ReadableDatabase, ReadableTable, TableDefinition};

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
