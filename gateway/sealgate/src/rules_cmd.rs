//! `sealgate rules check DIR`, `sealgate rules test DIR --cases DIR` and
//! `sealgate explain FILE.eml [--rules DIR] [--json]`.
//!
//! Output goes to stdout; the functions return the process exit code (0 ok, 1 failures found,
//! 2 unusable input). Nothing printed quotes message content: detector names, counts,
//! confidences, locations and rule ids only.
//!
//! Golden cases (`rules test`): `NAME.eml` beside `NAME.json`, where the JSON gives the
//! envelope and the expectation:
//!
//! ```json
//! { "sender": "dr.a@clinic.example", "recipients": ["p@mail.example"],
//!   "expect": { "requirements": ["encrypt"], "chain": ["tls-verified", "pgp", "smime", "portal", "hold"],
//!               "phi": true, "rules": ["phi-identifier"], "detectors": ["us-ssn"],
//!               "absent_detectors": ["npi"], "header_changes": ["strip-subject-tag"] } }
//! ```
//!
//! Every `expect` key is optional; `rules` is the exact set of matched rule ids.

use anyhow::{Context, Result, bail};
use sealgate_core::{Address, Decision, HeaderChange, Location, Requirement};
use sealgate_rules::{Explanation, RuleSet};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `sealgate rules check DIR`: every error with file and line; exit 1 if any.
pub fn check(dir: &Path) -> Result<i32> {
    match RuleSet::load_dir(dir) {
        Ok(set) => {
            let ids = set.rule_ids();
            outln!(
                "{}: ok, {} rules: {}",
                dir.display(),
                ids.len(),
                ids.join(", ")
            );
            Ok(0)
        }
        Err(errors) => {
            for e in &errors {
                outln!("{e}");
            }
            outln!("{}: {} error(s)", dir.display(), errors.len());
            Ok(1)
        }
    }
}

fn load(rules: Option<&Path>) -> Result<Option<RuleSet>> {
    match rules {
        None => Ok(Some(RuleSet::embedded_default())),
        Some(dir) => match RuleSet::load_dir(dir) {
            Ok(s) => Ok(Some(s)),
            Err(errors) => {
                for e in &errors {
                    outln!("{e}");
                }
                Ok(None)
            }
        },
    }
}

fn parse_addr(v: &Value, what: &str) -> Result<Address> {
    let s = v
        .as_str()
        .with_context(|| format!("{what} must be a string"))?;
    Address::parse(s).map_err(|e| anyhow::anyhow!("{what} `{s}`: {e}"))
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    })
}

fn change_name(h: &HeaderChange) -> &'static str {
    match h {
        HeaderChange::StripSubjectTag { .. } => "strip-subject-tag",
        HeaderChange::AddHeader { .. } => "add-header",
        HeaderChange::PlaceholderSubject { .. } => "placeholder-subject",
    }
}

/// Compares a decision with a case's `expect` object; returns the differences.
fn compare(d: &Decision, expect: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    if let Some(want) = strings(expect.get("requirements")) {
        let got: Vec<&str> = d.recipients.iter().map(Requirement::name).collect();
        if got != want {
            diffs.push(format!("requirements: expected {want:?}, got {got:?}"));
        }
    }
    if let Some(want) = strings(expect.get("chain")) {
        for (i, r) in d.recipients.iter().enumerate() {
            if let Requirement::Encrypt { chain, .. } = r {
                let got: Vec<&str> = chain.iter().map(|m| m.as_str()).collect();
                if got != want {
                    diffs.push(format!(
                        "recipient {i} chain: expected {want:?}, got {got:?}"
                    ));
                }
            }
        }
    }
    if let Some(want) = expect.get("phi").and_then(Value::as_bool)
        && want != d.phi
    {
        diffs.push(format!("phi: expected {want}, got {}", d.phi));
    }
    if let Some(mut want) = strings(expect.get("rules")) {
        let mut got = d.rules.clone();
        want.sort();
        got.sort();
        if got != want {
            diffs.push(format!("rules: expected {want:?}, got {got:?}"));
        }
    }
    let found = |name: &str| d.hits.iter().any(|h| h.detector == name);
    for name in strings(expect.get("detectors")).unwrap_or_default() {
        if !found(&name) {
            diffs.push(format!("detector {name}: expected a hit, none"));
        }
    }
    for name in strings(expect.get("absent_detectors")).unwrap_or_default() {
        if found(&name) {
            diffs.push(format!("detector {name}: expected no hit, found one"));
        }
    }
    if let Some(mut want) = strings(expect.get("header_changes")) {
        let mut got: Vec<String> = d
            .header_changes
            .iter()
            .map(|h| change_name(h).to_string())
            .collect();
        want.sort();
        got.sort();
        got.dedup();
        if got != want {
            diffs.push(format!("header changes: expected {want:?}, got {got:?}"));
        }
    }
    if let Some(want) = expect.get("reject").and_then(Value::as_bool)
        && want != d.rejects()
    {
        diffs.push(format!("reject: expected {want}, got {}", d.rejects()));
    }
    diffs
}

