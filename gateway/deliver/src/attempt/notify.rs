//! What a round does for recipients that are not simply sent: deferrals without an attempt,
//! holds (notice first), TLS-only drops (notice first), bounces (DSN first) and delay DSNs.
//!
//! Guarantees: a recipient becomes `Held`, `DroppedByPolicy` or `Bounced` only after the
//! notice or DSN telling the sender is committed (a crash in between may repeat one, never
//! lose one).

use super::{Bounce, DELAY_SENT, DsnLine, Records};
use crate::dsn::{self, Action, DsnRecipient};
use crate::engine::Inner;
use crate::error::DeliverError;
use crate::notice::NoticeKind;
use sealgate_core::store::QueueEntry;
use sealgate_core::time::Timestamp;
use sealgate_core::{Body, Event, Message, Reply, Status};
use std::sync::Arc;

pub(super) async fn defer_all(
    inner: &Inner,
    entry: &QueueEntry,
    indexes: &[u32],
    err: &DeliverError,
) -> Result<(), DeliverError> {
    let now = inner.clock.now();
    let id = entry.message.id;
    let mut records = Records::new();
    for &i in indexes {
        let attempts = entry.recipients[i as usize].attempts;
        let next = now.plus(inner.settings.backoff(attempts + 1));
        records.push((
            i,
            Event::status(now, Status::TemporaryFailure, err.reply().to_string()),
            Some(next),
        ));
    }
    inner
        .blocking(move |s| Ok(s.record_many(id, records)?))
        .await
}

/// Holds recipients: notice first, then the `Held` state with its expiry.
pub(super) async fn hold(
    inner: &Inner,
    msg: &Arc<Message>,
    entry: &QueueEntry,
    holds: Vec<(u32, String)>,
) -> Result<(), DeliverError> {
    let now = inner.clock.now();
    let expiry = now.plus(inner.settings.hold_expiry);
    let reason = holds[0].1.clone();
    let addrs: Vec<_> = holds
        .iter()
        .map(|(i, _)| entry.recipients[*i as usize].address.clone())
        .collect();
    let (origin, templates, m) = (
        inner.origin.clone(),
        inner.templates.clone(),
        Arc::clone(msg),
    );
    let r = reason.clone();
    let notice = tokio::task::spawn_blocking(move || {
        let refs: Vec<_> = addrs.iter().collect();
        origin.held_notice(&templates, &m, &refs, &r, expiry)
    })
    .await
    .map_err(|_| DeliverError::Config("blocking task failed".into()))??;
    if let Some(n) = notice {
        inner.wake(n);
    }
    let records: Records = holds
        .into_iter()
        .map(|(i, why)| (i, Event::status(now, Status::Held, why), Some(expiry)))
        .collect();
    let id = msg.id;
    inner
        .blocking(move |s| Ok(s.record_many(id, records)?))
        .await?;
    tracing::info!(%id, reason = %reason, "held");
    Ok(())
}

/// TLS-only recipients whose TLS could not be had: notice, then `DroppedByPolicy`.
pub(super) async fn drop_tls(
    inner: &Inner,
    msg: &Arc<Message>,
    entry: &QueueEntry,
    dropped: &[u32],
) -> Result<(), DeliverError> {
    let now = inner.clock.now();
    let addrs: Vec<_> = dropped
        .iter()
        .map(|i| entry.recipients[*i as usize].address.clone())
        .collect();
    let (origin, templates, m) = (
        inner.origin.clone(),
        inner.templates.clone(),
        Arc::clone(msg),
    );
    let notice = tokio::task::spawn_blocking(move || {
        let refs: Vec<_> = addrs.iter().collect();
        origin.notice(
            &templates,
            NoticeKind::DroppedTls,
            &m,
            &refs,
            "TLS required",
        )
    })
    .await
    .map_err(|_| DeliverError::Config("blocking task failed".into()))??;
    if let Some(n) = notice {
        inner.wake(n);
    }
    let records: Records = dropped
        .iter()
        .map(|&i| {
            inner
                .metrics
                .dropped
                .with_label_values(&["tls_unavailable"])
                .inc();
            (
                i,
                Event::status(
                    now,
                    Status::DroppedByPolicy,
                    "TLS required by policy; not available at any next hop",
                ),
                None,
            )
        })
        .collect();
    let id = msg.id;
    inner
        .blocking(move |s| Ok(s.record_many(id, records)?))
        .await
}

