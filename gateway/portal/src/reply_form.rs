//! `multipart/form-data` (RFC 7578) as the reply form sends it: text fields and files.
//!
//! The body is already bounded (read with the tenant's limit); this parser bounds the number
//! of parts and the size of each part's header block, keeps file bytes exactly as sent, and
//! turns a file name into a safe one (the last path component, then
//! [`crate::sanitise::safe_name`]: printable, no quotes, slashes or semicolons, at most 120
//! characters).

use crate::reply::ReplyAttachment;

/// At most this many parts in one form.
pub const MAX_PARTS: usize = 64;
const MAX_PART_HEADER: usize = 4096;

/// What is wrong with a form body (the page answers with one clear sentence).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// Not `multipart/form-data` with a boundary.
    #[error("not a multipart/form-data body with a boundary")]
    NotMultipart,
    /// The body does not follow the multipart syntax.
    #[error("malformed multipart body: {0}")]
    Malformed(&'static str),
    /// More than [`MAX_PARTS`] parts.
    #[error("too many parts")]
    TooManyParts,
}

/// The reply form's fields.
#[derive(Debug, Default)]
pub struct ReplyForm {
    /// `csrf`.
    pub csrf: String,
    /// `key`: the link half (filled in by `reply.js` from the tab's storage).
    pub key: String,
    /// `text`.
    pub text: String,
    /// `all` checked.
    pub all: bool,
    /// `files` (empty file inputs left out).
    pub files: Vec<ReplyAttachment>,
}

/// The boundary of a `Content-Type: multipart/form-data; boundary=…` value.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';');
    let kind = parts.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    parts.find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        let v = v.trim().trim_matches('"');
        (k.trim().eq_ignore_ascii_case("boundary") && !v.is_empty() && v.len() <= 70)
            .then(|| v.to_string())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// A `name="value"` parameter of a `Content-Disposition` value (quoted or bare).
fn param(disposition: &str, name: &str) -> Option<String> {
    let lower = disposition.to_ascii_lowercase();
    let mut at = 0;
    while let Some(p) = lower[at..].find(&format!("{name}=")) {
        let start = at + p;
        at = start + name.len() + 1;
        let before = lower[..start].trim_end();
        if !(before.ends_with(';')) {
            continue;
        }
        let rest = &disposition[at..];
        if let Some(q) = rest.strip_prefix('"') {
            // Browsers percent-encode `"` in names (WHATWG); a backslash is a Windows path.
            return q.split_once('"').map(|(v, _)| v.to_string());
        }
        return Some(
            rest.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string(),
        );
    }
    None
}

/// One part: its field name, file name (for file inputs) and bytes.
struct Part<'a> {
    name: String,
    filename: Option<String>,
    data: &'a [u8],
}

fn parts<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, FormError> {
    let open = format!("--{boundary}");
    let delim = format!("\r\n--{boundary}");
    let mut at = match body.starts_with(open.as_bytes()) {
        true => open.len(),
        false => {
            find(body, delim.as_bytes(), 0).ok_or(FormError::Malformed("no boundary"))?
                + delim.len()
        }
    };
    let mut out = Vec::new();
    loop {
        let rest = body.get(at..).ok_or(FormError::Malformed("truncated"))?;
        if rest.starts_with(b"--") {
            return Ok(out);
        }
        if !rest.starts_with(b"\r\n") {
            return Err(FormError::Malformed(
                "boundary not followed by a line break",
            ));
        }
        if out.len() == MAX_PARTS {
            return Err(FormError::TooManyParts);
        }
        let head_start = at + 2;
        let head_end = find(body, b"\r\n\r\n", head_start)
            .filter(|e| e - head_start <= MAX_PART_HEADER)
            .ok_or(FormError::Malformed("part header"))?;
        let head = String::from_utf8_lossy(&body[head_start..head_end]);
        let end = find(body, delim.as_bytes(), head_end + 4)
            .ok_or(FormError::Malformed("unterminated part"))?;
        let disposition = head
            .split("\r\n")
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("content-disposition")
                    .then(|| v.trim().to_string())
            })
            .ok_or(FormError::Malformed("part without Content-Disposition"))?;
        out.push(Part {
            name: param(&disposition, "name").ok_or(FormError::Malformed("part without a name"))?,
            filename: param(&disposition, "filename"),
            data: &body[head_end + 4..end],
        });
        at = end + delim.len();
    }
}

