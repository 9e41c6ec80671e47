//! Keyword dictionaries and context words, found in one pass over a text.
//!
//! Every list (a dictionary file, a rule's inline `keywords`, a detector's context words) gets an
//! id; a term may belong to several lists. One case-insensitive pass over a text finds every
//! term on word boundaries and files its position under each of its lists, so proximity checks
//! are a binary search.
//!
//! A term that starts with a letter or digit can only match where a word starts, so the pass
//! walks the text's words (runs of ASCII letters and digits), hashes each one lower-cased as it
//! goes, and looks the hash up in a table of the terms' first words: a 16 KiB filter first
//! (it stays in the L1 cache and turns away nearly every word of prose; the same load
//! says whether the word begins a two-word key, so the pair with the next word is looked up —
//! in a filter of its own — only then), then the candidates in a flat open-addressing table
//! (`table`: the key's slot, then its terms' records side by side), whose whole term is
//! compared with the text eight bytes at a time. That finds exactly what an Aho-Corasick automaton
//! with the same boundary rules finds, at a fraction of the memory (the full vocabularies made a
//! 71.6 MB DFA, a cache miss on most bytes). The few terms that start with another character
//! (`#secure`) keep a small automaton of their own.

use crate::custom::{Candidates, WordStarts, load_padded};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::cell::Cell;
use std::collections::HashMap;

mod table;
mod words;

use table::Table;
use words::*;
pub(crate) use words::{WordHash, for_each_word, group, group_into};

/// Terms found while walking a text: (list, (start, end)).
type Found = Vec<(u32, (u32, u32))>;

/// Most entries a working vector keeps between texts (larger ones are freed).
const KEEP: usize = 4096;

thread_local! {
    /// The walk's working vectors, kept between texts so a message's texts, and the next
    /// message's, do not allocate and grow them again.
    static FOUND: Cell<Found> = const { Cell::new(Vec::new()) };
    static STARTS: Cell<Vec<(u32, u32)>> = const { Cell::new(Vec::new()) };
    /// The words the filter let through, (hash, start), looked up after the walk.
    static KEYED: Cell<Vec<(u64, u32)>> = const { Cell::new(Vec::new()) };
}

/// Takes a thread's working vector, empty.
fn take<T>(key: &'static std::thread::LocalKey<Cell<Vec<T>>>) -> Vec<T> {
    let mut v = key.take();
    v.clear();
    v
}

/// Gives a working vector back, unless it grew past [`KEEP`].
fn give<T>(key: &'static std::thread::LocalKey<Cell<Vec<T>>>, v: Vec<T>) {
    if v.capacity() <= KEEP {
        key.set(v);
    }
}

/// The previous word of the text when it begins a pair-keyed term: its hash, start and end.
type Prev = Option<(u64, usize, usize)>;

/// A word of the text on its way to [`KeywordIndex::word`]: its span, its hash, whether a
/// digit follows a letter in it.
#[derive(Clone, Copy)]
struct Word {
    s: usize,
    e: usize,
    h: u64,
    digit: bool,
}

/// Builds a [`KeywordIndex`].
#[derive(Debug, Default)]
pub struct KeywordIndexBuilder {
    terms: Vec<String>,
    owners: Vec<Vec<usize>>,
    by_term: HashMap<String, usize>,
    lists: usize,
}

impl KeywordIndexBuilder {
    /// Adds a list; returns its id. Terms are lower-cased and trimmed; empty ones are skipped.
    pub fn add_list<'a>(&mut self, terms: impl IntoIterator<Item = &'a str>) -> usize {
        let id = self.lists;
        self.lists += 1;
        for t in terms {
            let t = t.trim().to_ascii_lowercase();
            if t.is_empty() {
                continue;
            }
            let n = self.terms.len();
            let idx = *self.by_term.entry(t.clone()).or_insert(n);
            if idx == n {
                self.terms.push(t);
                self.owners.push(Vec::new());
            }
            if !self.owners[idx].contains(&id) {
                self.owners[idx].push(id);
            }
        }
        id
    }

    /// Builds the first-word table, and an automaton for the terms that do not start with a
    /// letter or digit (if any).
    pub fn build(self) -> Result<KeywordIndex, String> {
        let mut filter = vec![0u64; 1 << WORD_FILTER];
        let mut pair_filter = vec![0u64; 1 << PAIR_FILTER];
        let mut keyed = Vec::new();
        let mut other = Vec::new();
        for (i, t) in self.terms.iter().enumerate() {
            let b = t.as_bytes();
            if !b[0].is_ascii_alphanumeric() {
                other.push(i as u32);
                continue;
            }
            let (h, first) = term_key(b);
            match first {
                None => {
                    let (w, keyed, _) = word_bits(h);
                    filter[w] |= keyed;
                }
                Some(f) => {
                    let (w, keyed) = pair_bits(h);
                    pair_filter[w] |= keyed;
                    let (w, _, pair) = word_bits(f);
                    filter[w] |= pair;
                }
            }
            keyed.push((h, b, &self.owners[i][..]));
        }
        let other_ac = if other.is_empty() {
            None
        } else {
            let pats = other.iter().map(|&i| &self.terms[i as usize]);
            let ac = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind((other.len() < 10_000).then_some(AhoCorasickKind::DFA))
                .build(pats)
                .map_err(|e| format!("keyword automaton: {e}"))?;
            let terms = other.iter().map(|&i| {
                let i = i as usize;
                (self.terms[i].as_bytes(), &self.owners[i][..])
            });
            Some((ac, Table::new_unkeyed(terms)))
        };
        Ok(KeywordIndex {
            filter,
            pair_filter,
            table: Table::new(keyed),
            other: other_ac,
            lists: self.lists,
        })
    }
}

