//! Sending one destination group: the TLS plan for the domain, then each next hop in the
//! router's order, judged against the floor before any MAIL command.
//!
//! Guarantees (DESIGN.md "Protection model", issue 5):
//! - The floor is the TLS policy's: the rule's part, the admin's `[tls.domains]`, MTA-STS
//!   `enforce`, DANE and a pin ([`sealgate_tlspolicy`]). A host the plan skips (DNSSEC bogus
//!   or failed, not listed by an `enforce` policy, `dane-only` without TLSA, a name not
//!   authenticated under `mx = "authenticated"` for verified TLS) is never contacted; every
//!   attempt records how its host's name was authenticated (`mx_auth`).
//! - Nothing is sent over a session that does not meet the host's level: no STARTTLS or a
//!   failed handshake is retried in plaintext only when the floor is `may`; otherwise the
//!   session is closed before MAIL and the unmet floor decides — defer (discovered demands),
//!   next method (`forced`) or drop with notice (`exclusive`), the last two only when every
//!   host failed on TLS.
//! - `REQUIRETLS` mail goes only to a host that offers REQUIRETLS over TLS validated by DANE or
//!   by a matching MTA-STS policy; when none does, the recipients fail with `5.7.30`.
//! - `TLS-Required: No` lifts the discovered demands (MTA-STS, DANE, pins) — unless the rules
//!   marked the message PHI or it also asked REQUIRETLS.
//! - Every new session is reported to the policy (pins, TLS-RPT) with what it reached —
//!   except the sessions carrying TLS-RPT reports themselves.

use super::GroupResult;
use super::failures::Failures;
use super::outcome::{Outcome, split, with_reply};
use crate::client::{Connection, RcptTo, SessionParams, TlsKey, TlsPolicy, Transaction};
use crate::engine::Inner;
use crate::error::DeliverError;
use crate::report_mail::GATEWAY_TENANT;
use crate::route::{Route, Target};
use sealgate_core::event::AttemptFacts;
use sealgate_core::{Body, BodyType, Domain, Message, Method, Severity};
use sealgate_tlspolicy::mtasts::StsLookup;
use sealgate_tlspolicy::policy::{Discovery, RouteKind};
use sealgate_tlspolicy::tlsrpt::FailureKind;
use sealgate_tlspolicy::{Achieved, DomainPlan, MxPlan, SessionResult, Verdict};

/// The requirement named in the rule's floor part, by the TLS the rule asked.
fn requirement_label(tls: TlsPolicy) -> &'static str {
    match tls {
        TlsPolicy::Opportunistic => "deliver",
        TlsPolicy::Required => "tls-only",
        TlsPolicy::Verified => "encrypt (tls-verified)",
    }
}

/// The floor a session was judged against, for the attempt record: `verify (mta-sts, rule)`.
fn floor_text(mx: &MxPlan) -> String {
    let mut sources: Vec<&str> = mx.floor.deciding().map(|p| p.source.as_str()).collect();
    sources.dedup();
    if sources.is_empty() {
        return mx.level.as_str().to_string();
    }
    format!("{} ({})", mx.level.as_str(), sources.join(", "))
}

/// The source of the strongest floor part (`none` without one), for the TLS metric.
fn floor_source(mx: &MxPlan) -> &'static str {
    mx.floor
        .deciding()
        .next()
        .map_or("none", |p| p.source.as_str())
}

/// What the policy lookups may consider for this message and route.
fn discovery(msg: &Message, route: RouteKind) -> Discovery {
    let e = &msg.envelope;
    let optional = e.tls_required_no && !e.require_tls && !msg.decision.phi;
    Discovery {
        mx_policies: route == RouteKind::Mx && !optional,
        pin: !optional,
    }
}

/// Whether a session may carry a REQUIRETLS message (RFC 8689 §4.2.1): the host offers
/// REQUIRETLS and its certificate was validated by DANE, or by WebPKI under an MTA-STS policy
/// that lists the host.
fn requiretls_ok(plan: &DomainPlan, mx: &MxPlan, achieved: Achieved, conn: &Connection) -> bool {
    if !conn.capabilities().requiretls {
        return false;
    }
    match achieved {
        Achieved::DaneVerified => true,
        Achieved::Verified => {
            matches!(&plan.sts, StsLookup::Policy { policy, .. } if policy.matches(&mx.host))
        }
        Achieved::Plaintext | Achieved::Encrypted => false,
    }
}

