//! The secure reply's mail (issue 13, item 2): a recipient's reply from the portal, classified
//! like any message, committed to the spool and delivered through the tenant's return route.
//!
//! Guarantees:
//! - **Addressed inside the tenant only.** The reply goes to the original's From (which accept
//!   required to be the tenant's); "reply to all" adds the original's From/To/Cc participants
//!   whose domain is one of the tenant's `sender_domains` — never an external address (the
//!   patient's own included), never the portal address itself.
//! - **Threads.** `In-Reply-To` is the original `Message-ID`, `References` the original's
//!   references plus it; the subject is `Re: <original subject>`.
//! - **Who it is from.** `From: "Maria Lopez via Acme Health secure mail"
//!   <portal address>` (the tenant's `[portal.tenants.NAME] from`, so the sign stage signs it
//!   with the tenant's DKIM key); `Reply-To` is that portal address, never the patient's.
//! - **The return route, verified TLS.** Null reverse path and the Message-ID
//!   `<ID.reply@GATEWAY-DOMAIN>` ([`message_id_header`]), which [`is_reply`] recognises: the
//!   return route takes it (`return_route.rs`, TLS verified), and since it is not the
//!   gateway's own notice Message-ID the signer uses the tenant's key (`protect::owner`).
//! - **Classified.** The rules engine decides each recipient's requirement; a rejecting
//!   decision refuses the reply (nothing is queued).
//! - **Durable first.** [`ReplyMail::send_reply`] returns `Queued` only after the spool commit;
//!   the engine is woken after it. The text and files are never logged.

use crate::escrow::PortalEscrow;
use crate::notice::{crlf, rfc5322_date};
use crate::portal_send::Wake;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sealgate_core::{Address, Decision, Domain, Message, MessageId, Recipient, Requirement};
use sealgate_portal::{PortalError, Reply, ReplyFuture, ReplyMail, ReplyOutcome};
use std::collections::HashMap;
use std::sync::Arc;

/// The rules engine, as the binary gives it (the accept stage's classifier).
pub type Classify = Arc<dyn Fn(&Message) -> Decision + Send + Sync>;

/// Commits portal replies to the spool.
#[derive(Clone)]
pub struct PortalReplier {
    /// The escrow step (portal config, originator).
    pub escrow: Arc<PortalEscrow>,
    /// The deliver stage's waker.
    pub wake: Wake,
    /// The rules engine.
    pub classify: Classify,
    /// Each tenant's `sender_domains`.
    pub domains: Arc<HashMap<String, Vec<Domain>>>,
}

/// The Message-ID of reply `id`: `<ID.reply@GATEWAY-DOMAIN>`.
pub fn message_id_header(id: MessageId, gateway_domain: &Domain) -> String {
    format!("<{id}.reply@{gateway_domain}>")
}

/// True for a portal reply: null reverse path and its own [`message_id_header`] (no client can
/// know a message's gateway id before it is accepted).
pub fn is_reply(msg: &Message, gateway_domain: &Domain) -> bool {
    msg.envelope.mail_from.is_none()
        && msg.header_message_id.as_deref() == Some(&message_id_header(msg.id, gateway_domain))
}

fn io(e: impl std::fmt::Display) -> PortalError {
    PortalError::Io(e.to_string())
}

/// `text` as a header word: a quoted string when printable ASCII, else an RFC 2047 word.
fn phrase(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    if clean.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        format!("\"{}\"", clean.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        format!("=?utf-8?B?{}?=", STANDARD.encode(clean.as_bytes()))
    }
}

/// An unstructured header value (subject): as is when printable ASCII, else RFC 2047.
fn unstructured(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).take(400).collect();
    if clean.is_ascii() {
        clean
    } else {
        format!("=?utf-8?B?{}?=", STANDARD.encode(clean.as_bytes()))
    }
}

fn base64_lines(data: &[u8]) -> String {
    let encoded = STANDARD.encode(data);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 38);
    for chunk in encoded.as_bytes().chunks(76) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push_str("\r\n");
    }
    out
}

