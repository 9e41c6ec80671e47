//! The rule-file format as written (TOML), before validation.
//!
//! Every table refuses unknown keys, and values that later checks may reject keep their source
//! span so each [`crate::RuleError`] can name its line. See `rules/README.md` for the format and
//! `rules/schema/rules.schema.json` for the editor schema.

use serde::Deserialize;
use toml::Spanned;

/// One rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRaw {
    /// Set-wide settings (at most one file may have them).
    pub settings: Option<Spanned<SettingsRaw>>,
    /// Custom regular-expression detectors.
    #[serde(default)]
    pub detector: Vec<Spanned<DetectorRaw>>,
    /// Rules, in evaluation order.
    #[serde(default)]
    pub rule: Vec<Spanned<RuleRaw>>,
}

/// `[settings]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsRaw {
    /// `accumulate` (default) or `first-match`.
    pub evaluation: Option<Spanned<String>>,
    /// Subject escalation tags, matched case-insensitively.
    pub subject_tags: Option<Vec<String>>,
    /// Subject used for protected copies when the subject itself carried PHI.
    pub placeholder_subject: Option<String>,
    /// Requirement when no rule matches.
    pub default: Option<Spanned<ActionRaw>>,
    /// Requirement when content could not be scanned (fail closed).
    pub on_unscannable: Option<Spanned<ActionRaw>>,
    /// Scanning limits.
    pub limits: Option<LimitsRaw>,
}

/// `[settings.limits]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsRaw {
    /// Deepest MIME / message nesting scanned.
    pub max_depth: Option<u32>,
    /// Most MIME parts scanned.
    pub max_parts: Option<u32>,
    /// Largest attachment scanned, in bytes.
    pub max_attachment_bytes: Option<u64>,
    /// Most text extracted from one attachment (and decompressed inside it), in bytes.
    pub max_extracted_bytes: Option<u64>,
    /// Most text scanned in one message, in bytes.
    pub max_scan_bytes: Option<u64>,
    /// Time budget for extracting one attachment, in milliseconds.
    pub extract_timeout_ms: Option<u64>,
    /// Address-space limit of the extraction child process, in MiB.
    pub extract_memory_mib: Option<u64>,
}

/// An action: a requirement and its method chain.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRaw {
    /// `deliver`, `encrypt`, `tls-only`, `hold` or `reject`.
    pub action: Spanned<String>,
    /// Method chain for `encrypt`.
    pub chain: Option<Vec<Spanned<String>>>,
    /// Least key trust for `encrypt`: `manual`, `verified` or `discovered` (default).
    pub min_key_trust: Option<Spanned<String>>,
    /// Mark the decision as PHI.
    pub phi: Option<bool>,
}

/// `[[detector]]`: a custom regular-expression detector.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorRaw {
    /// Name used in conditions.
    pub name: Spanned<String>,
    /// Regular expression (Rust `regex` syntax, linear time).
    pub pattern: Spanned<String>,
    /// Confidence of a match without context (default 0.6).
    pub confidence: Option<Spanned<f32>>,
    /// Context words that raise the confidence.
    #[serde(default)]
    pub context: Vec<String>,
    /// How much a context word adds (default 0.3).
    pub context_boost: Option<Spanned<f32>>,
    /// How far a context word may be, in characters (default 300).
    pub window: Option<u32>,
    /// Words of which one must be in a text for the detector to run on it at all (none: always
    /// runs). For a detector only a `near` condition uses: it saves its matching elsewhere.
    #[serde(default)]
    pub only_with: Vec<String>,
}

/// `[[rule]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleRaw {
    /// Unique id, reported in decisions.
    pub id: Spanned<String>,
    /// Free text for people.
    pub description: Option<String>,
    /// The condition.
    pub when: Spanned<CondRaw>,
    /// `deliver`, `encrypt`, `tls-only`, `hold` or `reject`.
    pub action: Spanned<String>,
    /// Method chain for `encrypt`.
    pub chain: Option<Vec<Spanned<String>>>,
    /// Least key trust for `encrypt`: `manual`, `verified` or `discovered` (default).
    pub min_key_trust: Option<Spanned<String>>,
    /// A match marks the message as PHI.
    #[serde(default)]
    pub phi: bool,
    /// Stop evaluating further rules for this recipient after a match.
    #[serde(default)]
    pub stop: bool,
    /// Remove the subject tag that matched from every copy.
    #[serde(default)]
    pub strip_tag: bool,
    /// Replace the subject of protected copies when the subject carried a finding.
    #[serde(default)]
    pub placeholder_subject: bool,
    /// Headers to add to every copy.
    #[serde(default)]
    pub add_header: Vec<HeaderRaw>,
    /// How long a portal-escrowed copy stays readable (`7d`, `12h`, `30m`, `2w`).
    pub portal_expiry: Option<Spanned<String>>,
}

