//! `[portal.tenants.NAME] language` (the language of the recipient's mails) and
//! `[portal.tenants.NAME.texts.en]` / `[portal.tenants.NAME.texts.es]` (the tenant's own
//! wording of portal texts, key → text).
//!
//! Checked here: the language value, the table names (`en`, `es`), each text a non-empty
//! string without HTML (`<`, `>`). Whether a key exists and which `{placeholders}` it may use
//! is the portal's catalogue's to say: `config check` (and `serve`) check that against
//! `sealgate_portal::i18n` and name the key.

use crate::reader::Section;

/// `language`: the recipient mails' language(s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MailLanguage {
    /// `"en"` (the default).
    #[default]
    En,
    /// `"es"`.
    Es,
    /// `"en+es"`: one bilingual mail, English first.
    EnEs,
}

impl MailLanguage {
    /// The language codes in the order the mail shows them.
    pub fn codes(self) -> &'static [&'static str] {
        match self {
            MailLanguage::En => &["en"],
            MailLanguage::Es => &["es"],
            MailLanguage::EnEs => &["en", "es"],
        }
    }
}

/// One `[portal.tenants.NAME.texts.LANG] KEY = "text"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOverride {
    /// `en` or `es`.
    pub lang: String,
    /// The catalogue key (`link_title`).
    pub key: String,
    /// The tenant's text (plain text; `{placeholders}` of the original allowed).
    pub text: String,
}

/// Reads `language`.
pub(crate) fn read_language(t: &mut Section<'_>) -> MailLanguage {
    match t.string("language").as_deref() {
        None | Some("en") => MailLanguage::En,
        Some("es") => MailLanguage::Es,
        Some("en+es") => MailLanguage::EnEs,
        Some(other) => {
            t.issue(
                "language",
                format!("`{other}` is not \"en\", \"es\" or \"en+es\""),
            );
            MailLanguage::En
        }
    }
}

/// Reads `[…texts.en]` and `[…texts.es]`, sorted by language and key.
pub(crate) fn read_texts(t: &mut Section<'_>) -> Vec<TextOverride> {
    let mut texts = t.section("texts");
    let mut out = Vec::new();
    for (lang, mut table) in texts.drain_tables() {
        if lang != "en" && lang != "es" {
            texts.issue(
                &lang,
                "texts are given per language: [….texts.en] or [….texts.es]",
            );
            continue;
        }
        for (key, text) in table.drain_strings() {
            if text.trim().is_empty() {
                table.issue(&key, "the text is empty");
            } else if text.contains(['<', '>']) {
                table.issue(&key, "HTML is not allowed in texts (no `<` or `>`)");
            } else {
                out.push(TextOverride {
                    lang: lang.clone(),
                    key,
                    text,
                });
            }
        }
        table.finish();
    }
    texts.finish();
    out.sort_by(|a, b| (&a.lang, &a.key).cmp(&(&b.lang, &b.key)));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
    use crate::Config;

    fn config(lines: &str) -> Result<Config, String> {
        Config::from_toml(&format!(
            "[tenants.acme]\nnetworks = [\"10.0.0.0/8\"]\nsender_domains = [\"clinic.example\"]\n\
             [portal]\nlisten = \"127.0.0.1:8443\"\n[portal.tenants.acme]\n\
             base_url = \"https://p.example\"\n{lines}\n"
        ))
        .map_err(|e| e.to_string())
    }

    #[test]
    fn language_and_texts_are_read() {
        let c = config(
            "language = \"en+es\"\n[portal.tenants.acme.texts.es]\n\
             link_title = \"Tiene un mensaje de la clínica\"\n\
             [portal.tenants.acme.texts.en]\nlink_title = \"A message from the clinic\"\n",
        )
        .unwrap();
        let t = c.portal.unwrap().tenant("acme").unwrap().clone();
        assert_eq!(t.language, super::MailLanguage::EnEs);
        assert_eq!(t.language.codes(), ["en", "es"]);
        let got: Vec<_> = t
            .texts
            .iter()
            .map(|o| (o.lang.as_str(), o.key.as_str(), o.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("en", "link_title", "A message from the clinic"),
                ("es", "link_title", "Tiene un mensaje de la clínica")
            ]
        );
        let t = config("").unwrap().portal.unwrap().tenants[0].clone();
        assert_eq!((t.language, t.texts.len()), (super::MailLanguage::En, 0));
    }

    #[test]
    fn bad_language_and_texts_name_the_key() {
        for (lines, key, why) in [
            ("language = \"fr\"", "portal.tenants.acme.language", "en+es"),
            (
                "[portal.tenants.acme.texts.es]\nlink_title = \"\"",
                "portal.tenants.acme.texts.es.link_title",
                "empty",
            ),
            (
                "[portal.tenants.acme.texts.en]\nlink_title = \"<b>Hi</b>\"",
                "portal.tenants.acme.texts.en.link_title",
                "HTML",
            ),
            (
                "[portal.tenants.acme.texts.fr]\nlink_title = \"Salut\"",
                "portal.tenants.acme.texts.fr",
                "per language",
            ),
            (
                "[portal.tenants.acme.texts.en]\nlink_title = 3",
                "portal.tenants.acme.texts.en.link_title",
                "",
            ),
        ] {
            let e = config(lines).unwrap_err();
            assert!(e.contains(key) && e.contains(why), "{lines}: {e}");
        }
    }
}
