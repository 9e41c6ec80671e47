//! An exact test that drops a word-start candidate: the bytes after a word literal.
//!
//! A word-start detector's candidates are the words that begin with one of its literals (`room`,
//! `policy`, `your`), and in prose most of them go on with a word no match can continue with
//! (`room our`, `policy and`): the anchored run from there dies a few bytes in, after paying its
//! set-up. The lazy DFA says what may follow a literal: from every anchored start state (every
//! byte before, or none), read each spelling the candidate test accepts for the literal (both
//! cases of a byte it folds); from the states reached, build the *paths* through the bytes after
//! the literal up to the word's eighth (the eight bytes the candidate test has loaded): a node is
//! a set of live states, and its cell for a byte class is the set they go to on it, or "accept"
//! when one of them enters a match state (a match ends before that byte: what follows is
//! free), or "reject" when all die. [`FollowTable::may_follow`] reads the text's bytes through
//! the nodes. This is exact where the literal is a cut prefix: the extractor keeps `poli` of
//! `(?i)policy\s*(?:id|no|number|#)` (every spelling of the whole words was too many
//! literals), and `policy and` dies at its `a`.
//!
//! When the paths grow too large (253 nodes, 16,384 cells), two weaker tables stand in: for a
//! literal of at most six bytes and an alphabet of at most 64 byte classes, the pairs of byte
//! classes on which some state enters a match state or stays live for both bytes; and for each
//! later place up to the eighth byte, the bytes on which some state still live there does not
//! die — until one of them may enter a match state.
//!
//! Why this never drops a match: a match that starts at the candidate begins with one of the
//! detector's literals (the prefix set is complete), and that literal's entry in the word-start
//! table accepts the text there, so its table is asked. The DFA's path over the match reaches a
//! match state with no dead state before it; no match state is met while reading the literal
//! (else no table is built), so the state after the literal is live and one of the collected
//! ones. Reading the text's bytes, the path's state is at each step one of the node's set (the
//! nodes hold every state reachable that way), its transition is not dead, so the cell is not
//! "reject", until the step that enters the match state, whose cell is "accept". For the pairs:
//! the transition on the next byte is a match state or live, and then the following one is
//! live or a match state, so the pair is in the table; for the places: at each place before the
//! match state the path's state was explored there and the text's byte keeps it live. Near the
//! text's end the paths read what there is and keep the candidate; the pairs and places are
//! skipped. Built only when the exploration stays small and the cache is never cleared (state
//! ids stay valid); otherwise the literal has no table.

use regex_automata::Anchored;
use regex_automata::hybrid::LazyStateID;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::util::alphabet::ByteClasses;
use regex_automata::util::start;
use std::collections::HashMap;

/// Longest literal given a pair table: it and two more bytes fit in the eight bytes the
/// candidate test loads.
pub(super) const MAX_LEN: usize = 6;

/// The bytes the candidate test loads: the places [`FollowTable`] looks at end here.
const WORD: usize = 8;

/// Most states kept while reading a literal.
const MAX_STATES: usize = 64;

/// Largest DFA alphabet (byte classes) given tables: a table has a bit per pair of classes.
const MAX_CLASSES: usize = 64;

/// What makes two tables of one DFA equal: the literal's length, the pairs, the places and the
/// paths.
pub(super) type FollowKey = (usize, Vec<u64>, Vec<ByteSet>, Vec<u8>);

/// Most cells (nodes × byte classes) of a [`FollowTable`]'s paths.
const MAX_CELLS: usize = 1 << 14;

/// A path cell: no match goes on with this byte.
const REJECT: u8 = u8::MAX;

/// A path cell: a match may end before this byte (the bytes after are free).
const ACCEPT: u8 = u8::MAX - 1;

/// A byte set, a bit a byte.
pub(super) type ByteSet = [u64; 4];

/// Byte `b` is in `set`.
pub(super) fn has(set: &ByteSet, b: u8) -> bool {
    set[usize::from(b >> 6)] >> (b & 63) & 1 == 1
}

