//! The outbox target and its runner.
//!
//! Guarantees: the folder is created 0700 (parents included) and every `.eml` is 0600 — the
//! messages are final copies, PHI in clear for most — wherever `outbox_dir` points; an
//! existing folder that group or others can enter is logged as a warning, not changed.

use sealgate_core::event::AttemptFacts;
use sealgate_core::store::{QueueStore, StoreError};
use sealgate_core::{Clock, Event, EventKind, MessageId, Status};
use sealgate_report::Metrics;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{Semaphore, mpsc};

/// Why an outbox delivery failed (temporary: the message stays queued).
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// Writing the file failed.
    #[error("outbox write failed: {0}")]
    Io(#[from] std::io::Error),
    /// The spool failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes final messages as `.eml` files into a folder.
#[derive(Clone)]
pub struct Outbox {
    dir: PathBuf,
    store: Arc<dyn QueueStore>,
    clock: Arc<dyn Clock>,
    metrics: Metrics,
}

/// How many messages are written at once.
const WORKERS: usize = 4;

impl Outbox {
    /// An outbox writing into `dir` (created if missing).
    pub fn new(
        dir: PathBuf,
        store: Arc<dyn QueueStore>,
        clock: Arc<dyn Clock>,
        metrics: Metrics,
    ) -> Result<Self, OutboxError> {
        prepare_dir(&dir)?;
        Ok(Outbox {
            dir,
            store,
            clock,
            metrics,
        })
    }

    /// Starts the runner: first everything already due in the spool, then each id sent on the
    /// returned channel (the accept stage sends one after each commit).
    pub fn spawn(self) -> mpsc::UnboundedSender<MessageId> {
        let (tx, mut rx) = mpsc::unbounded_channel::<MessageId>();
        let pool = Arc::new(Semaphore::new(WORKERS));
        tokio::spawn(async move {
            let backlog = {
                let (store, now) = (Arc::clone(&self.store), self.clock.now());
                tokio::task::spawn_blocking(move || store.due(now, usize::MAX)).await
            };
            match backlog {
                Ok(Ok(ids)) => {
                    for id in ids {
                        self.dispatch(id, &pool).await;
                    }
                }
                _ => tracing::error!("outbox: could not read the backlog"),
            }
            while let Some(id) = rx.recv().await {
                self.dispatch(id, &pool).await;
            }
        });
        tx
    }

    async fn dispatch(&self, id: MessageId, pool: &Arc<Semaphore>) {
        let Ok(permit) = Arc::clone(pool).acquire_owned().await else {
            return;
        };
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = this.deliver(id) {
                tracing::error!(%id, error = %e, "outbox delivery failed; message stays queued");
            }
            drop(permit);
        });
    }

    /// Delivers one message to the outbox (blocking).
    pub fn deliver(&self, id: MessageId) -> Result<(), OutboxError> {
        let Some(entry) = self.store.get(id)? else {
            return Ok(());
        };
        let pending: Vec<u32> = entry
            .recipients
            .iter()
            .filter(|r| !r.status.is_terminal() && r.status != Status::Held)
            .map(|r| r.index)
            .collect();
        if pending.is_empty() {
            return Ok(());
        }
        let body = self.store.body(id)?;
        write_durably(&self.dir, &format!("{id}.eml"), &body)?;
        let now = self.clock.now();
        for index in pending {
            let attempt = Event {
                at: now,
                kind: EventKind::Attempt(AttemptFacts {
                    next_hop: "outbox".into(),
                    ..AttemptFacts::default()
                }),
            };
            self.store.record(id, index, attempt, None)?;
            self.store.record(
                id,
                index,
                Event::status(now, Status::Delivered, "written to outbox"),
                None,
            )?;
            self.metrics.delivered.with_label_values(&["outbox"]).inc();
        }
        tracing::info!(%id, target = "outbox", "delivered");
        Ok(())
    }
}

/// Creates `dir` and missing parents with mode 0700; warns when an existing `dir` is open to
/// group or others (the administrator may share it on purpose, so it is not changed).
fn prepare_dir(dir: &Path) -> std::io::Result<()> {
    if !dir.exists() {
        DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        // The umask may have narrowed the mode further, never widened it; make it exact.
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        return Ok(());
    }
    let mode = fs::metadata(dir)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        tracing::warn!(dir = %dir.display(), mode = format!("{mode:o}"),
            "delivery.outbox_dir is open to group or others; chmod 700 it");
    }
    Ok(())
}

/// Writes `name` in `dir` (mode 0600) through a temporary file, syncing file and directory.
fn write_durably(dir: &Path, name: &str, data: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    // A leftover temporary file keeps its old mode through `open`: set it on the handle.
    f.set_permissions(fs::Permissions::from_mode(0o600))?;
    f.write_all(data)?;
    f.sync_all()?;
    fs::rename(&tmp, dir.join(name))?;
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn outbox_outside_the_data_dir_is_private() {
        let root = tempfile::tempdir().unwrap();
        // Not under any data dir, two levels missing.
        let dir = root.path().join("exports/outbox");
        prepare_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("exports")), 0o700);
        write_durably(&dir, "m.eml", b"Subject: x\r\n\r\nbody\r\n").unwrap();
        assert_eq!(mode(&dir.join("m.eml")), 0o600);
        // A stale temporary file left world-readable by a crash gets 0600 too.
        let stale = dir.join(".n.eml.tmp");
        fs::write(&stale, b"old").unwrap();
        fs::set_permissions(&stale, fs::Permissions::from_mode(0o644)).unwrap();
        write_durably(&dir, "n.eml", b"new").unwrap();
        assert_eq!(mode(&dir.join("n.eml")), 0o600);
        assert_eq!(fs::read(dir.join("n.eml")).unwrap(), b"new");
    }
}
