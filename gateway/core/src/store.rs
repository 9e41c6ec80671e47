//! Storage traits. Callers depend on these, never on a backend, so the embedded redb
//! implementation (crate `sealgate-commit`) can be joined later by a PostgreSQL one.
//!
//! All methods block (fsync, database commits): async callers run them on a blocking pool.

use crate::address::{Address, Domain};
use crate::event::Event;
use crate::id::MessageId;
use crate::message::{Body, Message};
use crate::reply::Reply;
use crate::status::Status;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A storage failure. Every kind is temporary from an SMTP client's point of view: the message
/// was not accepted and may be retried.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// File system or database I/O failed.
    #[error("storage I/O failed: {0}")]
    Io(String),
    /// A record or body failed its integrity check.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Encryption or key unwrapping failed.
    #[error("storage encryption failed: {0}")]
    Crypto(String),
    /// No such message, recipient or key.
    #[error("not found")]
    NotFound,
    /// The operation is not allowed in the item's current state.
    #[error("not allowed: {0}")]
    Conflict(String),
}

impl StoreError {
    /// The SMTP reply for a failure while committing: always temporary (451 4.3.0).
    pub fn reply(&self) -> Reply {
        Reply::local_error()
    }
}

/// Current state of one recipient of a stored message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecipientState {
    /// Position in the envelope.
    pub index: u32,
    /// The address (in clear only inside the store and the admin API).
    pub address: Address,
    /// Current status.
    pub status: Status,
    /// When the next attempt is due, for non-terminal states.
    pub next_attempt: Option<Timestamp>,
    /// Number of delivery attempts so far.
    pub attempts: u32,
    /// Full history, oldest first.
    pub events: Vec<Event>,
}

/// A stored message with its recipients' states (the body stays on disk).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// The message record; `body` is empty here.
    pub message: Message,
    /// One state per envelope recipient.
    pub recipients: Vec<RecipientState>,
}

/// Counts of recipients by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueDepth {
    /// Messages with at least one non-terminal recipient.
    pub messages: u64,
    /// (status, recipients in it), non-zero entries only.
    pub by_status: Vec<(Status, u64)>,
    /// The oldest message with a non-terminal recipient (its id carries its arrival time).
    #[serde(default)]
    pub oldest: Option<MessageId>,
}

/// What start-up recovery found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryReport {
    /// Body files with no committed record (removed).
    pub orphans_removed: u64,
    /// Records whose body file is missing or corrupt (left in place, reported).
    pub missing_bodies: u64,
    /// Recipients found in flight and rescheduled.
    pub requeued: u64,
}

/// The queue: durable messages, per-recipient status and history.
pub trait QueueStore: Send + Sync {
    /// Stores the message record, its body and one `Scheduled` state per recipient. Returns only
    /// when the body file and the database commit are durable (this is what a `250` promises).
    fn commit(&self, message: &Message) -> Result<(), StoreError>;
    /// One message with its recipients, without the body.
    fn get(&self, id: MessageId) -> Result<Option<QueueEntry>, StoreError>;
    /// The body of a stored message, decrypted.
    fn body(&self, id: MessageId) -> Result<Body, StoreError>;
    /// Messages in id (arrival) order, starting after `after`, at most `limit`.
    fn list(&self, after: Option<MessageId>, limit: usize) -> Result<Vec<QueueEntry>, StoreError>;
    /// Appends an event to a recipient's history. A status event moves the recipient to that
    /// status (terminal states are final); `next_attempt` replaces the due time.
    fn record(
        &self,
        id: MessageId,
        recipient: u32,
        event: Event,
        next_attempt: Option<Timestamp>,
    ) -> Result<(), StoreError>;
    /// Appends several events to recipients of one message, in order, as one durable change
    /// when the backend can (the default records them one by one). Each item's `next_attempt`
    /// replaces that recipient's due time, as in [`QueueStore::record`]. The deliver stage uses
    /// it to record an attempt and its outcome for every recipient of a transaction at once.
    fn record_many(
        &self,
        id: MessageId,
        items: Vec<(u32, Event, Option<Timestamp>)>,
    ) -> Result<(), StoreError> {
        for (index, event, next) in items {
            self.record(id, index, event, next)?;
        }
        Ok(())
    }
    /// Ids of messages with a recipient due at or before `now`, oldest first, at most `limit`.
    fn due(&self, now: Timestamp, limit: usize) -> Result<Vec<MessageId>, StoreError>;
    /// Counts for metrics and `queue list`.
    fn depth(&self) -> Result<QueueDepth, StoreError>;
    /// Start-up recovery: remove orphan bodies, requeue in-flight recipients.
    fn recover(&self, now: Timestamp) -> Result<RecoveryReport, StoreError>;
}

