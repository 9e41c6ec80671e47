//! The global memory budget for message content in flight.
//!
//! Every transaction holds a [`Reservation`] from one process-wide [`Budget`]: taken at `MAIL`
//! (for the `SIZE=` the client announced, or [`INITIAL_CONTENT`] without one) and grown as DATA
//! or BDAT content arrives. A reservation covers [`COPY_FACTOR`] times the content, because the
//! content exists in memory more than once before it is committed: as read, as the copy with
//! the `Received:` header, and as the classifier's decoded parts and the extractor's text
//! (together bounded by the content size again). A reservation the budget cannot hold is
//! refused (`452 4.3.1` at MAIL, or at the end of data when content outgrew it), never an
//! out-of-memory kill. Content outside a transaction is never stored at all.
//!
//! Guarantees: the sum of all reservations never exceeds the limit; a reservation is given
//! back when it is dropped, whatever ends the transaction.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Octets reserved per octet of content: the content as read, the copy with the `Received:`
/// header, and the classifier's and extractor's working copies (two more).
pub const COPY_FACTOR: u64 = 4;

/// Content reserved at `MAIL` when the client gave no `SIZE=`.
pub const INITIAL_CONTENT: u64 = 64 * 1024;

/// Growth step: a reservation grows to the next multiple of this many content octets, so a
/// stream of lines does not touch the shared counter for each one.
const STEP: u64 = 256 * 1024;

/// The process-wide budget.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    used: AtomicU64,
}

impl Budget {
    /// A budget of `limit` octets.
    pub fn new(limit: u64) -> Arc<Budget> {
        Arc::new(Budget {
            limit,
            used: AtomicU64::new(0),
        })
    }

    /// Octets reserved now.
    pub fn in_use(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Takes `octets` more, if they fit.
    fn take(&self, octets: u64) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(octets).filter(|&n| n <= self.limit)
            })
            .is_ok()
    }

    fn give_back(&self, octets: u64) {
        self.used.fetch_sub(octets, Ordering::AcqRel);
    }

    /// A reservation for `content` octets of message content (`COPY_FACTOR` times that).
    pub fn reserve(self: &Arc<Self>, content: u64) -> Option<Reservation> {
        let octets = content.saturating_mul(COPY_FACTOR);
        self.take(octets).then(|| Reservation {
            budget: Arc::clone(self),
            held: octets,
        })
    }
}

/// One transaction's share of the budget; given back on drop.
#[derive(Debug)]
pub struct Reservation {
    budget: Arc<Budget>,
    held: u64,
}

impl Reservation {
    /// Makes the reservation cover `content` octets; false when the budget cannot.
    pub fn cover(&mut self, content: u64) -> bool {
        let needed = content.saturating_mul(COPY_FACTOR);
        if needed <= self.held {
            return true;
        }
        let stepped = content
            .div_ceil(STEP)
            .saturating_mul(STEP)
            .saturating_mul(COPY_FACTOR);
        for target in [stepped, needed] {
            if self.budget.take(target - self.held) {
                self.held = target;
                return true;
            }
        }
        false
    }

    /// Octets held.
    pub fn held(&self) -> u64 {
        self.held
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.give_back(self.held);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_never_exceed_the_limit_and_come_back_on_drop() {
        // Room for 4 steps of content.
        let b = Budget::new(COPY_FACTOR * 4 * STEP);
        let mut r = b.reserve(1000).unwrap();
        assert_eq!(b.in_use(), 4000);
        assert!(b.reserve(4 * STEP).is_none(), "beyond the limit");
        assert!(b.reserve(STEP).is_some());
        assert_eq!(b.in_use(), 4000, "a dropped reservation is given back");
        // Growth goes in steps while there is room, then exactly to what is needed.
        assert!(r.cover(STEP + 1));
        assert_eq!(r.held(), 2 * STEP * COPY_FACTOR);
        let other = b.reserve(STEP + STEP / 2).unwrap();
        assert!(r.cover(2 * STEP + 10));
        assert_eq!(r.held(), (2 * STEP + 10) * COPY_FACTOR);
        assert!(b.in_use() <= b.limit);
        assert!(!r.cover(3 * STEP), "beyond the limit");
        drop(other);
        assert!(r.cover(4 * STEP));
        drop(r);
        assert_eq!(b.in_use(), 0);
    }
}
