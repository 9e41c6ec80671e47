//! Keyword dictionaries and context words, found in one pass over a text.
//!
//! Every list (a dictionary file, a rule's inline `keywords`, a detector's context words) gets an
//! id; a term may belong to several lists. One case-insensitive pass over a text finds every
//! term on word boundaries and files its position under each of its lists, so proximity checks
//! are a binary search.
//!
//! A term that starts with a letter or digit can only match where a word starts, so the pass
//! walks the text's words (runs of ASCII letters and digits), hashes each one lower-cased as it
//! goes, and looks the hash up in a table of the terms' first words: an 8 KiB Bloom filter
//! first (it stays in the L1 cache and turns away nearly every word of prose; the same load
//! says whether the word begins a two-word key, so the pair with the next word is looked up —
//! in a filter of its own — only then), then the candidates, whose whole term is compared with
//! the text. That finds exactly what an Aho-Corasick automaton
//! with the same boundary rules finds, at a fraction of the memory (the full vocabularies made a
//! 71.6 MB DFA, a cache miss on most bytes). The few terms that start with another character
//! (`#secure`) keep a small automaton of their own.

use crate::custom::WordStarts;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Blocked Bloom filters in front of the table: a hash picks one 64-bit word and two bits (per
/// question) in it, so one load answers. The word filter, asked of every word of the text, is
/// small enough to stay in the L1 cache (2^10 words, 8 KiB; the shipped vocabularies have about
/// 2,400 single-word keys and 3,500 words that begin a two-word key): is some term keyed by this
/// word, and does some pair-keyed term begin with it? Only after such a word is the pair with
/// the next one looked up, in the pair filter (2^12 words, 32 KiB; about 8,500 pair keys).
const WORD_FILTER: u32 = 10;
/// See [`WORD_FILTER`].
const PAIR_FILTER: u32 = 12;

/// The filter word of hash `h` (of a filter of 2^`log` words) and its two masks.
#[inline]
fn filter_bits(h: u64, log: u32) -> (usize, u64, u64) {
    let bit = |shift: u32| 1u64 << ((h >> shift) & 63);
    (
        (h >> (64 - log)) as usize,
        bit(46) | bit(40),
        bit(34) | bit(28),
    )
}

/// Eight bytes of `text` from `p` as a little-endian word (a fixed-size copy: one load).
#[inline]
fn load8(text: &[u8], p: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&text[p..p + 8]);
    u64::from_le_bytes(b)
}

/// The `len` (1 to 7) bytes of `text` from `p`, zero-padded: one load masked when eight bytes
/// are there to read, else byte by byte (no variable-length copy: its store would stall the
/// load that follows).
#[inline]
fn load_tail(text: &[u8], p: usize, len: usize) -> u64 {
    if p + 8 <= text.len() {
        return load8(text, p) & (u64::MAX >> (8 * (8 - len)));
    }
    text[p..p + len]
        .iter()
        .enumerate()
        .fold(0, |v, (k, &c)| v | (u64::from(c) << (8 * k)))
}

/// The hash of the word `text[s..e]`: the word lower-cased (every byte is an ASCII letter or
/// digit, so setting bit 0x20 lower-cases it) eight bytes at a time, with its length, mixed by
/// the multiply-rotate step of FxHash — one multiplication per eight bytes.
#[inline]
fn word_hash(text: &[u8], s: usize, e: usize) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    const LOWER: u64 = 0x2020_2020_2020_2020;
    let mut h = SEED ^ (e - s) as u64;
    let mut p = s;
    while p + 8 <= e {
        h = (h.rotate_left(5) ^ (load8(text, p) | LOWER)).wrapping_mul(K);
        p += 8;
    }
    if p < e {
        let len = e - p;
        let v = load_tail(text, p, len) | (LOWER >> (8 * (8 - len)));
        h = (h.rotate_left(5) ^ v).wrapping_mul(K);
    }
    h
}

/// The key of two words joined by one separator byte (`your appointment`, `d.o`).
#[inline]
fn pair_key(first: u64, sep: u8, second: u64) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    ((first.rotate_left(23) ^ u64::from(sep)).wrapping_mul(K) ^ second).wrapping_mul(K)
}