/// The compiled index.
#[derive(Debug, Clone)]
pub struct KeywordIndex {
    /// Blocked Bloom filter of single-word keys and of words that begin a pair key: see
    /// [`WORD_FILTER`].
    filter: Vec<u64>,
    /// Blocked Bloom filter of pair keys.
    pair_filter: Vec<u64>,
    /// Key (first word's hash, or first two words') → the terms keyed by it.
    table: Table,
    /// Terms not starting with a letter or digit: their automaton, and their records (by
    /// pattern id) in a table of their own.
    other: Option<(AhoCorasick, Table)>,
    lists: usize,
}

/// Keyword positions in one text, by list: (start, end) byte offsets in text order. Every
/// list's positions share one vector.
#[derive(Debug, Clone, Default)]
pub struct KeywordHits {
    /// List id → its range in `spans` (`starts[l]..starts[l + 1]`).
    starts: Vec<u32>,
    spans: Vec<(u32, u32)>,
}

impl KeywordHits {
    /// Frees these hits' vectors if they grew past `keep` entries (see `findings::recycle`);
    /// else they are kept as they are, to be overwritten (`KeywordIndex::walk_into`).
    pub(crate) fn bound(&mut self, keep: usize) {
        if self.spans.capacity() > keep {
            *self = Self::default();
        }
    }

