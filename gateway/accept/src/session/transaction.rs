//! The mail transaction: MAIL, RCPT, DATA and BDAT. Who may relay is decided here — at MAIL
//! by client and envelope sender, at the end of data by header From (see `finish.rs`).
//!
//! Memory: a transaction is admitted at MAIL against the global budget (`budget.rs`; the
//! `SIZE=` given, or a small initial share) and refused `452 4.3.1` when it cannot be; its
//! reservation grows with the content, and content the budget cannot hold is dropped and
//! answered `452 4.3.1` at the end of data. A BDAT chunk outside a transaction with
//! recipients is read and dropped as it streams, never stored.

use super::{Flow, Session};
use crate::budget::{INITIAL_CONTENT, Reservation};
use crate::conn::{DataOutcome, ReadError};
use sealgate_connectors::{Tenant, Tenants};
use sealgate_core::{Address, BodyType, Domain, DsnRet, Notify, Recipient, Reply};
use sealgate_report::RejectReason;
use smtp_proto::{MailFrom, RcptTo};
use std::sync::Arc;
use tokio::time::Instant;

/// The envelope being collected.
pub(super) struct Transaction {
    /// `None` for the null sender, whose tenant is settled by header From.
    pub mail_from: Option<Address>,
    /// Tenant fixed by the envelope sender's domain (`None` for `<>`).
    pub tenant: Option<Arc<Tenant>>,
    pub recipients: Vec<Recipient>,
    pub ret: Option<DsnRet>,
    pub envid: Option<String>,
    pub body_type: BodyType,
    pub smtputf8: bool,
    /// `REQUIRETLS` was given (only possible over TLS).
    pub require_tls: bool,
    /// BDAT chunks so far, if CHUNKING is in use.
    pub chunks: Option<DataOutcome>,
    /// This transaction's share of the memory budget (given back when it ends).
    pub reservation: Reservation,
    /// RCPT commands refused `452` for exceeding `max_recipients`.
    pub overflow: usize,
    /// The recipient is the connector self-test address (then it is the only one).
    pub self_test: bool,
}

/// A refused command: the reply and the reason counted.
type Refusal = (Reply, RejectReason);

/// RFC 3461 §4.4: an ENVID is at most 100 printable US-ASCII characters once decoded; anything
/// else (a decoded CR LF above all) could be smuggled into a DSN or a next hop.
fn envid_valid(envid: Option<&str>) -> Result<(), Refusal> {
    if envid.is_some_and(|e| e.len() > 100 || !e.bytes().all(|b| b.is_ascii_graphic())) {
        let reply = Reply::new(501, [5, 5, 4], "Invalid ENVID parameter");
        return Err((reply, RejectReason::Syntax));
    }
    Ok(())
}

impl Transaction {
    /// A transaction opened by an accepted MAIL command.
    fn new(
        from: MailFrom<String>,
        mail_from: Option<Address>,
        tenant: Option<Arc<Tenant>>,
        reservation: Reservation,
    ) -> Transaction {
        let flag = |f: u64| from.flags & f != 0;
        let ret = if flag(smtp_proto::MAIL_RET_HDRS) {
            Some(DsnRet::Hdrs)
        } else if flag(smtp_proto::MAIL_RET_FULL) {
            Some(DsnRet::Full)
        } else {
            None
        };
        let body_type = if flag(smtp_proto::MAIL_BODY_8BITMIME) {
            BodyType::EightBitMime
        } else if flag(smtp_proto::MAIL_BODY_BINARYMIME) {
            BodyType::BinaryMime
        } else {
            BodyType::SevenBit
        };
        Transaction {
            mail_from,
            tenant,
            recipients: Vec::new(),
            ret,
            body_type,
            smtputf8: flag(smtp_proto::MAIL_SMTPUTF8),
            require_tls: flag(smtp_proto::MAIL_REQUIRETLS),
            envid: from.env_id,
            chunks: None,
            reservation,
            overflow: 0,
            self_test: false,
        }
    }
}

