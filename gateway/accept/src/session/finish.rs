//! End of data: content checks, header From authorisation, classify, durable commit, reply.
//!
//! The `250` is written only after the commit stage returns, i.e. after the body file, its
//! directory and the database are synced. Classification and commit run on the blocking pool.

use super::Session;
use crate::classify::Classifier;
use crate::conn::DataOutcome;
use sealgate_connectors::{Tenant, header_from_domains, other_originator_domains};
use sealgate_core::store::{QueueStore, StoreError};
use sealgate_core::{Body, ClientInfo, Decision, Domain, Envelope, Message, MessageId, Reply};
use sealgate_report::RejectReason;
use std::sync::Arc;
use std::time::Instant;

/// More Received headers than this means a mail loop (RFC 5321 §6.3).
const MAX_HOPS: usize = 50;

impl Session {
    pub(super) async fn finish(&mut self, outcome: DataOutcome) {
        let Some(tx) = self.tx.take() else {
            return;
        };
        if let Err((reply, reason)) = content_checks(&outcome) {
            self.refuse(reply, reason);
            return;
        }
        let tenant = match self.header_from_tenant(&outcome.body, tx.tenant.clone()) {
            Ok(t) => t,
            Err((reply, reason)) => {
                self.refuse(reply, reason);
                return;
            }
        };
        let Some(content) = self.attribute(&tenant, &outcome.body).await else {
            return;
        };
        // A connector self-test is not classified: it is answered, never delivered.
        let preset = tx
            .self_test
            .then(|| self.self_test_decision(&tenant, tx.recipients.len()));
        let p = Arc::clone(&self.pipeline);
        let now = p.clock.now();
        let id = MessageId::generate(now, p.rng.as_ref());
        let message = self.message(id, now, tx, &tenant, content, &outcome.body);
        // Until the commit returns, the message is all this session needs: the content as read
        // and the read buffer go now, not after the wait (at 1,000 sessions most of them wait
        // here, and these copies were most of the gateway's memory).
        drop(outcome);
        self.conn.release_idle_buffer();
        let started = Instant::now();
        let classifier = Arc::clone(&self.settings.classifier);
        let store = Arc::clone(&p.store);
        // One trip to the blocking pool: classify, then (unless rejected) commit durably.
        let outcome = tokio::task::spawn_blocking(move || {
            classify_and_commit(&*classifier, &*store, message, preset)
        })
        .await;
        let Some(message) = self.committed(id, outcome) else {
            return;
        };
        p.metrics
            .commit_seconds
            .observe(started.elapsed().as_secs_f64());
        p.metrics.accepted.inc();
        p.metrics.decision(&message.decision);
        p.metrics.bytes.inc_by(message.size);
        self.log_accepted(&message);
        self.reply(Reply::new(250, [2, 0, 0], format!("Ok: queued as {id}")));
        self.message_accepted();
        (p.on_commit)(id);
    }

    /// The message to classify and commit: the Received header this gateway adds, then the
    /// content as read (`headers` is the content before attribution, for the header fields the
    /// envelope takes from it).
    fn message(
        &self,
        id: MessageId,
        now: sealgate_core::Timestamp,
        tx: super::transaction::Transaction,
        tenant: &Tenant,
        content: Vec<u8>,
        headers: &[u8],
    ) -> Message {
        let (tls_version, tls_cipher) = self.tls.clone().unwrap_or((None, None));
        let client = ClientInfo {
            ip: self.client.ip(),
            helo: self.helo.clone().unwrap_or_default(),
            tls_version,
            tls_cipher,
            client_cert_name: self.cert_names.first().cloned(),
        };
        // RFC 8689 §4.2.1: with REQUIRETLS on MAIL FROM, a TLS-Required header field is ignored.
        let require_tls = tx.require_tls;
        let tls_required_no = !require_tls && has_tls_required_no(headers);
        let received = crate::received::header(&client, self.host(), id, now);
        let size = content.len() as u64;
        let mut body = Vec::with_capacity(received.len() + content.len());
        body.extend_from_slice(received.as_bytes());
        body.extend_from_slice(&content);
        Message {
            id,
            tenant: tenant.name.clone(),
            received_at: now,
            client,
            envelope: Envelope {
                mail_from: tx.mail_from,
                recipients: tx.recipients,
                ret: tx.ret,
                envid: tx.envid,
                body_type: tx.body_type,
                smtputf8: tx.smtputf8,
                require_tls,
                tls_required_no,
            },
            size,
            header_message_id: header_message_id(headers),
            decision: Default::default(),
            body: Body::new(body),
        }
    }

