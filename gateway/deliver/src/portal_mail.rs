//! The mail the secure portal originates: the recipient's notification and the code mail.
//!
//! Built here, beside the DSNs and notices (`notice.rs`), and committed to the spool through
//! [`Originator`] like them; the deliver stage DKIM-signs each with the tenant's key (the From
//! domain is the tenant's), so both are DKIM-aligned with the tenant.
//!
//! Guarantees: neither carries a value from the message — no subject, body or attachment; the
//! notification's subject is a fixed placeholder naming the organisation; its only link is the
//! portal link given (on the tenant's portal host); it shows the reference word, the expiry
//! date and the tenant's help line, as plain text plus simple HTML. The code mail is plain text
//! and carries no link at all. Values never carry line breaks into headers; display names are
//! quoted or RFC 2047 encoded.

use crate::notice::{Originator, crlf, rfc5322_date};
use sealgate_core::time::Timestamp;
use sealgate_core::{Address, MessageId};

/// What a notification says. No field may come from the message's content.
#[derive(Debug, Clone)]
pub struct Notification<'a> {
    /// The sender's display name (from the envelope sender's tenant directory or header From
    /// display name; never the subject).
    pub sender_name: &'a str,
    /// The From address, at the tenant's domain (e.g. `secure-mail@clinic.example`).
    pub from: &'a Address,
    /// The recipient.
    pub to: &'a Address,
    /// The organisation's name.
    pub org: &'a str,
    /// The portal link, `https://<portal host>/m/<id>#<link half>`.
    pub link: &'a str,
    /// The reference word shown on the portal page.
    pub reference: &'a str,
    /// When the message expires.
    pub expires: Timestamp,
    /// The tenant's help line.
    pub help: &'a str,
    /// The tenant's intro sentence (`[portal.tenants.NAME] intro`; may be empty).
    pub intro: &'a str,
    /// The tenant's colour, used for the HTML link when it is readable on white (AA).
    pub colour: Option<sealgate_config::Rgb>,
}

/// One header-safe line: control characters removed.
fn line(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

/// A display name as a quoted string, or RFC 2047 `Q` encoded when it is not ASCII.
fn display_name(name: &str) -> String {
    let name = line(name);
    if name.is_ascii() {
        return format!("\"{}\"", name.replace(['"', '\\'], ""));
    }
    let mut out = String::from("=?utf-8?q?");
    for b in name.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => out.push(char::from(b)),
            b' ' => out.push('_'),
            _ => out.push_str(&format!("={b:02X}")),
        }
    }
    out.push_str("?=");
    out
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `3 December 2026` (UTC).
fn long_date(t: Timestamp) -> String {
    // `rfc5322_date` is `Thu, 03 Dec 2026 …`: reuse its civil-date arithmetic.
    let d = rfc5322_date(t);
    let parts: Vec<&str> = d.split(' ').collect();
    let day = parts.get(1).map_or("", |s| s.trim_start_matches('0'));
    let month = match parts.get(2).copied().unwrap_or_default() {
        "Jan" => "January",
        "Feb" => "February",
        "Mar" => "March",
        "Apr" => "April",
        "Jun" => "June",
        "Jul" => "July",
        "Aug" => "August",
        "Sep" => "September",
        "Oct" => "October",
        "Nov" => "November",
        "Dec" => "December",
        other => other,
    };
    format!(
        "{day} {month} {}",
        parts.get(3).copied().unwrap_or_default()
    )
}

fn headers(o: &Originator, id: MessageId, from: String, to: &Address, subject: &str) -> String {
    format!(
        "From: {from}\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: {mid}\r\nAuto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n",
        subject = line(subject),
        date = rfc5322_date(o.clock.now()),
        mid = o.message_id_header(id),
    )
}

