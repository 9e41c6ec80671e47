//! The portal's sender receipts, reminders and warnings (issue 13 items 3 and 4), sent by
//! the sweep in `serve`: the receipt with the status-page link, the unread reminder to the
//! recipient and the unread note to the sender, the expiry warning, the read receipt; and the
//! status page's "send the notification again" and "extend" (`key_mode = "server"` only for
//! the resend).
//!
//! Guarantees:
//! - No mail carries a value from the message: no subject, body or attachment. Mail to the
//!   sender names the message's date, the copies' reference words and a count — not the
//!   recipients (their addresses next to a clinic's name can be PHI in a mailbox that is
//!   forwarded or shared; the sender sees them on the status page, after its POST, over the
//!   portal's HTTPS).
//! - Mail to the sender is the gateway's own (null reverse path, the gateway's Message-ID,
//!   `tls-only`, From the gateway's postmaster address with the organisation's name, signed
//!   with the gateway's key like a DSN), so it goes over the tenant's return route when it
//!   has one. Mail to the recipient is like the code mail (`deliver`, from the
//!   tenant's portal address) and, in `key_mode = "link"`, carries no link: the reminder names
//!   the reference word and says to use the original mail or ask for it again; in
//!   `key_mode = "server"` the reminder carries a fresh link.
//! - Each mail is committed to the spool first, then recorded (an event on the copy, or the
//!   receipt marked sent): a crash between the two sends it once more at most; a recorded
//!   one is never sent again, across restarts. The status token exists in clear only in the
//!   receipt (the store keeps its keyed hash).
//! - All calls block (redb, spool commits): `serve` runs the sweep on the blocking pool.

use crate::escrow::PortalEscrow;
use crate::notice::{crlf, rfc5322_date};
use crate::portal_mail::{self, Notification};
use crate::portal_send::Wake;
use sealgate_core::{Address, MessageId, Requirement, Timestamp};
use sealgate_portal::{
    Actor, Due, EscrowRecord, KeyMode, NoticePolicy, PortalError, PortalEventKind, SenderStatus,
};
use std::sync::Arc;
use std::time::Duration;

/// The sweep's mail: receipts, reminders, warnings, read receipts.
pub struct PortalNotices {
    /// The escrow step (store, configuration, originator).
    pub escrow: Arc<PortalEscrow>,
    /// The deliver stage's waker.
    pub wake: Wake,
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Copies expired.
    pub expired: usize,
    /// Mails committed.
    pub mailed: usize,
}

fn plain(headers: String, body: &str) -> Vec<u8> {
    let mut out = headers;
    out.push_str(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
    );
    out.push_str(&crlf(body));
    out.into_bytes()
}

impl PortalNotices {
    /// The policy from `[portal]` and the tenants' `read_receipt`.
    pub fn policy(&self) -> NoticePolicy {
        let c = &self.escrow.config;
        NoticePolicy {
            reminder_after: c.notices.reminder_after,
            expiry_warning: c.notices.expiry_warning,
            read_receipt: c
                .tenants
                .iter()
                .filter(|t| t.read_receipt)
                .map(|t| t.name.clone())
                .collect(),
        }
    }

    /// One sweep (blocking): expires due copies, then sends what is due. A failed mail is
    /// logged by kind and tried again at the next sweep.
    pub fn sweep(&self) -> Result<Swept, PortalError> {
        let store = &self.escrow.store;
        let expired = store.expire_due()?.len();
        let mut mailed = 0;
        for due in store.due_notices(&self.policy())? {
            let kind = due_name(&due);
            match self.send(due) {
                Ok(()) => mailed += 1,
                Err(e) => tracing::warn!(kind, error = %e, "portal notice not sent"),
            }
        }
        Ok(Swept { expired, mailed })
    }

