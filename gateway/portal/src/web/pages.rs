//! The portal's HTML pages: one column, no framework, English or Spanish text from the
//! catalogue (`i18n.rs`) with the tenant's overrides, a plain language-switch link in every
//! header, WCAG 2.2 AA in mind (the page's `lang`, one `h1` per page, every input labelled,
//! visible focus, contrast ≥ 4.5:1, works at 320 px). Every value is HTML-escaped here; no page carries message content (that is
//! fetched after authentication and shown in a sandboxed `srcdoc` frame by `portal.js`).

use crate::i18n::{self, Lang, Texts, long_date};
use crate::id::EscrowId;
use crate::login::CodeError;
use sealgate_core::time::Timestamp;

pub use crate::brand::Brand;

/// HTML-escapes text for element content and quoted attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `3 December 2026` (UTC) for a timestamp.
pub fn date(t: Timestamp) -> String {
    long_date(t, Lang::En)
}

/// What a page says and in which language: the tenant's texts and the request's language.
#[derive(Clone, Copy)]
pub struct Say<'a> {
    /// The tenant's texts (catalogue plus overrides).
    pub texts: &'a Texts,
    /// The page's language.
    pub lang: Lang,
}

impl Say<'_> {
    /// The text of `key`, HTML-escaped, placeholders filled with safe HTML.
    pub fn h(&self, key: &str, values: &[(&str, &str)]) -> String {
        self.texts.html(key, self.lang, values)
    }

    /// The text of `key`, HTML-escaped.
    pub fn e(&self, key: &str) -> String {
        self.h(key, &[])
    }

    /// The long date in the page's language, escaped.
    pub fn date(&self, t: Timestamp) -> String {
        esc(&long_date(t, self.lang))
    }
}

/// The common frame of every page.
pub struct Page<'a> {
    /// `<title>` and `<h1>`: a text key.
    pub title: &'a str,
    /// The tenant's text.
    pub brand: &'a Brand,
    /// The page's language.
    pub lang: Lang,
    /// Where the language switch link goes (a GET path of this page, `?lang=` is added).
    pub switch: &'a str,
    /// The escrow and CSRF token `portal.js` needs (message page only).
    pub data: Option<(EscrowId, &'a str)>,
    /// Inner HTML (already escaped).
    pub body: String,
}

impl Page<'_> {
    /// What this page says.
    pub fn say(&self) -> Say<'_> {
        Say {
            texts: &self.brand.texts,
            lang: self.lang,
        }
    }

    /// The language switch: a plain link (no script), in the other language's own name.
    fn switch_link(&self) -> String {
        let other = self.lang.other();
        // `&amp;`: a bare `&lang` would read as the character reference `&lang;` to a lax parser.
        let sep = if self.switch.contains('?') {
            "&amp;"
        } else {
            "?"
        };
        format!(
            "<nav class=\"lang\" aria-label=\"{label}\"><a href=\"{path}{sep}lang={code}\" lang=\"{code}\" \
hreflang=\"{code}\">{name}</a></nav>",
            label = self.say().e("language_label"),
            path = esc(self.switch),
            code = other.code(),
            name = other.own_name(),
        )
    }

    /// The data attributes of the message page: escrow, CSRF token and `portal.js`'s texts.
    fn data_attributes(&self) -> String {
        let Some((id, csrf)) = self.data else {
            return String::new();
        };
        let say = self.say();
        format!(
            " data-escrow=\"{id}\" data-csrf=\"{}\" data-t-nokey=\"{}\" data-t-failed=\"{}\" data-t-download=\"{}\"",
            esc(csrf),
            say.e("message_no_key"),
            say.e("message_failed"),
            say.e("message_download"),
        )
    }

    /// The complete document.
    pub fn render(&self) -> String {
        let b = self.brand;
        let say = self.say();
        let style = if b.colours.is_some() {
            format!(
                "<link rel=\"stylesheet\" href=\"/static/brand/{}/style.css\">",
                b.key
            )
        } else {
            String::new()
        };
        // Decorative: the organisation's name follows as text.
        let logo = if b.logo.is_some() {
            format!(
                "<img class=\"logo\" src=\"/static/brand/{}/logo\" alt=\"\" height=\"48\">",
                b.key
            )
        } else {
            String::new()
        };
        let intro = if b.intro.is_empty() {
            String::new()
        } else {
            format!("<p class=\"intro\">{}</p>", esc(&b.intro))
        };
        let org = esc(&b.name);
        format!(
            "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"referrer\" content=\"no-referrer\">\
<title>{title} – {org}</title><link rel=\"stylesheet\" href=\"/static/portal.css\">{style}\
<script src=\"/static/portal.js\" defer></script></head>\
<body><header>{logo}<p class=\"org\">{org_line}</p>{switch}</header>\
<main id=\"portal\"{data}>{intro}<h1>{title}</h1>{body}</main>\
<footer><p>{help}</p></footer></body></html>\n",
            lang = self.lang.code(),
            title = say.e(self.title),
            org_line = say.h("org_secure_mail", &[("org", &org)]),
            switch = self.switch_link(),
            data = self.data_attributes(),
            help = esc(&b.help),
            body = self.body,
        )
    }
}

fn hidden_csrf(csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(csrf)
    )
}

