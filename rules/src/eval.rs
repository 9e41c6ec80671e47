//! Rule evaluation: conditions per recipient, then the combination mode, the fail-closed action
//! and the header changes. Produces the [`Decision`] and, for `explain`, a trace that says why —
//! in detector names, counts and rule ids only.

use crate::content::Content;
use crate::findings::Findings;
use crate::model::{
    Action, AddrSet, AttachCond, Compiled, Cond, DetId, Evaluation, LocMask, Near, strictness,
};
use sealgate_core::{
    Address, Decision, DetectorHit, HeaderChange, KeyTrust, Location, Reply, Requirement,
};
use serde::Serialize;
use std::cell::RefCell;

/// Everything evaluation looks at.
pub struct Ctx<'a> {
    /// The rule set.
    pub c: &'a Compiled,
    /// The message taken apart.
    pub content: &'a Content,
    /// Detector findings.
    pub findings: &'a Findings,
    /// Envelope sender.
    pub sender: Option<&'a Address>,
    /// The configured subject tag found, if any.
    pub tag: Option<String>,
    /// Header conditions with an expression already decided for this message: (header name,
    /// expression, result). The shipped rules repeat one recipient-list guard in many rules;
    /// its answer depends only on the message, and each search is a regex run.
    pub header_memo: RefCell<Vec<(&'a str, &'a str, bool)>>,
}

/// Why one recipient got its requirement.
#[derive(Debug, Clone, Serialize)]
pub struct RecipientTrace {
    /// Envelope position.
    pub index: usize,
    /// Rules that matched for this recipient, in order.
    pub matched: Vec<String>,
    /// The rule that decided (or `default` / `fail-closed`).
    pub decided_by: String,
    /// The requirement.
    pub requirement: Requirement,
}

fn loc_bit(l: &Location) -> u8 {
    match l {
        Location::Subject => LocMask::SUBJECT,
        Location::Header => LocMask::HEADER,
        Location::Body => LocMask::BODY,
        Location::Attachment { .. } => LocMask::ATTACHMENT,
    }
}

/// Counts by view: ordinary text, and the plain and HTML views of one body (not added up).
#[derive(Default)]
struct ViewSums {
    base: u32,
    plain: u32,
    html: u32,
}

impl ViewSums {
    fn add(&mut self, view: u8, n: u32) {
        match view {
            1 => self.plain += n,
            2 => self.html += n,
            _ => self.base += n,
        }
    }

    /// Ordinary text plus the larger of the two views.
    fn total(&self) -> u32 {
        self.base + self.plain.max(self.html)
    }
}

impl<'a> Ctx<'a> {
    fn near_ok(&self, near: Option<&Near>, seg: u32, s: u32, e: u32) -> bool {
        near.is_none_or(|n| self.findings.keywords[seg as usize].near(n.list, s, e, n.within))
    }

    /// Adds up per segment, taking only the larger of a body's plain and HTML views.
    fn total(&self, per_seg: impl Fn(usize) -> u32) -> u32 {
        let mut sums = ViewSums::default();
        for (i, s) in self.content.segments.iter().enumerate() {
            sums.add(s.view, per_seg(i));
        }
        sums.total()
    }

    /// Matches of a detector condition.
    pub fn detector_count(&self, det: DetId, conf: f32, near: Option<&Near>, locs: LocMask) -> u32 {
        let mut sums = ViewSums::default();
        for f in self.findings.of(det) {
            if f.conf + 1e-6 < conf {
                continue;
            }
            let seg = &self.content.segments[f.seg as usize];
            if loc_bit(&seg.loc) & locs.0 == 0 || !self.near_ok(near, f.seg, f.start, f.end) {
                continue;
            }
            sums.add(seg.view, 1);
        }
        sums.total()
    }

    /// Occurrences of a keyword list.
    pub fn keyword_count(&self, list: usize, near: Option<&Near>, locs: LocMask) -> u32 {
        self.total(|i| {
            let seg = &self.content.segments[i];
            if loc_bit(&seg.loc) & locs.0 == 0 {
                return 0;
            }
            let hits = &self.findings.keywords[i];
            let Some(near) = near else {
                // Every occurrence counts: no need to look at them.
                return hits.count(list) as u32;
            };
            hits.list(list)
                .iter()
                .filter(|&&(s, e)| self.near_ok(Some(near), i as u32, s, e))
                .count() as u32
        })
    }

