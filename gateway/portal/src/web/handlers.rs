//! The portal's request handlers. Each POST passes [`guard`] (origin, session, CSRF) first.
// Helpers return the refusal page itself as their error: a `Response` is 128 bytes and lives
// for one request, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

use super::common::*;
use super::pages::{self, Page, Say};
use super::{FRAME_STYLE, Inner};
use crate::error::PortalError;
use crate::id::EscrowId;
use crate::login::CodeError;
use crate::record::{Actor, PortalEventKind};
use crate::seal::Half;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;

/// `GET /m/{id}`: reads only. `?lang=en|es` switches the language (and remembers it in a
/// cookie); `?step=code` shows the code form again (after a switch on the code page).
pub async fn link(
    State(st): St,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let q = query.as_deref();
    let lang = lang_of(&st, &headers, q, None);
    let (id, r) = match record(&st, &id, lang).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let lang = lang_of(&st, &headers, q, Some(&r.tenant));
    let session = st.sessions.get_or_start(cookie(&headers).as_deref());
    let mut resp = if let Some((what, on)) = gone(&r, st.clock.now()) {
        gone_page(&st, lang, id, &r, what, on, &session, false)
    } else {
        // The passkey box: on the message page the offer to create one, on the link page
        // (after the reference word) the sign-in, when the recipient has one on this tenant.
        let passkey = if st.sessions.is_authenticated(&session.id, id) {
            super::passkey::message_box(&st, id, &r, &session, &headers)
        } else {
            super::passkey::link_box(&st, &r, &session, &headers)
        };
        link_page(&st, lang, id, &r, &session, q, &passkey)
    };
    remember_lang(&mut resp, q);
    resp
}

/// `POST /m/{id}/code`: mails a code bound to this session.
pub async fn code(
    State(st): St,
    Path(id): Path<String>,
    ClientIp(connect): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let Posted { s, id, r, lang } = match posted_readable(&st, &id, &headers, &f).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let client = st.client(connect);
    let brand = st.brand(Some(&r.tenant)).clone();
    let say = Say {
        texts: &brand.texts,
        lang,
    };
    let (path, code_path) = (format!("/m/{id}"), format!("/m/{id}?step=code"));
    let link_page = |note: &str| {
        Page {
            title: "link_title",
            brand: &brand,
            lang,
            switch: &path,
            data: None,
            body: pages::link_body(say, id, &r.reference, r.expires, &s.csrf, Some(note)),
        }
        .render()
    };
    let code = match st.codes.issue(id, &s.id, &st.recipient(&r), &client) {
        Ok(c) => c,
        Err(e) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                link_page(&pages::code_message(say, &e)),
            )
                .into_response();
        }
    };
    if st.sessions.first_visit(&s.id, id) {
        event(
            &st,
            id,
            PortalEventKind::Opened,
            Actor::Client(client.clone()),
        )
        .await;
    }
    if st.mail.send_code(&r, &code).await.is_err() {
        event(&st, id, PortalEventKind::CodeSendFailed, Actor::System).await;
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            link_page(&brand.texts.fill("code_send_failed", lang, &[])),
        )
            .into_response();
    }
    event(&st, id, PortalEventKind::CodeSent, Actor::Client(client)).await;
    let page = Page {
        title: "code_title",
        brand: &brand,
        lang,
        switch: &code_path,
        data: None,
        body: pages::code_body(say, id, &s.csrf, None),
    };
    html(StatusCode::OK, &page, Some(&s))
}

