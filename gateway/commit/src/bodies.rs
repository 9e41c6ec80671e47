//! The body directory: one sealed file per message whose body is too large for the database
//! (`queue.rs`, `INLINE_BODY_MAX`; and every body written before layout version 2),
//! `bodies/XX/<MessageId>.body`, where `XX`
//! is the last id byte in hex (random bits, so the 256 shards fill evenly and concurrent
//! sessions rarely contend for one directory's lock).
//!
//! Guarantees: [`BodyDir::write`] returns only after the file's bytes are on disk under its
//! final name — it writes `<MessageId>.<n>.tmp` (mode 0600, `O_EXCL`) in the shard, fsyncs it
//! and renames it — so a crash leaves either no body, a stray `.tmp` (removed by recovery), or
//! the complete file. The *name* is durable once the shard directory is fsync'd: the committing
//! thread does that right after the rename, before it queues the transaction that refers to
//! the body (`Spool::commit_message`). A shard directory is created 0700 and made durable
//! (parent fsync'd) before its first body. Only sealed (encrypted) bytes are written.

use crate::error::CommitError;
use sealgate_core::MessageId;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

const BODY_EXT: &str = "body";
const TEMP_EXT: &str = "tmp";

/// Fsyncs a directory so the names created, renamed or removed in it are durable.
pub fn fsync_dir(dir: &Path) -> Result<(), CommitError> {
    File::open(dir)
        .and_then(|d| crate::fsync::timed(crate::fsync::FsyncKind::Directory, || d.sync_all()))
        .map_err(|e| CommitError::io("fsync directory", dir, e))
}

/// Creates `dir` (mode 0700) if missing, fsyncing its parent when it was created.
pub fn ensure_dir(dir: &Path) -> Result<(), CommitError> {
    match DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => match dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(parent) => fsync_dir(parent),
            None => Ok(()),
        },
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(CommitError::io("create directory", dir, e)),
    }
}

/// One entry found by [`BodyDir::scan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A complete body file.
    Body(MessageId),
    /// An unfinished temporary file.
    Temp(PathBuf),
    /// Something this module did not write.
    Other(PathBuf),
}

/// The directory of sealed bodies.
#[derive(Debug)]
pub struct BodyDir {
    dir: PathBuf,
    temp_seq: AtomicU64,
    /// Shards known to exist durably.
    shard_ready: Vec<AtomicBool>,
}

impl BodyDir {
    /// Opens (creating if needed) `dir`.
    pub fn open(dir: PathBuf) -> Result<Self, CommitError> {
        ensure_dir(&dir)?;
        Ok(BodyDir {
            dir,
            temp_seq: AtomicU64::new(0),
            shard_ready: (0..256).map(|_| AtomicBool::new(false)).collect(),
        })
    }

    fn shard_of(id: MessageId) -> usize {
        usize::from(id.to_bytes()[15])
    }

    /// The shard directory of a message.
    pub fn shard_dir(&self, id: MessageId) -> PathBuf {
        self.dir.join(format!("{:02x}", Self::shard_of(id)))
    }

    /// The final path of a message's body.
    pub fn path(&self, id: MessageId) -> PathBuf {
        self.shard_dir(id).join(format!("{id}.{BODY_EXT}"))
    }

    /// Writes a sealed body, fsyncs it and renames it to its final name. Returns the shard
    /// directory, which the caller fsyncs before committing a record that refers to the body.
    pub fn write(&self, id: MessageId, sealed: &[u8]) -> Result<PathBuf, CommitError> {
        let shard = self.shard_dir(id);
        // `shard_of` is a byte, and there are 256 flags.
        let ready = &self.shard_ready[Self::shard_of(id)];
        if !ready.load(Ordering::Acquire) {
            // Create (or find) the shard, then fsync its parent even if another thread created
            // it: that thread may not have made the new name durable yet.
            match DirBuilder::new().mode(0o700).create(&shard) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => return Err(CommitError::io("create directory", shard, e)),
            }
            fsync_dir(&self.dir)?;
            ready.store(true, Ordering::Release);
        }
        let n = self.temp_seq.fetch_add(1, Ordering::Relaxed);
        let tmp = shard.join(format!("{id}.{n}.{TEMP_EXT}"));
        let written = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .and_then(|mut f| {
                f.write_all(sealed)?;
                crate::fsync::timed(crate::fsync::FsyncKind::Body, || f.sync_all())
            });
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(CommitError::io("write body", tmp, e));
        }
        let path = self.path(id);
        if let Err(e) = fs::rename(&tmp, &path) {
            let _ = fs::remove_file(&tmp);
            return Err(CommitError::io("rename body", path, e));
        }
        Ok(shard)
    }

    /// The sealed bytes of a body, or `None` if there is no file.
    pub fn read(&self, id: MessageId) -> Result<Option<Vec<u8>>, CommitError> {
        let path = self.path(id);
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(CommitError::io("read body", path, e)),
        }
    }

    /// Removes a body file; a missing file is not an error. The directory is not fsync'd: a
    /// body that reappears after a crash is removed again by recovery.
    pub fn remove(&self, id: MessageId) -> Result<(), CommitError> {
        remove_path(&self.path(id))
    }

    /// Removes any file of this directory by path (used by recovery).
    pub fn remove_found(&self, path: &Path) -> Result<(), CommitError> {
        remove_path(path)
    }

    /// Every entry of the shards (and anything unexpected at the top).
    pub fn scan(&self) -> Result<Vec<Found>, CommitError> {
        let mut found = Vec::new();
        for path in list(&self.dir)? {
            let is_shard = path.is_dir()
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.len() == 2 && u8::from_str_radix(n, 16).is_ok());
            if !is_shard {
                found.push(Found::Other(path));
                continue;
            }
            for file in list(&path)? {
                found.push(self.classify(file));
            }
        }
        Ok(found)
    }

    fn classify(&self, path: PathBuf) -> Found {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        match name.as_deref().and_then(|n| n.rsplit_once('.')) {
            Some((stem, BODY_EXT)) => match stem.parse::<MessageId>() {
                Ok(id) if self.path(id) == path => Found::Body(id),
                _ => Found::Other(path),
            },
            Some((_, TEMP_EXT)) => Found::Temp(path),
            _ => Found::Other(path),
        }
    }
}

fn list(dir: &Path) -> Result<Vec<PathBuf>, CommitError> {
    let entries = fs::read_dir(dir).map_err(|e| CommitError::io("list bodies", dir, e))?;
    entries
        .map(|e| {
            e.map(|e| e.path())
                .map_err(|e| CommitError::io("list bodies", dir, e))
        })
        .collect()
}

fn remove_path(path: &Path) -> Result<(), CommitError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CommitError::io("remove body", path, e)),
    }
}