    /// Evaluates a condition for one recipient.
    pub fn eval(&self, cond: &'a Cond, rcpt: &Address) -> bool {
        match cond {
            Cond::Any(v) => v.iter().any(|c| self.eval(c, rcpt)),
            Cond::All(v) => v.iter().all(|c| self.eval(c, rcpt)),
            Cond::Not(c) => !self.eval(c, rcpt),
            Cond::Detector {
                det,
                min,
                conf,
                near,
                locs,
            } => self.detector_count(*det, *conf, near.as_ref(), *locs) >= *min,
            Cond::Keywords {
                list,
                min,
                near,
                locs,
                ..
            } => self.keyword_count(*list, near.as_ref(), *locs) >= *min,
            Cond::Sender(set) => self.sender.is_some_and(|a| addr_in(set, a)),
            Cond::Recipient(set) => addr_in(set, rcpt),
            Cond::SubjectTag => self.tag.is_some(),
            Cond::Header { name, re } => self.header(name, re.as_ref()),
            Cond::Attachment(a) => self.content.attachments.iter().any(|x| attach_ok(a, x)),
            Cond::Encrypted => self.content.encrypted,
            Cond::Unscannable => !self.content.unscannable.is_empty(),
            Cond::Always => true,
        }
    }

    /// One line per condition node, with its counts, for `explain`.
    pub fn describe(&self, cond: &'a Cond, rcpt: &Address, depth: usize, out: &mut Vec<String>) {
        let pad = "  ".repeat(depth);
        let mark = if self.eval(cond, rcpt) { "yes" } else { "no " };
        let text = match cond {
            Cond::Any(v) | Cond::All(v) => {
                let word = if matches!(cond, Cond::Any(_)) {
                    "any of"
                } else {
                    "all of"
                };
                out.push(format!("{pad}[{mark}] {word}:"));
                for c in v {
                    self.describe(c, rcpt, depth + 1, out);
                }
                return;
            }
            Cond::Not(c) => {
                out.push(format!("{pad}[{mark}] not:"));
                self.describe(c, rcpt, depth + 1, out);
                return;
            }
            Cond::Detector {
                det,
                min,
                conf,
                near,
                locs,
            } => {
                let n = self.detector_count(*det, *conf, near.as_ref(), *locs);
                let near = if near.is_some() {
                    ", with keyword nearby"
                } else {
                    ""
                };
                format!(
                    "detector {} at confidence >= {conf:.2}{near}: {n} found, {min} needed",
                    self.det_name(*det)
                )
            }
            Cond::Keywords {
                list,
                name,
                min,
                near,
                locs,
            } => {
                let n = self.keyword_count(*list, near.as_ref(), *locs);
                let near = if near.is_some() {
                    ", near other keywords"
                } else {
                    ""
                };
                format!("dictionary {name}{near}: {n} occurrences, {min} needed")
            }
            Cond::Sender(_) => "envelope sender is in the list".into(),
            Cond::Recipient(_) => "recipient is in the list".into(),
            Cond::SubjectTag => match &self.tag {
                Some(t) => format!("subject tag {t} present"),
                None => "subject tag present".into(),
            },
            Cond::Header { name, re } => match re {
                Some(_) => format!("header {name} matches the expression"),
                None => format!("header {name} present"),
            },
            Cond::Attachment(_) => "an attachment matches".into(),
            Cond::Encrypted => "message is already encrypted".into(),
            Cond::Unscannable => format!(
                "content could not be scanned ({} parts)",
                self.content.unscannable.len()
            ),
            Cond::Always => "always".into(),
        };
        out.push(format!("{pad}[{mark}] {text}"));
    }

    /// A header named `name` (lower case) is present, and its value matches `re` if given;
    /// with an expression, answered once per message for each name and expression.
    fn header(&self, name: &'a str, re: Option<&'a regex::Regex>) -> bool {
        let present = |re: Option<&regex::Regex>| {
            self.content
                .headers
                .iter()
                .any(|(n, v)| n == name && re.is_none_or(|re| re.is_match(v)))
        };
        let Some(re) = re else {
            return present(None);
        };
        let pattern = re.as_str();
        let known = self
            .header_memo
            .borrow()
            .iter()
            .find_map(|&(n, p, found)| (n == name && p == pattern).then_some(found));
        known.unwrap_or_else(|| {
            let found = present(Some(re));
            self.header_memo.borrow_mut().push((name, pattern, found));
            found
        })
    }

    /// Name of a detector.
    pub fn det_name(&self, det: DetId) -> &str {
        match det {
            DetId::Builtin(k) => k.name(),
            DetId::Custom(i) => self.c.custom.get(i).map_or("?", |d| d.name.as_str()),
        }
    }
}

