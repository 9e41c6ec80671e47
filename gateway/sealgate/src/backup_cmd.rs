//! `sealgate backup DIR` and `sealgate restore DIR --data-dir NEW`.
//!
//! A backup directory holds `spool/` (a consistent snapshot: `queue.redb` and the sealed bodies
//! of the queued messages — through the admin API while a gateway runs, straight from the store
//! when none does), `files/` (the data directory's other secrets: log-pseudonym and loop-stamp
//! keys, the generated TLS key pair), `master.key` only with `--include-master-key`, and
//! `MANIFEST.json` (what was taken, each file's size and SHA-256). With the secure portal,
//! `spool/portal/` is a consistent snapshot of its escrow store (`backup_portal.rs`). Restore
//! checks the manifest, fills a new, empty data directory and proves the copy readable: it runs
//! the start-up recovery with the master key and fails if a queued message's body does not
//! decrypt or an active escrowed copy has no sealed file or stored half.

use crate::admin_client::{self, NotRunning};
use crate::backup_portal;
use crate::settings::load_config;
use anyhow::{Context, bail};
use sealgate_commit::{MasterKeys, OsRandom, SnapshotReport, Spool};
use sealgate_core::store::QueueStore;
use sealgate_core::{Clock, SystemClock};
use sealgate_portal::EscrowSnapshot;
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Secrets of the data directory that go with a backup (relative paths; absent ones skipped).
const DATA_FILES: [&str; 4] = [
    "log-pseudonym.key",
    "loop-stamp.key",
    "tls/self-signed.crt",
    "tls/self-signed.key",
];
const MANIFEST: &str = "MANIFEST.json";
const MASTER_KEY: &str = "master.key";
const FORMAT: u32 = 1;

/// `sealgate backup DIR`: a consistent snapshot of the queue database with the sealed bodies of
/// queued messages (through the admin API while a gateway runs, directly when none does), the
/// data directory's key files, and the master key only with --include-master-key.
#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup directory (must not exist or be empty).
    pub dir: PathBuf,
    /// Configuration file (TOML); embedded defaults without it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Admin API address, overriding `[admin] listen`.
    #[arg(long)]
    pub admin: Option<SocketAddr>,
    /// Also copy the master key file (keep such a backup under the key's controls).
    #[arg(long)]
    pub include_master_key: bool,
}

/// `sealgate restore DIR --data-dir NEW`: then point `storage.dir` at NEW and start the
/// gateway; checks every queued body decrypts with the master key.
#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup directory.
    pub dir: PathBuf,
    /// The new data directory (must not exist or be empty).
    #[arg(long)]
    pub data_dir: PathBuf,
    /// The master key to check with; written there from the backup if it holds one and the
    /// file does not exist. Default: the configuration's `storage.master_key_file`.
    #[arg(long)]
    pub master_key_file: Option<PathBuf>,
    /// Configuration file (TOML); embedded defaults without it.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    sealgate: String,
    created_ms: u64,
    /// `online` (admin API of a running gateway) or `offline` (the store opened directly).
    mode: String,
    spool: SnapshotReport,
    /// The portal's escrow store, when the data directory has one (absent in older backups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    portal: Option<EscrowSnapshot>,
    master_key_included: bool,
    files: Vec<FileSum>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileSum {
    path: String,
    bytes: u64,
    sha256: String,
}

#[derive(Deserialize)]
struct ApiAnswer {
    dir: PathBuf,
    report: SnapshotReport,
    #[serde(default)]
    portal: Option<EscrowSnapshot>,
}

