//! Consistent snapshots of a live spool (`sealgate backup`).
//!
//! redb admits one process and a copy of `queue.redb` taken while it is written is not a
//! database, so a snapshot is made *by* the process that has the spool open:
//!
//! 1. Body-file removals are pinned: a message that turns final while the snapshot runs keeps
//!    its body file until the snapshot ends (the removal is then done; after a crash in between,
//!    start-up recovery removes bodies of finished messages).
//! 2. One redb read transaction — a consistent view of every table as of one commit — is
//!    copied table by table into a fresh database `dest/queue.redb`, durably committed; all
//!    but the `bodies` table (sealed bodies stored in the database).
//! 3. The sealed body of every message active in that view — from the view's `bodies` table,
//!    else from its file — is written (still sealed: a snapshot is as unreadable as the spool
//!    without the master key) to its own file in `dest/bodies/`, each file and directory
//!    fsync'd. A snapshot therefore has the layout of a spool from before bodies moved into
//!    the database: a backup taken by either version restores with this one, and a damaged
//!    body in a backup is found by file.
//!
//! Because a body file is durable before its record commits, a database body commits with its
//! record, and removals are pinned (or, in the database, invisible to the view), every message
//! active in the view has its body; one that is missing was already missing in the spool and
//! is counted in [`SnapshotReport::missing_bodies`]. Commits and deliveries go on meanwhile;
//! what they write after the view is not in the snapshot.

use crate::bodies::{BodyDir, ensure_dir, fsync_dir};
use crate::error::CommitError;
use crate::queue::{Shared, Spool};
use crate::schema;
use redb::{ReadableTable, TableDefinition};
use sealgate_core::MessageId;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

/// What a snapshot holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotReport {
    /// Messages (records) in the snapshot, finished ones included.
    pub messages: u64,
    /// Messages with a recipient not yet final.
    pub active: u64,
    /// Sealed bodies copied (one per active message), each to its own file.
    pub bodies: u64,
    /// Bytes of sealed bodies copied.
    pub body_bytes: u64,
    /// Active messages whose body was already missing in the spool.
    pub missing_bodies: u64,
    /// Rows copied, all tables together.
    pub rows: u64,
}

/// Body removals held back while snapshots run.
#[derive(Debug, Default)]
pub(crate) struct BodyPins {
    inner: Mutex<PinState>,
}

#[derive(Debug, Default)]
struct PinState {
    snapshots: usize,
    deferred: Vec<MessageId>,
}

impl BodyPins {
    fn state(&self) -> std::sync::MutexGuard<'_, PinState> {
        // The state is a counter and a list of ids: nothing a panic could leave half-changed.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Shared {
    /// Removes the body file of a finished message, or defers it while a snapshot runs.
    pub(crate) fn remove_finished_body(&self, id: MessageId) -> Result<(), CommitError> {
        {
            let mut st = self.body_pins.state();
            if st.snapshots > 0 {
                st.deferred.push(id);
                return Ok(());
            }
        }
        self.bodies.remove(id)
    }
}

/// Holds body removals back until dropped, then performs the deferred ones.
struct Pin<'a>(&'a Shared);

impl<'a> Pin<'a> {
    fn new(sh: &'a Shared) -> Self {
        sh.body_pins.state().snapshots += 1;
        Pin(sh)
    }
}

impl Drop for Pin<'_> {
    fn drop(&mut self) {
        let deferred = {
            let mut st = self.0.body_pins.state();
            st.snapshots = st.snapshots.saturating_sub(1);
            if st.snapshots > 0 {
                return;
            }
            std::mem::take(&mut st.deferred)
        };
        for id in deferred {
            if let Err(e) = self.0.bodies.remove(id) {
                tracing::warn!(%id, error = %e, "removing the body of a finished message");
            }
        }
    }
}