fn run_case(set: &RuleSet, eml: &Path, spec_path: &Path) -> Result<Vec<String>> {
    let raw = std::fs::read(eml).with_context(|| format!("reading {}", eml.display()))?;
    let spec: Value = serde_json::from_slice(
        &std::fs::read(spec_path).with_context(|| format!("reading {}", spec_path.display()))?,
    )
    .with_context(|| format!("{}: invalid JSON", spec_path.display()))?;
    let (hdr_sender, hdr_rcpts) = sealgate_rules::envelope_from_headers(&raw);
    let sender = match spec.get("sender") {
        Some(v) => Some(parse_addr(v, "sender")?),
        None => hdr_sender,
    };
    let rcpts: Vec<Address> = match spec.get("recipients").and_then(Value::as_array) {
        Some(a) => a
            .iter()
            .map(|v| parse_addr(v, "recipient"))
            .collect::<Result<_>>()?,
        None => hdr_rcpts,
    };
    if rcpts.is_empty() {
        bail!("{}: no recipients", spec_path.display());
    }
    let refs: Vec<&Address> = rcpts.iter().collect();
    let d = set.classify_raw(&raw, sender.as_ref(), &refs);
    let expect = spec.get("expect").cloned().unwrap_or(Value::Null);
    Ok(compare(&d, &expect))
}

/// `sealgate rules test DIR --cases DIR`: runs every `NAME.eml` with its `NAME.json`.
pub fn test(dir: &Path, cases: &Path) -> Result<i32> {
    let Some(set) = load(Some(dir))? else {
        return Ok(2);
    };
    let mut emls: Vec<PathBuf> = std::fs::read_dir(cases)
        .with_context(|| format!("reading {}", cases.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    emls.sort();
    if emls.is_empty() {
        outln!("{}: no .eml cases", cases.display());
        return Ok(2);
    }
    let (mut passed, mut failed) = (0, 0);
    for eml in &emls {
        let name = eml
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let spec = eml.with_extension("json");
        match run_case(&set, eml, &spec) {
            Ok(diffs) if diffs.is_empty() => {
                passed += 1;
                outln!("ok    {name}");
            }
            Ok(diffs) => {
                failed += 1;
                outln!("FAIL  {name}");
                for d in diffs {
                    outln!("      {d}");
                }
            }
            Err(e) => {
                failed += 1;
                outln!("FAIL  {name}: {e:#}");
            }
        }
    }
    outln!("rules test: {passed} passed, {failed} failed");
    Ok(if failed == 0 { 0 } else { 1 })
}

fn loc_name(l: &Location) -> String {
    match l {
        Location::Subject => "subject".into(),
        Location::Header => "display names".into(),
        Location::Body => "body".into(),
        Location::Attachment { index } => format!("attachment #{index}"),
    }
}

fn requirement_text(r: &Requirement) -> String {
    match r {
        Requirement::Encrypt {
            chain,
            min_key_trust,
        } => {
            let c: Vec<&str> = chain.iter().map(|m| m.as_str()).collect();
            format!(
                "encrypt ({}; keys trusted {min_key_trust} or better)",
                c.join(" -> ")
            )
        }
        Requirement::Deliver => "deliver (opportunistic TLS)".into(),
        Requirement::TlsOnly => "tls-only (TLS or drop with notice)".into(),
        Requirement::Hold => "hold".into(),
        Requirement::Reject => "reject (550 5.7.1 at DATA)".into(),
    }
}

/// One recipient's requirement, the rule that decided it and every rule's conditions.
fn print_recipient(r: &sealgate_rules::RecipientExplanation) {
    outln!();
    outln!(
        "Recipient {} <{}>: {}",
        r.index + 1,
        r.address,
        requirement_text(&r.trace.requirement)
    );
    outln!("  decided by: {}", r.trace.decided_by);
    for rule in &r.rules {
        let state = if rule.matched {
            "matched"
        } else {
            "did not match"
        };
        outln!("  rule {} ({}): {state}", rule.rule, rule.origin);
        for line in &rule.conditions {
            outln!("    {line}");
        }
    }
}

fn print_explanation(e: &Explanation) {
    let d = &e.decision;
    outln!("Decision: phi={} rules=[{}]", d.phi, d.rules.join(", "));
    outln!("Evaluation: {}", e.evaluation);
    outln!(
        "Subject tag: {}",
        e.subject_tag.as_deref().unwrap_or("none")
    );
    outln!("Findings (names and counts only):");
    if d.hits.is_empty() {
        outln!("  none");
    }
    for h in &d.hits {
        outln!(
            "  {:<18} {:<16} count {:<4} confidence {:.2}",
            h.detector,
            loc_name(&h.location),
            h.count,
            h.confidence
        );
    }
    if !e.attachments.is_empty() {
        outln!("Attachments:");
        for a in &e.attachments {
            outln!(
                "  #{} {} {} bytes: {}",
                a.index,
                a.content_type,
                a.size,
                a.scan
            );
        }
    }
    if !e.unscannable.is_empty() {
        outln!("Not scannable (fail-closed applies):");
        for (loc, why) in &e.unscannable {
            outln!("  {}: {why}", loc_name(loc));
        }
    }
    e.recipients.iter().for_each(print_recipient);
    if !d.header_changes.is_empty() {
        outln!();
        outln!("Changes to every copy:");
        for h in &d.header_changes {
            match h {
                HeaderChange::StripSubjectTag { tag } => outln!("  strip subject tag {tag}"),
                HeaderChange::AddHeader { name, value } => outln!("  add header {name}: {value}"),
                HeaderChange::PlaceholderSubject { subject } => {
                    outln!("  placeholder subject \"{subject}\" (the subject carried findings)")
                }
            }
        }
    }
    if let Some(secs) = d.portal_expiry {
        outln!(
            "Portal expiry: {} (a rule's portal_expiry or the subject's expiry tag)",
            sealgate_rules::expiry::format_duration(secs)
        );
    }
    if let Some(r) = d.reject_reply() {
        outln!("Reject at DATA: {r}");
    }
}

/// What `sealgate explain` was asked (the command line's `cli::ExplainArgs`).
pub struct ExplainRequest<'a> {
    /// The message (.eml).
    pub file: &'a Path,
    /// Rule directory (the shipped default set without it).
    pub rules: Option<&'a Path>,
    pub json: bool,
    /// `--keys`, with the `--config` whose key store it reads.
    pub keys: Option<Option<&'a Path>>,
    /// `--from`: replaces the From header's address.
    pub from: Option<&'a str>,
    /// `--rcpt`: replace the To/Cc/Bcc headers' addresses when any is given.
    pub rcpts: &'a [String],
}

impl<'a> ExplainRequest<'a> {
    /// `explain FILE [--rules DIR] [--json]`: the headers' envelope, no key walk.
    pub fn new(file: &'a Path, rules: Option<&'a Path>, json: bool) -> ExplainRequest<'a> {
        ExplainRequest {
            file,
            rules,
            json,
            keys: None,
            from: None,
            rcpts: &[],
        }
    }

    /// The sender and recipients to explain for: `--from`/`--rcpt` when given, else the
    /// headers' From and To/Cc/Bcc. An address that does not parse is an error naming the
    /// option.
    fn envelope(&self, raw: &[u8]) -> Result<(Option<Address>, Vec<Address>)> {
        let (header_from, header_rcpts) = sealgate_rules::envelope_from_headers(raw);
        let parse =
            |opt: &str, a: &str| Address::parse(a).map_err(|e| anyhow::anyhow!("{opt} `{a}`: {e}"));
        let sender = match self.from {
            Some(a) => Some(parse("--from", a)?),
            None => header_from,
        };
        if self.rcpts.is_empty() {
            return Ok((sender, header_rcpts));
        }
        let given = self.rcpts.iter().map(|a| parse("--rcpt", a));
        Ok((sender, given.collect::<Result<Vec<_>>>()?))
    }
}

