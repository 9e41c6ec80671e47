//! The escrow store: `portal/escrow.redb` beside `portal/sealed/` under the data directory.
//!
//! Layout: `portal/escrow.redb` (records, the message index, events), `portal/sealed/` (one
//! sealed copy per escrow) and `portal/halves/` (one file per escrow holding its stored half —
//! and in `key_mode = "server"` its link half — wrapped under the master key).
//!
//! Guarantees: a deposit is durable (sealed file and half file fsync'd under their names, both
//! directories fsync'd, then the redb commit) before it returns; a record and the event that
//! changes it are written in one transaction, and concurrent deposits and events share one
//! transaction and one fsync of each directory (group commit, `store_batch.rs`); an event is
//! counted from the record as stored in that transaction, and a state change (revoke, expiry,
//! extend) applies only to a copy still active there; revoke and expiry commit the new state,
//! then overwrite the half file with zeros, fsync and remove it, then remove the sealed file;
//! reading checks the state and the expiry first, expiring a copy whose time has come;
//! opening recovers from a crash by removing temporary files and sealed files no record
//! refers to (so a crash before a batch commits leaves nothing behind). All calls block:
//! async callers use a blocking pool.

use crate::document::Document;
use crate::error::PortalError;
use crate::files::{SealedDir, ensure_dir};
use crate::id::{EscrowId, reference_word};
use crate::record::{
    Actor, EscrowRecord, EscrowState, Halves, KeyMode, PortalEvent, PortalEventKind, StoredKey,
};
use crate::sanitise;
use crate::seal::{self, Half};
use crate::store_batch::{BatchStats, Batcher, Change};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use sealgate_commit::{DataKey, KeyWrapper};
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::{Clock, Random, Timestamp};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::Arc;

/// Escrow id → [`EscrowRecord`].
pub(crate) const ESCROWS: TableDefinition<u128, &[u8]> = TableDefinition::new("escrows");
/// (message id, recipient index) → the latest escrow id of that copy.
pub(crate) const BY_MESSAGE: TableDefinition<(u128, u32), u128> =
    TableDefinition::new("by_message");
/// (escrow id, sequence) → one [`PortalEvent`], append-only.
pub(crate) const EVENTS: TableDefinition<(u128, u32), &[u8]> = TableDefinition::new("events");
const ROW_FORMAT: u8 = 1;
/// The most deposits and events one group transaction holds.
const MAX_BATCH: usize = 64;

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, PortalError> {
    let mut out = vec![ROW_FORMAT];
    serde_json::to_writer(&mut out, value)?;
    Ok(out)
}

pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, PortalError> {
    match bytes.split_first() {
        Some((&ROW_FORMAT, json)) => Ok(serde_json::from_slice(json)?),
        _ => Err(PortalError::Corrupt("unknown row format".into())),
    }
}

/// The AEAD context binding a wrapped half to its escrow and role.
fn wrap_context(role: &str, id: EscrowId) -> Vec<u8> {
    [b"portal-", role.as_bytes(), b"\0", &id.to_bytes()].concat()
}

pub(crate) fn message_key(id: MessageId) -> u128 {
    u128::from_be_bytes(id.to_bytes())
}

/// One copy to escrow.
pub struct NewEscrow<'a> {
    /// The spool message.
    pub message_id: MessageId,
    /// The recipient's envelope position.
    pub recipient_index: u32,
    /// The recipient.
    pub recipient: Address,
    /// The sending tenant's name.
    pub tenant: &'a str,
    /// Where the link half is kept.
    pub key_mode: KeyMode,
    /// When it expires (the caller applies the tenant's bounds).
    pub expires: Timestamp,
    /// The recipient's copy, a complete RFC 5322 message.
    pub raw: &'a [u8],
    /// The largest attachment accepted, in bytes.
    pub max_attachment: u64,
}

/// What a deposit hands back for the notification. The link half is wiped on drop: the
/// notification builder drops it once the notification is committed.
#[derive(Debug)]
pub struct Deposit {
    /// The escrow id (the link's path).
    pub id: EscrowId,
    /// The reference word.
    pub reference: String,
    /// When it expires.
    pub expires: Timestamp,
    /// The link half (the link's fragment).
    pub link_half: Half,
}

