//! Attachments: each part's label, then its content as text, a nested message, an extracted
//! document, a benign inline image or an unscannable part.

use super::{AttachmentInfo, ScanState, Walk, containers};
use crate::extract::{DocKind, ExtractFailure};
use crate::textlike::{TextKind, render, text_kind};
use mail_parser::{MessageParser, MimeHeaders, PartType};
use sealgate_core::Location;
use std::time::{Duration, Instant};

impl Walk<'_> {
    pub(super) fn attachment(
        &mut self,
        part: &mail_parser::MessagePart<'_>,
        loc: Location,
        depth: u32,
    ) {
        let index = match loc {
            Location::Attachment { index } => index,
            _ => 0,
        };
        let content_type = part
            .content_type()
            .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase())
            .unwrap_or_else(|| "application/octet-stream".into());
        let name = part.attachment_name().map(str::to_string);
        // File names (`Lastname_First_DOB_MRI.pdf`) and descriptions are text like any other.
        let label = [name.as_deref(), part.content_description()]
            .into_iter()
            .flatten()
            .map(|n| n.replace('+', " "))
            .collect::<Vec<_>>()
            .join("\n");
        self.push(loc.clone(), 0, label);
        let size = part.body.len() as u64;
        let scan = self.attachment_scan(part, &loc, &content_type, name.as_deref(), depth);
        if let ScanState::Failed(f) = scan {
            self.out.unscannable.push((loc, f.as_str()));
        }
        self.out.attachments.push(AttachmentInfo {
            index,
            name,
            content_type,
            size,
            scan,
        });
    }

    fn attachment_scan(
        &mut self,
        part: &mail_parser::MessagePart<'_>,
        loc: &Location,
        content_type: &str,
        name: Option<&str>,
        depth: u32,
    ) -> ScanState {
        if part.body.len() as u64 > self.limits.max_attachment_bytes {
            return ScanState::Failed(ExtractFailure::Limit);
        }
        match &part.body {
            PartType::Text(t) => {
                let lower = name.unwrap_or("").to_ascii_lowercase();
                let kind = text_kind(content_type, &lower, t.as_bytes()).unwrap_or(TextKind::Plain);
                self.push(loc.clone(), 0, render(kind, t));
                ScanState::Text
            }
            PartType::Html(h) => {
                self.push(loc.clone(), 0, render(TextKind::Html, h));
                ScanState::Text
            }
            PartType::Message(nested) => {
                if depth + 1 > self.limits.max_depth {
                    return ScanState::Failed(ExtractFailure::Limit);
                }
                self.message(nested, Some(loc.clone()), depth + 1);
                ScanState::Message
            }
            PartType::Binary(b) | PartType::InlineBinary(b) => {
                if content_type == "message/rfc822" || content_type == "message/global" {
                    return self.nested_raw(b, loc, depth);
                }
                let cid = part.content_id().map(|c| {
                    c.trim_matches(|c| c == '<' || c == '>')
                        .to_ascii_lowercase()
                });
                self.document(b, loc, content_type, name, cid.as_deref())
            }
            PartType::Multipart(_) => ScanState::NotText,
        }
    }

    fn nested_raw(&mut self, b: &[u8], loc: &Location, depth: u32) -> ScanState {
        if depth + 1 > self.limits.max_depth || containers(b) > self.limits.max_parts as usize {
            return ScanState::Failed(ExtractFailure::Limit);
        }
        match super::parse::parse(&MessageParser::default(), b) {
            Some(m) => {
                self.message(&m, Some(loc.clone()), depth + 1);
                ScanState::Message
            }
            None => ScanState::Failed(ExtractFailure::Malformed),
        }
    }

    fn document(
        &mut self,
        b: &[u8],
        loc: &Location,
        content_type: &str,
        name: Option<&str>,
        cid: Option<&str>,
    ) -> ScanState {
        let lower = name.unwrap_or("").to_ascii_lowercase();
        if self.inline_image(content_type, cid) {
            return ScanState::NotText;
        }
        let Some(kind) = DocKind::sniff(b) else {
            if claims_document(content_type, &lower) {
                // Named like a document but is not one: do not trust it (nor read it as text).
                return ScanState::Failed(ExtractFailure::Malformed);
            }
            if let Some(kind) = text_kind(content_type, &lower, b) {
                self.push(loc.clone(), 0, render(kind, &String::from_utf8_lossy(b)));
                return ScanState::Text;
            }
            return self.opaque(content_type);
        };
        let now = Instant::now();
        if now >= self.deadline {
            return ScanState::Failed(ExtractFailure::Timeout);
        }
        let timeout =
            Duration::from_millis(self.limits.extract_timeout_ms).min(self.deadline - now);
        let max = self.limits.max_extracted_bytes as usize;
        match self.extractor.extract(kind, b, max, timeout) {
            Ok(text) => {
                self.push(loc.clone(), 0, text);
                ScanState::Extracted
            }
            Err(f) => ScanState::Failed(f),
        }
    }
}

impl Walk<'_> {
    /// An image the HTML body shows by `cid:` (a logo): benign, not read.
    fn inline_image(&self, content_type: &str, cid: Option<&str>) -> bool {
        content_type.starts_with("image/")
            && cid.is_some_and(|c| !c.is_empty() && self.cids.iter().any(|x| x == c))
    }

    /// A part with no text and no known document format: benign only when it is the ciphertext
    /// of a message already encrypted by content.
    fn opaque(&self, content_type: &str) -> ScanState {
        let ciphertext = matches!(
            content_type,
            "application/pkcs7-mime"
                | "application/x-pkcs7-mime"
                | "application/octet-stream"
                | "application/pgp-encrypted"
        );
        if self.out.encrypted && ciphertext {
            return ScanState::NotText;
        }
        ScanState::Failed(ExtractFailure::Unrecognised)
    }
}

/// The part's name or type says it is a document format the extractor reads.
fn claims_document(content_type: &str, lower_name: &str) -> bool {
    [
        ".pdf", ".docx", ".xlsx", ".pptx", ".rtf", ".zip", ".doc", ".xls", ".ppt",
    ]
    .iter()
    .any(|x| lower_name.ends_with(x))
        || content_type == "application/pdf"
}
