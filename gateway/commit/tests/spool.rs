//! Queue behaviour: round trip, reopen, concurrency, recovery, schedule, terminal states.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use sealgate_commit::BodyLocation;
use sealgate_core::event::{AttemptFacts, Event, EventKind};
use sealgate_core::store::{QueueStore, StoreError};
use sealgate_core::{Clock, Status, Timestamp};
use std::fs;
use std::path::PathBuf;

fn attempt(at: u64) -> Event {
    Event {
        at: Timestamp(at),
        kind: EventKind::Attempt(AttemptFacts::default()),
    }
}

#[test]
fn commit_round_trips_record_and_body() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let body = rfc5322("hello", "body text");
    let m = message(T0, 2, &body);
    spool.commit(&m).unwrap();

    let entry = spool.get(m.id).unwrap().unwrap();
    let mut expected = m.clone();
    expected.body = Default::default();
    assert_eq!(entry.message, expected);
    assert_eq!(entry.recipients.len(), 2);
    for (i, r) in entry.recipients.iter().enumerate() {
        assert_eq!(r.index, i as u32);
        assert_eq!(r.status, Status::Scheduled);
        assert_eq!(r.next_attempt, Some(Timestamp(T0)));
        assert_eq!(r.address, m.envelope.recipients[i].address);
        assert!(
            matches!(&r.events[..], [Event { kind: EventKind::Accepted { requirement }, .. }] if requirement == "deliver")
        );
    }
    assert_eq!(&*spool.body(m.id).unwrap(), &body[..]);
    assert!(spool.get(message(T0, 1, b"x").id).unwrap().is_none());
    assert!(matches!(spool.commit(&m), Err(StoreError::Conflict(_))));
}

#[test]
fn reopen_after_drop_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let m = message(T0, 1, b"persisted body");
    {
        let spool = open(dir.path(), TestClock::at(T0));
        spool.commit(&m).unwrap();
        let _keys = spool.keys();
    }
    let spool = open(dir.path(), TestClock::at(T0));
    assert_eq!(spool.list(None, 10).unwrap().len(), 1);
    assert_eq!(&*spool.body(m.id).unwrap(), b"persisted body");
}

#[test]
fn concurrent_commits_from_20_threads_are_all_durable_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let per_thread = 25;
    let mut ids: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|t| {
                let spool = spool.clone();
                s.spawn(move || {
                    (0..per_thread)
                        .map(|i| {
                            let m = message(T0 + i, 1, format!("thread {t} msg {i}").as_bytes());
                            spool.commit(&m).unwrap();
                            m.id
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    ids.sort();
    let stats = spool.commit_stats();
    assert_eq!(stats.operations, 500);
    println!("500 commits in {} transactions", stats.transactions);
    drop(spool);

    let spool = open(dir.path(), TestClock::at(T0));
    let mut listed = Vec::new();
    let mut after = None;
    loop {
        let page = spool.list(after, 64).unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.message.id);
        listed.extend(page.iter().map(|e| e.message.id));
    }
    assert_eq!(listed, ids, "list is in id order and complete");
    assert_eq!(spool.depth().unwrap().messages, 500);
    assert_eq!(
        spool.depth().unwrap().by_status,
        vec![(Status::Scheduled, 500)]
    );
}

#[test]
fn due_is_ordered_by_time_and_respects_now_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let ms: Vec<_> = (0..3).map(|i| message(T0 + i, 1, b"b")).collect();
    for m in &ms {
        spool.commit(m).unwrap();
    }
    assert_eq!(spool.due(Timestamp(T0 - 1), 10).unwrap(), vec![]);
    assert_eq!(spool.due(Timestamp(T0), 10).unwrap().len(), 3);
    for (m, at) in ms.iter().zip([5_000, 3_000, 4_000]) {
        spool
            .record(m.id, 0, attempt(T0), Some(Timestamp(T0 + at)))
            .unwrap();
    }
    assert_eq!(
        spool.due(Timestamp(T0 + 4_500), 10).unwrap(),
        vec![ms[1].id, ms[2].id]
    );
    assert_eq!(
        spool.due(Timestamp(T0 + 9_000), 2).unwrap(),
        vec![ms[1].id, ms[2].id]
    );
    assert_eq!(
        spool.due(Timestamp(T0 + 9_000), 10).unwrap(),
        vec![ms[1].id, ms[2].id, ms[0].id]
    );
    let entry = spool.get(ms[0].id).unwrap().unwrap();
    assert_eq!(entry.recipients[0].attempts, 1);
    assert_eq!(
        entry.recipients[0].next_attempt,
        Some(Timestamp(T0 + 5_000))
    );
}

#[test]
fn due_lists_a_message_once_at_its_earliest_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let a = message(T0, 2, b"a");
    let b = message(T0 + 1, 1, b"b");
    spool.commit(&a).unwrap();
    spool.commit(&b).unwrap();
    spool
        .record(a.id, 0, attempt(T0), Some(Timestamp(T0 + 100)))
        .unwrap();
    spool
        .record(a.id, 1, attempt(T0), Some(Timestamp(T0 + 300)))
        .unwrap();
    spool
        .record(b.id, 0, attempt(T0), Some(Timestamp(T0 + 200)))
        .unwrap();
    assert_eq!(
        spool.due(Timestamp(T0 + 1_000), 10).unwrap(),
        vec![a.id, b.id]
    );
}

#[test]
fn terminal_is_final_and_the_body_goes_when_all_recipients_finish() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let m = message(T0, 2, b"two recipients");
    spool.commit(&m).unwrap();
    let delivered = Event::status(Timestamp(T0 + 1), Status::Delivered, "250 ok");
    spool.record(m.id, 0, delivered.clone(), None).unwrap();
    assert!(matches!(
        spool.record(
            m.id,
            0,
            Event::status(Timestamp(T0 + 2), Status::Scheduled, "retry"),
            Some(Timestamp(T0))
        ),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        spool.record(m.id, 0, attempt(T0 + 2), None),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        spool.record(m.id, 7, attempt(T0 + 2), None),
        Err(StoreError::NotFound)
    ));
    let depth = spool.depth().unwrap();
    assert_eq!(depth.messages, 1);
    assert_eq!(
        depth.by_status,
        vec![(Status::Scheduled, 1), (Status::Delivered, 1)]
    );
    assert_eq!(spool.due(Timestamp(T0 + 10), 10).unwrap(), vec![m.id]);
    assert_eq!(&*spool.body(m.id).unwrap(), b"two recipients");

    spool
        .record(
            m.id,
            1,
            Event::status(Timestamp(T0 + 3), Status::Bounced, "550"),
            None,
        )
        .unwrap();
    assert!(matches!(spool.body(m.id), Err(StoreError::NotFound)));
    assert!(!spool.body_path(m.id).exists());
    assert_eq!(
        files_under(&dir.path().join("bodies")),
        Vec::<PathBuf>::new()
    );
    let entry = spool.get(m.id).unwrap().unwrap();
    assert_eq!(entry.recipients[0].events.len(), 2);
    assert_eq!(entry.recipients[0].events[1], delivered);
    assert_eq!(entry.recipients[1].status, Status::Bounced);
    assert_eq!(entry.recipients[1].next_attempt, None);
    assert_eq!(spool.depth().unwrap(), Default::default());
    assert_eq!(spool.due(Timestamp(u64::MAX), 10).unwrap(), vec![]);
}