impl Session {
    pub(super) fn mail(&mut self, from: MailFrom<String>) {
        let checked = self
            .mail_allowed(&from)
            .and_then(|()| self.mail_sender(&from.address))
            .and_then(|sender| Ok((self.mail_tenant(sender.as_ref())?, sender)))
            .and_then(|found| envid_valid(from.env_id.as_deref()).map(|()| found));
        let (tenant, mail_from) = match checked {
            Ok(found) => found,
            Err((reply, reason)) => {
                self.refuse(reply, reason);
                return;
            }
        };
        let max = self.settings.smtp.max_message_size;
        let announced = if from.size > 0 {
            from.size as u64
        } else {
            INITIAL_CONTENT.min(max)
        };
        let Some(reservation) = self.budget.reserve(announced) else {
            tracing::warn!(client = %self.client.ip(), "memory budget exhausted: MAIL deferred");
            self.pipeline.metrics.reject(RejectReason::Limits);
            self.reply(Reply::new(
                452,
                [4, 3, 1],
                "Insufficient system resources, try again later",
            ));
            return;
        };
        self.tx = Some(Transaction::new(from, mail_from, tenant, reservation));
        self.reply(Reply::new(250, [2, 1, 0], "Sender ok"));
    }

    /// MAIL's session-state checks: after EHLO, not inside a transaction, over TLS when
    /// required (by the settings, or by the command's REQUIRETLS), within the size limit.
    fn mail_allowed(&self, from: &MailFrom<String>) -> Result<(), Refusal> {
        if self.helo.is_none() {
            let reply = Reply::new(503, [5, 5, 1], "Send EHLO/HELO first");
            return Err((reply, RejectReason::Syntax));
        }
        if self.tx.is_some() {
            let reply = Reply::new(503, [5, 5, 1], "Sender already specified");
            return Err((reply, RejectReason::Syntax));
        }
        if self.settings.smtp.tls.require && self.tls.is_none() {
            let reply = Reply::new(530, [5, 7, 0], "Must issue a STARTTLS command first");
            return Err((reply, RejectReason::TlsRequired));
        }
        // RFC 8689 §4.1: a REQUIRETLS transaction must itself run over TLS.
        if from.flags & smtp_proto::MAIL_REQUIRETLS != 0 && self.tls.is_none() {
            let reply = Reply::new(530, [5, 7, 10], "REQUIRETLS needs a TLS session");
            return Err((reply, RejectReason::TlsRequired));
        }
        if from.size as u64 > self.settings.smtp.max_message_size {
            let reply = Reply::new(552, [5, 3, 4], "Message size exceeds fixed limit");
            return Err((reply, RejectReason::Size));
        }
        Ok(())
    }

    /// The envelope sender (`None` for the null sender `<>`).
    fn mail_sender(&self, address: &str) -> Result<Option<Address>, Refusal> {
        if address.is_empty() {
            return Ok(None);
        }
        Address::parse(address)
            .map(Some)
            .map_err(|_| self.unparseable_sender(address))
    }