    /// The positions of a list (none for an unknown list).
    pub fn list(&self, list: usize) -> &[(u32, u32)] {
        match (self.starts.get(list), self.starts.get(list + 1)) {
            (Some(&a), Some(&b)) => &self.spans[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Number of lists.
    pub fn lists(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Occurrences of a list.
    pub fn count(&self, list: usize) -> usize {
        self.list(list).len()
    }

    /// True when a term of `list` starts or ends within `within` bytes of `[start, end)`.
    pub fn near(&self, list: usize, start: u32, end: u32, within: u32) -> bool {
        let v = self.list(list);
        let lo = start.saturating_sub(within);
        let hi = end.saturating_add(within);
        // First occurrence ending at or after `lo`; positions are sorted by start and terms are
        // short, so scanning forward from the first start ≥ lo − 64 is enough.
        let from = v.partition_point(|&(s, _)| s.saturating_add(64) < lo);
        v[from..]
            .iter()
            .take_while(|&&(s, _)| s <= hi)
            .any(|&(s, e)| e >= lo && s <= hi)
    }
}

impl KeywordHits {
    /// True when a term of `list` ends at or before `start` and within `within` bytes of it (a
    /// label written before its value).
    pub fn before(&self, list: usize, start: u32, within: u32) -> bool {
        let v = self.list(list);
        let lo = start.saturating_sub(within);
        let from = v.partition_point(|&(s, _)| s.saturating_add(64) < lo);
        v[from..]
            .iter()
            .take_while(|&&(s, _)| s < start)
            .any(|&(_, e)| e >= lo && e <= start)
    }
}

impl KeywordIndex {
    /// Number of lists.
    pub fn lists(&self) -> usize {
        self.lists
    }

    /// Heap bytes used by the index (approximate: the filters and the tables).
    pub fn memory_usage(&self) -> usize {
        let other = self
            .other
            .as_ref()
            .map_or(0, |(ac, t)| ac.memory_usage() + t.memory_usage());
        let filters = (self.filter.len() + self.pair_filter.len()) * 8;
        filters + self.table.memory_usage() + other
    }

    /// Finds every term of every list in `text`, on word boundaries. A term's edge that is
    /// not alphanumeric (`ss#`, `pt:`) is its own boundary, and a term ending in a letter may be
    /// followed directly by a digit (`SSN123…`, `DOB03141962`): labels are written that way.
    pub fn find(&self, text: &[u8]) -> KeywordHits {
        let mut hits = KeywordHits::default();
        self.find_inner(text, None, &mut Vec::new(), &mut hits);
        hits
    }

    /// [`KeywordIndex::find`], and in the same walk over the words the custom detectors'
    /// word-start candidates ([`WordStarts::candidates`]: the same lists).
    pub fn find_with_starts(&self, text: &[u8], starts: &WordStarts) -> (KeywordHits, Candidates) {
        self.walk(text, Some(starts), &mut Vec::new())
    }

    /// [`KeywordIndex::find`]; with `starts`, [`KeywordIndex::find_with_starts`]'s candidates
    /// too (else none); and, in `caps` (cleared first), the start of every word that begins
    /// with an ASCII capital, in text order — where the name detector looks for names
    /// (`detect::names::scan_at`), so it need not search the text for capitals itself.
    pub(crate) fn walk(
        &self,
        text: &[u8],
        starts: Option<&WordStarts>,
        caps: &mut Vec<u32>,
    ) -> (KeywordHits, Candidates) {
        let (mut hits, mut cands) = (KeywordHits::default(), Candidates::default());
        self.walk_into(text, starts, caps, &mut hits, &mut cands);
        (hits, cands)
    }

    /// [`KeywordIndex::walk`] into `hits` and `cands`, whatever they held, reusing their
    /// vectors (a thread's scratch kept between texts and messages: `findings::Scratch`).
    pub(crate) fn walk_into(
        &self,
        text: &[u8],
        starts: Option<&WordStarts>,
        caps: &mut Vec<u32>,
        hits: &mut KeywordHits,
        cands: &mut Candidates,
    ) {
        caps.clear();
        let Some(starts) = starts else {
            self.find_inner(text, None, caps, hits);
            cands.clear();
            return;
        };
        let mut pairs = take(&STARTS);
        self.find_inner(text, Some((starts, &mut pairs)), caps, hits);
        starts.group_into(&pairs, cands);
        give(&STARTS, pairs);
    }

    fn find_inner(
        &self,
        text: &[u8],
        starts: Option<(&WordStarts, &mut Vec<(u32, u32)>)>,
        caps: &mut Vec<u32>,
        hits: &mut KeywordHits,
    ) {
        let mut found = take(&FOUND);
        self.words(text, &mut found, starts, caps);
        if let Some((ac, terms)) = &self.other {
            for m in ac.find_overlapping_iter(text) {
                let r = terms.rec_at(m.pattern().as_usize());
                if r.right_bounded(text.get(m.end()).copied()) {
                    for &list in terms.lists(r) {
                        found.push((list, (m.start() as u32, m.end() as u32)));
                    }
                }
            }
        }
        // By list, then in text order (the walk finds the pairs' and glued labels' terms, then
        // the keyed words', then the other terms: each list nearly sorted already, most lists
        // holding terms of one kind).
        let KeywordHits { starts, spans } = hits;
        group_into(self.lists, &found, starts, spans);
        give(&FOUND, found);
        for w in starts.windows(2) {
            // Most lists are in order already (none or one term of a text, or no pair's term
            // after a later word's): a look at them, no sort.
            let list = &mut spans[w[0] as usize..w[1] as usize];
            if !list.is_sorted() {
                list.sort_unstable();
            }
        }
    }

    /// Every word of `text` (a run of ASCII letters and digits, see [`for_each_word`]): its
    /// start to `caps` if it begins with a capital and to `starts` if given, then its hash and
    /// the word filter; a word the filter lets through is looked up after the walk, one with a
    /// digit after a letter or one that may end a pair goes on to [`KeywordIndex::word`].
    fn words(
        &self,
        text: &[u8],
        found: &mut Found,
        mut starts_to: Option<(&WordStarts, &mut Vec<(u32, u32)>)>,
        caps: &mut Vec<u32>,
    ) {
        let mut prev: Prev = None;
        let mut keyed_words = take(&KEYED);
        for_each_word(text, |s, e| {
            // One load for the word-start table, the hash, the digit test and the capital.
            let w8 = load_padded(text, s);
            if (w8 as u8).is_ascii_uppercase() {
                caps.push(s as u32);
            }
            if let Some((ws, cands)) = starts_to.as_mut() {
                ws.word_at_loaded(text, s, w8, cands);
            }
            let (h, digit) = hash_and_digit(text, s, e, w8);
            let (keyed, begins_pair) = self.flags(h);
            let joined = prev.filter(|&(_, _, pe)| pe + 1 == s);
            if keyed {
                keyed_words.push((h, s as u32));
            }
            // Most words of prose key nothing, hold no letter-then-digit and follow no pair's
            // first word: they stop here.
            if digit || joined.is_some() {
                self.word(text, Word { s, e, h, digit }, joined, found);
            }
            prev = begins_pair.then_some((h, s, e));
        });
        // The keyed words' terms, in a loop of their own: the walk's loop keeps its values in
        // registers, and this one calls nothing.
        for &(h, s) in &keyed_words {
            self.candidates_here(h, text, s as usize, found);
        }
        give(&KEYED, keyed_words);
    }

    /// The word `text[s..e]`: terms starting with it, and with each of its prefixes that a
    /// digit follows (`SSN123…`, `DOB03141962`: a label glued to its value); and the same as
    /// the second word of a pair with the previous word when one byte separates them.
    #[inline]
    fn word(&self, text: &[u8], w: Word, joined: Prev, out: &mut Found) {
        let Word { s, e, h, .. } = w;
        if let Some((ph, ps, pe)) = joined {
            self.probe_pair(pair_key(ph, text[pe], h), text, ps, out);
        }
        if w.digit {
            let w = &text[s..e];
            for k in 1..w.len() {
                if w[k].is_ascii_digit() && w[k - 1].is_ascii_alphabetic() {
                    let hk = word_hash(text, s, s + k);
                    self.probe(hk, text, s, out);
                    if let Some((ph, ps, pe)) = joined {
                        self.probe_pair(pair_key(ph, text[pe], hk), text, ps, out);
                    }
                }
            }
        }
    }

    /// What the word filter says of a word's hash `h`: (may key a term, may begin a pair-keyed
    /// term).
    #[inline]
    fn flags(&self, h: u64) -> (bool, bool) {
        let (w, keyed, pair) = word_bits(h);
        let x = self.filter[w];
        (x & keyed == keyed, x & pair == pair)
    }

    /// The terms keyed by the pair hash `h`, checked at `s`.
    #[inline]
    fn probe_pair(&self, h: u64, text: &[u8], s: usize, found: &mut Found) {
        let (w, keyed) = pair_bits(h);
        if self.pair_filter[w] & keyed == keyed {
            self.candidates(h, text, s, found);
        }
    }

    /// The terms whose first word hashes to `h`, checked at `s`.
    #[inline]
    fn probe(&self, h: u64, text: &[u8], s: usize, found: &mut Found) {
        if !self.flags(h).0 {
            return;
        }
        self.candidates(h, text, s, found);
    }

    /// The terms keyed by `h` that are in `text` at `s`, on a word boundary: their lists'
    /// positions to `found`. Most keys have one term of at most eight bytes in one list, kept in
    /// the key's slot: one compare with the text's next eight bytes and one push; a term of at
    /// most eight bytes is one compare too, the longer terms' compare is out of line
    /// ([`table::Table::matches`]). (The walk loaded those bytes already, but passing them in
    /// cost its loop more than this load.)
    #[inline(never)]
    fn candidates(&self, h: u64, text: &[u8], s: usize, found: &mut Found) {
        self.candidates_here(h, text, s, found);
    }

    /// [`KeywordIndex::candidates`], inlined where it is called.
    #[inline(always)]
    fn candidates_here(&self, h: u64, text: &[u8], s: usize, found: &mut Found) {
        let w8 = load_padded(text, s);
        let recs = match self.table.lookup(h) {
            table::Hit::One(one) => {
                let e = s + one.len();
                if e <= text.len()
                    && one.matches_short(w8)
                    && one.right_bounded(text.get(e).copied())
                {
                    found.push((one.list(), (s as u32, e as u32)));
                }
                return;
            }
            table::Hit::Recs(recs) => recs,
        };
        for r in recs {
            let e = s + r.len();
            if e > text.len() {
                continue;
            }
            let here = if r.len() <= 8 {
                r.matches_short(w8)
            } else {
                self.table.matches(r, text, s)
            };
            if here && r.right_bounded(text.get(e).copied()) {
                let at = (s as u32, e as u32);
                found.extend(self.table.lists(r).iter().map(|&list| (list, at)));
            }
        }
    }
}

#[cfg(test)]
mod tests;
