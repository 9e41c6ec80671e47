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
//! breaks into headers.

use crate::error::DeliverError;
use sealgate_core::store::QueueStore;
use sealgate_core::time::Timestamp;
use sealgate_core::{
    Address, BodyType, ClientInfo, Clock, Decision, Domain, Envelope, Message, MessageId, Random,
    Recipient, Requirement,
};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
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

/// One template: subject and body with `{name}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Subject line.
    pub subject: String,
    /// Body text.
    pub body: String,
}

const BUILT_IN: &[(&str, &str)] = &[
    (
        "dsn-failed",
        "Subject: Undelivered Mail Returned to Sender\n\nThis is the mail system at {reporting_mta}.\n\nYour message {message_id} could not be delivered to one or more recipients.\nIt is attached below (headers only for protected messages).\n\n{recipients}\n",
    ),
    (
        "dsn-delayed",
        "Subject: Delayed Mail (still being retried)\n\nThis is the mail system at {reporting_mta}.\n\nYour message {message_id} could not be delivered yet to one or more recipients.\nDelivery will be retried; you do not need to send it again.\n\n{recipients}\n",
    ),
    (
        "held",
        "Subject: Not delivered yet: your message is waiting for a secure way to reach the recipient\n\nYour message {message_id} sent {date} has not been delivered yet to:\n\n{recipients}\n\nWhat happened\nYour message appears to contain protected information (such as patient details), so the\nsecure mail gateway may only send it in a protected way. For the recipients above that was\nnot possible:\n\n{what_happened}\n\nNothing has been sent to them. Your message is kept safely on the gateway.\n\nWhen it will be returned\nIf it still cannot be sent securely by {return_date}, it will be returned to you\nundelivered.\n\nWhat you can do\n- If the recipient uses encrypted email (OpenPGP or S/MIME), ask them for their public key or\n  certificate and give it to your mail administrator: once it is on file, your message is\n  sent at once, without your doing anything.\n- Or ask your mail administrator to release it, or reach the recipient another secure way\n  (your organisation's secure portal or file transfer, or by phone).\n- You do not need to send the message again while it waits.\n",
    ),
    (
        "dropped-tls",
        "Subject: Your message was not delivered (secure connection unavailable)\n\nYour message {message_id} sent {date} was not delivered to:\n\n{recipients}\n\nPolicy requires an encrypted connection to the recipient's mail server, and the server\ndid not offer one. Please use another way to reach the recipient.\n",
    ),
    (
        "escrowed",
        "Subject: Your message was delivered securely\n\nYour message {message_id} sent {date} was stored in the secure portal for:\n\n{recipients}\n\nThe recipients received a link to read it.\n",
    ),
];

/// All templates, built-in and replaced.
#[derive(Debug, Clone)]
pub struct Templates {
    map: HashMap<String, Template>,
}

fn parse_template(text: &str) -> Option<Template> {
    let text = text.replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n")?;
    let subject = head.strip_prefix("Subject:")?.trim().to_string();
    Some(Template {
        subject,
        body: body.to_string(),
    })
}

