//! Browser sessions of the portal: random ids in an HttpOnly cookie, idle logoff, CSRF tokens.
//!
//! Guarantees: a session id and its CSRF token are 256 random bits each (unpadded base64url);
//! a session unused for the idle limit (15 minutes: HIPAA automatic logoff) is gone — the next
//! request finds nothing and starts over; a session is authenticated per escrowed copy, only
//! after a code passed in it; the CSRF token is compared in constant time. Sessions live in
//! memory: a restart logs everyone off.

use crate::id::EscrowId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sealgate_core::time::{Clock, Random, Timestamp};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct Entry {
    csrf: String,
    last_seen: Timestamp,
    authenticated: HashSet<EscrowId>,
    seen: HashSet<EscrowId>,
}

/// What a request learns about its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// The session id (the cookie value).
    pub id: String,
    /// The CSRF token every form of this session carries.
    pub csrf: String,
}

/// The live sessions of one portal process.
pub struct Sessions {
    idle: Duration,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
    map: Mutex<HashMap<String, Entry>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("idle", &self.idle)
            .finish_non_exhaustive()
    }
}

fn token(rng: &dyn Random) -> String {
    let mut b = [0u8; 32];
    rng.fill(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// Constant-time equality of two strings (length is not secret).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Sessions {
    /// Sessions that end after `idle` without a request.
    pub fn new(idle: Duration, clock: Arc<dyn Clock>, rng: Arc<dyn Random>) -> Self {
        Sessions {
            idle,
            clock,
            rng,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // Plain map: consistent even if a holder panicked.
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The live session of cookie value `id`, touched; `None` when unknown or idle too long
    /// (an idle one is removed).
    pub fn touch(&self, id: &str) -> Option<SessionView> {
        let now = self.clock.now();
        let mut map = self.map();
        let entry = map.get_mut(id)?;
        if now >= entry.last_seen.plus(self.idle) {
            map.remove(id);
            return None;
        }
        entry.last_seen = now;
        Some(SessionView {
            id: id.to_string(),
            csrf: entry.csrf.clone(),
        })
    }

    /// The session of `cookie` if live, else a new one.
    pub fn get_or_start(&self, cookie: Option<&str>) -> SessionView {
        if let Some(view) = cookie.and_then(|c| self.touch(c)) {
            return view;
        }
        let view = SessionView {
            id: token(&*self.rng),
            csrf: token(&*self.rng),
        };
        let entry = Entry {
            csrf: view.csrf.clone(),
            last_seen: self.clock.now(),
            authenticated: HashSet::new(),
            seen: HashSet::new(),
        };
        let mut map = self.map();
        let now = self.clock.now();
        map.retain(|_, e| now < e.last_seen.plus(self.idle));
        map.insert(view.id.clone(), entry);
        view
    }

    /// True when `csrf` is the token of live session `id` (touches it).
    pub fn check_csrf(&self, id: &str, csrf: &str) -> bool {
        self.touch(id).is_some_and(|v| same(&v.csrf, csrf))
    }

    /// Marks session `id` as authenticated for `escrow` (after a code passed).
    pub fn authenticate(&self, id: &str, escrow: EscrowId) -> bool {
        self.map()
            .get_mut(id)
            .map(|e| e.authenticated.insert(escrow))
            .is_some()
    }

    /// True when live session `id` is authenticated for `escrow` (touches it).
    pub fn is_authenticated(&self, id: &str, escrow: EscrowId) -> bool {
        self.touch(id).is_some()
            && self
                .map()
                .get(id)
                .is_some_and(|e| e.authenticated.contains(&escrow))
    }

    /// True the first time session `id` acts on `escrow` (for the "opened" event).
    pub fn first_visit(&self, id: &str, escrow: EscrowId) -> bool {
        self.map()
            .get_mut(id)
            .is_some_and(|e| e.seen.insert(escrow))
    }

    /// Ends session `id` (log off).
    pub fn end(&self, id: &str) {
        self.map().remove(id);
    }
}