/// Puts byte `b` in `set`.
pub(super) fn add(set: &mut ByteSet, b: u8) {
    set[usize::from(b >> 6)] |= 1 << (b & 63);
}

/// The bytes that may follow a literal (see the module docs).
#[derive(Debug, Clone)]
pub(super) struct FollowTable {
    /// The literal's length.
    len: usize,
    /// The DFA's byte classes (bytes it never tells apart share one).
    classes: ByteClasses,
    /// A bit for each pair of byte classes (`first * alphabet + second`) that may follow
    /// (none: no pair table, the literal or the alphabet is too long).
    bits: Vec<u64>,
    /// `places[i]`: the bytes that may be at `len + i` from the word's start, up to its
    /// eighth byte; any byte at places not listed.
    places: Vec<ByteSet>,
    /// The paths a match may take through the bytes after the literal, up to the word's eighth
    /// (see [`paths`]): node `n`'s cell for byte class `c` at `n * alphabet + c`, the next
    /// node, [`REJECT`] or [`ACCEPT`]; node 0 is where the literal ends. Empty when the
    /// exploration grows too large (the pairs and places stand in).
    paths: Vec<u8>,
}

impl FollowTable {
    /// The table of `lit` for `dfa` — `any_case`: the candidate test ignores bit 0x20 of each of
    /// its bytes — or `None` (longer than [`MAX_LEN`], a match may end inside it, or the
    /// exploration does not settle).
    pub(super) fn new(dfa: &DFA, cache: &mut Cache, lit: &[u8], any_case: bool) -> Option<Self> {
        let classes = *dfa.byte_classes();
        if lit.len() >= WORD {
            return None;
        }
        let clears = cache.clear_count();
        let cur = after_literal(dfa, cache, lit, any_case)?;
        let paths = paths(dfa, cache, cur.clone(), WORD - lit.len())?.unwrap_or_default();
        // The paths, when there are any, answer alone; else the pairs and the places.
        let (mut bits, mut places_after) = (Vec::new(), Vec::new());
        if paths.is_empty() {
            if lit.len() <= MAX_LEN && classes.alphabet_len() <= MAX_CLASSES {
                bits = pair_table(dfa, cache, &cur)?;
            }
            places_after = places(dfa, cache, cur, WORD - lit.len())?;
        }
        // State ids are only comparable while the cache is not cleared.
        (cache.clear_count() == clears).then_some(FollowTable {
            len: lit.len(),
            classes,
            bits,
            places: places_after,
            paths,
        })
    }

    /// The table turns away at least half of the pairs of byte classes, or half of the bytes at
    /// some place: worth asking (a candidate test that passes nearly everything costs more
    /// than it saves).
    pub(super) fn selective(&self) -> bool {
        let n = self.classes.alphabet_len();
        let set: u32 = self.bits.iter().map(|x| x.count_ones()).sum();
        let pairs = !self.bits.is_empty() && 2 * set as usize <= n * n;
        let count = |p: &ByteSet| p.iter().map(|x| x.count_ones()).sum::<u32>();
        pairs || self.places.iter().any(|p| count(p) <= 128) || self.paths.contains(&REJECT)
    }

    /// What makes this table equal to another of the same DFA.
    pub(super) fn key(&self) -> FollowKey {
        (
            self.len,
            self.bits.clone(),
            self.places.clone(),
            self.paths.clone(),
        )
    }

    /// Whether a match may start at `s`, where the literal begins: `w` holds the eight bytes of
    /// `hay` from `s` (zero-padded past its end).
    #[inline]
    pub(super) fn may_follow(&self, hay: &[u8], s: usize, w: u64) -> bool {
        if !self.paths.is_empty() {
            return self.on_a_path(hay, s, w);
        }
        if s + self.len + 2 > hay.len() {
            return true;
        }
        if !self.bits.is_empty() {
            let [b1, b2] = [(w >> (8 * self.len)) as u8, (w >> (8 * self.len + 8)) as u8];
            let n = self.classes.alphabet_len();
            let i = usize::from(self.classes.get(b1)) * n + usize::from(self.classes.get(b2));
            if self.bits.get(i / 64).is_none_or(|x| x >> (i % 64) & 1 == 0) {
                return false;
            }
        }
        s + WORD > hay.len()
            || self
                .places
                .iter()
                .enumerate()
                .all(|(i, p)| has(p, (w >> (8 * (self.len + i))) as u8))
    }

