//! The master key file: load, first-run generation and rotation.
//!
//! Guarantees: a key file that group or others can access (any of mode `0o077`) is refused with
//! an error naming the path; a generated file is created `0600` (its missing parent directories
//! `0700`), written with `O_EXCL`, fsync'd, and its directory fsync'd; rotation rewrites the file
//! atomically (temporary file, fsync, rename, directory fsync). File contents are wiped from
//! memory after parsing.
//!
//! Format: UTF-8 text, one key per line as `<id> <64 hex digits>` optionally followed by the
//! word `current`; `#` starts a comment line; blank lines are ignored. Ids are 1–64 of
//! `[A-Za-z0-9._-]`. The line marked `current` wraps new data keys; if no line is marked, the
//! last line does. At most one line may be marked.

use crate::bodies::fsync_dir;
use crate::error::CommitError;
use crate::master::MasterKeys;
use crate::random::OsRandom;
use sealgate_core::time::Random;
use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use zeroize::Zeroizing;

const FILE_HEADER: &str = "# Sealgate master keys: <id> <64 hex digits> [current]\n\
# The line marked `current` (else the last line) wraps new data keys. Keep this file 0600.\n";

fn key_file_error(path: &Path, reason: impl Into<String>) -> CommitError {
    CommitError::KeyFile {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

impl MasterKeys {
    /// Reads the key file at `path`, refusing it if group or others can access it.
    pub fn load(path: &Path) -> Result<MasterKeys, CommitError> {
        let meta = fs::metadata(path).map_err(|e| key_file_error(path, e.to_string()))?;
        if !meta.is_file() {
            return Err(key_file_error(path, "is not a regular file"));
        }
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(key_file_error(
                path,
                format!(
                    "is accessible by group or others (mode {mode:04o}); \
                     run `chmod 600 {}`",
                    path.display()
                ),
            ));
        }
        let mut text = Zeroizing::new(String::new());
        fs::File::open(path)
            .and_then(|mut f| f.read_to_string(&mut text))
            .map_err(|e| key_file_error(path, e.to_string()))?;
        parse(&text).map_err(|reason| key_file_error(path, reason))
    }

    /// Loads the key file, or on first run creates it with one fresh key (`k1`).
    pub fn load_or_generate(path: &Path) -> Result<MasterKeys, CommitError> {
        match fs::symlink_metadata(path) {
            Ok(_) => return MasterKeys::load(path),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(key_file_error(path, e.to_string())),
        }
        let keys = MasterKeys::generate("k1", &OsRandom)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|e| key_file_error(path, format!("creating its directory: {e}")))?;
        }
        write_new(path, &keys, false)?;
        tracing::info!(path = %path.display(), "generated a new master key file");
        MasterKeys::load(path)
    }

    /// Adds a freshly generated key to the file, makes it current and rewrites the file
    /// atomically. Older keys stay, so everything they wrapped stays readable.
    pub fn rotate_file(path: &Path) -> Result<MasterKeys, CommitError> {
        let mut keys = MasterKeys::load(path)?;
        let mut n = keys.ids().count() + 1;
        let mut id = format!("k{n}");
        while keys.key_bytes(&id).is_some() {
            n += 1;
            id = format!("k{n}");
        }
        let mut key = Zeroizing::new([0u8; 32]);
        OsRandom.fill(&mut key[..]);
        keys.add_zeroizing(&id, key)?;
        keys.set_current(&id)?;
        let tmp = path.with_extension("rotating");
        // A leftover from an interrupted rotation holds no key that is not in `path`.
        let _ = fs::remove_file(&tmp);
        write_new(&tmp, &keys, true)?;
        fs::rename(&tmp, path).map_err(|e| key_file_error(path, format!("replacing: {e}")))?;
        sync_parent(path)?;
        tracing::info!(path = %path.display(), current = %id, "rotated the master key");
        Ok(keys)
    }
}

fn parse(text: &str) -> Result<MasterKeys, String> {
    let mut keys = MasterKeys::empty();
    let mut marked: Option<String> = None;
    let mut last = String::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (id, hex_key, current) = match fields.as_slice() {
            [id, k] => (*id, *k, false),
            [id, k, "current"] => (*id, *k, true),
            _ => {
                return Err(format!(
                    "line {}: expected `<id> <hex key> [current]`",
                    n + 1
                ));
            }
        };
        let mut key = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(hex_key, &mut key[..])
            .map_err(|_| format!("line {}: the key must be 64 hex digits", n + 1))?;
        keys.add_zeroizing(id, key)
            .map_err(|e| format!("line {}: {e}", n + 1))?;
        if current {
            if marked.is_some() {
                return Err(format!(
                    "line {}: more than one key is marked current",
                    n + 1
                ));
            }
            marked = Some(id.to_string());
        }
        last = id.to_string();
    }
    if last.is_empty() {
        return Err("holds no keys".into());
    }
    keys.set_current(marked.as_deref().unwrap_or(&last))
        .map_err(|e| e.to_string())?;
    Ok(keys)
}

fn render(keys: &MasterKeys) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::from(FILE_HEADER));
    for id in keys.ids() {
        if let Some(k) = keys.key_bytes(id) {
            out.push_str(id);
            out.push(' ');
            out.push_str(&Zeroizing::new(hex::encode(k)));
            if id == keys.current_id() {
                out.push_str(" current");
            }
            out.push('\n');
        }
    }
    out
}

/// Writes a new file (mode 0600, must not exist), fsyncs it and, unless the caller renames it
/// afterwards, its directory.
fn write_new(path: &Path, keys: &MasterKeys, then_renamed: bool) -> Result<(), CommitError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| key_file_error(path, format!("creating: {e}")))?;
    f.write_all(render(keys).as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| key_file_error(path, format!("writing: {e}")))?;
    if then_renamed {
        return Ok(());
    }
    sync_parent(path)
}

fn sync_parent(path: &Path) -> Result<(), CommitError> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => fsync_dir(dir),
        None => fsync_dir(Path::new(".")),
    }
}