/// Kinds of key material kept by the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyKind {
    /// An OpenPGP certificate (public key) of a recipient.
    OpenPgp,
    /// An S/MIME certificate of a recipient.
    Smime,
    /// A DKIM private key of a tenant or of the gateway.
    Dkim,
}

/// One stored key or certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// Kind of material.
    pub kind: KeyKind,
    /// Lookup name: an address for recipient keys, `selector._domainkey.domain` for DKIM.
    pub name: String,
    /// Fingerprint or serial, for display and audit.
    pub fingerprint: String,
    /// Trust level as text (`manual`, `verified`, `discovered`).
    pub trust: String,
    /// The material (public keys, or private keys that the store encrypts at rest).
    pub material: Vec<u8>,
    /// When it was added.
    pub added_at: Timestamp,
}

/// Key and certificate storage.
pub trait KeyStore: Send + Sync {
    /// Adds or replaces the record with the same kind, name and fingerprint.
    fn put(&self, record: &KeyRecord) -> Result<(), StoreError>;
    /// All records of a kind for a name.
    fn find(&self, kind: KeyKind, name: &str) -> Result<Vec<KeyRecord>, StoreError>;
    /// All records of a kind.
    fn list(&self, kind: KeyKind) -> Result<Vec<KeyRecord>, StoreError>;
    /// Removes one record; `NotFound` if absent.
    fn remove(&self, kind: KeyKind, name: &str, fingerprint: &str) -> Result<(), StoreError>;
}

/// A "once TLS, always TLS" pin for a recipient domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    /// Lowest TLS level mail to this domain may use (`encrypt`, `verify`, …).
    pub level: String,
    /// When the domain was last seen meeting it.
    pub last_seen: Timestamp,
    /// When the pin lapses unless refreshed.
    pub expires: Timestamp,
}

/// TLS pin storage.
pub trait PinStore: Send + Sync {
    /// Sets or refreshes the pin for a domain.
    fn put(&self, domain: &Domain, pin: &Pin) -> Result<(), StoreError>;
    /// The pin for a domain, if any and not expired at `now`.
    fn get(&self, domain: &Domain, now: Timestamp) -> Result<Option<Pin>, StoreError>;
    /// Removes a pin.
    fn remove(&self, domain: &Domain) -> Result<(), StoreError>;
}

/// One audit record of something that is not a recipient's own history (admin actions,
/// configuration reloads, key changes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When.
    pub at: Timestamp,
    /// Who: `admin-api`, `cli`, `system`.
    pub actor: String,
    /// What, e.g. `queue.delete`, `config.reload`.
    pub action: String,
    /// The message concerned, if any.
    pub message: Option<MessageId>,
    /// Free detail (never PHI).
    pub detail: String,
}

/// Append-only audit log.
pub trait AuditLog: Send + Sync {
    /// Appends a record; returns its sequence number.
    fn append(&self, record: &AuditRecord) -> Result<u64, StoreError>;
    /// Records with sequence numbers greater than `after`, at most `limit`.
    fn since(&self, after: u64, limit: usize) -> Result<Vec<(u64, AuditRecord)>, StoreError>;
}

/// One cached MTA-STS policy (RFC 8461 §3.3), as fetched: the policy text is kept verbatim and
/// parsed by its reader, so the store needs no knowledge of the format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StsCacheEntry {
    /// The `id` of the `_mta-sts` TXT record the policy was fetched under.
    pub id: String,
    /// The policy body (`version: STSv1`, `mode`, `mx`, `max_age`).
    pub policy: String,
    /// When it was fetched (or last confirmed by an unchanged `id`).
    pub fetched: Timestamp,
    /// When it lapses: `fetched` plus the policy's `max_age`.
    pub expires: Timestamp,
}

