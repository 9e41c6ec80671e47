//! The first-word table of the keyword pass: key hash → the terms keyed by it, in flat arrays
//! (and, without keys, the records of the few terms the automaton finds, by pattern id).
//!
//! Open addressing with linear probing over a power-of-two array of slots at most half full;
//! a slot holds its key and the range of its terms' records, and the records of one key sit
//! side by side, each with its term's place in one byte array and in one array of list ids.
//! A lookup is one slot load (two or three when probing), and a candidate term costs its record,
//! its bytes and its lists — where a `HashMap<u64, Vec<u32>>` and per-term vectors were five
//! dependent loads, several of them cache misses. Most keys have one term of at most eight
//! bytes in one list (the common words of the negative lists: `meeting`, `invoice`): the slot
//! (32 bytes) holds that term itself, and its lookup reads nothing else.

use super::words::{load_tail, load8};

/// One slot: its key and its records `first..first + n` (`n == 0`: the slot is empty); and,
/// when the key has one term of at most eight bytes in one list (most keys: `meeting`,
/// `invoice`), that term, so a lookup of it reads nothing else.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    key: u64,
    one: One,
    first: u32,
    n: u32,
}

/// A key's one short term in one list, kept in its slot: its first eight bytes, its length
/// (0: the key has no such term), the bytes that may follow it ([`ends`]), its list.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct One {
    head: u64,
    len: u8,
    ends: u8,
    list: u32,
}

impl One {
    /// The term's length in bytes.
    #[inline]
    pub(super) fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Its list.
    #[inline]
    pub(super) fn list(&self) -> u32 {
        self.list
    }

    /// See [`Rec::matches_short`].
    #[inline]
    pub(super) fn matches_short(&self, w8: u64) -> bool {
        short_match(w8, self.len(), self.head)
    }

    /// See [`Rec::right_bounded`].
    #[inline]
    pub(super) fn right_bounded(&self, after: Option<u8>) -> bool {
        bounded(self.ends, after)
    }
}

/// What a key gives: its one short term, read from its slot, or its records (none when it
/// keys none).
pub(super) enum Hit<'a> {
    One(One),
    Recs(&'a [Rec]),
}

/// A term of `len` (1 to 8) bytes whose first eight are `head` is in the text where `w8` holds
/// the text's next eight bytes (zero-padded past its end; the term must fit in the text).
#[inline]
fn short_match(w8: u64, len: usize, head: u64) -> bool {
    lower8(w8 & (u64::MAX >> (8 * (8 - len)))) == head
}

/// The class of the byte after a term: 0 for none (the text's end) or a byte that is no
/// letter or digit, 1 for a digit, 2 for a letter.
static AFTER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c.is_ascii_digit() {
            1
        } else if c.is_ascii_alphabetic() {
            2
        } else {
            0
        };
        i += 1;
    }
    t
};

/// The classes of [`AFTER`] that may follow a term ending with `last`, a bit each, so its right
/// edge is a word boundary (see [`super::KeywordIndex::find`]): any byte after one that is no
/// letter or digit (`ss#`); none but the end or a byte that is no letter or digit after a digit;
/// and a digit too after a letter (`SSN123…`).
fn ends(last: u8) -> u8 {
    if last.is_ascii_alphabetic() {
        0b011
    } else if last.is_ascii_digit() {
        0b001
    } else {
        0b111
    }
}

/// The right edge of a term whose [`ends`] are `ends` is a word boundary given the byte after it.
#[inline]
fn bounded(ends: u8, after: Option<u8>) -> bool {
    let class = after.map_or(0, |c| AFTER[usize::from(c)]);
    ends >> class & 1 == 1
}

/// One term keyed in the table.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rec {
    /// The term's first eight bytes (zero-padded): most terms are compared with no other load.
    head: u64,
    /// The lower-case term: `bytes[at..at + len]`.
    at: u32,
    len: u32,
    /// Its lists: `lists[lists_at..lists_at + lists_n]`.
    lists_at: u32,
    lists_n: u16,
    /// The bytes that may follow it: [`ends`].
    ends: u8,
}