/// A term's key in the table: its first two words when one separator byte joins them
/// (`your appointment`: common first words such as `your` or `the` then do not make every
/// occurrence a candidate), else its first word; and the first word's hash when the key is a
/// pair.
fn term_key(b: &[u8]) -> (u64, Option<u64>) {
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    let first = b.iter().take_while(|c| alnum(c)).count();
    let h = word_hash(b, 0, first);
    if b.len() > first + 1 && !alnum(&b[first]) && alnum(&b[first + 1]) {
        let second = b[first + 1..].iter().take_while(|c| alnum(c)).count();
        let key = pair_key(h, b[first], word_hash(b, first + 1, first + 1 + second));
        return (key, Some(h));
    }
    (h, None)
}

/// Terms found while walking a text: (list, start, end).
type Found = Vec<(u32, u32, u32)>;

/// The previous word of the text when it begins a pair-keyed term: its hash, start and end.
type Prev = Option<(u64, usize, usize)>;

/// The word `text[s..e]` (letters and digits) has a digit after its first byte: among letters
/// and digits, only digits have bit 6 clear.
#[inline]
fn digit_after_first(text: &[u8], s: usize, e: usize) -> bool {
    let n = e - s;
    if n < 2 {
        return false;
    }
    if n <= 8 {
        let rest = load_tail(text, s, n) >> 8;
        let bit6 = 0x4040_4040_4040_4040 >> (8 * (9 - n));
        return !rest & bit6 != 0;
    }
    text[s + 1..e].iter().any(u8::is_ascii_digit)
}

/// ASCII letters and digits: the bytes of a word.
static ALNUM: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).is_ascii_alphanumeric();
        i += 1;
    }
    t
};

const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// A bit per byte of `block` (at most 64 bytes): set where the byte is an ASCII letter or
/// digit. Eight bytes at a time as one word (SWAR): range checks on the low seven bits of every
/// byte at once, then the eight result bits gathered by one multiplication.
#[inline]
pub(crate) fn alnum_mask(block: &[u8]) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit of each byte: `t` (≤ 0x7f) ≥ `lo` / > `hi` (no carry leaves a byte).
    let ge = |t: u64, lo: u8| t.wrapping_add(ONES * u64::from(0x80 - lo)) & HIGH;
    let gt = |t: u64, hi: u8| t.wrapping_add(ONES * u64::from(0x7f - hi)) & HIGH;
    let mut m = 0u64;
    let mut chunks = block.chunks_exact(8);
    for (k, c) in chunks.by_ref().enumerate() {
        let x = load8(c, 0);
        let t = x & !HIGH;
        let digit = ge(t, b'0') & !gt(t, b'9');
        let l = t | (ONES * 0x20);
        let letter = ge(l, b'a') & !gt(l, b'z');
        let hit = (digit | letter) & !x & HIGH;
        // Bit 7 of byte i → bit 56 + i, then down to bit i.
        let bits = ((hit >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) & 0xff;
        m |= bits << (8 * k);
    }
    let done = block.len() - chunks.remainder().len();
    for (j, &b) in chunks.remainder().iter().enumerate() {
        m |= u64::from(ALNUM[usize::from(b)]) << (done + j);
    }
    m
}

