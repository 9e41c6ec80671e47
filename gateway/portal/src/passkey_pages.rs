//! The passkey parts of the portal's pages: the "open with passkey" box on the link page, the
//! offer to create one on the message page, and the "Your passkeys" page. Every user-visible
//! string is in [`TEXTS`] (English and Spanish); every value is HTML-escaped; the only script is
//! the same-origin `/static/passkey.js` (the pages' CSP allows no inline script).

use crate::id::EscrowId;
use crate::passkey_store::StoredPasskey;
use crate::web::pages::{date, esc};

/// (key, English, Spanish) of every string the passkey pages show.
pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "open-title",
        "Or open it with your passkey",
        "O ábralo con su llave de acceso",
    ),
    (
        "open-text",
        "You created a passkey for these messages: it opens this one without a code.",
        "Usted creó una llave de acceso para estos mensajes: abre este sin código.",
    ),
    (
        "open-button",
        "Open with passkey",
        "Abrir con llave de acceso",
    ),
    (
        "offer-title",
        "Skip the code next time",
        "Evite el código la próxima vez",
    ),
    (
        "offer-text",
        "Create a passkey on this device (your fingerprint, face or screen lock), and your next secure messages from us open without an emailed code.",
        "Cree una llave de acceso en este dispositivo (su huella, su cara o el bloqueo de pantalla) y sus próximos mensajes seguros se abrirán sin un código por correo.",
    ),
    (
        "offer-button",
        "Create a passkey",
        "Crear una llave de acceso",
    ),
    (
        "created",
        "Your passkey was created. Next time, choose “Open with passkey”.",
        "Se creó su llave de acceso. La próxima vez, elija «Abrir con llave de acceso».",
    ),
    (
        "failed",
        "That did not work. You can try again, or use the emailed code.",
        "No funcionó. Puede intentarlo de nuevo o usar el código enviado por correo.",
    ),
    (
        "working",
        "Waiting for your device…",
        "Esperando a su dispositivo…",
    ),
    ("manage-link", "Your passkeys", "Sus llaves de acceso"),
    ("list-title", "Your passkeys", "Sus llaves de acceso"),
    (
        "list-intro",
        "These passkeys open your secure messages from this organisation without a code. Remove one you no longer use: the emailed code always works.",
        "Estas llaves de acceso abren sus mensajes seguros de esta organización sin código. Elimine las que ya no use: el código por correo siempre funciona.",
    ),
    (
        "list-none",
        "You have no passkeys. Your messages open with the emailed code.",
        "No tiene llaves de acceso. Sus mensajes se abren con el código enviado por correo.",
    ),
    ("passkey", "Passkey", "Llave de acceso"),
    ("created-on", "created", "creada el"),
    ("last-used", "last used", "último uso"),
    ("never-used", "not used yet", "sin usar todavía"),
    ("remove", "Remove", "Eliminar"),
    (
        "removed",
        "The passkey was removed.",
        "Se eliminó la llave de acceso.",
    ),
    ("back", "Back to the message", "Volver al mensaje"),
    ("login-title", "Please log in", "Inicie sesión"),
    (
        "login-text",
        "Please open the message with your code or your passkey first.",
        "Primero abra el mensaje con su código o su llave de acceso.",
    ),
    (
        "unavailable",
        "Passkeys are not available here.",
        "Las llaves de acceso no están disponibles aquí.",
    ),
    (
        "refused",
        "The passkey was not accepted.",
        "No se aceptó la llave de acceso.",
    ),
    (
        "busy",
        "Please try again in a few minutes.",
        "Inténtelo de nuevo en unos minutos.",
    ),
];

/// The text of `key` in English or Spanish (the key itself if missing, which a test forbids).
pub fn t(key: &str, spanish: bool) -> &'static str {
    TEXTS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or("", |(_, en, es)| if spanish { es } else { en })
}

