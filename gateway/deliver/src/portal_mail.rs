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
//! quoted or RFC 2047 encoded. Both are written in the tenant's `language` (`en`, `es`, or
//! `en+es`: one bilingual mail, English first) from the portal's catalogue
//! (`sealgate_portal::i18n`) with the tenant's text overrides.

use crate::notice::{Originator, crlf, rfc5322_date};
use sealgate_core::time::Timestamp;
use sealgate_core::{Address, MessageId};
use sealgate_portal::i18n::long_date;
use sealgate_portal::{Lang, Texts};

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
    /// The mail's languages (`[portal.tenants.NAME] language`), in order.
    pub langs: &'a [Lang],
    /// The tenant's texts (catalogue and overrides).
    pub texts: &'a Texts,
}

/// One header-safe line: control characters removed.
fn line(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

/// A display name as a quoted string, or RFC 2047 `Q` encoded when it is not ASCII.
pub(crate) fn display_name(name: &str) -> String {
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

/// An unstructured header value: as it is when ASCII, else RFC 2047 `Q` encoded words of at
/// most 75 characters each, folded onto continuation lines (whole characters per word).
pub(crate) fn header_text(value: &str) -> String {
    let value = line(value);
    if value.is_ascii() {
        return value;
    }
    let mut words = Vec::new();
    let mut word = String::new();
    for c in value.chars() {
        let mut buf = [0u8; 4];
        let mut piece = String::new();
        for b in c.encode_utf8(&mut buf).bytes() {
            match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => piece.push(char::from(b)),
                b' ' => piece.push('_'),
                _ => piece.push_str(&format!("={b:02X}")),
            }
        }
        // "=?utf-8?q?" + word + "?=" stays within 75 characters.
        if word.len() + piece.len() > 75 - 12 {
            words.push(std::mem::take(&mut word));
        }
        word.push_str(&piece);
    }
    words.push(word);
    words
        .iter()
        .map(|w| format!("=?utf-8?q?{w}?="))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn headers(o: &Originator, id: MessageId, from: String, to: &Address, subject: &str) -> String {
    format!(
        "From: {from}\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: {mid}\r\nAuto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n",
        subject = header_text(subject),
        date = rfc5322_date(o.clock.now()),
        mid = o.message_id_header(id),
    )
}

/// The separator between the languages of a bilingual mail.
pub(crate) const BETWEEN: &str = "\n----------------------------------------\n\n";

/// The subject in each language, joined by " / ".
fn subject(n: &Notification<'_>, key: &str) -> String {
    let parts: Vec<String> = n
        .langs
        .iter()
        .map(|l| n.texts.fill(key, *l, &[("org", n.org)]))
        .collect();
    parts.join(" / ")
}

fn first_lang(n: &Notification<'_>) -> Lang {
    n.langs.first().copied().unwrap_or_default()
}

/// One language's plain text of the notification.
fn notification_text(n: &Notification<'_>, lang: Lang) -> String {
    let t = n.texts;
    let date = long_date(n.expires, lang);
    format!(
        "{sent}\n\n{open}\n{link}\n\n{reference}\n{same}\n\n{until}\n",
        sent = t.fill(
            "mail_notification_sent",
            lang,
            &[("sender", n.sender_name), ("org", n.org)]
        ),
        open = t.fill("mail_notification_open", lang, &[]),
        link = n.link,
        reference = t.fill("mail_notification_reference", lang, &[("ref", n.reference)]),
        same = t.fill("mail_notification_same_word", lang, &[]),
        until = t.fill("mail_notification_until", lang, &[("date", &date)]),
    )
}

/// One language's HTML of the notification (a `div` with its `lang`).
fn notification_html(n: &Notification<'_>, lang: Lang, link_colour: &str) -> String {
    let t = n.texts;
    let h = |key: &str, values: &[(&str, &str)]| html_escape(&t.fill(key, lang, values));
    let date = long_date(n.expires, lang);
    let strong = format!("<strong>{}</strong>", html_escape(n.reference));
    format!(
        "<div lang=\"{code}\"><p>{sent}</p>\
<p><a href=\"{link}\" style=\"color:{link_colour};font-weight:bold\">{button}</a></p>\
<p>{reference}<br>{same}</p><p>{until}</p></div>",
        code = lang.code(),
        sent = h(
            "mail_notification_sent",
            &[("sender", n.sender_name), ("org", n.org)]
        ),
        link = html_escape(n.link),
        button = h("mail_notification_button", &[]),
        reference =
            html_escape(t.get("mail_notification_reference", lang)).replace("{ref}", &strong),
        same = h("mail_notification_same_word", &[]),
        until = h("mail_notification_until", &[("date", &date)]),
    )
}

/// The notification (multipart/alternative: plain text and simple HTML), in the tenant's
/// language(s): bilingual mail shows each language in turn, the intro and help line once.
pub fn notification(o: &Originator, id: MessageId, n: &Notification<'_>) -> Vec<u8> {
    let first = first_lang(n);
    let from = format!(
        "{} <{}>",
        display_name(&n.texts.fill(
            "mail_notification_from",
            first,
            &[("sender", n.sender_name), ("org", n.org)]
        )),
        n.from
    );
    let subject = subject(n, "mail_notification_subject");
    let intro = if n.intro.is_empty() {
        String::new()
    } else {
        format!("{}\n\n", n.intro)
    };
    let link_colour = n
        .colour
        .filter(|c| c.contrast(sealgate_config::Rgb::WHITE) >= sealgate_config::AA_CONTRAST)
        .map_or_else(|| "#1d4f91".to_string(), |c| c.css());
    let blocks: Vec<String> = n.langs.iter().map(|l| notification_text(n, *l)).collect();
    let text = format!("{intro}{}\n{}\n", blocks.join(BETWEEN), n.help);
    let blocks: Vec<String> = n
        .langs
        .iter()
        .map(|l| notification_html(n, *l, &link_colour))
        .collect();
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><body style=\"font-family:sans-serif;color:#1a1a1a\">\
{intro_html}{blocks}<p>{help}</p></body></html>",
        lang = first.code(),
        blocks = blocks.join("<hr>"),
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

/// The code mail: plain text, no link, in the tenant's language(s).
pub fn code_mail(o: &Originator, id: MessageId, n: &Notification<'_>, code: &str) -> Vec<u8> {
    let t = n.texts;
    let from = format!(
        "{} <{}>",
        display_name(&t.fill("mail_code_from", first_lang(n), &[("org", n.org)])),
        n.from
    );
    let subject = subject(n, "mail_code_subject");
    let blocks: Vec<String> = n
        .langs
        .iter()
        .map(|&lang| {
            format!(
                "{is}\n\n{enter}\n{valid}\n\n{ignore}\n",
                is = t.fill("mail_code_is", lang, &[("code", code)]),
                enter = t.fill("mail_code_enter", lang, &[("ref", n.reference)]),
                valid = t.fill("mail_code_valid", lang, &[]),
                ignore = t.fill("mail_code_ignore", lang, &[]),
            )
        })
        .collect();
    let text = format!("{}\n{}\n", blocks.join(BETWEEN), n.help);
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
            langs: &[Lang::En],
            texts: texts(),
        }
    }

    fn texts() -> &'static Texts {
        static T: std::sync::OnceLock<Texts> = std::sync::OnceLock::new();
        T.get_or_init(Texts::default)
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
    fn a_spanish_tenant_gets_spanish_mail_and_en_es_gets_both() {
        let o = originator();
        let (from, to) = (
            Address::parse("secure-mail@clinic.example").unwrap(),
            Address::parse("pat@home.example").unwrap(),
        );
        let overrides = Texts::new([(
            Lang::Es,
            "mail_code_ignore".to_string(),
            "Si no fue usted, ignore este correo.".to_string(),
        )])
        .unwrap();
        let mut n = sample(&from, &to);
        n.langs = &[Lang::Es];
        n.texts = &overrides;
        let m = notification(&o, o.new_id(), &n);
        let m = MessageParser::default().parse(&m).unwrap();
        assert_eq!(m.subject(), Some("Mensaje seguro de Riverside Clinic"));
        let f = m.from().unwrap().first().unwrap();
        assert_eq!(f.name(), Some("Dr Ávery a través de Riverside Clinic"));
        let (text, html) = (m.body_text(0).unwrap(), m.body_html(0).unwrap());
        for body in [&text, &html] {
            assert!(body.contains("2 de enero de 2027") && body.contains("harbor-27"));
            assert!(!body.contains("You can read"), "{body}");
        }
        assert!(html.contains("<html lang=\"es\">") && html.contains("<div lang=\"es\">"));
        let raw = code_mail(&o, o.new_id(), &n, "042917");
        let m = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(
            m.subject(),
            Some("Su código de correo seguro de Riverside Clinic")
        );
        let text = m.body_text(0).unwrap();
        assert!(text.contains("Su código es 042917") && text.contains("Si no fue usted"));
        let head = String::from_utf8_lossy(&raw);
        let subject_line = head.lines().find(|l| l.starts_with("Subject:")).unwrap();
        assert!(subject_line.is_ascii(), "RFC 2047 encoded: {subject_line}");

        n.langs = &[Lang::En, Lang::Es];
        let m = notification(&o, o.new_id(), &n);
        let m = MessageParser::default().parse(&m).unwrap();
        assert_eq!(
            m.subject(),
            Some("Secure message from Riverside Clinic / Mensaje seguro de Riverside Clinic")
        );
        let text = m.body_text(0).unwrap();
        let (en, es) = (
            text.find("You can read").unwrap(),
            text.find("Puede leer").unwrap(),
        );
        assert!(en < es, "English first: {text}");
        assert_eq!(text.matches("555-0100").count(), 1, "help line once");
    }

    #[test]
    fn header_values_cannot_inject() {
        assert_eq!(display_name("A\r\nBcc: x@y \"q\""), "\"ABcc: x@y q\"");
        assert_eq!(display_name("Ávila"), "=?utf-8?q?=C3=81vila?=");
        assert_eq!(header_text("Secure\r\nBcc: x"), "SecureBcc: x");
        let long = "Su código de correo seguro de Clínica Ribera del Río, Servicio de Análisis";
        let folded = header_text(long);
        assert!(folded.lines().all(|l| l.trim_end().len() <= 76), "{folded}");
        let raw = format!("Subject: {folded}\r\n\r\n");
        let m = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap();
        assert_eq!(m.subject(), Some(long));
    }
}
