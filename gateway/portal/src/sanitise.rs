//! Turning a recipient's MIME copy into a [`Document`], once, before sealing.
//!
//! Guarantees: the HTML goes through ammonia's allow-list (no script, style, event handler,
//! form, iframe, object or SVG survives; comments stripped; relative URLs dropped); links keep
//! only `http:`, `https:` and `mailto:` targets (checked after removing whitespace and control
//! characters, case-insensitively); an image keeps its `src` only when it names a `cid:` part of
//! the message that is PNG, JPEG, GIF or WebP, which is inlined as a `data:` URI — every remote
//! image, `data:` URI in the source and other URL attribute is dropped; a text-only body is
//! escaped. Attachments keep their decoded bytes and a name made safe for a header.

use crate::document::{Attachment, Document};
use crate::error::PortalError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mail_parser::{Message, MessageParser, MimeHeaders};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

const INLINE_TYPES: [&str; 4] = ["png", "jpeg", "gif", "webp"];

/// Parses `raw` (a complete RFC 5322 message) and sanitises it.
pub fn document(raw: &[u8], max_attachment: u64) -> Result<Document, PortalError> {
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| PortalError::Unreadable("not a MIME message".into()))?;
    let images = Arc::new(inline_images(&msg));
    let used = Arc::new(Mutex::new(HashSet::new()));
    let html = msg
        .body_html(0)
        .map(|h| clean(&h, images.clone(), used.clone()))
        .unwrap_or_default();
    let used = used.lock().map(|u| u.clone()).unwrap_or_default();
    let from = msg
        .from()
        .and_then(|a| a.first())
        .map(|a| match (a.name(), a.address()) {
            (Some(n), Some(addr)) => format!("{n} <{addr}>"),
            (None, Some(addr)) => addr.to_string(),
            (Some(n), None) => n.to_string(),
            (None, None) => String::new(),
        });
    Ok(Document {
        subject: msg.subject().unwrap_or_default().to_string(),
        from: from.unwrap_or_default(),
        date: msg.date().map(|d| d.to_timestamp()),
        html,
        attachments: attachments(&msg, &used, max_attachment)?,
        thread: crate::reply::Thread::of(&msg),
    })
}

/// `cid` (without angle brackets) → `data:` URI, for image parts of an allowed type.
fn inline_images(msg: &Message<'_>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for part in &msg.parts {
        let (Some(cid), Some(ct)) = (part.content_id(), part.content_type()) else {
            continue;
        };
        let sub = ct.subtype().unwrap_or_default().to_ascii_lowercase();
        if !ct.ctype().eq_ignore_ascii_case("image") || !INLINE_TYPES.contains(&sub.as_str()) {
            continue;
        }
        let uri = format!(
            "data:image/{sub};base64,{}",
            STANDARD.encode(part.contents())
        );
        out.insert(cid.trim_matches(|c| c == '<' || c == '>').to_string(), uri);
    }
    out
}

/// A URL with whitespace and control characters removed, lower-cased (for scheme checks).
fn squeeze(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect()
}

fn clean(
    html: &str,
    images: Arc<HashMap<String, String>>,
    used: Arc<Mutex<HashSet<String>>>,
) -> String {
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https", "mailto", "cid", "data"]))
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(move |element, attribute, value| {
            filter(element, attribute, value, &images, &used)
        });
    b.clean(html).to_string()
}

fn filter<'u>(
    element: &str,
    attribute: &str,
    value: &'u str,
    images: &HashMap<String, String>,
    used: &Mutex<HashSet<String>>,
) -> Option<Cow<'u, str>> {
    match (element, attribute) {
        (_, "href") => {
            let v = squeeze(value);
            let ok = ["http:", "https:", "mailto:"]
                .iter()
                .any(|s| v.starts_with(s));
            ok.then_some(Cow::Borrowed(value))
        }
        ("img", "src") => {
            let v = squeeze(value);
            let cid = v.strip_prefix("cid:")?;
            let (key, uri) = images.iter().find(|(k, _)| k.to_lowercase() == cid)?;
            if let Ok(mut u) = used.lock() {
                u.insert(key.clone());
            }
            Some(Cow::Owned(uri.clone()))
        }
        (_, "src" | "cite" | "longdesc" | "background" | "action" | "srcset" | "poster") => None,
        _ => Some(Cow::Borrowed(value)),
    }
}

fn attachments(
    msg: &Message<'_>,
    used: &HashSet<String>,
    limit: u64,
) -> Result<Vec<Attachment>, PortalError> {
    let mut out = Vec::new();
    for (index, part) in msg.attachments().enumerate() {
        let cid = part
            .content_id()
            .map(|c| c.trim_matches(|c| c == '<' || c == '>').to_string());
        if cid.is_some_and(|c| used.contains(&c)) {
            continue;
        }
        let data = part.contents().to_vec();
        let size = data.len() as u64;
        if size > limit {
            return Err(PortalError::TooLarge { index, size, limit });
        }
        let content_type = part.content_type().map_or_else(
            || "application/octet-stream".to_string(),
            |ct| {
                format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("octet-stream"))
                    .to_ascii_lowercase()
            },
        );
        let name = safe_name(part.attachment_name(), index);
        out.push(Attachment {
            name,
            content_type,
            data,
        });
    }
    Ok(out)
}

/// A file name safe inside a quoted `Content-Disposition` value: printable, no quotes,
/// backslashes, slashes or leading dots, at most 120 characters.
pub fn safe_name(name: Option<&str>, index: usize) -> String {
    let cleaned: String = name
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/' | ';'))
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        format!("attachment-{}", index + 1)
    } else {
        cleaned
    }
}