/// The notification (multipart/alternative: plain text and simple HTML).
pub fn notification(o: &Originator, id: MessageId, n: &Notification<'_>) -> Vec<u8> {
    let from = format!(
        "{} <{}>",
        display_name(&format!("{} via {}", n.sender_name, n.org)),
        n.from
    );
    let subject = format!("Secure message from {}", n.org);
    let expires = long_date(n.expires);
    let intro = if n.intro.is_empty() {
        String::new()
    } else {
        format!("{}\n\n", n.intro)
    };
    let link_colour = n
        .colour
        .filter(|c| c.contrast(sealgate_config::Rgb::WHITE) >= sealgate_config::AA_CONTRAST)
        .map_or_else(|| "#1d4f91".to_string(), |c| c.css());
    let text = format!(
        "{intro}{sender} sent you a secure message through {org}.\n\nOpen it here:\n{link}\n\n\
Reference word: {reference}\nThe secure page shows the same word.\n\n\
You can read the message until {expires}. To open it, the page emails you a 6-digit code;\n\
no password or account is needed.\n\n{help}\n",
        sender = n.sender_name,
        org = n.org,
        link = n.link,
        reference = n.reference,
        help = n.help,
    );
    let html = format!(
        "<!doctype html><html lang=\"en\"><body style=\"font-family:sans-serif;color:#1a1a1a\">\
{intro_html}<p>{sender} sent you a secure message through {org}.</p>\
<p><a href=\"{link}\" style=\"color:{link_colour};font-weight:bold\">Open the secure message</a></p>\
<p>Reference word: <strong>{reference}</strong><br>The secure page shows the same word.</p>\
<p>You can read the message until {expires}. To open it, the page emails you a 6-digit code; \
no password or account is needed.</p><p>{help}</p></body></html>",
        sender = html_escape(n.sender_name),
        org = html_escape(n.org),
        link = html_escape(n.link),
        reference = html_escape(n.reference),
        expires = html_escape(&expires),
        help = html_escape(n.help),
        intro_html = if n.intro.is_empty() {
            String::new()
        } else {
            format!("<p>{}</p>", html_escape(n.intro))
        },
    );
    let boundary = o.boundary();
    let mut out = headers(o, id, from, n.to, &subject);
    out.push_str(&format!(
        "Content-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n\
--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n\
--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n\
--{boundary}--\r\n",
        crlf(&text),
        crlf(&html),
    ));
    out.into_bytes()
}

