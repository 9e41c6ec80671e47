//! Sealgate's rules engine and HIPAA DLP detectors (the classify stage): message in,
//! [`Decision`] out.
//!
//! * [`RuleSet::load_dir`] reads a rule directory (`*.toml` in file-name order,
//!   `dictionaries/*.txt`, `lists/*.txt`) and reports every error with file and line;
//!   [`RuleSet::embedded_default`] is the shipped `deploy/rules/` set.
//! * [`RuleSet::classify`] scans subject, display names, bodies, nested messages and attachment
//!   text, runs the detectors in one pass, evaluates the rules per recipient and returns one
//!   [`Requirement`] per envelope recipient. It never panics to its caller, and time and memory
//!   are bounded by the set's [`Limits`].
//! * [`RuleSet::explain`] returns the same decision with the reasons, for `sealgate explain`.
//! * [`watch::DirFingerprint`] tells a reloader that a rule directory changed.
//!
//! Nothing this crate returns, logs or formats contains a matched value or message text:
//! detector names, counts, confidences, locations and rule ids only.
//!
//! The rule format is described in `rules/README.md`; the JSON Schema for editors is
//! `rules/schema/rules.schema.json`.
#![forbid(unsafe_code)]

mod compile;
pub mod content;
mod custom;
pub mod detect;
mod embedded;
mod eval;
pub mod expiry;
pub mod extract;
mod findings;
mod format;
pub mod hl7;
pub mod html;
pub mod json;
pub mod keywords;
mod model;
pub mod tables;
pub mod textlike;
pub mod watch;

pub use compile::Source;
pub use eval::RecipientTrace;
pub use extract::child::{ChildProcess, extractor_main};
pub use extract::{DocKind, ExtractFailure, Extractor, InProcess};
pub use model::{Evaluation, Limits};
pub use sealgate_core::{
    Decision, DetectorHit, HeaderChange, KeyTrust, Location, Method, Requirement,
};

use embedded::{DEFAULT_DICTIONARIES, DEFAULT_FILES};
use model::Compiled;
use sealgate_core::{Address, Message};
use serde::Serialize;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

/// The methods this build provides. `portal` is taken only where the gateway has a `[portal]`;
/// elsewhere it is passed over as not available and the chain goes on to its next method.
pub const PROVIDED_METHODS: &[Method] = &[
    Method::TlsVerified,
    Method::Pgp,
    Method::Smime,
    Method::Portal,
    Method::Hold,
    Method::BounceWithNotice,
];

/// A problem in a rule set, with the file and line it is on. The message never quotes message
/// content (rule files are admin-written; messages are not involved in loading).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleError {
    /// File name relative to the rule directory.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for RuleError {}

/// A loaded, validated rule set. Cheap to clone; share it between threads.
#[derive(Debug, Clone)]
pub struct RuleSet {
    compiled: Arc<Compiled>,
    extractor: Arc<dyn Extractor>,
}

/// One attachment in an explanation (no file name: names can carry PHI).
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentSummary {
    /// Attachment index.
    pub index: u32,
    /// MIME type.
    pub content_type: String,
    /// Decoded size.
    pub size: u64,
    /// `text`, `extracted`, `message`, `not-text`, or the failure reason.
    pub scan: &'static str,
}

/// One rule checked for one recipient.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCheck {
    /// Rule id.
    pub rule: String,
    /// `file:line` where it is defined.
    pub origin: String,
    /// The rule's description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether it matched.
    pub matched: bool,
    /// The condition tree with counts.
    pub conditions: Vec<String>,
}

/// Why one recipient gets what it gets.
#[derive(Debug, Clone, Serialize)]
pub struct RecipientExplanation {
    /// Envelope position.
    pub index: usize,
    /// The recipient address.
    pub address: String,
    /// Decision trace.
    #[serde(flatten)]
    pub trace: RecipientTrace,
    /// Every rule, in evaluation order, with its condition results.
    pub rules: Vec<RuleCheck>,
}

/// A decision with its reasons.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The decision, exactly as `classify` returns it.
    pub decision: Decision,
    /// `accumulate` or `first-match`.
    pub evaluation: &'static str,
    /// The configured subject tag found, if any.
    pub subject_tag: Option<String>,
    /// Attachments.
    pub attachments: Vec<AttachmentSummary>,
    /// Content that could not be scanned: (location, reason).
    pub unscannable: Vec<(Location, &'static str)>,
    /// Per recipient.
    pub recipients: Vec<RecipientExplanation>,
}

fn read_dir_sorted(dir: &Path, ext: &str) -> Result<Vec<(String, String)>, RuleError> {
    let io_err = |name: &str, e: std::io::Error| RuleError {
        file: name.to_string(),
        line: 1,
        message: format!("cannot read: {}", e.kind()),
    };
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && ext == "txt" => return Ok(out),
        Err(e) => return Err(io_err(&dir.display().to_string(), e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| io_err(&dir.display().to_string(), e))?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(ext) || !path.is_file() {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path).map_err(|e| io_err(&name, e))?;
        out.push((name, text));
    }
    out.sort();
    Ok(out)
}