#[test]
fn recovery_removes_orphans_and_requeues_in_flight_recipients() {
    let dir = tempfile::tempdir().unwrap();
    let bodies = dir.path().join("bodies");
    let m = message(T0, 2, b"queued");
    let orphan = message(T0, 1, b"never committed");
    {
        let spool = open(dir.path(), TestClock::at(T0));
        spool.commit(&m).unwrap();
        // Recipient 0 was picked up by a delivery worker (no due time) when the process died.
        spool.record(m.id, 0, attempt(T0 + 5), None).unwrap();
        let orphan_path = spool.body_path(orphan.id);
        fs::create_dir_all(orphan_path.parent().unwrap()).unwrap();
        fs::write(&orphan_path, b"sealed bytes").unwrap();
        fs::write(orphan_path.with_extension("3.tmp"), b"half written").unwrap();
    }
    let clock = TestClock::at(T0 + 60_000);
    let spool = open(dir.path(), clock.clone());
    let report = spool.recover(clock.now()).unwrap();
    assert_eq!(report.orphans_removed, 2);
    assert_eq!(report.requeued, 1);
    assert_eq!(report.missing_bodies, 0);
    assert_eq!(
        files_under(&bodies),
        Vec::<PathBuf>::new(),
        "m's body is in the database"
    );
    assert_eq!(
        spool.body_location(m.id).unwrap(),
        Some(BodyLocation::Database)
    );
    let r0 = &spool.get(m.id).unwrap().unwrap().recipients[0];
    assert_eq!(r0.next_attempt, Some(Timestamp(T0 + 60_000)));
    assert_eq!(r0.events.last().unwrap().kind, EventKind::Recovered);
    assert_eq!(spool.due(clock.now(), 10).unwrap(), vec![m.id]);

    // A second run finds nothing to do.
    let again = spool.recover(clock.now()).unwrap();
    assert_eq!(
        (again.orphans_removed, again.requeued, again.missing_bodies),
        (0, 0, 0)
    );
}

#[test]
fn recovery_removes_the_body_of_a_finished_message_whose_deletion_was_lost() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let m = message(T0, 1, &large_body("done"));
    spool.commit(&m).unwrap();
    let path = spool.body_path(m.id);
    let sealed = fs::read(&path).unwrap();
    let done = Event::status(Timestamp(T0 + 1), Status::Delivered, "250");
    spool.record(m.id, 0, done, None).unwrap();
    assert!(!path.exists());
    fs::write(&path, sealed).unwrap(); // as if the crash came between commit and unlink
    let report = spool.recover(Timestamp(T0 + 2)).unwrap();
    assert_eq!(
        (
            report.orphans_removed,
            report.requeued,
            report.missing_bodies
        ),
        (0, 0, 0)
    );
    assert!(!path.exists());
    assert_eq!(
        spool.get(m.id).unwrap().unwrap().recipients[0].status,
        Status::Delivered
    );
}

#[test]
fn recovery_counts_but_keeps_records_whose_body_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let m = message(T0, 1, &large_body("will vanish"));
    spool.commit(&m).unwrap();
    fs::remove_file(spool.body_path(m.id)).unwrap();
    // A body in the database that no longer decrypts counts the same way.
    let n = message(T0, 1, b"will be damaged");
    spool.commit(&n).unwrap();
    drop(spool);
    let mut sealed = stored_body(dir.path(), n.id).unwrap();
    let last = sealed.len() - 1;
    sealed[last] ^= 1;
    put_stored_body(dir.path(), n.id, &sealed);
    let spool = open(dir.path(), TestClock::at(T0));
    let report = spool.recover(Timestamp(T0)).unwrap();
    assert_eq!(report.missing_bodies, 2);
    assert!(spool.get(m.id).unwrap().is_some());
    assert!(spool.get(n.id).unwrap().is_some());
}
