//! The keyword pass's word-level helpers: eight-byte loads, the word and pair hashes, the
//! Bloom filters' bits and the letter-or-digit mask of a block.

/// Filters in front of the table, one load a question. The word filter is asked of every word
/// of the text (2^11 words, 16 KiB: it stays in the L1 cache with the walk's other tables). A
/// key sets one bit for each question — is some term keyed by this word, does some pair-keyed
/// term begin with it? — in the word its hash picks; the shipped vocabularies have about 2,400
/// single-word keys and 3,500 words that begin a two-word key, so a word of prose that is
/// neither is let through by the first question about 2 % of the time and by the second about
/// 3 %. (An 8 KiB filter with two bits a question
/// answered as well, but the second bit's shifts cost the walk's loop more than the table
/// look-ups they saved.) Only after a word that may begin a pair is the pair with the next one
/// looked up, in the pair filter (2^12 words, 32 KiB, two bits a key in one word; about 8,500
/// pair keys).
pub(super) const WORD_FILTER: u32 = 11;
/// See [`WORD_FILTER`].
pub(super) const PAIR_FILTER: u32 = 12;

/// The word filter's word of hash `h` and its bits for the two questions (a key; a pair key's
/// first word).
#[inline]
pub(super) fn word_bits(h: u64) -> (usize, u64, u64) {
    (
        (h >> (64 - WORD_FILTER)) as usize,
        1 << ((h >> 40) & 63),
        1 << ((h >> 28) & 63),
    )
}

/// The pair filter's word of pair hash `h` and its two bits.
#[inline]
pub(super) fn pair_bits(h: u64) -> (usize, u64) {
    let bit = |shift: u32| 1u64 << ((h >> shift) & 63);
    ((h >> (64 - PAIR_FILTER)) as usize, bit(46) | bit(40))
}

/// Eight bytes of `text` from `p` as a little-endian word (a fixed-size copy: one load).
#[inline]
pub(super) fn load8(text: &[u8], p: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&text[p..p + 8]);
    u64::from_le_bytes(b)
}

/// The `len` (1 to 7) bytes of `text` from `p`, zero-padded: one load masked when eight bytes
/// are there to read, else byte by byte (no variable-length copy: its store would stall the
/// load that follows).
#[inline]
pub(super) fn load_tail(text: &[u8], p: usize, len: usize) -> u64 {
    if p + 8 <= text.len() {
        return load8(text, p) & (u64::MAX >> (8 * (8 - len)));
    }
    text[p..p + len]
        .iter()
        .enumerate()
        .fold(0, |v, (k, &c)| v | (u64::from(c) << (8 * k)))
}

/// The multiplier of [`word_hash`] (FxHash's).
const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
/// Bit 0x20 of every byte: ORed in, it lower-cases a letter and leaves a digit as it is.
const LOWER: u64 = 0x2020_2020_2020_2020;

/// The hash of the word `text[s..e]`: the word lower-cased (every byte is an ASCII letter or
/// digit, so setting bit 0x20 lower-cases it) eight bytes at a time, with its length, mixed by
/// the multiply-rotate step of FxHash — one multiplication per eight bytes.
#[inline]
pub(super) fn word_hash(text: &[u8], s: usize, e: usize) -> u64 {
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

/// [`word_hash`] of the word `text[s..e]` and [`letter_then_digit`] of it, given `w8`, the
/// eight bytes of `text` from `s` zero-padded past its end: for a word of up to eight bytes,
/// both from that one load.
#[inline]
pub(super) fn hash_and_digit(text: &[u8], s: usize, e: usize, w8: u64) -> (u64, bool) {
    let len = e - s;
    if len <= 8 {
        let keep = u64::MAX >> (8 * (8 - len));
        let raw = w8 & keep;
        let h = ((SEED ^ len as u64).rotate_left(5) ^ (raw | (LOWER & keep))).wrapping_mul(K);
        // Among letters and digits, only digits have bit 6 clear: a letter's bit moved one
        // byte on, over a digit's.
        let letters = raw & 0x4040_4040_4040_4040;
        let digits = !raw & 0x4040_4040_4040_4040 & keep;
        return (h, (letters << 8) & digits != 0);
    }
    (word_hash(text, s, e), letter_then_digit(text, s, e))
}

/// The key of two words joined by one separator byte (`your appointment`, `d.o`).
#[inline]
pub(super) fn pair_key(first: u64, sep: u8, second: u64) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    ((first.rotate_left(23) ^ u64::from(sep)).wrapping_mul(K) ^ second).wrapping_mul(K)
}

