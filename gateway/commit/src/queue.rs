//! The spool: opening the store, committing messages, and the [`QueueStore`] implementation.
//!
//! Guarantees: `commit` returns `Ok` only after the redb transaction holding the message
//! record, one `Scheduled` state per recipient (due now) and their `Accepted` events is
//! durably committed, and with it the sealed body: a body of at most [`INLINE_BODY_MAX`] bytes
//! is a row of that same transaction (`schema::BODIES`), so record and body become durable
//! together with the group's one `fdatasync`; a larger one is first written to its own file,
//! fsync'd, renamed and its directory fsync'd (by the committing thread itself) — the order
//! that lets recovery treat a body file without a record as an orphan.
//! Start-up recovery excludes concurrent commits (a read/write gate), so it never mistakes an
//! in-flight body for an orphan.

use crate::bodies::{BodyDir, ensure_dir, fsync_dir};
use crate::crypto::{self, KeyWrapper};
use crate::error::CommitError;
use crate::group::{CommitStats, GroupCommit, Op};
use crate::master::MasterKeys;
use crate::schema::{self, RcptRow};
use redb::ReadableTable;
use sealgate_core::MessageId;
use sealgate_core::event::{Event, EventKind};
use sealgate_core::message::{Body, Message};
use sealgate_core::status::Status;
use sealgate_core::store::{QueueDepth, QueueEntry, QueueStore, RecoveryReport, StoreError};
use sealgate_core::time::{Clock, Random, Timestamp};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Most operations one group transaction takes.
const MAX_BATCH: usize = 1024;
/// redb page cache size. Small bodies pass through the database's pages (issue 19), so a large
/// cache fills with pages of bodies already delivered: at 64 MiB the gateway's peak RSS at 1,000
/// sessions rose from ~107 to ~172 MiB. A body is read back within about a second of its commit
/// (its first delivery round), which 16 MiB covers at ~1,000 msg/s of 10 KiB.
const CACHE_BYTES: usize = 16 * 1024 * 1024;

/// Bodies of at most this many bytes (before sealing) are stored sealed in the database, in the
/// transaction of their record; larger ones get a file of their own (issue 19).
///
/// Why 256 KiB: a body in the database costs no fsync, rename, directory fsync, open or unlink
/// of its own — the group commit's one `fdatasync` covers it — which is most of the spool's
/// per-message cost for typical mail (tens of KiB). But the leader writes every body of its
/// batch inside one transaction while the other sessions wait, and freed pages are reused
/// only page-run by page-run, so very large values would make each batch slow and the file
/// fragmented; above this size a file written and fsync'd in the caller's own thread (in
/// parallel with other sessions) is the better deal, and its fixed cost is small beside the
/// body's own I/O.
pub const INLINE_BODY_MAX: usize = 256 * 1024;

/// Where a message's sealed body is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLocation {
    /// A row of the `bodies` table of `queue.redb`.
    Database,
    /// Its own file, [`Spool::body_path`].
    File,
}

/// What every handle of one store shares.
pub(crate) struct Shared {
    pub dir: PathBuf,
    pub db: redb::Database,
    pub group: GroupCommit,
    pub bodies: BodyDir,
    pub wrapper: Arc<dyn KeyWrapper>,
    pub clock: Arc<dyn Clock>,
    pub rng: Arc<dyn Random>,
    /// Commits hold it shared; recovery holds it exclusively.
    gate: RwLock<()>,
    /// Body removals held back while a snapshot runs (`snapshot.rs`).
    pub body_pins: crate::snapshot::BodyPins,
}

impl Shared {
    /// Runs a write operation in a durable group transaction.
    pub fn write(&self, op: Op) -> Result<u64, CommitError> {
        self.group.run(&self.db, op, None)
    }

    pub fn shared_gate(&self) -> RwLockReadGuard<'_, ()> {
        // The guarded value is `()`: a poisoned lock protects nothing that could be inconsistent.
        self.gate.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn exclusive_gate(&self) -> RwLockWriteGuard<'_, ()> {
        // As above: nothing behind the lock can be left inconsistent.
        self.gate.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The durable, encrypted spool: a [`QueueStore`] over `dir/queue.redb` and `dir/bodies/`.
///
/// Cheap to clone; the database closes when the last clone and the last handle from
/// [`Spool::keys`], [`Spool::pins`] and [`Spool::audit`] are dropped.
#[derive(Clone)]
pub struct Spool {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Spool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spool")
            .field("dir", &self.shared.dir)
            .finish()
    }
}

impl Spool {
    /// Opens (creating if needed, mode 0700) the spool in `dir`, sealing with `keys`.
    pub fn open(
        dir: &Path,
        keys: MasterKeys,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
    ) -> Result<Spool, CommitError> {
        Spool::open_with_wrapper(dir, Arc::new(keys), clock, rng)
    }

