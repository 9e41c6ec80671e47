//! Every user-visible string of the sender's status page (`web/status.rs`), in one table of
//! (key, English, Spanish), listed in `i18n::TABLES` (so a tenant may override any of them and
//! `deploy/guides/portal-texts.md` lists them). The page's language is the portal's choice
//! (switch link, cookie, `Accept-Language`).

use crate::web::pages::Say;

/// Every user-visible string of the status page: (key, English, Spanish).
pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "status_title",
        "Status of your secure message",
        "Estado de su mensaje seguro",
    ),
    (
        "status_start",
        "To see who has opened your secure message, continue.",
        "Para ver quién ha abierto su mensaje seguro, continúe.",
    ),
    ("status_continue", "Continue", "Continuar"),
    ("status_sent", "Sent", "Enviado"),
    ("status_recipients", "Recipients", "Destinatarios"),
    (
        "status_reference",
        "Reference word",
        "Palabra de referencia",
    ),
    ("status_notified", "Notified", "Notificado"),
    ("status_opened", "Opened", "Abierto"),
    ("status_replied", "Replied", "Respondido"),
    ("status_state", "State", "Estado"),
    ("status_not_yet", "Not yet", "Todavía no"),
    (
        "status_link_only",
        "Link opened, not read yet",
        "Enlace abierto, aún sin leer",
    ),
    ("status_no", "No", "No"),
    ("status_until", "Readable until", "Se puede leer hasta"),
    ("status_withdrawn", "Withdrawn", "Retirado"),
    ("status_expired", "Expired", "Caducado"),
    ("status_revoke", "Withdraw", "Retirar"),
    ("status_extend", "Extend", "Ampliar plazo"),
    (
        "status_resend",
        "Send the notification again",
        "Enviar de nuevo la notificación",
    ),
    (
        "status_done_revoke",
        "Withdrawn: the recipient can no longer read it.",
        "Retirado: el destinatario ya no puede leerlo.",
    ),
    (
        "status_done_extend",
        "Extended: it can now be read until",
        "Plazo ampliado: ahora se puede leer hasta",
    ),
    (
        "status_no_extend",
        "It cannot be extended any further.",
        "No se puede ampliar más.",
    ),
    (
        "status_done_resend",
        "The notification was sent again.",
        "La notificación se envió de nuevo.",
    ),
    (
        "status_no_resend",
        "The notification could not be sent again. Please try later.",
        "No se pudo enviar de nuevo la notificación. Inténtelo más tarde.",
    ),
    (
        "status_gone",
        "That copy can no longer be changed.",
        "Esa copia ya no se puede cambiar.",
    ),
    ("status_invalid_title", "Link not valid", "Enlace no válido"),
    (
        "status_invalid",
        "This status link is not valid. Please open the whole link from your receipt email.",
        "Este enlace de estado no es válido. Abra el enlace completo del correo de confirmación.",
    ),
    (
        "status_busy",
        "The secure mail service is busy. Please try again in a few minutes.",
        "El servicio de correo seguro está ocupado. Inténtelo de nuevo en unos minutos.",
    ),
];

/// The text of `key` in English or Spanish (empty if missing, which a test rules out).
/// The text of `key` (without its `status_` prefix) in the page's language, with the tenant's
/// override if it has one.
pub fn text(say: &Say<'_>, key: &str) -> String {
    let key = format!("status_{}", key.replace('-', "_"));
    say.texts.get(&key, say.lang).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages_and_unique_keys() {
        let mut keys: Vec<&str> = TEXTS.iter().map(|t| t.0).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), TEXTS.len());
        assert!(
            TEXTS
                .iter()
                .all(|(_, en, es)| !en.is_empty() && !es.is_empty())
        );
        let texts = crate::Texts::default();
        let es = Say {
            texts: &texts,
            lang: crate::Lang::Es,
        };
        let en = Say {
            texts: &texts,
            lang: crate::Lang::En,
        };
        assert_eq!(text(&es, "continue"), "Continuar");
        // Every key the handlers use is in the table.
        for key in [
            "title",
            "start",
            "continue",
            "sent",
            "recipients",
            "reference",
            "notified",
            "opened",
            "replied",
            "state",
            "not-yet",
            "link-only",
            "no",
            "until",
            "withdrawn",
            "expired",
            "revoke",
            "extend",
            "resend",
            "done-revoke",
            "done-extend",
            "no-extend",
            "done-resend",
            "no-resend",
            "gone",
            "invalid-title",
            "invalid",
            "busy",
        ] {
            assert_ne!(
                text(&en, key),
                format!("status_{}", key.replace('-', "_")),
                "{key}"
            );
        }
        assert_eq!(keys.len(), 28, "a text nobody uses");
        assert_eq!(text(&en, "continue"), "Continue");
    }
}