/// The escrow store.
pub struct EscrowStore {
    pub(crate) db: redb::Database,
    pub(crate) files: SealedDir,
    pub(crate) halves: SealedDir,
    pub(crate) wrapper: Arc<dyn KeyWrapper>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: Arc<dyn Random>,
    observer: std::sync::OnceLock<Observer>,
    batch: Batcher,
    pub(crate) passkeys: crate::passkey_index::PasskeyIndex,
    /// Held shared by revoke and expiry (which remove files), exclusively by a snapshot.
    pub(crate) destruction: std::sync::RwLock<()>,
}

/// Told of each committed event: the record's tenant (a configured name) and the event.
pub type Observer = Arc<dyn Fn(&str, &PortalEventKind) + Send + Sync>;

impl std::fmt::Debug for EscrowStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EscrowStore")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl EscrowStore {
    /// Opens (creating if needed) the store under `dir` (the spool's data directory; the store
    /// lives in `dir/portal/`) and removes what a crash left behind.
    pub fn open(
        dir: &Path,
        wrapper: Arc<dyn KeyWrapper>,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
    ) -> Result<Self, PortalError> {
        let root = dir.join("portal");
        ensure_dir(&root)?;
        let db = redb::Database::create(root.join("escrow.redb"))?;
        let txn = db.begin_write()?;
        txn.open_table(ESCROWS)?;
        txn.open_table(BY_MESSAGE)?;
        txn.open_table(EVENTS)?;
        crate::status::create_tables(&txn)?;
        txn.commit()?;
        let files = SealedDir::open(root.join("sealed"), "sealed")?;
        let halves = SealedDir::open(root.join("halves"), "half")?;
        let dirs = vec![files.dir().to_path_buf(), halves.dir().to_path_buf()];
        let store = EscrowStore {
            db,
            files,
            halves,
            batch: Batcher::new(dirs, MAX_BATCH),
            wrapper,
            clock,
            rng,
            observer: std::sync::OnceLock::new(),
            passkeys: Default::default(),
            destruction: std::sync::RwLock::new(()),
        };
        store.recover()?;
        store.load_passkey_index()?;
        Ok(store)
    }

    /// Sets the observer told of every event once it is committed (the gateway's metrics);
    /// `false` if one was set already. It sees the tenant and the event kind, nothing else.
    pub fn set_observer(&self, observer: Observer) -> bool {
        self.observer.set(observer).is_ok()
    }

    /// Group-commit counters of the deposits and events so far.
    pub fn commit_stats(&self) -> BatchStats {
        self.batch.stats()
    }

    fn recover(&self) -> Result<(), PortalError> {
        for dir in [&self.files, &self.halves] {
            let (ids, temps) = dir.scan()?;
            for t in temps {
                std::fs::remove_file(&t)
                    .map_err(|e| PortalError::Io(format!("remove {}: {e}", t.display())))?;
            }
            for id in ids {
                if !self.record(id).is_ok_and(|r| r.is_active()) {
                    dir.shred(id)?;
                }
            }
        }
        Ok(())
    }

    /// Sanitises, seals and stores one recipient's copy.
    pub fn deposit(&self, new: NewEscrow<'_>) -> Result<Deposit, PortalError> {
        let doc = sanitise::document(new.raw, new.max_attachment)?;
        let rng = &*self.rng;
        let (id, link, stored) = (
            EscrowId::generate(rng),
            Half::generate(rng),
            Half::generate(rng),
        );
        let plain = zeroize::Zeroizing::new(doc.encode()?);
        // Both names become durable with the batch's directory fsyncs, before the record commits.
        self.files
            .write_unsynced_name(id, &seal::seal(&link, &stored, id, rng, &plain)?)?;
        let wrap = |half: &Half, role: &str| -> Result<StoredKey, PortalError> {
            let key = DataKey::from_bytes(*half.as_bytes());
            Ok(StoredKey::new(self.wrapper.wrap(
                &key,
                &wrap_context(role, id),
                rng,
            )?))
        };
        let now = self.clock.now();
        let record = EscrowRecord {
            id: id.to_string(),
            message_id: new.message_id,
            recipient_index: new.recipient_index,
            recipient: new.recipient,
            tenant: new.tenant.to_string(),
            reference: reference_word(rng),
            created: now,
            expires: new.expires,
            key_mode: new.key_mode,
            state: EscrowState::Active,
            attachments: u32::try_from(doc.attachments.len()).unwrap_or(u32::MAX),
            events: 0,
        };
        let halves = Halves {
            stored: wrap(&stored, "stored")?,
            link: match new.key_mode {
                KeyMode::Server => Some(wrap(&link, "link")?),
                KeyMode::Link => None,
            },
        };
        self.halves
            .write_unsynced_name(id, &serde_json::to_vec(&halves)?)?;
        let index = (message_key(new.message_id), new.recipient_index);
        let insert = Change::Insert(Box::new(record.clone()), index);
        let written = self.write(id.key(), insert, PortalEventKind::Escrowed, Actor::System);
        if let Err(e) = written {
            // Best effort: recovery removes both files at the next start if this fails too.
            let _ = self.halves.shred(id).and(self.files.remove(id));
            return Err(e);
        }
        Ok(Deposit {
            id,
            reference: record.reference,
            expires: record.expires,
            link_half: link,
        })
    }

    /// Commits one event of escrow `key` and the record `change` makes of it, in a group
    /// transaction (`store_batch.rs`); the observer hears of it once it is durable.
    pub(crate) fn write(
        &self,
        key: u128,
        change: Change,
        kind: PortalEventKind,
        actor: Actor,
    ) -> Result<EscrowRecord, PortalError> {
        let event = PortalEvent {
            at: self.clock.now(),
            kind,
            actor,
        };
        let row = encode(&event)?;
        let sync_dirs = matches!(change, Change::Insert(..));
        let op = Box::new(move |txn: &redb::WriteTransaction| change.apply(txn, key, &row));
        let record = self.batch.run(&self.db, op, sync_dirs)?;
        if let Some(observe) = self.observer.get() {
            observe(&record.tenant, &event.kind);
        }
        Ok(record)
    }

    /// Commits one event of escrow `key` together with `extra`'s changes to other tables of
    /// this crate (the passkeys) in a transaction of its own, outside the group commit (these
    /// are rare, and `extra` may refuse after reading: then nothing is written). redb runs
    /// one write transaction at a time, so this and a batch never interleave.
    pub(crate) fn write_with(
        &self,
        key: u128,
        kind: PortalEventKind,
        actor: Actor,
        extra: impl FnOnce(&redb::WriteTransaction) -> Result<(), PortalError>,
    ) -> Result<EscrowRecord, PortalError> {
        let event = PortalEvent {
            at: self.clock.now(),
            kind,
            actor,
        };
        let row = encode(&event)?;
        let txn = self.db.begin_write()?;
        extra(&txn)?;
        let record = Change::Event.apply(&txn, key, &row)?;
        txn.commit()?;
        if let Some(observe) = self.observer.get() {
            observe(&record.tenant, &event.kind);
        }
        Ok(record)
    }

    /// The database, for tables other modules of this crate own (`reply_store.rs`,
    /// `passkey_store.rs`).
    pub(crate) fn database(&self) -> &redb::Database {
        &self.db
    }

    /// The master key wrapper and randomness, for the passkey pseudonym secret.
    pub(crate) fn keys(&self) -> (&dyn KeyWrapper, &dyn Random, &dyn Clock) {
        (&*self.wrapper, &*self.rng, &*self.clock)
    }

    /// Tells the observer of an event that belongs to no escrowed copy (an administrator
    /// removing a passkey).
    pub(crate) fn observe(&self, tenant: &str, kind: &PortalEventKind) {
        if let Some(observe) = self.observer.get() {
            observe(tenant, kind);
        }
    }

    pub(crate) fn id_of(&self, record: &EscrowRecord) -> Result<EscrowId, PortalError> {
        record
            .id
            .parse()
            .map_err(|_| PortalError::Corrupt("escrow id".into()))
    }

    /// The record of one escrow.
    pub fn record(&self, id: EscrowId) -> Result<EscrowRecord, PortalError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(ESCROWS)?;
        let row = table.get(id.key())?.ok_or(PortalError::NotFound)?;
        decode(row.value())
    }

    /// The escrow of one recipient of a message, if any (the latest).
    pub fn find(
        &self,
        message: MessageId,
        recipient_index: u32,
    ) -> Result<Option<EscrowRecord>, PortalError> {
        let txn = self.db.begin_read()?;
        let found = txn
            .open_table(BY_MESSAGE)?
            .get((message_key(message), recipient_index))?
            .map(|v| v.value());
        drop(txn);
        found
            .map(|k| self.record(EscrowId::from_bytes(k.to_be_bytes())))
            .transpose()
    }

    /// Every record, oldest id first.
    pub fn list(&self) -> Result<Vec<EscrowRecord>, PortalError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(ESCROWS)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            out.push(decode(row?.1.value())?);
        }
        out.sort_by_key(|r: &EscrowRecord| r.created);
        Ok(out)
    }

    /// The event log of one escrow, oldest first.
    pub fn events(&self, id: EscrowId) -> Result<Vec<PortalEvent>, PortalError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(EVENTS)?;
        let mut out = Vec::new();
        for row in table.range((id.key(), 0)..=(id.key(), u32::MAX))? {
            out.push(decode(row?.1.value())?);
        }
        Ok(out)
    }

    /// Appends one event (notified, opened, code…, viewed, downloaded, resend asked).
    pub fn append(
        &self,
        id: EscrowId,
        kind: PortalEventKind,
        actor: Actor,
    ) -> Result<(), PortalError> {
        self.write(id.key(), Change::Event, kind, actor).map(|_| ())
    }

    /// The record, expiring it first when its time has come. Fails `Revoked` / `Expired` when
    /// the copy can no longer be read.
    pub fn check(&self, id: EscrowId) -> Result<EscrowRecord, PortalError> {
        let record = self.record(id)?;
        let record = match record.state {
            EscrowState::Active if self.clock.now() >= record.expires => {
                self.destroy(record, false, Actor::System)?
            }
            _ => record,
        };
        match record.state {
            EscrowState::Active => Ok(record),
            EscrowState::Revoked { .. } => Err(PortalError::Revoked),
            EscrowState::Expired { .. } => Err(PortalError::Expired),
        }
    }

    /// Decrypts one escrow for one request. `link` is the half from the fragment; in
    /// `key_mode = "server"` it may be `None` (the stored link half is used).
    pub fn read(&self, id: EscrowId, link: Option<&Half>) -> Result<Document, PortalError> {
        self.check(id)?;
        let halves = self.halves(id)?;
        let stored = self.unwrap(&halves.stored, "stored", id)?;
        let server_link = match (link, &halves.link) {
            (Some(_), _) => None,
            (None, Some(k)) => Some(self.unwrap(k, "link", id)?),
            (None, None) => return Err(PortalError::Crypto("the link half is needed".into())),
        };
        let link = link.or(server_link.as_ref()).ok_or(PortalError::NotFound)?;
        let plain = seal::open(link, &stored, id, self.files.read(id)?)?;
        Document::decode(&plain)
    }

    /// `key_mode = "server"`: the link half again (to re-send a link).
    pub fn server_link_half(&self, id: EscrowId) -> Result<Half, PortalError> {
        self.check(id)?;
        let k = self.halves(id)?.link.ok_or_else(|| {
            PortalError::Conflict(
                "key_mode is link: the gateway does not keep the link half".into(),
            )
        })?;
        self.unwrap(&k, "link", id)
    }

    pub(crate) fn halves(&self, id: EscrowId) -> Result<Halves, PortalError> {
        let bytes = self.halves.read(id).map_err(|e| match e {
            PortalError::NotFound => PortalError::Corrupt("the half file is missing".into()),
            e => e,
        })?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    pub(crate) fn unwrap(
        &self,
        k: &StoredKey,
        role: &str,
        id: EscrowId,
    ) -> Result<Half, PortalError> {
        let bytes =
            hex::decode(&k.wrapped).map_err(|_| PortalError::Corrupt("wrapped half".into()))?;
        let key = self
            .wrapper
            .unwrap(&k.key_id, &bytes, &wrap_context(role, id))?;
        Ok(Half::from_bytes(*key.as_bytes()))
    }
}
