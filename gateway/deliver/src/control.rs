//! Admin queue actions: retry, hold, release, delete — shared by the admin API (while the
//! gateway runs) and the CLI (on the store when it does not).
//!
//! Guarantees: every change is a status event in the recipient's history, all of one message's
//! changes in one durable transaction; terminal recipients are never touched; `retry` makes
//! scheduled and deferred recipients due now; `hold` holds every non-terminal recipient until
//! released or until the hold expires (then it bounces with a notice); `release` makes held
//! recipients due now and restarts their protection chain (which never sends plaintext the
//! decision forbids — see [`crate::plan`]); `delete` ends every non-terminal recipient as
//! `Deleted`. An action racing the delivery engine (a recipient reaching a terminal state
//! between the action's read and its write) reads the message again and leaves that recipient
//! alone: `retry --all` on a busy queue never fails for it.

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

/// How often an action is tried on a message that changed under it: the delivery engine may
/// record an outcome (a terminal state) between the action's read and its write, and the store
/// then refuses the write as a conflict; each try reads the message afresh.
const TRIES: usize = 5;

impl QueueControl {
    /// Applies `action` to message `id` (blocking). `NotFound` when there is no such message.
    /// A recipient that reaches a terminal state meanwhile is left alone, never an error.
    pub fn apply(&self, id: MessageId, action: QueueAction) -> Result<ActionReport, StoreError> {
        let mut last = StoreError::Conflict("the message kept changing".into());
        for _ in 0..TRIES {
            match self.apply_once(id, action) {
                Err(StoreError::Conflict(why)) => last = StoreError::Conflict(why),
                other => return other,
            }
        }
        Err(last)
    }

    fn apply_once(&self, id: MessageId, action: QueueAction) -> Result<ActionReport, StoreError> {
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
                    let report = match self.apply(e.message.id, QueueAction::Retry) {
                        Ok(r) => r,
                        // Gone since the page was read (deleted meanwhile): nothing to retry.
                        Err(StoreError::NotFound) => continue,
                        Err(e) => return Err(e),
                    };
                    if !report.changed.is_empty() {
                        out.push(report);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::{Identity, Originator};
    use sealgate_commit::{MasterKeys, OsRandom, Spool};
    use sealgate_core::store::{QueueDepth, QueueEntry, RecoveryReport};
    use sealgate_core::time::Timestamp;
    use sealgate_core::{Address, Body, Domain, Message, SystemClock};
    use std::sync::atomic::{AtomicBool, Ordering};

    /// A spool whose first `record_many` is overtaken by the delivery engine: just before it,
    /// recipient 0 is recorded `Delivered`.
    struct Overtaken {
        inner: Spool,
        raced: AtomicBool,
    }

    impl QueueStore for Overtaken {
        fn commit(&self, m: &Message) -> Result<(), StoreError> {
            self.inner.commit(m)
        }
        fn get(&self, id: MessageId) -> Result<Option<QueueEntry>, StoreError> {
            self.inner.get(id)
        }
        fn body(&self, id: MessageId) -> Result<Body, StoreError> {
            self.inner.body(id)
        }
        fn list(&self, after: Option<MessageId>, n: usize) -> Result<Vec<QueueEntry>, StoreError> {
            self.inner.list(after, n)
        }
        fn record(
            &self,
            id: MessageId,
            index: u32,
            event: Event,
            next: Option<Timestamp>,
        ) -> Result<(), StoreError> {
            self.inner.record(id, index, event, next)
        }
        fn record_many(
            &self,
            id: MessageId,
            items: Vec<(u32, Event, Option<Timestamp>)>,
        ) -> Result<(), StoreError> {
            if !self.raced.swap(true, Ordering::SeqCst) {
                let done = Event::status(SystemClock.now(), Status::Delivered, "250 ok");
                self.inner.record_many(id, vec![(0, done, None)])?;
            }
            self.inner.record_many(id, items)
        }
        fn due(&self, now: Timestamp, limit: usize) -> Result<Vec<MessageId>, StoreError> {
            self.inner.due(now, limit)
        }
        fn depth(&self) -> Result<QueueDepth, StoreError> {
            self.inner.depth()
        }
        fn recover(&self, now: Timestamp) -> Result<RecoveryReport, StoreError> {
            self.inner.recover(now)
        }
    }

    #[test]
    fn retry_all_survives_a_recipient_delivered_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let rng = Arc::new(OsRandom::checked().unwrap());
        let keys = MasterKeys::generate("test", &*rng).unwrap();
        let spool = Spool::open(dir.path(), keys, Arc::new(SystemClock), rng.clone()).unwrap();
        let store = Arc::new(Overtaken {
            inner: spool,
            raced: AtomicBool::new(false),
        });
        let origin = Originator {
            store: store.clone(),
            clock: Arc::new(SystemClock),
            rng,
            identity: Identity {
                hostname: "gw.example".into(),
                domain: Domain::parse("gw.example").unwrap(),
                postmaster: Address::parse("postmaster@gw.example").unwrap(),
            },
        };
        let to = Address::parse("bob@example.com").unwrap();
        let id = origin
            .submit(
                origin.new_id(),
                "acme",
                &to,
                b"Subject: x\r\n\r\nhi\r\n".to_vec(),
            )
            .unwrap();
        let control = QueueControl {
            store: store.clone(),
            clock: Arc::new(SystemClock),
            hold_expiry: Duration::from_secs(60),
            wake: Arc::new(|_| {}),
        };
        // Before the fix this was `Err(Conflict)`: the whole `retry --all` failed (HTTP 500).
        let reports = control.retry_all().unwrap();
        assert!(reports.is_empty(), "nothing was left to retry: {reports:?}");
        let e = store.get(id).unwrap().unwrap();
        assert_eq!(e.recipients[0].status, Status::Delivered);
    }
}