/// `POST /m/{id}/verify`: checks the code; on success the session may read this copy.
pub async fn verify(
    State(st): St,
    Path(id): Path<String>,
    ClientIp(connect): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let Posted { s, id, r, lang } = match posted_readable(&st, &id, &headers, &f).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let actor = Actor::Client(st.client(connect));
    let entered = f.get("code").map(String::as_str).unwrap_or_default();
    match st.codes.verify(id, &s.id, entered) {
        Ok(()) => {
            st.sessions.authenticate(&s.id, id);
            event(&st, id, PortalEventKind::CodePassed, actor).await;
            let mut resp = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("/m/{id}")) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            resp
        }
        Err(e) => {
            let kind = if matches!(e, CodeError::Locked { .. }) {
                PortalEventKind::CodeLocked
            } else {
                PortalEventKind::CodeFailed
            };
            event(&st, id, kind, actor).await;
            let status = if matches!(e, CodeError::Locked { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let brand = st.brand(Some(&r.tenant));
            let say = Say {
                texts: &brand.texts,
                lang,
            };
            let switch = format!("/m/{id}?step=code");
            let page = Page {
                title: "code_title",
                brand,
                lang,
                switch: &switch,
                data: None,
                body: pages::code_body(say, id, &s.csrf, Some(&pages::code_message(say, &e))),
            };
            html(status, &page, Some(&s))
        }
    }
}

/// Decrypts the copy for one authenticated request with the posted link half.
async fn decrypt(
    st: &Arc<Inner>,
    id: &str,
    headers: &HeaderMap,
    f: &HashMap<String, String>,
) -> Result<(EscrowId, crate::Document), Response> {
    let Posted { s, id, r, lang } = posted_readable(st, id, headers, f).await?;
    if !st.sessions.is_authenticated(&s.id, id) {
        return Err(simple(
            st,
            StatusCode::UNAUTHORIZED,
            lang,
            "login_title",
            "login_text",
            Some(&r.tenant),
        ));
    }
    let half = f.get("key").and_then(|k| Half::from_fragment(k));
    let store = st.store.clone();
    match blocking(move || store.read(id, half.as_ref())).await {
        Ok(doc) => Ok((id, doc)),
        Err(PortalError::Revoked | PortalError::Expired) => Err(simple(
            st,
            StatusCode::GONE,
            lang,
            "unavailable_title",
            "unavailable_text",
            Some(&r.tenant),
        )),
        Err(_) => Err(simple(
            st,
            StatusCode::BAD_REQUEST,
            lang,
            "not_opened_title",
            "not_opened_text",
            Some(&r.tenant),
        )),
    }
}

fn size(n: usize) -> String {
    match n {
        n if n < 1024 => format!("{n} bytes"),
        n if n < 1024 * 1024 => format!("{} KB", n.div_ceil(1024)),
        n => format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)),
    }
}

/// `POST /m/{id}/open`: the sanitised message as JSON for the sandboxed frame.
pub async fn open(
    State(st): St,
    Path(id): Path<String>,
    ClientIp(connect): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let (id, doc) = match decrypt(&st, &id, &headers, &f).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    event(
        &st,
        id,
        PortalEventKind::Viewed,
        Actor::Client(st.client(connect)),
    )
    .await;
    let document = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" \
content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\"><meta name=\"referrer\" content=\"no-referrer\">\
<style>{FRAME_STYLE}</style></head><body>{}</body></html>",
        doc.html
    );
    let attachments: Vec<_> = doc
        .attachments
        .iter()
        .enumerate()
        .map(|(i, a)| serde_json::json!({"index": i, "name": a.name, "size": size(a.data.len())}))
        .collect();
    Json(serde_json::json!({"from": doc.from, "subject": doc.subject, "document": document, "attachments": attachments})).into_response()
}

/// `POST /m/{id}/a/{n}`: one attachment, only ever as a download.
pub async fn attachment(
    State(st): St,
    Path((id, n)): Path<(String, usize)>,
    ClientIp(connect): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let (id, mut doc) = match decrypt(&st, &id, &headers, &f).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    if n >= doc.attachments.len() {
        return simple(
            &st,
            StatusCode::NOT_FOUND,
            lang_of(&st, &headers, None, None),
            "no_attachment_title",
            "no_attachment_text",
            None,
        );
    }
    let a = doc.attachments.swap_remove(n);
    event(
        &st,
        id,
        PortalEventKind::AttachmentDownloaded { index: n as u32 },
        Actor::Client(st.client(connect)),
    )
    .await;
    let ascii: String = a
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let utf8 = url::form_urlencoded::byte_serialize(a.name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{utf8}");
    let mut resp = (StatusCode::OK, a.data).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition)
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    resp
}

