//! Rule conditions: the condition tree, proximity, locations, address sets and attachment
//! conditions.

use super::{Ctx, DEFAULT_WITHIN, Names, REGEX_SIZE_LIMIT, level, terms};
use crate::detect::IdKind;
use crate::format::{AddrRaw, AttachRaw, CondRaw, ConfRaw, NearRaw};
use crate::keywords::KeywordIndexBuilder;
use crate::model::{AddrSet, AttachCond, Cond, DetId, LocMask, Near};
use sealgate_core::Domain;
use std::ops::Range;
use toml::Spanned;

pub(super) fn read_cond(
    cx: &mut Ctx<'_>,
    c: &Spanned<CondRaw>,
    names: &Names<'_>,
    kw: &mut KeywordIndexBuilder,
) -> Option<Cond> {
    let span = c.span();
    let raw = c.get_ref();
    if let Err(msg) = shape_error(raw) {
        cx.err(span, msg);
        return None;
    }
    if let Some(list) = raw.any.as_ref().or(raw.all.as_ref()) {
        if list.is_empty() {
            cx.err(span, "empty any/all");
            return None;
        }
        let subs: Vec<Option<Cond>> = list.iter().map(|s| read_cond(cx, s, names, kw)).collect();
        let subs: Option<Vec<Cond>> = subs.into_iter().collect();
        return Some(if raw.any.is_some() {
            Cond::Any(subs?)
        } else {
            Cond::All(subs?)
        });
    }
    if let Some(n) = &raw.not {
        return Some(Cond::Not(Box::new(read_cond(cx, n, names, kw)?)));
    }
    if let Some(d) = &raw.detector {
        return read_detector(cx, raw, d, names, kw);
    }
    if raw.dictionary.is_some() || raw.keywords.is_some() {
        return read_keywords(cx, raw, span, names, kw);
    }
    read_plain(cx, raw, span, names)
}

/// What is wrong with the keys a condition table combines, if anything: exactly one kind of
/// condition; the counting options only beside a counting kind; `matches` only with `header`.
fn shape_error(raw: &CondRaw) -> Result<(), &'static str> {
    let kinds = [
        raw.any.is_some(),
        raw.all.is_some(),
        raw.not.is_some(),
        raw.detector.is_some(),
        raw.dictionary.is_some(),
        raw.keywords.is_some(),
        raw.sender.is_some(),
        raw.recipient.is_some(),
        raw.subject_tag.is_some(),
        raw.header.is_some(),
        raw.attachment.is_some(),
        raw.encrypted.is_some(),
        raw.unscannable.is_some(),
        raw.always.is_some(),
    ];
    if kinds.iter().filter(|&&b| b).count() != 1 {
        return Err(
            "a condition needs exactly one of: any, all, not, detector, dictionary, keywords, \
             sender, recipient, subject_tag, header, attachment, encrypted, unscannable, always",
        );
    }
    let counting = raw.detector.is_some() || raw.dictionary.is_some() || raw.keywords.is_some();
    let counting_options = raw.min_count.is_some()
        || raw.confidence.is_some()
        || raw.near.is_some()
        || raw.locations.is_some();
    if !counting && counting_options {
        return Err(
            "min_count, confidence, near and in belong to detector, dictionary or keywords",
        );
    }
    if raw.matches.is_some() && raw.header.is_none() {
        return Err("`matches` belongs to `header`");
    }
    Ok(())
}

