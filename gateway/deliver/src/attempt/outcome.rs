//! What a recipient's outcome in a round becomes: the attempt record and status event, the
//! metrics and log line, and what the round still has to do for it (a DSN, a notice, another
//! round for the chain's next method, a delay DSN).

use super::{Bounce, DELAY_SENT, Records};
use crate::engine::Inner;
use crate::error::DeliverError;
use crate::plan::{DELIVER, FALLBACK};
use sealgate_core::event::AttemptFacts;
use sealgate_core::store::RecipientState;
use sealgate_core::time::Timestamp;
use sealgate_core::{Event, EventKind, Message, Method, Reply, Severity, Status};

/// The outcome for one recipient in one round.
#[derive(Debug)]
pub(super) enum Outcome {
    Delivered(AttemptFacts),
    Deferred(AttemptFacts, DeliverError),
    Failed(AttemptFacts, DeliverError),
    /// The TLS floor could not be met at any next hop, and it says what to do.
    TlsUnmet(AttemptFacts, DeliverError, TlsFailure),
}

/// What an unmet TLS floor asks for (a deferring one is an ordinary `Deferred`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TlsFailure {
    /// `forced`: the chain's next method (the fallback chain for a `deliver` recipient).
    NextMethod,
    /// `exclusive`: drop with a notice to the sender.
    Drop,
}

impl Outcome {
    pub(super) fn facts_mut(&mut self) -> &mut AttemptFacts {
        match self {
            Outcome::Delivered(f)
            | Outcome::Deferred(f, _)
            | Outcome::Failed(f, _)
            | Outcome::TlsUnmet(f, _, _) => f,
        }
    }
}

pub(super) fn with_reply(mut facts: AttemptFacts, reply: &Reply) -> AttemptFacts {
    facts.reply = Some(reply.clone());
    facts
}

/// What the round still has to do for a recipient once its outcome is recorded.
pub(super) enum Next {
    Done,
    Bounce(Bounce),
    Drop,
    Again,
    Delayed(Reply, Timestamp),
}

/// The recipient an outcome is about, and the round's time.
struct Subject<'a> {
    inner: &'a Inner,
    msg: &'a Message,
    state: &'a RecipientState,
    /// The address as logs may show it.
    rcpt: String,
    now: Timestamp,
}

impl Subject<'_> {
    fn attempt(&self, facts: AttemptFacts) -> Event {
        Event {
            at: self.now,
            kind: EventKind::Attempt(facts),
        }
    }
}

/// Turns an outcome into records (and what still has to happen).
pub(super) fn classify(
    inner: &Inner,
    msg: &Message,
    state: &RecipientState,
    method: Option<Method>,
    outcome: Outcome,
    now: Timestamp,
    records: &mut Records,
) -> Next {
    let index = state.index;
    let s = Subject {
        inner,
        msg,
        state,
        rcpt: inner.pseudonyms.address(&state.address),
        now,
    };
    let rcpt = &s.rcpt;
    match outcome {
        Outcome::Delivered(facts) => delivered(&s, method, facts, records),
        Outcome::Deferred(facts, err) => deferred(&s, facts, &err, records),
        Outcome::Failed(facts, err) if method.is_some() && too_big(&err) => {
            // The copy this method made is over the next hop's SIZE (an encrypted copy grows
            // by about a third): the chain's next method may fit, or it ends held / bounced.
            let reply = err.reply();
            records.push((index, s.attempt(facts), Some(now)));
            let m = method.map_or("", |m| m.as_str());
            tracing::info!(id = %msg.id, %rcpt, method = m, "copy too large for the next hop; trying the next method");
            next_method(&s, m, &reply, records)
        }
        Outcome::Failed(facts, err) => {
            let reply = err.reply();
            tracing::info!(id = %msg.id, %rcpt, class = err.class(), code = reply.code, "failed permanently");
            let remote = facts.reply.as_ref().map(|_| facts.next_hop.clone());
            // Stays due until the DSN is committed and the bounce recorded.
            records.push((index, s.attempt(facts), Some(now)));
            Next::Bounce(Bounce {
                index,
                reply,
                remote,
            })
        }
        Outcome::TlsUnmet(facts, _, TlsFailure::Drop) => {
            records.push((index, s.attempt(facts), Some(now)));
            tracing::warn!(id = %msg.id, %rcpt, "TLS floor not met (exclusive); dropping with a notice");
            Next::Drop
        }
        Outcome::TlsUnmet(facts, err, TlsFailure::NextMethod) => {
            let reply = err.reply();
            records.push((index, s.attempt(facts), Some(now)));
            // A `deliver` copy (no chain method) goes on with the configured fallback chain.
            let m = method.map_or(DELIVER, |m| m.as_str());
            tracing::info!(id = %msg.id, %rcpt, method = m, "TLS floor not met (forced); trying the next method");
            next_method(&s, m, &reply, records)
        }
    }
}