/// `POST /m/{id}/ask`: a withdrawn or expired copy — ask the sender to send it again.
pub async fn ask(
    State(st): St,
    Path(id): Path<String>,
    ClientIp(connect): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let Posted { s, id, r, lang } = match posted(&st, &id, &headers, &f).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let Some((what, on)) = gone(&r, st.clock.now()) else {
        return simple(
            &st,
            StatusCode::CONFLICT,
            lang,
            "available_title",
            "available_text",
            Some(&r.tenant),
        );
    };
    if st.mail.ask_sender(&r).await.is_err() {
        return simple(
            &st,
            StatusCode::SERVICE_UNAVAILABLE,
            lang,
            "busy_title",
            "sender_unreachable",
            Some(&r.tenant),
        );
    }
    event(
        &st,
        id,
        PortalEventKind::ResendAsked,
        Actor::Client(st.client(connect)),
    )
    .await;
    gone_page(&st, lang, id, &r, what, on, &s, true)
}

/// `POST /logout`.
pub async fn logout(State(st): St, headers: HeaderMap, body: Bytes) -> Response {
    let f = form(&body);
    if let Ok(s) = guard(&st, &headers, &f) {
        st.sessions.end(&s.id);
    }
    simple(
        &st,
        StatusCode::OK,
        lang_of(&st, &headers, None, None),
        "logged_out_title",
        "logged_out_text",
        None,
    )
}

/// `GET /`: where the switch link of the short pages leads (`?lang=` remembered).
pub async fn home(State(st): St, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let q = query.as_deref();
    let lang = lang_of(&st, &headers, q, None);
    let mut resp = simple(&st, StatusCode::OK, lang, "home_title", "home_text", None);
    remember_lang(&mut resp, q);
    resp
}

/// Anything else.
pub async fn not_found(State(st): St, headers: HeaderMap) -> Response {
    missing(&st, &headers)
}

fn missing(st: &Inner, headers: &HeaderMap) -> Response {
    simple(
        st,
        StatusCode::NOT_FOUND,
        lang_of(st, headers, None, None),
        "not_found_title",
        "not_found_text",
        None,
    )
}

/// The page script.
pub async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("portal.js"),
    )
        .into_response()
}

/// The style sheet.
pub async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("portal.css"),
    )
        .into_response()
}

/// The brand of a `/static/brand/{key}/…` path.
fn brand_of<'a>(st: &'a Inner, key: &str) -> Option<&'a crate::brand::Brand> {
    st.config.brands.values().find(|b| b.key == key)
}

/// A tenant's style sheet (its colours), or 404.
pub async fn brand_style(State(st): St, Path(key): Path<String>, headers: HeaderMap) -> Response {
    match brand_of(&st, &key).filter(|b| b.colours.is_some()) {
        Some(b) => (
            [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
            b.style_sheet(),
        )
            .into_response(),
        None => missing(&st, &headers),
    }
}

/// A tenant's logo, as an image only: its own CSP sandboxes it and allows no script, so even
/// an SVG opened directly runs nothing.
pub async fn brand_logo(State(st): St, Path(key): Path<String>, headers: HeaderMap) -> Response {
    let Some(logo) = brand_of(&st, &key).and_then(|b| b.logo.clone()) else {
        return missing(&st, &headers);
    };
    (
        [
            (header::CONTENT_TYPE, logo.content_type()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            ),
        ],
        axum::body::Bytes::from(logo.bytes.to_vec()),
    )
        .into_response()
}