/// `sealgate explain FILE.eml [--rules DIR] [--json] [--from ADDR] [--rcpt ADDR …]`: why each
/// recipient (given with `--rcpt`, else the message's To/Cc/Bcc) gets what it gets.
///
/// With `--keys`, also which method each `encrypt` recipient would get now from the key store
/// of `--config` (see `explain_keys`).
pub fn explain(args: &ExplainRequest<'_>) -> Result<i32> {
    let eml = args.file;
    let Some(set) = load(args.rules)? else {
        return Ok(2);
    };
    let raw = std::fs::read(eml).with_context(|| format!("reading {}", eml.display()))?;
    let (sender, rcpts) = args.envelope(&raw)?;
    if rcpts.is_empty() {
        outln!(
            "{}: no To/Cc/Bcc recipients (a list sent in Bcc has none in its headers): \
             name the envelope recipients with --rcpt ADDR",
            eml.display()
        );
        return Ok(2);
    }
    let refs: Vec<&Address> = rcpts.iter().collect();
    let e = set.explain_raw(&raw, sender.as_ref(), &refs);
    let walks = match args.keys {
        Some(config) => {
            let d = set.classify_raw(&raw, sender.as_ref(), &refs);
            Some(crate::explain_keys::walk(config, &raw, &d, &rcpts)?)
        }
        None => None,
    };
    if args.json {
        let mut v = serde_json::to_value(&e)?;
        if let (Some(w), Some(obj)) = (&walks, v.as_object_mut()) {
            obj.insert("protection_now".into(), serde_json::to_value(w)?);
        }
        outln!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_explanation(&e);
        if let Some(w) = &walks {
            crate::explain_keys::print(w);
        }
    }
    Ok(0)
}
