//! Secure portal, the store side: escrowed copies sealed so the store alone can't open them.
//!
//! A recipient whose chain reaches `portal` gets a notification with a link
//! `https://<tenant portal host>/m/<escrow id>#<link half>`; the copy itself is escrowed here.
//!
//! # What this crate guarantees
//!
//! * **Sanitised once, before sealing** (`sanitise.rs`): the portal never parses hostile MIME or
//!   HTML when a recipient reads; what it shows is ammonia's allow-listed HTML with `cid:` images
//!   inlined and every remote reference dropped.
//! * **Two key halves** (`seal.rs`): the content key is HKDF-SHA256 over a 32-byte link half,
//!   which lives only in the link's URL fragment (in `key_mode = "server"` also wrapped in the
//!   store), and a 32-byte stored half wrapped under the master key ([`KeyWrapper`]); AES-256-GCM
//!   with the escrow id as associated data. With `key_mode = "link"`, the data directory, the
//!   master key and the database together open nothing without the link.
//! * **Revoke and expiry destroy the stored half** in the live store (its file is zeroed,
//!   fsync'd and removed, then the sealed file is removed). Backups taken before keep it.
//! * **Backups** (`snapshot.rs`): [`EscrowStore::snapshot`] copies the live store consistently
//!   (one read transaction, the files of the copies active in it, revoke and expiry held back
//!   meanwhile) for `sealgate backup`; [`EscrowStore::check_copies`] checks a restore.
//! * **Emailed codes** (`login.rs`): 6 digits, 10 minutes, one use, bound to one browser
//!   session and one copy, kept only as a keyed hash; 5 wrong entries lock the copy's code
//!   step; code mails are rate-limited per recipient and per client.
//! * **Sessions** (`session.rs`): random ids, 15 minutes idle logoff, a CSRF token each, and
//!   authentication per copy.
//! * **Passkeys** (`passkey.rs`, `passkey_store.rs`): WebAuthn ES256/EdDSA credentials per
//!   tenant relying party (its portal host) and recipient pseudonym; one-use challenges; a
//!   passkey authenticates a session for one copy (the link half is still needed to read).
//!   Which box a page shows (passkey sign-in or offer) is answered from memory
//!   (`passkey_index.rs`), so the pages make no store read for it.
//! * **Events are append-only per escrowed copy**: time, kind and a role or pseudonym, never a
//!   value from the message; an [`Observer`] (the gateway's metrics) sees each committed event's
//!   tenant and kind only.
//! * **Secure reply** (`reply.rs`, `web/reply.rs`): from the message page, with attachments up
//!   to the tenant's `reply_max_size` (enforced while the body is read) and at most
//!   `reply_daily_limit` replies per recipient per day; every POST passes the Origin, session
//!   and CSRF checks; "sent" only after the gateway committed the reply.
//! * **Per-tenant template** (`brand.rs`): name, help line, intro, colours (a generated
//!   same-origin style sheet) and a logo served from the portal's origin — a real PNG or a
//!   script-free SVG of at most 128 KiB, served under a `sandbox` CSP.
//! * **English and Spanish** (`i18n.rs`): every page and recipient mail text comes from one
//!   catalogue of (key, English, Spanish); pages follow `Accept-Language` or the switch link,
//!   and a tenant may override any text, the reply and passkey pages' included (checked: known
//!   key, not empty, no HTML, only the placeholders of the text it replaces).
//! * **The sender's status page** (`status.rs`, `web/status.rs`): reached from the receipt
//!   mail with a per-message random token kept only as a keyed hash; a GET shows only a
//!   "Continue" button, the page itself needs a POST with Origin and CSRF token; it lists each
//!   copy's notified / opened / read / replied state and offers revoke, extend and (in
//!   `key_mode = "server"`) resend. **Reminders** (`reminder.rs`): what the sweep owes —
//!   receipt, unread reminder and sender note, expiry warning, read receipt — each once,
//!   recorded as events.
//!
//! [`KeyWrapper`]: sealgate_commit::KeyWrapper
//!
//! All store calls block (fsync, database commits): async callers use a blocking pool.
#![forbid(unsafe_code)]

mod brand;
mod document;
mod error;
mod files;
pub mod i18n;
mod i18n_texts;
mod id;
mod login;
pub mod notice_texts;
pub mod passkey;
mod passkey_index;
mod passkey_pages;
mod passkey_store;
mod record;
mod reminder;
pub mod reply;
pub mod reply_form;
mod reply_store;
mod sanitise;
pub mod seal;
mod session;
mod snapshot;
mod status;
mod status_texts;
mod store;
mod store_batch;
mod store_end;
pub mod web;

pub use brand::{Brand, Logo, LogoKind, MAX_LOGO};
pub use document::{Attachment, Document};
pub use error::PortalError;
pub use i18n::{Lang, Texts};
pub use id::{BadEscrowId, EscrowId};
pub use login::{CodeError, CodePolicy, Codes};
pub use passkey_store::{PasskeyListing, StoredPasskey};
pub use record::{Actor, EscrowRecord, EscrowState, KeyMode, PortalEvent, PortalEventKind};
pub use reminder::{Due, NoticePolicy};
pub use reply::{
    Reply, ReplyAttachment, ReplyFuture, ReplyLimits, ReplyMail, ReplyOutcome, ReplyService, Thread,
};
pub use sanitise::{document as sanitise_message, safe_name};
pub use seal::Half;
pub use session::{SessionView, Sessions};
pub use snapshot::{CopiesCheck, EscrowSnapshot};
pub use status::SenderStatus;
pub use store::{Deposit, EscrowStore, NewEscrow, Observer};
pub use store_batch::BatchStats;
pub use web::{
    Features, MailFuture, PortalMail, WebConfig, router, router_with, router_with_passkeys,
    router_with_reply,
};
