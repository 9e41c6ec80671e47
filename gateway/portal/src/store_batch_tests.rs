//! The group commit on its own: batching made certain by holding the first batch open until
//! the others are queued (polled with a deadline, no sleeps for timing).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use super::*;
use crate::record::{EscrowState, KeyMode};
use redb::ReadableDatabase;
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::Timestamp;
use std::sync::Arc;
use std::sync::mpsc::channel;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

struct Rig {
    _dir: tempfile::TempDir,
    db: Arc<redb::Database>,
    batch: Arc<Batcher>,
}

fn rig() -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let db = redb::Database::create(dir.path().join("t.redb")).unwrap();
    let txn = db.begin_write().unwrap();
    txn.open_table(ESCROWS).unwrap();
    txn.open_table(EVENTS).unwrap();
    txn.open_table(BY_MESSAGE).unwrap();
    txn.commit().unwrap();
    let batch = Batcher::new(vec![dir.path().to_path_buf()], 64);
    Rig {
        _dir: dir,
        db: Arc::new(db),
        batch: Arc::new(batch),
    }
}

fn record(key: u128) -> EscrowRecord {
    EscrowRecord {
        id: format!("{key:032x}"),
        message_id: MessageId::from_bytes([1; 16]),
        recipient_index: 0,
        recipient: Address::parse("pat@home.example").unwrap(),
        tenant: "clinic".into(),
        reference: "word".into(),
        created: Timestamp(1),
        expires: Timestamp(2),
        key_mode: KeyMode::Link,
        state: EscrowState::Active,
        attachments: 0,
        events: 0,
    }
}

fn insert(key: u128) -> Op {
    let change = Change::Insert(Box::new(record(key)), (key, 0));
    Box::new(move |txn: &redb::WriteTransaction| change.apply(txn, key, b"event"))
}

fn spawn(rig: &Rig, op: Op, sync: bool) -> JoinHandle<Outcome> {
    let (db, batch) = (rig.db.clone(), rig.batch.clone());
    std::thread::spawn(move || batch.run(&db, op, sync))
}

/// Starts a leader whose batch stays open until the returned sender is used.
fn held_leader(rig: &Rig) -> (std::sync::mpsc::Sender<()>, JoinHandle<Outcome>) {
    let (go, wait) = channel::<()>();
    let (started, is_started) = channel::<()>();
    let op: Op = Box::new(move |txn: &redb::WriteTransaction| {
        started.send(()).unwrap();
        wait.recv().unwrap();
        Change::Insert(Box::new(record(1000)), (1000, 0)).apply(txn, 1000, b"event")
    });
    let leader = spawn(rig, op, false);
    is_started.recv().unwrap();
    (go, leader)
}

fn wait_queued(batch: &Batcher, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while batch.queued() < n {
        assert!(Instant::now() < deadline, "only {} queued", batch.queued());
        std::thread::yield_now();
    }
}

fn stored(db: &redb::Database, key: u128) -> Option<EscrowRecord> {
    let txn = db.begin_read().unwrap();
    let table = txn.open_table(ESCROWS).unwrap();
    let row = table.get(key).unwrap();
    row.map(|r| decode(r.value()).unwrap())
}

#[test]
fn queued_operations_share_one_transaction_and_each_caller_gets_its_own_record() {
    let rig = rig();
    let (go, leader) = held_leader(&rig);
    let followers: Vec<_> = (0..10).map(|k| spawn(&rig, insert(k), true)).collect();
    wait_queued(&rig.batch, 10);
    go.send(()).unwrap();
    assert_eq!(leader.join().unwrap().unwrap().id, format!("{:032x}", 1000));
    for (k, f) in followers.into_iter().enumerate() {
        let got = f.join().unwrap().unwrap();
        assert_eq!(got.id, format!("{k:032x}"));
        assert_eq!(got.events, 1);
        assert_eq!(stored(&rig.db, k as u128), Some(got));
    }
    let stats = rig.batch.stats();
    // The held batch, then one batch of the ten, whose renames need the directory fsync'd once.
    assert_eq!(
        stats,
        BatchStats {
            transactions: 2,
            operations: 11,
            dir_fsyncs: 1
        }
    );
    // An event on a stored escrow counts on from the stored record, in the same way.
    let event = Box::new(|txn: &redb::WriteTransaction| Change::Event.apply(txn, 3, b"e2"));
    assert_eq!(rig.batch.run(&rig.db, event, false).unwrap().events, 2);
}

#[test]
fn a_per_operation_failure_fails_only_its_caller() {
    let rig = rig();
    let (go, leader) = held_leader(&rig);
    let good = spawn(&rig, insert(1), true);
    wait_queued(&rig.batch, 1);
    let missing: Op = Box::new(|txn: &redb::WriteTransaction| Change::Event.apply(txn, 99, b"e"));
    let missing = spawn(&rig, missing, false);
    wait_queued(&rig.batch, 2);
    go.send(()).unwrap();
    leader.join().unwrap().unwrap();
    assert!(matches!(
        missing.join().unwrap(),
        Err(PortalError::NotFound)
    ));
    assert_eq!(good.join().unwrap().unwrap().events, 1);
    assert!(stored(&rig.db, 1).is_some());
}

#[test]
fn a_failed_batch_is_reported_to_every_caller_and_commits_nothing() {
    let rig = rig();
    let (go, leader) = held_leader(&rig);
    let before = spawn(&rig, insert(1), true);
    wait_queued(&rig.batch, 1);
    let failing: Op = Box::new(|txn: &redb::WriteTransaction| {
        Change::Insert(Box::new(record(2)), (2, 0)).apply(txn, 2, b"e")?;
        Err(PortalError::Io("disk full".into()))
    });
    let failing = spawn(&rig, failing, false);
    wait_queued(&rig.batch, 2);
    let after = spawn(&rig, insert(3), true);
    wait_queued(&rig.batch, 3);
    go.send(()).unwrap();
    leader.join().unwrap().unwrap();
    for caller in [before, failing, after] {
        match caller.join().unwrap() {
            Err(e @ PortalError::Io(_)) => assert!(e.is_temporary()),
            other => panic!("expected the batch's error, got {other:?}"),
        }
    }
    for key in [1, 2, 3] {
        assert_eq!(stored(&rig.db, key), None, "key {key} was committed");
    }
    // The committer still works after a failed batch.
    rig.batch.run(&rig.db, insert(4), true).unwrap();
    assert!(stored(&rig.db, 4).is_some());
}

#[test]
fn a_leader_that_panics_fails_its_batch_and_passes_the_lead_on() {
    let rig = rig();
    let (go, wait) = channel::<()>();
    let (started, is_started) = channel::<()>();
    let op: Op = Box::new(move |_: &redb::WriteTransaction| {
        started.send(()).unwrap();
        wait.recv().unwrap();
        panic!("leader fails mid-batch");
    });
    let leader = spawn(&rig, op, false);
    is_started.recv().unwrap();
    let follower = spawn(&rig, insert(1), true);
    wait_queued(&rig.batch, 1);
    go.send(()).unwrap();
    assert!(leader.join().is_err());
    // The follower was queued for the next batch: it is handed the lead and commits.
    assert_eq!(follower.join().unwrap().unwrap().events, 1);
    assert!(stored(&rig.db, 1).is_some());
}
