//! Emailed one-time codes: issue, check, lock, rate-limit.
//!
//! Guarantees: a code is 6 decimal digits from the [`Random`] source (rejection sampling, no
//! modulo bias), valid for 10 minutes, usable once, and bound to one browser session and one
//! escrowed copy — a code asked for in one session is refused in another; only a keyed hash
//! (HMAC-SHA256 under a per-process secret, over escrow id, session id and code) is kept, and
//! it is compared in constant time; after 5 wrong entries the copy's code step is locked for
//! the lock period (every session), and the refusal says so; code mails are limited per
//! recipient and per client within a sliding hour. State is in memory: a restart forgets
//! pending codes (the recipient asks for a new one), never a message.

use crate::id::EscrowId;
use hmac::{Hmac, Mac};
use sealgate_core::time::{Clock, Random, Timestamp};
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zeroize::Zeroizing;

/// The limits of the code step.
#[derive(Debug, Clone)]
pub struct CodePolicy {
    /// How long a code is valid (10 minutes).
    pub code_ttl: Duration,
    /// Wrong entries before the copy is locked (5).
    pub max_tries: u32,
    /// How long a lock lasts (30 minutes).
    pub lock_for: Duration,
    /// Code mails per recipient per hour (5).
    pub per_recipient_hour: usize,
    /// Code requests per client (pseudonymised IP) per hour (20).
    pub per_client_hour: usize,
}

impl Default for CodePolicy {
    fn default() -> Self {
        CodePolicy {
            code_ttl: Duration::from_secs(600),
            max_tries: 5,
            lock_for: Duration::from_secs(1800),
            per_recipient_hour: 5,
            per_client_hour: 20,
        }
    }
}

/// Why a code was not issued or not accepted. Each has a clear message for the page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Too many wrong codes; try again after `until`.
    #[error("too many wrong codes: the message is locked for now")]
    Locked {
        /// When the lock ends.
        until: Timestamp,
    },
    /// Too many code mails for this recipient or from this client in the last hour.
    #[error("too many codes were requested: try again later")]
    RateLimited,
    /// No code was asked for in this browser session (or it was used already).
    #[error("no code is pending for this browser: ask for a new code")]
    NoCode,
    /// The code's 10 minutes are over.
    #[error("the code has expired: ask for a new code")]
    Expired,
    /// Wrong code; `left` tries remain before the lock.
    #[error("that code is not right")]
    Wrong {
        /// Tries left.
        left: u32,
    },
}

struct Pending {
    hash: [u8; 32],
    expires: Timestamp,
}

#[derive(Default)]
struct State {
    /// (escrow, session) → the pending code.
    pending: HashMap<(EscrowId, String), Pending>,
    /// escrow → wrong entries since the last success or lock.
    wrong: HashMap<EscrowId, u32>,
    /// escrow → end of its lock.
    locked: HashMap<EscrowId, Timestamp>,
    /// rate-limit key → send times within the last hour.
    sends: HashMap<String, VecDeque<Timestamp>>,
}

/// The code book of one portal process.
pub struct Codes {
    secret: Zeroizing<[u8; 32]>,
    policy: CodePolicy,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
    state: Mutex<State>,
}

impl std::fmt::Debug for Codes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Codes")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

const HOUR: Duration = Duration::from_secs(3600);

impl Codes {
    /// A code book with a fresh hashing secret.
    pub fn new(policy: CodePolicy, clock: Arc<dyn Clock>, rng: Arc<dyn Random>) -> Self {
        let mut secret = Zeroizing::new([0u8; 32]);
        rng.fill(&mut secret[..]);
        Codes {
            secret,
            policy,
            clock,
            rng,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain maps behind; they stay consistent.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn hash(&self, escrow: EscrowId, session: &str, code: &str) -> Hmac<Sha256> {
        // HMAC takes keys of any length: `new_from_slice` cannot fail for 32 bytes.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret[..])
            .unwrap_or_else(|_| unreachable!("HMAC accepts 32-byte keys"));
        mac.update(&escrow.to_bytes());
        mac.update(&[0]);
        mac.update(session.as_bytes());
        mac.update(&[0]);
        mac.update(code.as_bytes());
        mac
    }

    fn lock_check(
        &self,
        st: &mut State,
        escrow: EscrowId,
        now: Timestamp,
    ) -> Result<(), CodeError> {
        match st.locked.get(&escrow) {
            Some(&until) if now < until => Err(CodeError::Locked { until }),
            Some(_) => {
                st.locked.remove(&escrow);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Issues a code for `escrow` in browser `session`, counting against the recipient's and
    /// the client's hourly limits (keys are pseudonyms). A new code replaces a pending one.
    pub fn issue(
        &self,
        escrow: EscrowId,
        session: &str,
        recipient_key: &str,
        client_key: &str,
    ) -> Result<Zeroizing<String>, CodeError> {
        let now = self.clock.now();
        let mut st = self.state();
        self.lock_check(&mut st, escrow, now)?;
        let keys = [
            (format!("r:{recipient_key}"), self.policy.per_recipient_hour),
            (format!("c:{client_key}"), self.policy.per_client_hour),
        ];
        for (key, limit) in &keys {
            let q = st.sends.entry(key.clone()).or_default();
            while q.front().is_some_and(|t| now >= t.plus(HOUR)) {
                q.pop_front();
            }
            if q.len() >= *limit {
                return Err(CodeError::RateLimited);
            }
        }
        for (key, _) in keys {
            st.sends.entry(key).or_default().push_back(now);
        }
        let code = Zeroizing::new(format!("{:06}", self.six_digits()));
        let hash = self
            .hash(escrow, session, &code)
            .finalize()
            .into_bytes()
            .into();
        st.pending.insert(
            (escrow, session.to_string()),
            Pending {
                hash,
                expires: now.plus(self.policy.code_ttl),
            },
        );
        Ok(code)
    }

    fn six_digits(&self) -> u32 {
        loop {
            let mut b = [0u8; 4];
            self.rng.fill(&mut b);
            let v = u32::from_be_bytes(b);
            // 4_294_000_000 is the largest multiple of 1_000_000 below 2^32: no modulo bias.
            if v < 4_294_000_000 {
                return v % 1_000_000;
            }
        }
    }

    /// Checks a code entered in browser `session` for `escrow`; consumes it on success.
    pub fn verify(&self, escrow: EscrowId, session: &str, entered: &str) -> Result<(), CodeError> {
        let now = self.clock.now();
        let mut st = self.state();
        self.lock_check(&mut st, escrow, now)?;
        let key = (escrow, session.to_string());
        let pending = st.pending.get(&key).ok_or(CodeError::NoCode)?;
        if now >= pending.expires {
            st.pending.remove(&key);
            return Err(CodeError::Expired);
        }
        let digits: String = entered
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if self
            .hash(escrow, session, &digits)
            .verify_slice(&pending.hash)
            .is_ok()
        {
            st.pending.remove(&key);
            st.wrong.remove(&escrow);
            return Ok(());
        }
        let wrong = st.wrong.entry(escrow).or_insert(0);
        *wrong += 1;
        if *wrong >= self.policy.max_tries {
            st.wrong.remove(&escrow);
            st.pending.retain(|(e, _), _| *e != escrow);
            let until = now.plus(self.policy.lock_for);
            st.locked.insert(escrow, until);
            return Err(CodeError::Locked { until });
        }
        Err(CodeError::Wrong {
            left: self.policy.max_tries - *wrong,
        })
    }
}
