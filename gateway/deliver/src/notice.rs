//! Mail the gateway originates: DSNs and sender notices, their templates, and submission into
//! the spool.
//!
//! Guarantees: originated mail has the null reverse path (so it is never bounced: a DSN to `<>`
//! is never generated), `Auto-Submitted: auto-replied`, From the gateway's postmaster, and is
//! committed durably before the recipient it reports on is recorded terminal; it travels with
//! the `tls-only` requirement (DSNs and notices go back to the tenant over its return route
//! with TLS required). Templates are plain text with `{name}` placeholders; a file
//! `NAME.txt` in `[gateway] notice_templates` (first line `Subject: …`, a blank line, then the
//! body) replaces the built-in template of that name. Substituted values never carry line
//! breaks into headers. The templates and the held notice's plain-words reason are in
//! `notice/template.rs`; this file builds and commits the messages.

mod template;

pub use template::{Template, Templates, plain_reason};

use crate::error::DeliverError;
use sealgate_core::store::QueueStore;
use sealgate_core::time::Timestamp;
use sealgate_core::{
    Address, BodyType, ClientInfo, Clock, Decision, Domain, Envelope, Message, MessageId, Random,
    Recipient, Requirement,
};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// The gateway's own mail identity.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Host name (EHLO default, `Reporting-MTA`).
    pub hostname: String,
    /// Mail domain (Message-IDs of originated mail).
    pub domain: Domain,
    /// From address of DSNs and notices.
    pub postmaster: Address,
}

/// The kinds of sender notice other stages may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// A copy is held (by policy or an admin).
    Held,
    /// A copy was dropped because the TLS-only policy could not be met.
    DroppedTls,
    /// A copy was escrowed in the portal.
    Escrowed,
}

impl NoticeKind {
    /// Template name.
    pub fn template(self) -> &'static str {
        match self {
            NoticeKind::Held => "held",
            NoticeKind::DroppedTls => "dropped-tls",
            NoticeKind::Escrowed => "escrowed",
        }
    }
}

/// Commits mail the gateway originates.
#[derive(Clone)]
pub struct Originator {
    /// The spool.
    pub store: Arc<dyn QueueStore>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness (ids, boundaries).
    pub rng: Arc<dyn Random>,
    /// The gateway's identity.
    pub identity: Identity,
}

impl Originator {
    /// A fresh `Message-ID` value in the gateway's domain.
    pub fn message_id_header(&self, id: MessageId) -> String {
        format!("<{id}.gw@{}>", self.identity.domain)
    }

    /// A random MIME boundary.
    pub fn boundary(&self) -> String {
        let mut b = [0u8; 12];
        self.rng.fill(&mut b);
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!("=_sealgate_{hex}")
    }

    /// Commits `content` (a complete RFC 5322 message) from `<>` to `to` for `tenant`,
    /// durably (blocking), as `tls-only` (a notice or DSN speaks of the tenant's mail: TLS or
    /// nothing). Returns the new id.
    pub fn submit(
        &self,
        id: MessageId,
        tenant: &str,
        to: &Address,
        content: Vec<u8>,
    ) -> Result<MessageId, DeliverError> {
        self.submit_as(id, tenant, to, content, Requirement::TlsOnly, false)
    }

    /// [`Originator::submit`] with the recipient's requirement and the `TLS-Required: No`
    /// flag given (TLS-RPT reports: `deliver`, exempt from discovered TLS policies).
    pub fn submit_as(
        &self,
        id: MessageId,
        tenant: &str,
        to: &Address,
        content: Vec<u8>,
        requirement: Requirement,
        tls_required_no: bool,
    ) -> Result<MessageId, DeliverError> {
        let message = self.message(id, tenant, None, to, content, requirement, tls_required_no);
        self.store.commit(&message)?;
        Ok(id)
    }

