//! Secure reply (issue 13, item 2): the recipient answers the sender from the message page.
//!
//! The portal side reads the reply (`web/reply.rs`, `reply_form.rs`), enforces the tenant's
//! size limit while reading and the daily cap per recipient (`reply_store.rs`), and hands a
//! [`Reply`] to a [`ReplyMail`] — the gateway's deliver stage, which classifies it, commits it
//! to the spool and sends it through the tenant's return route
//! (`sealgate_deliver::portal_reply`). The page says "sent" only after that commit returned.
//!
//! What a reply needs of the original message — its `Message-ID` (threading) and its
//! participants (who "reply to all" may reach) — is kept inside the sealed copy ([`Thread`],
//! part of the [`crate::Document`]), so the store alone still holds no header value: a reply
//! needs the link half like reading does.

use crate::error::PortalError;
use crate::record::EscrowRecord;
use crate::web::pages::Say;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

/// What a reply needs of the original message, sealed with the copy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Thread {
    /// The original `Message-ID` (with its angle brackets), when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The original `References`, when it had one (the reply's `References` continues it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The original From (address only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Every address of the original `From`, `To` and `Cc`, with its display name (may be
    /// empty), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<(String, String)>,
}

impl Thread {
    /// Reads the threading facts of a parsed message.
    pub fn of(msg: &mail_parser::Message<'_>) -> Thread {
        let mut participants = Vec::new();
        for addrs in [msg.from(), msg.to(), msg.cc()].into_iter().flatten() {
            for a in addrs.iter() {
                if let Some(address) = a.address() {
                    let name = a.name().unwrap_or_default().to_string();
                    participants.push((name, address.to_string()));
                }
            }
        }
        let references = match msg.references() {
            mail_parser::HeaderValue::Text(t) => vec![format!("<{t}>")],
            mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| format!("<{t}>")).collect(),
            _ => Vec::new(),
        };
        Thread {
            message_id: msg.message_id().map(|m| format!("<{m}>")),
            references,
            from: msg
                .from()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .map(str::to_string),
            participants,
        }
    }

    /// The display name the original gave `address` (case-insensitive), if any.
    pub fn name_of(&self, address: &str) -> Option<&str> {
        self.participants
            .iter()
            .find(|(n, a)| a.eq_ignore_ascii_case(address) && !n.trim().is_empty())
            .map(|(n, _)| n.as_str())
    }
}

/// One uploaded file of a reply. `name` is already sanitised (printable, no quotes, slashes
/// or semicolons, at most 120 characters).
#[derive(Clone, PartialEq, Eq)]
pub struct ReplyAttachment {
    /// The sanitised file name.
    pub name: String,
    /// The bytes as uploaded.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for ReplyAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplyAttachment")
            .field("bytes", &self.data.len())
            .finish_non_exhaustive()
    }
}

/// A reply the recipient of `record` wrote. `Debug` prints no text.
#[derive(Clone)]
pub struct Reply {
    /// The escrowed copy answered.
    pub record: EscrowRecord,
    /// The threading facts of the original (from the sealed copy).
    pub thread: Thread,
    /// The original subject (the reply's is `Re: …`).
    pub subject: String,
    /// The recipient's display name, from the original's headers (may be empty).
    pub name: String,
    /// The text typed.
    pub text: String,
    /// "Reply to all": also the original's participants inside the tenant's own domains.
    pub all: bool,
    /// The files attached.
    pub attachments: Vec<ReplyAttachment>,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("escrow", &self.record.id)
            .field("all", &self.all)
            .field("attachments", &self.attachments.len())
            .finish_non_exhaustive()
    }
}

/// What became of a reply handed to the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyOutcome {
    /// Committed to the spool (durably) for these recipients.
    Queued {
        /// The recipients, the sender first.
        to: Vec<String>,
    },
    /// The rules refused it (the decision's reject); nothing was queued.
    Refused,
}

/// The future of a [`ReplyMail`] call.
pub type ReplyFuture<'a> =
    Pin<Box<dyn Future<Output = Result<ReplyOutcome, PortalError>> + Send + 'a>>;

/// The gateway side of a reply: classify, commit, deliver through the return route.
pub trait ReplyMail: Send + Sync {
    /// Classifies and commits `reply`; returns once it is durable (or refused).
    fn send_reply(&self, reply: Reply) -> ReplyFuture<'_>;
}

/// A tenant's reply limits (`reply_max_size`, `reply_daily_limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyLimits {
    /// All attachments of one reply together, in bytes.
    pub max_size: u64,
    /// Replies per recipient address per UTC day (0: replies are off).
    pub daily_limit: u32,
}

/// The reply side of the router: the gateway's [`ReplyMail`] and each tenant's limits.
#[derive(Clone)]
pub struct ReplyService {
    /// Classifies and commits replies.
    pub mail: std::sync::Arc<dyn ReplyMail>,
    /// Limits by tenant name; a tenant missing here gets no reply form.
    pub limits: HashMap<String, ReplyLimits>,
}

