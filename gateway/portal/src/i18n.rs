//! Languages of the portal's pages and mails: English and Spanish.
//!
//! * [`Lang`]: chosen per request from the `lang` query (the switch link on every page), else
//!   the `sealgate-lang` cookie that link sets, else `Accept-Language` (q-values honoured),
//!   else the tenant's first mail language ([`choose`]).
//! * The catalogue: tables of `(key, English, Spanish)` ([`Table`]); [`TABLES`] lists every
//!   table the pages and mails look texts up in, so a feature's own table joins by adding it
//!   there (its keys become overridable and checked by `config check` at once).
//! * [`Texts`]: a tenant's overrides (`[portal.tenants.NAME.texts.en|es]`, key → text) on top
//!   of the catalogue; each override must name a known key, be non-empty, carry no HTML and use
//!   only the placeholders of the text it replaces ([`check_override`]).
//!
//! Texts are plain text: pages HTML-escape them ([`Texts::html`]) before placeholders are
//! filled with already-escaped values; mails use them as they are.

use sealgate_core::time::Timestamp;
use std::collections::HashMap;

pub use crate::i18n_texts::TEXTS;

/// A catalogue table: (key, English, Spanish).
pub type Table = [(&'static str, &'static str, &'static str)];

/// Every table texts are looked up in, first match wins.
pub const TABLES: &[&Table] = &[
    TEXTS,
    crate::status_texts::TEXTS,
    crate::notice_texts::TEXTS,
    crate::reply::TEXTS,
    crate::passkey_pages::TEXTS,
];

/// The name of the cookie the language switch sets.
pub const LANG_COOKIE: &str = "sealgate-lang";

/// A language of the pages and mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Spanish.
    Es,
}

impl Lang {
    /// Both, in the order bilingual mail shows them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// `en` / `es` (the `lang` attribute, the query and cookie value, the config table name).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language named by `code` (`en`, `es`, any case).
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The language's own name, for the switch link.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }

    /// Its place in per-language arrays.
    fn slot(self) -> usize {
        match self {
            Lang::En => 0,
            Lang::Es => 1,
        }
    }

    /// The other language (the switch link's target).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Es,
            Lang::Es => Lang::En,
        }
    }
}

/// The best of English and Spanish in an `Accept-Language` header (`es-ES,es;q=0.9,en;q=0.8`),
/// by q-value, the earlier entry winning a tie; `None` when it names neither (or gives both q=0).
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q=").map(str::trim))
            .map_or(Some(1.0), |v| v.parse::<f32>().ok());
        let Some(q) = q.filter(|q| *q > 0.0 && *q <= 1.0) else {
            continue;
        };
        let Some(lang) = Lang::from_code(tag.split('-').next().unwrap_or_default()) else {
            continue;
        };
        if best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

/// The language of a page: `query` (`?lang=es`), else `cookie`, else `accept`, else `default`.
pub fn choose(
    query: Option<&str>,
    cookie: Option<&str>,
    accept: Option<&str>,
    default: Lang,
) -> Lang {
    query
        .and_then(Lang::from_code)
        .or_else(|| cookie.and_then(Lang::from_code))
        .or_else(|| accept.and_then(from_accept_language))
        .unwrap_or(default)
}

/// The catalogue text of `key` in `lang` from one table.
pub fn lookup(table: &Table, key: &str, lang: Lang) -> Option<&'static str> {
    table
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, es)| match lang {
            Lang::En => *en,
            Lang::Es => *es,
        })
}

/// The catalogue text of `key` in `lang` from [`TABLES`] (an index built on first use: a page
/// looks up a dozen texts, and the tables hold a few hundred).
pub fn catalogue(key: &str, lang: Lang) -> Option<&'static str> {
    static INDEX: std::sync::LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
        std::sync::LazyLock::new(|| {
            let mut index = HashMap::new();
            // Reversed, so the first table holding a key wins, as documented on `TABLES`.
            for (k, en, es) in TABLES.iter().rev().flat_map(|t| t.iter()) {
                index.insert(*k, (*en, *es));
            }
            index
        });
    INDEX.get(key).map(|(en, es)| match lang {
        Lang::En => *en,
        Lang::Es => *es,
    })
}