    fn send(&self, due: Due) -> Result<(), PortalError> {
        match due {
            Due::Receipt(s, copies) => self.receipt(&s, &copies),
            Due::Reminder(r) => self.reminder(&r),
            Due::SenderNote(r, s) => {
                self.to_sender(&r, &s, "note", PortalEventKind::SenderReminded)
            }
            Due::ExpiryWarning(r) => self.warning(&r),
            Due::ReadReceipt(r, s) => {
                self.to_sender(&r, &s, "read", PortalEventKind::ReadReceiptSent)
            }
        }
    }

    fn tenant(&self, name: &str) -> Result<&sealgate_config::PortalTenant, PortalError> {
        self.escrow
            .config
            .tenant(name)
            .ok_or_else(|| PortalError::Conflict("the tenant has no portal".into()))
    }

    fn from(&self, tenant: &str) -> Result<Address, PortalError> {
        self.escrow
            .from_address(tenant)
            .ok_or_else(|| PortalError::Conflict("no notification From address".into()))
    }

    /// The text of `key` (its `notice_` key in `sealgate_portal`'s catalogue, with the tenant's
    /// overrides) in each of the tenant's mail languages: a subject joined by " / ", a body
    /// with a rule between the languages.
    fn words(
        &self,
        t: &sealgate_config::PortalTenant,
        key: &str,
        vars: &[(&str, &str)],
        subject: bool,
    ) -> String {
        let (langs, texts) = crate::escrow::tenant_language(t);
        let key = format!("notice_{}", key.replace('-', "_"));
        let parts: Vec<String> = langs.iter().map(|l| texts.fill(&key, *l, vars)).collect();
        parts.join(if subject { " / " } else { portal_mail::BETWEEN })
    }

    /// Headers of a mail from the tenant's portal address (to a recipient) or from the
    /// gateway's own address (to the sender: `sender`, so the gateway's key signs it).
    fn headers(
        &self,
        id: MessageId,
        tenant: &str,
        to: &Address,
        subject: &str,
    ) -> Result<String, PortalError> {
        let from = self.from(tenant)?;
        self.headers_from(id, tenant, &from, to, subject)
    }

    fn sender_headers(
        &self,
        id: MessageId,
        tenant: &str,
        to: &Address,
        subject: &str,
    ) -> Result<String, PortalError> {
        let from = self.escrow.origin.identity.postmaster.clone();
        self.headers_from(id, tenant, &from, to, subject)
    }

    fn headers_from(
        &self,
        id: MessageId,
        tenant: &str,
        from: &Address,
        to: &Address,
        subject: &str,
    ) -> Result<String, PortalError> {
        let t = self.tenant(tenant)?;
        let o = &self.escrow.origin;
        let subject = portal_mail::header_text(subject);
        let name = portal_mail::display_name(&format!("{} secure mail", t.organisation));
        Ok(format!(
            "From: {name} <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: {mid}\r\nAuto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n",
            from = from,
            date = rfc5322_date(o.clock.now()),
            mid = o.message_id_header(id),
        ))
    }

    /// Commits mail to the sender: the gateway's own (null reverse path), `tls-only`.
    fn commit_to_sender(
        &self,
        id: MessageId,
        tenant: &str,
        to: &Address,
        raw: Vec<u8>,
    ) -> Result<(), PortalError> {
        let o = &self.escrow.origin;
        o.submit(id, tenant, to, raw).map_err(io)?;
        (self.wake)(id);
        Ok(())
    }

    /// Commits mail to a recipient, like the code mail (`deliver`, from the portal address).
    fn commit_to_recipient(
        &self,
        id: MessageId,
        r: &EscrowRecord,
        raw: Vec<u8>,
    ) -> Result<(), PortalError> {
        let o = &self.escrow.origin;
        let from = self.from(&r.tenant)?;
        let m = o.message(
            id,
            &r.tenant,
            Some(from),
            &r.recipient,
            raw,
            Requirement::Deliver,
            false,
        );
        o.store.commit(&m).map_err(io)?;
        (self.wake)(id);
        Ok(())
    }

