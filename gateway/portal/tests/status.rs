//! The sender's side of the store (issue 13 items 3 and 4) on a real directory: status tokens
//! (one message each, only a keyed hash stored, a new one retires the old) and what the sweep
//! owes — receipt, reminder and sender note, expiry warning, read receipt — each once, also
//! after the store is reopened.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::{Clock, Timestamp};
use sealgate_portal::{
    Actor, Due, EscrowId, EscrowStore, KeyMode, NewEscrow, NoticePolicy, PortalError,
    PortalEventKind,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const HOUR: u64 = 3_600_000;
const START: u64 = 1_800_000_000_000;

struct TestClock(AtomicU64);
impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

struct Rig {
    dir: tempfile::TempDir,
    clock: Arc<TestClock>,
    keys: Arc<MasterKeys>,
}

impl Rig {
    fn new() -> Self {
        Rig {
            dir: tempfile::tempdir().unwrap(),
            clock: Arc::new(TestClock(AtomicU64::new(START))),
            keys: Arc::new(MasterKeys::generate("k1", &OsRandom).unwrap()),
        }
    }

    fn store(&self) -> EscrowStore {
        EscrowStore::open(
            self.dir.path(),
            self.keys.clone(),
            self.clock.clone(),
            Arc::new(OsRandom),
        )
        .unwrap()
    }

    fn at(&self, ms: u64) {
        self.clock.0.store(START + ms, Ordering::SeqCst);
    }
}

const RAW: &[u8] =
    b"From: a@clinic.example\r\nTo: p@home.example\r\nSubject: Lab results\r\n\r\nhello\r\n";

/// Escrows recipient `index` of message `m` (deposited at `START`, expiring `life_h` hours
/// later) and registers its sender.
fn escrow(store: &EscrowStore, m: MessageId, index: u32, life_h: u64) -> EscrowId {
    let to = Address::parse(&format!("p{index}@home.example")).unwrap();
    let d = store
        .deposit(NewEscrow {
            message_id: m,
            recipient_index: index,
            recipient: to,
            tenant: "clinic",
            key_mode: KeyMode::Link,
            expires: Timestamp(START + life_h * HOUR),
            raw: RAW,
            max_attachment: 1 << 20,
        })
        .unwrap();
    let sender = Address::parse("avery@clinic.example").unwrap();
    store.register_sender(m, "clinic", &sender).unwrap();
    d.id
}

fn policy(read_receipt: bool) -> NoticePolicy {
    NoticePolicy {
        reminder_after: Duration::from_secs(48 * 3600),
        expiry_warning: Duration::from_secs(24 * 3600),
        read_receipt: if read_receipt {
            ["clinic".to_string()].into()
        } else {
            Default::default()
        },
    }
}

fn kinds(due: &[Due]) -> Vec<String> {
    let mut out: Vec<String> = due
        .iter()
        .map(|d| match d {
            Due::Receipt(s, copies) => format!(
                "receipt:{}{}",
                copies.len(),
                if s.receipt_sent { "!" } else { "" }
            ),
            Due::Reminder(r) => format!("reminder:{}", r.recipient_index),
            Due::SenderNote(r, _) => format!("note:{}", r.recipient_index),
            Due::ExpiryWarning(r) => format!("warning:{}", r.recipient_index),
            Due::ReadReceipt(r, _) => format!("read:{}", r.recipient_index),
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_status_token_opens_its_own_message_only_and_is_stored_as_a_keyed_hash() {
    let rig = Rig::new();
    let store = rig.store();
    let (a, b) = (
        MessageId::from_bytes([1; 16]),
        MessageId::from_bytes([2; 16]),
    );
    escrow(&store, a, 0, 720);
    escrow(&store, b, 0, 720);
    let (ta, tb) = (
        store.issue_status_token(a).unwrap(),
        store.issue_status_token(b).unwrap(),
    );
    assert_eq!(ta.len(), 43, "256 bits, unpadded base64url");
    assert_eq!(store.status_by_token(&ta).unwrap().message_id, a);
    assert_eq!(store.status_by_token(&tb).unwrap().message_id, b);
    // One character changed, or anything else: not found.
    let mut changed = ta.to_string();
    let last = if changed.ends_with('A') { "B" } else { "A" };
    changed.replace_range(42.., last);
    for bad in [changed.as_str(), "", "../x", &"A".repeat(43)] {
        assert!(matches!(
            store.status_by_token(bad),
            Err(PortalError::NotFound)
        ));
    }
    // A new token retires the old one.
    let ta2 = store.issue_status_token(a).unwrap();
    assert!(store.status_by_token(&ta).is_err());
    assert_eq!(store.status_by_token(&ta2).unwrap().message_id, a);
    // Nothing under the data directory holds a token in clear; after reopening, it still works.
    drop(store);
    for (path, bytes) in all_files(rig.dir.path()) {
        for t in [ta2.as_bytes(), tb.as_bytes()] {
            assert!(!bytes.windows(t.len()).any(|w| w == t), "{path:?}");
        }
    }
    let store = rig.store();
    assert_eq!(store.status_by_token(&tb).unwrap().message_id, b);
    assert!(store.status_by_token(&ta).is_err());
}

fn all_files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

#[test]
fn each_notice_is_due_once_and_stays_sent_across_a_restart() {
    let rig = Rig::new();
    let store = rig.store();
    let m = MessageId::from_bytes([3; 16]);
    let (c0, c1) = (escrow(&store, m, 0, 96), escrow(&store, m, 1, 96));
    let p = policy(true);
    // Nothing before a notification was accepted.
    rig.at(60 * HOUR);
    assert!(kinds(&store.due_notices(&p).unwrap()).is_empty());
    rig.at(0);
    store
        .append(c0, PortalEventKind::Notified, Actor::System)
        .unwrap();
    store
        .append(c1, PortalEventKind::Notified, Actor::System)
        .unwrap();
    assert_eq!(kinds(&store.due_notices(&p).unwrap()), ["receipt:2"]);
    store.issue_status_token(m).unwrap();
    store.mark_receipt_sent(m).unwrap();
    assert!(kinds(&store.due_notices(&p).unwrap()).is_empty());
    // Recipient 1 reads it: a read receipt, and no reminder for it later.
    store
        .append(c1, PortalEventKind::Viewed, Actor::System)
        .unwrap();
    assert_eq!(kinds(&store.due_notices(&p).unwrap()), ["read:1"]);
    assert!(kinds(&store.due_notices(&policy(false)).unwrap()).is_empty());
    store
        .append(c1, PortalEventKind::ReadReceiptSent, Actor::System)
        .unwrap();
    // 48 h unread: reminder and sender note for recipient 0 only.
    rig.at(48 * HOUR - 1);
    assert!(kinds(&store.due_notices(&p).unwrap()).is_empty());
    rig.at(48 * HOUR + 1);
    assert_eq!(
        kinds(&store.due_notices(&p).unwrap()),
        ["note:0", "reminder:0"]
    );
    store
        .append(c0, PortalEventKind::Reminded, Actor::System)
        .unwrap();
    store
        .append(c0, PortalEventKind::SenderReminded, Actor::System)
        .unwrap();
    assert!(kinds(&store.due_notices(&p).unwrap()).is_empty());
    // 24 h before expiry: a warning for each active copy.
    rig.at(72 * HOUR + 1);
    assert_eq!(
        kinds(&store.due_notices(&p).unwrap()),
        ["warning:0", "warning:1"]
    );
    store
        .append(c0, PortalEventKind::ExpiryWarned, Actor::System)
        .unwrap();
    // A restart: what was recorded stays sent; the one not recorded is still due.
    drop(store);
    let store = rig.store();
    assert_eq!(kinds(&store.due_notices(&p).unwrap()), ["warning:1"]);
    // A withdrawn copy is owed nothing; nor is an expired one.
    store.revoke(c1, Actor::Sender).unwrap();
    assert!(kinds(&store.due_notices(&p).unwrap()).is_empty());
    rig.at(97 * HOUR);
    assert!(kinds(&store.due_notices(&p).unwrap()).is_empty());
}

#[test]
fn no_warning_for_a_copy_that_lives_less_than_the_warning() {
    let rig = Rig::new();
    let store = rig.store();
    let m = MessageId::from_bytes([4; 16]);
    let c = escrow(&store, m, 0, 12);
    store
        .append(c, PortalEventKind::Notified, Actor::System)
        .unwrap();
    store.issue_status_token(m).unwrap();
    store.mark_receipt_sent(m).unwrap();
    rig.at(11 * HOUR);
    assert!(kinds(&store.due_notices(&policy(false)).unwrap()).is_empty());
}
