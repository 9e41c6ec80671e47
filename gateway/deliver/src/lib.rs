//! Deliver stage: takes committed messages from the spool and hands them to the next hop.
//!
//! Two targets. The **outbox** writes each final message to `<dir>/<id>.eml` (temporary file,
//! fsync, rename, directory fsync) and only then records its recipients `Delivered`. The **MX
//! engine** ([`Engine`]) is the real delivery stage:
//!
//! * a scheduler over the spool's due index (retry schedule, queue lifetime, hold expiry),
//!   with a global and a per-destination concurrency limit and connection reuse;
//! * routing ([`route`]): static routes, then MX by preference (random among equals),
//!   implicit MX, null MX as a permanent failure;
//! * an outbound SMTP client ([`client`]): per-tenant EHLO name and source address, STARTTLS,
//!   PIPELINING, SIZE, 8BITMIME/SMTPUTF8 checks, per-recipient replies, RFC 5321 timeouts;
//! * WKD discovery ([`discover`]) of OpenPGP keys for `encrypt` recipients whose chain has
//!   `pgp`, before the chain walk (a miss never fails a delivery);
//! * the recipient's protection requirement ([`plan`]): it never sends plaintext a decision
//!   forbids; `encrypt` recipients go through the transform stage's method chain and every copy
//!   through DKIM signing as its last change ([`protect`]) — a method that fails at delivery
//!   sends the recipient back for the next one;
//! * DSNs ([`dsn`]) and sender notices ([`notice`]), originated under the gateway's identity
//!   and committed to the spool like any other mail;
//! * the secure portal's notification and code mail ([`portal_mail`]), built beside them, and
//!   the `portal` method's step ([`escrow`]): the copy is sealed into the escrow store and the
//!   notification is sent in its place — the recipient becomes `Escrowed` once it is accepted;
//!   the sender's receipt with its status-page link, reminders, expiry warnings and read
//!   receipts ([`portal_notices`]), sent by `serve`'s portal sweep;
//! * the connector self-test's answer ([`self_test`]): a report to the sender through the
//!   tenant's return route in place of the test message, which is never delivered;
//! * admin queue actions ([`control`]): retry, hold, release, delete.
//!
//! Every state change is an event in the recipient's history; an acknowledged delivery is
//! recorded durably before its connection carries the next message.
#![forbid(unsafe_code)]

mod attempt;
pub mod client;
pub mod control;
pub mod discover;
pub mod dns;
pub mod dsn;
mod engine;
pub mod error;
pub mod escrow;
pub mod notice;
mod outbox;
pub mod plan;
mod pool;
pub mod portal_mail;
pub mod portal_notices;
pub mod portal_reply;
pub mod portal_send;
pub mod probe;
pub mod protect;
pub mod release;
pub mod report_mail;
pub mod return_route;
pub mod route;
pub mod self_test;

pub use control::{ActionReport, QueueAction, QueueControl};
pub use engine::{Engine, Parts, Settings, TenantRoutes};
pub use error::DeliverError;
pub use notice::{Identity, NoticeKind, Originator, Templates};
pub use outbox::{Outbox, OutboxError};
pub use release::ReleaseFilter;
pub use return_route::ReturnRoutes;
