//! Keyword dictionaries and context words, all in one Aho-Corasick automaton.
//!
//! Every list (a dictionary file, a rule's inline `keywords`, a detector's context words) gets an
//! id; a term may belong to several lists. One case-insensitive pass over a text finds every
//! term on word boundaries and files its position under each of its lists, so proximity checks
//! are a binary search.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;

/// Term lists up to this many bytes get a DFA; larger ones the library's automatic choice (an
/// NFA, several times slower), so a huge dictionary cannot blow up memory. The shipped
/// vocabularies (ICD-10-CM conditions, DrugBank names, hand lists: about 250 KB of terms) stay
/// under it; `shipped_dictionaries_build_a_dfa` prints the automaton's size.
const DFA_MAX_TERM_BYTES: usize = 512 << 10;

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

    /// Builds the automaton: a DFA (about 3.5× faster than the NFA on prose) while the term
    /// list is of dictionary size, the library's choice for very large lists.
    pub fn build(self) -> Result<KeywordIndex, String> {
        let bytes: usize = self.terms.iter().map(String::len).sum();
        let kind = (bytes <= DFA_MAX_TERM_BYTES).then_some(AhoCorasickKind::DFA);
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(&self.terms)
            .map_err(|e| format!("keyword automaton: {e}"))?;
        let edges = self
            .terms
            .iter()
            .map(|t| {
                let b = t.as_bytes();
                let first = b.first().is_some_and(u8::is_ascii_alphanumeric);
                let last = b.last().copied().unwrap_or(b' ');
                (
                    first,
                    last.is_ascii_alphanumeric(),
                    last.is_ascii_alphabetic(),
                )
            })
            .collect();
        Ok(KeywordIndex {
            ac,
            owners: self.owners,
            edges,
            lists: self.lists,
        })
    }
}

/// The compiled automaton.
#[derive(Debug, Clone)]
pub struct KeywordIndex {
    ac: AhoCorasick,
    owners: Vec<Vec<usize>>,
    /// Per term: starts with an alphanumeric, ends with one, ends with a letter.
    edges: Vec<(bool, bool, bool)>,
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

    /// Heap bytes used by the automaton.
    pub fn memory_usage(&self) -> usize {
        self.ac.memory_usage()
    }

    /// Finds every term of every list in `text`, on word boundaries. A term's edge that is
    /// not alphanumeric (`ss#`, `pt:`) is its own boundary, and a term ending in a letter may be
    /// followed directly by a digit (`SSN123…`, `DOB03141962`): labels are written that way.
    pub fn find(&self, text: &[u8]) -> KeywordHits {
        let mut by_list = vec![Vec::new(); self.lists];
        for m in self.ac.find_overlapping_iter(text) {
            let (s, e) = (m.start(), m.end());
            let p = m.pattern().as_usize();
            let (first_alnum, last_alnum, last_alpha) = self.edges[p];
            let before = s.checked_sub(1).map(|i| text[i]);
            let after = text.get(e).copied();
            let bounded = |c: Option<u8>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
            let left = !first_alnum || bounded(before);
            let right = !last_alnum
                || bounded(after)
                || (last_alpha && after.is_some_and(|c| c.is_ascii_digit()));
            if !(left && right) {
                continue;
            }
            for &list in &self.owners[p] {
                by_list[list].push((s as u32, e as u32));
            }
        }
        for v in &mut by_list {
            v.sort_unstable();
        }
        KeywordHits { by_list }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_boundaries_and_shared_terms() {
        let mut b = KeywordIndexBuilder::default();
        let health = b.add_list(["diabetes", "type 2 diabetes", "flu"]);
        let ctx = b.add_list(["diabetes", "dx"]);
        let idx = b.build().unwrap();
        let hits = idx.find(b"Dx: Type 2 Diabetes; influenza is not flu-like? fluid");
        assert_eq!(hits.count(health), 3, "type 2 diabetes, diabetes, flu");
        assert_eq!(hits.count(ctx), 2);
        assert!(hits.near(ctx, 40, 41, 30));
        assert!(!hits.near(ctx, 400, 401, 30));
    }

    /// Issue 14: a context word directly followed by digits (`SS#123…`) was dropped.
    #[test]
    fn context_word_directly_followed_by_digits() {
        let mut b = KeywordIndexBuilder::default();
        let ssn = b.add_list(["ss#", "ssn", "dob"]);
        let idx = b.build().unwrap();
        assert_eq!(idx.find(b"SS#123456789").count(ssn), 1);
        assert_eq!(idx.find(b"SSN123456789 DOB03141962").count(ssn), 2);
        assert_eq!(
            idx.find(b"xss#1 assn dobs").count(ssn),
            0,
            "glued on the left"
        );
    }

    #[test]
    fn shipped_dictionaries_build_a_dfa() {
        let mut b = KeywordIndexBuilder::default();
        let mut bytes = 0;
        for d in [
            include_str!("../../deploy/rules/dictionaries/health-terms.txt"),
            include_str!("../../deploy/rules/dictionaries/medications.txt"),
            include_str!("../../deploy/rules/dictionaries/clinical-context.txt"),
            include_str!("../../deploy/rules/dictionaries/care-notice.txt"),
            include_str!("../../deploy/rules/dictionaries/conditions.txt"),
            include_str!("../../deploy/rules/dictionaries/drug-names.txt"),
        ] {
            let terms: Vec<&str> = d.lines().filter(|l| !l.starts_with('#')).collect();
            bytes += terms.iter().map(|t| t.len()).sum::<usize>();
            b.add_list(terms);
        }
        assert!(
            bytes <= DFA_MAX_TERM_BYTES,
            "{bytes} bytes of terms: no DFA"
        );
        let idx = b.build().unwrap();
        println!(
            "{bytes} bytes of terms, automaton {} bytes",
            idx.memory_usage()
        );
        assert!(idx.memory_usage() < 256 << 20, "{}", idx.memory_usage());
        // A dictionary far beyond the DFA threshold still builds (with the library's choice).
        let mut big = KeywordIndexBuilder::default();
        let terms: Vec<String> = (0..20_000).map(|i| format!("term{i:05}x")).collect();
        big.add_list(terms.iter().map(String::as_str));
        let idx = big.build().unwrap();
        assert_eq!(idx.find(b"a term01234x here").count(0), 1);
    }
}