/// `detector = "…"` with its count, confidence, proximity and locations.
fn read_detector(
    cx: &mut Ctx<'_>,
    raw: &CondRaw,
    d: &Spanned<String>,
    names: &Names<'_>,
    kw: &mut KeywordIndexBuilder,
) -> Option<Cond> {
    let det = match IdKind::from_name(d.get_ref()) {
        Some(k) => DetId::Builtin(k),
        None => match names.custom.get(d.get_ref()) {
            Some(&i) => DetId::Custom(i),
            None => {
                cx.err(d.span(), format!("unknown detector `{}`", d.get_ref()));
                return None;
            }
        },
    };
    let conf = match &raw.confidence {
        None => level("medium").unwrap_or(0.6),
        Some(c) => {
            let v = match c.get_ref() {
                ConfRaw::Level(l) => level(l),
                ConfRaw::Number(n) if (0.0..=1.0).contains(n) => Some(*n as f32),
                ConfRaw::Number(_) => None,
            };
            let Some(v) = v else {
                cx.err(c.span(), "confidence must be low, medium, high or 0..1");
                return None;
            };
            v
        }
    };
    Some(Cond::Detector {
        det,
        min: raw.min_count.unwrap_or(1).max(1),
        conf,
        near: read_near(cx, raw.near.as_ref(), names, kw)?,
        locs: read_locs(cx, raw.locations.as_deref())?,
    })
}

/// `dictionary = "…"` or `keywords = [...]`, with count, proximity and locations.
fn read_keywords(
    cx: &mut Ctx<'_>,
    raw: &CondRaw,
    span: Range<usize>,
    names: &Names<'_>,
    kw: &mut KeywordIndexBuilder,
) -> Option<Cond> {
    if raw.confidence.is_some() {
        cx.err(span, "`confidence` belongs to detectors");
        return None;
    }
    let (list, name) = if let Some(d) = &raw.dictionary {
        let Some(&id) = names.dictionaries.get(d.get_ref().as_str()) else {
            let msg = format!(
                "unknown dictionary `{}` (no dictionaries/{0}.txt)",
                d.get_ref()
            );
            cx.err(d.span(), msg);
            return None;
        };
        (id, d.get_ref().clone())
    } else {
        let words = raw.keywords.as_deref().unwrap_or_default();
        let id = kw.add_list(words.iter().map(String::as_str));
        (id, "keywords".into())
    };
    Some(Cond::Keywords {
        list,
        name,
        min: raw.min_count.unwrap_or(1).max(1),
        near: read_near(cx, raw.near.as_ref(), names, kw)?,
        locs: read_locs(cx, raw.locations.as_deref())?,
    })
}

/// The conditions without counts: sender, recipient, subject tag, header, attachment and the
/// flags (`encrypted`, `unscannable`, `always`, which must be `true`).
fn read_plain(
    cx: &mut Ctx<'_>,
    raw: &CondRaw,
    span: Range<usize>,
    names: &Names<'_>,
) -> Option<Cond> {
    let flag = |cx: &mut Ctx<'_>, v: bool, cond: Cond| {
        if v {
            Some(cond)
        } else {
            cx.err(span.clone(), "write `not = { … }` instead of `= false`");
            None
        }
    };
    if let Some(a) = &raw.sender {
        return Some(Cond::Sender(read_addr(cx, a, names)?));
    }
    if let Some(a) = &raw.recipient {
        return Some(Cond::Recipient(read_addr(cx, a, names)?));
    }
    if let Some(v) = raw.subject_tag {
        return flag(cx, v, Cond::SubjectTag);
    }
    if let Some(h) = &raw.header {
        let re = optional_regex(cx, raw.matches.as_ref())?;
        return Some(Cond::Header {
            name: h.get_ref().to_ascii_lowercase(),
            re,
        });
    }
    if let Some(a) = &raw.attachment {
        return Some(Cond::Attachment(read_attach(cx, a)?));
    }
    if let Some(v) = raw.encrypted {
        return flag(cx, v, Cond::Encrypted);
    }
    if let Some(v) = raw.unscannable {
        return flag(cx, v, Cond::Unscannable);
    }
    flag(cx, raw.always.unwrap_or(false), Cond::Always)
}

fn read_near(
    cx: &mut Ctx<'_>,
    near: Option<&Spanned<NearRaw>>,
    names: &Names<'_>,
    kw: &mut KeywordIndexBuilder,
) -> Option<Option<Near>> {
    let Some(n) = near else {
        return Some(None);
    };
    let raw = n.get_ref();
    let list = match (&raw.dictionary, &raw.keywords) {
        (Some(d), None) => match names.dictionaries.get(d.get_ref().as_str()) {
            Some(&id) => id,
            None => {
                cx.err(d.span(), format!("unknown dictionary `{}`", d.get_ref()));
                return None;
            }
        },
        (None, Some(k)) => kw.add_list(k.iter().map(String::as_str)),
        _ => {
            cx.err(n.span(), "near needs exactly one of dictionary, keywords");
            return None;
        }
    };
    Some(Some(Near {
        list,
        within: raw.within.unwrap_or(DEFAULT_WITHIN),
    }))
}

