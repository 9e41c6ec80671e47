//! Commit stage: the durable, encrypted spool (redb, holding small sealed bodies, plus one
//! fsync'd file per large body) and the other embedded stores (keys, TLS pins, MTA-STS policy
//! cache, TLS state, audit log) sharing its database.
//!
//! # What this crate guarantees
//!
//! * **Durable before `250`.** [`Spool::commit_message`] (and [`QueueStore::commit`]) returns
//!   `Ok` only once the redb transaction holding the record *and* its sealed body is durably
//!   committed. A body of at most [`INLINE_BODY_MAX`] bytes is a row of that very transaction
//!   (table `bodies`), so both become durable with the group's one `fdatasync`, or neither
//!   does. A larger body is first fsync'd under its final name in its own file and the body
//!   directory fsync'd, and *then* the record's transaction commits; a crash leaves either a
//!   committed message with its body, or nothing the queue refers to (a stray body or `.tmp`
//!   file that [`QueueStore::recover`] removes).
//! * **Group commit.** Concurrent callers (sessions on a blocking pool) share redb transactions
//!   (leader/follower, see `group.rs`); each returns only once the transaction holding its
//!   record is durable. Large-body file writes and fsyncs run in the callers' threads, in
//!   parallel. A finished leader wakes only its batch's callers and the next leader, never
//!   every waiter.
//! * **No PHI at rest in clear.** Bodies and DKIM private keys are sealed with AES-256-GCM under
//!   a fresh random 256-bit data key, wrapped by a master key through [`KeyWrapper`]
//!   ([`MasterKeys`] locally, a KMS later). The message id is associated data, so a body moved
//!   to another message fails to decrypt. The database holds the message record (envelope,
//!   client facts, decision, `Message-ID` value) and the *sealed* bodies of small queued
//!   messages — the same blob as a body file — but never a body in clear, a subject or another
//!   header.
//! * **Rotation without rewrite.** New blobs use the current master key; blobs record the id of
//!   the key that wrapped them, and every key still in [`MasterKeys`] can open its own.
//! * **Terminal is final.** Recording anything for a recipient in a terminal state fails with
//!   `Conflict`; when all recipients of a message are terminal its body is deleted — a body in
//!   the database in the transaction that records the last terminal state, a body file right
//!   after it — while the record and every event stay for audit.
//!
//! # Layout of a spool directory (mode 0700)
//!
//! ```text
//! dir/queue.redb                      redb database (mode 0600), tables in `schema.rs`;
//!                                     table `bodies`: sealed bodies ≤ INLINE_BODY_MAX
//! dir/bodies/XX/                      256 shards (0700); XX = last id byte in hex
//! dir/bodies/XX/<MessageId>.body      one sealed larger body per queued message (mode 0600);
//!                                     also every body of a spool or backup written before
//!                                     layout version 2, still read
//! dir/bodies/XX/<MessageId>.<n>.tmp   a body being written (removed by recovery)
//! ```
//!
//! The sealed-blob format is documented in `crypto.rs` ([`crypto`]); the master key file
//! format in [`MasterKeys::load_or_generate`] / `keyfile.rs`.
//!
//! # Use
//!
//! ```no_run
//! use sealgate_commit::{MasterKeys, OsRandom, Spool};
//! use sealgate_core::{store::QueueStore, Clock, SystemClock};
//! use std::{path::Path, sync::Arc};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let keys = MasterKeys::load_or_generate(Path::new("/etc/sealgate/master.keys"))?;
//! let spool = Spool::open(Path::new("/var/spool/sealgate"), keys,
//!                         Arc::new(SystemClock), Arc::new(OsRandom::checked()?))?;
//! let report = spool.recover(SystemClock.now())?;   // once, before accepting mail
//! let (keys, pins, audit) = (spool.keys(), spool.pins(), spool.audit());
//! # let _ = (report, keys, pins, audit); Ok(()) }
//! ```
//!
//! # Fsync latency
//!
//! Every durability point (body file, directory, database commit) is timed for the binary's
//! `sealgate_fsync_seconds` histogram through [`observe_fsyncs`] (`fsync.rs`).
//!
//! # Backups
//!
//! [`Spool::snapshot`] copies a consistent view of the database and the sealed bodies of the
//! messages active in it into a new directory while the spool is in use (`snapshot.rs`), each
//! body as a file (the layout backups always had); the directory is itself a spool that
//! [`Spool::open`] opens with the same master key.
//!
//! All calls block (fsync, commits, and reads that can touch the disk — [`Spool::read_body`]
//! too): async code runs them on a blocking pool.
#![forbid(unsafe_code)]

mod audit;
mod bodies;
pub mod crypto;
mod error;
mod fsync;
mod group;
mod keyfile;
mod keys;
mod master;
mod pins;
mod queue;
mod random;
mod read;
mod record;
mod recover;
mod schema;
mod snapshot;
mod sts;
mod tls_state;

pub use audit::SpoolAudit;
pub use crypto::{DataKey, KeyWrapper, WrappedKey};
pub use error::CommitError;
pub use fsync::{FsyncKind, FsyncObserver, observe_fsyncs};
pub use group::CommitStats;
pub use keys::SpoolKeys;
pub use master::MasterKeys;
pub use pins::SpoolPins;
pub use queue::{BodyLocation, INLINE_BODY_MAX, Spool};
pub use random::OsRandom;
pub use sealgate_core::store::QueueStore;
pub use snapshot::SnapshotReport;
pub use sts::SpoolStsCache;
pub use tls_state::SpoolTlsState;
