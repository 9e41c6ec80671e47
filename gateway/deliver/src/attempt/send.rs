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
//!
//! Each host's session (open, report, transaction) is in `session.rs`.

use super::GroupResult;
use super::failures::Failures;
use super::outcome::{Outcome, split, with_reply};
use super::session::{Sent, report, send_on, session};
use crate::client::{Connection, RcptTo, SessionParams, TlsKey, TlsPolicy, Transaction};
use crate::engine::{Inner, TenantRoutes};
use crate::error::DeliverError;
use crate::report_mail::GATEWAY_TENANT;
use crate::return_route::TenantReturn;
use crate::route::{Route, Target};
use sealgate_core::event::AttemptFacts;
use sealgate_core::{Body, BodyType, Domain, Message, Method, Recipient, Severity};
use sealgate_tlspolicy::mtasts::StsLookup;
use sealgate_tlspolicy::policy::{Discovery, RouteKind};
use sealgate_tlspolicy::tlsrpt::FailureKind;
use sealgate_tlspolicy::{Achieved, DomainPlan, MxPlan, Verdict};
use std::net::IpAddr;
use std::sync::Arc;

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

/// What every host of one group shares.
pub(super) struct Group<'a> {
    pub(super) inner: &'a Inner,
    msg: &'a Message,
    rcpts: &'a [(u32, Option<Method>)],
    /// The tenant's return route, when this is the gateway's own mail for a tenant.
    ret: Option<Arc<TenantReturn>>,
    kind: RouteKind,
    pub(super) plan: DomainPlan,
    helo: String,
    source: Option<IpAddr>,
    /// The sessions are reported to the policy (pins, TLS-RPT).
    pub(super) counted: bool,
    txn: Transaction<'a>,
}

impl Group<'_> {
    /// How a session with a host of this plan presents itself.
    fn params(&self, mx: &MxPlan) -> SessionParams {
        SessionParams {
            helo: self.helo.clone(),
            source: self.source,
            tls: TlsKey {
                level: mx.level,
                dane: mx.uses_dane(),
            },
            client_cert: self
                .ret
                .as_ref()
                .and_then(|r| r.identity.is_some().then(|| r.tenant.clone())),
        }
    }
}

/// What trying one host gave.
enum Host {
    /// Nothing was sent there: try the next host.
    Next,
    /// The body may have reached this host: no other host this round.
    Stop,
    /// Per-recipient outcomes, and the connection to give back (if reusable).
    Done(
        Vec<(u32, Option<Method>, Outcome)>,
        Option<(SessionParams, Box<Connection>)>,
    ),
}

/// Where a group goes: by the tenant's return route, TLS verified, for the mail the gateway
/// originates for a tenant; else by the configured static route or MX.
struct Way {
    ret: Option<Arc<TenantReturn>>,
    tls: TlsPolicy,
    kind: RouteKind,
    /// What the concurrency slot counts: the static hop, or the domain.
    destination: String,
}

