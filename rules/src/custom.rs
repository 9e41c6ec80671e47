//! Custom regular-expression detectors on ASCII text, run from their possible starts.
//!
//! An expression whose every match begins with one of a finite set of literals (`MRN`, `chart`,
//! `age`, the digits `9`, `10`, `11` of an age) need not be run over the whole text: the
//! literals' occurrences are found with one case-insensitive Aho-Corasick pass, and the
//! expression is tried *anchored* at each of them, in text order. The regex crate finds such
//! prefixes itself, but under `(?i)` the case variants of `medical record` or `age` exceed its
//! literal budget, and a pattern that starts with digits gets no prefilter at all: it then runs
//! its lazy DFA over every byte, which was a third of a 10 KiB message's decision.
//!
//! The matches are exactly `regex::Regex::find_iter`'s: every match starts at a candidate (the
//! prefix set is complete: regex-syntax's prefix extraction, case-folded), the leftmost
//! candidate where an anchored leftmost-first search succeeds is the leftmost match and that
//! search's match is the one the unanchored search prefers, and after a match the search goes
//! on from its end. Look-around (`\b`) sees the whole text, not only the searched span. An
//! expression that can match the empty string, or has no finite prefix set, gets no
//! [`Prefiltered`] and runs as before. `tests` compare both on random texts. When every literal
//! is one byte (the digits of an age), [`run_filter`] skips the candidates whose run of such
//! bytes is followed by a byte no match can go on with, an exact test derived from the DFA.
//! And a word literal of at most seven bytes gets a [`literal_filter`] table: a word that begins
//! with it is no candidate when the bytes after the literal, up to the word's eighth, cannot
//! continue a match (`room our` for a room number), also derived from the DFA and exact.

use aho_corasick::{AhoCorasick, MatchKind};
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::meta;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};
use regex_syntax::hir::literal::Extractor;
use regex_syntax::hir::{Hir, HirKind, Look};
use std::sync::Mutex;

/// Most idle lazy-DFA caches kept per detector (one per classifying thread).
const MAX_IDLE_CACHES: usize = 64;

/// Most prefix literals kept (after case folding); more means the prefilter is no filter.
const MAX_LITERALS: usize = 64;

/// A custom expression compiled for ASCII text with the literals every match starts with.
#[derive(Debug)]
pub struct Prefiltered {
    /// The lower-case prefix literals, matched ASCII case-insensitively.
    starts: AhoCorasick,
    /// The same literals (the table of [`prefix_literals`]).
    literals: Vec<Vec<u8>>,
    /// The literals for [`WordStarts`] ([`word_literals`]): (bytes, any case).
    word_literals: Vec<(Vec<u8>, bool)>,
    /// The expression's forward lazy DFA (ASCII mode, leftmost-first): an anchored search
    /// reads only as far as a match could go.
    dfa: DFA,
    /// The expression as `regex::RegexBuilder` builds it (ASCII mode), should the lazy DFA
    /// give up on a text.
    re: meta::Regex,
    /// Lazy-DFA caches kept warm between messages (a fresh one rebuilds its states), boxed so
    /// taking one and putting it back moves a pointer, not the cache.
    #[allow(clippy::vec_box)] // the box is the point: see above
    caches: Mutex<Vec<Box<Cache>>>,
    /// Every match starts at a word boundary and every literal with a word byte: a candidate
    /// right after a word byte cannot match.
    word_start: bool,
    /// Every prefix literal holds a non-ASCII byte (`药`, `thuốc`): no match on ASCII text.
    never_ascii: bool,
    /// For one-byte literals (digits): the bytes that may follow a run of them, to skip an
    /// anchored run that cannot match ([`run_filter`]).
    run_filter: Option<run_filter::RunFilter>,
}