/// A header to add.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderRaw {
    /// Header name.
    pub name: Spanned<String>,
    /// Header value.
    pub value: Spanned<String>,
}

/// A confidence threshold: a level name or a number in 0..=1.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ConfRaw {
    /// `low`, `medium`, `high`.
    Level(String),
    /// A number.
    Number(f64),
}

/// One condition: exactly one kind key (`any`, `all`, `not`, `detector`, …) plus its options.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CondRaw {
    /// True when any sub-condition is.
    pub any: Option<Vec<Spanned<CondRaw>>>,
    /// True when all sub-conditions are.
    pub all: Option<Vec<Spanned<CondRaw>>>,
    /// True when the sub-condition is not.
    pub not: Option<Box<Spanned<CondRaw>>>,
    /// A detector (built-in or custom) found enough matches.
    pub detector: Option<Spanned<String>>,
    /// A dictionary's terms occur often enough.
    pub dictionary: Option<Spanned<String>>,
    /// Inline keywords occur often enough.
    pub keywords: Option<Vec<String>>,
    /// Minimum number of matches (default 1).
    pub min_count: Option<u32>,
    /// Minimum confidence per match (default `medium`).
    pub confidence: Option<Spanned<ConfRaw>>,
    /// Only matches with a keyword nearby count.
    pub near: Option<Spanned<NearRaw>>,
    /// Where matches count: `subject`, `header`, `body`, `attachment` (default all).
    #[serde(rename = "in")]
    pub locations: Option<Vec<Spanned<String>>>,
    /// The envelope sender matches.
    pub sender: Option<Spanned<AddrRaw>>,
    /// The recipient being decided matches.
    pub recipient: Option<Spanned<AddrRaw>>,
    /// The subject carries one of the configured tags.
    pub subject_tag: Option<bool>,
    /// A header (by name) is present, or matches `matches`.
    pub header: Option<Spanned<String>>,
    /// Regular expression for `header`.
    pub matches: Option<Spanned<String>>,
    /// An attachment matches.
    pub attachment: Option<Spanned<AttachRaw>>,
    /// The message already is S/MIME or OpenPGP encrypted.
    pub encrypted: Option<bool>,
    /// Some content could not be scanned (limit hit, parser failure, encrypted document).
    pub unscannable: Option<bool>,
    /// Always true (a catch-all rule).
    pub always: Option<bool>,
}

/// `near = { dictionary = "…", within = 300 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NearRaw {
    /// Dictionary whose terms count as "near".
    pub dictionary: Option<Spanned<String>>,
    /// Inline keywords.
    pub keywords: Option<Vec<String>>,
    /// Distance in characters either side (default 300).
    pub within: Option<u32>,
}

/// Address matcher for `sender` and `recipient`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddrRaw {
    /// Exact addresses (case-insensitive).
    #[serde(default)]
    pub address: Vec<Spanned<String>>,
    /// Domains, subdomains included.
    #[serde(default)]
    pub domain: Vec<Spanned<String>>,
    /// A list file in `lists/` (addresses and domains, one a line).
    pub list: Option<Spanned<String>>,
}

/// Attachment matcher; every given field must hold for the same attachment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachRaw {
    /// File-name extensions, without the dot, case-insensitive.
    pub extension: Option<Vec<String>>,
    /// Regular expression on the file name.
    pub name_matches: Option<Spanned<String>>,
    /// MIME type prefixes, e.g. `application/pdf`, `image/`.
    #[serde(rename = "type")]
    pub content_type: Option<Vec<String>>,
    /// Minimum size in bytes.
    pub min_size: Option<u64>,
    /// Maximum size in bytes.
    pub max_size: Option<u64>,
}
