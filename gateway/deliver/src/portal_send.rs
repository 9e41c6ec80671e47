//! The portal's outgoing mail ([`PortalMail`]): code mails and "ask the sender again" notes,
//! committed to the spool like any mail the gateway originates and delivered by this stage.
//!
//! Guarantees: a code mail is committed under the tenant's notification From (its envelope
//! sender too), so the deliver stage DKIM-signs it with the tenant's key; its requirement is
//! `deliver` (it carries no PHI and no link); the code is never logged. An "ask again" note
//! goes to the original envelope sender while the spool still has the message. Commits run on
//! the blocking pool; the engine is woken for each.

use crate::escrow::PortalEscrow;
use crate::notice::{crlf, rfc5322_date};
use crate::portal_mail::{self, Notification};
use sealgate_core::{Address, MessageId, Requirement};
use sealgate_portal::{EscrowRecord, MailFuture, PortalError, PortalMail};
use std::sync::Arc;

/// Wakes the deliver stage for a committed message.
pub type Wake = Arc<dyn Fn(MessageId) + Send + Sync>;

/// Sends the portal's mail through the spool.
pub struct PortalMailer {
    /// The escrow step (its configuration and originator).
    pub escrow: Arc<PortalEscrow>,
    /// The deliver stage's waker.
    pub wake: Wake,
}

fn io(e: impl std::fmt::Display) -> PortalError {
    PortalError::Io(e.to_string())
}

impl PortalMailer {
    /// Commits `content` from `from` to `to` for `tenant` as `deliver` (blocking).
    fn commit(
        &self,
        id: MessageId,
        tenant: &str,
        from: Option<Address>,
        to: &Address,
        content: Vec<u8>,
    ) -> Result<(), PortalError> {
        let o = &self.escrow.origin;
        let message = o.message(id, tenant, from, to, content, Requirement::Deliver, false);
        o.store.commit(&message).map_err(io)?;
        (self.wake)(id);
        Ok(())
    }

    fn code_blocking(&self, record: &EscrowRecord, code: &str) -> Result<(), PortalError> {
        let tenant = self
            .escrow
            .config
            .tenant(&record.tenant)
            .ok_or_else(|| PortalError::Conflict("the tenant has no portal".into()))?;
        let from = self
            .escrow
            .from_address(&record.tenant)
            .ok_or_else(|| PortalError::Conflict("no notification From address".into()))?;
        let o = &self.escrow.origin;
        let id = o.new_id();
        let (langs, texts) = crate::escrow::tenant_language(tenant);
        let raw = portal_mail::code_mail(
            o,
            id,
            &Notification {
                sender_name: &tenant.organisation,
                from: &from,
                to: &record.recipient,
                org: &tenant.organisation,
                link: "",
                reference: &record.reference,
                expires: record.expires,
                help: &tenant.help,
                intro: "",
                colour: None,
                langs: &langs,
                texts: &texts,
            },
            code,
        );
        self.commit(id, &record.tenant, Some(from), &record.recipient, raw)
    }

    fn ask_blocking(&self, record: &EscrowRecord) -> Result<(), PortalError> {
        let o = &self.escrow.origin;
        let entry = o.store.get(record.message_id).map_err(io)?;
        let Some(sender) = entry.and_then(|e| e.message.envelope.mail_from) else {
            return Err(PortalError::Conflict(
                "the original message is no longer queued".into(),
            ));
        };
        let id = o.new_id();
        let now = o.clock.now();
        let mut out = o.headers(
            id,
            &sender,
            "A recipient asks you to send a secure message again",
            now,
        );
        out.push_str(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        );
        out.push_str(&crlf(&format!(
            "The recipient of your secure message with reference word {} (sent {}) \
opened its link after it was withdrawn or expired, and asks you to send it again.\n",
            record.reference,
            rfc5322_date(record.created),
        )));
        self.commit(id, &record.tenant, None, &sender, out.into_bytes())
    }
}

impl PortalMail for PortalMailer {
    fn send_code<'a>(&'a self, record: &'a EscrowRecord, code: &'a str) -> MailFuture<'a> {
        Box::pin(async move {
            let (me, record, code) = (
                self.clone_arc(),
                record.clone(),
                zeroize::Zeroizing::new(code.to_string()),
            );
            tokio::task::spawn_blocking(move || me.code_blocking(&record, &code))
                .await
                .map_err(io)?
        })
    }

    fn ask_sender<'a>(&'a self, record: &'a EscrowRecord) -> MailFuture<'a> {
        Box::pin(async move {
            let (me, record) = (self.clone_arc(), record.clone());
            tokio::task::spawn_blocking(move || me.ask_blocking(&record))
                .await
                .map_err(io)?
        })
    }

    fn resend<'a>(&'a self, record: &'a EscrowRecord) -> MailFuture<'a> {
        Box::pin(async move {
            let (me, record) = (self.clone_arc(), record.clone());
            tokio::task::spawn_blocking(move || {
                crate::portal_notices::resend(&me.escrow, &me.wake, &record)
            })
            .await
            .map_err(io)?
        })
    }

    fn extension(&self, record: &EscrowRecord) -> Option<sealgate_core::Timestamp> {
        crate::portal_notices::extension(&self.escrow, record)
    }
}

impl PortalMailer {
    fn clone_arc(&self) -> Arc<PortalMailer> {
        Arc::new(PortalMailer {
            escrow: Arc::clone(&self.escrow),
            wake: Arc::clone(&self.wake),
        })
    }
}