/// A `Message-ID`-like token list, each `<…>` kept only when it has no line break or space.
fn ids(list: impl IntoIterator<Item = String>) -> Vec<String> {
    list.into_iter()
        .filter(|m| m.starts_with('<') && m.ends_with('>') && !m.contains(char::is_whitespace))
        .collect()
}

impl PortalReplier {
    /// The reply's recipients: the original sender, plus (reply-all) the original's
    /// participants in the tenant's domains; never `exclude` (the portal address, the patient).
    pub fn recipients(
        &self,
        reply: &Reply,
        exclude: &[&Address],
    ) -> Result<Vec<Address>, PortalError> {
        let own = self
            .domains
            .get(&reply.record.tenant)
            .ok_or_else(|| PortalError::Conflict("the tenant has no sender domains".into()))?;
        // Local parts compare case-insensitively here: one person is not mailed twice, and
        // the patient or the portal address in another case is still left out.
        let same = |a: &Address, b: &Address| a.to_string().eq_ignore_ascii_case(&b.to_string());
        let inside = |text: &str| {
            Address::parse(text)
                .ok()
                .filter(|a| own.contains(a.domain()) && !exclude.iter().any(|x| same(a, x)))
        };
        let Some(sender) = reply.thread.from.as_deref().and_then(inside) else {
            return Err(PortalError::Conflict(
                "the original sender is not inside the tenant's domains".into(),
            ));
        };
        let mut out = vec![sender];
        if reply.all {
            for a in reply
                .thread
                .participants
                .iter()
                .filter_map(|(_, a)| inside(a))
            {
                if !out.iter().any(|o| same(o, &a)) {
                    out.push(a);
                }
            }
        }
        Ok(out)
    }

    /// The reply as a complete RFC 5322 message.
    fn content(&self, id: MessageId, reply: &Reply, from: &Address, to: &[Address]) -> Vec<u8> {
        let o = &self.escrow.origin;
        let org = self
            .escrow
            .config
            .tenant(&reply.record.tenant)
            .map(|t| t.organisation.clone())
            .unwrap_or_default();
        let name = if reply.name.trim().is_empty() {
            reply.record.recipient.to_string()
        } else {
            reply.name.clone()
        };
        let display = phrase(&format!("{name} via {org} secure mail"));
        let subject = match reply.subject.trim() {
            s if s.to_ascii_lowercase().starts_with("re:") => s.to_string(),
            s => format!("Re: {s}"),
        };
        let to_line: Vec<String> = to.iter().map(|a| format!("<{a}>")).collect();
        let mut head = format!(
            "From: {display} <{from}>\r\nReply-To: {portal} <{from}>\r\nTo: {to}\r\nSubject: {subject}\r\n\
Date: {date}\r\nMessage-ID: {mid}\r\n",
            portal = phrase(&format!("{org} secure mail")),
            to = to_line.join(", "),
            subject = unstructured(&subject),
            date = rfc5322_date(o.clock.now()),
            mid = message_id_header(id, &o.identity.domain),
        );
        if let Some(orig) = ids(reply.thread.message_id.clone()).first() {
            let mut refs = ids(reply.thread.references.clone());
            refs.retain(|r| r != orig);
            refs.push(orig.clone());
            head.push_str(&format!(
                "In-Reply-To: {orig}\r\nReferences: {}\r\n",
                refs.join("\r\n ")
            ));
        }
        let boundary = o.boundary();
        head.push_str(&format!(
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
        ));
        let note = format!(
            "\n\n--\nWritten by the recipient of your secure message (reference word {}) in the \
{org} secure portal. Answer as usual: your mail to them is protected by the gateway again.\n",
            reply.record.reference
        );
        let mut out = head;
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
            base64_lines(crlf(&(reply.text.clone() + &note)).as_bytes())
        ));
        for a in &reply.attachments {
            let ascii: String = a
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_graphic() || c == ' ' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            out.push_str(&format!(
                "--{boundary}\r\nContent-Type: application/octet-stream; name={n}\r\n\
Content-Disposition: attachment; filename={n}\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
                base64_lines(&a.data),
                n = phrase(&ascii),
            ));
        }
        out.push_str(&format!("--{boundary}--\r\n"));
        out.into_bytes()
    }

    /// Builds, classifies and commits `reply` (blocking).
    fn send_blocking(&self, reply: &Reply) -> Result<ReplyOutcome, PortalError> {
        let tenant = &reply.record.tenant;
        let from = self
            .escrow
            .from_address(tenant)
            .ok_or_else(|| PortalError::Conflict("no portal From address".into()))?;
        let to = self.recipients(reply, &[&from, &reply.record.recipient])?;
        let o = &self.escrow.origin;
        let id = o.new_id();
        let content = self.content(id, reply, &from, &to);
        let mut message = o.message(
            id,
            tenant,
            None,
            &to[0],
            content,
            Requirement::TlsOnly,
            false,
        );
        message.envelope.recipients = to.iter().cloned().map(Recipient::new).collect();
        message.header_message_id = Some(message_id_header(id, &o.identity.domain));
        let decision = (self.classify)(&message);
        if decision.rejects() {
            tracing::info!(escrow = %reply.record.id, tenant = %tenant, "portal reply refused by the rules");
            return Ok(ReplyOutcome::Refused);
        }
        message.decision = decision;
        o.store.commit(&message).map_err(io)?;
        (self.wake)(id);
        tracing::info!(%id, escrow = %reply.record.id, tenant = %tenant, recipients = to.len(), attachments = reply.attachments.len(), "portal reply committed");
        Ok(ReplyOutcome::Queued {
            to: to.iter().map(ToString::to_string).collect(),
        })
    }
}