    /// [`FollowTable::may_follow`] by the paths: the text's bytes after the literal, up to the
    /// word's eighth or the text's end, read through the path nodes.
    fn on_a_path(&self, hay: &[u8], s: usize, w: u64) -> bool {
        let n = self.classes.alphabet_len();
        let mut node = 0usize;
        for at in self.len..WORD.min(hay.len() - s) {
            let c = usize::from(self.classes.get((w >> (8 * at)) as u8));
            match self.paths.get(node * n + c).copied() {
                Some(REJECT) => return false,
                Some(ACCEPT) | None => return true,
                Some(next) => node = usize::from(next),
            }
        }
        true
    }
}

/// The paths of matches through the `depth` bytes after the states `start` (where a literal
/// ends): a node is a set of live states, its cell for a byte class the set its states go to on
/// it — [`ACCEPT`] when one of them enters a match state (a match ends before the byte),
/// [`REJECT`] when all die. Nodes are shared by their sets and built breadth first, so a set's
/// node is first met at its least depth; nodes met at `depth` are never read and keep
/// [`ACCEPT`] cells. `Some(None)` when it grows past [`MAX_CELLS`] or 253 nodes, `None` when the
/// DFA gives up.
fn paths(
    dfa: &DFA,
    cache: &mut Cache,
    start: Vec<LazyStateID>,
    depth: usize,
) -> Option<Option<Vec<u8>>> {
    let classes = dfa.byte_classes();
    let n = classes.alphabet_len();
    let reps = representatives(classes);
    let mut ids: HashMap<Vec<LazyStateID>, u8> = HashMap::from([(start.clone(), 0)]);
    let mut nodes = vec![(start, 0usize)];
    let mut cells = Vec::new();
    let mut i = 0;
    while let Some((set, d)) = nodes.get(i).cloned() {
        i += 1;
        let mut row = vec![ACCEPT; n];
        if d < depth {
            for &b in &reps {
                let cell = &mut row[usize::from(classes.get(b))];
                *cell = match step_all(dfa, cache, &set, &[b])? {
                    Step::Match => ACCEPT,
                    Step::Live(next) if next.is_empty() => REJECT,
                    Step::Live(next) => match ids.get(&next) {
                        Some(&id) => id,
                        None if nodes.len() < usize::from(ACCEPT) => {
                            let id = nodes.len() as u8;
                            ids.insert(next.clone(), id);
                            nodes.push((next, d + 1));
                            id
                        }
                        None => return Some(None),
                    },
                    Step::TooMany => return Some(None),
                };
            }
        }
        cells.extend(row);
        if cells.len() > MAX_CELLS {
            return Some(None);
        }
    }
    Some(Some(cells))
}

/// The bytes that may be at each of the `n` places after the states `cur` (see the module
/// docs): one set a place, until a match may end (the rest are left out: any byte); `None`
/// when the DFA gives up.
fn places(
    dfa: &DFA,
    cache: &mut Cache,
    mut cur: Vec<LazyStateID>,
    n: usize,
) -> Option<Vec<ByteSet>> {
    let classes = dfa.byte_classes();
    let reps = representatives(classes);
    let mut out = Vec::new();
    while out.len() < n && !cur.is_empty() {
        let mut live = vec![false; classes.alphabet_len()];
        let (mut next, mut ends) = (Vec::new(), false);
        for &q in &cur {
            for &b in &reps {
                let t = step(dfa, cache, q, b)?;
                if t.is_dead() {
                    continue;
                }
                live[usize::from(classes.get(b))] = true;
                ends |= t.is_match();
                next.push(t);
            }
        }
        let mut set = ByteSet::default();
        for b in (0..=255u8).filter(|&b| live[usize::from(classes.get(b))]) {
            add(&mut set, b);
        }
        out.push(set);
        next.sort_unstable();
        next.dedup();
        if ends || next.len() > MAX_STATES {
            break;
        }
        cur = next;
    }
    Some(out)
}

