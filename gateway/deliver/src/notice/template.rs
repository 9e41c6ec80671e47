//! The notice templates: the built-in texts, their replacement by `NAME.txt` files in
//! `[gateway] notice_templates`, rendering with `{name}` placeholders (no line break reaches a
//! header), and a hold's reason in plain words for the `held` notice.

use crate::error::DeliverError;
use std::collections::HashMap;
use std::path::Path;

/// One template: subject and body with `{name}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Subject line.
    pub subject: String,
    /// Body text.
    pub body: String,
}

const BUILT_IN: &[(&str, &str)] = &[
    (
        "dsn-failed",
        "Subject: Undelivered Mail Returned to Sender\n\nThis is the mail system at {reporting_mta}.\n\nYour message {message_id} could not be delivered to one or more recipients.\nIt is attached below (headers only for protected messages).\n\n{recipients}\n",
    ),
    (
        "dsn-delayed",
        "Subject: Delayed Mail (still being retried)\n\nThis is the mail system at {reporting_mta}.\n\nYour message {message_id} could not be delivered yet to one or more recipients.\nDelivery will be retried; you do not need to send it again.\n\n{recipients}\n",
    ),
    (
        "held",
        "Subject: Not delivered yet: your message is waiting for a secure way to reach the recipient\n\nYour message {message_id} sent {date} has not been delivered yet to:\n\n{recipients}\n\nWhat happened\nYour message appears to contain protected information (such as patient details), so the\nsecure mail gateway may only send it in a protected way. For the recipients above that was\nnot possible:\n\n{what_happened}\n\nNothing has been sent to them. Your message is kept safely on the gateway.\n\nWhen it will be returned\nIf it still cannot be sent securely by {return_date}, it will be returned to you\nundelivered.\n\nWhat you can do\n- If the recipient uses encrypted email (OpenPGP or S/MIME), ask them for their public key or\n  certificate and give it to your mail administrator: once it is on file, your message is\n  sent at once, without your doing anything.\n- Or ask your mail administrator to release it, or reach the recipient another secure way\n  (your organisation's secure portal or file transfer, or by phone).\n- You do not need to send the message again while it waits.\n",
    ),
    (
        "dropped-tls",
        "Subject: Your message was not delivered (secure connection unavailable)\n\nYour message {message_id} sent {date} was not delivered to:\n\n{recipients}\n\nPolicy requires an encrypted connection to the recipient's mail server, and the server\ndid not offer one. Please use another way to reach the recipient.\n",
    ),
    (
        "escrowed",
        "Subject: Your message was delivered securely\n\nYour message {message_id} sent {date} was stored in the secure portal for:\n\n{recipients}\n\nThe recipients received a link to read it.\n",
    ),
];

/// All templates, built-in and replaced.
#[derive(Debug, Clone)]
pub struct Templates {
    map: HashMap<String, Template>,
}

fn parse_template(text: &str) -> Option<Template> {
    let text = text.replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n")?;
    let subject = head.strip_prefix("Subject:")?.trim().to_string();
    Some(Template {
        subject,
        body: body.to_string(),
    })
}

impl Templates {
    /// The built-in templates, replaced by `NAME.txt` files found in `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Templates, DeliverError> {
        let mut map = HashMap::new();
        for (name, text) in BUILT_IN {
            if let Some(t) = parse_template(text) {
                map.insert((*name).to_string(), t);
            }
        }
        let Some(dir) = dir else {
            return Ok(Templates { map });
        };
        for name in BUILT_IN.iter().map(|(n, _)| *n) {
            let path = dir.join(format!("{name}.txt"));
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let t = parse_template(&text).ok_or_else(|| {
                        DeliverError::Config(format!(
                            "{}: needs `Subject: …`, a blank line, then the body",
                            path.display()
                        ))
                    })?;
                    map.insert(name.to_string(), t);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(DeliverError::Config(format!("{}: {e}", path.display())));
                }
            }
        }
        Ok(Templates { map })
    }

    /// Renders a template; unknown placeholders stay as written.
    pub fn render(&self, name: &str, vars: &[(&str, &str)]) -> Template {
        let t = self.map.get(name).cloned().unwrap_or(Template {
            subject: "Message from the mail gateway".into(),
            body: "{recipients}\n".into(),
        });
        let fill = |text: &str, header: bool| {
            let mut out = text.to_string();
            for (k, v) in vars {
                let v = if header {
                    v.replace(['\r', '\n'], " ")
                } else {
                    v.to_string()
                };
                out = out.replace(&format!("{{{k}}}"), &v);
            }
            out
        };
        Template {
            subject: fill(&t.subject, true),
            body: fill(&t.body, false),
        }
    }
}

