//! The validated rule set: what [`crate::RuleSet`] evaluates. Everything here exists only in a
//! checked form (methods the build provides, compiled regular expressions, known detectors and
//! dictionaries), so evaluation cannot fail.

use crate::detect::IdKind;
use crate::keywords::KeywordIndex;
use sealgate_core::{Domain, KeyTrust, Method, Requirement};

/// Which detector a condition counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DetId {
    /// A built-in identifier detector.
    Builtin(IdKind),
    /// A custom regex detector, by index.
    Custom(usize),
}

/// Where matches count (bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocMask(pub u8);

impl LocMask {
    /// Subject.
    pub const SUBJECT: u8 = 1;
    /// Display names and other headers.
    pub const HEADER: u8 = 2;
    /// Body text.
    pub const BODY: u8 = 4;
    /// Attachments (and nested messages).
    pub const ATTACHMENT: u8 = 8;
    /// Everywhere.
    pub const ALL: LocMask = LocMask(15);
}

/// "Only matches with one of these keywords within N characters count".
#[derive(Debug, Clone)]
pub struct Near {
    /// Keyword list id in the index.
    pub list: usize,
    /// Distance either side, in bytes.
    pub within: u32,
}

/// Recipient or sender matcher.
#[derive(Debug, Clone, Default)]
pub struct AddrSet {
    /// Lower-case addresses.
    pub addresses: Vec<String>,
    /// Domains (subdomains match).
    pub domains: Vec<Domain>,
}

/// Attachment matcher.
#[derive(Debug, Clone)]
pub struct AttachCond {
    /// Lower-case extensions.
    pub extensions: Vec<String>,
    /// File-name expression.
    pub name: Option<regex::Regex>,
    /// Lower-case MIME type prefixes.
    pub types: Vec<String>,
    /// Size bounds.
    pub min_size: Option<u64>,
    /// Size bounds.
    pub max_size: Option<u64>,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Cond {
    /// Any of.
    Any(Vec<Cond>),
    /// All of.
    All(Vec<Cond>),
    /// Not.
    Not(Box<Cond>),
    /// Detector matches at or above a confidence.
    Detector {
        /// Which detector.
        det: DetId,
        /// Minimum count.
        min: u32,
        /// Minimum confidence per match.
        conf: f32,
        /// Proximity requirement.
        near: Option<Near>,
        /// Where.
        locs: LocMask,
    },
    /// Keyword list occurrences.
    Keywords {
        /// List id in the index.
        list: usize,
        /// Display name (dictionary name or `keywords`).
        name: String,
        /// Minimum count.
        min: u32,
        /// Proximity requirement.
        near: Option<Near>,
        /// Where.
        locs: LocMask,
    },
    /// Envelope sender.
    Sender(AddrSet),
    /// The recipient being decided.
    Recipient(AddrSet),
    /// A configured subject tag is present.
    SubjectTag,
    /// A header is present / matches.
    Header {
        /// Lower-case name.
        name: String,
        /// Value expression.
        re: Option<regex::Regex>,
    },
    /// Some attachment matches.
    Attachment(AttachCond),
    /// Already encrypted.
    Encrypted,
    /// Some content could not be scanned.
    Unscannable,
    /// Always true.
    Always,
}

/// A compiled custom detector.
#[derive(Debug, Clone)]
pub struct CustomDetector {
    /// Name.
    pub name: String,
    /// Expression.
    pub re: regex::Regex,
    /// The expression compiled without Unicode mode, used on texts that are all ASCII (the same
    /// matches there, faster); `None` when it does not compile that way.
    pub ascii: Option<regex::Regex>,
    /// The ASCII expression run only from the literals its matches start with (the same
    /// matches, far fewer bytes searched); `None` when it has no such finite set.
    pub fast: Option<crate::custom::Prefiltered>,
    /// Base confidence.
    pub base: f32,
    /// Context boost.
    pub boost: f32,
    /// Context window.
    pub window: u32,
    /// Context list id, if any.
    pub context: Option<usize>,
    /// Keyword list id of `only_with`: the detector runs on a text only when a word of it is
    /// there.
    pub only_with: Option<usize>,
}

/// A compiled action.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// What the recipient gets.
    pub requirement: Requirement,
    /// Mark PHI.
    pub phi: bool,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Id.
    pub id: String,
    /// Where it was defined (`file:line`), for explain.
    pub origin: String,
    /// Free text for people.
    pub description: Option<String>,
    /// Condition.
    pub when: Cond,
    /// Action.
    pub action: Action,
    /// Stop after a match.
    pub stop: bool,
    /// Strip the subject tag.
    pub strip_tag: bool,
    /// Placeholder subject when the subject carried findings.
    pub placeholder_subject: bool,
    /// Headers to add.
    pub add_headers: Vec<(String, String)>,
    /// `portal_expiry`: how long a portal-escrowed copy stays readable, in seconds.
    pub portal_expiry: Option<u64>,
}