    fn receipt(&self, s: &SenderStatus, copies: &[EscrowRecord]) -> Result<(), PortalError> {
        let t = self.tenant(&s.tenant)?;
        let store = &self.escrow.store;
        let token = store.issue_status_token(s.message_id)?;
        let link = zeroize::Zeroizing::new(format!("{}/s/{}", t.base_url, token.as_str()));
        let refs: Vec<&str> = copies.iter().map(|c| c.reference.as_str()).collect();
        let (date, count) = (rfc5322_date(s.created), copies.len().to_string());
        let vars = [
            ("org", t.organisation.as_str()),
            ("date", date.as_str()),
            ("count", count.as_str()),
            ("refs", &refs.join(", ")),
            ("link", link.as_str()),
            ("help", t.help.as_str()),
        ];
        let id = self.escrow.origin.new_id();
        let subject = self.words(t, "receipt-subject", &vars, true);
        let raw = plain(
            self.sender_headers(id, &s.tenant, &s.sender, &subject)?,
            &self.words(t, "receipt-body", &vars, false),
        );
        self.commit_to_sender(id, &s.tenant, &s.sender, raw)?;
        store.mark_receipt_sent(s.message_id)
    }

    fn reminder(&self, r: &EscrowRecord) -> Result<(), PortalError> {
        let t = self.tenant(&r.tenant)?;
        let store = &self.escrow.store;
        let eid =
            r.id.parse()
                .map_err(|_| PortalError::Corrupt("escrow id".into()))?;
        let link = match r.key_mode {
            KeyMode::Server => {
                let half = store.server_link_half(eid)?;
                Some(zeroize::Zeroizing::new(format!(
                    "{}/m/{}#{}",
                    t.base_url,
                    r.id,
                    half.to_fragment().as_str()
                )))
            }
            KeyMode::Link => None,
        };
        let (date, expires) = (rfc5322_date(r.created), rfc5322_date(r.expires));
        let vars = [
            ("org", t.organisation.as_str()),
            ("ref", r.reference.as_str()),
            ("date", date.as_str()),
            ("expires", expires.as_str()),
            ("link", link.as_ref().map_or("", |l| l.as_str())),
            ("help", t.help.as_str()),
        ];
        let body = if link.is_some() {
            "reminder-body-link"
        } else {
            "reminder-body"
        };
        let id = self.escrow.origin.new_id();
        let subject = self.words(t, "reminder-subject", &vars, true);
        let raw = plain(
            self.headers(id, &r.tenant, &r.recipient, &subject)?,
            &self.words(t, body, &vars, false),
        );
        self.commit_to_recipient(id, r, raw)?;
        store.append(eid, PortalEventKind::Reminded, Actor::System)
    }

    fn warning(&self, r: &EscrowRecord) -> Result<(), PortalError> {
        let t = self.tenant(&r.tenant)?;
        let eid =
            r.id.parse()
                .map_err(|_| PortalError::Corrupt("escrow id".into()))?;
        let expires = rfc5322_date(r.expires);
        let vars = [
            ("org", t.organisation.as_str()),
            ("ref", r.reference.as_str()),
            ("expires", expires.as_str()),
            ("help", t.help.as_str()),
        ];
        let id = self.escrow.origin.new_id();
        let subject = self.words(t, "warning-subject", &vars, true);
        let raw = plain(
            self.headers(id, &r.tenant, &r.recipient, &subject)?,
            &self.words(t, "warning-body", &vars, false),
        );
        self.commit_to_recipient(id, r, raw)?;
        self.escrow
            .store
            .append(eid, PortalEventKind::ExpiryWarned, Actor::System)
    }