/// The envelope a message's own headers imply, for tools that have only the `.eml`: the
/// `From` address as sender and the `To`, `Cc` and `Bcc` addresses as recipients (unparseable
/// ones are skipped).
pub fn envelope_from_headers(raw: &[u8]) -> (Option<Address>, Vec<Address>) {
    let Some(m) = mail_parser::MessageParser::default().parse_headers(raw) else {
        return (None, Vec::new());
    };
    let first = |a: Option<&mail_parser::Address<'_>>| -> Vec<Address> {
        a.map(|a| {
            a.iter()
                .filter_map(|x| x.address())
                .filter_map(|x| Address::parse(x).ok())
                .collect()
        })
        .unwrap_or_default()
    };
    let sender = first(m.from()).into_iter().next();
    let mut rcpts = first(m.to());
    rcpts.extend(first(m.cc()));
    rcpts.extend(first(m.bcc()));
    (sender, rcpts)
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

impl RuleSet {
    /// Loads a rule directory with the methods this build provides.
    pub fn load_dir(path: &Path) -> Result<RuleSet, Vec<RuleError>> {
        RuleSet::load_dir_with(path, PROVIDED_METHODS)
    }

    /// Loads a rule directory, accepting only `methods` in chains.
    pub fn load_dir_with(path: &Path, methods: &[Method]) -> Result<RuleSet, Vec<RuleError>> {
        let files = read_dir_sorted(path, "toml").map_err(|e| vec![e])?;
        let dicts = read_dir_sorted(&path.join("dictionaries"), "txt").map_err(|e| vec![e])?;
        let lists = read_dir_sorted(&path.join("lists"), "txt").map_err(|e| vec![e])?;
        if files.is_empty() {
            return Err(vec![RuleError {
                file: path.display().to_string(),
                line: 1,
                message: "no *.toml rule files".into(),
            }]);
        }
        let src = |v: &[(String, String)], strip: bool| -> Vec<(String, String)> {
            v.iter()
                .map(|(n, t)| {
                    let n = if strip {
                        stem(n).to_string()
                    } else {
                        n.clone()
                    };
                    (n, t.clone())
                })
                .collect()
        };
        let (d, l) = (src(&dicts, true), src(&lists, true));
        let files: Vec<Source<'_>> = files
            .iter()
            .map(|(n, t)| Source { name: n, text: t })
            .collect();
        let d: Vec<Source<'_>> = d.iter().map(|(n, t)| Source { name: n, text: t }).collect();
        let l: Vec<Source<'_>> = l.iter().map(|(n, t)| Source { name: n, text: t }).collect();
        RuleSet::from_sources(&files, &d, &l, methods)
    }

