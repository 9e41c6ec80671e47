//! The readable form of an escrowed copy: what the portal shows and offers for download.
//!
//! A [`Document`] is made once, before sealing (`sanitise.rs`), so the portal never parses
//! hostile MIME or HTML at reading time. Encoding: `u32` length of a JSON head (subject, sender,
//! date, sanitised HTML, attachment names, types and sizes), the head, then each attachment's
//! bytes in order. `Debug` prints counts only.

use crate::error::PortalError;
use serde::{Deserialize, Serialize};

/// One attachment, offered only as a download.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name, safe for a `Content-Disposition` header (printable, no quotes or slashes).
    pub name: String,
    /// `type/subtype`, lower case (informational: downloads are always
    /// `application/octet-stream`).
    pub content_type: String,
    /// The decoded bytes.
    pub data: Vec<u8>,
}

/// The sanitised message.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Document {
    /// The original subject.
    pub subject: String,
    /// The original From (display name and address).
    pub from: String,
    /// The original Date header as seconds since the epoch, when present.
    pub date: Option<i64>,
    /// The message as sanitised HTML (text bodies are escaped and wrapped).
    pub html: String,
    /// The attachments, inline images excluded (they are in `html` as `data:` URIs).
    pub attachments: Vec<Attachment>,
    /// What a secure reply needs of the original (Message-ID, participants; `reply.rs`).
    pub thread: crate::reply::Thread,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("html_bytes", &self.html.len())
            .field("attachments", &self.attachments.len())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct Head {
    subject: String,
    from: String,
    date: Option<i64>,
    html: String,
    attachments: Vec<AttachmentHead>,
    #[serde(default)]
    thread: crate::reply::Thread,
}

#[derive(Serialize, Deserialize)]
struct AttachmentHead {
    name: String,
    content_type: String,
    size: u64,
}

impl Document {
    /// The byte form that gets sealed.
    pub fn encode(&self) -> Result<Vec<u8>, PortalError> {
        let head = Head {
            subject: self.subject.clone(),
            from: self.from.clone(),
            date: self.date,
            html: self.html.clone(),
            attachments: self
                .attachments
                .iter()
                .map(|a| AttachmentHead {
                    name: a.name.clone(),
                    content_type: a.content_type.clone(),
                    size: a.data.len() as u64,
                })
                .collect(),
            thread: self.thread.clone(),
        };
        let json = serde_json::to_vec(&head)?;
        let len = u32::try_from(json.len())
            .map_err(|_| PortalError::Unreadable("message text too large".into()))?;
        let total: usize = self.attachments.iter().map(|a| a.data.len()).sum();
        let mut out = Vec::with_capacity(4 + json.len() + total);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&json);
        for a in &self.attachments {
            out.extend_from_slice(&a.data);
        }
        Ok(out)
    }

    /// Reads the form written by [`Document::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, PortalError> {
        let corrupt = || PortalError::Corrupt("document encoding".into());
        let len_bytes: [u8; 4] = bytes
            .get(..4)
            .ok_or_else(corrupt)?
            .try_into()
            .map_err(|_| corrupt())?;
        let head_end = 4 + u32::from_be_bytes(len_bytes) as usize;
        let head: Head = serde_json::from_slice(bytes.get(4..head_end).ok_or_else(corrupt)?)?;
        let mut at = head_end;
        let mut attachments = Vec::with_capacity(head.attachments.len());
        for a in head.attachments {
            let end = at
                .checked_add(usize::try_from(a.size).map_err(|_| corrupt())?)
                .ok_or_else(corrupt)?;
            let data = bytes.get(at..end).ok_or_else(corrupt)?.to_vec();
            attachments.push(Attachment {
                name: a.name,
                content_type: a.content_type,
                data,
            });
            at = end;
        }
        if at != bytes.len() {
            return Err(corrupt());
        }
        Ok(Document {
            subject: head.subject,
            from: head.from,
            date: head.date,
            html: head.html,
            attachments,
            thread: head.thread,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_and_rejects_truncation() {
        let doc = Document {
            subject: "Results".into(),
            from: "Dr A <a@clinic.example>".into(),
            date: Some(1_700_000_000),
            html: "<p>hello</p>".into(),
            attachments: vec![
                Attachment {
                    name: "a.pdf".into(),
                    content_type: "application/pdf".into(),
                    data: vec![0, 1, 2],
                },
                Attachment {
                    name: "b.txt".into(),
                    content_type: "text/plain".into(),
                    data: b"xyz".to_vec(),
                },
            ],
            thread: crate::reply::Thread {
                message_id: Some("<m1@clinic.example>".into()),
                participants: vec![("Dr A".into(), "a@clinic.example".into())],
                ..Default::default()
            },
        };
        let bytes = doc.encode().unwrap();
        assert_eq!(Document::decode(&bytes).unwrap(), doc);
        assert!(Document::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(Document::decode(&[bytes.clone(), vec![9]].concat()).is_err());
        assert_eq!(
            format!("{doc:?}"),
            "Document { html_bytes: 12, attachments: 2, .. }"
        );
    }
}
