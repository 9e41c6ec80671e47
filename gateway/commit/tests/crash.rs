//! Crash consistency: a process committing and finishing messages on both body paths is killed
//! with SIGKILL mid-stream; the reopened spool has every acknowledged message with its own body,
//! no record without its body, and no body of a finished message.
//!
//! The child is this test binary itself, running the ignored test below; it prints a line for
//! each call that returned `Ok`, so the parent knows what was promised before the kill.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use sealgate_commit::BodyLocation;
use sealgate_core::store::{QueueStore, StoreError};
use sealgate_core::{Event, MessageId, Status, Timestamp};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const CHILD_DIR: &str = "SEALGATE_CRASH_CHILD_DIR";
const THREADS: u64 = 4;
/// Acknowledged commits to wait for before the kill.
const BEFORE_KILL: usize = 200;

/// The body of message number `n`: every fifth is too large for the database.
fn body_of(id: MessageId, n: u64) -> Vec<u8> {
    let mut body = format!("body of {id}\r\n").into_bytes();
    let size = if n.is_multiple_of(5) {
        sealgate_commit::INLINE_BODY_MAX + 1 + n as usize
    } else {
        10 * 1024
    };
    body.resize(size, b'.');
    body
}

#[test]
#[ignore = "the child process of killed_while_committing_and_finishing_loses_nothing"]
fn child_commits_and_finishes_until_killed() {
    let dir = std::env::var(CHILD_DIR).expect("run by the crash test");
    let spool = open(std::path::Path::new(&dir), TestClock::at(T0));
    let out = Mutex::new(std::io::stdout());
    let say = |line: String| {
        let mut o = out.lock().unwrap();
        o.write_all(line.as_bytes()).unwrap();
        o.flush().unwrap();
    };
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (spool, say) = (&spool, &say);
            s.spawn(move || {
                for i in 0.. {
                    let n = t + i * THREADS;
                    let mut m = message(T0 + n, 1, b"");
                    m.body = sealgate_core::Body::new(body_of(m.id, n));
                    spool.commit(&m).unwrap();
                    say(format!("ok {} {n}\n", m.id));
                    if n.is_multiple_of(2) {
                        let ev = Event::status(Timestamp(T0 + n), Status::Delivered, "250");
                        spool.record(m.id, 0, ev, None).unwrap();
                        say(format!("done {}\n", m.id));
                    }
                }
            });
        }
    });
}

#[test]
fn killed_while_committing_and_finishing_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_commits_and_finishes_until_killed",
        ])
        .args(["--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(300);
    let (mut committed, mut done) = (Vec::new(), HashSet::new());
    while committed.len() < BEFORE_KILL {
        let n = committed.len();
        assert!(
            Instant::now() < deadline,
            "the child stalled at {n} commits"
        );
        let line = lines.next().expect("the child ended early").unwrap();
        collect(&line, &mut committed, &mut done);
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no clean database close
    child.wait().unwrap();
    // What the child said before it died (lines still in the pipe count too).
    for line in lines.map_while(Result::ok) {
        collect(&line, &mut committed, &mut done);
    }
    let large = committed.iter().filter(|(_, n)| n % 5 == 0).count();
    assert!(large > 0 && large < committed.len(), "both body paths ran");
    check_after_crash(dir.path(), &committed, &done);
}

fn collect(line: &str, committed: &mut Vec<(MessageId, u64)>, done: &mut HashSet<MessageId>) {
    let words: Vec<&str> = line.split(' ').collect();
    match words[..] {
        ["ok", id, n] => committed.push((id.parse().unwrap(), n.parse().unwrap())),
        ["done", id] => {
            done.insert(id.parse().unwrap());
        }
        _ => {} // the test harness's own lines
    }
}

/// Reopens the spool: acknowledged messages keep their bodies, finished ones have none, and no
/// record anywhere is without its body.
fn check_after_crash(
    dir: &std::path::Path,
    committed: &[(MessageId, u64)],
    done: &HashSet<MessageId>,
) {
    let spool = open(dir, TestClock::at(T0));
    let report = spool.recover(Timestamp(T0)).unwrap();
    assert_eq!(report.missing_bodies, 0, "a record without its body");
    for (id, n) in committed {
        let entry = spool
            .get(*id)
            .unwrap()
            .expect("an acknowledged commit was lost");
        let finished = entry.recipients[0].status.is_terminal();
        assert!(
            finished || !done.contains(id),
            "{id}: a recorded delivery was lost"
        );
        match spool.body(*id) {
            Ok(body) => {
                assert!(!finished, "{id}: finished but its body is still there");
                assert_eq!(&*body, &body_of(*id, *n)[..], "{id}: not its own body");
                let at = spool.body_location(*id).unwrap();
                let expected = if n % 5 == 0 {
                    BodyLocation::File
                } else {
                    BodyLocation::Database
                };
                assert_eq!(at, Some(expected));
            }
            Err(StoreError::NotFound) => assert!(finished, "{id}: queued without a body"),
            Err(e) => panic!("{id}: {e}"),
        }
    }
    // Messages committed after the last line read, too, are whole or absent.
    let all = spool.list(None, usize::MAX).unwrap();
    assert!(all.len() >= committed.len());
    for entry in all {
        let active = !entry.recipients[0].status.is_terminal();
        let id = entry.message.id;
        assert_eq!(
            spool.body(id).is_ok(),
            active,
            "{id}: body and state disagree"
        );
    }
    // No file is left that belongs to no active message.
    for file in files_under(&dir.join("bodies")) {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let id: MessageId = name.parse().unwrap();
        assert_eq!(spool.body_location(id).unwrap(), Some(BodyLocation::File));
        assert!(spool.body(id).is_ok());
    }
}