fn addr_in(set: &AddrSet, a: &Address) -> bool {
    // Most sets name domains only: no address is spelled out to compare.
    let named = || {
        let full = a.to_string().to_ascii_lowercase();
        set.addresses.contains(&full)
    };
    set.domains.iter().any(|d| a.domain().is_within(d)) || (!set.addresses.is_empty() && named())
}

fn attach_ok(a: &AttachCond, x: &crate::content::AttachmentInfo) -> bool {
    let name = x.name.as_deref().unwrap_or("");
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    (a.extensions.is_empty() || ext.is_some_and(|e| a.extensions.contains(&e)))
        && a.name.as_ref().is_none_or(|re| re.is_match(name))
        && (a.types.is_empty()
            || a.types
                .iter()
                .any(|t| x.content_type.starts_with(t.as_str())))
        && a.min_size.is_none_or(|m| x.size >= m)
        && a.max_size.is_none_or(|m| x.size <= m)
}

/// The configured tag found in the subject, as configured.
pub fn find_tag(subject: &str, tags: &[String]) -> Option<String> {
    // An ASCII subject and tag compare byte by byte, ignoring case, without lower-case copies
    // (the Unicode lower case of other text may differ in length, or be ASCII: `K`, Kelvin).
    let ascii = |t: &String| {
        let (s, t) = (subject.as_bytes(), t.as_bytes());
        t.is_empty() || s.windows(t.len()).any(|w| w.eq_ignore_ascii_case(t))
    };
    if subject.is_ascii() && tags.iter().all(|t| t.is_ascii()) {
        return tags.iter().find(|t| ascii(t)).cloned();
    }
    let lower = subject.to_lowercase();
    tags.iter()
        .find(|t| lower.contains(&t.to_lowercase()))
        .cloned()
}

/// Decides the message. The traces name the matched and deciding rules only when `explain`
/// asks for them (else their lists are empty and `decided_by` is blank: `classify` drops them).
pub fn decide(
    cx: &Ctx<'_>,
    recipients: &[&Address],
    explain: bool,
) -> (Decision, Vec<RecipientTrace>) {
    let c = cx.c;
    let mut matched_any = vec![false; c.rules.len()];
    let mut traces = Vec::with_capacity(recipients.len());
    let mut fail_closed_used = false;
    let unscannable = !cx.content.unscannable.is_empty();
    for (ri, rcpt) in recipients.iter().enumerate() {
        // The deciding rule's action and index (its id is cloned once, at the end).
        let mut current: Option<(&Action, usize)> = None;
        let mut matched = Vec::new();
        // Strictest key-trust minimum of the encrypt rules that applied (manual > verified >
        // discovered); it holds whichever of them decided the chain.
        let mut min_key_trust = KeyTrust::Discovered;
        for (i, rule) in c.rules.iter().enumerate() {
            if !cx.eval(&rule.when, rcpt) {
                continue;
            }
            matched_any[i] = true;
            if explain {
                matched.push(rule.id.clone());
            }
            min_key_trust = min_key_trust.max(rule.action.requirement.min_key_trust());
            let stricter = current.as_ref().is_none_or(|(a, _)| {
                strictness(&rule.action.requirement) > strictness(&a.requirement)
            });
            if c.settings.evaluation == Evaluation::FirstMatch {
                current = Some((&rule.action, i));
                break;
            }
            if stricter {
                current = Some((&rule.action, i));
            }
            if rule.stop {
                break;
            }
        }
        let (mut action, mut by) = match current {
            Some((a, i)) => (a, c.rules[i].id.as_str()),
            None => (&c.settings.default, "default"),
        };
        if unscannable
            && strictness(&c.settings.on_unscannable.requirement) > strictness(&action.requirement)
        {
            action = &c.settings.on_unscannable;
            by = "fail-closed";
            fail_closed_used = true;
        }
        let mut requirement = action.requirement.clone();
        if let Requirement::Encrypt {
            min_key_trust: own, ..
        } = &mut requirement
        {
            *own = (*own).max(min_key_trust);
        }
        traces.push(RecipientTrace {
            index: ri,
            matched,
            decided_by: if explain { by.into() } else { String::new() },
            requirement,
        });
    }

    let mut d = Decision {
        recipients: traces.iter().map(|t| t.requirement.clone()).collect(),
        ..Decision::default()
    };
    for (i, rule) in c.rules.iter().enumerate() {
        if !matched_any[i] {
            continue;
        }
        d.rules.push(rule.id.clone());
        d.phi |= rule.action.phi;
        if rule.strip_tag
            && let Some(tag) = &cx.tag
        {
            push_unique(
                &mut d.header_changes,
                HeaderChange::StripSubjectTag { tag: tag.clone() },
            );
        }
        for (name, value) in &rule.add_headers {
            push_unique(
                &mut d.header_changes,
                HeaderChange::AddHeader {
                    name: name.clone(),
                    value: value.clone(),
                },
            );
        }
        if rule.placeholder_subject && subject_has_findings(cx) {
            push_unique(
                &mut d.header_changes,
                HeaderChange::PlaceholderSubject {
                    subject: c.settings.placeholder_subject.clone(),
                },
            );
        }
    }
    ask_portal_expiry(cx, &matched_any, &mut d);
    if fail_closed_used {
        d.rules.push("fail-closed".into());
        d.phi |= c.settings.on_unscannable.phi;
    }
    d.hits = hits(cx);
    if d.recipients.contains(&Requirement::Reject) {
        d.reject = Some(Reply::new(550, [5, 7, 1], "Message refused by policy"));
    }
    (d, traces)
}

