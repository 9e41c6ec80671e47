//! The portal's request handlers. Each POST passes [`guard`] (origin, session, CSRF) first.
// Helpers return the refusal page itself as their error: a `Response` is 128 bytes and lives
// for one request, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

use super::common::*;
use super::pages::{self, Page};
use super::{FRAME_STYLE, Inner};
use crate::error::PortalError;
use crate::id::EscrowId;
use crate::login::CodeError;
use crate::record::{Actor, PortalEventKind};
use crate::seal::Half;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sealgate_core::time::Timestamp;
use std::collections::HashMap;
use std::sync::Arc;

/// `GET /m/{id}`: reads only.
pub async fn link(State(st): St, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (id, r) = match record(&st, &id).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let session = st.sessions.get_or_start(cookie(&headers).as_deref());
    if let Some((what, on)) = gone(&r, st.clock.now()) {
        return gone_page(&st, id, &r, what, on, &session, false);
    }
    let brand = st.brand(Some(&r.tenant));
    let page = if st.sessions.is_authenticated(&session.id, id) {
        Page {
            title: "Your secure message",
            brand,
            data: Some((id, &session.csrf)),
            body: pages::message_body(&r.reference, &session.csrf)
                + &super::passkey::message_box(&st, id, &r, &session, &headers).await,
        }
    } else {
        Page {
            title: "You have a secure message",
            brand,
            data: None,
            // The reference word first (the recipient checks it before anything), then the
            // passkey, if the recipient has one on this tenant.
            body: pages::link_body(id, &r.reference, r.expires, &session.csrf, None)
                + &super::passkey::link_box(&st, &r, &session, &headers).await,
        }
    };
    html(StatusCode::OK, &page, Some(&session))
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
    let s = match guard(&st, &headers, &f) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let (id, r) = match record(&st, &id).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    if let Some((what, on)) = gone(&r, st.clock.now()) {
        return gone_page(&st, id, &r, what, on, &s, false);
    }
    let client = st.client(connect);
    let brand = st.brand(Some(&r.tenant)).clone();
    let link_page = |note: &str| {
        Page {
            title: "You have a secure message",
            brand: &brand,
            data: None,
            body: pages::link_body(id, &r.reference, r.expires, &s.csrf, Some(note)),
        }
        .render()
    };
    let code = match st.codes.issue(id, &s.id, &st.recipient(&r), &client) {
        Ok(c) => c,
        Err(e) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                link_page(&code_message(&e)),
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
            link_page("We could not send the code just now. Please try again in a few minutes."),
        )
            .into_response();
    }
    event(&st, id, PortalEventKind::CodeSent, Actor::Client(client)).await;
    let page = Page {
        title: "Enter your code",
        brand: &brand,
        data: None,
        body: pages::code_body(id, &s.csrf, None),
    };
    html(StatusCode::OK, &page, Some(&s))
}

fn code_message(e: &CodeError) -> String {
    match e {
        CodeError::Locked { until } => format!(
            "This message is locked because a wrong code was entered 5 times. You can ask for a new code after {} UTC, or call the help line below.",
            time_of_day(*until)
        ),
        CodeError::RateLimited => "Too many codes were requested. Please wait an hour and try again, or call the help line below.".into(),
        CodeError::NoCode => "There is no code waiting for this browser. Please ask for a new code.".into(),
        CodeError::Expired => "That code has expired (codes work for 10 minutes). Please ask for a new code.".into(),
        CodeError::Wrong { left } => format!("That code is not right. You can try {left} more time{}.", if *left == 1 { "" } else { "s" }),
    }
}

fn time_of_day(t: Timestamp) -> String {
    let s = t.secs() % 86_400;
    format!("{} {:02}:{:02}", pages::date(t), s / 3600, (s % 3600) / 60)
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
    let s = match guard(&st, &headers, &f) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let (id, r) = match record(&st, &id).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    if let Some((what, on)) = gone(&r, st.clock.now()) {
        return gone_page(&st, id, &r, what, on, &s, false);
    }
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
            let page = Page {
                title: "Enter your code",
                brand: st.brand(Some(&r.tenant)),
                data: None,
                body: pages::code_body(id, &s.csrf, Some(&code_message(&e))),
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
    let s = guard(st, headers, f)?;
    let (id, r) = record(st, id).await?;
    if let Some((what, on)) = gone(&r, st.clock.now()) {
        return Err(gone_page(st, id, &r, what, on, &s, false));
    }
    if !st.sessions.is_authenticated(&s.id, id) {
        return Err(simple(
            st,
            StatusCode::UNAUTHORIZED,
            "Please log in",
            "Please ask for a code first.",
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
            "Message unavailable",
            "This message can no longer be read.",
            Some(&r.tenant),
        )),
        Err(_) => Err(simple(
            st,
            StatusCode::BAD_REQUEST,
            "Message not opened",
            "The message could not be opened. Please open the whole link from your email again.",
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
            "No such attachment",
            "This attachment does not exist.",
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
    let s = match guard(&st, &headers, &f) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let (id, r) = match record(&st, &id).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let Some((what, on)) = gone(&r, st.clock.now()) else {
        return simple(
            &st,
            StatusCode::CONFLICT,
            "Message available",
            "This message can still be read: open the link in your email.",
            Some(&r.tenant),
        );
    };
    if st.mail.ask_sender(&r).await.is_err() {
        return simple(
            &st,
            StatusCode::SERVICE_UNAVAILABLE,
            "Please try again",
            "We could not reach the sender just now. Please try again later or call the help line below.",
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
    gone_page(&st, id, &r, what, on, &s, true)
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
        "You are logged off",
        "You are logged off. To read the message again, open the link in your email.",
        None,
    )
}

/// Anything else.
pub async fn not_found(State(st): St) -> Response {
    simple(
        &st,
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is nothing at this address.",
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
pub async fn brand_style(State(st): St, Path(key): Path<String>) -> Response {
    match brand_of(&st, &key).filter(|b| b.colours.is_some()) {
        Some(b) => (
            [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
            b.style_sheet(),
        )
            .into_response(),
        None => not_found(State(st)).await,
    }
}

/// A tenant's logo, as an image only: its own CSP sandboxes it and allows no script, so even
/// an SVG opened directly runs nothing.
pub async fn brand_logo(State(st): St, Path(key): Path<String>) -> Response {
    let Some(logo) = brand_of(&st, &key).and_then(|b| b.logo.clone()) else {
        return not_found(State(st)).await;
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
