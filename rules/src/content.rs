//! What is scanned: the message taken apart into text segments with their locations.
//!
//! Subject, display names, text/plain, text/html (tags stripped, entities decoded), every
//! charset mail-parser decodes, nested message/rfc822 (to [`Limits::max_depth`]), attachment file
//! names and part descriptions, every text-like part whatever its label ([`crate::textlike`]:
//! calendars, vCards, JSON, XML, HL7 v2, CSV with column headers) and the text of PDF, DOCX,
//! XLSX, PPTX and RTF attachments. An image referenced from the HTML body by `cid:` (a logo) is
//! benign; any other part that is neither text nor a known document is unscannable. Before parsing, the MIME containers are
//! counted on the raw bytes so a 10,000-deep nesting never reaches the parser; any limit hit,
//! extraction failure or undecodable nested message is recorded as *unscannable* with a generic
//! reason, which the rules turn into their fail-closed action.

use crate::extract::{ExtractFailure, Extractor};
use crate::html::html_to_text;
use crate::model::Limits;
use mail_parser::{MessageParser, PartType};
use sealgate_core::Location;
use std::borrow::Cow;
use std::time::{Duration, Instant};

/// One text to scan.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Where it came from.
    pub loc: Location,
    /// 0 for ordinary text; 1 and 2 for the plain and HTML views of one body, whose counts are
    /// not added up (the larger counts).
    pub view: u8,
    /// The text, normalised (zero-width characters removed, full-width digits folded).
    pub text: String,
}

/// What is known about one attachment (names stay inside the engine: they may carry PHI).
#[derive(Debug, Clone)]
pub struct AttachmentInfo {
    /// Attachment index (nested messages: the index of the outermost attachment).
    pub index: u32,
    /// File name, if any.
    pub name: Option<String>,
    /// `type/subtype`, lower case.
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: u64,
    /// How it was scanned.
    pub scan: ScanState,
}

/// How an attachment's content was handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanState {
    /// Text part scanned as is.
    Text,
    /// Document text extracted and scanned.
    Extracted,
    /// A nested message, walked.
    Message,
    /// Holds no text to scan: a container, the ciphertext of an encrypted message, or an
    /// image the HTML body shows inline (`cid:`).
    NotText,
    /// Could not be scanned.
    Failed(ExtractFailure),
}

impl ScanState {
    /// Stable name for explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanState::Text => "text",
            ScanState::Extracted => "extracted",
            ScanState::Message => "message",
            ScanState::NotText => "not-text",
            ScanState::Failed(f) => f.as_str(),
        }
    }
}

/// The message, taken apart.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// Texts to scan.
    pub segments: Vec<Segment>,
    /// Attachments.
    pub attachments: Vec<AttachmentInfo>,
    /// Content that could not be scanned: where and a generic reason.
    pub unscannable: Vec<(Location, &'static str)>,
    /// The message already is S/MIME or OpenPGP encrypted.
    pub encrypted: bool,
    /// Top-level headers: lower-case name and raw value.
    pub headers: Vec<(String, String)>,
    /// The decoded subject.
    pub subject: String,
    /// Words of the top-level sender's display name, lower case (their own name is not a
    /// patient's), and `@` with the sender's domain (colleagues' addresses).
    pub sender_names: Vec<String>,
}

struct Walk<'a> {
    limits: &'a Limits,
    extractor: &'a dyn Extractor,
    deadline: Instant,
    scanned: u64,
    next_index: u32,
    /// `cid:` references of the HTML bodies seen so far, without angle brackets.
    cids: Vec<String>,
    out: Content,
}

/// Counts `Content-Type: multipart/…` and `message/…` header lines on the raw bytes: the
/// line starts are found with `memchr` (far faster than walking every byte) and only a line
/// that starts with the field name is read further.
fn containers(raw: &[u8]) -> usize {
    const FIELD: &[u8] = b"content-type:";
    let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', raw).map(|i| i + 1));
    starts
        .filter(|&s| {
            let Some(name) = raw.get(s..s + FIELD.len()) else {
                return false;
            };
            if !name.eq_ignore_ascii_case(FIELD) {
                return false;
            }
            let e = s + FIELD.len();
            let end = memchr::memchr(b'\n', &raw[e..]).map_or(raw.len(), |i| e + i);
            is_container(&raw[e..end])
        })
        .count()
}

/// The value of a `Content-Type:` field names a container.
fn is_container(value: &[u8]) -> bool {
    let v = value.trim_ascii_start();
    v.len() >= 8
        && (v[..8].eq_ignore_ascii_case(b"multipar") || v[..8].eq_ignore_ascii_case(b"message/"))
}