/// The `{name}` placeholders of a text.
fn placeholders(text: &str) -> Vec<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// Whether `text` may replace the catalogue text `key` in `lang`; the error says why not.
pub fn check_override(key: &str, lang: Lang, text: &str) -> Result<(), String> {
    let Some(original) = catalogue(key, lang) else {
        return Err(format!("`{key}` is not a portal text key"));
    };
    if text.trim().is_empty() {
        return Err("the text is empty".into());
    }
    if text.contains(['<', '>']) {
        return Err("HTML is not allowed in texts (no `<` or `>`)".into());
    }
    let allowed = placeholders(original);
    if let Some(bad) = placeholders(text)
        .into_iter()
        .find(|p| !allowed.contains(p))
    {
        let list: Vec<String> = allowed.iter().map(|p| format!("{{{p}}}")).collect();
        return Err(format!(
            "`{{{bad}}}` is not a placeholder of this text (it has: {})",
            if list.is_empty() {
                "none".to_string()
            } else {
                list.join(", ")
            }
        ));
    }
    Ok(())
}

/// A tenant's texts: its overrides over the catalogue.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    /// Key → text, English then Spanish (looked up by `&str`, without allocating).
    overrides: [HashMap<String, String>; 2],
}

impl Texts {
    /// Texts with `overrides` (language, key, text), each checked by [`check_override`]; the
    /// error names the first bad one as `LANG.KEY: why`.
    pub fn new(
        overrides: impl IntoIterator<Item = (Lang, String, String)>,
    ) -> Result<Texts, String> {
        let mut map: [HashMap<String, String>; 2] = Default::default();
        for (lang, key, text) in overrides {
            check_override(&key, lang, &text).map_err(|e| format!("{}.{key}: {e}", lang.code()))?;
            map[lang.slot()].insert(key, text);
        }
        Ok(Texts { overrides: map })
    }

    /// The text of `key` in `lang`: the override, else the catalogue's, else the key itself (a
    /// missing key shows up on the page rather than failing the request).
    pub fn get<'a>(&'a self, key: &'a str, lang: Lang) -> &'a str {
        if let Some(t) = self.overrides[lang.slot()].get(key) {
            return t;
        }
        catalogue(key, lang).unwrap_or(key)
    }

    /// The text of `key` from the override, else from `table` (a feature's own table not yet
    /// in [`TABLES`], e.g. in another crate), else from the catalogue, else the key itself.
    pub fn get_in<'a>(&'a self, table: &'static Table, key: &'a str, lang: Lang) -> &'a str {
        if let Some(t) = self.overrides[lang.slot()].get(key) {
            return t;
        }
        lookup(table, key, lang).unwrap_or_else(|| self.get(key, lang))
    }

    /// The text of `key` with its placeholders filled (plain text, for mails).
    pub fn fill(&self, key: &str, lang: Lang, values: &[(&str, &str)]) -> String {
        fill(self.get(key, lang), values)
    }

    /// The text of `key` HTML-escaped, then its placeholders filled with `values`, which the
    /// caller has made safe HTML already.
    pub fn html(&self, key: &str, lang: Lang, values: &[(&str, &str)]) -> String {
        fill(&crate::web::pages::esc(self.get(key, lang)), values)
    }
}

/// `text` with each `{name}` replaced by its value.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

