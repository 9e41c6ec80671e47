//! Admin queue actions: retry, hold, release, delete — shared by the admin API (while the
//! gateway runs) and the CLI (on the store when it does not).
//!
//! Guarantees: every change is a status event in the recipient's history, all of one message's
//! changes in one durable transaction; terminal recipients are never touched; `retry` makes
//! scheduled and deferred recipients due now; `hold` holds every non-terminal recipient until
//! released or until the hold expires (then it bounces with a notice); `release` makes held
//! recipients due now and restarts their protection chain (which never sends plaintext the
//! decision forbids — see [`crate::plan`]); `delete` ends every non-terminal recipient as
//! `Deleted`.

use crate::plan::RELEASED;
use sealgate_core::store::{QueueStore, StoreError};
use sealgate_core::{Clock, Event, MessageId, Status};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// An admin action on a queued message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueueAction {
    /// Try scheduled and deferred recipients now.
    Retry,
    /// Hold every non-terminal recipient.
    Hold,
    /// Release held recipients (re-run their protection chain).
    Release,
    /// Delete every non-terminal recipient.
    Delete,
}

impl QueueAction {
    /// Parses the action name used in the API path and the CLI.
    pub fn parse(s: &str) -> Option<QueueAction> {
        match s {
            "retry" => Some(QueueAction::Retry),
            "hold" => Some(QueueAction::Hold),
            "release" => Some(QueueAction::Release),
            "delete" => Some(QueueAction::Delete),
            _ => None,
        }
    }
}

/// What an action changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionReport {
    /// The message.
    pub id: String,
    /// Recipient indexes whose state changed.
    pub changed: Vec<u32>,
}

/// Applies actions to the store and wakes the delivery engine for what became due.
#[derive(Clone)]
pub struct QueueControl {
    /// The spool.
    pub store: Arc<dyn QueueStore>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// How long a hold lasts before it bounces.
    pub hold_expiry: Duration,
    /// Wakes the engine for a message (a no-op when no engine runs).
    pub wake: Arc<dyn Fn(MessageId) + Send + Sync>,
}

impl std::fmt::Debug for QueueControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueControl").finish_non_exhaustive()
    }
}

impl QueueControl {
    /// Applies `action` to message `id` (blocking). `NotFound` when there is no such message.
    pub fn apply(&self, id: MessageId, action: QueueAction) -> Result<ActionReport, StoreError> {
        let entry = self.store.get(id)?.ok_or(StoreError::NotFound)?;
        let now = self.clock.now();
        let mut items = Vec::new();
        for r in entry.recipients.iter().filter(|r| !r.status.is_terminal()) {
            let change = match (action, r.status) {
                (QueueAction::Retry, Status::Scheduled | Status::TemporaryFailure) => {
                    Some((Status::Scheduled, "retry requested by admin", Some(now)))
                }
                (QueueAction::Hold, s) if s != Status::Held => Some((
                    Status::Held,
                    "held by admin",
                    Some(now.plus(self.hold_expiry)),
                )),
                (QueueAction::Release, Status::Held) => {
                    Some((Status::Scheduled, RELEASED, Some(now)))
                }
                (QueueAction::Delete, _) => Some((Status::Deleted, "deleted by admin", None)),
                _ => None,
            };
            if let Some((status, reason, next)) = change {
                items.push((r.index, Event::status(now, status, reason), next));
            }
        }
        let changed: Vec<u32> = items.iter().map(|(i, _, _)| *i).collect();
        if !items.is_empty() {
            self.store.record_many(id, items)?;
        }
        if matches!(action, QueueAction::Retry | QueueAction::Release) && !changed.is_empty() {
            (self.wake)(id);
        }
        Ok(ActionReport {
            id: id.to_string(),
            changed,
        })
    }

    /// Retries every queued message with a scheduled or deferred recipient (blocking).
    pub fn retry_all(&self) -> Result<Vec<ActionReport>, StoreError> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self.store.list(after, 500)?;
            let Some(last) = page.last() else {
                return Ok(out);
            };
            after = Some(last.message.id);
            for e in &page {
                let waiting = e
                    .recipients
                    .iter()
                    .any(|r| matches!(r.status, Status::Scheduled | Status::TemporaryFailure));
                if waiting {
                    let report = self.apply(e.message.id, QueueAction::Retry)?;
                    if !report.changed.is_empty() {
                        out.push(report);
                    }
                }
            }
        }
    }
}
