//! The passkey parts of the portal's pages: the "open with passkey" box on the link page, the
//! offer to create one on the message page, and the "Your passkeys" page. Every user-visible
//! string is in [`TEXTS`] (English and Spanish, keys `passkey_…`), listed in `i18n::TABLES`, so a
//! tenant may override any of them; every value is HTML-escaped; the only script is
//! the same-origin `/static/passkey.js` (the pages' CSP allows no inline script).

use crate::id::EscrowId;
use crate::passkey_store::StoredPasskey;
use crate::web::pages::{Say, date, esc};

/// (key, English, Spanish) of every string the passkey pages show.
pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "passkey_open_title",
        "Or open it with your passkey",
        "O ábralo con su llave de acceso",
    ),
    (
        "passkey_open_text",
        "You created a passkey for these messages: it opens this one without a code.",
        "Usted creó una llave de acceso para estos mensajes: abre este sin código.",
    ),
    (
        "passkey_open_button",
        "Open with passkey",
        "Abrir con llave de acceso",
    ),
    (
        "passkey_offer_title",
        "Skip the code next time",
        "Evite el código la próxima vez",
    ),
    (
        "passkey_offer_text",
        "Create a passkey on this device (your fingerprint, face or screen lock), and your next secure messages from us open without an emailed code.",
        "Cree una llave de acceso en este dispositivo (su huella, su cara o el bloqueo de pantalla) y sus próximos mensajes seguros se abrirán sin un código por correo.",
    ),
    (
        "passkey_offer_button",
        "Create a passkey",
        "Crear una llave de acceso",
    ),
    (
        "passkey_created",
        "Your passkey was created. Next time, choose “Open with passkey”.",
        "Se creó su llave de acceso. La próxima vez, elija «Abrir con llave de acceso».",
    ),
    (
        "passkey_failed",
        "That did not work. You can try again, or use the emailed code.",
        "No funcionó. Puede intentarlo de nuevo o usar el código enviado por correo.",
    ),
    (
        "passkey_working",
        "Waiting for your device…",
        "Esperando a su dispositivo…",
    ),
    (
        "passkey_manage_link",
        "Your passkeys",
        "Sus llaves de acceso",
    ),
    (
        "passkey_list_title",
        "Your passkeys",
        "Sus llaves de acceso",
    ),
    (
        "passkey_list_intro",
        "These passkeys open your secure messages from this organisation without a code. Remove one you no longer use: the emailed code always works.",
        "Estas llaves de acceso abren sus mensajes seguros de esta organización sin código. Elimine las que ya no use: el código por correo siempre funciona.",
    ),
    (
        "passkey_list_none",
        "You have no passkeys. Your messages open with the emailed code.",
        "No tiene llaves de acceso. Sus mensajes se abren con el código enviado por correo.",
    ),
    ("passkey_label", "Passkey", "Llave de acceso"),
    ("passkey_created_on", "created", "creada el"),
    ("passkey_last_used", "last used", "último uso"),
    ("passkey_never_used", "not used yet", "sin usar todavía"),
    ("passkey_remove", "Remove", "Eliminar"),
    (
        "passkey_removed",
        "The passkey was removed.",
        "Se eliminó la llave de acceso.",
    ),
    ("passkey_back", "Back to the message", "Volver al mensaje"),
    ("passkey_login_title", "Please log in", "Inicie sesión"),
    (
        "passkey_login_text",
        "Please open the message with your code or your passkey first.",
        "Primero abra el mensaje con su código o su llave de acceso.",
    ),
    (
        "passkey_unavailable",
        "Passkeys are not available here.",
        "Las llaves de acceso no están disponibles aquí.",
    ),
    (
        "passkey_refused",
        "The passkey was not accepted.",
        "No se aceptó la llave de acceso.",
    ),
    (
        "passkey_busy",
        "Please try again in a few minutes.",
        "Inténtelo de nuevo en unos minutos.",
    ),
];

/// The text of `key` (without its `passkey_` prefix, `-` for `_`) in the page's language, with
/// the tenant's override if it has one.
pub fn t(say: Say<'_>, key: &str) -> String {
    let key = format!("passkey_{}", key.replace('-', "_"));
    say.texts.get(&key, say.lang).to_string()
}

const SCRIPT: &str = "<script src=\"/static/passkey.js\" defer></script>";

fn data(csrf: &str, mode: &str, say: Say<'_>) -> String {
    format!(
        " data-csrf=\"{}\" data-mode=\"{mode}\" data-working=\"{}\" data-failed=\"{}\"",
        esc(csrf),
        esc(&t(say, "working")),
        esc(&t(say, "failed")),
    )
}