/// The code mail: plain text, no link.
pub fn code_mail(o: &Originator, id: MessageId, n: &Notification<'_>, code: &str) -> Vec<u8> {
    let from = format!(
        "{} <{}>",
        display_name(&format!("{} secure mail", n.org)),
        n.from
    );
    let subject = format!("Your {} secure mail code", n.org);
    let text = format!(
        "Your code is {code}\n\nEnter it on the secure page that shows the reference word {reference}.\n\
It works for 10 minutes, only in the browser where you asked for it.\n\n\
If you did not ask for a code, you can ignore this email.\n\n{help}\n",
        reference = n.reference,
        help = n.help,
    );
    let mut out = headers(o, id, from, n.to, &subject);
    out.push_str(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
    );
    out.push_str(&crlf(&text));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
    use super::*;
    use crate::notice::Identity;
    use mail_parser::MessageParser;
    use sealgate_core::{Clock, Domain, Random};
    use std::sync::Arc;

    struct Fixed;
    impl Clock for Fixed {
        fn now(&self) -> Timestamp {
            Timestamp(1_796_256_000_000)
        }
    }
    struct Ones;
    impl Random for Ones {
        fn fill(&self, buf: &mut [u8]) {
            buf.fill(1);
        }
    }

    fn originator() -> Originator {
        let dir = tempfile::tempdir().unwrap();
        let keys = sealgate_commit::MasterKeys::generate("k", &Ones).unwrap();
        let spool = sealgate_commit::Spool::open(
            dir.keep().as_path(),
            keys,
            Arc::new(Fixed),
            Arc::new(Ones),
        )
        .unwrap();
        Originator {
            store: Arc::new(spool),
            clock: Arc::new(Fixed),
            rng: Arc::new(Ones),
            identity: Identity {
                hostname: "gw.example".into(),
                domain: Domain::parse("gw.example").unwrap(),
                postmaster: Address::parse("postmaster@gw.example").unwrap(),
            },
        }
    }

    const LINK: &str = "https://portal.clinic.example/m/0123456789abcdef0123456789abcdef#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    fn sample<'a>(from: &'a Address, to: &'a Address) -> Notification<'a> {
        Notification {
            sender_name: "Dr Ávery",
            from,
            to,
            org: "Riverside Clinic",
            link: LINK,
            reference: "harbor-27",
            expires: Timestamp(1_798_848_000_000),
            help: "Questions? Call 555-0100.",
            intro: "",
            colour: None,
        }
    }

    #[test]
    fn the_notification_has_one_link_the_reference_and_the_expiry() {
        let o = originator();
        let (from, to) = (
            Address::parse("secure-mail@clinic.example").unwrap(),
            Address::parse("pat@home.example").unwrap(),
        );
        let raw = notification(&o, o.new_id(), &sample(&from, &to));
        let m = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(m.subject(), Some("Secure message from Riverside Clinic"));
        let f = m.from().unwrap().first().unwrap();
        assert_eq!(f.address(), Some("secure-mail@clinic.example"));
        assert_eq!(f.name(), Some("Dr Ávery via Riverside Clinic"));
        let text = m.body_text(0).unwrap();
        let html = m.body_html(0).unwrap();
        for body in [&text, &html] {
            assert!(
                body.contains("harbor-27")
                    && body.contains("2 January 2027")
                    && body.contains("555-0100")
            );
            assert_eq!(body.matches("https://").count(), 1, "one link only: {body}");
        }
        assert!(text.contains(LINK));
        assert!(html.contains(&format!("href=\"{LINK}\"")));
        assert_eq!(m.attachment_count(), 0);
        assert!(raw.split(|b| *b == b'\n').all(|l| l.len() <= 998));
    }

    #[test]
    fn the_tenant_template_adds_its_intro_and_a_readable_link_colour() {
        let o = originator();
        let (from, to) = (
            Address::parse("secure-mail@clinic.example").unwrap(),
            Address::parse("pat@home.example").unwrap(),
        );
        let mut n = sample(&from, &to);
        n.intro = "Riverside <Clinic> sends results securely.";
        n.colour = Some(sealgate_config::Rgb([0x0b, 0x53, 0x94]));
        let raw = notification(&o, o.new_id(), &n);
        let m = MessageParser::default().parse(&raw).unwrap();
        assert!(
            m.body_text(0)
                .unwrap()
                .starts_with("Riverside <Clinic> sends")
        );
        let html = m.body_html(0).unwrap();
        assert!(html.contains("<p>Riverside &lt;Clinic&gt; sends results securely.</p>"));
        assert!(html.contains("color:#0b5394"), "{html}");
        // A light colour (fine behind dark text on the pages) is not used for a link on white.
        n.colour = Some(sealgate_config::Rgb([0xff, 0xd7, 0x00]));
        let raw = notification(&o, o.new_id(), &n);
        let html = MessageParser::default()
            .parse(&raw)
            .unwrap()
            .body_html(0)
            .unwrap()
            .to_string();
        assert!(
            html.contains("color:#1d4f91") && !html.contains("ffd700"),
            "{html}"
        );
    }

    #[test]
    fn the_code_mail_carries_the_code_and_no_link() {
        let o = originator();
        let (from, to) = (
            Address::parse("secure-mail@clinic.example").unwrap(),
            Address::parse("pat@home.example").unwrap(),
        );
        let raw = code_mail(&o, o.new_id(), &sample(&from, &to), "042917");
        let m = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(m.subject(), Some("Your Riverside Clinic secure mail code"));
        let text = m.body_text(0).unwrap();
        assert!(text.contains("Your code is 042917") && text.contains("harbor-27"));
        assert!(!text.contains("http") && !text.contains("portal.clinic.example"));
        assert_eq!(m.parts.len(), 1, "one plain-text part, nothing else");
    }

    #[test]
    fn header_values_cannot_inject() {
        assert_eq!(display_name("A\r\nBcc: x@y \"q\""), "\"ABcc: x@y q\"");
        assert_eq!(display_name("Ávila"), "=?utf-8?q?=C3=81vila?=");
        assert_eq!(long_date(Timestamp(0)), "1 January 1970");
        assert_eq!(long_date(Timestamp(1_796_256_000_000)), "3 December 2026");
    }
}
