//! The redb tables and the stored row types.
//!
//! Guarantees: rows are versioned (a leading format byte, then JSON); no row holds a body in
//! clear, a subject or any header value other than the `Message-ID` already in [`Message`]:
//! the [`BODIES`] table holds small bodies *sealed* (AES-256-GCM, message id as associated
//! data, the same blob format as a body file); DKIM private keys are stored sealed (see
//! `keys.rs`). Indexes (`due`, `active`, `counts`) are only ever changed in the same
//! transaction as the rows they index.

use crate::error::CommitError;
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use sealgate_core::MessageId;
use sealgate_core::address::Address;
use sealgate_core::status::Status;
use sealgate_core::time::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// `schema` → version of this layout.
pub const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Message id → message record (`Message` without body).
pub const MESSAGES: TableDefinition<u128, &[u8]> = TableDefinition::new("messages");
/// Message id → sealed body of an active message small enough to live in the database
/// (`queue.rs`, `INLINE_BODY_MAX`); written in the transaction of its record, removed in the
/// one that makes its last recipient terminal. Larger bodies are files (`bodies.rs`).
pub const BODIES: TableDefinition<u128, &[u8]> = TableDefinition::new("bodies");
/// (message id, recipient index) → [`RcptRow`].
pub const RECIPIENTS: TableDefinition<(u128, u32), &[u8]> = TableDefinition::new("recipients");
/// (message id, recipient index, sequence) → one `Event`, append-only.
pub const EVENTS: TableDefinition<(u128, u32, u32), &[u8]> = TableDefinition::new("events");
/// (due time ms, message id, recipient index) → (): the retry schedule.
pub const DUE: TableDefinition<(u64, u128, u32), ()> = TableDefinition::new("due");
/// Message id → number of its recipients not yet terminal (absent when none).
pub const ACTIVE: TableDefinition<u128, u32> = TableDefinition::new("active");
/// Status name → recipients in that status among active messages.
pub const COUNTS: TableDefinition<&str, u64> = TableDefinition::new("counts");
/// (kind, name, fingerprint) → stored key record.
pub const KEYS: TableDefinition<(&str, &str, &str), &[u8]> = TableDefinition::new("keys");
/// Domain (A-label) → TLS pin.
pub const PINS: TableDefinition<&str, &[u8]> = TableDefinition::new("pins");
/// Sequence number → audit record.
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
/// Domain (A-label) → cached MTA-STS policy.
pub const STS: TableDefinition<&str, &[u8]> = TableDefinition::new("sts");
/// Domain (A-label) → last TLS facts of a session to it.
pub const TLS_FACTS: TableDefinition<&str, &[u8]> = TableDefinition::new("tls_facts");
/// (UTC day, policy domain) → TLS-RPT session counts.
pub const TLS_COUNTS: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("tls_counts");
/// (UTC day, policy domain) → TLS-RPT report not yet delivered to every `rua`.
pub const TLS_PENDING: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("tls_pending");

/// The layout version written by this code. Version 2 added [`BODIES`]: a version-1 database
/// is upgraded in place (the table is created; its body files stay valid), while a binary that
/// knows only version 1 refuses a version-2 database instead of finding records without bodies.
pub const SCHEMA_VERSION: u64 = 2;
/// The older layout this code upgrades (no [`BODIES`] table: every body is a file).
const SCHEMA_FILE_BODIES_ONLY: u64 = 1;
/// The row format byte written by this code.
const ROW_FORMAT: u8 = 1;

/// The stored state of one recipient (its events live in [`EVENTS`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RcptRow {
    /// The address.
    pub address: Address,
    /// Current status.
    pub status: Status,
    /// Due time, for non-terminal states.
    pub next_attempt: Option<Timestamp>,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Number of events (the next event's sequence number).
    pub events: u32,
}

/// A message id as a table key (big-endian order equals id order).
pub fn key(id: MessageId) -> u128 {
    u128::from_be_bytes(id.to_bytes())
}

/// The message id of a table key.
pub fn id_of(key: u128) -> MessageId {
    MessageId::from_bytes(key.to_be_bytes())
}

/// Encodes a row: format byte, then JSON.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CommitError> {
    let mut out = vec![ROW_FORMAT];
    serde_json::to_writer(&mut out, value)?;
    Ok(out)
}

/// Decodes a row written by [`encode`].
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CommitError> {
    match bytes.split_first() {
        Some((&ROW_FORMAT, json)) => Ok(serde_json::from_slice(json)?),
        _ => Err(CommitError::Corrupt("unknown row format".into())),
    }
}

/// Creates every table and checks the layout version.
pub fn init(db: &redb::Database) -> Result<(), CommitError> {
    let txn = db.begin_write()?;
    {
        let mut meta = txn.open_table(META)?;
        let found = meta.get("schema")?.map(|v| v.value());
        match found {
            None | Some(SCHEMA_FILE_BODIES_ONLY) => {
                meta.insert("schema", SCHEMA_VERSION)?;
            }
            Some(SCHEMA_VERSION) => {}
            Some(v) => {
                return Err(CommitError::Corrupt(format!(
                    "store layout version {v} is not supported (expected {SCHEMA_VERSION})"
                )));
            }
        }
        txn.open_table(MESSAGES)?;
        txn.open_table(BODIES)?;
        txn.open_table(RECIPIENTS)?;
        txn.open_table(EVENTS)?;
        txn.open_table(DUE)?;
        txn.open_table(ACTIVE)?;
        txn.open_table(COUNTS)?;
        txn.open_table(KEYS)?;
        txn.open_table(PINS)?;
        txn.open_table(AUDIT)?;
        txn.open_table(STS)?;
        txn.open_table(TLS_FACTS)?;
        txn.open_table(TLS_COUNTS)?;
        txn.open_table(TLS_PENDING)?;
    }
    txn.commit()?;
    Ok(())
}

/// Starts a read transaction.
pub fn read(db: &redb::Database) -> Result<redb::ReadTransaction, CommitError> {
    Ok(db.begin_read()?)
}

/// The sealed body of `key` stored in the database, if it is there.
pub fn inline_body(txn: &redb::ReadTransaction, key: u128) -> Result<Option<Vec<u8>>, CommitError> {
    let bodies = txn.open_table(BODIES)?;
    Ok(bodies.get(key)?.map(|v| v.value().to_vec()))
}

/// Adds `delta` (may be negative) to a status counter, removing it at zero.
pub fn bump(
    counts: &mut redb::Table<'_, &'static str, u64>,
    status: Status,
    delta: i64,
) -> Result<(), CommitError> {
    let name = status.as_str();
    let current = counts.get(name)?.map(|v| v.value()).unwrap_or(0);
    let next = current.saturating_add_signed(delta);
    if next == 0 {
        counts.remove(name)?;
    } else {
        counts.insert(name, next)?;
    }
    Ok(())
}
