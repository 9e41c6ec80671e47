//! Runs every detector over the scanned texts: one identifier pass, one keyword pass and the
//! custom expressions per segment, then context scoring. Findings hold spans only while the
//! message is being classified; [`crate::Decision`] gets names, counts and confidences.

use crate::content::Content;
use crate::detect::IdKind;
use crate::detect::scan::{self, IdMatch};
use crate::keywords::KeywordHits;
use crate::model::{Compiled, DetId};
use std::cell::Cell;

/// One validated, scored match.
#[derive(Debug, Clone, Copy)]
pub struct Finding {
    /// Which detector.
    pub det: DetId,
    /// Segment index.
    pub seg: u32,
    /// Span start.
    pub start: u32,
    /// Span end.
    pub end: u32,
    /// Confidence after context.
    pub conf: f32,
}

/// All findings of a message.
#[derive(Debug, Default)]
pub struct Findings {
    /// Detector matches.
    pub items: Vec<Finding>,
    /// Keyword positions, per segment.
    pub keywords: Vec<KeywordHits>,
    /// `items`' positions by detector (built-in ones first), then in the order found: each
    /// rule's detector condition reads its detector's findings, not all of them.
    by_det: Vec<u32>,
    /// Detector ([`dense`]) → its range in `by_det` (`det_at[d]..det_at[d + 1]`).
    det_at: Vec<u32>,
}

/// A detector's place among all of them: the built-in ones first, then the custom ones.
fn dense(det: DetId) -> usize {
    match det {
        DetId::Builtin(k) => k as usize,
        DetId::Custom(i) => IdKind::ALL.len() + i,
    }
}