/// Hashes that are already hashes: the table's keys need no second hashing.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        // The multiply leaves the low bits (the table's bucket) depending on the first bytes
        // only: fold the high half in.
        self.0 ^ (self.0 >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = word_hash(bytes, 0, bytes.len());
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type ByHash = HashMap<u64, Vec<u32>, BuildHasherDefault<Identity>>;

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
        let mut by_hash = ByHash::default();
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
                    let (w, keyed, _) = filter_bits(h, WORD_FILTER);
                    filter[w] |= keyed;
                }
                Some(f) => {
                    let (w, keyed, _) = filter_bits(h, PAIR_FILTER);
                    pair_filter[w] |= keyed;
                    let (w, _, pair) = filter_bits(f, WORD_FILTER);
                    filter[w] |= pair;
                }
            }
            by_hash.entry(h).or_default().push(i as u32);
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
            Some((ac, other))
        };
        let edges = self
            .terms
            .iter()
            .map(|t| {
                let last = t.as_bytes().last().copied().unwrap_or(b' ');
                (last.is_ascii_alphanumeric(), last.is_ascii_alphabetic())
            })
            .collect();
        Ok(KeywordIndex {
            filter,
            pair_filter,
            by_hash,
            other: other_ac,
            terms: self.terms.into_iter().map(String::into_bytes).collect(),
            owners: self.owners,
            edges,
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
    /// First-word hash → terms starting with that word.
    by_hash: ByHash,
    /// Terms not starting with a letter or digit: their automaton and term ids.
    other: Option<(AhoCorasick, Vec<u32>)>,
    /// Lower-case terms.
    terms: Vec<Vec<u8>>,
    owners: Vec<Vec<usize>>,
    /// Per term: ends with a letter or digit, ends with a letter.
    edges: Vec<(bool, bool)>,
    lists: usize,
}

/// Keyword positions in one text, by list: (start, end) byte offsets in text order.
#[derive(Debug, Clone, Default)]
pub struct KeywordHits {
    /// Indexed by list id.
    pub by_list: Vec<Vec<(u32, u32)>>,
}

impl KeywordHits {
    /// Occurrences of a list.
    pub fn count(&self, list: usize) -> usize {
        self.by_list.get(list).map_or(0, Vec::len)
    }

    /// True when a term of `list` starts or ends within `within` bytes of `[start, end)`.
    pub fn near(&self, list: usize, start: u32, end: u32, within: u32) -> bool {
        let Some(v) = self.by_list.get(list) else {
            return false;
        };
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
        let Some(v) = self.by_list.get(list) else {
            return false;
        };
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

    /// Heap bytes used by the index (approximate: the table's buckets and the terms).
    pub fn memory_usage(&self) -> usize {
        let table = self.by_hash.capacity() * (8 + size_of::<Vec<u32>>())
            + self
                .by_hash
                .values()
                .map(|v| v.capacity() * 4)
                .sum::<usize>();
        let terms: usize = self.terms.iter().map(|t| t.capacity() + 24).sum();
        let owners: usize = self.owners.iter().map(|o| o.capacity() * 8 + 24).sum();
        let other = self.other.as_ref().map_or(0, |(ac, _)| ac.memory_usage());
        (self.filter.len() + self.pair_filter.len()) * 8 + table + terms + owners + other
    }

    /// Finds every term of every list in `text`, on word boundaries. A term's edge that is
    /// not alphanumeric (`ss#`, `pt:`) is its own boundary, and a term ending in a letter may be
    /// followed directly by a digit (`SSN123…`, `DOB03141962`): labels are written that way.
    pub fn find(&self, text: &[u8]) -> KeywordHits {
        self.find_inner(text, None)
    }

    /// [`KeywordIndex::find`], and in the same walk over the words the custom detectors'
    /// word-start candidates ([`WordStarts::candidates`]: the same lists).
    pub fn find_with_starts(
        &self,
        text: &[u8],
        starts: &WordStarts,
    ) -> (KeywordHits, Vec<Vec<usize>>) {
        let mut cands = starts.lists();
        let hits = self.find_inner(text, Some((starts, &mut cands)));
        (hits, cands)
    }

    fn find_inner(
        &self,
        text: &[u8],
        starts: Option<(&WordStarts, &mut Vec<Vec<usize>>)>,
    ) -> KeywordHits {
        let mut found: Found = Vec::with_capacity(64);
        self.words(text, &mut found, starts);
        if let Some((ac, ids)) = &self.other {
            for m in ac.find_overlapping_iter(text) {
                let t = ids[m.pattern().as_usize()] as usize;
                if self.right_bounded(t, text.get(m.end()).copied()) {
                    for &list in &self.owners[t] {
                        found.push((list as u32, m.start() as u32, m.end() as u32));
                    }
                }
            }
        }
        // By list, then in text order: each list's vector allocated once, at its size.
        found.sort_unstable();
        let mut by_list = vec![Vec::new(); self.lists];
        for run in found.chunk_by(|a, b| a.0 == b.0) {
            by_list[run[0].0 as usize] = run.iter().map(|&(_, s, e)| (s, e)).collect();
        }
        KeywordHits { by_list }
    }

    /// Every word of `text` (a run of ASCII letters and digits) to [`KeywordIndex::word`]. The
    /// text is taken 64 bytes at a time: a bit per byte says letter-or-digit, and the words'
    /// starts and ends are read off the bits, so there is no hard-to-predict branch per byte or
    /// per word. Each word's start also goes to `starts`, if given.
    fn words(
        &self,
        text: &[u8],
        found: &mut Found,
        mut starts_to: Option<(&WordStarts, &mut Vec<Vec<usize>>)>,
    ) {
        let n = text.len();
        // Start of a word that runs on from the previous block.
        let mut pending: Option<usize> = None;
        let mut prev: Prev = None;
        let mut base = 0;
        while base < n {
            let len = (n - base).min(64);
            let m = alnum_mask(&text[base..base + len]);
            let next_alnum = text.get(base + len).is_some_and(|&b| ALNUM[usize::from(b)]);
            let mut starts = m & !((m << 1) | u64::from(pending.is_some()));
            let mut ends = m & !((m >> 1) | (u64::from(next_alnum) << (len - 1)));
            while ends != 0 {
                let e = base + ends.trailing_zeros() as usize + 1;
                let s = match pending.take() {
                    Some(s) => s,
                    None => {
                        let s = base + starts.trailing_zeros() as usize;
                        starts &= starts - 1;
                        s
                    }
                };
                prev = self.word(text, s, e, prev, found);
                if let Some((ws, cands)) = starts_to.as_mut() {
                    ws.word_at(text, s, cands);
                }
                ends &= ends - 1;
            }
            if starts != 0 {
                pending = Some(base + starts.trailing_zeros() as usize);
            }
            base += len;
        }
    }

    /// The word `text[s..e]`: terms starting with it, and with each of its prefixes that a
    /// digit follows (`SSN123…`, `DOB03141962`: a label glued to its value); and the same as
    /// the second word of a pair with the previous word when one byte separates them. Returns
    /// this word as the next one's previous.
    #[inline]
    fn word(&self, text: &[u8], s: usize, e: usize, prev: Prev, out: &mut Found) -> Prev {
        let h = word_hash(text, s, e);
        let joined = prev.filter(|&(_, _, pe)| pe + 1 == s);
        let (keyed, begins_pair) = self.flags(h);
        if keyed {
            self.candidates(h, text, s, out);
        }
        if let Some((ph, ps, pe)) = joined {
            self.probe_pair(pair_key(ph, text[pe], h), text, ps, out);
        }
        if digit_after_first(text, s, e) {
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
        begins_pair.then_some((h, s, e))
    }

    /// What the word filter says of a word's hash `h`: (may key a term, may begin a pair-keyed
    /// term).
    #[inline]
    fn flags(&self, h: u64) -> (bool, bool) {
        let (w, keyed, pair) = filter_bits(h, WORD_FILTER);
        let x = self.filter[w];
        (x & keyed == keyed, x & pair == pair)
    }

    /// The terms keyed by the pair hash `h`, checked at `s`.
    #[inline]
    fn probe_pair(&self, h: u64, text: &[u8], s: usize, found: &mut Found) {
        let (w, keyed, _) = filter_bits(h, PAIR_FILTER);
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

    #[inline(never)]
    fn candidates(&self, h: u64, text: &[u8], s: usize, found: &mut Found) {
        let Some(cands) = self.by_hash.get(&h) else {
            return;
        };
        for &t in cands {
            let t = t as usize;
            let term = &self.terms[t];
            let e = s + term.len();
            let same = text.get(s..e).is_some_and(|w| w.eq_ignore_ascii_case(term));
            if !same || !self.right_bounded(t, text.get(e).copied()) {
                continue;
            }
            for &list in &self.owners[t] {
                found.push((list as u32, s as u32, e as u32));
            }
        }
    }

    /// The right edge of term `t` is a word boundary given the byte after it.
    #[inline]
    fn right_bounded(&self, t: usize, after: Option<u8>) -> bool {
        let (last_alnum, last_alpha) = self.edges[t];
        !last_alnum
            || after.is_none_or(|c| !c.is_ascii_alphanumeric())
            || (last_alpha && after.is_some_and(|c| c.is_ascii_digit()))
    }
}

#[cfg(test)]
mod tests;