const MONTHS_EN: [&str; 12] = [
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
const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// The UTC civil date (year, month 1–12, day) of a timestamp.
fn civil(t: Timestamp) -> (i64, usize, i64) {
    let days = (t.secs() / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as usize, day)
}

/// `3 December 2026` / `3 de diciembre de 2026` (UTC).
pub fn long_date(t: Timestamp, lang: Lang) -> String {
    let (year, month, day) = civil(t);
    let i = month.clamp(1, 12) - 1;
    match lang {
        Lang::En => format!("{day} {} {year}", MONTHS_EN[i]),
        Lang::Es => format!("{day} de {} de {year}", MONTHS_ES[i]),
    }
}

/// `14:05` (UTC).
pub fn time_of_day(t: Timestamp) -> String {
    let s = t.secs() % 86_400;
    format!("{:02}:{:02}", s / 3600, (s % 3600) / 60)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
    use super::*;

    #[test]
    fn accept_language_honours_q_values_and_order() {
        let cases = [
            ("es-ES,es;q=0.9,en;q=0.8", Some(Lang::Es)),
            ("en-GB,en;q=0.9,es;q=0.8", Some(Lang::En)),
            ("fr-FR, es;q=0.5, en;q=0.4", Some(Lang::Es)),
            ("en;q=0.2, ES-mx;q=0.7", Some(Lang::Es)),
            ("es;q=0, en;q=0.1", Some(Lang::En)),
            ("es, en", Some(Lang::Es)),
            ("de-DE,fr;q=0.5", None),
            ("es;q=abc", None),
            ("", None),
        ];
        for (header, want) in cases {
            assert_eq!(from_accept_language(header), want, "{header}");
        }
        assert_eq!(
            choose(Some("en"), Some("es"), Some("es"), Lang::Es),
            Lang::En
        );
        assert_eq!(
            choose(Some("xx"), Some("es"), Some("en"), Lang::En),
            Lang::Es
        );
        assert_eq!(choose(None, None, Some("es-AR"), Lang::En), Lang::Es);
        assert_eq!(choose(None, None, Some("de"), Lang::Es), Lang::Es);
    }

    #[test]
    fn every_key_has_both_languages_with_the_same_placeholders() {
        let mut keys = std::collections::HashSet::new();
        for table in TABLES {
            for (key, en, es) in table.iter() {
                assert!(keys.insert(*key), "duplicate key {key}");
                assert!(!en.trim().is_empty() && !es.trim().is_empty(), "{key}");
                // Words spelt the same in both languages ("No") are listed here, not skipped.
                let same = ["status_no"];
                assert!(en != es || same.contains(key), "{key} is not translated");
                let (mut a, mut b) = (placeholders(en), placeholders(es));
                a.sort_unstable();
                b.sort_unstable();
                assert_eq!(a, b, "{key}");
            }
        }
    }

    #[test]
    fn reply_and_passkey_texts_are_overridable_and_checked() {
        let t = Texts::new([
            (Lang::En, "passkey_remove".into(), "Delete".into()),
            (Lang::Es, "reply_left".into(), "Le quedan {n}.".into()),
        ])
        .unwrap();
        assert_eq!(t.get("passkey_remove", Lang::En), "Delete");
        assert_eq!(t.get("passkey_remove", Lang::Es), "Eliminar");
        assert_eq!(
            t.fill("reply_left", Lang::Es, &[("n", "2")]),
            "Le quedan 2."
        );
        let e = Texts::new([(Lang::En, "reply_left".into(), "{count} left".into())]).unwrap_err();
        assert!(e.starts_with("en.reply_left:") && e.contains("{n}"), "{e}");
    }

    #[test]
    fn overrides_are_checked_and_win() {
        let t = Texts::new([(
            Lang::Es,
            "link_title".into(),
            "Tiene correo de {org}?".into(),
        )]);
        let e = t.unwrap_err();
        assert!(
            e.starts_with("es.link_title:") && e.contains("{org}"),
            "{e}"
        );
        for (key, text, why) in [
            ("link_titel", "x", "not a portal text key"),
            ("link_title", "  ", "empty"),
            ("link_title", "<b>Hola</b>", "HTML"),
        ] {
            let e = check_override(key, Lang::En, text).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
        let t = Texts::new([(
            Lang::Es,
            "link_until".to_string(),
            "Disponible hasta el {date}.".to_string(),
        )])
        .unwrap();
        assert_eq!(t.get("link_until", Lang::Es), "Disponible hasta el {date}.");
        assert_eq!(
            t.get("link_until", Lang::En),
            "It can be read until {date}."
        );
        assert_eq!(
            t.fill("link_until", Lang::Es, &[("date", "3 de enero")]),
            "Disponible hasta el 3 de enero."
        );
        const MINE: &Table = &[("reply_title", "Reply", "Responder")];
        assert_eq!(t.get_in(MINE, "reply_title", Lang::Es), "Responder");
        assert_eq!(
            t.get_in(MINE, "link_until", Lang::Es),
            "Disponible hasta el {date}."
        );
        assert_eq!(
            Texts::default().html("message_reference", Lang::Es, &[("ref", "<b>x</b>")]),
            "Palabra de referencia: <b>x</b>"
        );
    }

    #[test]
    fn dates_in_both_languages() {
        let t = Timestamp(1_796_256_000_000 + 14 * 3_600_000 + 5 * 60_000);
        assert_eq!(long_date(t, Lang::En), "3 December 2026");
        assert_eq!(long_date(t, Lang::Es), "3 de diciembre de 2026");
        assert_eq!(
            long_date(Timestamp(951_782_400_000), Lang::Es),
            "29 de febrero de 2000"
        );
        assert_eq!(time_of_day(t), "14:05");
    }
}
