//! The serving process's randomness: a ChaCha20 generator per thread, seeded from the kernel.
//!
//! Issue 19: `OsRandom` made one `getrandom(2)` per call — message id, data key, nonce and more,
//! about four per relayed message. This source asks the kernel for 32 bytes when a thread first
//! draws, then again after every [`RESEED_AFTER`] bytes the thread drew; in between, output
//! comes from ChaCha20 (a CSPRNG) in user space. After each call the thread's key is replaced
//! by 32 bytes of its own stream ("fast key erasure"), so a later look at the process memory
//! does not give the bytes already handed out (data keys, nonces). The `Random` trait stays,
//! so tests still control randomness; `serve` alone uses this.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use sealgate_commit::OsRandom;
use sealgate_core::Random;
use std::cell::RefCell;

/// Bytes a thread draws before its generator is seeded anew from the kernel.
const RESEED_AFTER: usize = 1 << 20;

/// One thread's generator and how much it has produced since its seed.
struct State {
    rng: ChaCha20Rng,
    drawn: usize,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// ChaCha20 per thread, seeded (and reseeded) from the kernel's CSPRNG; see the module docs.
#[derive(Debug, Clone, Copy)]
pub struct FastRandom {
    os: OsRandom,
}

impl FastRandom {
    /// Built on an OS source already checked to work (`OsRandom::checked`).
    pub fn new(os: OsRandom) -> FastRandom {
        FastRandom { os }
    }

    fn seeded(&self) -> State {
        let mut seed = [0u8; 32];
        self.os.fill(&mut seed);
        State {
            rng: ChaCha20Rng::from_seed(seed),
            drawn: 0,
        }
    }
}

impl Random for FastRandom {
    fn fill(&self, buf: &mut [u8]) {
        STATE.with(|cell| {
            let mut slot = cell.borrow_mut();
            let state = match slot.as_mut() {
                Some(s) if s.drawn < RESEED_AFTER => s,
                _ => slot.insert(self.seeded()),
            };
            state.rng.fill_bytes(buf);
            state.drawn = state.drawn.saturating_add(buf.len() + 32);
            let mut next = [0u8; 32];
            state.rng.fill_bytes(&mut next);
            state.rng = ChaCha20Rng::from_seed(next);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(r: &FastRandom, n: usize) -> Vec<u8> {
        let mut v = vec![0u8; n];
        r.fill(&mut v);
        v
    }

    #[test]
    fn successive_draws_differ_and_are_not_constant() {
        let r = FastRandom::new(OsRandom::checked().unwrap());
        let a = draw(&r, 32);
        let b = draw(&r, 32);
        assert_ne!(a, b);
        assert_ne!(a, vec![0u8; 32]);
        // A large draw is not a repeated block: every 64-byte ChaCha block differs.
        let big = draw(&r, 4096);
        let blocks: std::collections::HashSet<&[u8]> = big.chunks(64).collect();
        assert_eq!(blocks.len(), 4096 / 64);
    }

    #[test]
    fn threads_get_their_own_streams() {
        let r = FastRandom::new(OsRandom::checked().unwrap());
        let here = draw(&r, 32);
        let there = std::thread::spawn(move || draw(&r, 32)).join().unwrap();
        assert_ne!(here, there);
    }

    #[test]
    fn reseeds_after_the_bound() {
        let r = FastRandom::new(OsRandom::checked().unwrap());
        let _ = draw(&r, 16);
        let before = STATE
            .with(|c| c.borrow().as_ref().map(|s| s.drawn))
            .unwrap();
        assert_eq!(before, 48);
        let _ = draw(&r, RESEED_AFTER);
        let _ = draw(&r, 16);
        let after = STATE
            .with(|c| c.borrow().as_ref().map(|s| s.drawn))
            .unwrap();
        assert_eq!(after, 48, "the draw past the bound starts a fresh seed");
    }
}
