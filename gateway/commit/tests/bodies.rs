//! Where bodies live (issue 19): small ones sealed in the database, in the transaction of their
//! record; large ones in files. Both paths round-trip, go when the message is finished, and a
//! spool written before the database held bodies still opens and delivers.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use sealgate_commit::{BodyLocation, CommitError, INLINE_BODY_MAX, Spool};
use sealgate_core::store::{QueueStore, StoreError};
use sealgate_core::{Event, Status, Timestamp};
use std::fs;
use std::path::{Path, PathBuf};

const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const BODIES: TableDefinition<u128, &[u8]> = TableDefinition::new("bodies");

fn delivered(at: u64) -> Event {
    Event::status(Timestamp(at), Status::Delivered, "250 ok")
}

#[test]
fn small_bodies_go_into_the_database_and_large_ones_into_files() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let bodies = dir.path().join("bodies");
    let cases = [
        (b"tiny".to_vec(), BodyLocation::Database),
        (vec![b'a'; INLINE_BODY_MAX], BodyLocation::Database),
        (vec![b'b'; INLINE_BODY_MAX + 1], BodyLocation::File),
        (large_body("large"), BodyLocation::File),
    ];
    let mut files = Vec::new();
    for (body, expected) in &cases {
        let m = message(T0, 2, body);
        spool.commit(&m).unwrap();
        assert_eq!(spool.body_location(m.id).unwrap(), Some(*expected));
        assert_eq!(&*spool.body(m.id).unwrap(), &body[..]);
        if *expected == BodyLocation::File {
            files.push(spool.body_path(m.id));
        }
    }
    files.sort();
    assert_eq!(
        files_under(&bodies),
        files,
        "a file for each large body only"
    );
    // Both kinds survive a reopen.
    let ids: Vec<_> = spool.list(None, 10).unwrap();
    drop(spool);
    let spool = open(dir.path(), TestClock::at(T0));
    for entry in ids {
        assert!(spool.body(entry.message.id).is_ok());
    }
    assert_eq!(spool.recover(Timestamp(T0)).unwrap().missing_bodies, 0);
}

#[test]
fn the_body_goes_with_the_last_terminal_state_on_both_paths() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let small = message(T0, 2, b"small body");
    let large = message(T0, 2, &large_body("large body"));
    for m in [&small, &large] {
        spool.commit(m).unwrap();
        spool.record(m.id, 0, delivered(T0 + 1), None).unwrap();
        assert!(spool.body(m.id).is_ok(), "one recipient still to go");
        // The last terminal state through `record_many`, with an event before it.
        let items = vec![
            (
                1,
                Event::status(Timestamp(T0 + 2), Status::TemporaryFailure, "451"),
                None,
            ),
            (
                1,
                Event::status(Timestamp(T0 + 3), Status::Bounced, "550"),
                None,
            ),
        ];
        spool.record_many(m.id, items).unwrap();
        assert!(matches!(spool.body(m.id), Err(StoreError::NotFound)));
        assert_eq!(spool.body_location(m.id).unwrap(), None);
        assert!(
            spool.get(m.id).unwrap().is_some(),
            "the record stays for audit"
        );
    }
    assert!(!spool.body_path(large.id).exists());
    drop(spool);
    assert_eq!(stored_body(dir.path(), small.id), None);
    assert_eq!(count_stored_bodies(dir.path()), 0);
}

#[test]
fn a_failed_commit_leaves_neither_record_nor_body() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let m = message(T0, 1, b"first");
    spool.commit(&m).unwrap();
    let mut again = m.clone();
    again.body = sealgate_core::Body::new(b"second".to_vec());
    assert!(matches!(
        spool.commit_message(&again),
        Err(CommitError::Conflict(_))
    ));
    assert_eq!(
        &*spool.body(m.id).unwrap(),
        b"first",
        "the stored body is unchanged"
    );
    let mut none = message(T0, 1, b"no recipient");
    none.envelope.recipients.clear();
    assert!(spool.commit_message(&none).is_err());
    drop(spool);
    assert_eq!(stored_body(dir.path(), none.id), None);
    assert_eq!(count_stored_bodies(dir.path()), 1);
}