/// The bytes that may be at each of the `n` places after `lit` in a match that begins with it
/// (read as [`FollowTable::new`] reads the literal; see [`places`]): fewer than `n` sets when
/// a match may end before (any byte after that); `None` when that says nothing (a match may
/// end inside the literal, the exploration does not settle).
pub(super) fn place_sets(
    dfa: &DFA,
    cache: &mut Cache,
    lit: &[u8],
    any_case: bool,
    n: usize,
) -> Option<Vec<ByteSet>> {
    let clears = cache.clear_count();
    let states = after_literal(dfa, cache, lit, any_case)?;
    let sets = places(dfa, cache, states, n)?;
    (cache.clear_count() == clears).then_some(sets)
}

/// [`place_sets`] after `lit` and one more byte, any of `next`: the places from the one after
/// it (none — any byte — when a match may end before it).
pub(super) fn place_sets_after(
    dfa: &DFA,
    cache: &mut Cache,
    lit: &[u8],
    any_case: bool,
    next: &[u8],
    n: usize,
) -> Option<Vec<ByteSet>> {
    let clears = cache.clear_count();
    let states = after_literal(dfa, cache, lit, any_case)?;
    let after = match step_all(dfa, cache, &states, next)? {
        Step::Live(v) => v,
        Step::Match => return Some(Vec::new()),
        Step::TooMany => return None,
    };
    let sets = places(dfa, cache, after, n)?;
    (cache.clear_count() == clears).then_some(sets)
}

/// The live states of `dfa` after reading `lit` anchored from any start (both cases of each of
/// its bytes when `any_case`); `None` when a match may end inside the literal, more than
/// [`MAX_STATES`] states are live at once or the DFA gives up.
fn after_literal(
    dfa: &DFA,
    cache: &mut Cache,
    lit: &[u8],
    any_case: bool,
) -> Option<Vec<LazyStateID>> {
    let mut cur = start_states(dfa, cache)?;
    for &b in lit {
        let spellings = if any_case {
            [b | 0x20, b & !0x20]
        } else {
            [b, b]
        };
        // A match may end inside the literal: what follows says nothing.
        match step_all(dfa, cache, &cur, &spellings)? {
            Step::Live(v) => cur = v,
            Step::Match | Step::TooMany => return None,
        }
    }
    Some(cur)
}

/// What one step of a set of states on a set of bytes gives ([`step_all`]).
enum Step {
    /// The live states reached, sorted, at most [`MAX_STATES`].
    Live(Vec<LazyStateID>),
    /// One of them entered a match state.
    Match,
    /// More than [`MAX_STATES`] live states.
    TooMany,
}

/// Every state of `states` on every byte of `bytes` (`None`: the DFA gave up).
fn step_all(dfa: &DFA, cache: &mut Cache, states: &[LazyStateID], bytes: &[u8]) -> Option<Step> {
    let mut next = Vec::new();
    for &q in states {
        for &b in bytes {
            let t = step(dfa, cache, q, b)?;
            if t.is_match() {
                return Some(Step::Match);
            }
            if !t.is_dead() {
                next.push(t);
            }
        }
    }
    next.sort_unstable();
    next.dedup();
    Some(match next.len() > MAX_STATES {
        true => Step::TooMany,
        false => Step::Live(next),
    })
}

/// One byte of each of the DFA's byte classes.
fn representatives(classes: &ByteClasses) -> Vec<u8> {
    classes
        .representatives(0..=255)
        .filter_map(|u| u.as_u8())
        .collect()
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
    let reps = representatives(classes);
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
