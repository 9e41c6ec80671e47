//! The mail transaction: MAIL, RCPT, DATA and BDAT. Who may relay is decided here — at MAIL
//! by client and envelope sender, at the end of data by header From (see `finish.rs`).

use super::{Flow, Session};
use crate::conn::{DataOutcome, MAX_TEXT_LINE, ReadError};
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
}

impl Session {
    pub(super) fn mail(&mut self, from: MailFrom<String>) {
        if self.helo.is_none() {
            self.refuse(
                Reply::new(503, [5, 5, 1], "Send EHLO/HELO first"),
                RejectReason::Syntax,
            );
            return;
        }
        if self.tx.is_some() {
            self.refuse(
                Reply::new(503, [5, 5, 1], "Sender already specified"),
                RejectReason::Syntax,
            );
            return;
        }
        if self.settings.smtp.tls.require && self.tls.is_none() {
            self.refuse(
                Reply::new(530, [5, 7, 0], "Must issue a STARTTLS command first"),
                RejectReason::TlsRequired,
            );
            return;
        }
        // RFC 8689 §4.1: a REQUIRETLS transaction must itself run over TLS.
        let require_tls = from.flags & smtp_proto::MAIL_REQUIRETLS != 0;
        if require_tls && self.tls.is_none() {
            self.refuse(
                Reply::new(530, [5, 7, 10], "REQUIRETLS needs a TLS session"),
                RejectReason::TlsRequired,
            );
            return;
        }
        if from.size as u64 > self.settings.smtp.max_message_size {
            self.refuse(
                Reply::new(552, [5, 3, 4], "Message size exceeds fixed limit"),
                RejectReason::Size,
            );
            return;
        }
        let mail_from = if from.address.is_empty() {
            None
        } else {
            match Address::parse(&from.address) {
                Ok(a) => Some(a),
                Err(_) => {
                    let (reply, reason) = self.unparseable_sender(&from.address);
                    self.refuse(reply, reason);
                    return;
                }
            }
        };
        if self.candidates.is_empty() {
            tracing::info!(client = %self.client.ip(), "relay refused: client is no tenant");
            self.refuse(Reply::policy_refused(), RejectReason::NotTenant);
            return;
        }
        let tenant = match &mail_from {
            None => None,
            Some(a) => match Tenants::authorise(&self.candidates, a.domain()) {
                Some(t) => Some(t),
                None => {
                    tracing::info!(
                        client = %self.client.ip(),
                        sender_domain = %a.domain(),
                        "relay refused: sender domain is not the tenant's"
                    );
                    self.refuse(
                        Reply::new(
                            550,
                            [5, 7, 1],
                            "Sender domain not permitted for this client",
                        ),
                        RejectReason::SenderDomain,
                    );
                    return;
                }
            },
        };
        // RFC 3461 §4.4: an ENVID is at most 100 printable US-ASCII characters once decoded;
        // anything else (a decoded CR LF above all) could be smuggled into a DSN or a next hop.
        if from
            .env_id
            .as_deref()
            .is_some_and(|e| e.len() > 100 || !e.bytes().all(|b| b.is_ascii_graphic()))
        {
            self.refuse(
                Reply::new(501, [5, 5, 4], "Invalid ENVID parameter"),
                RejectReason::Syntax,
            );
            return;
        }
        self.tx = Some(Transaction {
            mail_from,
            tenant,
            recipients: Vec::new(),
            ret: if from.flags & smtp_proto::MAIL_RET_HDRS != 0 {
                Some(DsnRet::Hdrs)
            } else if from.flags & smtp_proto::MAIL_RET_FULL != 0 {
                Some(DsnRet::Full)
            } else {
                None
            },
            envid: from.env_id,
            body_type: if from.flags & smtp_proto::MAIL_BODY_8BITMIME != 0 {
                BodyType::EightBitMime
            } else if from.flags & smtp_proto::MAIL_BODY_BINARYMIME != 0 {
                BodyType::BinaryMime
            } else {
                BodyType::SevenBit
            },
            smtputf8: from.flags & smtp_proto::MAIL_SMTPUTF8 != 0,
            require_tls,
            chunks: None,
        });
        self.reply(Reply::new(250, [2, 1, 0], "Sender ok"));
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
                    "Sender domain not permitted for this client",
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
            self.reply(Reply::new(452, [4, 5, 3], "Too many recipients"));
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
        match self.conn.read_data(max, deadline).await {
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
        let ready = self.ready_for_content();
        let mut chunk_outcome = self
            .tx
            .as_mut()
            .and_then(|t| if ready { t.chunks.take() } else { None })
            .unwrap_or_default();
        // The chunk's octets are read in every case, so the stream stays in step.
        let read = self
            .conn
            .read_exact_into(size, deadline, |piece| {
                if chunk_outcome.body.len() + piece.len() > max {
                    chunk_outcome.too_big = true;
                } else {
                    chunk_outcome.body.extend_from_slice(piece);
                }
            })
            .await;
        if let Err(e) = read {
            return self.data_failed(e).await;
        }
        if !ready {
            self.refuse(
                Reply::new(503, [5, 5, 1], "Need RCPT before BDAT"),
                RejectReason::Syntax,
            );
            return Flow::Continue;
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
        check_chunked_content(&mut chunk_outcome);
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

/// True when `line` (a command line without its CRLF) is a MAIL command whose parameters give
/// `REQUIRETLS` with a value or more than once (RFC 8689 §3: the keyword stands alone). smtp-proto
/// would OR a repeated keyword into one flag and call one with a value unsupported (555), so the
/// raw line is looked at before it is parsed.
pub(super) fn requiretls_misused(line: &[u8]) -> bool {
    let Some(rest) = line
        .get(..5)
        .filter(|verb| verb.eq_ignore_ascii_case(b"MAIL "))
        .map(|_| line[5..].trim_ascii_start())
    else {
        return false;
    };
    let Some(rest) = rest
        .get(..5)
        .filter(|kw| kw.eq_ignore_ascii_case(b"FROM:"))
        .map(|_| rest[5..].trim_ascii_start())
    else {
        return false;
    };
    let mut seen = 0usize;
    for param in parameters(rest).split(u8::is_ascii_whitespace) {
        let (keyword, value) = match param.iter().position(|&b| b == b'=') {
            Some(eq) => (&param[..eq], true),
            None => (param, false),
        };
        if keyword.eq_ignore_ascii_case(b"REQUIRETLS") {
            seen += 1;
            if value || seen > 1 {
                return true;
            }
        }
    }
    false
}

/// What follows the reverse-path of a MAIL command (`path` starts where the path does). A `>` or
/// a space inside a quoted local part does not end the path.
fn parameters(path: &[u8]) -> &[u8] {
    if path.first() != Some(&b'<') {
        let end = path
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(path.len());
        return &path[end..];
    }
    let mut quoted = false;
    let mut escaped = false;
    for (i, &b) in path.iter().enumerate().skip(1) {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b'>' if !quoted => return &path[i + 1..],
            _ => {}
        }
    }
    &[]
}

/// BDAT content arrives unframed: apply the same bare-line-break and line-length rules as DATA.
fn check_chunked_content(outcome: &mut DataOutcome) {
    let body = &outcome.body;
    let mut line_len = 0usize;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'\r' if body.get(i + 1) == Some(&b'\n') => {}
            b'\n' if i > 0 && body[i - 1] == b'\r' => line_len = 0,
            b'\r' | b'\n' => outcome.bare_line_break = true,
            _ => {
                line_len += 1;
                if line_len > MAX_TEXT_LINE {
                    outcome.long_line = true;
                }
            }
        }
    }
    if !body.is_empty() && !body.ends_with(b"\r\n") {
        outcome.body.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_content_rules() {
        let mut ok = DataOutcome {
            body: b"a\r\nb\r\n".to_vec(),
            ..Default::default()
        };
        check_chunked_content(&mut ok);
        assert!(!ok.bare_line_break && !ok.long_line);
        for bad in [&b"a\nb\r\n"[..], b"a\rb\r\n", b"a\r\n.\nb\r\n"] {
            let mut o = DataOutcome {
                body: bad.to_vec(),
                ..Default::default()
            };
            check_chunked_content(&mut o);
            assert!(o.bare_line_break, "{bad:?}");
        }
        let mut long = DataOutcome {
            body: vec![b'x'; 1200],
            ..Default::default()
        };
        check_chunked_content(&mut long);
        assert!(long.long_line);
    }

    #[test]
    fn requiretls_with_a_value_or_twice_is_misuse() {
        for ok in [
            &b"MAIL FROM:<a@acme-health.org>"[..],
            b"MAIL FROM:<a@acme-health.org> REQUIRETLS",
            b"mail from: <a@acme-health.org> body=8bitmime requiretls SMTPUTF8",
            b"MAIL FROM:<> REQUIRETLS",
            // Inside the quoted local part it is no parameter at all.
            b"MAIL FROM:<\"x> REQUIRETLS REQUIRETLS=1\"@acme-health.org> REQUIRETLS",
            b"MAIL FROM:<\"x\\\" REQUIRETLS REQUIRETLS\"@acme-health.org>",
            b"RCPT TO:<b@example.org> REQUIRETLS REQUIRETLS",
            b"MAIL FROM:<a@acme-health.org> ENVID=REQUIRETLS",
        ] {
            assert!(!requiretls_misused(ok), "{}", String::from_utf8_lossy(ok));
        }
        for bad in [
            &b"MAIL FROM:<a@acme-health.org> REQUIRETLS REQUIRETLS"[..],
            b"MAIL FROM:<a@acme-health.org> requiretls SIZE=10 RequireTLS",
            b"MAIL FROM:<a@acme-health.org> REQUIRETLS=YES",
            b"MAIL FROM:<a@acme-health.org> REQUIRETLS=",
            b"mail  from:a@acme-health.org REQUIRETLS REQUIRETLS",
            b"MAIL FROM:<\"q>\"@acme-health.org> REQUIRETLS=1",
        ] {
            assert!(requiretls_misused(bad), "{}", String::from_utf8_lossy(bad));
        }
    }
}
