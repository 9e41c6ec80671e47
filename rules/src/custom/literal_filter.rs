//! An exact test that drops a word-start candidate: the two bytes after a word literal.
//!
//! A word-start detector's candidates are the words that begin with one of its literals (`room`,
//! `policy`, `your`), and in prose most of them go on with a word no match can continue with
//! (`room our`, `policy and`): the anchored run from there dies a few bytes in, after paying its
//! set-up. For a literal of at most six bytes, the lazy DFA says which two bytes may follow it:
//! from every anchored start state (every byte before, or none), read each spelling the
//! candidate test accepts for the literal (both cases of a byte it folds), and collect the pairs
//! of byte classes on which some reached state enters a match state or stays live for both
//! bytes. [`FollowTable::may_follow`] then looks at the two bytes after the literal in the text.
//!
//! Why this never drops a match: a match that starts at the candidate begins with one of the
//! detector's literals (the prefix set is complete), and that literal's entry in the word-start
//! table accepts the text there, so its table is asked. The DFA's path over the match reaches a
//! match state with no dead state before it; no match state is met while reading the literal
//! (else no table is built), so the state after the literal is live and one of the collected
//! ones, and its transition on the next byte is either a match state (the match ends with the
//! literal) or live, and then the following transition is live or a match state: the pair is in
//! the table. Near the text's end (fewer than two bytes after the literal) the candidate is
//! always kept. Built only when the exploration stays small and the cache is never cleared
//! (state ids stay valid); otherwise the literal has no table.

use regex_automata::Anchored;
use regex_automata::hybrid::LazyStateID;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::util::alphabet::ByteClasses;
use regex_automata::util::start;

/// Longest literal given a table: it and two more bytes fit in the eight bytes the candidate
/// test loads.
pub(super) const MAX_LEN: usize = 6;

/// Most states kept while reading a literal.
const MAX_STATES: usize = 64;

/// Largest DFA alphabet (byte classes) given tables: a table has a bit per pair of classes.
const MAX_CLASSES: usize = 64;

/// What makes two tables of one DFA equal: the literal's length and the bits.
pub(super) type FollowKey = (usize, Vec<u64>);

/// The pairs of bytes that may follow a literal (see the module docs).
#[derive(Debug, Clone)]
pub(super) struct FollowTable {
    /// The literal's length.
    len: usize,
    /// The DFA's byte classes (bytes it never tells apart share one).
    classes: ByteClasses,
    /// A bit for each pair of byte classes (`first * alphabet + second`) that may follow.
    bits: Vec<u64>,
}

impl FollowTable {
    /// The table of `lit` for `dfa` — `any_case`: the candidate test ignores bit 0x20 of each of
    /// its bytes — or `None` (longer than [`MAX_LEN`], a match may end inside it, or the
    /// exploration does not settle).
    pub(super) fn new(dfa: &DFA, cache: &mut Cache, lit: &[u8], any_case: bool) -> Option<Self> {
        let classes = *dfa.byte_classes();
        if lit.len() > MAX_LEN || classes.alphabet_len() > MAX_CLASSES {
            return None;
        }
        let clears = cache.clear_count();
        let mut cur = start_states(dfa, cache)?;
        for &b in lit {
            let spellings = if any_case {
                [b | 0x20, b & !0x20]
            } else {
                [b, b]
            };
            let mut next = Vec::new();
            for &q in &cur {
                for &c in &spellings {
                    let t = step(dfa, cache, q, c)?;
                    if t.is_match() {
                        // A match may end inside the literal: what follows says nothing.
                        return None;
                    }
                    if !t.is_dead() {
                        next.push(t);
                    }
                }
            }
            next.sort_unstable();
            next.dedup();
            if next.len() > MAX_STATES {
                return None;
            }
            cur = next;
        }
        let bits = pair_table(dfa, cache, &cur)?;
        // State ids are only comparable while the cache is not cleared.
        (cache.clear_count() == clears).then_some(FollowTable {
            len: lit.len(),
            classes,
            bits,
        })
    }

    /// The table turns away at least half of the pairs of byte classes: worth asking (a
    /// candidate test that passes nearly everything costs more than it saves).
    pub(super) fn selective(&self) -> bool {
        let n = self.classes.alphabet_len();
        let set: u32 = self.bits.iter().map(|x| x.count_ones()).sum();
        2 * set as usize <= n * n
    }

    /// What makes this table equal to another of the same DFA.
    pub(super) fn key(&self) -> FollowKey {
        (self.len, self.bits.clone())
    }

    /// Whether a match may start at `s`, where the literal begins: `w` holds the eight bytes of
    /// `hay` from `s` (zero-padded past its end).
    #[inline]
    pub(super) fn may_follow(&self, hay: &[u8], s: usize, w: u64) -> bool {
        if s + self.len + 2 > hay.len() {
            return true;
        }
        let [b1, b2] = [(w >> (8 * self.len)) as u8, (w >> (8 * self.len + 8)) as u8];
        let n = self.classes.alphabet_len();
        let i = usize::from(self.classes.get(b1)) * n + usize::from(self.classes.get(b2));
        self.bits
            .get(i / 64)
            .is_some_and(|x| x >> (i % 64) & 1 == 1)
    }
}

/// The live anchored start states of `dfa`, for every byte before the start or none.
fn start_states(dfa: &DFA, cache: &mut Cache) -> Option<Vec<LazyStateID>> {
    let mut out = Vec::new();
    for lb in (0..=255u8).map(Some).chain([None]) {
        let cfg = start::Config::new().anchored(Anchored::Yes).look_behind(lb);
        let q = dfa.start_state(cache, &cfg).ok()?;
        if q.is_quit() || q.is_unknown() {
            return None;
        }
        if !q.is_dead() {
            out.push(q);
        }
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// One transition (`None`: the DFA gave up).
fn step(dfa: &DFA, cache: &mut Cache, q: LazyStateID, b: u8) -> Option<LazyStateID> {
    let t = dfa.next_state(cache, q, b).ok()?;
    (!t.is_quit() && !t.is_unknown()).then_some(t)
}

/// The pairs of byte classes on which some state of `states` enters a match state or stays
/// live for both bytes (`None`: the DFA gave up).
fn pair_table(dfa: &DFA, cache: &mut Cache, states: &[LazyStateID]) -> Option<Vec<u64>> {
    let classes = dfa.byte_classes();
    let n = classes.alphabet_len();
    let reps: Vec<u8> = classes
        .representatives(0..=255)
        .filter_map(|u| u.as_u8())
        .collect();
    let mut bits = vec![0u64; (n * n).div_ceil(64)];
    for &q in states {
        for &b in &reps {
            let t = step(dfa, cache, q, b)?;
            if t.is_dead() {
                continue;
            }
            for &c in &reps {
                let u = step(dfa, cache, t, c)?;
                if t.is_match() || !u.is_dead() {
                    let i = usize::from(classes.get(b)) * n + usize::from(classes.get(c));
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
        }
    }
    Some(bits)
}