/// A paragraph of escaped text.
pub fn para(text: &str) -> String {
    format!("<p>{}</p>", esc(text))
}

/// An alert paragraph (announced by screen readers).
pub fn alert(text: &str) -> String {
    format!("<p class=\"alert\" role=\"alert\">{}</p>", esc(text))
}

/// The link page: reference word and the "Email me a code" button.
pub fn link_body(
    say: Say<'_>,
    id: EscrowId,
    reference: &str,
    expires: Timestamp,
    csrf: &str,
    note: Option<&str>,
) -> String {
    let r = format!("<strong class=\"ref\">{}</strong>", esc(reference));
    format!(
        "{note}<p>{text}</p><p>{until}</p><p>{intro}</p>\
<form method=\"post\" action=\"/m/{id}/code\">{csrf}<button type=\"submit\">{button}</button></form>",
        note = note.map(alert).unwrap_or_default(),
        text = say.h("link_reference", &[("ref", &r)]),
        until = say.h("link_until", &[("date", &say.date(expires))]),
        intro = say.e("link_code_intro"),
        button = say.e("link_button"),
        csrf = hidden_csrf(csrf),
    )
}

/// The code page: one labelled input.
pub fn code_body(say: Say<'_>, id: EscrowId, csrf: &str, note: Option<&str>) -> String {
    format!(
        "{note}<p>{intro}</p><form method=\"post\" action=\"/m/{id}/verify\">{csrf}\
<label for=\"code\">{label}</label>\
<input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" \
pattern=\"[0-9 ]*\" maxlength=\"7\" required autofocus>\
<button type=\"submit\">{open}</button></form>\
<form method=\"post\" action=\"/m/{id}/code\">{csrf}<button type=\"submit\" class=\"secondary\">{resend}</button></form>",
        note = note.map(alert).unwrap_or_default(),
        intro = say.e("code_intro"),
        label = say.e("code_label"),
        open = say.e("code_button"),
        resend = say.e("code_resend"),
        csrf = hidden_csrf(csrf),
    )
}

/// The message page; `portal.js` fills it after posting the link half.
pub fn message_body(say: Say<'_>, reference: &str, csrf: &str) -> String {
    let r = format!("<strong class=\"ref\">{}</strong>", esc(reference));
    format!(
        "<p>{reference}</p>\
<div id=\"message\" aria-live=\"polite\"><p id=\"status\">{opening}</p>\
<dl id=\"meta\" hidden><dt>{from}</dt><dd id=\"from\"></dd><dt>{subject}</dt><dd id=\"subject\"></dd></dl>\
<iframe id=\"frame\" sandbox=\"\" title=\"{frame}\" referrerpolicy=\"no-referrer\" hidden></iframe>\
<h2 id=\"files-title\" hidden>{files}</h2><ul id=\"files\"></ul></div>\
<form method=\"post\" action=\"/logout\">{csrf}<button type=\"submit\" class=\"secondary\">{logout}</button></form>",
        reference = say.h("message_reference", &[("ref", &r)]),
        opening = say.e("message_opening"),
        from = say.e("message_from"),
        subject = say.e("message_subject"),
        frame = say.e("message_frame"),
        files = say.e("message_attachments"),
        logout = say.e("logout_button"),
        csrf = hidden_csrf(csrf),
    )
}

/// The withdrawn / expired page with "ask the sender to send it again".
pub fn gone_body(
    say: Say<'_>,
    id: EscrowId,
    what: &str,
    on: Timestamp,
    csrf: &str,
    asked: bool,
) -> String {
    let ask = if asked {
        format!(
            "<p class=\"alert\" role=\"alert\">{}</p>",
            say.e("gone_asked")
        )
    } else {
        format!(
            "<form method=\"post\" action=\"/m/{id}/ask\">{}<button type=\"submit\">{}</button></form>",
            hidden_csrf(csrf),
            say.e("gone_ask"),
        )
    };
    let key = if what == "withdrawn" {
        "withdrawn_text"
    } else {
        "expired_text"
    };
    format!(
        "<p class=\"gone\">{}</p><p>{}</p>{ask}",
        say.h(key, &[("date", &say.date(on))]),
        say.e("gone_unreadable"),
    )
}

/// Why a code was refused, in the page's language (plain text).
pub fn code_message(say: Say<'_>, e: &CodeError) -> String {
    let (t, lang) = (say.texts, say.lang);
    match e {
        CodeError::Locked { until } => t.fill(
            "code_locked",
            lang,
            &[
                ("date", &i18n::long_date(*until, lang)),
                ("time", &i18n::time_of_day(*until)),
            ],
        ),
        CodeError::RateLimited => t.fill("code_rate_limited", lang, &[]),
        CodeError::NoCode => t.fill("code_none", lang, &[]),
        CodeError::Expired => t.fill("code_expired", lang, &[]),
        CodeError::Wrong { left: 1 } => t.fill("code_wrong_one", lang, &[]),
        CodeError::Wrong { left } => {
            t.fill("code_wrong_many", lang, &[("left", &left.to_string())])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_civil_dates() {
        assert_eq!(date(Timestamp(0)), "1 January 1970");
        assert_eq!(date(Timestamp(951_782_400_000)), "29 February 2000");
        assert_eq!(date(Timestamp(1_796_256_000_000)), "3 December 2026");
    }

    #[test]
    fn values_are_escaped() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