impl Rec {
    /// The term's length in bytes.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.len as usize
    }

    /// A term of at most eight bytes is in the text where `w8` holds the text's next eight
    /// bytes (zero-padded past its end; the term must fit in the text).
    #[inline]
    pub(super) fn matches_short(&self, w8: u64) -> bool {
        short_match(w8, self.len(), self.head)
    }

    /// The right edge of the term is a word boundary given the byte after it (see
    /// [`super::KeywordIndex::find`]).
    #[inline]
    pub(super) fn right_bounded(&self, after: Option<u8>) -> bool {
        bounded(self.ends, after)
    }
}

/// The table; see the module docs.
#[derive(Debug, Clone)]
pub(super) struct Table {
    slots: Vec<Slot>,
    /// A key's first slot is its top bits: `key >> shift`.
    shift: u32,
    recs: Vec<Rec>,
    bytes: Vec<u8>,
    lists: Vec<u32>,
}

impl Table {
    /// The table of `keyed`: (key, lower-case term, its lists) in any order; a key may have
    /// several terms.
    pub(super) fn new(mut keyed: Vec<(u64, &[u8], &[usize])>) -> Table {
        // A stable sort: a key's terms keep their order.
        keyed.sort_by_key(|k| k.0);
        let keys = keyed.chunk_by(|a, b| a.0 == b.0).count();
        let log = (2 * keys).next_power_of_two().trailing_zeros().max(1);
        let mut t = Table {
            slots: vec![Slot::default(); 1 << log],
            shift: 64 - log,
            recs: Vec::with_capacity(keyed.len()),
            bytes: Vec::new(),
            lists: Vec::new(),
        };
        let mask = t.slots.len() - 1;
        for group in keyed.chunk_by(|a, b| a.0 == b.0) {
            let key = group[0].0;
            let first = t.recs.len() as u32;
            for &(_, term, lists) in group {
                t.push(term, lists);
            }
            let mut i = (key >> t.shift) as usize;
            while t.slots[i].n != 0 {
                i = (i + 1) & mask;
            }
            let one = match &t.recs[first as usize..] {
                [r] if r.len() <= 8 && r.lists_n == 1 => One {
                    head: r.head,
                    len: r.len as u8,
                    ends: r.ends,
                    list: t.lists[r.lists_at as usize],
                },
                _ => One::default(),
            };
            t.slots[i] = Slot {
                key,
                one,
                first,
                n: group.len() as u32,
            };
        }
        // Eight bytes of padding: a term's last eight bytes can be read as one word.
        t.bytes.extend_from_slice(&[0; 8]);
        t
    }

