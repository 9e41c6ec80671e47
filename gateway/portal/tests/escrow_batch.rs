//! The escrow store's group commit seen from outside: many threads depositing and appending
//! at once, every deposit durable and readable after the store is reopened, every event kept
//! in order, and fewer transactions than operations.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::{Clock, Timestamp};
use sealgate_portal::{Actor, EscrowStore, KeyMode, NewEscrow, PortalEventKind};
use std::sync::{Arc, Barrier};

struct FixedClock;
impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp(1_800_000_000_000)
    }
}

const THREADS: u32 = 8;
const EACH: u32 = 6;

fn open(dir: &std::path::Path, keys: &Arc<MasterKeys>) -> EscrowStore {
    EscrowStore::open(dir, keys.clone(), Arc::new(FixedClock), Arc::new(OsRandom)).unwrap()
}

fn body(n: u32) -> Vec<u8> {
    format!(
        "From: a@clinic.example\r\nTo: p@home.example\r\nSubject: s\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nresult number {n}\r\n"
    )
    .into_bytes()
}

#[test]
fn concurrent_deposits_and_events_are_all_durable_and_readable_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Arc::new(MasterKeys::generate("k1", &OsRandom).unwrap());
    let store = Arc::new(open(dir.path(), &keys));
    let start = Arc::new(Barrier::new(THREADS as usize));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (store, start) = (store.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let mut out = Vec::new();
                for i in 0..EACH {
                    let n = t * EACH + i;
                    let raw = body(n);
                    let d = store
                        .deposit(NewEscrow {
                            message_id: MessageId::from_bytes([t as u8; 16]),
                            recipient_index: i,
                            recipient: Address::parse("p@home.example").unwrap(),
                            tenant: "clinic",
                            key_mode: KeyMode::Link,
                            expires: Timestamp(1_900_000_000_000),
                            raw: &raw,
                            max_attachment: 1 << 20,
                        })
                        .unwrap();
                    store
                        .append(d.id, PortalEventKind::Notified, Actor::System)
                        .unwrap();
                    out.push((n, d));
                }
                out
            })
        })
        .collect();
    let deposits: Vec<_> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let ops = u64::from(THREADS * EACH * 2);
    let stats = store.commit_stats();
    assert_eq!(stats.operations, ops);
    assert!(stats.transactions <= ops);
    assert!(stats.dir_fsyncs <= 2 * stats.transactions);
    drop(store);

    let store = open(dir.path(), &keys);
    assert_eq!(store.list().unwrap().len(), (THREADS * EACH) as usize);
    for (n, d) in &deposits {
        let doc = store.read(d.id, Some(&d.link_half)).unwrap();
        assert!(
            doc.html.contains(&format!("result number {n}")),
            "escrow {n}"
        );
        let kinds: Vec<_> = store
            .events(d.id)
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [PortalEventKind::Escrowed, PortalEventKind::Notified]
        );
        assert_eq!(store.record(d.id).unwrap().events, 2);
    }
    for (t, i) in (0..THREADS).flat_map(|t| (0..EACH).map(move |i| (t, i))) {
        let found = store.find(MessageId::from_bytes([t as u8; 16]), i).unwrap();
        assert!(found.is_some_and(|r| r.is_active()));
    }
}