fn count_stored_bodies(dir: &Path) -> usize {
    let db = redb::Database::open(dir.join("queue.redb")).unwrap();
    let txn = db.begin_read().unwrap();
    txn.open_table(BODIES).unwrap().iter().unwrap().count()
}

/// Turns the closed spool in `dir` into what the code before issue 19 wrote: every body a
/// file, no `bodies` table, layout version 1.
fn make_version_1(dir: &Path, moved: &[(sealgate_core::MessageId, PathBuf)]) {
    for (id, path) in moved {
        let sealed = stored_body(dir, *id).unwrap();
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, sealed).unwrap();
    }
    let db = redb::Database::open(dir.join("queue.redb")).unwrap();
    let txn = db.begin_write().unwrap();
    assert!(txn.delete_table(BODIES).unwrap());
    txn.open_table(META).unwrap().insert("schema", 1).unwrap();
    txn.commit().unwrap();
}

#[test]
fn a_spool_written_before_bodies_moved_into_the_database_opens_and_delivers() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let m = message(T0, 1, b"written by the old layout");
    spool.commit(&m).unwrap();
    let path = spool.body_path(m.id);
    drop(spool);
    make_version_1(dir.path(), &[(m.id, path.clone())]);

    let spool = open(dir.path(), TestClock::at(T0));
    assert_eq!(spool.recover(Timestamp(T0)).unwrap().missing_bodies, 0);
    assert_eq!(spool.body_location(m.id).unwrap(), Some(BodyLocation::File));
    assert_eq!(&*spool.body(m.id).unwrap(), b"written by the old layout");
    let new = message(T0, 1, b"written by the new layout");
    spool.commit(&new).unwrap();
    assert_eq!(
        spool.body_location(new.id).unwrap(),
        Some(BodyLocation::Database)
    );
    spool.record(m.id, 0, delivered(T0 + 1), None).unwrap();
    assert!(
        !path.exists(),
        "the old body file goes when the message is finished"
    );
    drop(spool);
    let db = redb::Database::open(dir.path().join("queue.redb")).unwrap();
    let txn = db.begin_read().unwrap();
    let version = txn
        .open_table(META)
        .unwrap()
        .get("schema")
        .unwrap()
        .unwrap()
        .value();
    assert_eq!(version, 2, "the layout was upgraded in place");
}

#[test]
fn a_newer_layout_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), TestClock::at(T0)));
    {
        let db = redb::Database::open(dir.path().join("queue.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(META).unwrap().insert("schema", 3).unwrap();
        txn.commit().unwrap();
    }
    let err = Spool::open(
        dir.path(),
        keys1(),
        TestClock::at(T0),
        std::sync::Arc::new(sealgate_commit::OsRandom),
    )
    .unwrap_err();
    assert!(err.to_string().contains("layout version 3"), "{err}");
}

/// Many 10 KiB bodies committed and finished: redb reuses the freed pages, so the file does not
/// grow with the mail that passed through it (only with the records kept for audit).
#[test]
fn the_database_reuses_the_pages_of_finished_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let db = dir.path().join("queue.redb");
    let body = random_bytes(10 * 1024);
    let mut sizes = Vec::new();
    for round in 0..4u64 {
        for i in 0..500u64 {
            let m = message(T0 + round * 1000 + i, 1, &body);
            spool.commit(&m).unwrap();
            spool.record(m.id, 0, delivered(T0 + i), None).unwrap();
        }
        sizes.push(fs::metadata(&db).unwrap().len());
    }
    let passed = 2000 * body.len() as u64;
    println!("queue.redb after each 500 messages: {sizes:?} bytes; bodies passed: {passed}");
    assert!(
        sizes[3] < passed / 4,
        "the file holds the bodies that passed through: {sizes:?}"
    );
    assert!(
        sizes[3] - sizes[1] < sizes[1],
        "growth does not continue at the rate of the first rounds: {sizes:?}"
    );
}
