//! Fsync latency, for the `sealgate_fsync_seconds` histogram.
//!
//! Every durability point of the spool — a body file's `fsync`, a directory's `fsync`, a redb
//! commit — is timed and handed to one process-wide observer the binary installs once at start
//! ([`observe_fsyncs`]); without one (tests, CLI commands) nothing is recorded. The observer
//! gets only the kind and the duration.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Which durability point was timed (the `kind` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsyncKind {
    /// `fsync` of a sealed body file (bodies over `INLINE_BODY_MAX`; smaller ones are made
    /// durable by their record's `Database` commit).
    Body,
    /// `fsync` of a directory (a name made durable).
    Directory,
    /// A durable redb commit.
    Database,
}

impl FsyncKind {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            FsyncKind::Body => "body",
            FsyncKind::Directory => "directory",
            FsyncKind::Database => "database",
        }
    }
}

/// Receives each timed durability point.
pub type FsyncObserver = dyn Fn(FsyncKind, Duration) + Send + Sync;

static OBSERVER: OnceLock<Box<FsyncObserver>> = OnceLock::new();

/// Installs the process's observer; `false` if one was installed already (it stays).
pub fn observe_fsyncs(observer: Box<FsyncObserver>) -> bool {
    OBSERVER.set(observer).is_ok()
}

/// Runs `f`, reporting its duration as a `kind` durability point.
pub(crate) fn timed<T>(kind: FsyncKind, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    if let Some(observe) = OBSERVER.get() {
        observe(kind, start.elapsed());
    }
    out
}