/// The chain's next method takes the recipient at once: a `Scheduled` event naming the method
/// that did not work and why.
fn next_method(s: &Subject<'_>, method: &str, reply: &Reply, records: &mut Records) -> Next {
    records.push((
        s.state.index,
        Event::status(
            s.now,
            Status::Scheduled,
            format!("{FALLBACK}{method}: {reply}"),
        ),
        Some(s.now),
    ));
    Next::Again
}

/// An accepted copy: counted, timed, and the recipient `Delivered` (`Escrowed` for a portal
/// notification: the copy waits in escrow, a final state).
fn delivered(
    s: &Subject<'_>,
    method: Option<Method>,
    facts: AttemptFacts,
    records: &mut Records,
) -> Next {
    let (inner, msg, now, rcpt) = (s.inner, s.msg, s.now, &s.rcpt);
    let index = s.state.index;
    let reply = facts
        .reply
        .clone()
        .unwrap_or_else(|| Reply::plain(250, "ok"));
    tracing::info!(id = %msg.id, %rcpt, relay = %facts.next_hop, tls = facts.tls_version.as_deref().unwrap_or("none"), code = reply.code, "delivered");
    inner.metrics.delivered.with_label_values(&["smtp"]).inc();
    let protection = method.map_or("plain", Method::as_str);
    inner
        .metrics
        .protected
        .with_label_values(&[protection])
        .inc();
    let secs = now.millis().saturating_sub(msg.received_at.millis()) as f64 / 1000.0;
    inner.metrics.delivery_seconds.observe(secs);
    records.push((index, s.attempt(facts), None));
    // A portal notification accepted: the copy is escrowed (a final state).
    let status = match method {
        Some(Method::Portal) => Status::Escrowed,
        _ => Status::Delivered,
    };
    records.push((index, Event::status(now, status, reply.to_string()), None));
    Next::Done
}

/// A temporary failure: retried on the backoff schedule, bounced past the queue lifetime, and
/// kept due for a delay DSN once it has waited `delay_warning`.
fn deferred(
    s: &Subject<'_>,
    facts: AttemptFacts,
    err: &DeliverError,
    records: &mut Records,
) -> Next {
    let (inner, msg, now, rcpt, state) = (s.inner, s.msg, s.now, &s.rcpt, s.state);
    let index = state.index;
    let reply = err.reply();
    let age = now.millis().saturating_sub(msg.received_at.millis());
    if age >= inner.settings.max_queue_lifetime.as_millis() as u64 {
        tracing::info!(id = %msg.id, %rcpt, class = err.class(), "queue lifetime exceeded; bouncing");
        records.push((index, s.attempt(facts), Some(now)));
        // The verdict is ours, not the next hop's (which said 4xx): no Remote-MTA, and
        // the DSN's diagnostic quotes its last reply.
        return Next::Bounce(Bounce {
            index,
            reply: Reply::new(
                554,
                [5, 4, 7],
                format!("Delivery time expired; last error: {reply}"),
            ),
            remote: None,
        });
    }
    let next = now.plus(inner.settings.backoff(state.attempts + 1));
    tracing::info!(id = %msg.id, %rcpt, class = err.class(), code = reply.code, "deferred");
    inner
        .metrics
        .deferred
        .with_label_values(&[err.class()])
        .inc();
    let warn_after = inner.settings.delay_warning;
    let already = state
        .events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Status { reason, .. } if reason == DELAY_SENT));
    if warn_after.is_some_and(|after| !already && age >= after.as_millis() as u64) {
        // Stays due (and not yet "deferred") until the delay DSN is committed: the
        // deferral and its marker are recorded together afterwards, so an admin's
        // retry can't land in between and be overwritten by the marker's schedule.
        records.push((index, s.attempt(facts), Some(now)));
        return Next::Delayed(reply, next);
    }
    records.push((index, s.attempt(facts), Some(next)));
    records.push((
        index,
        Event::status(now, Status::TemporaryFailure, reply.to_string()),
        Some(next),
    ));
    Next::Done
}

/// The next hop refused the copy for its size (`5.3.4`, before sending or in reply).
fn too_big(e: &DeliverError) -> bool {
    matches!(e, DeliverError::Unsendable(r) | DeliverError::Refused(r) if r.status == Some([5, 3, 4]))
}

/// Temporary or permanent by the error's class.
pub(super) fn split(facts: AttemptFacts, e: DeliverError) -> Outcome {
    match e.severity() {
        Severity::Permanent => Outcome::Failed(facts, e),
        Severity::Temporary => Outcome::Deferred(facts, e),
    }
}
