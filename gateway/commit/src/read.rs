//! Read-only queries: one message, a page of messages, the due schedule, queue depth.
//!
//! Guarantees: each query runs in one redb read transaction, so it sees a single committed
//! state (never half of a group commit); none of them blocks writers.

use crate::error::CommitError;
use crate::queue::Shared;
use crate::schema::{self, RcptRow};
use redb::{ReadTransaction, ReadableTable, ReadableTableMetadata};
use sealgate_core::MessageId;
use sealgate_core::event::Event;
use sealgate_core::message::Message;
use sealgate_core::status::Status;
use sealgate_core::store::{QueueDepth, QueueEntry, RecipientState};
use sealgate_core::time::Timestamp;
use std::collections::HashSet;
use std::ops::Bound;

/// Loads one message with its recipients and their events.
pub(crate) fn load(txn: &ReadTransaction, key: u128) -> Result<Option<QueueEntry>, CommitError> {
    let messages = txn.open_table(schema::MESSAGES)?;
    let Some(record) = messages.get(key)? else {
        return Ok(None);
    };
    let message: Message = schema::decode(record.value())?;
    let recipients = txn.open_table(schema::RECIPIENTS)?;
    let events = txn.open_table(schema::EVENTS)?;
    let mut states = Vec::new();
    for row in recipients.range((key, 0)..=(key, u32::MAX))? {
        let (k, v) = row?;
        let index = k.value().1;
        let row: RcptRow = schema::decode(v.value())?;
        let mut history = Vec::with_capacity(row.events as usize);
        for ev in events.range((key, index, 0)..=(key, index, u32::MAX))? {
            let (_, v) = ev?;
            history.push(schema::decode::<Event>(v.value())?);
        }
        states.push(RecipientState {
            index,
            address: row.address,
            status: row.status,
            next_attempt: row.next_attempt,
            attempts: row.attempts,
            events: history,
        });
    }
    Ok(Some(QueueEntry {
        message,
        recipients: states,
    }))
}

/// One message, or `None`.
pub(crate) fn get(sh: &Shared, id: MessageId) -> Result<Option<QueueEntry>, CommitError> {
    load(&schema::read(&sh.db)?, schema::key(id))
}

/// Messages in id order after `after`, at most `limit`.
pub(crate) fn list(
    sh: &Shared,
    after: Option<MessageId>,
    limit: usize,
) -> Result<Vec<QueueEntry>, CommitError> {
    let txn = schema::read(&sh.db)?;
    let messages = txn.open_table(schema::MESSAGES)?;
    let start = match after {
        Some(id) => Bound::Excluded(schema::key(id)),
        None => Bound::Unbounded,
    };
    let mut out = Vec::new();
    for row in messages.range::<u128>((start, Bound::Unbounded))? {
        if out.len() >= limit {
            break;
        }
        let (k, _) = row?;
        if let Some(entry) = load(&txn, k.value())? {
            out.push(entry);
        }
    }
    Ok(out)
}

/// Ids with a recipient due at or before `now`, earliest due first, each once.
pub(crate) fn due(
    sh: &Shared,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<MessageId>, CommitError> {
    let txn = schema::read(&sh.db)?;
    let due = txn.open_table(schema::DUE)?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for row in due.range(..=(now.millis(), u128::MAX, u32::MAX))? {
        if out.len() >= limit {
            break;
        }
        let (k, _) = row?;
        let (_, key, _) = k.value();
        if seen.insert(key) {
            out.push(schema::id_of(key));
        }
    }
    Ok(out)
}

/// Active messages and their recipients by status.
pub(crate) fn depth(sh: &Shared) -> Result<QueueDepth, CommitError> {
    let txn = schema::read(&sh.db)?;
    let active = txn.open_table(schema::ACTIVE)?;
    let messages = active.len()?;
    // Ids are time-ordered, so the first active key is the oldest waiting message.
    let oldest = active
        .first()?
        .map(|(k, _)| MessageId::from_bytes(k.value().to_be_bytes()));
    let counts = txn.open_table(schema::COUNTS)?;
    let mut by_status = Vec::new();
    for status in ALL_STATUSES {
        if let Some(n) = counts.get(status.as_str())?.map(|v| v.value())
            && n > 0
        {
            by_status.push((status, n));
        }
    }
    Ok(QueueDepth {
        messages,
        by_status,
        oldest,
    })
}

const ALL_STATUSES: [Status; 8] = [
    Status::Scheduled,
    Status::TemporaryFailure,
    Status::Held,
    Status::Delivered,
    Status::Escrowed,
    Status::Bounced,
    Status::DroppedByPolicy,
    Status::Deleted,
];