    /// Opens the spool with any [`KeyWrapper`] (e.g. a KMS client).
    pub fn open_with_wrapper(
        dir: &Path,
        wrapper: Arc<dyn KeyWrapper>,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
    ) -> Result<Spool, CommitError> {
        ensure_dir(dir)?;
        let db_path = dir.join("queue.redb");
        let db = redb::Builder::new()
            .set_cache_size(CACHE_BYTES)
            .create(&db_path)?;
        std::fs::set_permissions(&db_path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| CommitError::io("restrict permissions of", &db_path, e))?;
        schema::init(&db)?;
        let bodies = BodyDir::open(dir.join("bodies"))?;
        Ok(Spool {
            shared: Arc::new(Shared {
                dir: dir.to_path_buf(),
                db,
                group: GroupCommit::new(MAX_BATCH),
                bodies,
                wrapper,
                clock,
                rng,
                gate: RwLock::new(()),
                body_pins: crate::snapshot::BodyPins::default(),
            }),
        })
    }

    /// The spool directory.
    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// Where the sealed body of `id` lives when it is kept in a file (for diagnostics and
    /// tests); [`Spool::body_location`] says whether it is.
    pub fn body_path(&self, id: MessageId) -> PathBuf {
        self.shared.bodies.path(id)
    }

    /// Group-commit counters (transactions vs. operations) since open.
    pub fn commit_stats(&self) -> CommitStats {
        self.shared.group.stats()
    }

    /// Commits a message; see the module guarantees.
    pub fn commit_message(&self, message: &Message) -> Result<(), CommitError> {
        let _gate = self.shared.shared_gate();
        let sh = &*self.shared;
        let id = message.id;
        if message.envelope.recipients.is_empty() {
            return Err(CommitError::Conflict("a message needs a recipient".into()));
        }
        let sealed = crypto::seal(
            &*sh.wrapper,
            &*sh.rng,
            &crypto::body_context(id),
            &message.body,
        )?;
        if message.body.len() <= INLINE_BODY_MAX {
            // Record and sealed body in one transaction: durable together, or not at all.
            let op = commit_op(message, sh.clock.now(), Some(sealed))?;
            return sh.group.run(&sh.db, op, None).map(|_| ());
        }
        self.commit_with_body_file(message, &sealed)
    }

    /// The large-body path: the sealed body file is durable before the record is queued.
    fn commit_with_body_file(&self, message: &Message, sealed: &[u8]) -> Result<(), CommitError> {
        let sh = &*self.shared;
        let id = message.id;
        // Checked before the file is written, so a duplicate never overwrites the body of the
        // message already queued under this id (the small-body path needs no separate read: its
        // transaction refuses a duplicate itself).
        if self.exists(id)? {
            return Err(CommitError::Conflict(format!(
                "message {id} already exists"
            )));
        }
        let shard = sh.bodies.write(id, sealed)?;
        // The rename is made durable here, in this caller's thread, before the record is even
        // queued: concurrent sessions' directory fsyncs then run in parallel instead of one
        // after another inside the group leader's batch (they rarely share one of 256 shards).
        if let Err(e) = fsync_dir(&shard) {
            if let Err(rm) = sh.bodies.remove(id) {
                tracing::warn!(%id, error = %rm, "removing the body of a failed commit");
            }
            return Err(e);
        }
        let op = commit_op(message, sh.clock.now(), None)?;
        match sh.group.run(&sh.db, op, None) {
            Ok(_) => Ok(()),
            Err(e) => {
                if !matches!(e, CommitError::Conflict(_)) {
                    // Not committed: the body would be an orphan.
                    if let Err(rm) = sh.bodies.remove(id) {
                        tracing::warn!(%id, error = %rm, "removing the body of a failed commit");
                    }
                }
                Err(e)
            }
        }
    }

    fn exists(&self, id: MessageId) -> Result<bool, CommitError> {
        let txn = schema::read(&self.shared.db)?;
        let messages = txn.open_table(schema::MESSAGES)?;
        Ok(messages.get(schema::key(id))?.is_some())
    }

    /// The decrypted body of a stored message. Blocks (a database read that can touch the disk,
    /// or a file read, then decryption): async callers run it on a blocking pool.
    pub fn read_body(&self, id: MessageId) -> Result<Body, CommitError> {
        let sh = &*self.shared;
        let (sealed, _) = self.sealed_body(id)?.ok_or(CommitError::NotFound)?;
        let plain = crypto::open(&*sh.wrapper, &crypto::body_context(id), sealed)?;
        Ok(Body::new(plain))
    }

