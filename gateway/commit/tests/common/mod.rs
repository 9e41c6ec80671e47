//! Shared test helpers: a settable clock, message builders, spool openers.
#![allow(dead_code, clippy::unwrap_used)]

use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::message::{ClientInfo, Envelope, Recipient};
use sealgate_core::{
    Address, Body, BodyType, Clock, Decision, Message, MessageId, Random, Requirement, Timestamp,
};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A clock tests move by hand.
#[derive(Debug, Default)]
pub struct TestClock(pub AtomicU64);

impl TestClock {
    pub fn at(ms: u64) -> Arc<Self> {
        Arc::new(TestClock(AtomicU64::new(ms)))
    }
    pub fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

pub const T0: u64 = 1_700_000_000_000;

pub fn key(b: u8) -> [u8; 32] {
    [b; 32]
}

pub fn keys1() -> MasterKeys {
    MasterKeys::new("k1", key(1)).unwrap()
}

pub fn open(dir: &Path, clock: Arc<TestClock>) -> Spool {
    Spool::open(dir, keys1(), clock, Arc::new(OsRandom)).unwrap()
}

pub fn message(now: u64, recipients: usize, body: &[u8]) -> Message {
    let id = MessageId::generate(Timestamp(now), &OsRandom);
    let n = recipients;
    let recipients: Vec<Recipient> = (0..n)
        .map(|i| Recipient::new(Address::parse(&format!("patient{i}@clinic.example")).unwrap()))
        .collect();
    Message {
        id,
        tenant: "acme".into(),
        received_at: Timestamp(now),
        client: ClientInfo {
            ip: "192.0.2.10".parse().unwrap(),
            helo: "mail.acme.example".into(),
            tls_version: Some("TLSv1.3".into()),
            tls_cipher: None,
            client_cert_name: None,
        },
        envelope: Envelope {
            mail_from: Some(Address::parse("doctor@acme.example").unwrap()),
            recipients,
            ret: None,
            envid: None,
            body_type: BodyType::EightBitMime,
            smtputf8: false,
            require_tls: false,
            tls_required_no: false,
        },
        size: body.len() as u64,
        header_message_id: Some("<abc123@acme.example>".into()),
        decision: Decision::uniform(Requirement::Deliver, n),
        body: Body::new(body.to_vec()),
    }
}

pub fn rfc5322(subject: &str, text: &str) -> Vec<u8> {
    format!(
        "From: Doctor <doctor@acme.example>\r\nTo: <patient0@clinic.example>\r\n\
         Subject: {subject}\r\nMessage-ID: <abc123@acme.example>\r\n\r\n{text}\r\n"
    )
    .into_bytes()
}

/// Random bytes for fixtures.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    OsRandom.fill(&mut v);
    v
}

/// Every file below `dir`, sorted.
pub fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A body too large to be stored in the database: it gets a file of its own.
pub fn large_body(tag: &str) -> Vec<u8> {
    let mut body = rfc5322(tag, tag);
    body.resize(sealgate_commit::INLINE_BODY_MAX + 1, b'x');
    body
}

/// The `bodies` table of `queue.redb` (sealed bodies kept in the database), as the crate names it.
const BODIES: redb::TableDefinition<u128, &[u8]> = redb::TableDefinition::new("bodies");

fn db_key(id: MessageId) -> u128 {
    u128::from_be_bytes(id.to_bytes())
}

/// The sealed body of `id` in the database of the (closed) spool in `dir`.
pub fn stored_body(dir: &Path, id: MessageId) -> Option<Vec<u8>> {
    use redb::ReadableDatabase;
    let db = redb::Database::open(dir.join("queue.redb")).unwrap();
    let txn = db.begin_read().unwrap();
    let table = txn.open_table(BODIES).unwrap();
    table.get(db_key(id)).unwrap().map(|v| v.value().to_vec())
}

/// Replaces the sealed body of `id` in the database of the (closed) spool in `dir`.
pub fn put_stored_body(dir: &Path, id: MessageId, sealed: &[u8]) {
    let db = redb::Database::open(dir.join("queue.redb")).unwrap();
    let txn = db.begin_write().unwrap();
    txn.open_table(BODIES)
        .unwrap()
        .insert(db_key(id), sealed)
        .unwrap();
    txn.commit().unwrap();
}