    /// The [`Message`] for mail the gateway originates: one recipient, the gateway's identity as
    /// its client, the gateway's `Message-ID`, one requirement for the recipient.
    #[allow(clippy::too_many_arguments)] // each is a distinct field of the envelope
    pub fn message(
        &self,
        id: MessageId,
        tenant: &str,
        mail_from: Option<Address>,
        to: &Address,
        content: Vec<u8>,
        requirement: Requirement,
        tls_required_no: bool,
    ) -> Message {
        let eight_bit = content.iter().any(|b| *b >= 0x80);
        Message {
            id,
            tenant: tenant.to_string(),
            received_at: self.clock.now(),
            client: ClientInfo {
                ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
                helo: self.identity.hostname.clone(),
                tls_version: None,
                tls_cipher: None,
                client_cert_name: None,
            },
            envelope: Envelope {
                mail_from,
                recipients: vec![Recipient::new(to.clone())],
                ret: None,
                envid: None,
                body_type: if eight_bit {
                    BodyType::EightBitMime
                } else {
                    BodyType::SevenBit
                },
                smtputf8: false,
                require_tls: false,
                tls_required_no,
            },
            size: content.len() as u64,
            header_message_id: Some(self.message_id_header(id)),
            decision: Decision::uniform(requirement, 1),
            body: content.into(),
        }
    }

    /// A new id for originated mail.
    pub fn new_id(&self) -> MessageId {
        MessageId::generate(self.clock.now(), &*self.rng)
    }

    /// The common header block of originated mail (ends with the blank line only when
    /// `content_type` is given).
    pub fn headers(&self, id: MessageId, to: &Address, subject: &str, now: Timestamp) -> String {
        format!(
            "From: Mail Delivery System <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: {mid}\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n",
            from = self.identity.postmaster,
            date = rfc5322_date(now),
            mid = self.message_id_header(id),
        )
    }

    /// Builds and commits a sender notice (blocking). `recipients` are the copies concerned.
    pub fn notice(
        &self,
        templates: &Templates,
        kind: NoticeKind,
        message: &Message,
        recipients: &[&Address],
        reason: &str,
    ) -> Result<Option<MessageId>, DeliverError> {
        self.notice_with(templates, kind, message, recipients, reason, &[])
    }

    /// The held notice: the reason in plain words (`{what_happened}`) and when the message
    /// will be returned (`{return_date}`, the hold's expiry).
    pub fn held_notice(
        &self,
        templates: &Templates,
        message: &Message,
        recipients: &[&Address],
        reason: &str,
        return_at: Timestamp,
    ) -> Result<Option<MessageId>, DeliverError> {
        let extra = [
            ("what_happened", plain_reason(reason)),
            ("return_date", rfc5322_date(return_at)),
        ];
        let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.notice_with(
            templates,
            NoticeKind::Held,
            message,
            recipients,
            reason,
            &extra,
        )
    }

    /// [`Originator::notice`] with more template values.
    pub fn notice_with(
        &self,
        templates: &Templates,
        kind: NoticeKind,
        message: &Message,
        recipients: &[&Address],
        reason: &str,
        extra: &[(&str, &str)],
    ) -> Result<Option<MessageId>, DeliverError> {
        let Some(sender) = &message.envelope.mail_from else {
            return Ok(None);
        };
        let list: Vec<String> = recipients.iter().map(|a| format!("  <{a}>")).collect();
        let message_id = message
            .header_message_id
            .clone()
            .unwrap_or_else(|| message.id.to_string());
        let (date, list) = (rfc5322_date(message.received_at), list.join("\n"));
        let mut vars = vec![
            ("message_id", message_id.as_str()),
            ("date", date.as_str()),
            ("recipients", list.as_str()),
            ("reason", reason),
            ("reporting_mta", self.identity.hostname.as_str()),
        ];
        vars.extend_from_slice(extra);
        let t = templates.render(kind.template(), &vars);
        let id = self.new_id();
        let now = self.clock.now();
        let mut out = self.headers(id, sender, &t.subject, now);
        out.push_str(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        );
        out.push_str(&crlf(&t.body));
        self.submit(id, &message.tenant, sender, out.into_bytes())
            .map(Some)
    }
}

/// Normalises line ends to CRLF.
pub fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// RFC 5322 date in UTC, e.g. `Tue, 01 Jul 2025 10:00:00 +0000`.
pub fn rfc5322_date(t: Timestamp) -> String {
    let secs = t.secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days.rem_euclid(7)) as usize];
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(mo - 1) as usize];
    format!("{weekday}, {d:02} {month} {y} {h:02}:{m:02}:{s:02} +0000")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc5322() {
        assert_eq!(
            rfc5322_date(Timestamp(0)),
            "Thu, 01 Jan 1970 00:00:00 +0000"
        );
        assert_eq!(
            rfc5322_date(Timestamp(1_751_364_000_000)),
            "Tue, 01 Jul 2025 10:00:00 +0000"
        );
    }
}