/// [`containers`] line by line (the reference the tests hold it to).
#[cfg(test)]
fn containers_by_line(raw: &[u8]) -> usize {
    raw.split(|&b| b == b'\n')
        .filter(|line| {
            line.len() >= 14
                && line[..13].eq_ignore_ascii_case(b"content-type:")
                && is_container(&line[13..])
        })
        .count()
}

/// Removes invisible characters and folds full-width digits and letters, so `１２３‑４５` or a
/// soft hyphen cannot split an identifier.
pub fn normalise(text: &str) -> String {
    normalise_owned(Cow::Borrowed(text))
}

/// [`normalise`], keeping an owned text as it is when it is all ASCII (no copy).
fn normalise_owned(text: Cow<'_, str>) -> String {
    if text.is_ascii() {
        return text.into_owned();
    }
    text.chars()
        .filter_map(|c| match c {
            '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => None,
            '\u{a0}' | '\u{2007}' | '\u{202f}' => Some(' '),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => Some('-'),
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0),
            _ => Some(c),
        })
        .collect()
}

/// Most texts a thread keeps for the next message's segments ([`recycle`]).
const POOL: usize = 4;
/// Largest text kept (bytes of capacity): one huge message does not pin its buffers.
const POOL_BYTES: usize = 64 * 1024;

/// Most headers whose strings a thread keeps for the next message ([`recycle`]).
const POOL_HEADERS: usize = 64;

thread_local! {
    /// Segment texts of finished decisions, reused for the next message's copies.
    static TEXTS: std::cell::Cell<Vec<String>> = const { std::cell::Cell::new(Vec::new()) };
    /// The last decision's headers: their strings are overwritten by the next message's.
    static HEADERS: std::cell::Cell<Vec<(String, String)>> =
        const { std::cell::Cell::new(Vec::new()) };
}

/// A copy of an ASCII `text` (no normalising to do) in a text [`recycle`] gave back, if any.
fn pooled_copy(text: &str) -> String {
    let mut pool = TEXTS.take();
    // The smallest text that holds it, else the largest (grown once).
    let fit = |i: &usize| pool[*i].capacity() >= text.len();
    let best = (0..pool.len())
        .filter(fit)
        .min_by_key(|&i| pool[i].capacity())
        .or_else(|| (0..pool.len()).max_by_key(|&i| pool[i].capacity()));
    let mut s = best.map(|i| pool.swap_remove(i)).unwrap_or_default();
    TEXTS.set(pool);
    s.clear();
    s.push_str(text);
    s
}

/// Gives a classified message's segment texts back to the thread, so the next message's
/// copies reuse them (the [`POOL`] largest texts of at most [`POOL_BYTES`] each; the rest are
/// freed).
pub(crate) fn recycle(mut content: Content) {
    content.headers.truncate(POOL_HEADERS);
    HEADERS.set(std::mem::take(&mut content.headers));
    let mut pool = TEXTS.take();
    let texts = content.segments.into_iter().map(|seg| seg.text);
    pool.extend(texts.filter(|t| t.capacity() <= POOL_BYTES));
    // The largest are kept: a message body's copy is the one worth reusing.
    pool.sort_unstable_by_key(|t| std::cmp::Reverse(t.capacity()));
    pool.truncate(POOL);
    TEXTS.set(pool);
}

/// Takes a raw RFC 5322 message apart.
pub fn analyse(raw: &[u8], limits: &Limits, extractor: &dyn Extractor) -> Content {
    let total = Duration::from_millis(limits.extract_timeout_ms.saturating_mul(4));
    let mut w = Walk {
        limits,
        extractor,
        deadline: Instant::now() + total,
        scanned: 0,
        next_index: 0,
        cids: Vec::new(),
        out: Content::default(),
    };
    w.out.encrypted = sealgate_core::encrypted::is_encrypted_message(raw);
    let parser = MessageParser::default();
    if containers(raw) > limits.max_parts as usize {
        w.out
            .unscannable
            .push((Location::Body, ExtractFailure::Limit.as_str()));
        if let Some(m) = parser.parse_headers(raw) {
            w.top_headers(&m);
            w.message_texts(&m, None);
        }
        return w.out;
    }
    let Some(m) = parse::parse(&parser, raw) else {
        w.push(Location::Body, 0, String::from_utf8_lossy(raw));
        return w.out;
    };
    w.top_headers(&m);
    w.message(&m, None, 0);
    w.out
}