fn way(
    inner: &Inner,
    routes: &TenantRoutes,
    msg: &Message,
    domain: &Domain,
    tls: TlsPolicy,
) -> Way {
    let ret = routes
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
    let (kind, destination) = match &route {
        Route::Static(hop) => (RouteKind::Static, format!("{}:{}", hop.host, hop.port)),
        Route::Mx => (RouteKind::Mx, domain.to_string()),
    };
    Way {
        ret,
        tls,
        kind,
        destination,
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
    let local = AttemptFacts {
        next_hop: domain.to_string(),
        ..AttemptFacts::default()
    };
    let tenant_routes = inner.tenant_routes();
    let way = way(inner, &tenant_routes, msg, domain, tls);
    let (plan, targets) = match plan_targets(inner, msg, domain, &way, &local).await {
        Ok(found) => found,
        Err(outcome) => return all_failed(rcpts, outcome),
    };
    let tenant = tenant_routes
        .tenants
        .get(&msg.tenant)
        .cloned()
        .unwrap_or_default();
    let helo = tenant
        .helo
        .unwrap_or_else(|| inner.origin.identity.hostname.clone());
    let slot = inner.pool.slot(&way.destination).await;
    let addresses: Vec<_> = rcpts
        .iter()
        .map(|(i, _)| &msg.envelope.recipients[*i as usize])
        .collect();
    // RFC 8460 §5.3: the sessions that deliver TLS-RPT reports are not themselves reported
    // (nor do they pin): a report about a broken domain must not feed the next one.
    // Nor are return-route sessions: the tenant's host is not the recipient domain's MX, and
    // its verified session must not pin the domain for the tenant's other mail.
    let counted =
        way.ret.is_none() && !(msg.tenant == GATEWAY_TENANT && msg.envelope.tls_required_no);
    let group = Group {
        inner,
        msg,
        rcpts,
        ret: way.ret,
        kind: way.kind,
        plan,
        helo,
        source: tenant.source,
        counted,
        txn: transaction(msg, &addresses, body, body_type),
    };
    let mut failures = Failures::new();
    for target in &targets {
        match try_host(&group, target, &mut failures).await {
            Host::Next => {}
            Host::Stop => break,
            Host::Done(outcomes, conn) => {
                return GroupResult {
                    outcomes,
                    conn: conn.map(|(params, c)| (target.clone(), params, *c)),
                    slot,
                };
            }
        }
    }
    let outcome = failures.outcome(local);
    let mut result = all_failed(rcpts, outcome);
    result.slot = slot;
    result
}

/// The TLS plan and the hosts to try; when either lookup fails, the outcome for the group.
async fn plan_targets(
    inner: &Inner,
    msg: &Message,
    domain: &Domain,
    way: &Way,
    local: &AttemptFacts,
) -> Result<(DomainPlan, Vec<Target>), Outcome> {
    let plan_domain = way
        .ret
        .as_ref()
        .and_then(|r| r.mx_domain())
        .unwrap_or(domain);
    let mut plan = tls_plan(inner, msg, domain, plan_domain, way.tls, way.kind)
        .await
        .map_err(|err| Outcome::Deferred(with_reply(local.clone(), &err.reply()), err))?;
    // A tenant's return route was named by the administrator: like a static route, its hosts
    // count as authenticated (`mx = "authenticated"` must not strand the tenant's DSNs).
    plan.configured = way.ret.is_some();
    let targets = match &way.ret {
        Some(r) => inner.router.return_targets(&r.route).await,
        None => inner.router.targets(domain).await,
    };
    let targets = targets.map_err(|e| split(with_reply(local.clone(), &e.reply()), e))?;
    Ok((plan, targets))
}

/// The same outcome for every recipient of the group (nothing reached a per-recipient one).
fn all_failed(rcpts: &[(u32, Option<Method>)], outcome: Outcome) -> GroupResult {
    let copy = || match &outcome {
        Outcome::Deferred(f, e) => Outcome::Deferred(f.clone(), e.copy()),
        Outcome::Failed(f, e) => Outcome::Failed(f.clone(), e.copy()),
        Outcome::TlsUnmet(f, e, k) => Outcome::TlsUnmet(f.clone(), e.copy(), *k),
        Outcome::Delivered(f) => Outcome::Delivered(f.clone()),
    };
    GroupResult {
        outcomes: rcpts.iter().map(|(i, m)| (*i, *m, copy())).collect(),
        conn: None,
        slot: None,
    }
}

/// The TLS policy's plan for the group's domain (`plan_domain`: a return route's MX domain,
/// else the recipients'); a failed lookup defers the group.
async fn tls_plan(
    inner: &Inner,
    msg: &Message,
    domain: &Domain,
    plan_domain: &Domain,
    tls: TlsPolicy,
    kind: RouteKind,
) -> Result<DomainPlan, DeliverError> {
    let rule = tls.rule_floor(requirement_label(tls));
    inner
        .policy
        .plan_with(plan_domain, Some(&rule), discovery(msg, kind))
        .await
        .map_err(|e| {
            tracing::warn!(%domain, error = %e, "TLS policy lookup failed; deferring");
            match e.severity() {
                Severity::Temporary => DeliverError::TlsRequired(format!("TLS policy: {e}")),
                Severity::Permanent => DeliverError::Config(format!("TLS policy: {e}")),
            }
        })
}

/// The group's transaction: the message's envelope for the group's recipients, with its copy.
fn transaction<'a>(
    msg: &'a Message,
    addresses: &[&'a Recipient],
    body: &'a Body,
    body_type: BodyType,
) -> Transaction<'a> {
    Transaction {
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
    }
}

