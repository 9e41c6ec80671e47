//! Turns rule files, dictionaries and lists into a [`Compiled`] set, reporting every problem at
//! once with its file and line. Nothing invalid survives this step.

use crate::RuleError;
use crate::detect::IdKind;
use crate::format::{DetectorRaw, FileRaw, LimitsRaw, RuleRaw, SettingsRaw};
use crate::keywords::KeywordIndexBuilder;
use crate::model::{Action, Compiled, CustomDetector, Evaluation, Rule, Settings};
use sealgate_core::Method;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use toml::Spanned;

mod action;
mod cond;

use action::{read_action, read_action_table};
use cond::read_cond;

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
    let fast = |gated: bool| -> Vec<_> {
        custom
            .iter()
            .map(|d| d.fast.as_ref().filter(|_| d.only_with.is_some() == gated))
            .collect()
    };
    let word_starts = crate::custom::WordStarts::new(&fast(false));
    let gated_word_starts = crate::custom::WordStarts::new(&fast(true));
    Ok(Compiled {
        settings,
        word_starts,
        gated_word_starts,
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
    let only_with =
        (!d.only_with.is_empty()).then(|| kw.add_list(d.only_with.iter().map(String::as_str)));
    Some(CustomDetector {
        name: name.to_string(),
        re,
        ascii,
        fast,
        base,
        boost,
        window: d.window.unwrap_or(DEFAULT_WITHIN),
        context,
        only_with,
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