/// Sends one group's transaction, trying the targets in order. Returns each recipient's outcome
/// and the connection to give back once the outcomes are recorded.
pub(super) async fn deliver_group(
    inner: &Inner,
    msg: &Message,
    body: &Body,
    body_type: BodyType,
    domain: &Domain,
    tls: TlsPolicy,
    rcpts: &[(u32, Option<Method>)],
) -> GroupResult {
    let all = |make: &dyn Fn() -> Outcome| -> Vec<(u32, Option<Method>, Outcome)> {
        rcpts.iter().map(|(i, m)| (*i, *m, make())).collect()
    };
    let failed = |outcome: Outcome| GroupResult {
        outcomes: all(&|| match &outcome {
            Outcome::Deferred(f, e) => Outcome::Deferred(f.clone(), e.copy()),
            Outcome::Failed(f, e) => Outcome::Failed(f.clone(), e.copy()),
            Outcome::TlsUnmet(f, e, k) => Outcome::TlsUnmet(f.clone(), e.copy(), *k),
            Outcome::Delivered(f) => Outcome::Delivered(f.clone()),
        }),
        conn: None,
        slot: None,
    };
    let local = AttemptFacts {
        next_hop: domain.to_string(),
        ..AttemptFacts::default()
    };
    // Mail the gateway originates for a tenant goes by the tenant's return route, TLS verified.
    let tenant_routes = inner.tenant_routes();
    let ret = tenant_routes
        .return_routes
        .for_message(msg, &inner.origin.identity.domain);
    let tls = if ret.is_some() {
        TlsPolicy::Verified
    } else {
        tls
    };
    let route = match &ret {
        Some(r) => r.route(),
        None => inner.router.route_of(domain),
    };
    let plan_domain = ret.as_ref().and_then(|r| r.mx_domain()).unwrap_or(domain);
    let (kind, destination) = match &route {
        Route::Static(hop) => (RouteKind::Static, format!("{}:{}", hop.host, hop.port)),
        Route::Mx => (RouteKind::Mx, domain.to_string()),
    };
    let rule = tls.rule_floor(requirement_label(tls));
    let mut plan = match inner
        .policy
        .plan_with(plan_domain, Some(&rule), discovery(msg, kind))
        .await
    {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(%domain, error = %e, "TLS policy lookup failed; deferring");
            let err = match e.severity() {
                Severity::Temporary => DeliverError::TlsRequired(format!("TLS policy: {e}")),
                Severity::Permanent => DeliverError::Config(format!("TLS policy: {e}")),
            };
            return failed(Outcome::Deferred(with_reply(local, &err.reply()), err));
        }
    };
    // A tenant's return route was named by the administrator: like a static route, its hosts
    // count as authenticated (`mx = "authenticated"` must not strand the tenant's DSNs).
    plan.configured = ret.is_some();
    let targets = match &ret {
        Some(r) => inner.router.return_targets(&r.route).await,
        None => inner.router.targets(domain).await,
    };
    let targets = match targets {
        Ok(t) => t,
        Err(e) => {
            let facts = with_reply(local, &e.reply());
            return failed(split(facts, e));
        }
    };
    let tenant = tenant_routes
        .tenants
        .get(&msg.tenant)
        .cloned()
        .unwrap_or_default();
    let helo = tenant
        .helo
        .unwrap_or_else(|| inner.origin.identity.hostname.clone());
    let slot = inner.pool.slot(&destination).await;
    let addresses: Vec<_> = rcpts
        .iter()
        .map(|(i, _)| &msg.envelope.recipients[*i as usize])
        .collect();
    let txn = Transaction {
        mail_from: msg.envelope.mail_from.as_ref(),
        ret: msg.envelope.ret,
        envid: msg.envelope.envid.as_deref(),
        body_type,
        smtputf8: msg.envelope.smtputf8,
        requiretls: msg.envelope.require_tls,
        rcpts: addresses
            .iter()
            .map(|r| RcptTo {
                address: &r.address,
                notify: r.notify,
                orcpt: r.orcpt.as_deref(),
            })
            .collect(),
        body,
    };
    // RFC 8460 §5.3: the sessions that deliver TLS-RPT reports are not themselves reported
    // (nor do they pin): a report about a broken domain must not feed the next one.
    // Nor are return-route sessions: the tenant's host is not the recipient domain's MX, and
    // its verified session must not pin the domain for the tenant's other mail.
    let counted = ret.is_none() && !(msg.tenant == GATEWAY_TENANT && msg.envelope.tls_required_no);
    let mut failures = Failures::new();
    for target in &targets {
        let host_facts = AttemptFacts {
            next_hop: target.host.clone(),
            ip: Some(target.ip.to_string()),
            ..AttemptFacts::default()
        };
        let mx = match plan
            .mx_plan(&target.host, kind)
            .map_err(|e| DeliverError::Config(format!("TLS policy: {e}")))
            .and_then(|mx| crate::return_route::present(ret.as_deref(), mx))
        {
            Ok(mx) => mx,
            Err(e) => {
                failures.other(with_reply(host_facts, &e.reply()), e);
                continue;
            }
        };
        let host_facts = AttemptFacts {
            tls_floor: Some(floor_text(&mx)),
            mx_auth: Some(mx.mx_auth),
            ..host_facts
        };
        if let Some(unmet) = mx.skip.clone() {
            tracing::info!(relay = %target.host, reason = unmet.reason(), "next hop skipped by the TLS policy");
            inner.policy.record_skipped(&plan, &mx);
            failures.tls(inner, &mx, host_facts, unmet);
            continue;
        }
        let params = SessionParams {
            helo: helo.clone(),
            source: tenant.source,
            tls: TlsKey {
                level: mx.level,
                dane: mx.uses_dane(),
            },
            client_cert: ret
                .as_ref()
                .and_then(|r| r.identity.is_some().then(|| r.tenant.clone())),
        };
        let (conn, reused, handshake_failed) = match inner.pool.take(target, &params) {
            Some(c) => (c, true, None),
            None => match open(inner, target, &params, &mx).await {
                Ok((c, failed)) => (c, false, failed),
                Err(e @ (DeliverError::Tls(_) | DeliverError::Handshake { .. })) => {
                    // The floor is above `may` (else `open` went on in plaintext).
                    let failure = match &e {
                        DeliverError::Handshake { failure, .. } => *failure,
                        _ => FailureKind::ValidationFailure,
                    };
                    if counted {
                        let a = Achieved::Plaintext;
                        report(inner, &plan, &mx, target, a, None, Some(failure)).await;
                    }
                    match mx.judge(Achieved::Plaintext) {
                        Verdict::Unmet(u) => failures.tls(inner, &mx, host_facts, u),
                        Verdict::Send => failures.other(with_reply(host_facts, &e.reply()), e),
                    }
                    continue;
                }
                Err(e) => {
                    tracing::debug!(relay = %target.host, error = %e, "next hop unusable");
                    failures.other(with_reply(host_facts, &e.reply()), e);
                    continue;
                }
            },
        };
        let mut conn = conn;
        conn.facts.tls_floor = host_facts.tls_floor.clone();
        conn.facts.mx_auth = host_facts.mx_auth;
        let achieved = mx.achieved(conn.tls.chain.as_deref());
        if !reused && counted {
            let failure = handshake_failed
                .or((!conn.tls.offered).then_some(FailureKind::StarttlsNotSupported));
            report(inner, &plan, &mx, target, achieved, Some(&conn), failure).await;
        }
        if let Verdict::Unmet(u) = mx.judge(achieved) {
            tracing::info!(relay = %target.host, reached = ?achieved, "session below the TLS floor; not sending");
            let facts = conn.facts.clone();
            conn.quit().await;
            failures.tls(inner, &mx, facts, u);
            continue;
        }
        if msg.envelope.require_tls && !requiretls_ok(&plan, &mx, achieved, &conn) {
            let facts = conn.facts.clone();
            conn.quit().await;
            failures.requiretls(facts, "next hop not REQUIRETLS-capable with validated TLS");
            continue;
        }
        match send_on(inner, target, &params, &mx, &txn, conn, reused, rcpts).await {
            Sent::Done(outcomes, conn) => {
                return GroupResult {
                    outcomes,
                    conn: conn.map(|c| (target.clone(), params, *c)),
                    slot,
                };
            }
            Sent::Failed(facts, e, sent_body) => {
                failures.other(facts, e);
                if sent_body {
                    // The body went out and no final reply came back: this next hop may
                    // have the message. Another host now would deliver it twice; defer.
                    break;
                }
            }
        }
    }
    let outcome = failures.outcome(local);
    let mut result = failed(outcome);
    result.slot = slot;
    result
}

/// What a transaction on one host gave.
enum Sent {
    /// Per-recipient outcomes, and the connection to give back (if reusable).
    Done(Vec<(u32, Option<Method>, Outcome)>, Option<Box<Connection>>),
    /// Nothing reached a per-recipient outcome; `true` when the body may have been delivered.
    Failed(AttemptFacts, DeliverError, bool),
}

/// Runs the transaction on `conn` (once more on a fresh connection when a cached one turns
/// out closed before anything was sent).
#[allow(clippy::too_many_arguments)]
async fn send_on(
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
async fn report(
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