    /// The tenant the client and the envelope sender's domain admit (none for `<>`, settled
    /// later by header From). A client no tenant admits is noted for `connect check` under the
    /// tenant that owns the sender's domain.
    fn mail_tenant(&self, sender: Option<&Address>) -> Result<Option<Arc<Tenant>>, Refusal> {
        if self.candidates.is_empty() {
            tracing::info!(client = %self.client.ip(), "relay refused: client is no tenant");
            if let Some(a) = sender {
                // `connect check` of the tenant that owns the domain: source outside the ranges.
                let facts = sealgate_connectors::SessionFacts {
                    ip: self.client.ip(),
                    tls: self.tls.is_some(),
                    cert_names: &self.cert_names,
                };
                let now = self.pipeline.clock.now();
                self.settings
                    .tenants
                    .note_not_admitted(&facts, a.domain(), now);
            }
            // The code names the failed check for `connect check` and the setup guides: no
            // tenant's networks / platform ranges / certificate names admit this client.
            let text = "Relaying denied: this client is not a configured tenant [SG-NOT-TENANT]";
            return Err((Reply::new(550, [5, 7, 1], text), RejectReason::NotTenant));
        }
        let Some(a) = sender else {
            return Ok(None);
        };
        if let Some(t) = Tenants::authorise(&self.candidates, a.domain()) {
            return Ok(Some(t));
        }
        tracing::info!(
            client = %self.client.ip(),
            sender_domain = %a.domain(),
            "relay refused: sender domain is not the tenant's"
        );
        let text = "Sender domain not permitted for this client [SG-SENDER-DOMAIN]";
        Err((Reply::new(550, [5, 7, 1], text), RejectReason::SenderDomain))
    }

    /// A sender that does not parse is a syntax error only when it claims one of the client's
    /// own domains; otherwise (quoted `@`, percent hacks, broken domains) it is a spoofing
    /// attempt and refused as such.
    fn unparseable_sender(&self, text: &str) -> (Reply, RejectReason) {
        let own = text
            .rsplit_once('@')
            .and_then(|(_, d)| Domain::parse(d).ok())
            .is_some_and(|d| Tenants::authorise(&self.candidates, &d).is_some());
        if own || !text.contains('@') {
            (
                Reply::new(501, [5, 1, 7], "Bad sender address syntax"),
                RejectReason::Syntax,
            )
        } else {
            (
                Reply::new(
                    550,
                    [5, 7, 1],
                    "Sender domain not permitted for this client [SG-SENDER-DOMAIN]",
                ),
                RejectReason::SenderDomain,
            )
        }
    }

    pub(super) fn rcpt(&mut self, to: RcptTo<String>) {
        let max = self.settings.smtp.max_recipients;
        let Some(tx) = self.tx.as_mut() else {
            self.refuse(
                Reply::new(503, [5, 5, 1], "Need MAIL before RCPT"),
                RejectReason::Syntax,
            );
            return;
        };
        if tx.recipients.len() >= max {
            self.pipeline.metrics.reject(RejectReason::Recipients);
            tx.overflow += 1;
            let reply = Reply::new(452, [4, 5, 3], "Too many recipients");
            // A pipelining client may send up to twice the limit before it sees the first
            // `452` (it retries the rest in a new transaction): only beyond that is it junk.
            if tx.overflow <= max {
                self.conn.queue(&reply.to_string());
            } else {
                self.reply(reply);
            }
            return;
        }
        let Ok(address) = Address::parse(&to.address) else {
            self.refuse(
                Reply::new(501, [5, 1, 3], "Bad recipient address syntax"),
                RejectReason::Syntax,
            );
            return;
        };
        // RFC 3461 §4.2: ORCPT carries an address; control characters are never part of one.
        if to
            .orcpt
            .as_deref()
            .is_some_and(|o| o.len() > 500 || o.chars().any(char::is_control))
        {
            self.refuse(
                Reply::new(501, [5, 5, 4], "Invalid ORCPT parameter"),
                RejectReason::Syntax,
            );
            return;
        }
        let notify = (to.flags
            & (smtp_proto::RCPT_NOTIFY_SUCCESS
                | smtp_proto::RCPT_NOTIFY_FAILURE
                | smtp_proto::RCPT_NOTIFY_DELAY
                | smtp_proto::RCPT_NOTIFY_NEVER)
            != 0)
            .then_some(Notify {
                success: to.flags & smtp_proto::RCPT_NOTIFY_SUCCESS != 0,
                failure: to.flags & smtp_proto::RCPT_NOTIFY_FAILURE != 0,
                delay: to.flags & smtp_proto::RCPT_NOTIFY_DELAY != 0,
                never: to.flags & smtp_proto::RCPT_NOTIFY_NEVER != 0,
            });
        let self_test = self.settings.tenants.is_self_test(&address);
        if self_test != tx.self_test && !tx.recipients.is_empty() {
            self.refuse(
                Reply::new(
                    550,
                    [5, 5, 3],
                    "The connector self-test address must be the only recipient",
                ),
                RejectReason::Recipients,
            );
            return;
        }
        tx.self_test = self_test;
        tx.recipients.push(Recipient {
            address,
            notify,
            orcpt: to.orcpt,
        });
        self.reply(Reply::new(250, [2, 1, 5], "Recipient ok"));
    }