/// The user-visible strings of the reply pages: (key, English, Spanish).
pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "reply_title",
        "Reply to the sender",
        "Responder al remitente",
    ),
    ("reply_sent_title", "Reply sent", "Respuesta enviada"),
    (
        "reply_intro",
        "Your reply goes to the person who sent you this message, through {org} secure mail. It is sent securely and does not show your own email address.",
        "Su respuesta llega a la persona que le envió este mensaje, a través del correo seguro de {org}. Se envía de forma segura y no muestra su propia dirección de correo.",
    ),
    ("reply_text", "Your reply", "Su respuesta"),
    (
        "reply_files",
        "Attach files (optional, up to {size} in total)",
        "Adjuntar archivos (opcional, hasta {size} en total)",
    ),
    (
        "reply_all",
        "Also send it to the other people at {org} who received the message",
        "Enviarla también a las demás personas de {org} que recibieron el mensaje",
    ),
    (
        "reply_left",
        "You can send {n} more replies today.",
        "Hoy puede enviar {n} respuestas más.",
    ),
    ("reply_send", "Send reply", "Enviar respuesta"),
    ("reply_back", "Back to the message", "Volver al mensaje"),
    (
        "reply_sent",
        "Your reply was sent to {to}. You can close this page.",
        "Su respuesta se envió a {to}. Puede cerrar esta página.",
    ),
    (
        "reply_cap",
        "You have sent the most replies allowed in one day ({n}). Please try again tomorrow, or call the help line below.",
        "Ya envió el máximo de respuestas permitidas en un día ({n}). Inténtelo de nuevo mañana o llame a la línea de ayuda de abajo.",
    ),
    (
        "reply_cap_title",
        "Too many replies today",
        "Demasiadas respuestas hoy",
    ),
    (
        "reply_too_big_title",
        "Reply too large",
        "Respuesta demasiado grande",
    ),
    (
        "reply_too_big",
        "Your reply and its files are larger than {size}. Please attach fewer or smaller files.",
        "Su respuesta y sus archivos superan {size}. Adjunte menos archivos o archivos más pequeños.",
    ),
    (
        "reply_empty",
        "Please write a reply or attach a file.",
        "Escriba una respuesta o adjunte un archivo.",
    ),
    (
        "reply_bad_form",
        "The reply could not be read. Please go back to the message and try again.",
        "No se pudo leer la respuesta. Vuelva al mensaje e inténtelo de nuevo.",
    ),
    (
        "reply_no_key",
        "Please open the link in your email again, then reply.",
        "Abra de nuevo el enlace de su correo y luego responda.",
    ),
    (
        "reply_refused_title",
        "Reply not sent",
        "Respuesta no enviada",
    ),
    (
        "reply_refused",
        "Your reply could not be sent securely. Please call the help line below.",
        "Su respuesta no se pudo enviar de forma segura. Llame a la línea de ayuda de abajo.",
    ),
    (
        "reply_busy",
        "We could not send your reply just now. Nothing was sent; please try again in a few minutes.",
        "No pudimos enviar su respuesta ahora. No se envió nada; inténtelo de nuevo en unos minutos.",
    ),
    (
        "reply_off",
        "Replies are not available for this message.",
        "Las respuestas no están disponibles para este mensaje.",
    ),
    (
        "reply_link",
        "Reply to the sender",
        "Responder al remitente",
    ),
];

/// The text of `key` (without its `reply_` prefix, `-` for `_`) in the page's language, with
/// the tenant's override if it has one; `{name}` placeholders filled from `vars` (plain text:
/// pages escape it).
pub fn text(say: Say<'_>, key: &str, vars: &[(&str, &str)]) -> String {
    let key = format!("reply_{}", key.replace('-', "_"));
    say.texts.fill(&key, say.lang, vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages_and_fills_placeholders() {
        for (k, en, es) in TEXTS {
            assert!(!en.is_empty() && !es.is_empty() && en != es, "{k}");
            assert!(k.starts_with("reply_"), "{k}");
        }
        let texts = crate::Texts::default();
        let es = Say {
            texts: &texts,
            lang: crate::Lang::Es,
        };
        assert_eq!(
            text(es, "left", &[("n", "3")]),
            "Hoy puede enviar 3 respuestas más."
        );
        let own = crate::Texts::new([(
            crate::Lang::Es,
            "reply_left".to_string(),
            "Le quedan {n}.".to_string(),
        )])
        .unwrap();
        let es = Say {
            texts: &own,
            lang: crate::Lang::Es,
        };
        assert_eq!(text(es, "left", &[("n", "3")]), "Le quedan 3.");
    }

    #[test]
    fn thread_keeps_message_id_references_and_participants() {
        let raw = b"From: Dr Avery <alice@acme.example>\r\nTo: Maria Lopez <maria@patient.example>, bob@acme.example\r\nCc: nurse@acme.example\r\nMessage-ID: <m1@acme.example>\r\nReferences: <r0@acme.example>\r\nSubject: x\r\n\r\nhi\r\n";
        let msg = mail_parser::MessageParser::default().parse(raw).unwrap();
        let t = Thread::of(&msg);
        assert_eq!(t.message_id.as_deref(), Some("<m1@acme.example>"));
        assert_eq!(t.references, vec!["<r0@acme.example>".to_string()]);
        assert_eq!(t.from.as_deref(), Some("alice@acme.example"));
        assert_eq!(t.participants.len(), 4);
        assert_eq!(t.name_of("MARIA@patient.example"), Some("Maria Lopez"));
        assert_eq!(t.name_of("bob@acme.example"), None);
    }
}