impl Prefiltered {
    /// Compiles `pattern` as the ASCII-mode `regex::Regex` with `size_limit` would be, or
    /// `None` when it has no usable prefix set (or does not compile in ASCII mode).
    pub fn new(pattern: &str, size_limit: usize) -> Option<Prefiltered> {
        let sc = syntax::Config::new().unicode(false).utf8(true);
        let hir = syntax::parse_with(pattern, &sc).ok()?;
        if hir.properties().minimum_len().is_none_or(|n| n == 0) {
            return None;
        }
        let literals = prefix_literals(&hir)?;
        let word_start = starts_at_boundary(&hir)
            && literals
                .iter()
                .all(|l| l.first().is_some_and(u8::is_ascii_alphanumeric));
        let starts = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(&literals)
            .ok()?;
        // The regex crate's `RegexBuilder` configuration for a `&str` expression.
        let mc = meta::Config::new()
            .match_kind(regex_automata::MatchKind::LeftmostFirst)
            .utf8_empty(true)
            .nfa_size_limit(Some(size_limit))
            .hybrid_cache_capacity(2 << 20);
        let re = meta::Builder::new()
            .configure(mc)
            .syntax(sc)
            .build(pattern)
            .ok()?;
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(regex_automata::MatchKind::LeftmostFirst)
                    .cache_capacity(2 << 20),
            )
            .syntax(sc)
            .build(pattern)
            .ok()?;
        let never_ascii = literals.iter().all(|l| !l.is_ascii());
        let run_filter = run_filter::RunFilter::new(&dfa, &literals);
        let word_literals = word_literals(&hir)
            .unwrap_or_else(|| literals.iter().map(|l| (l.clone(), true)).collect());
        Some(Prefiltered {
            starts,
            literals,
            word_literals,
            never_ascii,
            dfa,
            re,
            caches: Mutex::new(Vec::new()),
            word_start,
            run_filter,
        })
    }

    /// Calls `f` with each match's byte range, as `regex::Regex::find_iter` on `text` would
    /// give them, at most `max` of them. `text` must be all ASCII; `words` is this detector's
    /// list from [`word_candidates`] on it (unused unless every match starts a word).
    pub fn for_each(&self, text: &str, words: &[u32], max: usize, mut f: impl FnMut(usize, usize)) {
        // Every match begins with a literal that holds a non-ASCII byte; `text` is ASCII.
        if self.never_ascii {
            return;
        }
        let hay = text.as_bytes();
        let (mut at, mut n) = (0, 0);
        let mut word = words.iter().map(|&s| s as usize);
        let mut cache: Option<Box<Cache>> = None;
        while n < max && at < hay.len() {
            let s = if self.word_start {
                match word.find(|&s| s >= at) {
                    Some(s) => s,
                    None => break,
                }
            } else {
                // The set is prefix-free, so at most one literal starts at a position and the
                // leftmost-first search from `at` finds the next candidate start.
                let input = aho_corasick::Input::new(hay).span(at..hay.len());
                match self.starts.find(input) {
                    Some(c) => c.start(),
                    None => break,
                }
            };
            at = s + 1;
            if self
                .run_filter
                .as_ref()
                .is_some_and(|r| !r.may_match(hay, s))
            {
                continue;
            }
            if let Some(e) = self.anchored(hay, s, &mut cache) {
                f(s, e);
                at = e;
                n += 1;
            }
        }
        // The lock only when a cache was taken: most detectors have no candidate in a text.
        if let Some(c) = cache
            && let Ok(mut idle) = self.caches.lock()
            && idle.len() < MAX_IDLE_CACHES
        {
            idle.push(c);
        }
    }

    /// The end of the match starting at `s`, if there is one.
    fn anchored(&self, hay: &[u8], s: usize, cache: &mut Option<Box<Cache>>) -> Option<usize> {
        let input = Input::new(hay).span(s..hay.len()).anchored(Anchored::Yes);
        let cache = cache.get_or_insert_with(|| {
            let idle = self.caches.lock().ok().and_then(|mut v| v.pop());
            idle.unwrap_or_else(|| Box::new(self.dfa.create_cache()))
        });
        match self.dfa.try_search_fwd(cache, &input) {
            Ok(m) => m.map(|m| m.offset()),
            // The lazy DFA gave up (its cache thrashed): the full engine decides.
            Err(_) => self.re.search(&input).map(|m| m.end()),
        }
    }
}

/// For each detector whose matches all start a word: the starts of words (`\b` then a letter
/// or digit) where one of its literals may begin (a superset: the anchored search decides), in
/// text order — one pass over the text for all of them, 64 bytes at a time. Other detectors get
/// an empty list. Builds the literal table each call: [`WordStarts`] keeps one.
#[cfg(test)]
pub fn word_candidates(hay: &[u8], dets: &[Option<&Prefiltered>]) -> Candidates {
    WordStarts::new(dets).candidates(hay)
}

mod literal_filter;
mod run_filter;
mod word_starts;