/// The link page's box, under the code step: open with a passkey instead.
pub fn open_box(csrf: &str, say: Say<'_>) -> String {
    format!(
        "<section id=\"passkey\" aria-labelledby=\"passkey-title\"{data}>\
<h2 id=\"passkey-title\">{title}</h2><p>{text}</p>\
<button id=\"passkey-button\" type=\"button\">{button}</button>\
<p id=\"passkey-status\" role=\"status\"></p></section>{SCRIPT}",
        data = data(csrf, "open", say),
        title = esc(&t(say, "open-title")),
        text = esc(&t(say, "open-text")),
        button = esc(&t(say, "open-button")),
    )
}

/// The message page's offer to create a passkey (none yet) or its link to the list.
pub fn offer_box(id: EscrowId, csrf: &str, has_passkeys: bool, say: Say<'_>) -> String {
    let manage = format!(
        "<p><a href=\"/m/{id}/passkeys\">{}</a></p>",
        esc(&t(say, "manage-link"))
    );
    if has_passkeys {
        return manage;
    }
    format!(
        "<section id=\"passkey\" aria-labelledby=\"passkey-title\"{data}>\
<h2 id=\"passkey-title\">{title}</h2><p>{text}</p>\
<button id=\"passkey-button\" type=\"button\">{button}</button>\
<p id=\"passkey-status\" role=\"status\"></p>{manage}</section>{SCRIPT}",
        data = data(csrf, "create", say),
        title = esc(&t(say, "offer-title")),
        text = esc(&t(say, "offer-text")),
        button = esc(&t(say, "offer-button")),
    )
}

/// The "Your passkeys" page body.
pub fn list_body(
    id: EscrowId,
    csrf: &str,
    passkeys: &[StoredPasskey],
    note: Option<&str>,
    say: Say<'_>,
) -> String {
    let note = note.map_or_else(String::new, |n| {
        format!("<p class=\"alert\" role=\"status\">{}</p>", esc(n))
    });
    let items: String = passkeys
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let used = p.last_used.map_or_else(
                || t(say, "never-used"),
                |u| format!("{} {}", t(say, "last-used"), date(u)),
            );
            format!(
                "<li><p><strong>{name} {n}</strong> — {created} {on}, {used}</p>\
<form method=\"post\" action=\"/m/{id}/passkeys/remove\">\
<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"credential\" value=\"{cred}\">\
<button type=\"submit\" class=\"secondary\" aria-label=\"{remove} {name} {n}\">{remove}</button></form></li>",
                name = esc(&t(say, "label")),
                n = n + 1,
                created = esc(&t(say, "created-on")),
                on = esc(&date(p.created)),
                used = esc(&used),
                csrf = esc(csrf),
                cred = esc(&p.id_text()),
                remove = esc(&t(say, "remove")),
            )
        })
        .collect();
    let list = if passkeys.is_empty() {
        format!("<p>{}</p>", esc(&t(say, "list-none")))
    } else {
        format!(
            "<p>{}</p><ul class=\"passkeys\">{items}</ul>",
            esc(&t(say, "list-intro"))
        )
    };
    format!(
        "{note}{list}<p><a href=\"/m/{id}\">{}</a></p>",
        esc(&t(say, "back"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages_and_keys_are_unique() {
        let mut keys: Vec<&str> = TEXTS.iter().map(|(k, _, _)| *k).collect();
        for (k, en, es) in TEXTS {
            assert!(!en.is_empty() && !es.is_empty(), "{k}");
            assert_ne!(en, es, "{k} is not translated");
        }
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), TEXTS.len());
        assert!(keys.iter().all(|k| k.starts_with("passkey_")));
        let texts = crate::Texts::default();
        let es = Say {
            texts: &texts,
            lang: crate::Lang::Es,
        };
        assert_eq!(t(es, "remove"), "Eliminar");
    }

    #[test]
    fn a_tenant_override_shows_in_the_offer() {
        let own = crate::Texts::new([(
            crate::Lang::En,
            "passkey_offer_button".to_string(),
            "Make a key & go".to_string(),
        )])
        .unwrap();
        let say = Say {
            texts: &own,
            lang: crate::Lang::En,
        };
        let offer = offer_box(EscrowId::from_bytes([1; 16]), "c", false, say);
        assert!(offer.contains(">Make a key &amp; go</button>"), "{offer}");
    }

    #[test]
    fn values_in_the_list_are_escaped() {
        let body = list_body(
            EscrowId::from_bytes([1; 16]),
            "\"><x",
            &[],
            Some("<b>"),
            Say {
                texts: &crate::Texts::default(),
                lang: crate::Lang::En,
            },
        );
        assert!(!body.contains("<b>") && !body.contains("\"><x"));
    }
}
