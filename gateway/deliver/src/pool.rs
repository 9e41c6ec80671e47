//! Connection reuse and per-destination concurrency.
//!
//! Guarantees: a connection is reused only for the same endpoint and session parameters
//! (EHLO name, source address, TLS policy), only while idle less than the cache time, only for
//! fewer than the reuse limit of transactions, and never after an error; at most
//! `max_per_destination` transactions run at once per destination.

use crate::client::{Connection, SessionParams};
use crate::route::Target;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

type Key = (Target, SessionParams);

/// Idle connections and destination limits.
pub struct Pool {
    idle: Mutex<HashMap<Key, Vec<Connection>>>,
    limits: Mutex<HashMap<String, Arc<Semaphore>>>,
    per_destination: usize,
    cache_time: Duration,
    reuse_limit: usize,
}

impl Pool {
    /// An empty pool.
    pub fn new(per_destination: usize, cache_time: Duration, reuse_limit: usize) -> Pool {
        Pool {
            idle: Mutex::new(HashMap::new()),
            limits: Mutex::new(HashMap::new()),
            per_destination: per_destination.max(1),
            cache_time,
            reuse_limit: reuse_limit.max(1),
        }
    }

    /// Waits for a slot at `destination`.
    pub async fn slot(&self, destination: &str) -> Option<OwnedSemaphorePermit> {
        let sem = {
            // Only short, non-panicking sections run under these locks.
            let mut limits = self.limits.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(
                limits
                    .entry(destination.to_string())
                    .or_insert_with(|| Arc::new(Semaphore::new(self.per_destination))),
            )
        };
        sem.acquire_owned().await.ok()
    }

    /// An idle connection to `target` with `params`, if a fresh one is cached.
    pub fn take(&self, target: &Target, params: &SessionParams) -> Option<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let list = idle.get_mut(&(target.clone(), params.clone()))?;
        while let Some(c) = list.pop() {
            if c.idle_since.elapsed() < self.cache_time {
                return Some(c);
            }
            // Too old: dropping it closes the socket (the peer times the session out).
        }
        None
    }

    /// Returns a connection for reuse; closes it instead when it may not be reused.
    pub async fn give_back(&self, target: &Target, params: &SessionParams, conn: Connection) {
        if conn.broken || conn.sent >= self.reuse_limit || self.cache_time.is_zero() {
            conn.quit().await;
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.entry((target.clone(), params.clone()))
            .or_default()
            .push(conn);
    }

    /// Closes connections idle longer than the cache time.
    pub async fn expire(&self) {
        let stale: Vec<Connection> = {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            let mut out = Vec::new();
            for list in idle.values_mut() {
                let (old, fresh): (Vec<_>, Vec<_>) = list
                    .drain(..)
                    .partition(|c| c.idle_since.elapsed() >= self.cache_time);
                *list = fresh;
                out.extend(old);
            }
            idle.retain(|_, l| !l.is_empty());
            out
        };
        for c in stale {
            c.quit().await;
        }
    }
}