    /// A table without keys: the records of `terms` (lower-case term, its lists), read by
    /// position with [`Table::rec_at`].
    pub(super) fn new_unkeyed<'a>(terms: impl Iterator<Item = (&'a [u8], &'a [usize])>) -> Table {
        let mut t = Table {
            slots: vec![Slot::default(); 2],
            shift: 63,
            recs: Vec::new(),
            bytes: Vec::new(),
            lists: Vec::new(),
        };
        for (term, lists) in terms {
            t.push(term, lists);
        }
        t.bytes.extend_from_slice(&[0; 8]);
        t
    }

    /// Appends the record of `term` and its lists.
    fn push(&mut self, term: &[u8], lists: &[usize]) {
        let last = term.last().copied().unwrap_or(b' ');
        let n = term.len().min(8);
        let mut head = [0u8; 8];
        head[..n].copy_from_slice(&term[..n]);
        self.recs.push(Rec {
            head: u64::from_le_bytes(head),
            at: self.bytes.len() as u32,
            len: term.len() as u32,
            lists_at: self.lists.len() as u32,
            lists_n: lists.len() as u16,
            ends: ends(last),
        });
        self.bytes.extend_from_slice(term);
        self.lists.extend(lists.iter().map(|&l| l as u32));
    }

    /// The record at position `i` (an unkeyed table's term `i`).
    #[inline]
    pub(super) fn rec_at(&self, i: usize) -> &Rec {
        &self.recs[i]
    }

    /// The records of the terms keyed by `key` (none when it keys none; the tests' view of
    /// [`Table::lookup`]).
    #[cfg(test)]
    pub(super) fn get(&self, key: u64) -> &[Rec] {
        match self.slot(key) {
            Some(s) => &self.recs[s.first as usize..(s.first + s.n) as usize],
            None => &[],
        }
    }

    /// What `key` gives: its one short term from its slot, else its records.
    #[inline]
    pub(super) fn lookup(&self, key: u64) -> Hit<'_> {
        match self.slot(key) {
            Some(s) if s.one.len > 0 => Hit::One(s.one),
            Some(s) => Hit::Recs(&self.recs[s.first as usize..(s.first + s.n) as usize]),
            None => Hit::Recs(&[]),
        }
    }

    /// The slot of `key`, if it keys a term.
    #[inline]
    fn slot(&self, key: u64) -> Option<&Slot> {
        let mask = self.slots.len() - 1;
        let mut i = (key >> self.shift) as usize;
        // At most half the slots are taken: the probe reaches an empty one.
        loop {
            let s = &self.slots[i];
            if s.n == 0 {
                return None;
            }
            if s.key == key {
                return Some(s);
            }
            i = (i + 1) & mask;
        }
    }

    /// The lists of a term.
    #[inline]
    pub(super) fn lists(&self, r: &Rec) -> &[u32] {
        let at = r.lists_at as usize;
        &self.lists[at..at + usize::from(r.lists_n)]
    }

    /// The term is in `text` at `s` (ASCII case-insensitively: `eq_ignore_ascii_case`),
    /// eight bytes at a time; `s + r.len()` must be within the text.
    #[inline(never)]
    pub(super) fn matches(&self, r: &Rec, text: &[u8], s: usize) -> bool {
        let len = r.len();
        if len <= 8 {
            return lower8(text_word(text, s, len)) == r.head;
        }
        if lower8(load8(text, s)) != r.head {
            return false;
        }
        let at = r.at as usize;
        let mut k = 8;
        while k < len {
            let n = (len - k).min(8);
            let keep = u64::MAX >> (8 * (8 - n));
            // `bytes` ends with eight bytes of padding.
            if lower8(text_word(text, s + k, n)) != load8(&self.bytes, at + k) & keep {
                return false;
            }
            k += 8;
        }
        true
    }

    /// Heap bytes used.
    pub(super) fn memory_usage(&self) -> usize {
        self.slots.capacity() * size_of::<Slot>()
            + self.recs.capacity() * size_of::<Rec>()
            + self.bytes.capacity()
            + self.lists.capacity() * 4
    }
}

/// The `n` (1 to 8) bytes of `text` from `p` as a word, zero-padded.
#[inline]
fn text_word(text: &[u8], p: usize, n: usize) -> u64 {
    if n == 8 {
        load8(text, p)
    } else {
        load_tail(text, p, n)
    }
}

/// Eight bytes with their ASCII capitals lower-cased (every other byte as it is).
#[inline]
fn lower8(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let t = x & !HIGH;
    // High bit of each byte: its low seven bits are ≥ `A` and not > `Z`, and it is ASCII.
    let ge_a = t.wrapping_add(ONES * u64::from(0x80 - b'A')) & HIGH;
    let gt_z = t.wrapping_add(ONES * u64::from(0x7f - b'Z')) & HIGH;
    let upper = ge_a & !gt_z & !x & HIGH;
    x | (upper >> 2)
}