impl Templates {
    /// The built-in templates, replaced by `NAME.txt` files found in `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Templates, DeliverError> {
        let mut map = HashMap::new();
        for (name, text) in BUILT_IN {
            if let Some(t) = parse_template(text) {
                map.insert((*name).to_string(), t);
            }
        }
        let Some(dir) = dir else {
            return Ok(Templates { map });
        };
        for name in BUILT_IN.iter().map(|(n, _)| *n) {
            let path = dir.join(format!("{name}.txt"));
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let t = parse_template(&text).ok_or_else(|| {
                        DeliverError::Config(format!(
                            "{}: needs `Subject: …`, a blank line, then the body",
                            path.display()
                        ))
                    })?;
                    map.insert(name.to_string(), t);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(DeliverError::Config(format!("{}: {e}", path.display())));
                }
            }
        }
        Ok(Templates { map })
    }

    /// Renders a template; unknown placeholders stay as written.
    pub fn render(&self, name: &str, vars: &[(&str, &str)]) -> Template {
        let t = self.map.get(name).cloned().unwrap_or(Template {
            subject: "Message from the mail gateway".into(),
            body: "{recipients}\n".into(),
        });
        let fill = |text: &str, header: bool| {
            let mut out = text.to_string();
            for (k, v) in vars {
                let v = if header {
                    v.replace(['\r', '\n'], " ")
                } else {
                    v.to_string()
                };
                out = out.replace(&format!("{{{k}}}"), &v);
            }
            out
        };
        Template {
            subject: fill(&t.subject, true),
            body: fill(&t.body, false),
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

/// A hold's reason (`no protection method available (tls-verified: …; pgp: no key on file);
/// held`, `held by admin`…) in plain words, one `- ` line per distinct cause.
pub fn plain_reason(reason: &str) -> String {
    let r = reason.to_ascii_lowercase();
    let mut lines: Vec<&str> = Vec::new();
    let mut say = |hit: bool, text: &'static str| {
        if hit && !lines.contains(&text) {
            lines.push(text);
        }
    };
    say(
        r.contains("held by admin"),
        "An administrator of your mail system put the message on hold.",
    );
    say(
        r.contains("tls not verified") || r.contains("tls-required") || r.contains("tls required"),
        "The recipient's mail server could not prove, over a secure connection, that it is the\n  right server, so the message could not be sent to it protected on the way.",
    );
    say(
        r.contains("no key on file"),
        "No encryption key or certificate is on file for the recipient, so the message could\n  not be encrypted for them.",
    );
    say(
        r.contains("no usable key"),
        "The recipient's encryption key on file cannot be used (it has expired, was revoked or\n  is too weak).",
    );
    say(
        r.contains("too large"),
        "Once protected, the message is too large for the recipient's mail server.",
    );
    say(
        r.contains("held by policy"),
        "Your organisation's mail policy holds messages like this one for review.",
    );
    if lines.is_empty() {
        lines.push("No secure way to deliver it to the recipient is available at the moment.");
    }
    lines
        .iter()
        .map(|l| format!("- {l}"))
        .collect::<Vec<_>>()
        .join("\n")
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

    #[test]
    fn the_held_notice_says_in_plain_words_what_happened_and_when_it_returns() {
        let t = Templates::load(None).unwrap();
        let reason = "no protection method available (tls-verified: next hop TLS not verified \
                      (plaintext-only); pgp: no key on file); held";
        let what = plain_reason(reason);
        let r = t.render(
            "held",
            &[
                ("message_id", "<m1@acme-health.org>"),
                ("date", "Tue, 01 Jul 2025 10:00:00 +0000"),
                ("recipients", "  <bob@partner.example>"),
                ("what_happened", &what),
                ("return_date", &rfc5322_date(Timestamp(1_751_968_800_000))),
            ],
        );
        assert!(
            r.body
                .contains("has not been delivered yet to:\n\n  <bob@partner.example>")
        );
        assert!(r.body.contains("could not prove, over a secure connection"));
        assert!(
            r.body
                .contains("No encryption key or certificate is on file")
        );
        assert!(
            r.body
                .contains("by Tue, 08 Jul 2025 10:00:00 +0000, it will be returned")
        );
        assert!(r.body.contains("What you can do"));
        for jargon in ["tls-verified", "plaintext-only", "pgp:", "{"] {
            assert!(!r.body.contains(jargon), "{jargon} in:\n{}", r.body);
        }
        assert_eq!(
            plain_reason("held by admin"),
            "- An administrator of your mail system put the message on hold."
        );
    }

    #[test]
    fn templates_render_and_can_be_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("held.txt"),
            "Subject: Held {message_id}\n\nBody {reason}\n",
        )
        .unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let r = t.render(
            "held",
            &[("message_id", "x\r\nBcc: evil"), ("reason", "policy")],
        );
        assert_eq!(r.subject, "Held x  Bcc: evil");
        assert_eq!(r.body, "Body policy\n");
        let r = t.render("dropped-tls", &[("recipients", "  <a@b>")]);
        assert!(r.body.contains("  <a@b>"));
        std::fs::write(dir.path().join("held.txt"), "no subject").unwrap();
        assert!(Templates::load(Some(dir.path())).is_err());
    }
}
