//! The stored rows: one [`EscrowRecord`] per escrowed copy and its append-only
//! [`PortalEvent`]s.
//!
//! Guarantees: no row holds a body, subject, header value, link or code; the recipient address
//! is kept (the portal mails codes to it), as the spool's recipient rows do; actors are
//! pseudonyms or roles, never an address or IP in clear.

use sealgate_commit::WrappedKey;
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Where the link half is kept (`[tenants.NAME.portal] key_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum KeyMode {
    /// Only in the link's URL fragment: the store alone can't open the copy, and a lost link
    /// can't be re-sent.
    #[default]
    Link,
    /// Also in the store, wrapped under the master key: the gateway can re-send a link (part 2's
    /// resend and reminders), and the store with the master key can open the copy.
    Server,
}

impl KeyMode {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyMode::Link => "link",
            KeyMode::Server => "server",
        }
    }
}

/// The life of an escrowed copy. `Revoked` and `Expired` are final: the stored half is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum EscrowState {
    /// Readable by the recipient after authentication.
    Active,
    /// Withdrawn by an administrator or the sender.
    Revoked {
        /// When.
        at: Timestamp,
    },
    /// Past its expiry.
    Expired {
        /// When the store noticed (at or after the expiry time).
        at: Timestamp,
    },
}

/// A wrapped key half as stored (master key id and the wrapped bytes in hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredKey {
    pub key_id: String,
    pub wrapped: String,
}

impl StoredKey {
    pub fn new(w: WrappedKey) -> Self {
        StoredKey {
            key_id: w.key_id,
            wrapped: hex::encode(w.bytes),
        }
    }
}

/// One escrowed copy (one recipient of one message).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscrowRecord {
    /// The escrow id, as in the link.
    pub id: String,
    /// The spool message it came from.
    pub message_id: MessageId,
    /// The recipient's position in that message's envelope.
    pub recipient_index: u32,
    /// The recipient (codes are mailed here).
    pub recipient: Address,
    /// The tenant that sent it.
    pub tenant: String,
    /// The reference word shown in the notification and on the page.
    pub reference: String,
    /// When it was escrowed.
    pub created: Timestamp,
    /// When it expires.
    pub expires: Timestamp,
    /// Where the link half is kept.
    pub key_mode: KeyMode,
    /// Active, revoked or expired.
    #[serde(flatten)]
    pub state: EscrowState,
    /// Number of attachments.
    pub attachments: u32,
    /// Number of events (the next event's sequence number).
    pub events: u32,
}

/// The content of an escrow's half file: the stored half and, in `key_mode = "server"`, the
/// link half, each wrapped under the master key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Halves {
    pub stored: StoredKey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<StoredKey>,
}

impl EscrowRecord {
    /// True while the stored half exists (neither revoked nor expired).
    pub fn is_active(&self) -> bool {
        self.state == EscrowState::Active
    }
}

/// Who caused a portal event: a role or a keyed pseudonym, never an address or IP in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "role", content = "pseudonym")]
pub enum Actor {
    /// The gateway itself (notification, expiry).
    System,
    /// An administrator (CLI or admin API).
    Admin,
    /// The sender (e.g. a revoke from the sender's page).
    Sender,
    /// A browser, by its pseudonymised client address (`ip:…`).
    Client(String),
}

/// What happened to an escrowed copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum PortalEventKind {
    /// Sealed and stored.
    Escrowed,
    /// The recipient's MX accepted the notification.
    Notified,
    /// The link was opened (GET; changes nothing else).
    Opened,
    /// A code was mailed.
    CodeSent,
    /// A code could not be mailed.
    CodeSendFailed,
    /// A wrong or expired code was entered.
    CodeFailed,
    /// Too many wrong codes: the code step is locked.
    CodeLocked,
    /// The right code was entered.
    CodePassed,
    /// The message was decrypted and shown.
    Viewed,
    /// An attachment was downloaded.
    AttachmentDownloaded {
        /// Its position.
        index: u32,
    },
    /// The recipient asked the sender to send it again.
    ResendAsked,
    /// The expiry was moved.
    Extended {
        /// The new expiry.
        until: Timestamp,
    },
    /// Withdrawn; the stored half was destroyed.
    Revoked,
    /// Expired; the stored half was destroyed.
    Expired,
    /// The recipient replied from the portal.
    Replied,
    /// The unread reminder was mailed to the recipient (once).
    Reminded,
    /// The sender was told the copy is still unread (once).
    SenderReminded,
    /// The expiry warning was mailed to the recipient (once).
    ExpiryWarned,
    /// The read receipt was mailed to the sender (once).
    ReadReceiptSent,
    /// The sender had the notification sent again (`key_mode = "server"`).
    Resent,
    /// The recipient registered a passkey (after passing the code).
    PasskeyRegistered,
    /// The recipient opened the copy with a passkey instead of a code.
    PasskeyUsed,
    /// A passkey was removed (by the recipient, or by an administrator).
    PasskeyRemoved,
}

impl PortalEventKind {
    /// Every [`name`](Self::name), for metrics that start each series at zero.
    pub const NAMES: &'static [&'static str] = &[
        "escrowed",
        "notified",
        "opened",
        "code-sent",
        "code-send-failed",
        "code-failed",
        "code-locked",
        "code-passed",
        "viewed",
        "attachment-downloaded",
        "resend-asked",
        "extended",
        "revoked",
        "expired",
        "replied",
        "reminded",
        "sender-reminded",
        "expiry-warned",
        "read-receipt-sent",
        "resent",
        "passkey-registered",
        "passkey-used",
        "passkey-removed",
    ];

    /// A short name for metrics labels and listings.
    pub fn name(&self) -> &'static str {
        match self {
            PortalEventKind::Escrowed => "escrowed",
            PortalEventKind::Notified => "notified",
            PortalEventKind::Opened => "opened",
            PortalEventKind::CodeSent => "code-sent",
            PortalEventKind::CodeSendFailed => "code-send-failed",
            PortalEventKind::CodeFailed => "code-failed",
            PortalEventKind::CodeLocked => "code-locked",
            PortalEventKind::CodePassed => "code-passed",
            PortalEventKind::Viewed => "viewed",
            PortalEventKind::AttachmentDownloaded { .. } => "attachment-downloaded",
            PortalEventKind::ResendAsked => "resend-asked",
            PortalEventKind::Extended { .. } => "extended",
            PortalEventKind::Revoked => "revoked",
            PortalEventKind::Expired => "expired",
            PortalEventKind::Replied => "replied",
            PortalEventKind::Reminded => "reminded",
            PortalEventKind::SenderReminded => "sender-reminded",
            PortalEventKind::ExpiryWarned => "expiry-warned",
            PortalEventKind::ReadReceiptSent => "read-receipt-sent",
            PortalEventKind::Resent => "resent",
            PortalEventKind::PasskeyRegistered => "passkey-registered",
            PortalEventKind::PasskeyUsed => "passkey-used",
            PortalEventKind::PasskeyRemoved => "passkey-removed",
        }
    }
}

/// One entry of an escrowed copy's append-only event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalEvent {
    /// When.
    pub at: Timestamp,
    /// What.
    #[serde(flatten)]
    pub kind: PortalEventKind,
    /// Who.
    pub actor: Actor,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_kind_has_its_name_in_names() {
        let all = [
            PortalEventKind::Escrowed,
            PortalEventKind::Notified,
            PortalEventKind::Opened,
            PortalEventKind::CodeSent,
            PortalEventKind::CodeSendFailed,
            PortalEventKind::CodeFailed,
            PortalEventKind::CodeLocked,
            PortalEventKind::CodePassed,
            PortalEventKind::Viewed,
            PortalEventKind::AttachmentDownloaded { index: 0 },
            PortalEventKind::ResendAsked,
            PortalEventKind::Extended {
                until: Timestamp(0),
            },
            PortalEventKind::Revoked,
            PortalEventKind::Expired,
            PortalEventKind::Replied,
            PortalEventKind::Reminded,
            PortalEventKind::SenderReminded,
            PortalEventKind::ExpiryWarned,
            PortalEventKind::ReadReceiptSent,
            PortalEventKind::Resent,
            PortalEventKind::PasskeyRegistered,
            PortalEventKind::PasskeyUsed,
            PortalEventKind::PasskeyRemoved,
        ];
        let names: Vec<&str> = all.iter().map(PortalEventKind::name).collect();
        assert_eq!(names, PortalEventKind::NAMES);
    }
}
