//! One delivery round for one message: plan every due recipient, send each group over SMTP,
//! record outcomes, originate DSNs and notices.
//!
//! Guarantees: recipients are grouped by (domain, TLS policy) — one transaction per group, as
//! they share next hop and body; a group's outcomes are recorded durably *before* its
//! connection goes back to the pool for the next message and before its destination slot is
//! released (so a crash repeats at most `max_per_destination` acknowledged deliveries per
//! destination); a recipient becomes `Bounced` or `DroppedByPolicy` only after the DSN or
//! notice telling the sender is committed (a crash in between may repeat a DSN, never lose
//! one); a temporary failure past the queue lifetime becomes a bounce; every attempt is an `Attempt` event with next hop, IP, TLS version,
//! cipher, certificate check and reply. A transaction that broke after its body was sent is
//! deferred, never retried on the next host in the same round (the first may have it).

mod failures;
mod notify;
mod send;

use notify::{bounce, defer_all, delay_warning, drop_tls, hold};
use send::deliver_group;

use crate::client::{Connection, SessionParams, TlsPolicy};
use crate::engine::Inner;
use crate::error::DeliverError;
use crate::plan::{self, DELIVER, FALLBACK, Plan};
use crate::protect::{self, CopyKey, Fallback, Note, Step, ToProtect};
use crate::route::Target;
use sealgate_core::event::{AttemptFacts, CopyFacts};
use sealgate_core::store::{QueueEntry, RecipientState};
use sealgate_core::time::Timestamp;
use sealgate_core::{
    BodyType, Domain, Event, EventKind, Message, MessageId, Method, Reply, Severity, Status,
};
use sealgate_transform::TlsCapability;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use tokio::sync::OwnedSemaphorePermit;

/// Reason text of the event recorded once a delay DSN went out.
const DELAY_SENT: &str = "delay notification sent";

/// The outcome for one recipient in one round.
#[derive(Debug)]
enum Outcome {
    Delivered(AttemptFacts),
    Deferred(AttemptFacts, DeliverError),
    Failed(AttemptFacts, DeliverError),
    /// The TLS floor could not be met at any next hop, and it says what to do.
    TlsUnmet(AttemptFacts, DeliverError, TlsFailure),
}

/// What an unmet TLS floor asks for (a deferring one is an ordinary `Deferred`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsFailure {
    /// `forced`: the chain's next method (the fallback chain for a `deliver` recipient).
    NextMethod,
    /// `exclusive`: drop with a notice to the sender.
    Drop,
}

impl Outcome {
    fn facts_mut(&mut self) -> &mut AttemptFacts {
        match self {
            Outcome::Delivered(f)
            | Outcome::Deferred(f, _)
            | Outcome::Failed(f, _)
            | Outcome::TlsUnmet(f, _, _) => f,
        }
    }
}

fn with_reply(mut facts: AttemptFacts, reply: &Reply) -> AttemptFacts {
    facts.reply = Some(reply.clone());
    facts
}

type Records = Vec<(u32, Event, Option<Timestamp>)>;
/// Recipients to send, by (domain, TLS policy, copy), with the chain method each send fulfils.
type Groups = BTreeMap<(Domain, TlsPolicy, CopyKey), Vec<(u32, Option<Method>)>>;
/// What sending one group gave.
struct GroupResult {
    /// Each recipient's outcome.
    outcomes: Vec<(u32, Option<Method>, Outcome)>,
    /// The connection to give back once the outcomes are recorded.
    conn: Option<(Target, SessionParams, Connection)>,
    /// The destination's concurrency slot: held until the outcomes are recorded and the
    /// connection is back in the pool, so that neither the connections open to a destination
    /// nor the deliveries acknowledged but not yet recorded exceed `max_per_destination`.
    slot: Option<OwnedSemaphorePermit>,
}
/// A DSN line: recipient, ORCPT, reply, remote MTA.
type DsnLine = (
    sealgate_core::Address,
    Option<String>,
    Reply,
    Option<String>,
);

/// A permanent failure waiting for its DSN before it is recorded.
struct Bounce {
    index: u32,
    reply: Reply,
    remote: Option<String>,
}

/// One recipient to send: index, TLS policy, chain method, copy, and the record's note.
type Send = (u32, TlsPolicy, Option<Method>, CopyKey, Note);

/// The record's note for a send the plan made (no chain walk).
fn plan_note(tls: TlsPolicy) -> Note {
    let protection = match tls {
        TlsPolicy::Opportunistic => "opportunistic",
        TlsPolicy::Required => "tls-required",
        TlsPolicy::Verified => "tls-verified",
    };
    Note {
        protection: protection.into(),
        ..Note::default()
    }
}

