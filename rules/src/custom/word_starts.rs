//! The word-start table of the custom detectors ([`WordStarts`]): for each detector whose
//! matches all start a word, the words of a text where one of its literals may begin, found
//! in the keyword walk's pass over the words.

use super::Prefiltered;
use super::literal_filter::{self, ByteSet, FollowKey, FollowTable};
use super::run_filter::RunFilter;
use regex_automata::hybrid::dfa::Cache;
use std::collections::HashMap;

/// Classes of bytes for [`WordStarts`]' buckets (a word's second byte): [`END`] for the zero
/// bytes that pad a word near the text's end, one per letter (case-folded), one per digit,
/// then whitespace (`\s`'s: the vertical tab and form feed too), `-`, the other ASCII
/// punctuation ([`PUNCT`]) and every other byte ([`OTHER`]: controls and the bytes of
/// non-ASCII characters) apart: an age's digits may be followed by a space or a dash, not by
/// the `/` of a date or the `,` of an amount.
const CLASSES: usize = 41;

/// The class of the zero byte, which [`load_padded`] reads past the text's end (see
/// [`classes_at`]).
const END: u8 = 0;

/// The class of ASCII punctuation other than `-`.
const PUNCT: u8 = 39;

/// The class of a byte that is none of the others: control, non-ASCII.
const OTHER: u8 = 40;

/// The class of each byte (see [`CLASSES`]).
static CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    t[0] = END;
    let mut p = 0x21;
    while p < 0x7f {
        t[p] = PUNCT;
        p += 1;
    }
    let mut i = 0;
    while i < 26 {
        t[b'a' as usize + i] = 1 + i as u8;
        t[b'A' as usize + i] = 1 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 27 + d as u8;
        d += 1;
    }
    // `\s`'s ASCII bytes, the vertical tab and form feed too.
    let mut w = 0x09;
    while w <= 0x0d {
        t[w] = 37;
        w += 1;
    }
    t[b' ' as usize] = 37;
    t[b'-' as usize] = 38;
    t
};

/// Classes of a word's first byte: [`CLASS`]'s, with a capital apart from its small letter (a
/// literal matched in its own case, `Review` or `resident`, is then no candidate for a word
/// in the other).
const FIRST_CLASSES: usize = CLASSES + 26;

/// The class of each first byte (see [`FIRST_CLASSES`]).
static CLASS_FIRST: [u8; 256] = {
    let mut t = CLASS;
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = CLASSES as u8 + i as u8;
        i += 1;
    }
    t
};

/// Buckets of [`WordStarts`]: the classes of a word's first two bytes.
const BUCKETS: usize = FIRST_CLASSES * CLASSES;

/// Classes of a word's third and fourth bytes for [`WordStarts`]' test, 31 each, so both fit
/// in one 64-bit mask: [`CLASS`]'s with the digits in one class, and the zero byte (the text's
/// end) with the controls and non-ASCII bytes. A digit's own class matters in a bucket's
/// second byte (`10` and `19`), hardly after it; what the mask must tell apart is a digit from
/// a space or a `,` (`1234` or `1,234` is no age, `12 y` may be one) and every letter from
/// another.
const PLACE_CLASSES: u32 = 31;

