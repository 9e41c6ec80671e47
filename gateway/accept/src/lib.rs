//! Accept stage: the SMTP listener tenants' mail arrives at.
//!
//! `sealgate-accept` speaks ESMTP (PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES,
//! DSN, CHUNKING, STARTTLS, and REQUIRETLS once in TLS) with rustls (TLS 1.2+, AEAD suites),
//! accepts PROXY v2 from configured balancers only, and enforces RFC 5321 limits, timeouts and
//! connection caps.
//!
//! What it guarantees:
//! - **No open relay**: a transaction starts only for a client that is a configured tenant
//!   (network and/or verified client certificate) sending as one of its own domains — in the
//!   envelope and in every header From address (`sealgate-connectors`).
//! - **No smuggling**: lines end only at CRLF. A bare CR or LF anywhere in DATA or BDAT content
//!   refuses the whole message with `550 5.5.2`; only `CRLF.CRLF` ends DATA.
//! - **Durable before 250**: the classify hook fixes the decision, the commit stage syncs the
//!   message, and only then is `250` written.
//! - **REQUIRETLS (RFC 8689)** is taken only over TLS (`530 5.7.10` otherwise) and recorded on
//!   the envelope; a `TLS-Required: No` field of the top-level header section is recorded too,
//!   unless REQUIRETLS was given (it wins). Deliver acts on both.
//! - **Bounded before authentication**: content in flight lives within one memory budget
//!   ([`budget`]); BDAT outside a transaction is never stored; junk commands, session lifetime
//!   and per-address (IPv6: per-prefix) connection caps end what only holds a slot.
//! - No body, subject or matched value appears in a log line or reply; addresses are logged as
//!   pseudonyms.
#![forbid(unsafe_code)]

pub mod budget;
pub mod classify;
pub mod command;
pub mod conn;
pub mod proxy;
mod received;
pub mod server;
mod session;
pub mod tls;

pub use classify::{Classifier, Uniform};
pub use received::rfc5322_date;
pub use server::{OnCommit, Pipeline, Server, Settings, SettingsHandle, ShutdownHandle};