/// MTA-STS policy cache storage.
pub trait StsCache: Send + Sync {
    /// Stores or replaces the cached policy of a domain.
    fn put(&self, domain: &Domain, entry: &StsCacheEntry) -> Result<(), StoreError>;
    /// The cached policy of a domain, if any and not expired at `now`.
    fn get(&self, domain: &Domain, now: Timestamp) -> Result<Option<StsCacheEntry>, StoreError>;
    /// Removes a cached policy.
    fn remove(&self, domain: &Domain) -> Result<(), StoreError>;
}

/// What the last session to a recipient domain showed about its TLS (for `sealgate tls
/// status`). Host names, protocol names and check results only — never a recipient or content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsFacts {
    /// When the session ended.
    pub at: Timestamp,
    /// The MX (or route) host it went to.
    pub mx_host: String,
    /// The level reached: `plaintext`, `encrypted`, `verified` or `dane-verified`.
    pub achieved: String,
    /// Negotiated protocol (`TLSv1.3`), if TLS was used.
    pub tls_version: Option<String>,
    /// Negotiated cipher suite, if TLS was used.
    pub tls_cipher: Option<String>,
    /// The certificate chain passed WebPKI for the host.
    pub webpki_ok: bool,
    /// The certificate matched a DNSSEC-secure TLSA record.
    pub dane_ok: bool,
    /// The TLS-RPT result type of a failed session (`starttls-not-supported`, …).
    pub failure: Option<String>,
}

/// The TLS-RPT session counts of one UTC day and one policy domain. The encoding belongs to
/// the policy crate (`sealgate-tlspolicy`); the store keeps it verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsReportCounts {
    /// UTC day, days since the epoch.
    pub day: u64,
    /// The policy domain.
    pub domain: String,
    /// The counts, as the policy crate encodes them.
    pub counts: String,
}

/// A TLS-RPT report made for a finished day but not yet delivered to every `rua`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingTlsReport {
    /// UTC day, days since the epoch.
    pub day: u64,
    /// The policy domain.
    pub domain: String,
    /// The report, as the policy crate encodes it.
    pub report: String,
    /// The `rua` URIs it has been delivered to.
    pub delivered: Vec<String>,
    /// Delivery rounds tried so far.
    pub attempts: u32,
    /// Why the last round failed (generic text, never content).
    pub last_error: Option<String>,
}

/// Changes to the TLS state, written in one durable transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsStateChanges {
    /// Last-session facts to store (replacing a domain's previous ones).
    pub facts: Vec<(Domain, TlsFacts)>,
    /// Day counts to store (replacing the same day and domain).
    pub counts: Vec<TlsReportCounts>,
    /// (day, policy domain) counts to remove (their report was made).
    pub remove_counts: Vec<(u64, String)>,
    /// Undelivered reports to store (replacing the same day and domain).
    pub pending: Vec<PendingTlsReport>,
    /// (day, policy domain) reports to forget (delivered, or given up).
    pub remove_pending: Vec<(u64, String)>,
}

impl TlsStateChanges {
    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
            && self.counts.is_empty()
            && self.remove_counts.is_empty()
            && self.pending.is_empty()
            && self.remove_pending.is_empty()
    }
}

/// What the TLS policy remembers across restarts besides pins and the MTA-STS cache: the last
/// TLS facts per recipient domain and the TLS-RPT counts and undelivered reports.
///
/// The policy keeps these in memory and writes them in batches (about once a minute, at
/// shutdown, and when a day's reports are made), never once per session; a crash loses at
/// most the changes since the last batch. Removals in a batch apply before its stores.
pub trait TlsStateStore: Send + Sync {
    /// Writes every change in one durable transaction.
    fn apply(&self, changes: TlsStateChanges) -> Result<(), StoreError>;
    /// The last facts stored for a domain.
    fn facts(&self, domain: &Domain) -> Result<Option<TlsFacts>, StoreError>;
    /// Every stored day count, by (day, domain).
    fn report_counts(&self) -> Result<Vec<TlsReportCounts>, StoreError>;
    /// Every undelivered report, by (day, domain).
    fn pending_reports(&self) -> Result<Vec<PendingTlsReport>, StoreError>;
}