/// Tries one host: skipped by the plan, a session below its floor or not fit for REQUIRETLS
/// (the next host is tried), or the transaction runs there.
async fn try_host(g: &Group<'_>, target: &Target, failures: &mut Failures) -> Host {
    let inner = g.inner;
    let host_facts = AttemptFacts {
        next_hop: target.host.clone(),
        ip: Some(target.ip.to_string()),
        ..AttemptFacts::default()
    };
    let mx = match g
        .plan
        .mx_plan(&target.host, g.kind)
        .map_err(|e| DeliverError::Config(format!("TLS policy: {e}")))
        .and_then(|mx| crate::return_route::present(g.ret.as_deref(), mx))
    {
        Ok(mx) => mx,
        Err(e) => {
            failures.other(with_reply(host_facts, &e.reply()), e);
            return Host::Next;
        }
    };
    let host_facts = AttemptFacts {
        tls_floor: Some(floor_text(&mx)),
        mx_auth: Some(mx.mx_auth),
        ..host_facts
    };
    if let Some(unmet) = mx.skip.clone() {
        tracing::info!(relay = %target.host, reason = unmet.reason(), "next hop skipped by the TLS policy");
        inner.policy.record_skipped(&g.plan, &mx);
        failures.tls(inner, &mx, host_facts, unmet);
        return Host::Next;
    }
    let params = g.params(&mx);
    let Some((mut conn, reused, handshake_failed)) =
        session(g, target, &params, &mx, &host_facts, failures).await
    else {
        return Host::Next;
    };
    conn.facts.tls_floor = host_facts.tls_floor.clone();
    conn.facts.mx_auth = host_facts.mx_auth;
    let achieved = mx.achieved(conn.tls.chain.as_deref());
    if !reused && g.counted {
        let failure =
            handshake_failed.or((!conn.tls.offered).then_some(FailureKind::StarttlsNotSupported));
        report(inner, &g.plan, &mx, target, achieved, Some(&conn), failure).await;
    }
    if let Verdict::Unmet(u) = mx.judge(achieved) {
        tracing::info!(relay = %target.host, reached = ?achieved, "session below the TLS floor; not sending");
        let facts = conn.facts.clone();
        conn.quit().await;
        failures.tls(inner, &mx, facts, u);
        return Host::Next;
    }
    if g.msg.envelope.require_tls && !requiretls_ok(&g.plan, &mx, achieved, &conn) {
        let facts = conn.facts.clone();
        conn.quit().await;
        failures.requiretls(facts, "next hop not REQUIRETLS-capable with validated TLS");
        return Host::Next;
    }
    match send_on(inner, target, &params, &mx, &g.txn, conn, reused, g.rcpts).await {
        Sent::Done(outcomes, conn) => Host::Done(outcomes, conn.map(|c| (params, c))),
        Sent::Failed(facts, e, sent_body) => {
            failures.other(facts, e);
            if sent_body {
                // The body went out and no final reply came back: this next hop may
                // have the message. Another host now would deliver it twice; defer.
                Host::Stop
            } else {
                Host::Next
            }
        }
    }
}