    /// Builds a rule set from texts: rule files (named for errors), dictionaries and lists
    /// (named as referenced in rules).
    pub fn from_sources(
        files: &[Source<'_>],
        dictionaries: &[Source<'_>],
        lists: &[Source<'_>],
        methods: &[Method],
    ) -> Result<RuleSet, Vec<RuleError>> {
        let compiled = compile::compile(files, dictionaries, lists, methods)?;
        Ok(RuleSet {
            compiled: Arc::new(compiled),
            extractor: Arc::new(InProcess),
        })
    }

    /// The shipped default set (`deploy/rules/`), compiled into the binary.
    pub fn embedded_default() -> RuleSet {
        let files: Vec<Source<'_>> = DEFAULT_FILES
            .iter()
            .map(|(n, t)| Source { name: n, text: t })
            .collect();
        let dicts: Vec<Source<'_>> = DEFAULT_DICTIONARIES
            .iter()
            .map(|(n, t)| Source { name: n, text: t })
            .collect();
        match RuleSet::from_sources(&files, &dicts, &[], PROVIDED_METHODS) {
            Ok(r) => r,
            // The embedded set is tested (`embedded_default_compiles`); should it ever fail,
            // the safest set is one that encrypts everything.
            Err(_) => RuleSet::encrypt_everything(),
        }
    }

    fn encrypt_everything() -> RuleSet {
        const FALLBACK: &str = "[settings]\ndefault = { action = \"encrypt\", phi = true }\n";
        let files = [Source {
            name: "fallback.toml",
            text: FALLBACK,
        }];
        match RuleSet::from_sources(&files, &[], &[], PROVIDED_METHODS) {
            Ok(r) => r,
            // A one-line settings table with the default chain; covered by the test
            // `fallback_set_encrypts_everything`, so this cannot fail at run time.
            Err(e) => panic!("fallback rule set invalid: {e:?}"),
        }
    }

    /// Uses `extractor` for attachment documents (e.g. a [`ChildProcess`]).
    pub fn with_extractor(mut self, extractor: Arc<dyn Extractor>) -> RuleSet {
        self.extractor = extractor;
        self
    }

    /// The scanning limits of this set.
    pub fn limits(&self) -> &Limits {
        &self.compiled.settings.limits
    }

    /// Rule ids in evaluation order.
    pub fn rule_ids(&self) -> Vec<&str> {
        self.compiled.rules.iter().map(|r| r.id.as_str()).collect()
    }

    /// Classifies a message: one requirement per envelope recipient, in envelope order.
    pub fn classify(&self, message: &Message) -> Decision {
        let rcpts: Vec<&Address> = message
            .envelope
            .recipients
            .iter()
            .map(|r| &r.address)
            .collect();
        self.classify_raw(&message.body, message.envelope.mail_from.as_ref(), &rcpts)
    }

    /// Classifies raw message bytes for an envelope.
    pub fn classify_raw(
        &self,
        body: &[u8],
        sender: Option<&Address>,
        recipients: &[&Address],
    ) -> Decision {
        match self.run(body, sender, recipients, false) {
            Some((d, _)) => d,
            None => self.panic_decision(recipients.len()),
        }
    }

    /// Classifies a message and says why.
    pub fn explain(&self, message: &Message) -> Explanation {
        let rcpts: Vec<&Address> = message
            .envelope
            .recipients
            .iter()
            .map(|r| &r.address)
            .collect();
        self.explain_raw(&message.body, message.envelope.mail_from.as_ref(), &rcpts)
    }

    /// Classifies raw message bytes for an envelope and says why.
    pub fn explain_raw(
        &self,
        body: &[u8],
        sender: Option<&Address>,
        recipients: &[&Address],
    ) -> Explanation {
        match self.run(body, sender, recipients, true) {
            Some((_, Some(e))) => e,
            _ => Explanation {
                decision: self.panic_decision(recipients.len()),
                evaluation: self.evaluation_name(),
                subject_tag: None,
                attachments: Vec::new(),
                unscannable: vec![(Location::Body, "crashed")],
                recipients: Vec::new(),
            },
        }
    }

    fn evaluation_name(&self) -> &'static str {
        match self.compiled.settings.evaluation {
            Evaluation::Accumulate => "accumulate",
            Evaluation::FirstMatch => "first-match",
        }
    }

    /// The fail-closed decision used if evaluation itself panicked.
    fn panic_decision(&self, n: usize) -> Decision {
        let a = &self.compiled.settings.on_unscannable;
        let mut d = Decision::uniform(a.requirement.clone(), n);
        d.rules.push("fail-closed".into());
        d.phi = a.phi;
        d
    }

    fn run(
        &self,
        body: &[u8],
        sender: Option<&Address>,
        recipients: &[&Address],
        explain: bool,
    ) -> Option<(Decision, Option<Explanation>)> {
        catch_unwind(AssertUnwindSafe(|| {
            let c = &*self.compiled;
            let content = content::analyse(body, &c.settings.limits, &*self.extractor);
            let found = findings::find(&content, c);
            let cx = eval::Ctx {
                c,
                content: &content,
                findings: &found,
                sender,
                tag: eval::find_tag(&content.subject, &c.settings.subject_tags),
                header_memo: Default::default(),
            };
            let (decision, traces) = eval::decide(&cx, recipients, explain);
            let explanation =
                explain.then(|| self.explanation(&cx, decision.clone(), traces, recipients));
            drop(cx);
            // The thread keeps the vectors and texts for its next message.
            findings::recycle(found);
            content::recycle(content);
            (decision, explanation)
        }))
        .ok()
    }

    /// What `explain` shows for a decided message: per recipient, every rule with its
    /// conditions' counts (names and counts only).
    fn explanation(
        &self,
        cx: &eval::Ctx<'_>,
        decision: Decision,
        traces: Vec<RecipientTrace>,
        recipients: &[&Address],
    ) -> Explanation {
        let c = cx.c;
        let recipients = traces
            .into_iter()
            .zip(recipients)
            .map(|(trace, addr)| RecipientExplanation {
                index: trace.index,
                address: addr.to_string(),
                rules: c
                    .rules
                    .iter()
                    .map(|r| {
                        let mut conditions = Vec::new();
                        cx.describe(&r.when, addr, 0, &mut conditions);
                        RuleCheck {
                            rule: r.id.clone(),
                            origin: r.origin.clone(),
                            description: r.description.clone(),
                            matched: cx.eval(&r.when, addr),
                            conditions,
                        }
                    })
                    .collect(),
                trace,
            })
            .collect();
        Explanation {
            decision,
            evaluation: self.evaluation_name(),
            subject_tag: cx.tag.clone(),
            attachments: cx
                .content
                .attachments
                .iter()
                .map(|a| AttachmentSummary {
                    index: a.index,
                    content_type: a.content_type.clone(),
                    size: a.size,
                    scan: a.scan.as_str(),
                })
                .collect(),
            unscannable: cx.content.unscannable.clone(),
            recipients,
        }
    }
}