    /// The committed message, or `None` after refusing the transaction (a policy reject, a
    /// commit that failed, a task that died).
    fn committed(
        &mut self,
        id: MessageId,
        outcome: Result<Outcome, tokio::task::JoinError>,
    ) -> Option<Box<Message>> {
        match outcome {
            Ok(Outcome::Committed(m)) => Some(m),
            Ok(Outcome::Rejected {
                reply,
                tenant,
                rules,
            }) => {
                tracing::info!(%id, %tenant, ?rules, "rejected by policy");
                self.refuse(reply, RejectReason::Policy);
                None
            }
            Ok(Outcome::Failed(e)) => {
                tracing::error!(%id, error = %e, "commit failed");
                self.refuse(e.reply(), RejectReason::Storage);
                None
            }
            Err(_) => {
                tracing::error!(%id, "classify/commit task failed");
                self.refuse(Reply::local_error(), RejectReason::Storage);
                None
            }
        }
    }

    /// The tenant that may send this content: the envelope's, if fixed, else (null sender) the
    /// first candidate owning every From domain. Every From domain must be the tenant's.
    fn header_from_tenant(
        &self,
        body: &[u8],
        fixed: Option<Arc<Tenant>>,
    ) -> Result<Arc<Tenant>, (Reply, RejectReason)> {
        let mut domains = header_from_domains(body).map_err(super::origin::refusal)?;
        domains.extend(other_originator_domains(body).map_err(super::origin::refusal)?);
        let owns_all = |t: &Arc<Tenant>| domains.iter().all(|d: &Domain| t.may_send_as(d));
        let found = match fixed {
            Some(t) => owns_all(&t).then_some(t),
            None => self.candidates.iter().find(|t| owns_all(t)).cloned(),
        };
        found.ok_or_else(|| {
            tracing::info!(client = %self.client.ip(), "relay refused: header From domain is not the tenant's");
            (
                Reply::new(550, [5, 7, 1], "From header domain not permitted for this client"),
                RejectReason::SenderDomain,
            )
        })
    }

    fn log_accepted(&self, m: &Message) {
        let p = &self.pipeline.pseudonyms;
        let rcpts: Vec<String> = m
            .envelope
            .recipients
            .iter()
            .map(|r| p.address(&r.address))
            .collect();
        tracing::info!(
            id = %m.id,
            tenant = %m.tenant,
            client = %m.client.ip,
            tls = m.client.tls_version.as_deref().unwrap_or("none"),
            from = %p.sender(m.envelope.mail_from.as_ref()),
            rcpts = ?rcpts,
            size = m.size,
            phi = m.decision.phi,
            rules = ?m.decision.rules,
            requiretls = m.envelope.require_tls,
            tls_required_no = m.envelope.tls_required_no,
            "accepted"
        );
    }
}

/// What the blocking half of end-of-data produced.
enum Outcome {
    /// Durable: `250` may be sent.
    Committed(Box<Message>),
    /// A rule refused the message.
    Rejected {
        reply: Reply,
        tenant: String,
        rules: Vec<String>,
    },
    /// The spool failed.
    Failed(StoreError),
}

/// Classifies (unless the decision is `preset`: a connector self-test), then commits unless
/// the decision rejects. Runs on the blocking pool.
fn classify_and_commit(
    classifier: &dyn Classifier,
    store: &dyn QueueStore,
    mut message: Message,
    preset: Option<Decision>,
) -> Outcome {
    let decision = preset.unwrap_or_else(|| classifier.classify(&message));
    if let Some(reply) = decision.reject_reply() {
        return Outcome::Rejected {
            reply,
            tenant: message.tenant,
            rules: decision.rules,
        };
    }
    message.decision = decision;
    match store.commit(&message) {
        Ok(()) => Outcome::Committed(Box::new(message)),
        Err(e) => Outcome::Failed(e),
    }
}

/// Size, bare line breaks, overlong lines and mail loops.
fn content_checks(o: &DataOutcome) -> Result<(), (Reply, RejectReason)> {
    if o.too_big {
        return Err((
            Reply::new(552, [5, 3, 4], "Message size exceeds fixed limit"),
            RejectReason::Size,
        ));
    }
    if o.over_budget {
        return Err(super::origin::over_budget());
    }
    if o.bare_line_break {
        return Err((
            Reply::new(
                550,
                [5, 5, 2],
                "Bare CR or LF in message content not allowed",
            ),
            RejectReason::Content,
        ));
    }
    if o.long_line {
        return Err((
            Reply::new(550, [5, 5, 2], "Message line longer than 998 octets"),
            RejectReason::Content,
        ));
    }
    if count_received(&o.body) > MAX_HOPS {
        return Err((
            Reply::new(554, [5, 4, 6], "Too many hops: mail loop detected"),
            RejectReason::Content,
        ));
    }
    Ok(())
}

