//! The bodies just committed, kept in memory until the first delivery round reads them.
//!
//! Issue 19: the accept stage holds every message's body in memory until its commit is
//! durable; the deliver stage's first round, a few milliseconds later, then opened, read and
//! decrypted the same bytes from the spool. [`FreshBodies`] wraps the spool: a successful
//! `commit` keeps a reference to the body (the accept stage's own buffer, no copy), and the
//! first `body` call for that id takes it; every later call, and any id no longer kept, reads
//! the spool as before. Durability is the spool's alone (`commit` still returns only when the
//! body and the record are durable); a kept body is exactly the bytes committed. The memory is
//! bounded: at most [`MAX_BYTES`] in all, oldest dropped first, bodies over [`MAX_BODY`] never
//! kept (a body not taken — a held message, say — is dropped when newer ones need the room).

use sealgate_core::store::{QueueDepth, QueueEntry, QueueStore, RecoveryReport, StoreError};
use sealgate_core::time::Timestamp;
use sealgate_core::{Body, Event, Message, MessageId};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

/// All bodies kept at once, in bytes.
pub const MAX_BYTES: usize = 8 << 20;
/// The largest body kept.
pub const MAX_BODY: usize = 1 << 20;

/// The kept bodies, by id, and the order they came in.
#[derive(Default)]
struct Kept {
    bodies: HashMap<MessageId, Body>,
    order: VecDeque<MessageId>,
    bytes: usize,
}

impl Kept {
    fn insert(&mut self, id: MessageId, body: Body) {
        if body.len() > MAX_BODY {
            return;
        }
        while self.bytes + body.len() > MAX_BYTES {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            self.forget(old);
        }
        // Ids already taken stay in `order` until they reach its front; compact when they
        // outnumber the kept ones, so `order` stays proportional to what is kept.
        if self.order.len() > 2 * self.bodies.len() + 64 {
            let bodies = &self.bodies;
            self.order.retain(|id| bodies.contains_key(id));
        }
        self.bytes += body.len();
        self.bodies.insert(id, body);
        self.order.push_back(id);
    }

    fn forget(&mut self, id: MessageId) -> Option<Body> {
        let body = self.bodies.remove(&id)?;
        self.bytes -= body.len();
        Some(body)
    }
}

/// The spool with its freshly committed bodies kept for their first read (module docs).
pub struct FreshBodies {
    store: Arc<dyn QueueStore>,
    kept: Mutex<Kept>,
}

impl FreshBodies {
    /// Wraps `store`.
    pub fn new(store: Arc<dyn QueueStore>) -> FreshBodies {
        FreshBodies {
            store,
            kept: Mutex::new(Kept::default()),
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        // Short, non-panicking sections only: a poisoned map is still consistent.
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl QueueStore for FreshBodies {
    fn commit(&self, message: &Message) -> Result<(), StoreError> {
        self.store.commit(message)?;
        self.kept().insert(message.id, message.body.clone());
        Ok(())
    }

    fn get(&self, id: MessageId) -> Result<Option<QueueEntry>, StoreError> {
        self.store.get(id)
    }

    fn body(&self, id: MessageId) -> Result<Body, StoreError> {
        let kept = self.kept().forget(id);
        match kept {
            Some(b) => Ok(b),
            None => self.store.body(id),
        }
    }

    fn list(&self, after: Option<MessageId>, limit: usize) -> Result<Vec<QueueEntry>, StoreError> {
        self.store.list(after, limit)
    }

    fn record(
        &self,
        id: MessageId,
        recipient: u32,
        event: Event,
        next_attempt: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        self.store.record(id, recipient, event, next_attempt)
    }

    fn record_many(
        &self,
        id: MessageId,
        items: Vec<(u32, Event, Option<Timestamp>)>,
    ) -> Result<(), StoreError> {
        self.store.record_many(id, items)
    }

    fn due(&self, now: Timestamp, limit: usize) -> Result<Vec<MessageId>, StoreError> {
        self.store.due(now, limit)
    }

    fn depth(&self) -> Result<QueueDepth, StoreError> {
        self.store.depth()
    }

    fn recover(&self, now: Timestamp) -> Result<RecoveryReport, StoreError> {
        self.store.recover(now)
    }
}

#[cfg(test)]
#[path = "fresh_bodies_tests.rs"]
mod tests;
