//! Consistent snapshots of the live escrow store (`sealgate backup`).
//!
//! An escrowed copy is accepted mail: a restore that loses it loses mail. redb admits one
//! process, and a copy of `escrow.redb` taken while it is written is not a database, so the
//! snapshot is made by the process that has the store open ([`EscrowStore::snapshot`]):
//!
//! 1. Destruction (revoke, expiry) waits while a snapshot runs: it holds the store's
//!    destruction gate shared, the snapshot holds it exclusively. Deposits, events, passkeys
//!    and reading go on meanwhile.
//! 2. One redb read transaction — every table as of one commit — is copied table by table into
//!    a fresh `dest/portal/escrow.redb`, durably committed.
//! 3. The sealed file and the half file of every copy active in that view are copied (still
//!    sealed and wrapped: a snapshot opens nothing without the master key and, in
//!    `key_mode = "link"`, the link) to `dest/portal/sealed/` and `dest/portal/halves/`, each
//!    file and directory fsync'd.
//!
//! Both files of a copy are durable before its record commits, and no file of a copy active in
//! the view can be removed before the snapshot ends, so every active copy has its files; one
//! missing was missing in the store already and is counted in [`EscrowSnapshot::missing`]. A
//! copy revoked or expired after the view is active in the snapshot, with its stored half
//! (the crate docs: "backups taken before keep it"). The layout is the live one, so
//! restoring is copying `dest/portal` into the new data directory.

use crate::error::PortalError;
use crate::files::{SealedDir, ensure_dir, fsync_dir};
use crate::id::EscrowId;
use crate::record::EscrowRecord;
use crate::store::{EscrowStore, decode};
use redb::{ReadableDatabase, ReadableTable, TableDefinition, TableError};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// What an escrow store snapshot holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscrowSnapshot {
    /// Escrowed copies (records), withdrawn and expired ones included.
    pub copies: u64,
    /// Copies still active (readable).
    pub active: u64,
    /// Files copied (a sealed file and a half file per active copy).
    pub files: u64,
    /// Bytes of those files.
    pub bytes: u64,
    /// Active copies with a file already missing in the store.
    pub missing: u64,
    /// Rows copied, all tables together.
    pub rows: u64,
}

impl EscrowStore {
    /// Writes a consistent snapshot of the store into `dest/portal/` (`dest` created 0700 if
    /// needed; `dest/portal/escrow.redb` must not exist); see the module documentation.
    /// Blocks (file copies and fsyncs): run it on a blocking pool.
    pub fn snapshot(&self, dest: &Path) -> Result<EscrowSnapshot, PortalError> {
        let root = dest.join("portal");
        ensure_dir(&root)?;
        let db_path = root.join("escrow.redb");
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&db_path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                return Err(PortalError::Conflict(format!(
                    "{} exists: a snapshot goes into a new directory",
                    db_path.display()
                )));
            }
            Err(e) => {
                return Err(PortalError::Io(format!(
                    "create {}: {e}",
                    db_path.display()
                )));
            }
        }
        // The lock guards no data: a panic elsewhere leaves nothing to repair.
        let _gate = self
            .destruction
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let view = self.database().begin_read()?;
        let mut report = copy_tables(&view, &db_path)?;
        self.copy_files(&view, &root, &mut report)?;
        fsync_dir(&root)?;
        Ok(report)
    }

    fn copy_files(
        &self,
        view: &redb::ReadTransaction,
        root: &Path,
        report: &mut EscrowSnapshot,
    ) -> Result<(), PortalError> {
        let sealed = SealedDir::open(root.join("sealed"), "sealed")?;
        let halves = SealedDir::open(root.join("halves"), "half")?;
        let table = view.open_table(crate::store::ESCROWS)?;
        for row in table.iter()? {
            let record: EscrowRecord = decode(row?.1.value())?;
            if !record.is_active() {
                continue;
            }
            report.active += 1;
            let id = self.id_of(&record)?;
            let mut whole = true;
            for (from, to) in [(&self.files, &sealed), (&self.halves, &halves)] {
                whole &= copy_file(from, to, id, report)?;
            }
            if !whole {
                tracing::error!(escrow = %id, "snapshot: an active escrowed copy has a file missing");
                report.missing += 1;
            }
        }
        fsync_dir(sealed.dir())?;
        fsync_dir(halves.dir())
    }
}

