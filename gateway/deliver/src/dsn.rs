//! Delivery status notifications (RFC 3464 reports, RFC 3461 parameters).
//!
//! Guarantees: a DSN is built only for a message with a non-null reverse path (never a bounce
//! of a bounce) and only for recipients whose NOTIFY asks for that kind (no NOTIFY: failures
//! only, and delays when delay warnings are configured); `Reporting-MTA`, `Arrival-Date`,
//! `Original-Envelope-Id`, and per recipient `Final-Recipient`, `Original-Recipient`,
//! `Action`, `Status`, `Remote-MTA`, `Diagnostic-Code`, `Last-Attempt-Date` are given; the
//! original comes back whole only when RET allows and the message was not classified as PHI —
//! otherwise headers only (`text/rfc822-headers`), and for PHI with the placeholder subject.

use crate::notice::{Originator, Templates, crlf, rfc5322_date};
use sealgate_core::time::Timestamp;
use sealgate_core::{Address, DsnRet, HeaderChange, Message, Reply};

/// Subject shown in place of the original in a PHI message's returned headers.
pub const DEFAULT_PLACEHOLDER: &str = "[protected message]";

/// What happened to a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Failed permanently.
    Failed,
    /// Still being retried.
    Delayed,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Failed => "failed",
            Action::Delayed => "delayed",
        }
    }
}

/// One recipient's part of a DSN.
#[derive(Debug, Clone)]
pub struct DsnRecipient<'a> {
    /// The recipient.
    pub address: &'a Address,
    /// ORCPT as given (`type;xtext`).
    pub orcpt: Option<&'a str>,
    /// Failed or delayed.
    pub action: Action,
    /// The reply that decided it (the next hop's or a local one).
    pub reply: Reply,
    /// The next hop that answered, if one did.
    pub remote_mta: Option<String>,
    /// When it was last tried.
    pub last_attempt: Timestamp,
    /// For a delay: when the gateway gives up (arrival plus the queue lifetime).
    pub will_retry_until: Option<Timestamp>,
}

/// Whether recipient `index` of `message` asked for a DSN of this kind.
pub fn wanted(message: &Message, index: usize, action: Action, delay_warnings: bool) -> bool {
    if message.envelope.mail_from.is_none() {
        return false;
    }
    let notify = message
        .envelope
        .recipients
        .get(index)
        .and_then(|r| r.notify);
    match (notify, action) {
        (Some(n), _) if n.never => false,
        (Some(n), Action::Failed) => n.failure,
        (Some(n), Action::Delayed) => n.delay && delay_warnings,
        (None, Action::Failed) => true,
        (None, Action::Delayed) => delay_warnings,
    }
}

/// The header block of `body` (up to, not including, the blank line), with the Subject
/// replaced by `placeholder` when given.
fn returned_headers(body: &[u8], placeholder: Option<&str>) -> Vec<u8> {
    let end = body
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(body.len(), |p| p + 2);
    let head = &body[..end];
    let Some(placeholder) = placeholder else {
        return head.to_vec();
    };
    let mut out = Vec::with_capacity(head.len());
    let mut skipping = false;
    let mut replaced = false;
    for line in head.split_inclusive(|b| *b == b'\n') {
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if continuation && skipping {
            continue;
        }
        skipping = line.len() >= 8 && line[..8].eq_ignore_ascii_case(b"subject:");
        if skipping {
            if !replaced {
                out.extend_from_slice(format!("Subject: {placeholder}\r\n").as_bytes());
                replaced = true;
            }
            continue;
        }
        out.extend_from_slice(line);
    }
    out
}

/// The placeholder subject for a PHI message.
pub fn placeholder(message: &Message) -> String {
    message
        .decision
        .header_changes
        .iter()
        .find_map(|c| match c {
            HeaderChange::PlaceholderSubject { subject } => Some(subject.clone()),
            _ => None,
        })
        .unwrap_or_else(|| DEFAULT_PLACEHOLDER.to_string())
}

