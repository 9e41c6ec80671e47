//! One session with one host of a group: a pooled connection or a new one (retried in
//! plaintext after a failed handshake only where the floor is `may`), what it reached reported
//! to the policy (pins, TLS-RPT), and the transaction run on it (once more on a fresh
//! connection when a pooled one turns out closed before anything was sent).

use super::failures::Failures;
use super::outcome::{Outcome, split, with_reply};
use super::send::Group;
use crate::client::{Connection, SessionParams, Transaction};
use crate::engine::Inner;
use crate::error::DeliverError;
use crate::route::Target;
use sealgate_core::Method;
use sealgate_core::event::AttemptFacts;
use sealgate_tlspolicy::tlsrpt::FailureKind;
use sealgate_tlspolicy::{Achieved, DomainPlan, MxPlan, SessionResult, Verdict};

/// A session with the host: a pooled one (`true`: reused), or a new one with the handshake's
/// TLS-RPT failure when it went on in plaintext. A new session that fails — a handshake where
/// the floor is above `may`, reported when counted, or anything else — is recorded in
/// `failures` and gives `None`.
pub(super) async fn session(
    g: &Group<'_>,
    target: &Target,
    params: &SessionParams,
    mx: &MxPlan,
    host_facts: &AttemptFacts,
    failures: &mut Failures,
) -> Option<(Connection, bool, Option<FailureKind>)> {
    if let Some(c) = g.inner.pool.take(target, params) {
        return Some((c, true, None));
    }
    match open(g.inner, target, params, mx).await {
        Ok((c, failed)) => Some((c, false, failed)),
        Err(e @ (DeliverError::Tls(_) | DeliverError::Handshake { .. })) => {
            // The floor is above `may` (else `open` went on in plaintext).
            let failure = match &e {
                DeliverError::Handshake { failure, .. } => *failure,
                _ => FailureKind::ValidationFailure,
            };
            if g.counted {
                let a = Achieved::Plaintext;
                report(g.inner, &g.plan, mx, target, a, None, Some(failure)).await;
            }
            match mx.judge(Achieved::Plaintext) {
                Verdict::Unmet(u) => failures.tls(g.inner, mx, host_facts.clone(), u),
                Verdict::Send => failures.other(with_reply(host_facts.clone(), &e.reply()), e),
            }
            None
        }
        Err(e) => {
            tracing::debug!(relay = %target.host, error = %e, "next hop unusable");
            failures.other(with_reply(host_facts.clone(), &e.reply()), e);
            None
        }
    }
}

/// The source of the strongest floor part (`none` without one), for the TLS metric.
fn floor_source(mx: &MxPlan) -> &'static str {
    mx.floor
        .deciding()
        .next()
        .map_or("none", |p| p.source.as_str())
}

/// What a transaction on one host gave.
pub(super) enum Sent {
    /// Per-recipient outcomes, and the connection to give back (if reusable).
    Done(Vec<(u32, Option<Method>, Outcome)>, Option<Box<Connection>>),
    /// Nothing reached a per-recipient outcome; `true` when the body may have been delivered.
    Failed(AttemptFacts, DeliverError, bool),
}