/// The class of each third or fourth byte (see [`PLACE_CLASSES`]).
static CLASS_PLACE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 1;
    while b < 256 {
        t[b] = match CLASS[b] {
            c @ 1..=26 => c,
            27..=36 => 27,
            37 => 28,
            38 => 29,
            PUNCT => 30,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// Where the fourth byte's classes start in a bucket's mask.
const FOURTH: u32 = PLACE_CLASSES;
/// The third byte's classes in a bucket's mask.
const THIRD: u64 = (1 << FOURTH) - 1;

/// The bucket of a word whose first two bytes are `a`, `b`: the first in its case, the second
/// case-folded, digits apart from letters (five bits of each byte made `1` share a bucket with
/// `q`, so every word starting with `p` to `y` was tried against the digits' literals), the
/// other bytes in the classes of [`CLASS`].
#[inline]
fn bucket(a: u8, b: u8) -> usize {
    usize::from(CLASS_FIRST[usize::from(a)]) * CLASSES + usize::from(CLASS[usize::from(b)])
}

/// The first-byte classes of the words a literal starting with `c` may begin: its own, and the
/// other case's when it is matched in any case.
fn first_classes(c: u8, any_case: bool) -> Vec<usize> {
    let mut v = vec![usize::from(CLASS_FIRST[usize::from(c)])];
    if any_case && c.is_ascii_alphabetic() {
        v.push(usize::from(CLASS_FIRST[usize::from(c ^ 0x20)]));
    }
    v
}

/// The word-start detectors' literals, for [`WordStarts::candidates`]: bucketed by their first
/// two bytes (case-folded, see [`bucket`]) with a bit per class of third byte, each entry the
/// detector, its literal's first eight bytes (folded when the literal matches in any case), the
/// mask of its length and the folding to apply to the text's bytes ([`FOLD`] or none: `On` and `T` are matched in their own case, so `one`
/// and `the` are no candidates), compared eight bytes at once. Any number of detectors and
/// literals; built once per rule set.
#[derive(Debug, Clone)]
pub struct WordStarts {
    /// Bucket → its entries' range in `entries` (`range[b]..range[b + 1]`).
    range: Vec<u32>,
    /// Bucket → the classes ([`CLASS_PLACE`]) the third byte of a word may have where one of
    /// its literals begins, a bit each, and above them ([`FOURTH`]) the fourth byte's: most
    /// words leave after this one load. Past a literal's end, the bytes a match may have there
    /// ([`buckets_of`]), or any.
    third: Vec<u64>,
    /// The literals of each bucket.
    entries: Vec<Entry>,
    /// The tables of what may follow a literal, shared by literals with equal ones.
    follow: Vec<FollowTable>,
    /// Detector → its run filter, if it has one (the digits of an age): asked before a
    /// candidate is filed rather than when it is tried, so most numbers are never filed.
    runs: Vec<Option<RunFilter>>,
    /// Number of detectors (lists returned).
    dets: usize,
}

/// One literal of [`WordStarts`] in one bucket.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Its detector.
    det: u32,
    /// Its literal's [`FollowTable`] in `follow`, or [`NO_TABLE`].
    table: u32,
    /// Its first eight bytes (folded when it matches in any case), compared with the text's
    /// under `mask` after ORing in `fold` ([`FOLD`] or none).
    head: u64,
    mask: u64,
    fold: u64,
    /// Its own classes of third and fourth byte in this bucket (the bucket's mask is the union
    /// of its literals'): a detector's candidates do not depend on which others share its
    /// table.
    places: u64,
}

/// An entry without a [`FollowTable`].
const NO_TABLE: u32 = u32::MAX;

/// Folding for the eight-byte compare: lower-cases letters; other bytes may collide (`@` with
/// `` ` ``), which only adds candidates.
const FOLD: u64 = 0x2020_2020_2020_2020;

impl WordStarts {
    /// The table of the word-start detectors among `dets` (by their position).
    pub fn new(dets: &[Option<&Prefiltered>]) -> WordStarts {
        let mut by_bucket: Vec<Vec<Entry>> = vec![Vec::new(); BUCKETS];
        let mut third = vec![0u64; BUCKETS];
        let mut follow = Vec::new();
        let mut shared: HashMap<(usize, FollowKey), u32> = HashMap::new();
        for (i, d) in dets.iter().enumerate() {
            let Some(d) = d.filter(|d| d.word_start) else {
                continue;
            };
            let mut cache = d.dfa.create_cache();
            for (l, any_case) in &d.word_literals {
                let n = l.len().min(8);
                let mut v = [0u8; 8];
                v[..n].copy_from_slice(&l[..n]);
                let mask = u64::MAX >> (8 * (8 - n));
                let fold = if *any_case { FOLD & mask } else { 0 };
                // A detector with a run filter (the digits of an age) has a sharper test later.
                let table = (d.run_filter.is_none())
                    .then(|| FollowTable::new(&d.dfa, &mut cache, l, *any_case))
                    .flatten()
                    .filter(FollowTable::selective)
                    .map_or(NO_TABLE, |t| {
                        *shared.entry((i, t.key())).or_insert_with(|| {
                            follow.push(t);
                            (follow.len() - 1) as u32
                        })
                    });
                let head = (u64::from_le_bytes(v) | fold) & mask;
                for (bucket, places) in buckets_of(d, &mut cache, l, *any_case) {
                    by_bucket[bucket].push(Entry {
                        det: i as u32,
                        table,
                        head,
                        mask,
                        fold,
                        places,
                    });
                    third[bucket] |= places;
                }
            }
        }
        let mut range = Vec::with_capacity(BUCKETS + 1);
        let mut entries = Vec::new();
        for b in by_bucket {
            range.push(entries.len() as u32);
            entries.extend(b);
        }
        range.push(entries.len() as u32);
        let runs = dets
            .iter()
            .map(|d| d.filter(|d| d.word_start)?.run_filter.clone())
            .collect();
        WordStarts {
            range,
            third,
            entries,
            follow,
            runs,
            dets: dets.len(),
        }
    }

    /// Groups the (detector, start) pairs [`WordStarts::word_at`] gathered by detector.
    pub fn group(&self, pairs: &[(u32, u32)]) -> Candidates {
        let (starts, pos) = crate::keywords::group(self.dets, pairs);
        Candidates { starts, pos }
    }

    /// [`WordStarts::group`] into `out`, whatever it held, reusing its vectors.
    pub fn group_into(&self, pairs: &[(u32, u32)], out: &mut Candidates) {
        crate::keywords::group_into(self.dets, pairs, &mut out.starts, &mut out.pos);
    }

    /// The word starting at `s` (a letter or digit after none): adds (detector, `s`) for each
    /// detector one of whose literals may start there, unless it follows `_` (inside a `\w`
    /// word). Called for each word in text order, then [`WordStarts::group`], this builds
    /// [`WordStarts::candidates`]'s lists.
    #[inline]
    pub fn word_at(&self, hay: &[u8], s: usize, out: &mut Vec<(u32, u32)>) {
        self.word_at_loaded(hay, s, load_padded(hay, s), out);
    }

    /// [`WordStarts::word_at`] given `w`, the eight bytes of `hay` from `s` zero-padded past
    /// its end ([`load_padded`]), which the keyword walk has loaded already.
    #[inline]
    pub fn word_at_loaded(&self, hay: &[u8], s: usize, w: u64, out: &mut Vec<(u32, u32)>) {
        self.at(hay, s, w, out);
    }

    /// [`word_candidates`] with this table.
    pub fn candidates(&self, hay: &[u8]) -> Candidates {
        let mut out = Vec::new();
        if !self.entries.is_empty() {
            crate::keywords::for_each_word(hay, |s, _| self.word_at(hay, s, &mut out));
        }
        self.group(&out)
    }

    /// Files `s` under each detector one of whose literals may start there, unless it follows
    /// `_`; `w` holds the text's eight bytes from `s`, zero-padded past its end.
    #[inline]
    fn at(&self, hay: &[u8], s: usize, w: u64, out: &mut Vec<(u32, u32)>) {
        let [first, second, third, fourth, ..] = w.to_le_bytes();
        // Past the text's end the bytes are 0, class `END`, which every literal shorter than
        // the byte's place allows (see `classes_at`).
        let b = bucket(first, second);
        let places = 1 << CLASS_PLACE[usize::from(third)]
            | 1 << (FOURTH + u32::from(CLASS_PLACE[usize::from(fourth)]));
        if self.third[b] & places == places {
            self.try_bucket(hay, s, w, b, places, out);
        }
    }

    /// [`WordStarts::at`] past the bucket's test of the third and fourth bytes (`places`, their
    /// classes' bits): its entries (out of line, so the keyword walk's loop keeps its values in
    /// registers). A word after `_` is inside a `\w` word: no candidate (tested here, not for
    /// every word of the walk).
    #[inline(never)]
    fn try_bucket(
        &self,
        hay: &[u8],
        s: usize,
        w: u64,
        b: usize,
        places: u64,
        out: &mut Vec<(u32, u32)>,
    ) {
        if s > 0 && hay[s - 1] == b'_' {
            return;
        }
        let (from, to) = (self.range[b] as usize, self.range[b + 1] as usize);
        let here = out.len();
        for e in &self.entries[from..to] {
            if e.places & places == places
                && (w | e.fold) & e.mask == e.head
                && self
                    .follow
                    .get(e.table as usize)
                    .is_none_or(|t| t.may_follow(hay, s, w))
                && out[here..].iter().all(|&(d, _)| d != e.det)
                && self.runs[e.det as usize]
                    .as_ref()
                    .is_none_or(|r| r.may_match(hay, s))
            {
                out.push((e.det, s as u32));
            }
        }
    }
}

/// The buckets of literal `l` of detector `d`, each with its mask (see `third`): its first
/// byte's classes by each class of second byte a match may have; the classes of the third and
/// fourth bytes — for a one-byte literal, those a match may have after a second byte of the
/// bucket's class (the `,` of `1,234` is then no candidate of an age, though a `.` may follow
/// `1y`).
fn buckets_of(d: &Prefiltered, cache: &mut Cache, l: &[u8], any_case: bool) -> Vec<(usize, u64)> {
    let places = (l.len() < 4)
        .then(|| literal_filter::place_sets(&d.dfa, cache, l, any_case, 4 - l.len()))
        .flatten();
    let class_set = |p, class: &[u8; 256]| classes_at(l, p, places.as_deref(), class);
    let mask = class_set(2, &CLASS_PLACE) & THIRD | class_set(3, &CLASS_PLACE) << FOURTH;
    let second = class_set(1, &CLASS);
    let mut out = Vec::new();
    for b in (0..CLASSES).filter(|&b| second >> b & 1 == 1) {
        let m = match l.len() {
            1 => mask_after(d, cache, l, any_case, b).unwrap_or(mask),
            _ => mask,
        };
        for first in first_classes(l[0], any_case) {
            out.push((first * CLASSES + b, m));
        }
    }
    out
}

/// The mask of the one-byte literal `l` in the bucket of second-byte class `b`: the classes
/// of the third and fourth bytes a match may have after `l` and a byte of that class (`None`:
/// the DFA says nothing).
fn mask_after(
    d: &Prefiltered,
    cache: &mut Cache,
    l: &[u8],
    any_case: bool,
    b: usize,
) -> Option<u64> {
    let bytes: Vec<u8> = (0..=255u8)
        .filter(|&x| usize::from(CLASS[usize::from(x)]) == b)
        .collect();
    let sets = literal_filter::place_sets_after(&d.dfa, cache, l, any_case, &bytes, 2)?;
    let at = |i: usize, class: &[u8; 256]| classes_of(sets.get(i), class);
    Some(at(0, &CLASS_PLACE) & THIRD | at(1, &CLASS_PLACE) << FOURTH)
}

/// The classes (`class`) byte `p` of a word may have where `lit` begins it, a bit each: the
/// literal's own byte's; after the literal, those of the bytes a match may have there
/// (`places`, from the literal's end, when known: [`classes_of`]); any further on.
fn classes_at(lit: &[u8], p: usize, places: Option<&[ByteSet]>, class: &[u8; 256]) -> u64 {
    match lit.get(p) {
        Some(&c) => 1 << class[usize::from(c)],
        None => classes_of(places.and_then(|v| v.get(p - lit.len())), class),
    }
}

/// The classes of the bytes of `set`, and that of the zero byte, which the text's end reads
/// as; every class when there is no set.
fn classes_of(set: Option<&ByteSet>, class: &[u8; 256]) -> u64 {
    match set {
        Some(set) => (0..=255u8)
            .filter(|&b| literal_filter::has(set, b))
            .fold(1 << class[0], |m, b| m | 1 << class[usize::from(b)]),
        None => u64::MAX,
    }
}

/// The word-start candidates of every detector ([`WordStarts::candidates`]), in text order:
/// all detectors' positions in one vector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidates {
    /// Detector → its range in `pos` (`starts[d]..starts[d + 1]`).
    starts: Vec<u32>,
    pos: Vec<u32>,
}

