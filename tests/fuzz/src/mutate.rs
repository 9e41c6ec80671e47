//! Input mutation and minimising.
//!
//! A case is a seed from the target's corpus, changed by a few stacked mutations: flipped bits,
//! random or "interesting" bytes (CR, LF, NUL, `.`, `@`, quotes, 0xFF), inserted tokens from the
//! target's dictionary, deleted or duplicated ranges, and splices with another seed. A failing
//! case is minimised by deleting ranges (halves down to single bytes) while it still fails.

use crate::rng::Rng;

const INTERESTING: &[u8] = b"\r\n\0.@\"\\<>:; \t=\xff\x80-";

/// A mutated copy of a seed.
pub fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], tokens: &[&[u8]], max_len: usize) -> Vec<u8> {
    let mut data = rng.pick(seeds).clone();
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        one(rng, &mut data, seeds, tokens);
    }
    data.truncate(max_len);
    data
}

fn one(rng: &mut Rng, data: &mut Vec<u8>, seeds: &[Vec<u8>], tokens: &[&[u8]]) {
    let at = rng.below(data.len() + 1);
    match rng.below(8) {
        0 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] ^= 1 << rng.below(8);
        }
        1 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] = *rng.pick(INTERESTING);
        }
        2 if !tokens.is_empty() => {
            let t = rng.pick(tokens);
            data.splice(at..at, t.iter().copied());
        }
        3 if !data.is_empty() => {
            let len = 1 + rng.below((data.len() - at).clamp(1, 64));
            let end = (at + len).min(data.len());
            data.drain(at..end);
        }
        4 if !data.is_empty() => {
            let from = rng.below(data.len());
            let len = 1 + rng.below((data.len() - from).min(256));
            let piece: Vec<u8> = data[from..from + len].to_vec();
            let most = if rng.one_in(16) { 2000 } else { 4 };
            let times = 1 + rng.below(most);
            for _ in 0..times {
                data.splice(at..at, piece.iter().copied());
            }
        }
        5 => {
            let other = rng.pick(seeds);
            let from = rng.below(other.len() + 1);
            let tail = &other[from..];
            data.truncate(at);
            data.extend_from_slice(tail);
        }
        6 => {
            let n = 1 + rng.below(16);
            for _ in 0..n {
                let b = rng.byte();
                data.insert(at.min(data.len()), b);
            }
        }
        _ => {
            let b = *rng.pick(INTERESTING);
            data.insert(at, b);
        }
    }
}

/// The smallest input (by deleting ranges) for which `fails` still holds.
pub fn minimise(mut input: Vec<u8>, fails: &mut dyn FnMut(&[u8]) -> bool) -> Vec<u8> {
    let mut chunk = input.len().div_ceil(2).max(1);
    loop {
        let mut i = 0;
        let mut changed = false;
        while i < input.len() {
            let end = (i + chunk).min(input.len());
            let mut candidate = input[..i].to_vec();
            candidate.extend_from_slice(&input[end..]);
            if fails(&candidate) {
                input = candidate;
                changed = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !changed {
            return input;
        }
        if !changed {
            chunk = (chunk / 2).max(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimise_finds_the_one_byte_that_matters() {
        let input = b"hello wor\0ld, and more".to_vec();
        let min = minimise(input, &mut |d| d.contains(&0));
        assert_eq!(min, b"\0");
    }

    #[test]
    fn mutation_is_deterministic_per_seed() {
        let seeds = vec![b"EHLO x".to_vec()];
        let a = mutate(&mut Rng::new(7), &seeds, &[b"MAIL"], 1000);
        let b = mutate(&mut Rng::new(7), &seeds, &[b"MAIL"], 1000);
        assert_eq!(a, b);
    }
}
