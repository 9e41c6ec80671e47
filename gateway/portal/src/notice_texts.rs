//! The texts of the mails the portal's sweep sends (`deliver/src/portal_notices.rs`): the
//! sender's receipt, the unread reminder and the sender's note, the expiry warning and the read
//! receipt. Listed in `i18n::TABLES`, so a tenant may override them and the texts guide lists
//! them; the mails are written in the tenant's `language` (both, English first, for `en+es`).

/// Every user-visible string of these mails: (key, English, Spanish). `{name}` is filled in.
pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "notice_receipt_subject",
        "Secure message sent ({org})",
        "Mensaje seguro enviado ({org})",
    ),
    (
        "notice_receipt_body",
        "Your message of {date} was sent through {org} secure mail to {count} recipient(s). Each one got an email with a link; the message itself stays on the secure portal.\n\nReference words: {refs}\n\nOn its status page you can see who has opened it, and withdraw or extend it:\n{link}\n\nThis link is for you alone: do not forward this email.\n\n{help}\n",
        "Su mensaje del {date} se envió por el correo seguro de {org} a {count} destinatario(s). Cada uno recibió un correo con un enlace; el mensaje se queda en el portal seguro.\n\nPalabras de referencia: {refs}\n\nEn su página de estado puede ver quién lo ha abierto, y retirarlo o ampliar su plazo:\n{link}\n\nEste enlace es solo para usted: no reenvíe este correo.\n\n{help}\n",
    ),
    (
        "notice_reminder_subject",
        "Reminder: a secure message from {org} is waiting",
        "Recordatorio: tiene un mensaje seguro de {org}",
    ),
    (
        "notice_reminder_body",
        "You have a secure message from {org} that you have not read yet.\n\nReference word: {ref}\n\nTo read it, open the link in the email \"Secure message from {org}\" we sent you on {date}. If you cannot find that email, ask the sender to send the message again, or call the help line.\n\nYou can read it until {expires}.\n\n{help}\n",
        "Tiene un mensaje seguro de {org} que aún no ha leído.\n\nPalabra de referencia: {ref}\n\nPara leerlo, abra el enlace del correo \"Secure message from {org}\" que le enviamos el {date}. Si no encuentra ese correo, pida al remitente que se lo envíe de nuevo o llame a la línea de ayuda.\n\nPuede leerlo hasta el {expires}.\n\n{help}\n",
    ),
    (
        "notice_reminder_body_link",
        "You have a secure message from {org} that you have not read yet.\n\nOpen it here:\n{link}\n\nReference word: {ref}\nThe secure page shows the same word.\n\nYou can read it until {expires}.\n\n{help}\n",
        "Tiene un mensaje seguro de {org} que aún no ha leído.\n\nÁbralo aquí:\n{link}\n\nPalabra de referencia: {ref}\nLa página segura muestra la misma palabra.\n\nPuede leerlo hasta el {expires}.\n\n{help}\n",
    ),
    (
        "notice_note_subject",
        "Your secure message has not been read yet",
        "Su mensaje seguro aún no se ha leído",
    ),
    (
        "notice_note_body",
        "A recipient of your secure message of {date} (reference word {ref}) has not read it yet. We sent them one reminder.\n\nThe status page (the link in your receipt email) shows who has opened it.\n",
        "Un destinatario de su mensaje seguro del {date} (palabra de referencia {ref}) aún no lo ha leído. Le enviamos un recordatorio.\n\nLa página de estado (el enlace del correo de confirmación) muestra quién lo ha abierto.\n",
    ),
    (
        "notice_warning_subject",
        "A secure message from {org} expires soon",
        "Un mensaje seguro de {org} caduca pronto",
    ),
    (
        "notice_warning_body",
        "Your secure message from {org} with reference word {ref} can be read until {expires}. After that it is deleted and can no longer be read.\n\nTo read it, open the link in the email \"Secure message from {org}\".\n\n{help}\n",
        "Su mensaje seguro de {org} con la palabra de referencia {ref} se puede leer hasta el {expires}. Después se borra y ya no se podrá leer.\n\nPara leerlo, abra el enlace del correo \"Secure message from {org}\".\n\n{help}\n",
    ),
    (
        "notice_read_subject",
        "Your secure message was read",
        "Su mensaje seguro fue leído",
    ),
    (
        "notice_read_body",
        "A recipient has read your secure message of {date} (reference word {ref}).\n",
        "Un destinatario ha leído su mensaje seguro del {date} (palabra de referencia {ref}).\n",
    ),
];
