//! The portal's HTML pages: one column, no framework, English text, WCAG 2.2 AA in mind
//! (a `lang`, one `h1` per page, every input labelled, visible focus, contrast ≥ 4.5:1, works
//! at 320 px). Every value is HTML-escaped here; no page carries message content (that is
//! fetched after authentication and shown in a sandboxed `srcdoc` frame by `portal.js`).

use crate::id::EscrowId;
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

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `3 December 2026` (UTC) for a timestamp.
pub fn date(t: Timestamp) -> String {
    let days = (t.secs() / 86_400) as i64;
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{day} {} {year}", MONTHS[(month - 1) as usize])
}

/// The common frame of every page.
pub struct Page<'a> {
    /// `<title>` and `<h1>`.
    pub title: &'a str,
    /// The tenant's text.
    pub brand: &'a Brand,
    /// The escrow and CSRF token `portal.js` needs (message page only).
    pub data: Option<(EscrowId, &'a str)>,
    /// Inner HTML (already escaped).
    pub body: String,
}

impl Page<'_> {
    /// The complete document.
    pub fn render(&self) -> String {
        let data = self.data.map_or_else(String::new, |(id, csrf)| {
            format!(" data-escrow=\"{id}\" data-csrf=\"{}\"", esc(csrf))
        });
        let b = self.brand;
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
        format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"referrer\" content=\"no-referrer\">\
<title>{title} – {org}</title><link rel=\"stylesheet\" href=\"/static/portal.css\">{style}\
<script src=\"/static/portal.js\" defer></script></head>\
<body><header>{logo}<p class=\"org\">{org} secure mail</p></header>\
<main id=\"portal\"{data}>{intro}<h1>{title}</h1>{body}</main>\
<footer><p>{help}</p></footer></body></html>\n",
            title = esc(self.title),
            org = esc(&self.brand.name),
            help = esc(&self.brand.help),
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
    id: EscrowId,
    reference: &str,
    expires: Timestamp,
    csrf: &str,
    note: Option<&str>,
) -> String {
    format!(
        "{note}<p>You have a secure message. Its reference word is <strong class=\"ref\">{r}</strong> \
— the same word as in the email you received.</p><p>It can be read until {exp}.</p>\
<p>To read it, we send a 6-digit code to your email address.</p>\
<form method=\"post\" action=\"/m/{id}/code\">{csrf}<button type=\"submit\">Email me a code</button></form>",
        note = note.map(alert).unwrap_or_default(),
        r = esc(reference),
        exp = esc(&date(expires)),
        csrf = hidden_csrf(csrf),
    )
}

/// The code page: one labelled input.
pub fn code_body(id: EscrowId, csrf: &str, note: Option<&str>) -> String {
    format!(
        "{note}<p>We sent a 6-digit code to your email address. It works for 10 minutes, in this \
browser only.</p><form method=\"post\" action=\"/m/{id}/verify\">{csrf}\
<label for=\"code\">Code from the email</label>\
<input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" \
pattern=\"[0-9 ]*\" maxlength=\"7\" required autofocus>\
<button type=\"submit\">Open the message</button></form>\
<form method=\"post\" action=\"/m/{id}/code\">{csrf}<button type=\"submit\" class=\"secondary\">Send a new code</button></form>",
        note = note.map(alert).unwrap_or_default(),
        csrf = hidden_csrf(csrf),
    )
}

/// The message page; `portal.js` fills it after posting the link half.
pub fn message_body(reference: &str, csrf: &str) -> String {
    format!(
        "<p>Reference word: <strong class=\"ref\">{r}</strong></p>\
<div id=\"message\" aria-live=\"polite\"><p id=\"status\">Opening the message…</p>\
<dl id=\"meta\" hidden><dt>From</dt><dd id=\"from\"></dd><dt>Subject</dt><dd id=\"subject\"></dd></dl>\
<iframe id=\"frame\" sandbox=\"\" title=\"Message text\" referrerpolicy=\"no-referrer\" hidden></iframe>\
<h2 id=\"files-title\" hidden>Attachments</h2><ul id=\"files\"></ul></div>\
<form method=\"post\" action=\"/logout\">{csrf}<button type=\"submit\" class=\"secondary\">Log off</button></form>",
        r = esc(reference),
        csrf = hidden_csrf(csrf),
    )
}

/// The withdrawn / expired page with "ask the sender to send it again".
pub fn gone_body(id: EscrowId, what: &str, on: Timestamp, csrf: &str, asked: bool) -> String {
    let ask = if asked {
        alert("We asked the sender to send it again. They will contact you.")
    } else {
        format!(
            "<form method=\"post\" action=\"/m/{id}/ask\">{}<button type=\"submit\">Ask the sender to send it again</button></form>",
            hidden_csrf(csrf)
        )
    };
    let phrase = if what == "withdrawn" {
        "was withdrawn"
    } else {
        "expired"
    };
    format!(
        "<p class=\"gone\">This message {phrase} on {}.</p><p>It can no longer be read.</p>{ask}",
        esc(&date(on)),
    )
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