impl Candidates {
    /// No candidate for any detector (the vectors keep their capacity).
    pub fn clear(&mut self) {
        self.starts.clear();
        self.pos.clear();
    }

    /// Frees these candidates' vectors if they grew past `keep` entries; else they are kept
    /// as they are, to be overwritten ([`WordStarts::group_into`]).
    pub(crate) fn bound(&mut self, keep: usize) {
        if self.pos.capacity() > keep {
            *self = Self::default();
        }
    }

    /// The candidate starts of detector `det` (none for an unknown one).
    pub fn get(&self, det: usize) -> &[u32] {
        match (self.starts.get(det), self.starts.get(det + 1)) {
            (Some(&a), Some(&b)) => &self.pos[a as usize..b as usize],
            _ => &[],
        }
    }
}

impl std::ops::Index<usize> for Candidates {
    type Output = [u32];
    fn index(&self, det: usize) -> &[u32] {
        self.get(det)
    }
}

/// Eight bytes of `hay` from `s`, zero-padded past its end: one fixed-size load where eight
/// bytes are there (a variable-length copy is a call to `memcpy`).
#[inline]
pub(crate) fn load_padded(hay: &[u8], s: usize) -> u64 {
    if let Some(w) = hay.get(s..s + 8) {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        return u64::from_le_bytes(b);
    }
    let mut b = [0u8; 8];
    let n = (hay.len() - s).min(8);
    b[..n].copy_from_slice(&hay[s..s + n]);
    u64::from_le_bytes(b)
}
