//! Deliver stage: takes committed messages from the spool and hands them to a target.
//!
//! Today's target is the **outbox**: each final message is written to `<dir>/<id>.eml`
//! (temporary file, fsync, rename, directory fsync) and only then are its recipients recorded
//! as `Delivered`. A crash between the two rewrites the same file on restart, so the outbox
//! never loses a message and never holds two copies. MX delivery (routing, outbound SMTP,
//! retries, DSNs) is the next target to plug in here.
#![forbid(unsafe_code)]

mod outbox;

pub use outbox::{Outbox, OutboxError};
