//! What the portal's sweep must send now (issue 13 items 3 and 4): the sender's receipt, the
//! recipient's unread reminder and the sender's unread note, the expiry warning, the read
//! receipt.
//!
//! Guarantees: each is due at most once per copy (message, for the receipt): the sender of
//! the mail records it as an event (`reminded`, `sender-reminded`, `expiry-warned`,
//! `read-receipt-sent`) or marks the receipt sent, and a recorded one is never due again — a
//! restart does not resend. Nothing is due for a copy whose notification was never accepted,
//! nor for a withdrawn or expired copy. A copy counts as read once it was `viewed`. Times come
//! from the store's clock.

use crate::error::PortalError;
use crate::record::{EscrowRecord, PortalEvent, PortalEventKind};
use crate::status::SenderStatus;
use crate::store::EscrowStore;
use sealgate_core::time::Timestamp;
use std::collections::HashSet;
use std::time::Duration;

/// When things are due (`[portal]` `reminder_after`, `expiry_warning`; tenants with
/// `read_receipt = true`). A zero duration turns that mail off.
#[derive(Debug, Clone, Default)]
pub struct NoticePolicy {
    /// Unread this long after the notification → reminder and sender note.
    pub reminder_after: Duration,
    /// This long before expiry → warning (only when the copy lives longer than this).
    pub expiry_warning: Duration,
    /// Tenants whose senders get a read receipt.
    pub read_receipt: HashSet<String>,
}

/// One mail the sweep owes.
#[derive(Debug, Clone)]
pub enum Due {
    /// The sender's receipt with a new status-page token.
    Receipt(SenderStatus, Vec<EscrowRecord>),
    /// The unread reminder to the recipient of the copy.
    Reminder(EscrowRecord),
    /// The unread note to the sender of the copy.
    SenderNote(EscrowRecord, SenderStatus),
    /// The expiry warning to the recipient of the copy.
    ExpiryWarning(EscrowRecord),
    /// The read receipt to the sender of the copy.
    ReadReceipt(EscrowRecord, SenderStatus),
}

fn has(events: &[PortalEvent], kind: &PortalEventKind) -> bool {
    events.iter().any(|e| &e.kind == kind)
}

fn after(t: Timestamp, d: Duration) -> Timestamp {
    Timestamp(t.millis().saturating_add(d.as_millis() as u64))
}

impl EscrowStore {
    /// Everything due at the store's current time.
    pub fn due_notices(&self, policy: &NoticePolicy) -> Result<Vec<Due>, PortalError> {
        let now = self.clock.now();
        let mut due = Vec::new();
        for s in self.pending_receipts()? {
            let copies = self.copies(s.message_id)?;
            let mut notified = Vec::new();
            for c in &copies {
                if has(&self.events(self.id_of(c)?)?, &PortalEventKind::Notified) {
                    notified.push(c.clone());
                }
            }
            if !notified.is_empty() {
                due.push(Due::Receipt(s, notified));
            }
        }
        for r in self.list()? {
            if r.is_active() && now < r.expires {
                let events = self.events(self.id_of(&r)?)?;
                self.due_for_copy(policy, now, r, &events, &mut due)?;
            }
        }
        Ok(due)
    }

    fn due_for_copy(
        &self,
        policy: &NoticePolicy,
        now: Timestamp,
        r: EscrowRecord,
        events: &[PortalEvent],
        due: &mut Vec<Due>,
    ) -> Result<(), PortalError> {
        let Some(notified) = events.iter().find(|e| e.kind == PortalEventKind::Notified) else {
            return Ok(());
        };
        let read = has(events, &PortalEventKind::Viewed);
        let sender = self.sender_status(r.message_id)?;
        let unread_due = !policy.reminder_after.is_zero()
            && !read
            && now >= after(notified.at, policy.reminder_after);
        if unread_due && !has(events, &PortalEventKind::Reminded) {
            due.push(Due::Reminder(r.clone()));
        }
        if let Some(s) = &sender
            && unread_due
            && !has(events, &PortalEventKind::SenderReminded)
        {
            due.push(Due::SenderNote(r.clone(), s.clone()));
        }
        let w = policy.expiry_warning;
        let life = r.expires.millis().saturating_sub(r.created.millis());
        if !w.is_zero()
            && u128::from(life) > w.as_millis()
            && now.millis().saturating_add(w.as_millis() as u64) >= r.expires.millis()
            && !has(events, &PortalEventKind::ExpiryWarned)
        {
            due.push(Due::ExpiryWarning(r.clone()));
        }
        if let Some(s) = sender
            && read
            && policy.read_receipt.contains(&r.tenant)
            && !has(events, &PortalEventKind::ReadReceiptSent)
        {
            due.push(Due::ReadReceipt(r, s));
        }
        Ok(())
    }
}