    /// Where the body of `id` is stored, or `None` when it has none (unknown or finished).
    pub fn body_location(&self, id: MessageId) -> Result<Option<BodyLocation>, CommitError> {
        Ok(self.sealed_body(id)?.map(|(_, at)| at))
    }

    /// The sealed body: the database row if there is one (one read transaction), else the file
    /// (messages committed with a large body, or by a version before issue 19).
    fn sealed_body(&self, id: MessageId) -> Result<Option<(Vec<u8>, BodyLocation)>, CommitError> {
        let sh = &*self.shared;
        if let Some(sealed) = schema::inline_body(&schema::read(&sh.db)?, schema::key(id))? {
            return Ok(Some((sealed, BodyLocation::Database)));
        }
        Ok(sh.bodies.read(id)?.map(|b| (b, BodyLocation::File)))
    }
}

/// Builds the write operation of a commit (all encoding done before entering the batch); with
/// `inline`, the sealed body is stored in the same transaction.
fn commit_op(
    message: &Message,
    now: Timestamp,
    inline: Option<Vec<u8>>,
) -> Result<Op, CommitError> {
    let key = schema::key(message.id);
    let record = schema::encode(message)?;
    let mut rows = Vec::with_capacity(message.envelope.recipients.len());
    for (i, rcpt) in message.envelope.recipients.iter().enumerate() {
        let requirement = message
            .decision
            .recipients
            .get(i)
            .map_or("unspecified", |r| r.name());
        let event = Event {
            at: now,
            kind: EventKind::Accepted {
                requirement: requirement.to_string(),
            },
        };
        let row = RcptRow {
            address: rcpt.address.clone(),
            status: Status::Scheduled,
            next_attempt: Some(now),
            attempts: 0,
            events: 1,
        };
        let index =
            u32::try_from(i).map_err(|_| CommitError::Conflict("too many recipients".into()))?;
        rows.push((index, schema::encode(&row)?, schema::encode(&event)?));
    }
    let count = rows.len() as u32;
    Ok(Box::new(move |txn| {
        let mut messages = txn.open_table(schema::MESSAGES)?;
        if messages.get(key)?.is_some() {
            return Err(CommitError::Conflict("message already exists".into()));
        }
        messages.insert(key, record.as_slice())?;
        if let Some(sealed) = &inline {
            txn.open_table(schema::BODIES)?
                .insert(key, sealed.as_slice())?;
        }
        let mut recipients = txn.open_table(schema::RECIPIENTS)?;
        let mut events = txn.open_table(schema::EVENTS)?;
        let mut due = txn.open_table(schema::DUE)?;
        for (index, row, event) in &rows {
            recipients.insert((key, *index), row.as_slice())?;
            events.insert((key, *index, 0), event.as_slice())?;
            due.insert((now.millis(), key, *index), ())?;
        }
        txn.open_table(schema::ACTIVE)?.insert(key, count)?;
        let mut counts = txn.open_table(schema::COUNTS)?;
        schema::bump(&mut counts, Status::Scheduled, i64::from(count))?;
        Ok(0)
    }))
}

impl QueueStore for Spool {
    fn commit(&self, message: &Message) -> Result<(), StoreError> {
        Ok(self.commit_message(message)?)
    }

    fn get(&self, id: MessageId) -> Result<Option<QueueEntry>, StoreError> {
        Ok(crate::read::get(&self.shared, id)?)
    }

    fn body(&self, id: MessageId) -> Result<Body, StoreError> {
        Ok(self.read_body(id)?)
    }

    fn list(&self, after: Option<MessageId>, limit: usize) -> Result<Vec<QueueEntry>, StoreError> {
        Ok(crate::read::list(&self.shared, after, limit)?)
    }

    fn record(
        &self,
        id: MessageId,
        recipient: u32,
        event: Event,
        next_attempt: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        Ok(crate::record::record(
            &self.shared,
            id,
            recipient,
            event,
            next_attempt,
        )?)
    }

    fn record_many(
        &self,
        id: MessageId,
        items: Vec<(u32, Event, Option<Timestamp>)>,
    ) -> Result<(), StoreError> {
        Ok(crate::record::record_many(&self.shared, id, items)?)
    }

    fn due(&self, now: Timestamp, limit: usize) -> Result<Vec<MessageId>, StoreError> {
        Ok(crate::read::due(&self.shared, now, limit)?)
    }

    fn depth(&self) -> Result<QueueDepth, StoreError> {
        Ok(crate::read::depth(&self.shared)?)
    }

    fn recover(&self, now: Timestamp) -> Result<RecoveryReport, StoreError> {
        Ok(crate::recover::recover(&self.shared, now)?)
    }
}