impl Walk<'_> {
    /// Adds a text to scan: a `&str` is copied, a `String` kept as it is.
    fn push<'t>(&mut self, loc: Location, view: u8, text: impl Into<Cow<'t, str>>) {
        let text = text.into();
        if text.trim().is_empty() {
            return;
        }
        let room = self.limits.max_scan_bytes.saturating_sub(self.scanned);
        let mut text = match text {
            Cow::Borrowed(t) if t.is_ascii() => pooled_copy(t),
            t => normalise_owned(t),
        };
        if text.len() as u64 > room {
            let mut cut = room as usize;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            self.out
                .unscannable
                .push((loc.clone(), ExtractFailure::Limit.as_str()));
        }
        self.scanned += text.len() as u64;
        self.out.segments.push(Segment { loc, view, text });
    }

    fn top_headers(&mut self, m: &mail_parser::Message<'_>) {
        // The previous message's strings, overwritten (most messages have as many headers).
        let mut headers = HEADERS.take();
        let mut n = 0;
        for (name, value) in m.headers_raw() {
            if let Some((old_name, old_value)) = headers.get_mut(n) {
                old_name.clear();
                old_name.push_str(name);
                old_value.clear();
                old_value.push_str(value.trim());
            } else {
                headers.push((name.to_owned(), value.trim().to_owned()));
            }
            headers[n].0.make_ascii_lowercase();
            n += 1;
        }
        headers.truncate(n);
        self.out.headers = headers;
        self.out.sender_names = m
            .from()
            .into_iter()
            .flat_map(|a| a.iter())
            .filter_map(|a| a.name())
            .flat_map(|n| n.split(|c: char| !c.is_alphabetic() && c != '\''))
            .filter(|w| w.len() > 1)
            .map(str::to_lowercase)
            .collect();
        // The sender's own domain, as `@domain`: a correspondent quoted with an address there
        // (`From: Ann Lee <ann@clinic.example>` in forwarded history) is a colleague.
        let domain = m
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .and_then(|a| a.rsplit_once('@'))
            .map(|(_, d)| format!("@{}", d.to_ascii_lowercase()));
        self.out.sender_names.extend(domain);
        self.out.subject = m.subject().unwrap_or("").to_string();
    }

    /// Subject and display names of a (possibly nested) message.
    fn message_texts(&mut self, m: &mail_parser::Message<'_>, at: Option<&Location>) {
        if let Some(s) = m.subject() {
            self.push(at.cloned().unwrap_or(Location::Subject), 0, s);
        }
        let mut names = String::new();
        for addr in [m.from(), m.to(), m.cc(), m.reply_to(), m.sender()]
            .into_iter()
            .flatten()
        {
            for a in addr.iter() {
                if let Some(n) = a.name() {
                    names.push_str(n);
                    names.push('\n');
                }
            }
        }
        self.push(at.cloned().unwrap_or(Location::Header), 0, names);
    }

    fn message(&mut self, m: &mail_parser::Message<'_>, at: Option<Location>, depth: u32) {
        self.message_texts(m, at.as_ref());
        let body_loc = at.clone().unwrap_or(Location::Body);
        let alternative =
            !m.text_body.is_empty() && m.html_body.iter().any(|h| !m.text_body.contains(h));
        for &id in &m.text_body {
            let view = if alternative { 1 } else { 0 };
            self.body_part(m, id, body_loc.clone(), view);
        }
        for &id in &m.html_body {
            if !m.text_body.contains(&id) {
                self.body_part(m, id, body_loc.clone(), 2);
            }
        }
        for &id in &m.attachments {
            let Some(part) = m.parts.get(id as usize) else {
                continue;
            };
            let loc = match &at {
                Some(l) => l.clone(),
                None => {
                    let i = self.next_index;
                    self.next_index += 1;
                    Location::Attachment { index: i }
                }
            };
            self.attachment(part, loc, depth);
        }
    }

    fn body_part(&mut self, m: &mail_parser::Message<'_>, id: u32, loc: Location, view: u8) {
        match m.parts.get(id as usize).map(|p| &p.body) {
            // A plain body may hold an HL7 v2 message pasted in, or a table laid out with tabs
            // or spaces: rendered like an attachment of that kind.
            Some(PartType::Text(t)) if crate::hl7::pasted(t) => {
                self.push(loc, view, crate::hl7::to_text(t));
            }
            Some(PartType::Text(t)) => match crate::tables::label_plain(t) {
                Some(text) => self.push(loc, view, text),
                None => self.push(loc, view, t.as_ref()),
            },
            Some(PartType::Html(h)) => {
                self.note_cids(h);
                let text = html_to_text(h);
                let text = crate::tables::label_columns(&text, b'\t').unwrap_or(text);
                self.push(loc, view, text);
            }
            _ => {}
        }
    }

    fn note_cids(&mut self, html: &str) {
        let mut rest = html;
        while let Some(i) = rest.find("cid:") {
            rest = &rest[i + 4..];
            let end = rest
                .find(|c: char| matches!(c, '"' | '\'' | ')' | '>' | ' ') || c.is_whitespace())
                .unwrap_or(rest.len());
            if self.cids.len() < 1000 {
                self.cids.push(rest[..end].to_ascii_lowercase());
            }
            rest = &rest[end..];
        }
    }
}

mod attach;
mod parse;

#[cfg(test)]
mod tests;