    fn ready_for_content(&self) -> bool {
        self.tx.as_ref().is_some_and(|t| !t.recipients.is_empty())
    }

    pub(super) async fn data(&mut self) -> Flow {
        if !self.ready_for_content() {
            self.refuse(
                Reply::new(503, [5, 5, 1], "Need RCPT before DATA"),
                RejectReason::Syntax,
            );
            return Flow::Continue;
        }
        if self.tx.as_ref().is_some_and(|t| t.chunks.is_some()) {
            self.refuse(
                Reply::new(503, [5, 5, 1], "DATA not allowed after BDAT"),
                RejectReason::Syntax,
            );
            return Flow::Continue;
        }
        self.conn.queue("354 End data with <CR><LF>.<CR><LF>");
        if self.conn.flush().await.is_err() {
            return Flow::Close;
        }
        let deadline = Instant::now() + self.settings.smtp.data_timeout;
        let max = self.settings.smtp.max_message_size as usize;
        let Some(reservation) = self.tx.as_mut().map(|t| &mut t.reservation) else {
            return Flow::Continue;
        };
        let grow = |len: usize| reservation.cover(len as u64);
        match self.conn.read_data(max, deadline, grow).await {
            Ok(outcome) => {
                self.finish(outcome).await;
                Flow::Continue
            }
            Err(e) => self.data_failed(e).await,
        }
    }

    pub(super) async fn bdat(&mut self, size: usize, last: bool) -> Flow {
        let deadline = Instant::now() + self.settings.smtp.data_timeout;
        let max = self.settings.smtp.max_message_size as usize;
        let tx = self.tx.as_mut().filter(|t| !t.recipients.is_empty());
        let Some(tx) = tx else {
            // Outside a transaction with recipients the chunk is read (so the stream stays in
            // step) and dropped as it arrives: nothing is stored.
            if let Err(e) = self.conn.read_exact_into(size, deadline, |_| {}).await {
                return self.data_failed(e).await;
            }
            self.refuse(
                Reply::new(503, [5, 5, 1], "Need RCPT before BDAT"),
                RejectReason::Syntax,
            );
            return Flow::Continue;
        };
        let mut chunk_outcome = tx.chunks.take().unwrap_or_default();
        let reservation = &mut tx.reservation;
        let mut grow = |len: usize| reservation.cover(len as u64);
        let read = self
            .conn
            .read_exact_into(size, deadline, |piece| {
                chunk_outcome.add_chunk(piece, max, &mut grow);
            })
            .await;
        if let Err(e) = read {
            return self.data_failed(e).await;
        }
        if !last {
            if let Some(tx) = self.tx.as_mut() {
                tx.chunks = Some(chunk_outcome);
            }
            self.reply(Reply::new(
                250,
                [2, 0, 0],
                format!("{size} octets received"),
            ));
            return Flow::Continue;
        }
        chunk_outcome.check_chunked();
        self.finish(chunk_outcome).await;
        Flow::Continue
    }

    async fn data_failed(&mut self, e: ReadError) -> Flow {
        if let ReadError::Timeout = e {
            self.pipeline.metrics.reject(RejectReason::Timeout);
            let bye = format!("421 4.4.2 {} Error: timeout exceeded", self.host());
            self.close_with(&bye).await;
        }
        Flow::Close
    }
}