/// `sealgate backup DIR`.
pub fn backup(args: &BackupArgs) -> anyhow::Result<u8> {
    let dir = args.dir.as_path();
    let config = load_config(args.config.as_deref())?;
    new_private_dir(dir)?;
    let spool_dir = dir.join("spool");
    let addr = args.admin.unwrap_or(config.admin.listen);
    let (mode, report, portal) = match online_snapshot(addr, &config.admin.token_file)? {
        Some(answer) => {
            move_dir(&answer.dir, &spool_dir)?;
            ("online", answer.report, answer.portal)
        }
        None => {
            let keys = MasterKeys::load(&config.storage.master_key_file)
                .context("storage.master_key_file")?;
            let spool = Spool::open(
                &config.storage.dir,
                keys,
                Arc::new(SystemClock),
                Arc::new(OsRandom::checked()?),
            )
            .context("no gateway answers on the admin API and the store cannot be opened")?;
            ("offline", spool.snapshot(&spool_dir)?, None)
        }
    };
    // Offline, or a gateway running without `[portal]`: nobody has the escrow store open.
    let portal = match portal {
        Some(p) => Some(p),
        None => backup_portal::snapshot_offline(
            &config.storage.dir,
            &config.storage.master_key_file,
            &spool_dir,
        )?,
    };
    for rel in DATA_FILES {
        let from = config.storage.dir.join(rel);
        if from.exists() {
            copy_file(&from, &dir.join("files").join(rel))?;
        }
    }
    if args.include_master_key {
        copy_file(&config.storage.master_key_file, &dir.join(MASTER_KEY))?;
    }
    let manifest = Manifest {
        format: FORMAT,
        sealgate: crate::VERSION.to_string(),
        created_ms: SystemClock.now().millis(),
        mode: mode.to_string(),
        spool: report,
        portal,
        master_key_included: args.include_master_key,
        files: sums(dir)?,
    };
    write_new(&dir.join(MANIFEST), &serde_json::to_vec_pretty(&manifest)?)?;
    Ok(report_backup(dir, mode, &manifest))
}

/// Prints what the backup holds; 1 when a queued body or an escrowed file was missing.
fn report_backup(dir: &Path, mode: &str, manifest: &Manifest) -> u8 {
    let s = &manifest.spool;
    outln!(
        "backup {} ({mode}): {} messages, {} queued with {} bodies ({} bytes), {} files{}",
        dir.display(),
        s.messages,
        s.active,
        s.bodies,
        s.body_bytes,
        manifest.files.len(),
        if manifest.master_key_included {
            "; includes the master key: store it under the key's controls"
        } else {
            "; the master key is not included (back it up separately)"
        }
    );
    if let Some(p) = &manifest.portal {
        outln!(
            "escrow store: {} escrowed copies, {} active, {} files ({} bytes)",
            p.copies,
            p.active,
            p.files,
            p.bytes
        );
    }
    let missing_copies = manifest.portal.as_ref().map_or(0, |p| p.missing);
    if s.missing_bodies > 0 || missing_copies > 0 {
        eprintln!(
            "warning: {} queued message(s) had no body in the spool, {} escrowed cop(ies) had a file missing",
            s.missing_bodies, missing_copies
        );
        return 1;
    }
    0
}

/// Asks a running gateway for a snapshot; `None` when none answers.
fn online_snapshot(addr: SocketAddr, token_file: &Path) -> anyhow::Result<Option<ApiAnswer>> {
    let Ok(token) = crate::secrets::read_secret(token_file) else {
        return Ok(None);
    };
    let token = String::from_utf8_lossy(&token).trim().to_string();
    match admin_client::post(addr, &token, sealgate_admin::backup::PATH) {
        Ok((200, body)) => Ok(Some(
            serde_json::from_slice(&body).context("admin API answer")?,
        )),
        Ok((status, body)) => bail!(
            "admin API answered {status}: {}",
            String::from_utf8_lossy(&body)
        ),
        Err(e) if e.downcast_ref::<NotRunning>().is_some() => Ok(None),
        Err(e) => Err(e),
    }
}