impl ReplyMail for PortalReplier {
    fn send_reply(&self, reply: Reply) -> ReplyFuture<'_> {
        let me = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || me.send_blocking(&reply))
                .await
                .map_err(io)?
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::notice::{Identity, Originator};
    use sealgate_commit::{MasterKeys, OsRandom, Spool};
    use sealgate_core::SystemClock;
    use sealgate_portal::{EscrowRecord, EscrowStore, KeyMode, Thread};
    use std::path::Path;

    const CONFIG: &str = "[tenants.acme]\nnetworks = [\"127.0.0.1/32\"]\nsender_domains = [\"acme.example\", \"lab.acme.example\"]\n\
[portal]\nlisten = \"127.0.0.1:8443\"\n[portal.tenants.acme]\nbase_url = \"https://portal.acme.example\"\norganisation = \"Acme Health\"\n";

    fn replier(dir: &Path) -> PortalReplier {
        let rng = Arc::new(OsRandom);
        let spool = Spool::open(
            dir,
            MasterKeys::generate("k", &OsRandom).unwrap(),
            Arc::new(SystemClock),
            rng.clone(),
        )
        .unwrap();
        let store = EscrowStore::open(
            dir,
            Arc::new(MasterKeys::generate("k", &OsRandom).unwrap()),
            Arc::new(SystemClock),
            rng.clone(),
        )
        .unwrap();
        let config = sealgate_config::Config::from_toml(CONFIG).unwrap();
        let escrow = PortalEscrow {
            store: Arc::new(store),
            origin: Originator {
                store: Arc::new(spool),
                clock: Arc::new(SystemClock),
                rng,
                identity: Identity {
                    hostname: "gw.example".into(),
                    domain: Domain::parse("gw.example").unwrap(),
                    postmaster: Address::parse("postmaster@gw.example").unwrap(),
                },
            },
            config: Arc::new(config.portal.unwrap()),
            domains: HashMap::from([("acme".to_string(), "acme.example".to_string())]),
        };
        PortalReplier {
            escrow: Arc::new(escrow),
            wake: Arc::new(|_| {}),
            classify: Arc::new(|m: &Message| {
                Decision::uniform(Requirement::TlsOnly, m.envelope.recipients.len())
            }),
            domains: Arc::new(HashMap::from([(
                "acme".to_string(),
                vec![
                    Domain::parse("acme.example").unwrap(),
                    Domain::parse("lab.acme.example").unwrap(),
                ],
            )])),
        }
    }

    fn reply(all: bool) -> Reply {
        let p = |n: &str, a: &str| (n.to_string(), a.to_string());
        Reply {
            record: EscrowRecord {
                id: "00".repeat(16),
                message_id: MessageId::from_bytes([3; 16]),
                recipient_index: 0,
                recipient: Address::parse("maria@home.example").unwrap(),
                tenant: "acme".into(),
                reference: "harbor-27".into(),
                created: sealgate_core::time::Timestamp(0),
                expires: sealgate_core::time::Timestamp(1),
                key_mode: KeyMode::Link,
                state: sealgate_portal::EscrowState::Active,
                attachments: 0,
                events: 0,
            },
            thread: Thread {
                message_id: Some("<orig@acme.example>".into()),
                references: vec!["<older@acme.example>".into(), "<bad id>".into()],
                from: Some("avery@ACME.example".into()),
                participants: vec![
                    p("Dr Avery", "avery@acme.example"),
                    p("María López", "maria@home.example"),
                    p("", "nurse@lab.acme.example"),
                    p("", "eve@outside.example"),
                    p("", "Secure-Mail@acme.example"),
                    p("", "AVERY@acme.example"),
                    p("", "nurse@lab.acme.example"),
                ],
            },
            subject: "Lab results".into(),
            name: "María López".into(),
            text: "Gracias\n".into(),
            all,
            attachments: vec![sealgate_portal::ReplyAttachment {
                name: "scan.pdf".into(),
                data: vec![0, 1, 2, 255],
            }],
        }
    }

    #[test]
    fn reply_all_stays_inside_the_tenants_domains() {
        let dir = tempfile::tempdir().unwrap();
        let r = replier(dir.path());
        let portal = Address::parse("secure-mail@acme.example").unwrap();
        let patient = Address::parse("maria@home.example").unwrap();
        let only = r.recipients(&reply(false), &[&portal, &patient]).unwrap();
        assert_eq!(only, vec![Address::parse("avery@acme.example").unwrap()]);
        let all = r.recipients(&reply(true), &[&portal, &patient]).unwrap();
        let all: Vec<String> = all.iter().map(ToString::to_string).collect();
        assert_eq!(all, ["avery@acme.example", "nurse@lab.acme.example"]);
        let mut outside = reply(true);
        outside.thread.from = Some("eve@outside.example".into());
        assert!(r.recipients(&outside, &[&portal, &patient]).is_err());
    }

    #[test]
    fn the_reply_threads_names_the_patient_via_the_portal_and_is_refused_by_a_reject() {
        let dir = tempfile::tempdir().unwrap();
        let r = replier(dir.path());
        let from = Address::parse("secure-mail@acme.example").unwrap();
        let to = [Address::parse("avery@acme.example").unwrap()];
        let id = MessageId::from_bytes([4; 16]);
        let text = String::from_utf8(r.content(id, &reply(false), &from, &to)).unwrap();
        let name = format!(
            "=?utf-8?B?{}?=",
            STANDARD.encode("María López via Acme Health secure mail")
        );
        assert!(
            text.contains(&format!("From: {name} <secure-mail@acme.example>\r\n")),
            "{text}"
        );
        assert!(
            text.contains("Reply-To: \"Acme Health secure mail\" <secure-mail@acme.example>\r\n")
        );
        assert!(text.contains("In-Reply-To: <orig@acme.example>\r\nReferences: <older@acme.example>\r\n <orig@acme.example>\r\n"), "{text}");
        assert!(text.contains(&format!("Message-ID: <{id}.reply@gw.example>\r\n")));
        assert!(text.contains("Subject: Re: Lab results\r\n"));
        assert!(
            !text.contains("maria@home.example"),
            "the patient's address: {text}"
        );
        assert!(
            text.contains("filename=\"scan.pdf\"") && text.contains("AAEC/w=="),
            "{text}"
        );

        let mut refusing = r.clone();
        refusing.classify = Arc::new(|m: &Message| {
            let mut d = Decision::uniform(Requirement::Reject, m.envelope.recipients.len());
            d.reject = None;
            d
        });
        assert_eq!(
            refusing.send_blocking(&reply(false)).unwrap(),
            ReplyOutcome::Refused
        );
        let queued = r.send_blocking(&reply(true)).unwrap();
        assert_eq!(
            queued,
            ReplyOutcome::Queued {
                to: vec!["avery@acme.example".into(), "nurse@lab.acme.example".into()]
            }
        );
    }
}