impl Spool {
    /// Writes a consistent snapshot of the spool into `dest` (created 0700; must not hold a
    /// database yet); see the module documentation. Blocks: run it on a blocking pool.
    pub fn snapshot(&self, dest: &Path) -> Result<SnapshotReport, CommitError> {
        let sh = &*self.shared;
        ensure_dir(dest)?;
        let db_path = dest.join("queue.redb");
        let created = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&db_path);
        match created {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                return Err(CommitError::Conflict(format!(
                    "{} exists: a snapshot goes into a new directory",
                    db_path.display()
                )));
            }
            Err(e) => return Err(CommitError::io("create", db_path, e)),
        }
        let _pin = Pin::new(sh);
        let view = schema::read(&sh.db)?;
        let mut report = copy_tables(&view, &db_path)?;
        copy_bodies(sh, &view, dest, &mut report)?;
        fsync_dir(dest)?;
        Ok(report)
    }
}

/// Copies every table of `view` into a new database at `path`, in one durable transaction —
/// all but `bodies`: [`copy_bodies`] writes those as files.
fn copy_tables(view: &redb::ReadTransaction, path: &Path) -> Result<SnapshotReport, CommitError> {
    let db = redb::Database::create(path)?;
    schema::init(&db)?;
    let txn = db.begin_write()?;
    let mut rows = 0;
    rows += copy(view, &txn, schema::META)?;
    let messages = copy(view, &txn, schema::MESSAGES)?;
    rows += messages;
    rows += copy(view, &txn, schema::RECIPIENTS)?;
    rows += copy(view, &txn, schema::EVENTS)?;
    rows += copy(view, &txn, schema::DUE)?;
    let active = copy(view, &txn, schema::ACTIVE)?;
    rows += active;
    rows += copy(view, &txn, schema::COUNTS)?;
    rows += copy(view, &txn, schema::KEYS)?;
    rows += copy(view, &txn, schema::PINS)?;
    rows += copy(view, &txn, schema::AUDIT)?;
    rows += copy(view, &txn, schema::STS)?;
    rows += copy(view, &txn, schema::TLS_FACTS)?;
    rows += copy(view, &txn, schema::TLS_COUNTS)?;
    rows += copy(view, &txn, schema::TLS_PENDING)?;
    txn.commit()?;
    Ok(SnapshotReport {
        messages,
        active,
        rows,
        ..SnapshotReport::default()
    })
}

/// Copies one table's rows.
fn copy<K: redb::Key + 'static, V: redb::Value + 'static>(
    view: &redb::ReadTransaction,
    txn: &redb::WriteTransaction,
    def: TableDefinition<K, V>,
) -> Result<u64, CommitError> {
    let from = view.open_table(def)?;
    let mut to = txn.open_table(def)?;
    let mut n = 0;
    for row in from.iter()? {
        let (k, v) = row?;
        to.insert(k.value(), v.value())?;
        n += 1;
    }
    Ok(n)
}

/// Writes the sealed body of every message active in `view` into a file of `dest/bodies/`.
fn copy_bodies(
    sh: &Shared,
    view: &redb::ReadTransaction,
    dest: &Path,
    report: &mut SnapshotReport,
) -> Result<(), CommitError> {
    let target = BodyDir::open(dest.join("bodies"))?;
    let active = view.open_table(schema::ACTIVE)?;
    let mut shards = std::collections::BTreeSet::new();
    for entry in active.iter()? {
        let key = entry?.0.value();
        let id = schema::id_of(key);
        let sealed = match schema::inline_body(view, key)? {
            Some(sealed) => Some(sealed),
            None => sh.bodies.read(id)?,
        };
        let Some(sealed) = sealed else {
            tracing::error!(%id, "snapshot: queued message has no body");
            report.missing_bodies += 1;
            continue;
        };
        let path = target.path(id);
        let shard = target.shard_dir(id);
        if shards.insert(shard.clone()) {
            ensure_dir(&shard)?;
        }
        write_synced(&path, &sealed)?;
        report.bodies += 1;
        report.body_bytes += sealed.len() as u64;
    }
    for shard in &shards {
        fsync_dir(shard)?;
    }
    fsync_dir(&dest.join("bodies"))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), CommitError> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f: File| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .map_err(|e| CommitError::io("write snapshot body", path, e))
}
