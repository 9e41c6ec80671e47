//! Every user-visible string of the sender's status page (`web/status.rs`), in one table of
//! (key, English, Spanish). The page picks Spanish when the browser's `Accept-Language`
//! starts with `es`; the shared language choice of the portal can take this table over.

/// Every user-visible string of the status page: (key, English, Spanish).
pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "title",
        "Status of your secure message",
        "Estado de su mensaje seguro",
    ),
    (
        "start",
        "To see who has opened your secure message, continue.",
        "Para ver quién ha abierto su mensaje seguro, continúe.",
    ),
    ("continue", "Continue", "Continuar"),
    ("sent", "Sent", "Enviado"),
    ("recipients", "Recipients", "Destinatarios"),
    ("reference", "Reference word", "Palabra de referencia"),
    ("notified", "Notified", "Notificado"),
    ("opened", "Opened", "Abierto"),
    ("replied", "Replied", "Respondido"),
    ("state", "State", "Estado"),
    ("not-yet", "Not yet", "Todavía no"),
    (
        "link-only",
        "Link opened, not read yet",
        "Enlace abierto, aún sin leer",
    ),
    ("no", "No", "No"),
    ("until", "Readable until", "Se puede leer hasta"),
    ("withdrawn", "Withdrawn", "Retirado"),
    ("expired", "Expired", "Caducado"),
    ("revoke", "Withdraw", "Retirar"),
    ("extend", "Extend", "Ampliar plazo"),
    (
        "resend",
        "Send the notification again",
        "Enviar de nuevo la notificación",
    ),
    (
        "done-revoke",
        "Withdrawn: the recipient can no longer read it.",
        "Retirado: el destinatario ya no puede leerlo.",
    ),
    (
        "done-extend",
        "Extended: it can now be read until",
        "Plazo ampliado: ahora se puede leer hasta",
    ),
    (
        "no-extend",
        "It cannot be extended any further.",
        "No se puede ampliar más.",
    ),
    (
        "done-resend",
        "The notification was sent again.",
        "La notificación se envió de nuevo.",
    ),
    (
        "no-resend",
        "The notification could not be sent again. Please try later.",
        "No se pudo enviar de nuevo la notificación. Inténtelo más tarde.",
    ),
    (
        "gone",
        "That copy can no longer be changed.",
        "Esa copia ya no se puede cambiar.",
    ),
    ("invalid-title", "Link not valid", "Enlace no válido"),
    (
        "invalid",
        "This status link is not valid. Please open the whole link from your receipt email.",
        "Este enlace de estado no es válido. Abra el enlace completo del correo de confirmación.",
    ),
    (
        "busy",
        "The secure mail service is busy. Please try again in a few minutes.",
        "El servicio de correo seguro está ocupado. Inténtelo de nuevo en unos minutos.",
    ),
];

/// The text of `key` in English or Spanish (empty if missing, which a test rules out).
pub fn text(key: &str, spanish: bool) -> &'static str {
    TEXTS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or("", |(_, en, es)| if spanish { es } else { en })
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
        assert_eq!(text("continue", true), "Continuar");
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
            assert!(!text(key, false).is_empty(), "{key}");
        }
        assert_eq!(keys.len(), 28, "a text nobody uses");
        assert_eq!(text("continue", false), "Continue");
    }
}
