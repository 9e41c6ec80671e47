//! The connector self-test's answer (issue 11, item 5): a message accept marked as a self-test
//! (`Decision::connector_self_test`, mail to `connect-test@<gateway domain>` from an attributed
//! tenant) is never delivered. Its sender gets a plain-text report instead — which attribution
//! checks passed, the inbound session's TLS version and cipher, what the gateway knows of the
//! inbound DKIM and how this report is signed, and the times — built by
//! [`Originator::message`] like every mail the gateway originates: null reverse path and the
//! gateway's Message-ID, so it takes the tenant's return route (`return_route.rs`) with the
//! tenant's client certificate, and is signed with the gateway's DKIM key.
//!
//! Order (nothing accepted is lost): the report is committed durably first, then the self-test
//! recipient is recorded `delivered` with a reason naming the report; a crash in between sends
//! the report again, never none. The report holds no content of the test message (not its
//! subject, not its body) and never the tenant's token.

use crate::engine::Inner;
use crate::error::DeliverError;
use crate::notice::{Originator, crlf, rfc5322_date};
use sealgate_core::store::RecipientState;
use sealgate_core::{Address, Event, Message, MessageId, SelfTest, Status};
use sealgate_sign::{KeyOwner, Outcome, Signer};
use std::sync::Arc;

/// The start of the status reason recorded for an answered self-test (`queue show`).
pub const ANSWERED: &str = "connector self-test: not delivered; answered with report";

/// Answers the self-test `msg` (its due recipients `due`): commits the report, wakes delivery
/// for it, then records the recipients `delivered`.
pub(crate) async fn answer(
    inner: &Arc<Inner>,
    msg: &Arc<Message>,
    test: &SelfTest,
    due: &[&RecipientState],
) -> Result<(), DeliverError> {
    let now = inner.clock.now();
    let report = match msg.envelope.mail_from.clone() {
        None => None,
        Some(sender) => {
            let (origin, signer) = (inner.origin.clone(), Arc::clone(&inner.signer));
            let (m, t) = (Arc::clone(msg), test.clone());
            let id = tokio::task::spawn_blocking(move || {
                let id = origin.new_id();
                let content = report(&origin, &signer, id, &m, &t, &sender);
                origin.submit(id, &m.tenant, &sender, content)
            })
            .await
            .map_err(|_| DeliverError::Config("blocking task failed".into()))??;
            inner.wake(id);
            Some(id)
        }
    };
    let reason = match report {
        Some(r) => format!("{ANSWERED} {r} to the sender through the tenant's return route"),
        None => "connector self-test: not delivered; null sender, no report".to_string(),
    };
    let records: Vec<_> = due
        .iter()
        .map(|r| {
            (
                r.index,
                Event::status(now, Status::Delivered, &reason),
                None,
            )
        })
        .collect();
    let id = msg.id;
    inner
        .blocking(move |s| Ok(s.record_many(id, records)?))
        .await?;
    tracing::info!(%id, tenant = %msg.tenant, report = ?report.map(|r| r.to_string()), "connector self-test answered");
    Ok(())
}

/// The report for the self-test `msg`, to `to`, as the complete message `id`.
pub fn report(
    origin: &Originator,
    signer: &Signer,
    id: MessageId,
    msg: &Message,
    test: &SelfTest,
    to: &Address,
) -> Vec<u8> {
    let now = origin.clock.now();
    let subject = format!(
        "Sealgate connector self-test: passed for tenant {}",
        msg.tenant
    );
    let mut head = origin.headers(id, to, &subject, now);
    head.push_str(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
    );
    let signing = signing_line(signer, head.as_bytes());
    let checks: Vec<String> = test.checks.iter().map(|c| format!("  - {c}")).collect();
    let c = &msg.client;
    let body = format!(
        "This is the connector self-test report of the Sealgate gateway {host}.\n\n\
         Your message to connect-test@{domain} reached the gateway and was attributed to tenant\n\
         \"{tenant}\". This report came back through the tenant's return route, so mail flows\n\
         in both directions. Your test message itself was not delivered anywhere.\n\n\
         Attribution checks passed:\n{checks}\n\n\
         Inbound session:\n  - TLS version: {version}\n  - TLS cipher: {cipher}\n\n\
         DKIM:\n  - your message: {inbound}\n  - this report: {signing}\n\n\
         Time:\n  - your message was received: {received}\n  - this report was written: {written}\n\n\
         Gateway queue id of your test message: {mid}\n",
        host = origin.identity.hostname,
        domain = origin.identity.domain,
        tenant = msg.tenant,
        checks = checks.join("\n"),
        version = c.tls_version.as_deref().unwrap_or("none (no STARTTLS)"),
        cipher = c.tls_cipher.as_deref().unwrap_or("none"),
        inbound = test.inbound_dkim,
        received = rfc5322_date(msg.received_at),
        written = rfc5322_date(now),
        mid = msg.id,
    );
    let mut out = head.into_bytes();
    out.extend_from_slice(crlf(&body).as_bytes());
    out
}

/// How the report will be signed: the gateway's keys for its From domain, found by signing the
/// header block alone (the signature itself is made by the sign stage at delivery).
fn signing_line(signer: &Signer, head: &[u8]) -> String {
    match signer.sign(&KeyOwner::Gateway, head) {
        Ok(Outcome::Signed(s)) => {
            let sigs: Vec<String> = s
                .signatures
                .iter()
                .map(|i| format!("d={} s={}", i.domain, i.selector))
                .collect();
            format!(
                "DKIM-signed by the gateway ({}); the Authentication-Results your server adds says whether it verified",
                sigs.join(", ")
            )
        }
        Ok(Outcome::Unsigned(why)) => {
            format!("not DKIM-signed ({why}: set [gateway] dkim_selector and dkim_key)")
        }
        Err(e) => format!("DKIM signing problem: {e}"),
    }
}
