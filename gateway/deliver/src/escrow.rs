//! The `portal` method's deliver step: the recipient's copy is sanitised and sealed into the
//! portal's escrow store, and the recipient's copy that leaves is a notification with the link.
//!
//! Guarantees:
//! - The notification is the recipient's copy, like a PGP copy: sent under the message's own
//!   envelope, DKIM-signed with the tenant's key (its From is at the tenant's domain), and it
//!   carries no value from the message (no subject, body or attachment — `portal_mail.rs`).
//!   The recipient becomes `Escrowed` when its MX accepts it; a permanent refusal bounces
//!   with a DSN as for any copy.
//! - The link half exists only in the link inside the notification, in memory for that round:
//!   it is never logged, never stored, and the [`Deposit`] that held it is wiped when the
//!   notification is built. A round that does not deliver the notification withdraws its
//!   escrow at the next round (its link never reached anyone) and escrows anew; a notification
//!   refused for good withdraws its escrow at once.
//! - All calls block (fsync, redb, sealing): they run on the blocking pool.
//!
//! [`Deposit`]: sealgate_portal::Deposit

use crate::notice::Originator;
use crate::portal_mail::{self, Notification};
use sealgate_config::PortalConfig;
use sealgate_core::{Address, Body, Message, MessageId, Timestamp};
use sealgate_portal::{Actor, EscrowStore, KeyMode, NewEscrow, PortalError, PortalEventKind};
use sealgate_transform::{Outcome, Protected, Protection};
use std::sync::Arc;

/// Why a copy could not be escrowed.
#[derive(Debug, thiserror::Error)]
pub enum EscrowError {
    /// The store failed (disk, database): try again later.
    #[error("portal store unavailable: {0}")]
    Temporary(String),
    /// This copy can't be escrowed (no portal for the tenant, null sender, attachment over
    /// the limit): the chain goes on to its next method.
    #[error("{0}")]
    Permanent(String),
}

impl From<PortalError> for EscrowError {
    fn from(e: PortalError) -> Self {
        if e.is_temporary() {
            EscrowError::Temporary(e.to_string())
        } else {
            EscrowError::Permanent(e.to_string())
        }
    }
}

/// An escrowed copy: the notification to send in its place and the escrow id for the record.
#[derive(Debug)]
pub struct Escrowed {
    /// The notification (unsigned; DKIM is the last change).
    pub notification: Body,
    /// The escrow id (the link's path; no secret).
    pub escrow: String,
}

/// The deliver stage's view of the portal.
pub trait Escrow: Send + Sync {
    /// Sanitises and seals `copy` (recipient `index` of `msg`) and builds its notification.
    fn escrow(&self, msg: &Message, index: u32, copy: &[u8]) -> Result<Escrowed, EscrowError>;
    /// The recipient's MX accepted the notification.
    fn notified(&self, msg: MessageId, index: u32);
    /// The notification failed for good (the recipient bounces): its escrow is withdrawn.
    fn unsent(&self, msg: MessageId, index: u32);
}

/// The escrow step over the portal's store.
pub struct PortalEscrow {
    /// The store (shared with the portal's web side).
    pub store: Arc<EscrowStore>,
    /// Ids, dates and boundaries for the notification.
    pub origin: Originator,
    /// `[portal]`.
    pub config: Arc<PortalConfig>,
    /// The tenants' configured sender domains, for the default notification From.
    pub domains: std::collections::HashMap<String, String>,
}

impl std::fmt::Debug for PortalEscrow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PortalEscrow")
    }
}

impl PortalEscrow {
    /// The notification's From for `tenant`: `[portal.tenants.NAME] from`, else
    /// `secure-mail@<the tenant's first sender domain>`.
    pub fn from_address(&self, tenant: &str) -> Option<Address> {
        let t = self.config.tenant(tenant)?;
        t.from.clone().or_else(|| {
            let domain = self.domains.get(tenant)?;
            Address::parse(&format!("secure-mail@{domain}")).ok()
        })
    }

    /// A recipient's earlier escrow whose notification was never accepted is withdrawn.
    fn withdraw_unsent(&self, msg: MessageId, index: u32) -> Result<(), EscrowError> {
        let Some(old) = self.store.find(msg, index)? else {
            return Ok(());
        };
        let id = old
            .id
            .parse()
            .map_err(|_| EscrowError::Temporary("escrow id".into()))?;
        let notified = self
            .store
            .events(id)?
            .iter()
            .any(|e| e.kind == PortalEventKind::Notified);
        if old.is_active() && !notified {
            self.store.revoke(id, Actor::System)?;
        }
        Ok(())
    }
}