/// Permanent failures: one DSN for all of them (when wanted), then `Bounced`.
pub(super) async fn bounce(
    inner: &Inner,
    msg: &Arc<Message>,
    entry: &QueueEntry,
    body: Option<Body>,
    bounces: Vec<Bounce>,
) -> Result<(), DeliverError> {
    let now = inner.clock.now();
    let id = msg.id;
    let wanted: Vec<&Bounce> = bounces
        .iter()
        .filter(|b| {
            dsn::wanted(
                msg,
                b.index as usize,
                Action::Failed,
                inner.settings.delay_warning.is_some(),
            )
        })
        .collect();
    if !wanted.is_empty() {
        let body = match body {
            Some(b) => Some(b),
            None => inner.blocking(move |s| Ok(s.body(id)?)).await.ok(),
        };
        let rcpts: Vec<DsnLine> = wanted
            .iter()
            .map(|b| {
                let r = &msg.envelope.recipients[b.index as usize];
                (
                    r.address.clone(),
                    r.orcpt.clone(),
                    b.reply.clone(),
                    b.remote.clone(),
                )
            })
            .collect();
        submit_dsn(inner, msg, body, rcpts, Action::Failed, now).await?;
    }
    let records: Records = bounces
        .iter()
        .map(|b| {
            let class = if b.reply.status.is_some_and(|s| s[1] == 7) {
                "policy"
            } else {
                "refused"
            };
            inner.metrics.bounced.with_label_values(&[class]).inc();
            (
                b.index,
                Event::status(now, Status::Bounced, b.reply.to_string()),
                None,
            )
        })
        .collect();
    let _ = entry;
    inner
        .blocking(move |s| Ok(s.record_many(id, records)?))
        .await
}

/// Recipients past `delay_warning`: one delay DSN, then their deferral and a marker event (so it
/// goes once), recorded together.
pub(super) async fn delay_warning(
    inner: &Inner,
    msg: &Arc<Message>,
    entry: &QueueEntry,
    body: Option<Body>,
    delayed: Vec<(u32, Reply, Timestamp)>,
) -> Result<(), DeliverError> {
    let now = inner.clock.now();
    let wanted: Vec<_> = delayed
        .iter()
        .filter(|(i, _, _)| dsn::wanted(msg, *i as usize, Action::Delayed, true))
        .collect();
    let mut sent = true;
    if !wanted.is_empty() {
        let rcpts = wanted
            .iter()
            .map(|(i, reply, _)| {
                let r = &msg.envelope.recipients[*i as usize];
                (r.address.clone(), r.orcpt.clone(), reply.clone(), None)
            })
            .collect();
        if let Err(e) = submit_dsn(inner, msg, body, rcpts, Action::Delayed, now).await {
            // The deferral still stands (with its backoff); the warning goes with a later round.
            tracing::warn!(id = %msg.id, error = %e, "delay DSN not committed; will try again");
            sent = false;
        }
    }
    let mut records = Records::new();
    for (i, reply, next) in &delayed {
        let deferred = Event::status(now, Status::TemporaryFailure, reply.to_string());
        records.push((*i, deferred, Some(*next)));
        if sent {
            let marker = Event::status(now, Status::TemporaryFailure, DELAY_SENT);
            records.push((*i, marker, Some(*next)));
        }
    }
    let _ = entry;
    let id = msg.id;
    inner
        .blocking(move |s| Ok(s.record_many(id, records)?))
        .await
}

async fn submit_dsn(
    inner: &Inner,
    msg: &Arc<Message>,
    body: Option<Body>,
    rcpts: Vec<DsnLine>,
    action: Action,
    now: Timestamp,
) -> Result<(), DeliverError> {
    let Some(sender) = msg.envelope.mail_from.clone() else {
        return Ok(());
    };
    let (origin, templates, m) = (
        inner.origin.clone(),
        inner.templates.clone(),
        Arc::clone(msg),
    );
    let until = (action == Action::Delayed)
        .then(|| msg.received_at.plus(inner.settings.max_queue_lifetime));
    let dsn_id = tokio::task::spawn_blocking(move || {
        let list: Vec<DsnRecipient<'_>> = rcpts
            .iter()
            .map(|(a, o, reply, remote)| DsnRecipient {
                address: a,
                orcpt: o.as_deref(),
                action,
                reply: reply.clone(),
                remote_mta: remote.clone(),
                last_attempt: now,
                will_retry_until: until,
            })
            .collect();
        let id = origin.new_id();
        match dsn::build(&origin, &templates, id, &m, body.as_deref(), &list) {
            Some(content) => origin.submit(id, &m.tenant, &sender, content).map(Some),
            None => Ok(None),
        }
    })
    .await
    .map_err(|_| DeliverError::Config("blocking task failed".into()))??;
    if let Some(d) = dsn_id {
        tracing::info!(id = %msg.id, dsn = %d, kind = ?action, "DSN queued");
        inner.wake(d);
    }
    Ok(())
}
