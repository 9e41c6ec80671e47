//! Releasing held recipients in bulk: `queue release --all` with filters (tenant, reason,
//! recipient domain), and the re-run of a held recipient's chain when a key for its address is
//! imported.
//!
//! Guarantees: only `Held` recipients matching every given filter change (to `Scheduled`, due
//! now, with the same "released" event as a single release, so their protection chain runs
//! again); one durable transaction per message; a message that changes meanwhile is read
//! again ([`QueueControl::apply`]'s rule); the engine is woken for each message changed.

use crate::control::{ActionReport, QueueControl};
use crate::plan::RELEASED;
use sealgate_core::store::{QueueEntry, RecipientState, StoreError};
use sealgate_core::{Event, EventKind, Status};
use serde::{Deserialize, Serialize};

/// Which held recipients to release; `None` fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleaseFilter {
    /// The message's tenant.
    pub tenant: Option<String>,
    /// A part of the hold's reason (`no key on file`, `held by admin`…), case-insensitive.
    pub reason: Option<String>,
    /// The recipient's domain.
    pub domain: Option<String>,
    /// Recipient addresses (any of them), case-insensitive.
    pub addresses: Option<Vec<String>>,
    /// Leave recipients an administrator held (`held by admin`) alone.
    pub skip_admin_holds: bool,
}

/// The reason of a recipient's latest `Held` event.
fn hold_reason(r: &RecipientState) -> &str {
    r.events
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::Status {
                status: Status::Held,
                reason,
            } => Some(reason.as_str()),
            _ => None,
        })
        .unwrap_or("")
}

impl ReleaseFilter {
    /// Whether `r` of `e` is held and matches.
    pub fn matches(&self, e: &QueueEntry, r: &RecipientState) -> bool {
        let reason = hold_reason(r).to_ascii_lowercase();
        let address = r.address.to_string().to_ascii_lowercase();
        r.status == Status::Held
            && self.tenant.as_ref().is_none_or(|t| *t == e.message.tenant)
            && self
                .reason
                .as_ref()
                .is_none_or(|w| reason.contains(&w.to_ascii_lowercase()))
            && self
                .domain
                .as_ref()
                .is_none_or(|d| d.eq_ignore_ascii_case(r.address.domain().as_str()))
            && self
                .addresses
                .as_ref()
                .is_none_or(|a| a.iter().any(|x| x.eq_ignore_ascii_case(&address)))
            && !(self.skip_admin_holds && reason == "held by admin")
    }
}

/// How often one message is read again when it changed under the write.
const TRIES: usize = 5;

impl QueueControl {
    /// Releases every held recipient `filter` matches (blocking); one report per message
    /// changed.
    pub fn release_matching(
        &self,
        filter: &ReleaseFilter,
    ) -> Result<Vec<ActionReport>, StoreError> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self.store.list(after, 500)?;
            let Some(last) = page.last() else {
                return Ok(out);
            };
            after = Some(last.message.id);
            for e in page
                .iter()
                .filter(|e| e.recipients.iter().any(|r| filter.matches(e, r)))
            {
                if let Some(report) = self.release_one(e.message.id, filter)? {
                    out.push(report);
                }
            }
        }
    }

    fn release_one(
        &self,
        id: sealgate_core::MessageId,
        filter: &ReleaseFilter,
    ) -> Result<Option<ActionReport>, StoreError> {
        for _ in 0..TRIES {
            let Some(entry) = self.store.get(id)? else {
                return Ok(None);
            };
            let now = self.clock.now();
            let items: Vec<_> = entry
                .recipients
                .iter()
                .filter(|r| filter.matches(&entry, r))
                .map(|r| {
                    (
                        r.index,
                        Event::status(now, Status::Scheduled, RELEASED),
                        Some(now),
                    )
                })
                .collect();
            if items.is_empty() {
                return Ok(None);
            }
            let changed: Vec<u32> = items.iter().map(|(i, _, _)| *i).collect();
            match self.store.record_many(id, items) {
                Ok(()) => {
                    (self.wake)(id);
                    return Ok(Some(ActionReport {
                        id: id.to_string(),
                        changed,
                    }));
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict("the message kept changing".into()))
    }
}