/// `sealgate restore DIR --data-dir NEW [--master-key-file PATH]`.
pub fn restore(args: &RestoreArgs) -> anyhow::Result<u8> {
    let (dir, data_dir) = (args.dir.as_path(), args.data_dir.as_path());
    let (master_key_file, config) = (args.master_key_file.as_deref(), args.config.as_deref());
    let text = fs::read(dir.join(MANIFEST))
        .with_context(|| format!("{}: not a sealgate backup", dir.display()))?;
    let manifest: Manifest = serde_json::from_slice(&text).context(MANIFEST)?;
    if manifest.format != FORMAT {
        bail!(
            "backup format {} is not supported (expected {FORMAT})",
            manifest.format
        );
    }
    check_sums(dir, &manifest.files)?;
    new_private_dir(data_dir)?;
    copy_tree(&dir.join("spool"), data_dir)?;
    if dir.join("files").is_dir() {
        copy_tree(&dir.join("files"), data_dir)?;
    }
    let key_path = match (master_key_file, manifest.master_key_included) {
        (Some(path), true) if !path.exists() => {
            copy_file(&dir.join(MASTER_KEY), path)?;
            path.to_path_buf()
        }
        (Some(path), _) => path.to_path_buf(),
        (None, _) => load_config(config)?.storage.master_key_file,
    };
    let keys = MasterKeys::load(&key_path).with_context(|| {
        format!(
            "master key {} (to check the restored spool)",
            key_path.display()
        )
    })?;
    let spool = Spool::open(
        data_dir,
        keys,
        Arc::new(SystemClock),
        Arc::new(OsRandom::checked()?),
    )?;
    let found = spool.recover(SystemClock.now())?;
    let depth = spool.depth()?;
    drop(spool);
    let copies = backup_portal::check_restored(data_dir, &key_path)?;
    outln!(
        "restored {} into {}: {} messages, {} queued, bodies readable with {}",
        dir.display(),
        data_dir.display(),
        manifest.spool.messages,
        depth.messages,
        key_path.display()
    );
    if let Some(c) = &copies {
        outln!(
            "escrow store: {} active escrowed copies, {} unreadable",
            c.active,
            c.unreadable
        );
    }
    let unreadable = copies.as_ref().map_or(0, |c| c.unreadable);
    if found.missing_bodies > 0 || unreadable > 0 {
        eprintln!(
            "{} queued message(s) have no readable body, {} escrowed cop(ies) are unreadable",
            found.missing_bodies, unreadable
        );
        return Ok(1);
    }
    outln!(
        "set storage.dir = \"{}\", make it the service user's, and start the gateway",
        data_dir.display()
    );
    Ok(0)
}

/// Creates `dir` (0700), which must not exist or be empty.
fn new_private_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let mut entries =
            fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        if entries.next().is_some() {
            bail!("{} is not empty: give a new directory", dir.display());
        }
    } else {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    Ok(())
}

/// Moves a directory (rename; copy and remove across file systems).
fn move_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    if fs::rename(from, to).is_ok() {
        return Ok(());
    }
    copy_tree(from, to)?;
    fs::remove_dir_all(from).with_context(|| format!("cannot remove {}", from.display()))
}

/// Copies every file under `from` to the same relative path under `to`.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    for rel in files_under(from)? {
        copy_file(&from.join(&rel), &to.join(&rel))?;
    }
    Ok(())
}

/// Copies one file (0600, never overwriting; parents created 0700), durably.
fn copy_file(from: &Path, to: &Path) -> anyhow::Result<()> {
    let data = fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
    write_new(to, &data)
}

fn write_new(to: &Path, data: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = to.parent() {
        crate::secrets::private_dir(parent)?;
    }
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)
        .with_context(|| format!("cannot create {}", to.display()))?;
    f.write_all(data)?;
    f.sync_all()?;
    if let Some(parent) = to.parent() {
        File::open(parent).and_then(|d| d.sync_all())?;
    }
    Ok(())
}

/// Relative paths of the files under `root`, sorted.
fn files_under(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let here = root.join(&rel);
        for entry in
            fs::read_dir(&here).with_context(|| format!("cannot read {}", here.display()))?
        {
            let entry = entry?;
            let path = rel.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn sums(dir: &Path) -> anyhow::Result<Vec<FileSum>> {
    let mut out = Vec::new();
    for rel in files_under(dir)? {
        let data = fs::read(dir.join(&rel))?;
        out.push(FileSum {
            path: rel.to_string_lossy().into_owned(),
            bytes: data.len() as u64,
            sha256: hex::encode(openssl::sha::sha256(&data)),
        });
    }
    Ok(out)
}

fn check_sums(dir: &Path, files: &[FileSum]) -> anyhow::Result<()> {
    for f in files {
        let path = dir.join(&f.path);
        let data = fs::read(&path).with_context(|| format!("backup incomplete: {}", f.path))?;
        if data.len() as u64 != f.bytes || hex::encode(openssl::sha::sha256(&data)) != f.sha256 {
            bail!(
                "backup damaged: {} does not match its manifest checksum",
                f.path
            );
        }
    }
    Ok(())
}