/// Processes the due recipients of `id`; `Ok(true)` asks for another round at once (a
/// protection chain fell back to its next method).
pub(crate) async fn process(inner: &Arc<Inner>, id: MessageId) -> Result<bool, DeliverError> {
    let Some(entry) = inner.blocking(move |s| Ok(s.get(id)?)).await? else {
        return Ok(false);
    };
    let now = inner.clock.now();
    let msg = Arc::new(entry.message.clone());
    let due: Vec<&RecipientState> = entry
        .recipients
        .iter()
        .filter(|r| !r.status.is_terminal() && r.next_attempt.is_none_or(|t| t <= now))
        .collect();
    if due.is_empty() {
        return Ok(false);
    }
    if let Some(test) = &msg.decision.connector_self_test {
        crate::self_test::answer(inner, &msg, test, &due).await?;
        return Ok(false);
    }
    let mut bounces = Vec::new();
    let mut holds = Vec::new();
    let mut sends: Vec<Send> = Vec::new();
    let mut encrypt: Vec<ToProtect> = Vec::new();
    let mut fallback = Fallback {
        chain: inner.settings.fallback_chain.clone(),
        ..Fallback::default()
    };
    for r in &due {
        if r.status == Status::Held {
            bounces.push(Bounce {
                index: r.index,
                reply: Reply::new(550, [5, 7, 1], "Held message expired without release"),
                remote: None,
            });
            continue;
        }
        match plan::plan(msg.decision.recipients.get(r.index as usize), r) {
            Plan::Send { tls, method } => {
                sends.push((r.index, tls, method, CopyKey::Plain, plan_note(tls)));
            }
            Plan::Hold { reason } => holds.push((r.index, reason)),
            Plan::Bounce(reply) => bounces.push(Bounce {
                index: r.index,
                reply,
                remote: None,
            }),
            Plan::Protect {
                failed,
                fallback: walk_fallback,
            } => {
                if walk_fallback {
                    fallback.recipients.insert(r.index);
                }
                encrypt.push((r.index, failed));
            }
        }
    }
    let mut again = false;
    let mut body = None;
    let mut dropped = Vec::new();
    let mut delayed = Vec::new();
    if !sends.is_empty() || !encrypt.is_empty() {
        let b = match inner.blocking(move |s| Ok(s.body(id)?)).await {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(%id, error = %e, "queued message has no readable body; deferring");
                let mut indexes: Vec<u32> = sends.iter().map(|s| s.0).collect();
                indexes.extend(encrypt.iter().map(|(i, _)| *i));
                defer_all(inner, &entry, &indexes, &e).await?;
                if !holds.is_empty() {
                    hold(inner, &msg, &entry, holds).await?;
                }
                return Ok(false);
            }
        };
        // Transform: the spool's message carries its body; the plain copy and every
        // encrypted copy are made on the blocking pool.
        let mut full = (*msg).clone();
        full.body = b.clone();
        // WKD first (async, bounded; a miss is no failure): a key it files is on file for
        // the chain walk below.
        if let Some(d) = inner.discovery.as_ref().filter(|_| !encrypt.is_empty()) {
            d.run(&msg, &encrypt, &inner.pseudonyms, now).await;
        }
        let known = known_hops(inner, &entry, &encrypt, now).await;
        // Transform, then sign — the last change to each copy — in one trip to the blocking
        // pool (issue 19: each trip is a thread hand-off).
        let owner = protect::owner(&msg, &inner.origin.message_id_header(msg.id));
        let (steps, signed) = {
            let (t, plain) = (Arc::clone(&inner.transformer), !sends.is_empty());
            let (enc, fb, esc) = (encrypt.clone(), fallback.clone(), inner.escrow.clone());
            let signer = Arc::clone(&inner.signer);
            let mut wanted: BTreeSet<CopyKey> = sends.iter().map(|s| s.3).collect();
            tokio::task::spawn_blocking(move || {
                let esc = esc.as_deref();
                let prepared = protect::prepare(&t, esc, &full, plain, &enc, &fb, &known, now);
                wanted.extend(prepared.steps.iter().filter_map(|(_, step)| match step {
                    Step::Send { copy, .. } => Some(*copy),
                    _ => None,
                }));
                let signed = protect::sign(&signer, &owner, &prepared.copies, &wanted);
                (prepared.steps, signed)
            })
            .await
            .map_err(|_| DeliverError::Config("blocking task failed".into()))?
        };
        let mut deferred = Vec::new();
        for (index, step) in steps {
            match step {
                Step::Send {
                    tls,
                    method,
                    copy,
                    note,
                } => sends.push((index, tls, method, copy, note)),
                Step::Hold(reason) => holds.push((index, reason)),
                Step::Bounce(reply) => bounces.push(Bounce {
                    index,
                    reply,
                    remote: None,
                }),
                Step::Defer(why) => deferred.push((index, why)),
            }
        }
        if !deferred.is_empty() {
            tracing::warn!(%id, error = %deferred[0].1, "protection unavailable; deferring");
            let err = DeliverError::Transform(deferred[0].1.clone());
            let indexes: Vec<u32> = deferred.iter().map(|(i, _)| *i).collect();
            defer_all(inner, &entry, &indexes, &err).await?;
        }
        let signed = match signed {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(%id, error = %e, "DKIM signing failed; deferring");
                let indexes: Vec<u32> = sends.iter().map(|s| s.0).collect();
                defer_all(inner, &entry, &indexes, &DeliverError::Sign(e.to_string())).await?;
                sends.clear();
                BTreeMap::new()
            }
        };
        let mut groups = Groups::new();
        let mut notes: HashMap<u32, Note> = HashMap::new();
        for (index, tls, method, copy, note) in sends {
            let domain = entry.recipients[index as usize].address.domain().clone();
            groups
                .entry((domain, tls, copy))
                .or_default()
                .push((index, method));
            notes.insert(index, note);
        }
        for ((domain, tls, copy), rcpts) in groups {
            let Some((copy_body, dkim)) = signed.get(&copy) else {
                continue;
            };
            let body_type = match copy {
                CopyKey::Own(_) if copy_body.iter().all(|b| *b < 0x80) => BodyType::SevenBit,
                _ => msg.envelope.body_type,
            };
            let GroupResult {
                outcomes,
                conn,
                slot,
            } = deliver_group(inner, &msg, copy_body, body_type, &domain, tls, &rcpts).await;
            let mut records = Records::new();
            let mut notified = Vec::new();
            for (index, method, mut outcome) in outcomes {
                if method == Some(Method::Portal) {
                    match outcome {
                        Outcome::Delivered(_) => notified.push((index, true)),
                        Outcome::Failed(..) => notified.push((index, false)),
                        _ => {}
                    }
                }
                let note = notes.get(&index).cloned().unwrap_or_default();
                outcome.facts_mut().copy = Some(Box::new(CopyFacts {
                    protection: note.protection,
                    key: note.key,
                    skipped: note.skipped,
                    dkim: dkim.clone(),
                }));
                let state = &entry.recipients[index as usize];
                match classify(inner, &msg, state, method, outcome, now, &mut records) {
                    Next::Done => {}
                    Next::Bounce(b) => bounces.push(b),
                    Next::Drop => dropped.push(index),
                    Next::Again => again = true,
                    Next::Delayed(reply, next) => delayed.push((index, reply, next)),
                }
            }
            let recorded = inner
                .blocking(move |s| Ok(s.record_many(id, records)?))
                .await;
            if let Some((target, params, conn)) = conn {
                inner.pool.give_back(&target, &params, conn).await;
            }
            drop(slot);
            if let Err(e) = recorded {
                // E.g. an admin deleted the message meanwhile (terminal states are final).
                tracing::warn!(%id, error = %e, "could not record a delivery outcome");
            }
            if let Some(escrow) = inner.escrow.clone().filter(|_| !notified.is_empty()) {
                let _ = tokio::task::spawn_blocking(move || {
                    for (i, accepted) in notified {
                        if accepted {
                            escrow.notified(id, i);
                        } else {
                            escrow.unsent(id, i);
                        }
                    }
                })
                .await;
            }
        }
        body = Some(b);
    }
    if !holds.is_empty() {
        hold(inner, &msg, &entry, holds).await?;
    }
    if !dropped.is_empty() {
        drop_tls(inner, &msg, &entry, &dropped).await?;
    }
    if !delayed.is_empty() {
        delay_warning(inner, &msg, &entry, body.clone(), delayed).await?;
    }
    if !bounces.is_empty() {
        bounce(inner, &msg, &entry, body, bounces).await?;
    }
    Ok(again)
}