/// What [`EscrowStore::check_copies`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopiesCheck {
    /// Active escrowed copies.
    pub active: u64,
    /// Active copies whose sealed file is missing or whose stored half does not unwrap with
    /// the master key.
    pub unreadable: u64,
}

impl EscrowStore {
    /// Checks, after a restore, that every active copy has its sealed file and a stored half
    /// the master key unwraps (the link half, which only the recipient's link holds in
    /// `key_mode = "link"`, is the rest of the key). Blocks.
    pub fn check_copies(&self) -> Result<CopiesCheck, PortalError> {
        let mut out = CopiesCheck::default();
        for record in self.list()? {
            if !record.is_active() {
                continue;
            }
            out.active += 1;
            let id = self.id_of(&record)?;
            let readable = self.files.path(id).is_file()
                && self
                    .halves(id)
                    .and_then(|h| self.unwrap(&h.stored, "stored", id))
                    .is_ok();
            if !readable {
                tracing::error!(escrow = %id, "restored escrowed copy is not readable");
                out.unreadable += 1;
            }
        }
        Ok(out)
    }
}

/// Copies the file of `id` from `from` to `to`, fsync'd; `false` when `from` has none.
fn copy_file(
    from: &SealedDir,
    to: &SealedDir,
    id: EscrowId,
    report: &mut EscrowSnapshot,
) -> Result<bool, PortalError> {
    let bytes = match from.read(id) {
        Ok(b) => b,
        Err(PortalError::NotFound) => return Ok(false),
        Err(e) => return Err(e),
    };
    let path = to.path(id);
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .and_then(|mut f: File| {
            f.write_all(&bytes)?;
            f.sync_all()
        })
        .map_err(|e| PortalError::Io(format!("write snapshot file {}: {e}", path.display())))?;
    report.files += 1;
    report.bytes += bytes.len() as u64;
    Ok(true)
}

/// Copies every table of the store as `view` sees it into a new database at `path`, in one
/// durable transaction.
fn copy_tables(view: &redb::ReadTransaction, path: &Path) -> Result<EscrowSnapshot, PortalError> {
    let db = redb::Database::create(path)?;
    let txn = db.begin_write()?;
    let copies = copy(view, &txn, crate::store::ESCROWS)?;
    let mut rows = copies;
    rows += copy(view, &txn, crate::store::BY_MESSAGE)?;
    rows += copy(view, &txn, crate::store::EVENTS)?;
    rows += crate::status::copy_tables(view, &txn)?;
    rows += crate::passkey_store::copy_tables(view, &txn)?;
    rows += crate::reply_store::copy_tables(view, &txn)?;
    txn.commit()?;
    Ok(EscrowSnapshot {
        copies,
        rows,
        ..EscrowSnapshot::default()
    })
}

/// Copies one table's rows (a table not made yet in the store is not made in the copy).
pub(crate) fn copy<K: redb::Key + 'static, V: redb::Value + 'static>(
    view: &redb::ReadTransaction,
    txn: &redb::WriteTransaction,
    def: TableDefinition<K, V>,
) -> Result<u64, PortalError> {
    let from = match view.open_table(def) {
        Ok(t) => t,
        Err(TableError::TableDoesNotExist(_)) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut to = txn.open_table(def)?;
    let mut n = 0;
    for row in from.iter()? {
        let (k, v) = row?;
        to.insert(k.value(), v.value())?;
        n += 1;
    }
    Ok(n)
}