/// Builds a DSN for `message` (whose body is `original`, if still available). The caller has
/// checked [`wanted`] for each recipient and that the sender is not null.
pub fn build(
    origin: &Originator,
    templates: &Templates,
    id: sealgate_core::MessageId,
    message: &Message,
    original: Option<&[u8]>,
    recipients: &[DsnRecipient<'_>],
) -> Option<Vec<u8>> {
    let sender = message.envelope.mail_from.as_ref()?;
    let action = recipients.first()?.action;
    let now = origin.clock.now();
    let hostname = &origin.identity.hostname;
    let listing: Vec<String> = recipients
        .iter()
        .map(|r| format!("<{}>: {}", r.address, r.reply))
        .collect();
    let original_id = message
        .header_message_id
        .clone()
        .unwrap_or_else(|| message.id.to_string());
    let template = match action {
        Action::Failed => "dsn-failed",
        Action::Delayed => "dsn-delayed",
    };
    let text = templates.render(
        template,
        &[
            ("reporting_mta", hostname.as_str()),
            ("message_id", &original_id),
            ("recipients", &listing.join("\n")),
            ("date", &rfc5322_date(message.received_at)),
        ],
    );
    let boundary = origin.boundary();
    let mut out = origin.headers(id, sender, &text.subject, now);
    out.push_str(&format!(
        "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{boundary}\"\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n"
    ));
    out.push_str(&format!(
        "--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
        crlf(&text.body)
    ));
    out.push_str(&format!(
        "--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; {hostname}\r\nX-Sealgate-Queue-ID: {}\r\n",
        message.id
    ));
    if let Some(envid) = &message.envelope.envid {
        // Decoded from xtext, so it may hold any octet: never a line break into the report.
        out.push_str(&format!("Original-Envelope-Id: {}\r\n", one_line(envid)));
    }
    out.push_str(&format!(
        "Arrival-Date: {}\r\n",
        rfc5322_date(message.received_at)
    ));
    for r in recipients {
        push_recipient(&mut out, r);
    }
    let mut bytes = out.into_bytes();
    if let Some(original) = original {
        push_returned(&mut bytes, message, original, &boundary);
    }
    bytes.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Some(bytes)
}

/// One recipient's fields in the delivery-status part (RFC 3464 §2.3).
fn push_recipient(out: &mut String, r: &DsnRecipient<'_>) {
    out.push_str("\r\n");
    if let Some(orcpt) = r.orcpt {
        out.push_str(&format!(
            "Original-Recipient: {}\r\n",
            original_recipient(orcpt)
        ));
    }
    let status = r.reply.status_text().unwrap_or_else(|| {
        if r.reply.code >= 500 {
            "5.0.0"
        } else {
            "4.0.0"
        }
        .to_string()
    });
    out.push_str(&format!(
        "Final-Recipient: rfc822; {}\r\nAction: {}\r\nStatus: {status}\r\n",
        r.address,
        r.action.as_str()
    ));
    if let Some(mta) = &r.remote_mta {
        out.push_str(&format!(
            "Remote-MTA: dns; {mta}\r\nDiagnostic-Code: smtp; {}\r\n",
            one_line(&r.reply.to_string())
        ));
    } else {
        out.push_str(&format!(
            "Diagnostic-Code: X-Sealgate; {}\r\n",
            one_line(&r.reply.to_string())
        ));
    }
    out.push_str(&format!(
        "Last-Attempt-Date: {}\r\n",
        rfc5322_date(r.last_attempt)
    ));
    if let (Action::Delayed, Some(until)) = (r.action, r.will_retry_until) {
        out.push_str(&format!("Will-Retry-Until: {}\r\n", rfc5322_date(until)));
    }
}

/// The returned message: whole (`message/rfc822`) unless PHI, REQUIRETLS or `RET=HDRS` ask for
/// headers only (`text/rfc822-headers`, with the placeholder subject for PHI).
fn push_returned(bytes: &mut Vec<u8>, message: &Message, original: &[u8], boundary: &str) {
    let phi = message.decision.phi;
    // RFC 8689 §5: a REQUIRETLS message bounces as if RET=HDRS had been given.
    let full = !phi && !message.envelope.require_tls && message.envelope.ret != Some(DsnRet::Hdrs);
    if full {
        bytes.extend_from_slice(
            format!("\r\n--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n").as_bytes(),
        );
        bytes.extend_from_slice(original);
        if !original.ends_with(b"\r\n") {
            bytes.extend_from_slice(b"\r\n");
        }
    } else {
        let ph = phi.then(|| placeholder(message));
        bytes.extend_from_slice(
            format!("\r\n--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n").as_bytes(),
        );
        bytes.extend_from_slice(&returned_headers(original, ph.as_deref()));
    }
}

/// The `Original-Recipient` value (RFC 3464 §2.3.1: `address-type;address`): the accept stage
/// keeps the decoded rfc822 address, so its type is added unless it already names one.
fn original_recipient(orcpt: &str) -> String {
    let orcpt = one_line(orcpt);
    match crate::client::orcpt_type(&orcpt) {
        Some(_) => orcpt,
        None => format!("rfc822;{orcpt}"),
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: `Original-Recipient` carried the bare address, without its address type.
    #[test]
    fn original_recipient_names_its_address_type() {
        assert_eq!(original_recipient("a@b.example"), "rfc822;a@b.example");
        assert_eq!(
            original_recipient("rfc822;a@b.example"),
            "rfc822;a@b.example"
        );
        assert_eq!(original_recipient("a@b\r\nX: y"), "rfc822;a@b  X: y");
    }

    #[test]
    fn phi_headers_get_the_placeholder_subject() {
        let body =
            b"From: a@b\r\nSubject: SSN 123-45-6789\r\n  continued\r\nTo: c@d\r\n\r\nbody SSN\r\n";
        let h = returned_headers(body, Some("[protected]"));
        let h = String::from_utf8(h).unwrap();
        assert_eq!(h, "From: a@b\r\nSubject: [protected]\r\nTo: c@d\r\n");
        let h = returned_headers(body, None);
        assert!(String::from_utf8(h).unwrap().contains("123-45-6789"));
    }
}