/// What recent sessions showed of each `encrypt` recipient's next hop ([`protect::known_hop`]);
/// a lookup that fails leaves the hop unknown (the chain then tries `tls-verified`).
async fn known_hops(
    inner: &Inner,
    entry: &QueueEntry,
    encrypt: &[ToProtect],
    now: Timestamp,
) -> BTreeMap<u32, TlsCapability> {
    let mut known = BTreeMap::new();
    let mut by_domain: HashMap<Domain, TlsCapability> = HashMap::new();
    for (index, _) in encrypt {
        let domain = entry.recipients[*index as usize].address.domain().clone();
        let cap = match by_domain.get(&domain) {
            Some(c) => *c,
            None => {
                let c = match inner.policy.last_facts(&domain).await {
                    Ok(Some(f)) => protect::known_hop(&f, now),
                    Ok(None) => TlsCapability::Unknown,
                    Err(e) => {
                        tracing::debug!(%domain, error = %e, "TLS facts unreadable; hop unknown");
                        TlsCapability::Unknown
                    }
                };
                by_domain.insert(domain, c);
                c
            }
        };
        known.insert(*index, cap);
    }
    known
}

enum Next {
    Done,
    Bounce(Bounce),
    Drop,
    Again,
    Delayed(Reply, Timestamp),
}