/// The sender's display name from the header `From`, or the envelope sender's address.
fn sender_name(msg: &Message, fallback: &Address) -> String {
    mail_parser::MessageParser::default()
        .parse_headers(&msg.body[..])
        .and_then(|m| {
            m.from()
                .and_then(|f| f.first())
                .and_then(|a| a.name().map(str::to_string))
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| fallback.to_string())
}

impl Escrow for PortalEscrow {
    fn escrow(&self, msg: &Message, index: u32, copy: &[u8]) -> Result<Escrowed, EscrowError> {
        let tenant = self.config.tenant(&msg.tenant).ok_or_else(|| {
            EscrowError::Permanent("the tenant has no [portal.tenants] entry".into())
        })?;
        let from = self.from_address(&msg.tenant).ok_or_else(|| {
            EscrowError::Permanent("no notification From address for the tenant".into())
        })?;
        let sender = msg.envelope.mail_from.as_ref().ok_or_else(|| {
            EscrowError::Permanent("mail from the null sender is not escrowed".into())
        })?;
        let recipient = msg
            .envelope
            .recipients
            .get(index as usize)
            .ok_or_else(|| EscrowError::Permanent("no such recipient".into()))?
            .address
            .clone();
        self.withdraw_unsent(msg.id, index)?;
        // The sender's receipt and status page (`portal_notices.rs`) need to know who sent it.
        self.store.register_sender(msg.id, &msg.tenant, sender)?;
        let now = self.origin.clock.now();
        // The message's own expiry (a rule's `portal_expiry` or the subject's expiry tag),
        // within the portal's bounds; counted from this deposit.
        let wanted = msg
            .decision
            .portal_expiry
            .map(std::time::Duration::from_secs);
        let life = self.config.bound_expiry_for(&msg.tenant, wanted);
        let deposit = self.store.deposit(NewEscrow {
            message_id: msg.id,
            recipient_index: index,
            recipient: recipient.clone(),
            tenant: &msg.tenant,
            key_mode: if tenant.key_mode_server {
                KeyMode::Server
            } else {
                KeyMode::Link
            },
            expires: Timestamp(now.millis().saturating_add(life.as_millis() as u64)),
            raw: copy,
            max_attachment: self.config.max_attachment,
        })?;
        let link = zeroize::Zeroizing::new(format!(
            "{}/m/{}#{}",
            tenant.base_url,
            deposit.id,
            deposit.link_half.to_fragment().as_str()
        ));
        let name = sender_name(msg, sender);
        let (langs, texts) = tenant_language(tenant);
        let notification = portal_mail::notification(
            &self.origin,
            self.origin.new_id(),
            &Notification {
                sender_name: &name,
                from: &from,
                to: &recipient,
                org: &tenant.organisation,
                link: &link,
                reference: &deposit.reference,
                expires: deposit.expires,
                help: &tenant.help,
                intro: &tenant.intro,
                colour: tenant.colours.map(|c| c.background),
                langs: &langs,
                texts: &texts,
            },
        );
        let escrow = deposit.id.to_string();
        // Wipes the link half (and the link text above, on return).
        drop(deposit);
        Ok(Escrowed {
            notification: notification.into(),
            escrow,
        })
    }

    fn notified(&self, msg: MessageId, index: u32) {
        let found = self.store.find(msg, index);
        let appended = found.and_then(|r| match r.and_then(|r| r.id.parse().ok()) {
            Some(id) => self
                .store
                .append(id, PortalEventKind::Notified, Actor::System),
            None => Ok(()),
        });
        if let Err(e) = appended {
            tracing::warn!(id = %msg, error = %e, "could not record the portal notification");
        }
    }

    fn unsent(&self, msg: MessageId, index: u32) {
        if let Err(e) = self.withdraw_unsent(msg, index) {
            // Its expiry still destroys it.
            tracing::warn!(id = %msg, error = %e, "could not withdraw an unsent escrow");
        }
    }
}

/// A `portal` outcome becomes the escrowed copy's notification (sent like an encrypted copy,
/// to that recipient only); any other outcome passes unchanged.
pub(crate) fn escrowed(
    escrow: Option<&dyn Escrow>,
    msg: &Message,
    index: u32,
    p: Protected,
) -> Result<(Protected, Option<String>), EscrowError> {
    let Outcome::Send {
        body,
        protection: Protection::Portal,
    } = &p.outcome
    else {
        return Ok((p, None));
    };
    let escrow = escrow.ok_or_else(|| EscrowError::Permanent("no portal".into()))?;
    let done = escrow.escrow(msg, index, body)?;
    tracing::info!(id = %msg.id, escrow = %done.escrow, "copy escrowed; notification built");
    let p = Protected {
        outcome: Outcome::Send {
            body: done.notification,
            protection: Protection::Portal,
        },
        skipped: p.skipped,
    };
    Ok((p, Some(done.escrow)))
}

/// A tenant's mail languages and texts (`language`, `[portal.tenants.NAME.texts]`); overrides
/// `config check` refuses are left out here (the gateway does not start with them).
pub(crate) fn tenant_language(
    t: &sealgate_config::PortalTenant,
) -> (Vec<sealgate_portal::Lang>, sealgate_portal::Texts) {
    let langs = t
        .language
        .codes()
        .iter()
        .filter_map(|c| sealgate_portal::Lang::from_code(c))
        .collect();
    let overrides = t.texts.iter().filter_map(|o| {
        let lang = sealgate_portal::Lang::from_code(&o.lang)?;
        sealgate_portal::i18n::check_override(&o.key, lang, &o.text).ok()?;
        Some((lang, o.key.clone(), o.text.clone()))
    });
    (
        langs,
        sealgate_portal::Texts::new(overrides).unwrap_or_default(),
    )
}