/// A hold's reason (`no protection method available (tls-verified: …; pgp: no key on file);
/// held`, `held by admin`…) in plain words, one `- ` line per distinct cause.
pub fn plain_reason(reason: &str) -> String {
    let r = reason.to_ascii_lowercase();
    let mut lines: Vec<&str> = Vec::new();
    let mut say = |hit: bool, text: &'static str| {
        if hit && !lines.contains(&text) {
            lines.push(text);
        }
    };
    say(
        r.contains("held by admin"),
        "An administrator of your mail system put the message on hold.",
    );
    say(
        r.contains("tls not verified") || r.contains("tls-required") || r.contains("tls required"),
        "The recipient's mail server could not prove, over a secure connection, that it is the\n  right server, so the message could not be sent to it protected on the way.",
    );
    say(
        r.contains("no key on file"),
        "No encryption key or certificate is on file for the recipient, so the message could\n  not be encrypted for them.",
    );
    say(
        r.contains("no usable key"),
        "The recipient's encryption key on file cannot be used (it has expired, was revoked or\n  is too weak).",
    );
    say(
        r.contains("too large"),
        "Once protected, the message is too large for the recipient's mail server.",
    );
    say(
        r.contains("held by policy"),
        "Your organisation's mail policy holds messages like this one for review.",
    );
    if lines.is_empty() {
        lines.push("No secure way to deliver it to the recipient is available at the moment.");
    }
    lines
        .iter()
        .map(|l| format!("- {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::rfc5322_date;
    use sealgate_core::time::Timestamp;

    #[test]
    fn the_held_notice_says_in_plain_words_what_happened_and_when_it_returns() {
        let t = Templates::load(None).unwrap();
        let reason = "no protection method available (tls-verified: next hop TLS not verified \
                      (plaintext-only); pgp: no key on file); held";
        let what = plain_reason(reason);
        let r = t.render(
            "held",
            &[
                ("message_id", "<m1@acme-health.org>"),
                ("date", "Tue, 01 Jul 2025 10:00:00 +0000"),
                ("recipients", "  <bob@partner.example>"),
                ("what_happened", &what),
                ("return_date", &rfc5322_date(Timestamp(1_751_968_800_000))),
            ],
        );
        assert!(
            r.body
                .contains("has not been delivered yet to:\n\n  <bob@partner.example>")
        );
        assert!(r.body.contains("could not prove, over a secure connection"));
        assert!(
            r.body
                .contains("No encryption key or certificate is on file")
        );
        assert!(
            r.body
                .contains("by Tue, 08 Jul 2025 10:00:00 +0000, it will be returned")
        );
        assert!(r.body.contains("What you can do"));
        for jargon in ["tls-verified", "plaintext-only", "pgp:", "{"] {
            assert!(!r.body.contains(jargon), "{jargon} in:\n{}", r.body);
        }
        assert_eq!(
            plain_reason("held by admin"),
            "- An administrator of your mail system put the message on hold."
        );
    }

    #[test]
    fn templates_render_and_can_be_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("held.txt"),
            "Subject: Held {message_id}\n\nBody {reason}\n",
        )
        .unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let r = t.render(
            "held",
            &[("message_id", "x\r\nBcc: evil"), ("reason", "policy")],
        );
        assert_eq!(r.subject, "Held x  Bcc: evil");
        assert_eq!(r.body, "Body policy\n");
        let r = t.render("dropped-tls", &[("recipients", "  <a@b>")]);
        assert!(r.body.contains("  <a@b>"));
        std::fs::write(dir.path().join("held.txt"), "no subject").unwrap();
        assert!(Templates::load(Some(dir.path())).is_err());
    }
}
