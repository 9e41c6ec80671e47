//! The outbox target and its runner.

use sealgate_core::event::AttemptFacts;
use sealgate_core::store::{QueueStore, StoreError};
use sealgate_core::{Clock, Event, EventKind, MessageId, Status};
use sealgate_report::Metrics;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
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
        fs::create_dir_all(&dir)?;
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

/// Writes `name` in `dir` through a temporary file, syncing file and directory.
fn write_durably(dir: &Path, name: &str, data: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)?;
    f.write_all(data)?;
    f.sync_all()?;
    fs::rename(&tmp, dir.join(name))?;
    File::open(dir)?.sync_all()
}
