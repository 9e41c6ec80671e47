//! A round's first trip to the blocking pool: the record, the plan, the body and — when no
//! recipient needs the protection chain — the DKIM-signed plain copy, all in one task.
//!
//! Issue 19: a round used to cross to the blocking pool for the record, again for the body and
//! again to transform and sign; each crossing is a thread hand-off (a queue push, a wake-up,
//! a park and the task's wake-up back on an async worker). Nothing async has to happen between
//! those three steps unless an `encrypt` recipient needs WKD discovery or the last TLS facts of
//! its next hop: such a round still makes its copies in a second trip (`Copies::Later`).
//! Signing is still the last change to each copy, and it still happens before any send.

use super::{Round, Signed, due, sort_due};
use crate::engine::Inner;
use crate::error::DeliverError;
use crate::protect::{self, CopyKey, Fallback, Prepared, Step, ToProtect};
use sealgate_core::store::{QueueEntry, QueueStore};
use sealgate_core::time::Timestamp;
use sealgate_core::{Body, Message, MessageId};
use sealgate_transform::TlsCapability;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What the first trip found.
pub(super) enum First {
    /// No such message (deleted meanwhile).
    Gone,
    /// No recipient is due now.
    NothingDue,
    /// A connector self-test with recipients due: answered, never delivered.
    SelfTest(QueueEntry),
    /// A round to run: the record and what was made for it.
    Round(QueueEntry, Box<Pre>),
}

/// The round as planned in the first trip.
pub(super) struct Pre {
    /// The message as recorded (its body is read separately).
    pub msg: Arc<Message>,
    /// The due recipients sorted by their plan.
    pub round: Round,
    /// The body, read when some recipient is sent or protected this round.
    pub body: Option<Result<Body, DeliverError>>,
    /// The copies, made already or to be made after the async steps.
    pub copies: Copies,
}

/// Whether the copies were made in the first trip.
pub(super) enum Copies {
    /// Transform and sign ran: the protection steps and the signed copies.
    Made(Vec<(u32, Step)>, Result<Signed, sealgate_sign::SignError>),
    /// `encrypt` recipients need async steps first (WKD, the last TLS facts): the chain to
    /// fall back on, for the second trip.
    Later(Fallback),
}

/// Runs [`first`] on the blocking pool.
pub(super) async fn trip(
    inner: &Arc<Inner>,
    id: MessageId,
    now: Timestamp,
) -> Result<First, DeliverError> {
    let inner = Arc::clone(inner);
    tokio::task::spawn_blocking(move || first(&inner, &*inner.store, id, now))
        .await
        .map_err(|_| DeliverError::Config("blocking task failed".into()))?
}

/// Reads the record, plans the due recipients, reads the body when anything is sent, and makes
/// and signs the copies when no recipient waits for async protection steps. Sync.
fn first(
    inner: &Inner,
    store: &dyn QueueStore,
    id: MessageId,
    now: Timestamp,
) -> Result<First, DeliverError> {
    let Some(entry) = store.get(id)? else {
        return Ok(First::Gone);
    };
    let due = due(&entry, now);
    if due.is_empty() {
        return Ok(First::NothingDue);
    }
    if entry.message.decision.connector_self_test.is_some() {
        return Ok(First::SelfTest(entry));
    }
    let msg = Arc::new(entry.message.clone());
    let (round, fallback) = sort_due(inner, &msg, &due);
    drop(due);
    if round.sends.is_empty() && round.encrypt.is_empty() {
        let pre = Pre {
            msg,
            round,
            body: None,
            copies: Copies::Later(fallback),
        };
        return Ok(First::Round(entry, Box::new(pre)));
    }
    let body = store.body(id).map_err(DeliverError::from);
    let copies = match &body {
        Ok(b) if round.encrypt.is_empty() => {
            let made = Made {
                owner: protect::owner(&msg, &inner.origin.message_id_header(id)),
                msg: Arc::clone(&msg),
                body: b.clone(),
                plain: true,
                encrypt: Vec::new(),
                fallback,
                known: BTreeMap::new(),
                wanted: round.sends.iter().map(|s| s.3).collect(),
                now,
            };
            let (steps, signed) =
                made.run(&inner.transformer, inner.escrow.as_deref(), &inner.signer);
            Copies::Made(steps, signed)
        }
        _ => Copies::Later(fallback),
    };
    let pre = Pre {
        msg,
        round,
        body: Some(body),
        copies,
    };
    Ok(First::Round(entry, Box::new(pre)))
}

/// Everything the copies of one round are made from: the protection chain's inputs and the
/// copies the plan already sends.
pub(super) struct Made {
    pub(super) msg: Arc<Message>,
    pub(super) body: Body,
    pub(super) owner: sealgate_sign::KeyOwner,
    pub(super) plain: bool,
    pub(super) encrypt: Vec<ToProtect>,
    pub(super) fallback: Fallback,
    pub(super) known: BTreeMap<u32, TlsCapability>,
    pub(super) wanted: BTreeSet<CopyKey>,
    pub(super) now: Timestamp,
}

impl Made {
    /// Transform, then sign every copy that is sent. Sync: on the blocking pool.
    pub(super) fn run(
        mut self,
        t: &sealgate_transform::Transformer,
        esc: Option<&dyn crate::escrow::Escrow>,
        signer: &sealgate_sign::Signer,
    ) -> (Vec<(u32, Step)>, Result<Signed, sealgate_sign::SignError>) {
        let mut full = (*self.msg).clone();
        full.body = self.body;
        let (enc, fb, known) = (&self.encrypt, &self.fallback, &self.known);
        let prepared: Prepared =
            protect::prepare(t, esc, &full, self.plain, enc, fb, known, self.now);
        self.wanted
            .extend(prepared.steps.iter().filter_map(|(_, step)| match step {
                Step::Send { copy, .. } => Some(*copy),
                _ => None,
            }));
        let signed = protect::sign(signer, &self.owner, &prepared.copies, &self.wanted);
        (prepared.steps, signed)
    }
}
