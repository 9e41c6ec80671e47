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
//! * **Emailed codes** (`login.rs`): 6 digits, 10 minutes, one use, bound to one browser
//!   session and one copy, kept only as a keyed hash; 5 wrong entries lock the copy's code
//!   step; code mails are rate-limited per recipient and per client.
//! * **Sessions** (`session.rs`): random ids, 15 minutes idle logoff, a CSRF token each, and
//!   authentication per copy.
//! * **Events are append-only per escrowed copy**: time, kind and a role or pseudonym, never a
//!   value from the message; an [`Observer`] (the gateway's metrics) sees each committed event's
//!   tenant and kind only.
//! * **Per-tenant template** (`brand.rs`): name, help line, intro, colours (a generated
//!   same-origin style sheet) and a logo served from the portal's origin — a real PNG or a
//!   script-free SVG of at most 128 KiB, served under a `sandbox` CSP.
//! * **English and Spanish** (`i18n.rs`): every page and recipient mail text comes from one
//!   catalogue of (key, English, Spanish); pages follow `Accept-Language` or the switch link,
//!   and a tenant may override any text (checked: known key, not empty, no HTML, only the
//!   placeholders of the text it replaces).
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
mod record;
mod sanitise;
pub mod seal;
mod session;
mod store;
mod store_batch;
pub mod web;

pub use brand::{Brand, Logo, LogoKind, MAX_LOGO};
pub use document::{Attachment, Document};
pub use error::PortalError;
pub use i18n::{Lang, Texts};
pub use id::{BadEscrowId, EscrowId};
pub use login::{CodeError, CodePolicy, Codes};
pub use record::{Actor, EscrowRecord, EscrowState, KeyMode, PortalEvent, PortalEventKind};
pub use sanitise::{document as sanitise_message, safe_name};
pub use seal::Half;
pub use session::{SessionView, Sessions};
pub use store::{Deposit, EscrowStore, NewEscrow, Observer};
pub use store_batch::BatchStats;
pub use web::{MailFuture, PortalMail, WebConfig, router};