    /// The unread note (`what = "note"`) or the read receipt (`"read"`) to the sender.
    fn to_sender(
        &self,
        r: &EscrowRecord,
        s: &SenderStatus,
        what: &str,
        kind: PortalEventKind,
    ) -> Result<(), PortalError> {
        let eid =
            r.id.parse()
                .map_err(|_| PortalError::Corrupt("escrow id".into()))?;
        let date = rfc5322_date(s.created);
        let vars = [("ref", r.reference.as_str()), ("date", date.as_str())];
        let id = self.escrow.origin.new_id();
        let t = self.tenant(&s.tenant)?;
        let subject = self.words(t, &format!("{what}-subject"), &vars, true);
        let body = self.words(t, &format!("{what}-body"), &vars, false);
        let raw = plain(
            self.sender_headers(id, &s.tenant, &s.sender, &subject)?,
            &body,
        );
        self.commit_to_sender(id, &s.tenant, &s.sender, raw)?;
        self.escrow.store.append(eid, kind, Actor::System)
    }
}

fn due_name(due: &Due) -> &'static str {
    match due {
        Due::Receipt(..) => "receipt",
        Due::Reminder(_) => "reminder",
        Due::SenderNote(..) => "sender-note",
        Due::ExpiryWarning(_) => "expiry-warning",
        Due::ReadReceipt(..) => "read-receipt",
    }
}

fn io(e: impl std::fmt::Display) -> PortalError {
    PortalError::Io(e.to_string())
}

/// `key_mode = "server"`: a fresh notification to the recipient of `r` (blocking), from the
/// status page's "send again". The caller records the `resent` event.
pub fn resend(escrow: &PortalEscrow, wake: &Wake, r: &EscrowRecord) -> Result<(), PortalError> {
    let t = escrow
        .config
        .tenant(&r.tenant)
        .ok_or_else(|| PortalError::Conflict("the tenant has no portal".into()))?;
    let from = escrow
        .from_address(&r.tenant)
        .ok_or_else(|| PortalError::Conflict("no notification From address".into()))?;
    let eid =
        r.id.parse()
            .map_err(|_| PortalError::Corrupt("escrow id".into()))?;
    let half = escrow.store.server_link_half(eid)?;
    let link = zeroize::Zeroizing::new(format!(
        "{}/m/{}#{}",
        t.base_url,
        r.id,
        half.to_fragment().as_str()
    ));
    let sender = escrow
        .store
        .sender_status(r.message_id)?
        .map(|s| s.sender.to_string());
    let (langs, texts) = crate::escrow::tenant_language(t);
    let o = &escrow.origin;
    let id = o.new_id();
    let raw = portal_mail::notification(
        o,
        id,
        &Notification {
            sender_name: sender.as_deref().unwrap_or(&t.organisation),
            from: &from,
            to: &r.recipient,
            org: &t.organisation,
            link: &link,
            reference: &r.reference,
            expires: r.expires,
            help: &t.help,
            intro: &t.intro,
            colour: t.colours.map(|c| c.background),
            langs: &langs,
            texts: &texts,
        },
    );
    let m = o.message(
        id,
        &r.tenant,
        Some(from),
        &r.recipient,
        raw,
        Requirement::Deliver,
        false,
    );
    o.store.commit(&m).map_err(io)?;
    wake(id);
    Ok(())
}

/// How far "Extend" on the status page moves an expiry: a week past the later of now and the
/// current expiry, never beyond the tenant's `max_expiry` counted from the deposit.
pub const EXTEND_BY: Duration = Duration::from_secs(7 * 86_400);

/// The expiry an "Extend" moves `r` to, or `None` when it is at its limit.
pub fn extension(escrow: &PortalEscrow, r: &EscrowRecord) -> Option<Timestamp> {
    let c = &escrow.config;
    let max = c
        .tenant(&r.tenant)
        .and_then(|t| t.expiry)
        .map_or(c.max_expiry, |b| b.max)
        .min(c.max_expiry);
    let now = escrow.origin.clock.now();
    let base = now.max(r.expires);
    let until = base.plus(EXTEND_BY).min(r.created.plus(max));
    (until > r.expires).then_some(until)
}
