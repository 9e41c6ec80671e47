//! An exact test that skips an anchored run: what may follow a run of a detector's first bytes.
//!
//! When every prefix literal of an expression is one byte (`age-sex`: the digits `0`–`9`), a
//! candidate is the start of a run of such bytes — a number — and most numbers (dates, phone
//! numbers, codes) are followed by a byte the expression cannot go on with. The lazy DFA says
//! which: from every anchored start state, read `k` bytes of the class, and collect the bytes
//! outside it on which some reached state does not die, and the pairs of bytes (the first
//! outside the class) after which some state is still live or has matched. [`RunFilter::may_match`]
//! then looks at the two bytes after the candidate's run: not among those for the run's length
//! (or the run longer than any live path), and no match starts there — `12/03`, `12:30`, `2024 `
//! and `12 pm` are skipped, `67M`, `82 yo` are tried.
//!
//! Why this never skips a match: the DFA's path over a match reaches a match state, with no dead
//! state before it. No transition on a class byte from a state reached by class bytes enters a
//! match state (else no filter is built), so the match state comes after the run's end `r`: the
//! state after the run is live and reached by `r - s` class bytes, and its transition on the
//! byte at `r` is not dead — that byte is in the set for the run's length; and either that
//! transition enters the match state or the next one is not dead either — the pair is in the
//! table. A run that reaches the end of the text, or one byte before it, is tried on what there
//! is. Built only when the exploration stays small and the
//! cache is never cleared (state ids stay valid); otherwise there is no filter.

use super::literal_filter::{ByteSet, add, has};
use regex_automata::Anchored;
use regex_automata::hybrid::LazyStateID;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::util::alphabet::ByteClasses;
use regex_automata::util::start;

/// Longest run explored; a class some states stay live on for longer gets no filter.
const MAX_RUN: usize = 64;

/// Most states kept after one run length.
const MAX_STATES: usize = 256;

/// The bytes that may follow a run of an expression's first bytes, by the run's length.
#[derive(Debug, Clone)]
pub(super) struct RunFilter {
    /// The first bytes (each one-byte literal, in both cases: candidates are found ignoring case).
    class: ByteSet,
    /// `follow[k - 1]`: the bytes outside `class` that may follow a run of `k`; a run longer
    /// than `follow.len()` never starts a match.
    follow: Vec<ByteSet>,
    /// The DFA's byte classes (bytes it never tells apart share one).
    classes: ByteClasses,
    /// `pairs[k - 1]`: a bit for each pair of byte classes (`first * alphabet + second`) that
    /// may follow a run of `k`.
    pairs: Vec<Vec<u64>>,
}

impl RunFilter {
    /// The filter for `dfa`, whose every match starts with one of `literals`, or `None` when a
    /// literal is longer than a byte or the exploration does not settle (see the module docs).
    pub(super) fn new(dfa: &DFA, literals: &[Vec<u8>]) -> Option<RunFilter> {
        let mut class = ByteSet::default();
        for l in literals {
            let [b] = l.as_slice() else { return None };
            add(&mut class, b.to_ascii_lowercase());
            add(&mut class, b.to_ascii_uppercase());
        }
        let mut cache = dfa.create_cache();
        let mut cur = Vec::new();
        for lb in (0..=255u8).map(Some).chain([None]) {
            let cfg = start::Config::new().anchored(Anchored::Yes).look_behind(lb);
            let q = dfa.start_state(&mut cache, &cfg).ok()?;
            if q.is_quit() || q.is_unknown() {
                return None;
            }
            if !q.is_dead() {
                cur.push(q);
            }
        }
        cur.sort_unstable();
        cur.dedup();
        let (mut follow, mut pairs) = (Vec::new(), Vec::new());
        for k in 0..=MAX_RUN {
            let mut next = Vec::new();
            let mut after = ByteSet::default();
            for &q in &cur {
                for b in 0..=255u8 {
                    let t = dfa.next_state(&mut cache, q, b).ok()?;
                    if t.is_quit() || t.is_unknown() {
                        return None;
                    }
                    if !has(&class, b) {
                        if !t.is_dead() {
                            add(&mut after, b);
                        }
                    } else if t.is_match() {
                        // A match could end inside the run: the byte after it says nothing.
                        return None;
                    } else if !t.is_dead() {
                        next.push(t);
                    }
                }
            }
            if k > 0 {
                follow.push(after);
                pairs.push(pair_table(dfa, &mut cache, &cur, &class)?);
            }
            // State ids are only comparable while the cache was never cleared.
            if cache.clear_count() > 0 {
                return None;
            }
            next.sort_unstable();
            next.dedup();
            if next.is_empty() {
                return Some(RunFilter {
                    class,
                    follow,
                    classes: *dfa.byte_classes(),
                    pairs,
                });
            }
            if next.len() > MAX_STATES {
                return None;
            }
            cur = next;
        }
        None
    }

    /// Whether a match may start at `s` (`false`: none does).
    pub(super) fn may_match(&self, hay: &[u8], s: usize) -> bool {
        let rest = hay.get(s..).unwrap_or_default();
        let run = rest.iter().take_while(|&&b| has(&self.class, b)).count();
        let (Some(k), Some(&b)) = (run.checked_sub(1), rest.get(run)) else {
            // Not a run (a candidate from elsewhere), or a run to the end of the text: try it.
            return true;
        };
        if !self.follow.get(k).is_some_and(|f| has(f, b)) {
            return false;
        }
        let (Some(&c), Some(pairs)) = (rest.get(run + 1), self.pairs.get(k)) else {
            return true;
        };
        let n = self.classes.alphabet_len();
        let i = usize::from(self.classes.get(b)) * n + usize::from(self.classes.get(c));
        pairs.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
}

/// The pairs of byte classes, the first outside `class`, on which some state of `states`
/// enters a match state or stays live for both bytes (`None`: the DFA gave up).
fn pair_table(
    dfa: &DFA,
    cache: &mut Cache,
    states: &[LazyStateID],
    class: &ByteSet,
) -> Option<Vec<u64>> {
    let classes = dfa.byte_classes();
    let n = classes.alphabet_len();
    let mut bits = vec![0u64; (n * n).div_ceil(64)];
    for &q in states {
        for b in (0..=255u8).filter(|&b| !has(class, b)) {
            let t = dfa.next_state(cache, q, b).ok()?;
            if t.is_quit() || t.is_unknown() {
                return None;
            }
            if t.is_dead() {
                continue;
            }
            for c in 0..=255u8 {
                let u = dfa.next_state(cache, t, c).ok()?;
                if u.is_quit() || u.is_unknown() {
                    return None;
                }
                if t.is_match() || !u.is_dead() {
                    let i = usize::from(classes.get(b)) * n + usize::from(classes.get(c));
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
        }
    }
    Some(bits)
}