const SCRIPT: &str = "<script src=\"/static/passkey.js\" defer></script>";

fn data(csrf: &str, mode: &str, es: bool) -> String {
    format!(
        " data-csrf=\"{}\" data-mode=\"{mode}\" data-working=\"{}\" data-failed=\"{}\"",
        esc(csrf),
        esc(t("working", es)),
        esc(t("failed", es)),
    )
}

/// The link page's box, under the code step: open with a passkey instead.
pub fn open_box(csrf: &str, es: bool) -> String {
    format!(
        "<section id=\"passkey\" aria-labelledby=\"passkey-title\"{data}>\
<h2 id=\"passkey-title\">{title}</h2><p>{text}</p>\
<button id=\"passkey-button\" type=\"button\">{button}</button>\
<p id=\"passkey-status\" role=\"status\"></p></section>{SCRIPT}",
        data = data(csrf, "open", es),
        title = esc(t("open-title", es)),
        text = esc(t("open-text", es)),
        button = esc(t("open-button", es)),
    )
}

/// The message page's offer to create a passkey (none yet) or its link to the list.
pub fn offer_box(id: EscrowId, csrf: &str, has_passkeys: bool, es: bool) -> String {
    let manage = format!(
        "<p><a href=\"/m/{id}/passkeys\">{}</a></p>",
        esc(t("manage-link", es))
    );
    if has_passkeys {
        return manage;
    }
    format!(
        "<section id=\"passkey\" aria-labelledby=\"passkey-title\"{data}>\
<h2 id=\"passkey-title\">{title}</h2><p>{text}</p>\
<button id=\"passkey-button\" type=\"button\">{button}</button>\
<p id=\"passkey-status\" role=\"status\"></p>{manage}</section>{SCRIPT}",
        data = data(csrf, "create", es),
        title = esc(t("offer-title", es)),
        text = esc(t("offer-text", es)),
        button = esc(t("offer-button", es)),
    )
}

/// The "Your passkeys" page body.
pub fn list_body(
    id: EscrowId,
    csrf: &str,
    passkeys: &[StoredPasskey],
    note: Option<&str>,
    es: bool,
) -> String {
    let note = note.map_or_else(String::new, |n| {
        format!("<p class=\"alert\" role=\"status\">{}</p>", esc(n))
    });
    let items: String = passkeys
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let used = p.last_used.map_or_else(
                || t("never-used", es).to_string(),
                |u| format!("{} {}", t("last-used", es), date(u)),
            );
            format!(
                "<li><p><strong>{name} {n}</strong> — {created} {on}, {used}</p>\
<form method=\"post\" action=\"/m/{id}/passkeys/remove\">\
<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"credential\" value=\"{cred}\">\
<button type=\"submit\" class=\"secondary\" aria-label=\"{remove} {name} {n}\">{remove}</button></form></li>",
                name = esc(t("passkey", es)),
                n = n + 1,
                created = esc(t("created-on", es)),
                on = esc(&date(p.created)),
                used = esc(&used),
                csrf = esc(csrf),
                cred = esc(&p.id_text()),
                remove = esc(t("remove", es)),
            )
        })
        .collect();
    let list = if passkeys.is_empty() {
        format!("<p>{}</p>", esc(t("list-none", es)))
    } else {
        format!(
            "<p>{}</p><ul class=\"passkeys\">{items}</ul>",
            esc(t("list-intro", es))
        )
    };
    format!(
        "{note}{list}<p><a href=\"/m/{id}\">{}</a></p>",
        esc(t("back", es))
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
        assert_eq!(t("remove", true), "Eliminar");
    }

    #[test]
    fn values_in_the_list_are_escaped() {
        let body = list_body(
            EscrowId::from_bytes([1; 16]),
            "\"><x",
            &[],
            Some("<b>"),
            false,
        );
        assert!(!body.contains("<b>") && !body.contains("\"><x"));
    }
}