/// Turns an outcome into records (and what still has to happen).
fn classify(
    inner: &Inner,
    msg: &Message,
    state: &RecipientState,
    method: Option<Method>,
    outcome: Outcome,
    now: Timestamp,
    records: &mut Records,
) -> Next {
    let index = state.index;
    let attempt = |facts: AttemptFacts| Event {
        at: now,
        kind: EventKind::Attempt(facts),
    };
    let rcpt = inner.pseudonyms.address(&state.address);
    match outcome {
        Outcome::Delivered(facts) => {
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
            records.push((index, attempt(facts), None));
            // A portal notification accepted: the copy is escrowed (a final state).
            let status = match method {
                Some(Method::Portal) => Status::Escrowed,
                _ => Status::Delivered,
            };
            records.push((index, Event::status(now, status, reply.to_string()), None));
            Next::Done
        }
        Outcome::Deferred(facts, err) => {
            let reply = err.reply();
            let age = now.millis().saturating_sub(msg.received_at.millis());
            if age >= inner.settings.max_queue_lifetime.as_millis() as u64 {
                tracing::info!(id = %msg.id, %rcpt, class = err.class(), "queue lifetime exceeded; bouncing");
                records.push((index, attempt(facts), Some(now)));
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
            let already = state.events.iter().any(
                |e| matches!(&e.kind, EventKind::Status { reason, .. } if reason == DELAY_SENT),
            );
            if warn_after.is_some_and(|after| !already && age >= after.as_millis() as u64) {
                // Stays due (and not yet "deferred") until the delay DSN is committed: the
                // deferral and its marker are recorded together afterwards, so an admin's
                // retry can't land in between and be overwritten by the marker's schedule.
                records.push((index, attempt(facts), Some(now)));
                return Next::Delayed(reply, next);
            }
            records.push((index, attempt(facts), Some(next)));
            records.push((
                index,
                Event::status(now, Status::TemporaryFailure, reply.to_string()),
                Some(next),
            ));
            Next::Done
        }
        Outcome::Failed(facts, err) if method.is_some() && too_big(&err) => {
            // The copy this method made is over the next hop's SIZE (an encrypted copy grows
            // by about a third): the chain's next method may fit, or it ends held / bounced.
            let reply = err.reply();
            records.push((index, attempt(facts), Some(now)));
            let m = method.map_or("", |m| m.as_str());
            tracing::info!(id = %msg.id, %rcpt, method = m, "copy too large for the next hop; trying the next method");
            records.push((
                index,
                Event::status(now, Status::Scheduled, format!("{FALLBACK}{m}: {reply}")),
                Some(now),
            ));
            Next::Again
        }
        Outcome::Failed(facts, err) => {
            let reply = err.reply();
            tracing::info!(id = %msg.id, %rcpt, class = err.class(), code = reply.code, "failed permanently");
            let remote = facts.reply.as_ref().map(|_| facts.next_hop.clone());
            // Stays due until the DSN is committed and the bounce recorded.
            records.push((index, attempt(facts), Some(now)));
            Next::Bounce(Bounce {
                index,
                reply,
                remote,
            })
        }
        Outcome::TlsUnmet(facts, _, TlsFailure::Drop) => {
            records.push((index, attempt(facts), Some(now)));
            tracing::warn!(id = %msg.id, %rcpt, "TLS floor not met (exclusive); dropping with a notice");
            Next::Drop
        }
        Outcome::TlsUnmet(facts, err, TlsFailure::NextMethod) => {
            let reply = err.reply();
            records.push((index, attempt(facts), Some(now)));
            // A `deliver` copy (no chain method) goes on with the configured fallback chain.
            let m = method.map_or(DELIVER, |m| m.as_str());
            tracing::info!(id = %msg.id, %rcpt, method = m, "TLS floor not met (forced); trying the next method");
            records.push((
                index,
                Event::status(now, Status::Scheduled, format!("{FALLBACK}{m}: {reply}")),
                Some(now),
            ));
            Next::Again
        }
    }
}

/// The next hop refused the copy for its size (`5.3.4`, before sending or in reply).
fn too_big(e: &DeliverError) -> bool {
    matches!(e, DeliverError::Unsendable(r) | DeliverError::Refused(r) if r.status == Some([5, 3, 4]))
}

/// Temporary or permanent by the error's class.
fn split(facts: AttemptFacts, e: DeliverError) -> Outcome {
    match e.severity() {
        Severity::Permanent => Outcome::Failed(facts, e),
        Severity::Temporary => Outcome::Deferred(facts, e),
    }
}