/// The shortest portal expiry the matched rules and the subject's expiry tag ask for; the tag
/// is always stripped from the subject.
fn ask_portal_expiry(cx: &Ctx<'_>, matched: &[bool], d: &mut Decision) {
    let by_rules =
        cx.c.rules
            .iter()
            .zip(matched)
            .filter(|(_, m)| **m)
            .filter_map(|(r, _)| r.portal_expiry)
            .min();
    let by_tag = crate::expiry::find_expiry_tag(&cx.content.subject).map(|(tag, secs)| {
        push_unique(&mut d.header_changes, HeaderChange::StripSubjectTag { tag });
        secs
    });
    d.portal_expiry = by_rules.into_iter().chain(by_tag).min();
}

fn push_unique(v: &mut Vec<HeaderChange>, h: HeaderChange) {
    if !v.contains(&h) {
        v.push(h);
    }
}

/// The subject itself carried an identifier (at medium confidence or better) or a term of a
/// dictionary — except dictionaries named `*-context`, which hold context words, not PHI.
fn subject_has_findings(cx: &Ctx<'_>) -> bool {
    let segs = &cx.content.segments;
    let ids = cx
        .findings
        .items
        .iter()
        .any(|f| f.conf >= 0.6 && segs[f.seg as usize].loc == Location::Subject);
    ids || segs.iter().enumerate().any(|(i, s)| {
        s.loc == Location::Subject
            && cx
                .c
                .reported_lists
                .iter()
                .filter(|(_, name)| !name.ends_with("-context"))
                .any(|(l, _)| cx.findings.keywords[i].count(*l) > 0)
    })
}

/// Findings as names, counts and confidences per location (never values). Matches below `low`
/// confidence (e.g. a date with no birth context) are not reported.
fn hits(cx: &Ctx<'_>) -> Vec<DetectorHit> {
    thread_local! {
        // Kept between decisions (empty: the hits are moved out at their size, one allocation).
        static HITS: std::cell::Cell<Vec<DetectorHit>> = const { std::cell::Cell::new(Vec::new()) };
    }
    let mut out = HITS.take();
    let mut add = |name: &str, loc: &Location, conf: f32, n: u32| {
        if n == 0 {
            return;
        }
        match out
            .iter_mut()
            .find(|h| h.detector == name && h.location == *loc)
        {
            Some(h) => {
                h.count = h.count.saturating_add(n);
                h.confidence = h.confidence.max(conf);
            }
            None => out.push(DetectorHit {
                detector: name.to_string(),
                count: n,
                confidence: conf,
                location: loc.clone(),
            }),
        }
    };
    for f in &cx.findings.items {
        if f.conf >= 0.3 {
            let loc = &cx.content.segments[f.seg as usize].loc;
            add(cx.det_name(f.det), loc, (f.conf * 100.0).round() / 100.0, 1);
        }
    }
    for (i, seg) in cx.content.segments.iter().enumerate() {
        for (list, name) in &cx.c.reported_lists {
            let n = cx.findings.keywords[i].count(*list) as u32;
            add(name, &seg.loc, 1.0, n);
        }
    }
    for (loc, _) in &cx.content.unscannable {
        add("unscannable", loc, 1.0, 1);
    }
    let mut hits = Vec::with_capacity(out.len());
    hits.append(&mut out);
    if out.capacity() <= 256 {
        HITS.set(out);
    }
    hits
}