/// How rules combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evaluation {
    /// Every matching rule applies; the strictest requirement wins; `stop` ends evaluation.
    Accumulate,
    /// The first matching rule decides.
    FirstMatch,
}

/// Scanning limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of MIME containers and attached messages.
    pub max_depth: u32,
    /// Most MIME parts.
    pub max_parts: u32,
    /// Largest attachment scanned.
    pub max_attachment_bytes: u64,
    /// Most text (and decompressed data) from one attachment.
    pub max_extracted_bytes: u64,
    /// Most text scanned per message.
    pub max_scan_bytes: u64,
    /// Extraction time budget per attachment, in milliseconds.
    pub extract_timeout_ms: u64,
    /// Extraction child address-space limit, MiB.
    pub extract_memory_mib: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 16,
            max_parts: 500,
            max_attachment_bytes: 25 << 20,
            max_extracted_bytes: 16 << 20,
            max_scan_bytes: 64 << 20,
            extract_timeout_ms: 5_000,
            extract_memory_mib: 512,
        }
    }
}

/// Set-wide settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Combination mode.
    pub evaluation: Evaluation,
    /// Subject tags as configured.
    pub subject_tags: Vec<String>,
    /// Placeholder subject text.
    pub placeholder_subject: String,
    /// Action when no rule matched.
    pub default: Action,
    /// Action when content could not be scanned.
    pub on_unscannable: Action,
    /// Limits.
    pub limits: Limits,
}

/// The default encrypt chain: `tls-verified → pgp → smime → portal → hold` (`portal` passed
/// over as not available where no portal is configured).
pub fn default_chain() -> Vec<Method> {
    vec![
        Method::TlsVerified,
        Method::Pgp,
        Method::Smime,
        Method::Portal,
        Method::Hold,
    ]
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            evaluation: Evaluation::Accumulate,
            subject_tags: vec!["[secure]".into(), "#secure".into(), "+encrypt+".into()],
            placeholder_subject: "Secure message".into(),
            default: Action {
                requirement: Requirement::Deliver,
                phi: false,
            },
            on_unscannable: Action {
                requirement: Requirement::Encrypt {
                    chain: default_chain(),
                    min_key_trust: KeyTrust::Discovered,
                },
                phi: true,
            },
            limits: Limits::default(),
        }
    }
}

/// The whole compiled set.
#[derive(Debug)]
pub struct Compiled {
    /// Settings.
    pub settings: Settings,
    /// Custom detectors.
    pub custom: Vec<CustomDetector>,
    /// The word-start literals of the custom detectors' prefilters, for one candidate pass
    /// (in the keyword walk). Detectors with `only_with` are left out: they run on few texts.
    pub word_starts: crate::custom::WordStarts,
    /// The same for the detectors with `only_with`, for a pass of its own on a text where one
    /// of them runs (`record-digits`' literals are every digit: its candidates were a third of
    /// the walk's, on every text, and used on almost none).
    pub gated_word_starts: crate::custom::WordStarts,
    /// Rules in evaluation order.
    pub rules: Vec<Rule>,
    /// Keyword automaton (dictionaries, inline keywords, context words).
    pub keywords: KeywordIndex,
    /// Keyword list ids of the built-in detectors' context words, by `IdKind` order.
    pub builtin_context: Vec<usize>,
    /// Keyword list of business-number labels (`EIN`, `DUNS`, `Tax ID`…): a nine-digit number
    /// right after one is no SSN.
    pub business_context: usize,
    /// Named dictionaries reported as hits: (list id, name).
    pub reported_lists: Vec<(usize, String)>,
}

/// Strictness order used by `accumulate`.
pub fn strictness(r: &Requirement) -> u8 {
    match r {
        Requirement::Deliver => 0,
        Requirement::TlsOnly => 1,
        Requirement::Encrypt { .. } => 2,
        Requirement::Hold => 3,
        Requirement::Reject => 4,
    }
}
