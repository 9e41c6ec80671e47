//! `FreshBodies`: the first read takes the kept body, later reads go to the store; the memory
//! stays within its bounds.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use super::*;
use sealgate_commit::OsRandom;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A store whose only working call is `body`, which answers "from disk" and counts.
#[derive(Default)]
struct Disk {
    reads: AtomicUsize,
}

impl QueueStore for Disk {
    fn commit(&self, _: &Message) -> Result<(), StoreError> {
        unreachable!()
    }
    fn get(&self, _: MessageId) -> Result<Option<QueueEntry>, StoreError> {
        unreachable!()
    }
    fn body(&self, _: MessageId) -> Result<Body, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(Body::new(b"from disk".to_vec()))
    }
    fn list(&self, _: Option<MessageId>, _: usize) -> Result<Vec<QueueEntry>, StoreError> {
        unreachable!()
    }
    fn record(
        &self,
        _: MessageId,
        _: u32,
        _: Event,
        _: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        unreachable!()
    }
    fn due(&self, _: Timestamp, _: usize) -> Result<Vec<MessageId>, StoreError> {
        unreachable!()
    }
    fn depth(&self) -> Result<QueueDepth, StoreError> {
        unreachable!()
    }
    fn recover(&self, _: Timestamp) -> Result<RecoveryReport, StoreError> {
        unreachable!()
    }
}

fn id() -> MessageId {
    MessageId::generate(Timestamp(1_700_000_000_000), &OsRandom)
}

fn body(n: usize) -> Body {
    Body::new(vec![b'x'; n])
}

#[test]
fn the_first_read_takes_the_kept_body_and_later_reads_go_to_the_store() {
    let disk = Arc::new(Disk::default());
    let fresh = FreshBodies::new(disk.clone());
    let (a, b) = (id(), id());
    fresh.kept().insert(a, Body::new(b"kept".to_vec()));
    assert_eq!(&fresh.body(a).unwrap()[..], b"kept");
    assert_eq!(disk.reads.load(Ordering::SeqCst), 0);
    assert_eq!(&fresh.body(a).unwrap()[..], b"from disk");
    assert_eq!(&fresh.body(b).unwrap()[..], b"from disk");
    assert_eq!(disk.reads.load(Ordering::SeqCst), 2);
    assert_eq!(fresh.kept().bytes, 0);
}

#[test]
fn the_oldest_bodies_go_first_when_the_bytes_are_spent() {
    let mut kept = Kept::default();
    let ids: Vec<MessageId> = (0..9).map(|_| id()).collect();
    for i in &ids {
        kept.insert(*i, body(MAX_BODY));
    }
    assert!(kept.bytes <= MAX_BYTES);
    assert_eq!(kept.bodies.len(), MAX_BYTES / MAX_BODY);
    assert!(!kept.bodies.contains_key(&ids[0]), "the oldest was dropped");
    assert!(kept.bodies.contains_key(&ids[8]), "the newest is kept");
}

#[test]
fn a_body_over_the_limit_is_never_kept() {
    let mut kept = Kept::default();
    let big = id();
    kept.insert(big, body(MAX_BODY + 1));
    assert!(kept.bodies.is_empty());
    assert_eq!(kept.bytes, 0);
}

#[test]
fn taken_ids_do_not_pile_up_behind_one_never_taken() {
    let mut kept = Kept::default();
    kept.insert(id(), body(10)); // never taken (a held message, say)
    for _ in 0..10_000 {
        let i = id();
        kept.insert(i, body(10));
        assert!(kept.forget(i).is_some());
    }
    assert_eq!(kept.bodies.len(), 1);
    assert!(kept.order.len() <= 2 * kept.bodies.len() + 64 + 1);
}
