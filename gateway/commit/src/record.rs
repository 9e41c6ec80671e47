//! Recording a recipient's event: history append, status transition, retry schedule.
//!
//! Guarantees: the event, the new state, the `due` index and the counters change in one durable
//! transaction; a recipient in a terminal state accepts nothing more (`Conflict`); a terminal
//! recipient leaves the schedule. When the last recipient of a message becomes terminal, the
//! message leaves the active set and its body is deleted: a body in the database in that same
//! transaction, a body file after the commit (a deletion lost in a crash is redone by
//! recovery). The record and the events stay for audit.

use crate::error::CommitError;
use crate::group::Op;
use crate::queue::Shared;
use crate::schema::{self, RcptRow};
use redb::ReadableTable;
use sealgate_core::MessageId;
use sealgate_core::event::{Event, EventKind};
use sealgate_core::time::Timestamp;

/// Output of an operation whose message just became complete and whose body is a file, to be
/// removed after the commit.
const DONE_BODY_FILE: u64 = 1;
/// Output of an operation whose message just became complete; its database body went with it.
const DONE_BODY_INLINE: u64 = 2;

/// Appends `event` to recipient `index` of `id`; `next_attempt` replaces the due time
/// (`None` clears it: the recipient is in flight until the next record).
pub(crate) fn record(
    sh: &Shared,
    id: MessageId,
    index: u32,
    event: Event,
    next_attempt: Option<Timestamp>,
) -> Result<(), CommitError> {
    let _gate = sh.shared_gate();
    let encoded = schema::encode(&event)?;
    let completed = sh.write(record_op(id, index, event, encoded, next_attempt))?;
    if completed == DONE_BODY_FILE
        && let Err(e) = sh.remove_finished_body(id)
    {
        tracing::warn!(%id, error = %e, "removing the body of a finished message");
    }
    Ok(())
}

/// Appends several events to recipients of `id` in one durable transaction, in order; for each
/// item its `next_attempt` replaces the due time as in [`record`]. All or nothing: if any item
/// would touch a terminal recipient, nothing is written (`Conflict`).
pub(crate) fn record_many(
    sh: &Shared,
    id: MessageId,
    items: Vec<(u32, Event, Option<Timestamp>)>,
) -> Result<(), CommitError> {
    if items.is_empty() {
        return Ok(());
    }
    let _gate = sh.shared_gate();
    let mut encoded = Vec::with_capacity(items.len());
    for (index, event, next) in items {
        let bytes = schema::encode(&event)?;
        encoded.push((index, event, bytes, next));
    }
    let key = schema::key(id);
    let op: Op = Box::new(move |txn| {
        validate_many(txn, id, key, &encoded)?;
        // Only one item can complete the message: later ones would meet a terminal recipient.
        let mut completed = 0;
        for (index, event, bytes, next) in encoded {
            completed |= apply(txn, id, key, index, &event, &bytes, next)?;
        }
        Ok(completed)
    });
    if sh.write(op)? == DONE_BODY_FILE
        && let Err(e) = sh.remove_finished_body(id)
    {
        tracing::warn!(%id, error = %e, "removing the body of a finished message");
    }
    Ok(())
}

/// Checks, without writing, that no item of a batch meets a terminal recipient (counting the
/// batch's own earlier status events).
fn validate_many(
    txn: &redb::WriteTransaction,
    id: MessageId,
    key: u128,
    items: &[(u32, Event, Vec<u8>, Option<Timestamp>)],
) -> Result<(), CommitError> {
    let recipients = txn.open_table(schema::RECIPIENTS)?;
    let mut status = std::collections::HashMap::new();
    for (index, event, _, _) in items {
        let current = match status.get(index) {
            Some(s) => *s,
            None => match recipients.get((key, *index))? {
                Some(v) => schema::decode::<RcptRow>(v.value())?.status,
                None => return Err(CommitError::NotFound),
            },
        };
        if current.is_terminal() {
            return Err(CommitError::Conflict(format!(
                "recipient {index} of {id} is already {current}"
            )));
        }
        let next = match &event.kind {
            EventKind::Status { status, .. } => *status,
            _ => current,
        };
        status.insert(*index, next);
    }
    Ok(())
}

/// The write operation; outputs what [`apply`] does.
fn record_op(
    id: MessageId,
    index: u32,
    event: Event,
    encoded: Vec<u8>,
    next_attempt: Option<Timestamp>,
) -> Op {
    let key = schema::key(id);
    Box::new(move |txn| apply(txn, id, key, index, &event, &encoded, next_attempt))
}

/// Applies one event inside a write transaction: [`DONE_BODY_FILE`] or [`DONE_BODY_INLINE`]
/// when the message just became complete, else 0.
/// Validates before writing: a `Conflict` or `NotFound` leaves the transaction untouched.
fn apply(
    txn: &redb::WriteTransaction,
    id: MessageId,
    key: u128,
    index: u32,
    event: &Event,
    encoded: &[u8],
    next_attempt: Option<Timestamp>,
) -> Result<u64, CommitError> {
    let mut recipients = txn.open_table(schema::RECIPIENTS)?;
    let old: RcptRow = match recipients.get((key, index))? {
        Some(v) => schema::decode(v.value())?,
        None => return Err(CommitError::NotFound),
    };
    if old.status.is_terminal() {
        return Err(CommitError::Conflict(format!(
            "recipient {index} of {id} is already {}",
            old.status
        )));
    }
    let mut new = old.clone();
    match &event.kind {
        EventKind::Status { status, .. } => new.status = *status,
        EventKind::Attempt(_) => new.attempts = new.attempts.saturating_add(1),
        EventKind::Accepted { .. } | EventKind::Recovered => {}
    }
    let terminal = new.status.is_terminal();
    new.next_attempt = if terminal { None } else { next_attempt };
    let seq = old.events;
    new.events = old.events.saturating_add(1);

    // Everything validated: from here on, only writes.
    txn.open_table(schema::EVENTS)?
        .insert((key, index, seq), encoded)?;
    recipients.insert((key, index), schema::encode(&new)?.as_slice())?;
    let mut due = txn.open_table(schema::DUE)?;
    if let Some(t) = old.next_attempt {
        due.remove((t.millis(), key, index))?;
    }
    if let Some(t) = new.next_attempt {
        due.insert((t.millis(), key, index), ())?;
    }
    let mut counts = txn.open_table(schema::COUNTS)?;
    if old.status != new.status {
        schema::bump(&mut counts, old.status, -1)?;
        schema::bump(&mut counts, new.status, 1)?;
    }
    if !terminal {
        return Ok(0);
    }
    let mut active = txn.open_table(schema::ACTIVE)?;
    let left = active
        .get(key)?
        .map(|v| v.value())
        .unwrap_or(0)
        .saturating_sub(1);
    if left > 0 {
        active.insert(key, left)?;
        return Ok(0);
    }
    active.remove(key)?;
    // The message leaves the queue view: its (all terminal) recipients leave the counters.
    for row in recipients.range((key, 0)..=(key, u32::MAX))? {
        let (_, v) = row?;
        let row: RcptRow = schema::decode(v.value())?;
        schema::bump(&mut counts, row.status, -1)?;
    }
    // The body goes in this very transaction when it is in the database; a snapshot running
    // meanwhile still sees it in its own read transaction.
    if txn.open_table(schema::BODIES)?.remove(key)?.is_some() {
        return Ok(DONE_BODY_INLINE);
    }
    Ok(DONE_BODY_FILE)
}
