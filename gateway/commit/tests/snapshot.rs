//! `Spool::snapshot`: a consistent copy of a spool in use, opened as a spool of its own.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use sealgate_core::store::QueueStore;
use sealgate_core::{Event, Status, Timestamp};
use std::sync::atomic::{AtomicBool, Ordering};

#[test]
fn a_snapshot_holds_queued_messages_with_bodies_and_finished_ones_without() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let queued = message(T0, 2, b"still queued");
    let done = message(T0, 1, b"delivered");
    spool.commit(&queued).unwrap();
    spool.commit(&done).unwrap();
    let delivered = Event::status(Timestamp(T0 + 1), Status::Delivered, "250 ok");
    spool.record(done.id, 0, delivered, None).unwrap();

    let dest = dir.path().join("backup");
    let report = spool.snapshot(&dest).unwrap();
    assert_eq!(
        (
            report.messages,
            report.active,
            report.bodies,
            report.missing_bodies
        ),
        (2, 1, 1, 0)
    );
    assert!(
        spool.snapshot(&dest).is_err(),
        "never into an existing snapshot"
    );
    // The original goes on; the copy is a spool of its own with the same master key.
    spool.commit(&message(T0, 1, b"after")).unwrap();
    drop(spool);
    let copy = open(&dest, TestClock::at(T0 + 5));
    assert_eq!(copy.depth().unwrap().messages, 1, "one active message");
    assert_eq!(&*copy.body(queued.id).unwrap(), b"still queued");
    assert!(copy.body(done.id).is_err(), "finished: no body copied");
    let entry = copy.get(done.id).unwrap().unwrap();
    assert_eq!(entry.recipients[0].status, Status::Delivered);
    assert_eq!(copy.recover(Timestamp(T0 + 5)).unwrap().missing_bodies, 0);
    assert_eq!(copy.due(Timestamp(T0 + 10), 10).unwrap(), vec![queued.id]);
}

#[test]
fn snapshots_taken_while_commits_and_deliveries_run_are_complete() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let mut n = 0u64;
            while !stop.load(Ordering::Acquire) {
                let m = message(T0 + n, 1, b"body");
                spool.commit(&m).unwrap();
                if n.is_multiple_of(2) {
                    let ev = Event::status(Timestamp(T0 + n), Status::Delivered, "250");
                    spool.record(m.id, 0, ev, None).unwrap();
                }
                n += 1;
            }
            n
        });
        for i in 0..3 {
            let dest = dir.path().join(format!("snap{i}"));
            let report = spool.snapshot(&dest).unwrap();
            assert_eq!(report.missing_bodies, 0);
            assert_eq!(report.bodies, report.active);
            let copy = open(&dest, TestClock::at(T0));
            assert_eq!(copy.recover(Timestamp(T0)).unwrap().missing_bodies, 0);
        }
        stop.store(true, Ordering::Release);
        assert!(writer.join().unwrap() > 0);
    });
}

#[test]
fn a_snapshot_writes_every_queued_body_as_a_file_wherever_the_spool_kept_it() {
    use sealgate_commit::BodyLocation;
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let small = message(T0, 1, b"kept in the database");
    let big = large_body("kept in a file");
    let large = message(T0, 1, &big);
    spool.commit(&small).unwrap();
    spool.commit(&large).unwrap();
    assert_eq!(
        spool.body_location(small.id).unwrap(),
        Some(BodyLocation::Database)
    );

    let dest = dir.path().join("backup");
    let report = spool.snapshot(&dest).unwrap();
    assert_eq!(
        (report.active, report.bodies, report.missing_bodies),
        (2, 2, 0)
    );
    drop(spool);
    // The layout of a backup is unchanged: one sealed file per queued body, none in the database.
    assert_eq!(files_under(&dest.join("bodies")).len(), 2);
    assert_eq!(stored_body(&dest, small.id), None);
    let copy = open(&dest, TestClock::at(T0));
    assert_eq!(copy.recover(Timestamp(T0)).unwrap().missing_bodies, 0);
    assert_eq!(&*copy.body(small.id).unwrap(), b"kept in the database");
    assert_eq!(&*copy.body(large.id).unwrap(), &big[..]);
    assert_eq!(
        copy.body_location(small.id).unwrap(),
        Some(BodyLocation::File)
    );
}
