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
//!
//! Where things are: this file runs the round (plan, protect and sign, send by group, record,
//! tell the senders); `send.rs` sends one group over the hosts of its route under the TLS
//! policy (`session.rs`: one host's session), `failures.rs` keeps what the hosts said, `outcome.rs` turns each recipient's
//! outcome into records, and `notify.rs` sends the DSNs and notices.

mod failures;
mod first;
mod notify;
mod outcome;
mod send;
mod session;

use first::{Copies, First, Made, Pre};
use notify::{bounce, defer_all, delay_warning, drop_tls, hold};
use outcome::{Next, Outcome, classify};
use send::deliver_group;

use crate::client::{Connection, SessionParams, TlsPolicy};
use crate::engine::Inner;
use crate::error::DeliverError;
use crate::plan::{self, Plan};
use crate::protect::{self, CopyKey, Fallback, Note, Step, ToProtect};
use crate::route::Target;
use sealgate_core::event::CopyFacts;
use sealgate_core::store::{QueueEntry, RecipientState};
use sealgate_core::time::Timestamp;
use sealgate_core::{Body, BodyType, Domain, Event, Message, MessageId, Method, Reply, Status};
use sealgate_transform::TlsCapability;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::OwnedSemaphorePermit;

/// Reason text of the event recorded once a delay DSN went out.
const DELAY_SENT: &str = "delay notification sent";

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

/// Each copy as it leaves, by copy: the signed body and its DKIM facts.
type Signed = BTreeMap<CopyKey, (Body, Vec<String>)>;

/// The due recipients by what happens to them this round: filled by the plan, then by the
/// protection steps, then by the sends' outcomes.
#[derive(Default)]
struct Round {
    bounces: Vec<Bounce>,
    holds: Vec<(u32, String)>,
    sends: Vec<Send>,
    encrypt: Vec<ToProtect>,
    dropped: Vec<u32>,
    delayed: Vec<(u32, Reply, Timestamp)>,
    /// A protection chain fell back to its next method: run another round at once.
    again: bool,
}

/// Processes the due recipients of `id`; `Ok(true)` asks for another round at once (a
/// protection chain fell back to its next method).
///
/// The record, the body and — when no recipient needs the protection chain — the signed plain
/// copy are read and made in one trip to the blocking pool (`first.rs`; issue 19: each trip is
/// a thread hand-off); a round with `encrypt` recipients transforms and signs in a second trip,
/// after WKD discovery (async).
pub(crate) async fn process(inner: &Arc<Inner>, id: MessageId) -> Result<bool, DeliverError> {
    let now = inner.clock.now();
    let (entry, pre) = match first::trip(inner, id, now).await? {
        First::Gone | First::NothingDue => return Ok(false),
        First::SelfTest(entry) => {
            let msg = Arc::new(entry.message.clone());
            let due = due(&entry, now);
            if let Some(test) = &msg.decision.connector_self_test {
                crate::self_test::answer(inner, &msg, test, &due).await?;
            }
            return Ok(false);
        }
        First::Round(entry, pre) => (entry, pre),
    };
    let Pre {
        msg,
        mut round,
        body,
        copies,
    } = *pre;
    let mut kept = None;
    match body {
        None => {}
        Some(Err(e)) => {
            tracing::error!(%id, error = %e, "queued message has no readable body; deferring");
            let mut indexes: Vec<u32> = round.sends.iter().map(|s| s.0).collect();
            indexes.extend(round.encrypt.iter().map(|(i, _)| *i));
            defer_all(inner, &entry, &indexes, &e).await?;
            if !round.holds.is_empty() {
                hold(inner, &msg, &entry, round.holds).await?;
            }
            return Ok(false);
        }
        Some(Ok(b)) => {
            let signed = match copies {
                Copies::Made(steps, signed) => {
                    apply_steps(inner, &msg, &entry, &mut round, steps, signed).await?
                }
                Copies::Later(fallback) => {
                    protect_and_sign(inner, &msg, &entry, &b, &mut round, fallback, now).await?
                }
            };
            send_groups(inner, &msg, &entry, &signed, &mut round, now).await;
            kept = Some(b);
        }
    }
    tell_senders(inner, &msg, &entry, kept, round).await
}