pub(crate) use word_starts::load_padded;
pub use word_starts::{Candidates, WordStarts};

/// The lower-case, prefix-free literals one of which starts every match, or `None` when
/// there is no such finite set (or it is too large, or holds the empty string).
fn prefix_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let seq = Extractor::new().extract(hir);
    let mut lits: Vec<Vec<u8>> = seq
        .literals()?
        .iter()
        .map(|l| {
            // A prefix of a prefix is one too: cut at whitespace (`Mr.\t`, `Mr.\n`, `Mr. `…
            // are all `mr.`), keeping at least one byte.
            cut(l.as_bytes()).to_ascii_lowercase()
        })
        .collect();
    lits.sort();
    lits.dedup();
    // Sorted, a literal's prefixes in the set come before it: keep only the shortest.
    let mut kept: Vec<Vec<u8>> = Vec::new();
    for l in lits {
        if !kept.iter().any(|k| l.starts_with(k)) {
            kept.push(l);
        }
    }
    if kept.is_empty() || kept.len() > MAX_LITERALS || kept.iter().any(Vec::is_empty) {
        return None;
    }
    Some(kept)
}

/// Most word-start literals kept per detector before [`word_literals`] gives up.
const MAX_WORD_LITERALS: usize = 256;

/// The literals one of which starts every match, cut at whitespace like [`prefix_literals`]'s,
/// for [`WordStarts`]: (bytes, any case). A literal whose every case variant starts a match
/// (`(?i)age`, `[Ii]s`) is kept once, lower case, to be matched in any case; the others are
/// kept as written (`On`, `T`, `TSH`), to be matched exactly — lower-casing them all made every
/// word starting with `t` a candidate of the lab-value detector. `None` when there is no such
/// finite set or it is too large.
fn word_literals(hir: &Hir) -> Option<Vec<(Vec<u8>, bool)>> {
    let seq = Extractor::new().extract(hir);
    let mut lits: Vec<Vec<u8>> = seq.literals()?.iter().map(|l| cut(l.as_bytes())).collect();
    lits.sort();
    lits.dedup();
    let mut kept: Vec<Vec<u8>> = Vec::new();
    for l in lits {
        if !kept.iter().any(|k| l.starts_with(k)) {
            kept.push(l);
        }
    }
    if kept.is_empty() || kept.iter().any(Vec::is_empty) {
        return None;
    }
    // Case variants side by side, each group complete when it has 2^(letters) members.
    let mut groups: std::collections::BTreeMap<Vec<u8>, Vec<Vec<u8>>> = Default::default();
    for l in kept {
        groups.entry(l.to_ascii_lowercase()).or_default().push(l);
    }
    let mut out = Vec::new();
    for (lower, variants) in groups {
        let letters = lower.iter().filter(|c| c.is_ascii_alphabetic()).count();
        if letters < 16 && variants.len() == 1 << letters {
            out.push((lower, true));
        } else {
            out.extend(variants.into_iter().map(|v| (v, false)));
        }
    }
    (out.len() <= MAX_WORD_LITERALS).then_some(out)
}

/// A literal cut at its first whitespace, keeping at least one byte.
fn cut(b: &[u8]) -> Vec<u8> {
    let at = b
        .iter()
        .position(u8::is_ascii_whitespace)
        .unwrap_or(b.len());
    b[..at.max(1).min(b.len())].to_vec()
}

/// Every match begins with a word-boundary assertion (`\b…` or `\b…|\b…`).
fn starts_at_boundary(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(l) => matches!(l, Look::WordAscii | Look::WordUnicode),
        HirKind::Concat(v) => v.first().is_some_and(starts_at_boundary),
        HirKind::Alternation(v) => v.iter().all(starts_at_boundary),
        HirKind::Capture(c) => starts_at_boundary(&c.sub),
        _ => false,
    }
}

#[cfg(test)]
mod tests;

impl Clone for Prefiltered {
    fn clone(&self) -> Prefiltered {
        Prefiltered {
            starts: self.starts.clone(),
            literals: self.literals.clone(),
            word_literals: self.word_literals.clone(),
            dfa: self.dfa.clone(),
            re: self.re.clone(),
            caches: Mutex::new(Vec::new()),
            word_start: self.word_start,
            never_ascii: self.never_ascii,
            run_filter: self.run_filter.clone(),
        }
    }
}
