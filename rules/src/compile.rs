//! Turns rule files, dictionaries and lists into a [`Compiled`] set, reporting every problem at
//! once with its file and line. Nothing invalid survives this step.

use crate::RuleError;
use crate::detect::IdKind;
use crate::format::{
    ActionRaw, AddrRaw, AttachRaw, CondRaw, ConfRaw, DetectorRaw, FileRaw, LimitsRaw, NearRaw,
    RuleRaw, SettingsRaw,
};
use crate::keywords::KeywordIndexBuilder;
use crate::model::{
    Action, AddrSet, AttachCond, Compiled, Cond, CustomDetector, DetId, Evaluation, LocMask, Near,
    Rule, Settings,
};
use sealgate_core::{Domain, KeyTrust, Method, Requirement};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use toml::Spanned;

/// One named input text (a rule file, a dictionary or a list).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// File name as reported in errors (rule files), or the dictionary / list name.
    pub name: &'a str,
    /// Contents.
    pub text: &'a str,
}

/// Level names for `confidence`.
pub fn level(name: &str) -> Option<f32> {
    match name {
        "low" => Some(0.3),
        "medium" => Some(0.6),
        "high" => Some(0.85),
        _ => None,
    }
}

const DEFAULT_WITHIN: u32 = 300;

/// Labels of business identifiers whose nine digits look like an SSN.
const BUSINESS_LABELS: &[&str] = &[
    "duns", "d-u-n-s", "duns#", "ein", "ein#", "fein", "tax id", "tax id#", "tin", "routing",
    "aba", "account", "acct", "po", "invoice", "order",
];
const REGEX_SIZE_LIMIT: usize = 1 << 20;

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    errors: &'a mut Vec<RuleError>,
}

impl Ctx<'_> {
    fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        let line = line_of(self.text, span.start);
        self.errors.push(RuleError {
            file: self.file.to_string(),
            line,
            message: message.into(),
        });
    }
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn terms(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

struct Names<'a> {
    dictionaries: HashMap<&'a str, usize>,
    lists: HashMap<&'a str, &'a str>,
    custom: HashMap<String, usize>,
}