/// A term's key in the table: its first two words when one separator byte joins them
/// (`your appointment`: common first words such as `your` or `the` then do not make every
/// occurrence a candidate), else its first word; and the first word's hash when the key is a
/// pair.
pub(super) fn term_key(b: &[u8]) -> (u64, Option<u64>) {
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

/// The word `text[s..e]` has a digit right after a letter (`SSN123…`, `DOB0314`, `A1c`): a
/// prefix of it may be a term glued to its value. A number (`0314`) has none.
pub(super) fn letter_then_digit(text: &[u8], s: usize, e: usize) -> bool {
    text[s..e]
        .windows(2)
        .any(|p| p[0].is_ascii_alphabetic() && p[1].is_ascii_digit())
}

/// ASCII letters and digits: the bytes of a word.
pub(super) static ALNUM: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).is_ascii_alphanumeric();
        i += 1;
    }
    t
};

pub(super) const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// A bit per byte of `block` (at most 64 bytes): set where the byte is an ASCII letter or
/// digit. Eight bytes at a time as one word (SWAR): range checks on the low seven bits of every
/// byte at once, then the eight result bits gathered by one multiplication.
#[inline]
pub(super) fn alnum_mask(block: &[u8]) -> u64 {
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

/// Calls `f` with the start and end of every word of `text` (a run of ASCII letters and
/// digits), in text order. The text is taken 64 bytes at a time: a bit per byte says
/// letter-or-digit, and the words' starts and ends are read off the bits, so there is no
/// hard-to-predict branch per byte or per word.
#[inline]
pub(crate) fn for_each_word(text: &[u8], mut f: impl FnMut(usize, usize)) {
    let n = text.len();
    // Start of a word that runs on from the previous block.
    let mut pending: Option<usize> = None;
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
            f(s, e);
            ends &= ends - 1;
        }
        if starts != 0 {
            pending = Some(base + starts.trailing_zeros() as usize);
        }
        base += len;
    }
}

/// Groups `items` by their key (`0..groups`), keeping their order within a group (a counting
/// sort: two passes, no comparisons). Returns each group's range in the values
/// (`starts[k]..starts[k + 1]`, `groups + 1` entries) and the values.
pub(crate) fn group<T: Copy + Default>(groups: usize, items: &[(u32, T)]) -> (Vec<u32>, Vec<T>) {
    let (mut starts, mut values) = (Vec::new(), Vec::new());
    group_into(groups, items, &mut starts, &mut values);
    (starts, values)
}

/// [`group`] into `starts` and `values`, whatever they held before (their capacity is reused:
/// a thread's scratch, see `findings::Scratch`).
pub(crate) fn group_into<T: Copy + Default>(
    groups: usize,
    items: &[(u32, T)],
    starts: &mut Vec<u32>,
    values: &mut Vec<T>,
) {
    // A reused vector of the right length is zeroed with `fill` (a `memset`; `resize` writes
    // element by element).
    if starts.len() == groups + 1 {
        starts.fill(0);
    } else {
        starts.clear();
        starts.resize(groups + 1, 0);
    }
    for &(k, _) in items {
        starts[k as usize] += 1;
    }
    // Each group's end, then filled from the back: each entry ends at its group's start.
    let mut end = 0;
    for s in starts.iter_mut() {
        end += *s;
        *s = end;
    }
    values.clear();
    values.resize(items.len(), T::default());
    for &(k, v) in items.iter().rev() {
        let at = &mut starts[k as usize];
        *at -= 1;
        values[*at as usize] = v;
    }
}

/// A fast hasher for fixed tables of short words (the name lists): FxHash's multiply-rotate
/// step eight bytes at a time. Only for tables built once from shipped lists (their layout
/// is fixed, so chosen input cannot make them grow), never for tables filled from a message.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        // The multiply leaves the low bits depending on the first bytes only: fold the high
        // half in.
        self.0 ^ (self.0 >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in chunks.by_ref() {
            self.0 = (self.0.rotate_left(5) ^ load8(c, 0)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let v = rest
                .iter()
                .enumerate()
                .fold(0, |v, (k, &c)| v | (u64::from(c) << (8 * k)));
            self.0 = (self.0.rotate_left(5) ^ v ^ (rest.len() as u64) << 59).wrapping_mul(K);
        }
    }
}

/// Builds [`WordHasher`]s.
pub(crate) type WordHash = std::hash::BuildHasherDefault<WordHasher>;
