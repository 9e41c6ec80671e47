//! File directories of the portal: `portal/sealed/<escrow id>.sealed` (the sealed copies) and
//! `portal/halves/<escrow id>.half` (the wrapped key halves), files mode 0600.
//!
//! Guarantees: [`SealedDir::write_unsynced_name`] returns only after the bytes are on disk
//! under the final name (temp file with `O_EXCL`, fsync, rename); the name itself is durable
//! once the caller fsyncs the directory (the escrow store's group commit does so once per
//! batch, before the batch's records commit, so no record names a file that a crash could
//! lose, and a file without a record is removed by recovery); only sealed or wrapped bytes
//! are written; [`SealedDir::remove`] makes the removal durable too, and [`SealedDir::shred`]
//! first overwrites the file in place with zeros and fsyncs it (the halves live in their own
//! small files rather than in the copy-on-write database, whose freed pages keep old bytes
//! until reused).

use crate::error::PortalError;
use crate::id::EscrowId;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

const TEMP_EXT: &str = "tmp";

fn io(what: &str, path: &Path, e: std::io::Error) -> PortalError {
    PortalError::Io(format!("{what} {}: {e}", path.display()))
}

/// Creates `dir` (0700) if missing.
pub fn ensure_dir(dir: &Path) -> Result<(), PortalError> {
    match DirBuilder::new().mode(0o700).recursive(true).create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io("create directory", dir, e)),
    }
}

pub(crate) fn fsync_dir(dir: &Path) -> Result<(), PortalError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io("fsync directory", dir, e))
}

/// The directory of sealed copies.
#[derive(Debug)]
pub struct SealedDir {
    dir: PathBuf,
    ext: &'static str,
}

impl SealedDir {
    /// Opens (creating if needed) `dir`.
    pub fn open(dir: PathBuf, ext: &'static str) -> Result<Self, PortalError> {
        ensure_dir(&dir)?;
        Ok(SealedDir { dir, ext })
    }

    /// The path of an escrow's sealed file.
    pub fn path(&self, id: EscrowId) -> PathBuf {
        self.dir.join(format!("{id}.{}", self.ext))
    }

    /// The directory itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` as the file of `id`, the contents fsync'd under the final name, but the
    /// name not yet durable: the caller fsyncs [`SealedDir::dir`] before relying on it (the
    /// escrow store's group commit does, once per batch).
    pub fn write_unsynced_name(&self, id: EscrowId, bytes: &[u8]) -> Result<(), PortalError> {
        let tmp = self.dir.join(format!("{id}.{TEMP_EXT}"));
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| io("create", &tmp, e))?;
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| io("write", &tmp, e))?;
        let path = self.path(id);
        fs::rename(&tmp, &path).map_err(|e| io("rename", &tmp, e))
    }

    /// Reads the sealed file of `id`.
    pub fn read(&self, id: EscrowId) -> Result<Vec<u8>, PortalError> {
        let path = self.path(id);
        fs::read(&path).map_err(|e| match e.kind() {
            ErrorKind::NotFound => PortalError::NotFound,
            _ => io("read", &path, e),
        })
    }

    /// Removes the sealed file of `id` (absent is fine).
    pub fn remove(&self, id: EscrowId) -> Result<(), PortalError> {
        let path = self.path(id);
        match fs::remove_file(&path) {
            Ok(()) => fsync_dir(&self.dir),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io("remove", &path, e)),
        }
    }

    /// Overwrites the file of `id` with zeros in place, fsyncs it, then removes it.
    pub fn shred(&self, id: EscrowId) -> Result<(), PortalError> {
        let path = self.path(id);
        let mut f = match OpenOptions::new().write(true).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io("open", &path, e)),
        };
        let len = f.metadata().map_err(|e| io("stat", &path, e))?.len();
        let zeros = vec![0u8; usize::try_from(len).unwrap_or(0)];
        f.write_all(&zeros)
            .and_then(|()| f.sync_all())
            .map_err(|e| io("overwrite", &path, e))?;
        drop(f);
        self.remove(id)
    }

    /// Every escrow id with a sealed file, and every temporary file (left by a crash).
    pub fn scan(&self) -> Result<(Vec<EscrowId>, Vec<PathBuf>), PortalError> {
        let (mut ids, mut temps) = (Vec::new(), Vec::new());
        let entries = fs::read_dir(&self.dir).map_err(|e| io("list", &self.dir, e))?;
        for entry in entries {
            let path = entry.map_err(|e| io("list", &self.dir, e))?.path();
            let (Some(stem), Some(ext)) = (path.file_stem(), path.extension()) else {
                continue;
            };
            if ext == TEMP_EXT {
                temps.push(path.clone());
            } else if let (true, Some(Ok(id))) = (ext == self.ext, stem.to_str().map(str::parse)) {
                ids.push(id);
            }
        }
        Ok((ids, temps))
    }
}