/// Compiles a rule set. `methods` are the protection methods this build provides.
pub fn compile(
    files: &[Source<'_>],
    dictionaries: &[Source<'_>],
    lists: &[Source<'_>],
    methods: &[Method],
) -> Result<Compiled, Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut kw = KeywordIndexBuilder::default();
    let builtin_context: Vec<usize> = IdKind::ALL
        .iter()
        .map(|k| kw.add_list(k.context().iter().copied()))
        .collect();
    let business_context = kw.add_list(BUSINESS_LABELS.iter().copied());
    let mut names = Names {
        dictionaries: HashMap::new(),
        lists: lists.iter().map(|l| (l.name, l.text)).collect(),
        custom: HashMap::new(),
    };
    let mut reported_lists = Vec::new();
    for d in dictionaries {
        let id = kw.add_list(terms(d.text));
        names.dictionaries.insert(d.name, id);
        reported_lists.push((id, d.name.to_string()));
    }

    let mut parsed = Vec::new();
    for f in files {
        match toml::from_str::<FileRaw>(f.text) {
            Ok(raw) => parsed.push((f, raw)),
            Err(e) => errors.push(RuleError {
                file: f.name.to_string(),
                line: e.span().map_or(1, |s| line_of(f.text, s.start)),
                message: e.message().to_string(),
            }),
        }
    }

    let mut settings = Settings::default();
    let mut settings_seen: Option<String> = None;
    let mut custom = Vec::new();
    for (f, raw) in &parsed {
        let mut cx = Ctx {
            file: f.name,
            text: f.text,
            errors: &mut errors,
        };
        if let Some(s) = &raw.settings {
            if let Some(prev) = &settings_seen {
                cx.err(s.span(), format!("[settings] already given in {prev}"));
            } else {
                settings_seen = Some(f.name.to_string());
                read_settings(&mut cx, s.get_ref(), methods, &mut settings);
            }
        }
        for d in &raw.detector {
            if let Some(c) = read_detector(&mut cx, d, &mut kw) {
                if IdKind::from_name(&c.name).is_some() || names.custom.contains_key(&c.name) {
                    cx.err(
                        d.span(),
                        format!("detector `{}` is already defined", c.name),
                    );
                    continue;
                }
                names.custom.insert(c.name.clone(), custom.len());
                custom.push(c);
            }
        }
    }

    let mut rules = Vec::new();
    let mut ids = HashSet::new();
    for (f, raw) in &parsed {
        let mut cx = Ctx {
            file: f.name,
            text: f.text,
            errors: &mut errors,
        };
        for r in &raw.rule {
            if !ids.insert(r.get_ref().id.get_ref().clone()) {
                cx.err(r.get_ref().id.span(), "duplicate rule id");
            }
            if let Some(rule) = read_rule(&mut cx, r, methods, &names, &mut kw) {
                rules.push(rule);
            }
        }
    }

    let keywords = match kw.build() {
        Ok(k) => k,
        Err(e) => {
            errors.push(RuleError {
                file: files.first().map_or("", |f| f.name).to_string(),
                line: 1,
                message: e,
            });
            return Err(errors);
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let fast: Vec<_> = custom.iter().map(|d| d.fast.as_ref()).collect();
    let word_starts = crate::custom::WordStarts::new(&fast);
    Ok(Compiled {
        settings,
        word_starts,
        custom,
        rules,
        keywords,
        builtin_context,
        business_context,
        reported_lists,
    })
}

fn read_settings(cx: &mut Ctx<'_>, s: &SettingsRaw, methods: &[Method], out: &mut Settings) {
    if let Some(e) = &s.evaluation {
        match e.get_ref().as_str() {
            "accumulate" => out.evaluation = Evaluation::Accumulate,
            "first-match" => out.evaluation = Evaluation::FirstMatch,
            _ => cx.err(e.span(), "evaluation must be `accumulate` or `first-match`"),
        }
    }
    if let Some(tags) = &s.subject_tags {
        out.subject_tags = tags
            .iter()
            .filter(|t| !t.trim().is_empty())
            .cloned()
            .collect();
    }
    if let Some(p) = &s.placeholder_subject {
        out.placeholder_subject = p.clone();
    }
    if let Some(a) = &s.default
        && let Some(a) = read_action_table(cx, a, methods)
    {
        out.default = a;
    }
    if let Some(a) = &s.on_unscannable
        && let Some(a) = read_action_table(cx, a, methods)
    {
        out.on_unscannable = a;
    }
    if let Some(l) = &s.limits {
        read_limits(l, &mut out.limits);
    }
}

fn read_limits(l: &LimitsRaw, out: &mut crate::model::Limits) {
    let set = |v: Option<u64>, slot: &mut u64| {
        if let Some(v) = v {
            *slot = v;
        }
    };
    if let Some(v) = l.max_depth {
        out.max_depth = v;
    }
    if let Some(v) = l.max_parts {
        out.max_parts = v;
    }
    set(l.max_attachment_bytes, &mut out.max_attachment_bytes);
    set(l.max_extracted_bytes, &mut out.max_extracted_bytes);
    set(l.max_scan_bytes, &mut out.max_scan_bytes);
    set(l.extract_timeout_ms, &mut out.extract_timeout_ms);
    set(l.extract_memory_mib, &mut out.extract_memory_mib);
}

fn read_action_table(
    cx: &mut Ctx<'_>,
    a: &Spanned<ActionRaw>,
    methods: &[Method],
) -> Option<Action> {
    let a = a.get_ref();
    let requirement = read_action(
        cx,
        &a.action,
        a.chain.as_deref(),
        a.min_key_trust.as_ref(),
        methods,
    )?;
    Some(Action {
        requirement,
        phi: a.phi.unwrap_or(false),
    })
}

fn read_action(
    cx: &mut Ctx<'_>,
    action: &Spanned<String>,
    chain: Option<&[Spanned<String>]>,
    min_key_trust: Option<&Spanned<String>>,
    methods: &[Method],
) -> Option<Requirement> {
    let trust = match min_key_trust {
        None => KeyTrust::default(),
        Some(t) => match t.get_ref().parse::<KeyTrust>() {
            Ok(t) => t,
            Err(e) => {
                cx.err(t.span(), format!("min_key_trust: {e}"));
                return None;
            }
        },
    };
    let req = match action.get_ref().as_str() {
        "deliver" => Requirement::Deliver,
        "tls-only" => Requirement::TlsOnly,
        "hold" => Requirement::Hold,
        "reject" => Requirement::Reject,
        "encrypt" => Requirement::Encrypt {
            chain: read_chain(cx, action.span(), chain, methods)?,
            min_key_trust: trust,
        },
        _ => {
            cx.err(
                action.span(),
                "action must be one of deliver, encrypt, tls-only, hold, reject",
            );
            return None;
        }
    };
    if !matches!(req, Requirement::Encrypt { .. })
        && let Some(c) = chain.and_then(|c| c.first())
    {
        cx.err(c.span(), "`chain` is only for action = \"encrypt\"");
        return None;
    }
    if !matches!(req, Requirement::Encrypt { .. })
        && let Some(t) = min_key_trust
    {
        cx.err(t.span(), "`min_key_trust` is only for action = \"encrypt\"");
        return None;
    }
    Some(req)
}

fn read_chain(
    cx: &mut Ctx<'_>,
    at: Range<usize>,
    chain: Option<&[Spanned<String>]>,
    methods: &[Method],
) -> Option<Vec<Method>> {
    let Some(chain) = chain else {
        return Some(crate::model::default_chain());
    };
    let mut out = Vec::new();
    let mut ok = true;
    for m in chain {
        match m.get_ref().parse::<Method>() {
            Ok(method) if !methods.contains(&method) => {
                cx.err(
                    m.span(),
                    format!("method `{method}` is not provided by this build"),
                );
                ok = false;
            }
            Ok(method) if out.contains(&method) => {
                cx.err(m.span(), format!("method `{method}` appears twice"));
                ok = false;
            }
            Ok(method) => out.push(method),
            Err(e) => {
                cx.err(m.span(), format!("`{}`: {e}", m.get_ref()));
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    let terminal_at = out.iter().position(|m| m.is_terminal());
    match terminal_at {
        Some(i) if i + 1 == out.len() => Some(out),
        Some(i) => {
            cx.err(
                chain[i].span(),
                "a terminal method (hold, bounce-with-notice) must be last",
            );
            None
        }
        None => {
            cx.err(
                at,
                "an encrypt chain must end with `hold` or `bounce-with-notice` (never plaintext)",
            );
            None
        }
    }
}

fn read_detector(
    cx: &mut Ctx<'_>,
    d: &Spanned<DetectorRaw>,
    kw: &mut KeywordIndexBuilder,
) -> Option<CustomDetector> {
    let d = d.get_ref();
    let name = d.name.get_ref().trim();
    if name.is_empty() {
        cx.err(d.name.span(), "detector name is empty");
        return None;
    }
    let re = match regex::RegexBuilder::new(d.pattern.get_ref())
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
    {
        Ok(re) => re,
        Err(e) => {
            cx.err(d.pattern.span(), format!("invalid pattern: {e}"));
            return None;
        }
    };
    // The same expression without Unicode classes, for texts that are all ASCII (most mail):
    // on such a text `\b`, `\w`, `\s`, `\d` and `(?i)` mean the same in both modes, and the
    // ASCII automaton is several times faster. A pattern that needs Unicode mode to compile
    // (it could match invalid UTF-8 without it) has none.
    let ascii = regex::RegexBuilder::new(d.pattern.get_ref())
        .size_limit(REGEX_SIZE_LIMIT)
        .unicode(false)
        .build()
        .ok();
    let fast = ascii
        .as_ref()
        .and_then(|_| crate::custom::Prefiltered::new(d.pattern.get_ref(), REGEX_SIZE_LIMIT));
    let unit = |cx: &mut Ctx<'_>, v: &Option<Spanned<f32>>, default: f32| match v {
        Some(v) if !(0.0..=1.0).contains(v.get_ref()) => {
            cx.err(v.span(), "must be between 0 and 1");
            default
        }
        Some(v) => *v.get_ref(),
        None => default,
    };
    let base = unit(cx, &d.confidence, 0.6);
    let boost = unit(cx, &d.context_boost, 0.3);
    let context =
        (!d.context.is_empty()).then(|| kw.add_list(d.context.iter().map(String::as_str)));
    Some(CustomDetector {
        name: name.to_string(),
        re,
        ascii,
        fast,
        base,
        boost,
        window: d.window.unwrap_or(DEFAULT_WITHIN),
        context,
    })
}

fn read_rule(
    cx: &mut Ctx<'_>,
    r: &Spanned<RuleRaw>,
    methods: &[Method],
    names: &Names<'_>,
    kw: &mut KeywordIndexBuilder,
) -> Option<Rule> {
    let line = line_of(cx.text, r.span().start);
    let raw = r.get_ref();
    if raw.id.get_ref().trim().is_empty() {
        cx.err(raw.id.span(), "rule id is empty");
    }
    let when = read_cond(cx, &raw.when, names, kw);
    let requirement = read_action(
        cx,
        &raw.action,
        raw.chain.as_deref(),
        raw.min_key_trust.as_ref(),
        methods,
    );
    let mut add_headers = Vec::new();
    for h in &raw.add_header {
        let name = h.name.get_ref();
        let valid_name =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
        if !valid_name {
            cx.err(h.name.span(), "invalid header name");
        }
        if h.value.get_ref().contains(['\r', '\n']) {
            cx.err(h.value.span(), "header value may not contain line breaks");
        }
        add_headers.push((name.clone(), h.value.get_ref().clone()));
    }
    let portal_expiry = raw.portal_expiry.as_ref().and_then(|e| {
        let secs = crate::expiry::parse_duration(e.get_ref());
        if secs.is_none() {
            cx.err(
                e.span(),
                "portal_expiry must be a whole number and a unit, like \"7d\", \"12h\", \"30m\" or \"2w\"",
            );
        }
        secs
    });
    Some(Rule {
        id: raw.id.get_ref().clone(),
        origin: format!("{}:{line}", cx.file),
        description: raw.description.clone(),
        when: when?,
        action: Action {
            requirement: requirement?,
            phi: raw.phi,
        },
        stop: raw.stop,
        strip_tag: raw.strip_tag,
        placeholder_subject: raw.placeholder_subject,
        add_headers,
        portal_expiry,
    })
}

fn read_cond(
    cx: &mut Ctx<'_>,
    c: &Spanned<CondRaw>,
    names: &Names<'_>,
    kw: &mut KeywordIndexBuilder,
) -> Option<Cond> {
    let span = c.span();
    let raw = c.get_ref();
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
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    if kinds != 1 {
        cx.err(
            span,
            "a condition needs exactly one of: any, all, not, detector, dictionary, keywords, \
             sender, recipient, subject_tag, header, attachment, encrypted, unscannable, always",
        );
        return None;
    }
    let counting = raw.detector.is_some() || raw.dictionary.is_some() || raw.keywords.is_some();
    if !counting
        && (raw.min_count.is_some()
            || raw.confidence.is_some()
            || raw.near.is_some()
            || raw.locations.is_some())
    {
        cx.err(
            span,
            "min_count, confidence, near and in belong to detector, dictionary or keywords",
        );
        return None;
    }
    if raw.matches.is_some() && raw.header.is_none() {
        cx.err(span, "`matches` belongs to `header`");
        return None;
    }
    let flag = |cx: &mut Ctx<'_>, v: bool, cond: Cond| {
        if v {
            Some(cond)
        } else {
            cx.err(span.clone(), "write `not = { … }` instead of `= false`");
            None
        }
    };
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
            Some(c) => match c.get_ref() {
                ConfRaw::Level(l) => match level(l) {
                    Some(v) => v,
                    None => {
                        cx.err(c.span(), "confidence must be low, medium, high or 0..1");
                        return None;
                    }
                },
                ConfRaw::Number(n) if (0.0..=1.0).contains(n) => *n as f32,
                ConfRaw::Number(_) => {
                    cx.err(c.span(), "confidence must be low, medium, high or 0..1");
                    return None;
                }
            },
        };
        return Some(Cond::Detector {
            det,
            min: raw.min_count.unwrap_or(1).max(1),
            conf,
            near: read_near(cx, raw.near.as_ref(), names, kw)?,
            locs: read_locs(cx, raw.locations.as_deref())?,
        });
    }
    if raw.dictionary.is_some() || raw.keywords.is_some() {
        if raw.confidence.is_some() {
            cx.err(span, "`confidence` belongs to detectors");
            return None;
        }
        let (list, name) = if let Some(d) = &raw.dictionary {
            match names.dictionaries.get(d.get_ref().as_str()) {
                Some(&id) => (id, d.get_ref().clone()),
                None => {
                    cx.err(
                        d.span(),
                        format!(
                            "unknown dictionary `{}` (no dictionaries/{0}.txt)",
                            d.get_ref()
                        ),
                    );
                    return None;
                }
            }
        } else {
            let words = raw.keywords.as_deref().unwrap_or_default();
            (
                kw.add_list(words.iter().map(String::as_str)),
                "keywords".into(),
            )
        };
        return Some(Cond::Keywords {
            list,
            name,
            min: raw.min_count.unwrap_or(1).max(1),
            near: read_near(cx, raw.near.as_ref(), names, kw)?,
            locs: read_locs(cx, raw.locations.as_deref())?,
        });
    }
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
        let re = match &raw.matches {
            None => None,
            Some(m) => match regex::RegexBuilder::new(m.get_ref())
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
            {
                Ok(re) => Some(re),
                Err(e) => {
                    cx.err(m.span(), format!("invalid expression: {e}"));
                    return None;
                }
            },
        };
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
    let name = match &raw.name_matches {
        None => None,
        Some(m) => match regex::RegexBuilder::new(m.get_ref())
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
        {
            Ok(re) => Some(re),
            Err(e) => {
                cx.err(m.span(), format!("invalid expression: {e}"));
                return None;
            }
        },
    };
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