impl Findings {
    /// The findings of detector `det`, in the order they were found.
    pub fn of(&self, det: DetId) -> impl Iterator<Item = &Finding> {
        let d = dense(det);
        let range = match (self.det_at.get(d), self.det_at.get(d + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        };
        self.by_det[range].iter().map(|&i| &self.items[i as usize])
    }

    /// Files the findings by detector (after the last one is pushed): a counting sort, each
    /// detector's in the order found.
    fn index(&mut self) {
        let dets = self
            .items
            .iter()
            .map(|f| dense(f.det) + 1)
            .max()
            .unwrap_or(0);
        let at = &mut self.det_at;
        at.clear();
        at.resize(dets + 1, 0);
        for f in &self.items {
            at[dense(f.det)] += 1;
        }
        // Each detector's end, then filled from the back: each ends at its start.
        let mut end = 0;
        for a in at.iter_mut() {
            end += *a;
            *a = end;
        }
        self.by_det.clear();
        self.by_det.resize(self.items.len(), 0);
        for (i, f) in self.items.iter().enumerate().rev() {
            let a = &mut at[dense(f.det)];
            *a -= 1;
            self.by_det[*a as usize] = i as u32;
        }
    }
}

/// Most matches of one custom detector kept per segment (bounds memory on hostile input).
const MAX_CUSTOM_PER_SEGMENT: usize = 10_000;

/// Most entries a recycled vector keeps between messages (a larger one, grown by one huge
/// message, is freed rather than kept by the thread).
const KEEP: usize = 1 << 14;

/// [`find`]'s working vectors for one text, kept by each thread between texts and messages
/// so a decision does not allocate and grow them again.
#[derive(Default)]
struct Scratch {
    ids: Vec<IdMatch>,
    /// The capitalised words' starts, where names are looked for (from the keyword walk).
    caps: Vec<u32>,
    /// The custom detectors' word-start candidates (from the keyword walk).
    words: crate::custom::Candidates,
}

thread_local! {
    static SCRATCH: Cell<Option<Scratch>> = const { Cell::new(None) };
    /// The last decision's findings, given back by [`recycle`]: their vectors are reused.
    static SPARE: Cell<Option<Findings>> = const { Cell::new(None) };
}

/// Empties `v`, and frees it if it grew past [`KEEP`].
fn bound<T>(v: &mut Vec<T>) {
    v.clear();
    if v.capacity() > KEEP {
        *v = Vec::new();
    }
}

/// Gives a decision's findings back to the thread, so the next [`find`] reuses their vectors
/// (large ones are freed).
pub fn recycle(mut f: Findings) {
    bound(&mut f.items);
    bound(&mut f.by_det);
    bound(&mut f.det_at);
    for k in &mut f.keywords {
        k.bound(KEEP);
    }
    SPARE.set(Some(f));
}

/// Runs the detectors.
pub fn find(content: &Content, c: &Compiled) -> Findings {
    let mut f = SPARE.take().unwrap_or_default();
    f.items.clear();
    let mut s = SCRATCH.take().unwrap_or_default();
    for si in 0..content.segments.len() {
        if f.keywords.len() <= si {
            f.keywords.push(KeywordHits::default());
        }
        find_in(content, c, si, &mut f.items, &mut f.keywords[si], &mut s);
    }
    f.keywords.truncate(content.segments.len());
    f.index();
    bound(&mut s.ids);
    bound(&mut s.caps);
    s.words.bound(KEEP);
    SCRATCH.set(Some(s));
    f
}

/// The detectors over segment `si`: its keyword positions to `kw`, its findings to `items`.
fn find_in(
    content: &Content,
    c: &Compiled,
    si: usize,
    items: &mut Vec<Finding>,
    kw: &mut KeywordHits,
    s: &mut Scratch,
) {
    let seg = &content.segments[si];
    let text = seg.text.as_bytes();
    let ascii = seg.text.is_ascii();
    // On ASCII text the custom detectors' word-start candidates come from the keyword walk.
    let starts = ascii.then_some(&c.word_starts);
    c.keywords
        .walk_into(text, starts, &mut s.caps, kw, &mut s.words);
    let kw = &*kw;
    s.ids.clear();
    scan::scan(text, &mut s.ids);
    let first_name = s.ids.len();
    crate::detect::names::scan_at(&seg.text, &content.sender_names, &s.caps, &mut s.ids);
    let names = &s.ids[first_name..];
    for m in &s.ids {
        let k = m.kind;
        let (plain, formatted) = k.base();
        let mut conf = if m.formatted { formatted } else { plain };
        // `EIN 96-5173414 and DUNS 179339502`: a business number's label right before it.
        if k == IdKind::UsSsn && kw.before(c.business_context, m.start, 12) {
            continue;
        }
        // `Megan Cunningham (07/17/1985)`: a date right after a name is that person's.
        if k == IdKind::Date
            && names
                .iter()
                .any(|n| n.end <= m.start && m.start <= n.end + 3)
        {
            conf += k.boost();
        }
        let ctx = c.builtin_context[kind_index(k)];
        // A birth-date label comes before its value (`DOB 3/14/62`, `DOB: …` in a table
        // row); "on 6/12/2026 … Wendy's birthday" is no date of birth.
        let labelled = if k == IdKind::Date {
            kw.before(ctx, m.start, k.window())
        } else {
            kw.near(ctx, m.start, m.end, k.window())
        };
        if labelled {
            conf += k.boost();
        }
        items.push(Finding {
            det: DetId::Builtin(k),
            seg: si as u32,
            start: m.start,
            end: m.end,
            conf: conf.min(1.0),
        });
    }
    custom_in(content, c, si, ascii, items, kw, &s.words);
}

/// The custom detectors over segment `si` (`ascii`: its text is all ASCII; `words`: their
/// word-start candidates there).
fn custom_in(
    content: &Content,
    c: &Compiled,
    si: usize,
    ascii: bool,
    items: &mut Vec<Finding>,
    kw: &KeywordHits,
    words: &crate::custom::Candidates,
) {
    let seg = &content.segments[si];
    let text = seg.text.as_bytes();
    // The word-start candidates of the detectors with `only_with`, once one of them runs.
    let mut gated: Option<crate::custom::Candidates> = None;
    for (di, d) in c.custom.iter().enumerate() {
        if d.only_with.is_some_and(|l| kw.count(l) == 0) {
            continue;
        }
        let mut push = |s: usize, e: usize| {
            let (s, e) = (s as u32, e as u32);
            let boosted = d.context.is_some_and(|l| kw.near(l, s, e, d.window));
            let conf = if boosted { d.base + d.boost } else { d.base };
            items.push(Finding {
                det: DetId::Custom(di),
                seg: si as u32,
                start: s,
                end: e,
                conf: conf.min(1.0),
            });
        };
        let re = match (&d.fast, &d.ascii) {
            (Some(fast), _) if ascii => {
                let starts = match d.only_with {
                    Some(_) => {
                        &gated.get_or_insert_with(|| c.gated_word_starts.candidates(text))[di]
                    }
                    None => &words[di],
                };
                fast.for_each(&seg.text, starts, MAX_CUSTOM_PER_SEGMENT, push);
                continue;
            }
            (_, Some(a)) if ascii => a,
            _ => &d.re,
        };
        for m in re.find_iter(&seg.text).take(MAX_CUSTOM_PER_SEGMENT) {
            push(m.start(), m.end());
        }
    }
}

fn kind_index(k: IdKind) -> usize {
    IdKind::ALL.iter().position(|&x| x == k).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use crate::RuleSet;
    use sealgate_core::Address;

    /// The buffers a thread keeps between decisions (`recycle`, the segment texts, the hit
    /// vector) carry nothing over: a message is explained the same before and after a larger
    /// one with other findings, through either entry point.
    #[test]
    fn kept_buffers_carry_nothing_between_decisions() {
        let set = RuleSet::embedded_default();
        let r = Address::parse("pat@mail.example").expect("a valid address");
        let small = b"Subject: visit\r\n\r\nPatient: Ann Lee, DOB 03/14/1962, MRN 00482913.\r\n";
        let mut big = b"Subject: roster\r\n\r\n".to_vec();
        for i in 0..3000 {
            big.extend_from_slice(
                format!("Bed {i} SSN 123-45-{:04} diabetes\r\n", i % 9000).as_bytes(),
            );
        }
        let first = set.explain_raw(small, None, &[&r]);
        assert!(first.decision.phi, "the small message is PHI");
        let first = format!("{first:?}");
        let big_e = format!("{:?}", set.explain_raw(&big, None, &[&r]));
        assert_ne!(first, big_e);
        let _ = set.classify_raw(&big, None, &[&r]);
        assert_eq!(first, format!("{:?}", set.explain_raw(small, None, &[&r])));
        let d = set.classify_raw(small, None, &[&r]);
        assert_eq!(
            format!("{d:?}"),
            format!("{:?}", set.explain_raw(small, None, &[&r]).decision)
        );
    }

    /// On ASCII text a custom detector's ASCII expression finds what its Unicode one finds.
    #[test]
    fn ascii_expressions_match_like_unicode_ones() {
        let set = RuleSet::embedded_default();
        let tokens = [
            "MRN",
            "mr#",
            "Med Rec #",
            "EMPI",
            "chart no.",
            ":",
            "#",
            " ",
            "  ",
            "\t",
            "\n",
            "446-3973",
            "00482913",
            "AB0187589-01",
            "member",
            "Subscriber ID",
            "Dear",
            "Mrs.",
            "Ann",
            "Lee",
            "Patient",
            "PT:",
            "93",
            "y/o",
            "yo",
            "years old",
            "age",
            "edad",
            "101",
            "x",
            "_",
            "-",
            ".",
            "K",
            "s",
            "9",
            "1",
            "ok",
            "Medical Record Number",
            "Bed",
            "rm",
            "67M",
            " F",
            "Acct No",
            "claim #",
            "ZIP",
            "ZZTEST",
            "test patient",
            "12345",
            "2026113004812",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut texts = Vec::new();
        for _ in 0..300 {
            let mut t = String::new();
            for _ in 0..40 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                t.push_str(tokens[(seed % tokens.len() as u64) as usize]);
            }
            texts.push(t);
        }
        let mut found = 0;
        for d in &set.compiled.custom {
            let ascii = d
                .ascii
                .as_ref()
                .expect("the shipped patterns compile in ASCII mode");
            for t in &texts {
                let a: Vec<_> = ascii.find_iter(t).map(|m| m.range()).collect();
                let u: Vec<_> = d.re.find_iter(t).map(|m| m.range()).collect();
                assert_eq!(a, u, "{}", d.name);
                found += a.len();
            }
        }
        assert!(found > 50, "{found}");
    }
}
