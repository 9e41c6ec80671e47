//! The portal's catalogue: every text of the pages and of the recipient's mails, as
//! (key, English, Spanish). Spanish addresses the reader as "usted".
//!
//! `{name}` marks a value filled in when the text is used (`{org}`, `{ref}`, `{date}` …); a
//! tenant's override may use the same placeholders as the text it replaces, and no others.

/// (key, English, Spanish).
pub const TEXTS: &[(&str, &str, &str)] = &[
    // The frame of every page.
    (
        "org_secure_mail",
        "{org} secure mail",
        "Correo seguro de {org}",
    ),
    ("language_label", "Language", "Idioma"),
    // The link page.
    (
        "link_title",
        "You have a secure message",
        "Tiene un mensaje seguro",
    ),
    (
        "link_reference",
        "You have a secure message. Its reference word is {ref} — the same word as in the email you received.",
        "Tiene un mensaje seguro. Su palabra de referencia es {ref}, la misma que aparece en el correo que recibió.",
    ),
    (
        "link_until",
        "It can be read until {date}.",
        "Puede leerlo hasta el {date}.",
    ),
    (
        "link_code_intro",
        "To read it, we send a 6-digit code to your email address.",
        "Para leerlo, le enviaremos un código de 6 dígitos a su dirección de correo electrónico.",
    ),
    (
        "link_button",
        "Email me a code",
        "Enviarme un código por correo",
    ),
    // The code page.
    ("code_title", "Enter your code", "Introduzca su código"),
    (
        "code_intro",
        "We sent a 6-digit code to your email address. It works for 10 minutes, in this browser only.",
        "Le hemos enviado un código de 6 dígitos a su dirección de correo electrónico. Es válido durante 10 minutos y solo en este navegador.",
    ),
    ("code_label", "Code from the email", "Código del correo"),
    ("code_button", "Open the message", "Abrir el mensaje"),
    ("code_resend", "Send a new code", "Enviarme un código nuevo"),
    (
        "code_locked",
        "This message is locked because a wrong code was entered 5 times. You can ask for a new code after {date} {time} UTC, or call the help line below.",
        "Este mensaje está bloqueado porque se introdujo un código incorrecto 5 veces. Podrá pedir un código nuevo después del {date} a las {time} (hora UTC) o llamar al teléfono de ayuda que aparece abajo.",
    ),
    (
        "code_rate_limited",
        "Too many codes were requested. Please wait an hour and try again, or call the help line below.",
        "Se han pedido demasiados códigos. Espere una hora y vuelva a intentarlo, o llame al teléfono de ayuda que aparece abajo.",
    ),
    (
        "code_none",
        "There is no code waiting for this browser. Please ask for a new code.",
        "No hay ningún código pendiente para este navegador. Pida un código nuevo, por favor.",
    ),
    (
        "code_expired",
        "That code has expired (codes work for 10 minutes). Please ask for a new code.",
        "Ese código ha caducado (los códigos son válidos durante 10 minutos). Pida un código nuevo, por favor.",
    ),
    (
        "code_wrong_one",
        "That code is not right. You can try 1 more time.",
        "Ese código no es correcto. Puede intentarlo 1 vez más.",
    ),
    (
        "code_wrong_many",
        "That code is not right. You can try {left} more times.",
        "Ese código no es correcto. Puede intentarlo {left} veces más.",
    ),
    (
        "code_send_failed",
        "We could not send the code just now. Please try again in a few minutes.",
        "No hemos podido enviar el código en este momento. Vuelva a intentarlo dentro de unos minutos.",
    ),
    // The message page (the last four are used by portal.js).
    ("message_title", "Your secure message", "Su mensaje seguro"),
    (
        "message_reference",
        "Reference word: {ref}",
        "Palabra de referencia: {ref}",
    ),
    (
        "message_opening",
        "Opening the message…",
        "Abriendo el mensaje…",
    ),
    ("message_from", "From", "De"),
    ("message_subject", "Subject", "Asunto"),
    ("message_frame", "Message text", "Texto del mensaje"),
    ("message_attachments", "Attachments", "Archivos adjuntos"),
    (
        "message_download",
        "Download {name} ({size})",
        "Descargar {name} ({size})",
    ),
    (
        "message_no_key",
        "Please open the link in your email again to read the message.",
        "Para leer el mensaje, vuelva a abrir el enlace de su correo.",
    ),
    (
        "message_failed",
        "The message could not be opened. Please open the link in your email again.",
        "No se ha podido abrir el mensaje. Vuelva a abrir el enlace de su correo.",
    ),
    ("logout_button", "Log off", "Cerrar sesión"),
    // Withdrawn and expired.
    ("withdrawn_title", "Message withdrawn", "Mensaje retirado"),
    ("expired_title", "Message expired", "Mensaje caducado"),
    (
        "withdrawn_text",
        "This message was withdrawn on {date}.",
        "Este mensaje se retiró el {date}.",
    ),
    (
        "expired_text",
        "This message expired on {date}.",
        "Este mensaje caducó el {date}.",
    ),
    (
        "gone_unreadable",
        "It can no longer be read.",
        "Ya no se puede leer.",
    ),
    (
        "gone_ask",
        "Ask the sender to send it again",
        "Pedir al remitente que lo vuelva a enviar",
    ),
    (
        "gone_asked",
        "We asked the sender to send it again. They will contact you.",
        "Hemos pedido al remitente que lo vuelva a enviar. Se pondrá en contacto con usted.",
    ),
    // Errors and short pages.
    ("refused_title", "Request refused", "Solicitud rechazada"),
    (
        "refused_origin",
        "This request did not come from the secure mail page, so it was refused.",
        "Esta solicitud no procede de la página de correo seguro, por lo que se ha rechazado.",
    ),
    (
        "refused_form",
        "This form has expired. Open the link in your email again.",
        "Este formulario ha caducado. Vuelva a abrir el enlace de su correo.",
    ),
    (
        "logged_off_title",
        "You were logged off",
        "Se ha cerrado su sesión",
    ),
    (
        "logged_off_text",
        "For your security you were logged off after 15 minutes without activity. Open the link in your email again.",
        "Por su seguridad, se ha cerrado su sesión tras 15 minutos sin actividad. Vuelva a abrir el enlace de su correo.",
    ),
    ("invalid_link_title", "Link not valid", "Enlace no válido"),
    (
        "invalid_link_text",
        "This link is not valid. Please check that you opened the whole link from your email.",
        "Este enlace no es válido. Compruebe que abrió el enlace completo de su correo.",
    ),
    ("busy_title", "Please try again", "Vuelva a intentarlo"),
    (
        "busy_text",
        "The secure mail service is busy. Please try again in a few minutes.",
        "El servicio de correo seguro está ocupado. Vuelva a intentarlo dentro de unos minutos.",
    ),
    ("login_title", "Please log in", "Inicie sesión"),
    (
        "login_text",
        "Please ask for a code first.",
        "Primero pida un código, por favor.",
    ),
    (
        "unavailable_title",
        "Message unavailable",
        "Mensaje no disponible",
    ),
    (
        "unavailable_text",
        "This message can no longer be read.",
        "Este mensaje ya no se puede leer.",
    ),
    (
        "not_opened_title",
        "Message not opened",
        "Mensaje no abierto",
    ),
    (
        "not_opened_text",
        "The message could not be opened. Please open the whole link from your email again.",
        "No se ha podido abrir el mensaje. Vuelva a abrir el enlace completo de su correo.",
    ),
    (
        "no_attachment_title",
        "No such attachment",
        "Archivo adjunto inexistente",
    ),
    (
        "no_attachment_text",
        "This attachment does not exist.",
        "Este archivo adjunto no existe.",
    ),
    ("available_title", "Message available", "Mensaje disponible"),
    (
        "available_text",
        "This message can still be read: open the link in your email.",
        "Este mensaje todavía se puede leer: abra el enlace de su correo.",
    ),
    (
        "sender_unreachable",
        "We could not reach the sender just now. Please try again later or call the help line below.",
        "No hemos podido comunicarnos con el remitente en este momento. Vuelva a intentarlo más tarde o llame al teléfono de ayuda que aparece abajo.",
    ),
    (
        "logged_out_title",
        "You are logged off",
        "Ha cerrado la sesión",
    ),
    (
        "logged_out_text",
        "You are logged off. To read the message again, open the link in your email.",
        "Ha cerrado la sesión. Para volver a leer el mensaje, abra el enlace de su correo.",
    ),
    ("not_found_title", "Page not found", "Página no encontrada"),
    (
        "not_found_text",
        "There is nothing at this address.",
        "No hay nada en esta dirección.",
    ),
    ("home_title", "Secure mail", "Correo seguro"),
    (
        "home_text",
        "To read a secure message, open the link in the email you received.",
        "Para leer un mensaje seguro, abra el enlace del correo que recibió.",
    ),
    // The notification mail.
    (
        "mail_notification_subject",
        "Secure message from {org}",
        "Mensaje seguro de {org}",
    ),
    (
        "mail_notification_from",
        "{sender} via {org}",
        "{sender} a través de {org}",
    ),
    (
        "mail_notification_sent",
        "{sender} sent you a secure message through {org}.",
        "{sender} le ha enviado un mensaje seguro a través de {org}.",
    ),
    ("mail_notification_open", "Open it here:", "Ábralo aquí:"),
    (
        "mail_notification_button",
        "Open the secure message",
        "Abrir el mensaje seguro",
    ),
    (
        "mail_notification_reference",
        "Reference word: {ref}",
        "Palabra de referencia: {ref}",
    ),
    (
        "mail_notification_same_word",
        "The secure page shows the same word.",
        "La página segura muestra la misma palabra.",
    ),
    (
        "mail_notification_until",
        "You can read the message until {date}. To open it, the page emails you a 6-digit code; no password or account is needed.",
        "Puede leer el mensaje hasta el {date}. Para abrirlo, la página le enviará un código de 6 dígitos por correo; no necesita contraseña ni cuenta.",
    ),
    // The code mail.
    (
        "mail_code_subject",
        "Your {org} secure mail code",
        "Su código de correo seguro de {org}",
    ),
    (
        "mail_code_from",
        "{org} secure mail",
        "Correo seguro de {org}",
    ),
    ("mail_code_is", "Your code is {code}", "Su código es {code}"),
    (
        "mail_code_enter",
        "Enter it on the secure page that shows the reference word {ref}.",
        "Introdúzcalo en la página segura que muestra la palabra de referencia {ref}.",
    ),
    (
        "mail_code_valid",
        "It works for 10 minutes, only in the browser where you asked for it.",
        "Es válido durante 10 minutos y solo en el navegador en el que lo pidió.",
    ),
    (
        "mail_code_ignore",
        "If you did not ask for a code, you can ignore this email.",
        "Si usted no pidió ningún código, puede ignorar este correo.",
    ),
];