/// Runs the transaction on `conn` (once more on a fresh connection when a cached one turns
/// out closed before anything was sent).
#[allow(clippy::too_many_arguments)]
pub(super) async fn send_on(
    inner: &Inner,
    target: &Target,
    params: &SessionParams,
    mx: &MxPlan,
    txn: &Transaction<'_>,
    mut conn: Connection,
    reused: bool,
    rcpts: &[(u32, Option<Method>)],
) -> Sent {
    let mut result = conn.send(txn).await;
    if result.is_err() && reused && conn.broken && !conn.in_data {
        match open(inner, target, params, mx).await.map(|(c, _)| c) {
            // The fresh session must reach the level again.
            Ok(fresh) if mx.judge(mx.achieved(fresh.tls.chain.as_deref())) == Verdict::Send => {
                conn = fresh;
                result = conn.send(txn).await;
            }
            Ok(fresh) => {
                let facts = fresh.facts.clone();
                fresh.quit().await;
                let e = DeliverError::TlsRequired("TLS level not reached on reconnect".into());
                return Sent::Failed(with_reply(facts, &e.reply()), e, false);
            }
            Err(e) => return Sent::Failed(with_reply(conn.facts.clone(), &e.reply()), e, false),
        }
    }
    let version = conn
        .facts
        .tls_version
        .clone()
        .unwrap_or_else(|| "none".into());
    match result {
        Ok(results) => {
            inner
                .metrics
                .outbound_tls
                .with_label_values(&[&version, floor_source(mx)])
                .inc();
            let outcomes = rcpts
                .iter()
                .zip(results)
                .map(|((i, m), r)| {
                    let o = match r {
                        Ok(reply) => Outcome::Delivered(with_reply(conn.facts.clone(), &reply)),
                        Err(e) => split(with_reply(conn.facts.clone(), &e.reply()), e),
                    };
                    (*i, *m, o)
                })
                .collect();
            Sent::Done(outcomes, Some(Box::new(conn)))
        }
        Err(e @ (DeliverError::Refused(_) | DeliverError::Unsendable(_))) if !conn.broken => {
            let facts = with_reply(conn.facts.clone(), &e.reply());
            let outcomes = rcpts
                .iter()
                .map(|(i, m)| (*i, *m, split(facts.clone(), e.copy())))
                .collect();
            Sent::Done(outcomes, Some(Box::new(conn)))
        }
        Err(e) => {
            let sent_body = conn.in_data;
            let facts = with_reply(conn.facts.clone(), &e.reply());
            conn.quit().await;
            Sent::Failed(facts, e, sent_body)
        }
    }
}

/// Tells the policy what a new session reached (pins, TLS-RPT). A failure to record is logged,
/// never fatal to the delivery.
pub(super) async fn report(
    inner: &Inner,
    plan: &DomainPlan,
    mx: &MxPlan,
    target: &Target,
    achieved: Achieved,
    conn: Option<&Connection>,
    failure: Option<FailureKind>,
) {
    let facts = conn.map(|c| &c.facts);
    let result = SessionResult {
        achieved,
        webpki_ok: conn.is_some_and(|c| c.tls.webpki_ok),
        failure,
        sending_ip: None,
        receiving_ip: Some(target.ip),
        tls_version: facts.and_then(|f| f.tls_version.clone()),
        tls_cipher: facts.and_then(|f| f.tls_cipher.clone()),
    };
    if let Err(e) = inner.policy.record_result(plan, mx, &result).await {
        tracing::warn!(relay = %target.host, error = %e, "could not record the TLS session result");
    }
}

/// Opens a connection with the host's TLS configuration; a failed handshake is retried once in
/// plaintext only where the floor is `may` (RFC 7435, as Postfix does at level `may`), and
/// its TLS-RPT result type comes back with the plaintext connection.
async fn open(
    inner: &Inner,
    target: &Target,
    params: &SessionParams,
    mx: &MxPlan,
) -> Result<(Connection, Option<FailureKind>), DeliverError> {
    let t = inner.settings.timeouts;
    match Connection::open(target, params, Some(mx), t).await {
        Err(e @ (DeliverError::Tls(_) | DeliverError::Handshake { .. }))
            if mx.plaintext_allowed =>
        {
            tracing::info!(relay = %target.host, error = %e, "TLS handshake failed; retrying in plaintext");
            let failure = match e {
                DeliverError::Handshake { failure, .. } => failure,
                _ => FailureKind::ValidationFailure,
            };
            let conn = Connection::open(target, params, None, t).await?;
            Ok((conn, Some(failure)))
        }
        other => other.map(|c| (c, None)),
    }
}