/// The top-level header section with its last CRLF (empty when the message starts with the
/// blank line; all of it when there is no body).
fn header_block(body: &[u8]) -> &[u8] {
    if body.starts_with(b"\r\n") {
        return &[];
    }
    let end = body
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(body.len(), |p| p + 2);
    &body[..end]
}

fn count_received(body: &[u8]) -> usize {
    header_block(body)
        .split(|&b| b == b'\n')
        .filter(|l| l.len() >= 9 && l[..9].eq_ignore_ascii_case(b"received:"))
        .count()
}

/// True when the top-level header section has a `TLS-Required: No` field (RFC 8689 §5; name and
/// value in any case, folding and surrounding white space allowed). Bodies and attached messages
/// are not looked at.
fn has_tls_required_no(body: &[u8]) -> bool {
    let is_no = |field: &[u8]| {
        let Some(colon) = field.iter().position(|&b| b == b':') else {
            return false;
        };
        let (name, value) = (&field[..colon], &field[colon + 1..]);
        // Unfolded: folding CRLFs are gone, the white space after them stays and is trimmed.
        name.trim_ascii_end().eq_ignore_ascii_case(b"TLS-Required")
            && value.trim_ascii().eq_ignore_ascii_case(b"No")
    };
    let mut field: Vec<u8> = Vec::new();
    for line in header_block(body).split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            field.extend_from_slice(line);
            continue;
        }
        if is_no(&field) {
            return true;
        }
        field.clear();
        field.extend_from_slice(line);
    }
    is_no(&field)
}

/// The Message-ID header value with angle brackets, if one is present and sane.
fn header_message_id(body: &[u8]) -> Option<String> {
    let parsed = mail_parser::MessageParser::new().parse_headers(body)?;
    let id = parsed.message_id()?;
    (id.len() <= 250 && id.chars().all(|c| c.is_ascii_graphic())).then(|| format!("<{id}>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hops_and_message_id() {
        let mut b = Vec::new();
        for _ in 0..3 {
            b.extend_from_slice(b"Received: from x\r\n");
        }
        b.extend_from_slice(b"Message-ID: <abc@d.org>\r\n\r\nReceived: in body\r\n");
        assert_eq!(count_received(&b), 3);
        assert_eq!(header_message_id(&b).as_deref(), Some("<abc@d.org>"));
    }

    #[test]
    fn tls_required_no_only_in_the_top_level_header_section() {
        let with = |h: &str| format!("From: a@acme-health.org\r\n{h}Subject: s\r\n\r\nbody\r\n");
        for yes in [
            "TLS-Required: No\r\n",
            "tls-required: no\r\n",
            "TLS-REQUIRED:NO\r\n",
            "TLS-Required:   No  \t\r\n",
            "TLS-Required :\tNo\r\n",
            "TLS-Required:\r\n No\r\n",
            "X-Other: 1\r\nTLS-Required: No\r\n",
        ] {
            assert!(has_tls_required_no(with(yes).as_bytes()), "{yes:?}");
        }
        // As the very last header line, without a body.
        assert!(has_tls_required_no(
            b"From: a@b.org\r\nTLS-Required: No\r\n"
        ));
        for no in [
            "",
            "TLS-Required: Yes\r\n",
            "TLS-Required: No thanks\r\n",
            "TLS-Required: N\r\n o\r\n",
            "TLS-Required: \"No\"\r\n",
            "X-TLS-Required: No\r\n",
            "TLS-Required-X: No\r\n",
            "Subject: TLS-Required: No\r\n",
            "Subject: x\r\n TLS-Required: No\r\n",
        ] {
            assert!(!has_tls_required_no(with(no).as_bytes()), "{no:?}");
        }
        // In the body, or in an attached message's header: not the message's own field.
        let in_body = "From: a@acme-health.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
                       --b\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y.org\r\n\
                       TLS-Required: No\r\n\r\ninner\r\n--b--\r\nTLS-Required: No\r\n";
        assert!(!has_tls_required_no(in_body.as_bytes()));
        // A message that starts with the blank line has no header section at all.
        assert!(!has_tls_required_no(b"\r\nTLS-Required: No\r\n"));
        assert_eq!(count_received(b"\r\nReceived: x\r\n"), 0);
    }
}