fn read_locs(cx: &mut Ctx<'_>, locs: Option<&[Spanned<String>]>) -> Option<LocMask> {
    let Some(locs) = locs else {
        return Some(LocMask::ALL);
    };
    let mut m = 0;
    for l in locs {
        m |= match l.get_ref().as_str() {
            "subject" => LocMask::SUBJECT,
            "header" => LocMask::HEADER,
            "body" => LocMask::BODY,
            "attachment" => LocMask::ATTACHMENT,
            _ => {
                cx.err(l.span(), "in: subject, header, body or attachment");
                return None;
            }
        };
    }
    Some(LocMask(m))
}

fn read_addr(cx: &mut Ctx<'_>, a: &Spanned<AddrRaw>, names: &Names<'_>) -> Option<AddrSet> {
    let raw = a.get_ref();
    let mut set = AddrSet::default();
    let mut ok = true;
    let mut add = |cx: &mut Ctx<'_>, entry: &str, span: Range<usize>, as_domain: bool| -> bool {
        let entry = entry.trim();
        if !as_domain && entry.contains('@') {
            return match sealgate_core::Address::parse(entry) {
                Ok(_) => {
                    set.addresses.push(entry.to_ascii_lowercase());
                    true
                }
                Err(e) => {
                    cx.err(span, format!("`{entry}`: {e}"));
                    false
                }
            };
        }
        match Domain::parse(entry.trim_start_matches("*.")) {
            Ok(d) => {
                set.domains.push(d);
                true
            }
            Err(e) => {
                cx.err(span, format!("`{entry}`: {e}"));
                false
            }
        }
    };
    for x in &raw.address {
        if !x.get_ref().contains('@') {
            cx.err(x.span(), "an address needs an @ (use `domain` for domains)");
            ok = false;
            continue;
        }
        ok &= add(cx, x.get_ref(), x.span(), false);
    }
    for x in &raw.domain {
        ok &= add(cx, x.get_ref(), x.span(), true);
    }
    if let Some(l) = &raw.list {
        match names.lists.get(l.get_ref().as_str()) {
            Some(text) => {
                for entry in terms(text) {
                    ok &= add(cx, entry, l.span(), false);
                }
            }
            None => {
                cx.err(
                    l.span(),
                    format!("unknown list `{}` (no lists/{0}.txt)", l.get_ref()),
                );
                ok = false;
            }
        }
    }
    if set.addresses.is_empty() && set.domains.is_empty() && ok {
        cx.err(a.span(), "address condition lists nothing");
        ok = false;
    }
    ok.then_some(set)
}

fn read_attach(cx: &mut Ctx<'_>, a: &Spanned<AttachRaw>) -> Option<AttachCond> {
    let raw = a.get_ref();
    let name = optional_regex(cx, raw.name_matches.as_ref())?;
    Some(AttachCond {
        extensions: raw
            .extension
            .iter()
            .flatten()
            .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
            .collect(),
        name,
        types: raw
            .content_type
            .iter()
            .flatten()
            .map(|t| t.to_ascii_lowercase())
            .collect(),
        min_size: raw.min_size,
        max_size: raw.max_size,
    })
}

/// An optional `matches`-style expression compiled: `Some(None)` when absent, `None` (the error
/// recorded at its span) when it does not compile.
fn optional_regex(cx: &mut Ctx<'_>, m: Option<&Spanned<String>>) -> Option<Option<regex::Regex>> {
    let Some(m) = m else {
        return Some(None);
    };
    match regex::RegexBuilder::new(m.get_ref())
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
    {
        Ok(re) => Some(Some(re)),
        Err(e) => {
            cx.err(m.span(), format!("invalid expression: {e}"));
            None
        }
    }
}