/// The recipients of `entry` due at `now` (not terminal, their next attempt reached).
fn due(entry: &QueueEntry, now: Timestamp) -> Vec<&RecipientState> {
    entry
        .recipients
        .iter()
        .filter(|r| !r.status.is_terminal() && r.next_attempt.is_none_or(|t| t <= now))
        .collect()
}

/// Sorts the due recipients by their plan: a held one whose hold expired bounces; the others
/// are sent as they are, held, bounced, or handed to the protection chain (noting those whose
/// plan walks the configured fallback chain).
fn sort_due(inner: &Inner, msg: &Message, due: &[&RecipientState]) -> (Round, Fallback) {
    let mut round = Round::default();
    let mut fallback = Fallback {
        chain: inner.settings.fallback_chain.clone(),
        ..Fallback::default()
    };
    for r in due {
        if r.status == Status::Held {
            round.bounces.push(Bounce {
                index: r.index,
                reply: Reply::new(550, [5, 7, 1], "Held message expired without release"),
                remote: None,
            });
            continue;
        }
        match plan::plan(msg.decision.recipients.get(r.index as usize), r) {
            Plan::Send { tls, method } => {
                round
                    .sends
                    .push((r.index, tls, method, CopyKey::Plain, plan_note(tls)));
            }
            Plan::Hold { reason } => round.holds.push((r.index, reason)),
            Plan::Bounce(reply) => round.bounces.push(Bounce {
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
                round.encrypt.push((r.index, failed));
            }
        }
    }
    (round, fallback)
}

/// Makes every copy the round sends and sorts the protection steps into the round: WKD first
/// (async, bounded; a miss is no failure — a key it files is on file for the chain walk), then
/// transform and sign on the blocking pool. Recipients whose protection is unavailable now are
/// deferred; when signing fails every send is deferred and no copy is returned.
async fn protect_and_sign(
    inner: &Arc<Inner>,
    msg: &Arc<Message>,
    entry: &QueueEntry,
    body: &Body,
    round: &mut Round,
    fallback: Fallback,
    now: Timestamp,
) -> Result<Signed, DeliverError> {
    if let Some(d) = inner
        .discovery
        .as_ref()
        .filter(|_| !round.encrypt.is_empty())
    {
        d.run(msg, &round.encrypt, &inner.pseudonyms, now).await;
    }
    let known = known_hops(inner, entry, &round.encrypt, now).await;
    let (steps, signed) = prepare_copies(inner, msg, body, round, fallback, known, now).await?;
    apply_steps(inner, msg, entry, round, steps, signed).await
}

/// Sorts the protection steps into the round and defers the recipients whose protection is
/// unavailable now; when signing failed every send is deferred and no copy is returned.
async fn apply_steps(
    inner: &Arc<Inner>,
    msg: &Message,
    entry: &QueueEntry,
    round: &mut Round,
    steps: Vec<(u32, Step)>,
    signed: Result<Signed, sealgate_sign::SignError>,
) -> Result<Signed, DeliverError> {
    let id = msg.id;
    let mut deferred = Vec::new();
    for (index, step) in steps {
        match step {
            Step::Send {
                tls,
                method,
                copy,
                note,
            } => round.sends.push((index, tls, method, copy, note)),
            Step::Hold(reason) => round.holds.push((index, reason)),
            Step::Bounce(reply) => round.bounces.push(Bounce {
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
        defer_all(inner, entry, &indexes, &err).await?;
    }
    match signed {
        Ok(s) => Ok(s),
        Err(e) => {
            tracing::error!(%id, error = %e, "DKIM signing failed; deferring");
            let indexes: Vec<u32> = round.sends.iter().map(|s| s.0).collect();
            defer_all(inner, entry, &indexes, &DeliverError::Sign(e.to_string())).await?;
            round.sends.clear();
            Ok(BTreeMap::new())
        }
    }
}

/// Transform, then sign — the last change to each copy — in one trip to the blocking pool
/// (issue 19: each trip is a thread hand-off). The spool's message carries its body; the plain
/// copy (when the plan sends any) and every encrypted copy are made there.
async fn prepare_copies(
    inner: &Arc<Inner>,
    msg: &Arc<Message>,
    body: &Body,
    round: &Round,
    fallback: Fallback,
    known: BTreeMap<u32, TlsCapability>,
    now: Timestamp,
) -> Result<(Vec<(u32, Step)>, Result<Signed, sealgate_sign::SignError>), DeliverError> {
    let (t, esc, signer) = (
        Arc::clone(&inner.transformer),
        inner.escrow.clone(),
        Arc::clone(&inner.signer),
    );
    let made = Made {
        msg: Arc::clone(msg),
        body: body.clone(),
        owner: protect::owner(msg, &inner.origin.message_id_header(msg.id)),
        plain: !round.sends.is_empty(),
        encrypt: round.encrypt.clone(),
        fallback,
        known,
        wanted: round.sends.iter().map(|s| s.3).collect(),
        now,
    };
    tokio::task::spawn_blocking(move || made.run(&t, esc.as_deref(), &signer))
        .await
        .map_err(|_| DeliverError::Config("blocking task failed".into()))
}

/// Sends each (domain, TLS policy, copy) group in one transaction and records its outcomes.
async fn send_groups(
    inner: &Arc<Inner>,
    msg: &Message,
    entry: &QueueEntry,
    signed: &Signed,
    round: &mut Round,
    now: Timestamp,
) {
    let mut groups = Groups::new();
    let mut notes: HashMap<u32, Note> = HashMap::new();
    for (index, tls, method, copy, note) in std::mem::take(&mut round.sends) {
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
        let result = deliver_group(inner, msg, copy_body, body_type, &domain, tls, &rcpts).await;
        let copy = CopyRecord {
            notes: &notes,
            dkim,
        };
        record_group(inner, msg, entry, result, &copy, round, now).await;
    }
}

/// What the attempt records say of the copies sent: each recipient's note and the copy's DKIM.
struct CopyRecord<'a> {
    notes: &'a HashMap<u32, Note>,
    dkim: &'a [String],
}

/// Records one group's outcomes durably, and only then gives its connection back to the pool
/// and frees its destination slot; then tells the escrow which portal notifications went out.
async fn record_group(
    inner: &Arc<Inner>,
    msg: &Message,
    entry: &QueueEntry,
    result: GroupResult,
    copy: &CopyRecord<'_>,
    round: &mut Round,
    now: Timestamp,
) {
    let id = msg.id;
    let GroupResult {
        outcomes,
        conn,
        slot,
    } = result;
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
        let note = copy.notes.get(&index).cloned().unwrap_or_default();
        outcome.facts_mut().copy = Some(Box::new(CopyFacts {
            protection: note.protection,
            key: note.key,
            skipped: note.skipped,
            dkim: copy.dkim.to_vec(),
        }));
        let state = &entry.recipients[index as usize];
        match classify(inner, msg, state, method, outcome, now, &mut records) {
            Next::Done => {}
            Next::Bounce(b) => round.bounces.push(b),
            Next::Drop => round.dropped.push(index),
            Next::Again => round.again = true,
            Next::Delayed(reply, next) => round.delayed.push((index, reply, next)),
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

/// Tells the senders what the round decided — hold notices, TLS drop notices, delay DSNs, then
/// bounces — each committed before the recipients it reports on are recorded; `Ok(true)` asks
/// for another round at once.
async fn tell_senders(
    inner: &Arc<Inner>,
    msg: &Arc<Message>,
    entry: &QueueEntry,
    body: Option<Body>,
    round: Round,
) -> Result<bool, DeliverError> {
    if !round.holds.is_empty() {
        hold(inner, msg, entry, round.holds).await?;
    }
    if !round.dropped.is_empty() {
        drop_tls(inner, msg, entry, &round.dropped).await?;
    }
    if !round.delayed.is_empty() {
        delay_warning(inner, msg, entry, body.clone(), round.delayed).await?;
    }
    if !round.bounces.is_empty() {
        bounce(inner, msg, entry, body, round.bounces).await?;
    }
    Ok(round.again)
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