/// A file name made safe: its last path component, then `safe_name`.
pub fn file_name(raw: &str, index: usize) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    crate::sanitise::safe_name(Some(last), index)
}

/// Parses the reply form.
pub fn parse(body: &[u8], content_type: &str) -> Result<ReplyForm, FormError> {
    let boundary = boundary(content_type).ok_or(FormError::NotMultipart)?;
    let mut form = ReplyForm::default();
    for p in parts(body, &boundary)? {
        let text = || String::from_utf8_lossy(p.data).into_owned();
        match (p.name.as_str(), &p.filename) {
            ("files", Some(name)) if !(name.is_empty() && p.data.is_empty()) => {
                let index = form.files.len();
                form.files.push(ReplyAttachment {
                    name: file_name(name, index),
                    data: p.data.to_vec(),
                });
            }
            ("csrf", None) => form.csrf = text(),
            ("key", None) => form.key = text(),
            ("text", None) => form.text = text().replace("\r\n", "\n"),
            ("all", None) => form.all = true,
            _ => {}
        }
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, file, data) in parts {
            out.extend_from_slice(b"--XyZ\r\nContent-Disposition: form-data; name=\"");
            out.extend_from_slice(name.as_bytes());
            out.push(b'"');
            if let Some(f) = file {
                out.extend_from_slice(
                    format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream")
                        .as_bytes(),
                );
            }
            out.extend_from_slice(b"\r\n\r\n");
            out.extend_from_slice(data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"--XyZ--\r\n");
        out
    }

    #[test]
    fn fields_and_files_are_read_byte_exact_with_safe_names() {
        let binary: Vec<u8> = (0..=255u8)
            .chain(b"\r\n--XyZ".iter().copied().skip(1))
            .collect();
        let raw = body(&[
            ("csrf", None, b"tok"),
            ("key", None, b"half"),
            ("text", None, "Gracias\r\ndoctora".as_bytes()),
            ("all", None, b"1"),
            ("files", Some("C:\\Users\\m\\scan; 1.pdf"), &binary),
            ("files", Some(""), b""),
        ]);
        let f = parse(&raw, "multipart/form-data; boundary=XyZ").unwrap();
        assert_eq!((f.csrf.as_str(), f.key.as_str()), ("tok", "half"));
        assert_eq!(f.text, "Gracias\ndoctora");
        assert!(f.all);
        assert_eq!(f.files.len(), 1);
        assert_eq!(f.files[0].data, binary);
        assert_eq!(f.files[0].name, "scan 1.pdf");
    }

    #[test]
    fn malformed_bodies_are_refused() {
        assert_eq!(
            parse(b"x", "text/plain").unwrap_err(),
            FormError::NotMultipart
        );
        assert!(
            parse(
                b"--XyZ\r\nno header end",
                "multipart/form-data; boundary=XyZ"
            )
            .is_err()
        );
        assert!(
            parse(
                b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nnever closed",
                "multipart/form-data; boundary=XyZ"
            )
            .is_err()
        );
        let many: Vec<(&str, Option<&str>, &[u8])> = vec![("x", None, b"1"); MAX_PARTS + 1];
        assert_eq!(
            parse(&body(&many), "multipart/form-data; boundary=XyZ").unwrap_err(),
            FormError::TooManyParts
        );
        assert_eq!(file_name("../../etc/passwd", 0), "passwd");
        assert_eq!(file_name("..", 2), "attachment-3");
    }
}
