//! Request helpers shared by the handlers: pages as responses, the session cookie, the
//! request's language (query, cookie, `Accept-Language`), form bodies, the client address, the POST guard (origin, session, CSRF), store calls on the
//! blocking pool, and the withdrawn / expired page.
// Helpers return the refusal page itself as their error: a `Response` is 128 bytes and lives
// for one request, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

use super::Inner;
use super::pages::{self, Page, Say};
use crate::error::PortalError;
use crate::i18n::{self, Lang};
use crate::id::EscrowId;
use crate::record::{Actor, EscrowRecord, EscrowState, PortalEventKind};
use crate::session::SessionView;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sealgate_core::time::Timestamp;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

pub type St = State<Arc<Inner>>;
pub const COOKIE: &str = "__Host-sealgate";

pub fn html(status: StatusCode, page: &Page<'_>, session: Option<&SessionView>) -> Response {
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.render(),
    )
        .into_response();
    if let Some(s) = session {
        let cookie = format!(
            "{COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Strict",
            s.id
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    r
}

/// A short page: a title and one paragraph (both text keys), its switch link to `/`.
pub fn simple(
    st: &Inner,
    status: StatusCode,
    lang: Lang,
    title: &str,
    text: &str,
    tenant: Option<&str>,
) -> Response {
    let brand = st.brand(tenant);
    let say = pages::Say {
        texts: &brand.texts,
        lang,
    };
    let page = Page {
        title,
        brand,
        lang,
        switch: "/",
        data: None,
        body: format!("<p>{}</p>", say.e(text)),
    };
    html(status, &page, None)
}

pub fn cookie(headers: &HeaderMap) -> Option<String> {
    cookie_named(headers, COOKIE)
}

fn cookie_named(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// The `lang` of a query string (`lang=es&step=code`).
pub fn query_lang(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "lang")
        .map(|(_, v)| v.into_owned())
}

/// The request's language: the `lang` query, the switch's cookie, `Accept-Language`, then the
/// tenant's default.
pub fn lang_of(st: &Inner, headers: &HeaderMap, query: Option<&str>, tenant: Option<&str>) -> Lang {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    i18n::choose(
        query_lang(query).as_deref(),
        cookie_named(headers, i18n::LANG_COOKIE).as_deref(),
        accept,
        st.brand(tenant).lang,
    )
}

/// The tenant's texts in the language of this request (for pages outside `Page`'s own
/// lookups: the reply and passkey parts).
pub fn say_of<'a>(st: &'a Inner, headers: &HeaderMap, tenant: &str) -> Say<'a> {
    Say {
        texts: &st.brand(Some(tenant)).texts,
        lang: lang_of(st, headers, None, Some(tenant)),
    }
}

/// Remembers a language chosen with the switch link (a cookie; no script needed).
pub fn remember_lang(response: &mut Response, query: Option<&str>) {
    let Some(lang) = query_lang(query).as_deref().and_then(Lang::from_code) else {
        return;
    };
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; Secure; HttpOnly; SameSite=Lax",
        i18n::LANG_COOKIE,
        lang.code()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

pub fn form(body: &Bytes) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// The peer address when the server was started with connect info.
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip());
        Ok(ClientIp(ip))
    }
}

/// True when the request comes from the portal's own pages: an `Origin` among the configured
/// ones, or — because `Referrer-Policy: no-referrer` makes browsers send `Origin: null` on form
/// posts — no usable origin but `Sec-Fetch-Site: same-origin`. Anything else is refused.
pub fn same_origin(st: &Inner, headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    match text(header::ORIGIN.as_str()) {
        Some(o) if o != "null" => st.config.origins.iter().any(|a| a == o),
        _ => text("sec-fetch-site") == Some("same-origin"),
    }
}

/// Origin among the configured ones, a live session, and its CSRF token.
pub fn guard(
    st: &Inner,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<SessionView, Response> {
    let lang = lang_of(st, headers, None, None);
    if !same_origin(st, headers) {
        return Err(simple(
            st,
            StatusCode::FORBIDDEN,
            lang,
            "refused_title",
            "refused_origin",
            None,
        ));
    }
    let Some(view) = cookie(headers).and_then(|c| st.sessions.touch(&c)) else {
        return Err(simple(
            st,
            StatusCode::UNAUTHORIZED,
            lang,
            "logged_off_title",
            "logged_off_text",
            None,
        ));
    };
    let csrf = form.get("csrf").map(String::as_str).unwrap_or_default();
    if !st.sessions.check_csrf(&view.id, csrf) {
        return Err(simple(
            st,
            StatusCode::FORBIDDEN,
            lang,
            "refused_title",
            "refused_form",
            None,
        ));
    }
    Ok(view)
}

pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PortalError> + Send + 'static,
) -> Result<T, PortalError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| PortalError::Io(format!("blocking task: {e}")))?
}

pub async fn record(
    st: &Arc<Inner>,
    id: &str,
    lang: Lang,
) -> Result<(EscrowId, EscrowRecord), Response> {
    let not_found = || {
        simple(
            st,
            StatusCode::NOT_FOUND,
            lang,
            "invalid_link_title",
            "invalid_link_text",
            None,
        )
    };
    let id: EscrowId = id.parse().map_err(|_| not_found())?;
    let store = st.store.clone();
    match blocking(move || store.record(id)).await {
        Ok(r) => Ok((id, r)),
        Err(PortalError::NotFound) => Err(not_found()),
        Err(_) => Err(simple(
            st,
            StatusCode::SERVICE_UNAVAILABLE,
            lang,
            "busy_title",
            "busy_text",
            None,
        )),
    }
}

/// A form post to `/m/{id}/…` that passed [`guard`] and names a stored copy; `lang` is read
/// with the copy's tenant.
pub struct Posted {
    pub s: SessionView,
    pub id: EscrowId,
    pub r: EscrowRecord,
    pub lang: Lang,
}

/// The start every `/m/{id}/…` form post shares: the guard, the copy, the tenant's language.
pub async fn posted(
    st: &Arc<Inner>,
    id: &str,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<Posted, Response> {
    let s = guard(st, headers, form)?;
    let (id, r) = record(st, id, lang_of(st, headers, None, None)).await?;
    let lang = lang_of(st, headers, None, Some(&r.tenant));
    Ok(Posted { s, id, r, lang })
}

/// [`posted`], answered with the withdrawn / expired page when the copy can no longer be read.
pub async fn posted_readable(
    st: &Arc<Inner>,
    id: &str,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<Posted, Response> {
    let p = posted(st, id, headers, form).await?;
    match gone(&p.r, st.clock.now()) {
        Some((what, on)) => Err(gone_page(st, p.lang, p.id, &p.r, what, on, &p.s, false)),
        None => Ok(p),
    }
}

/// Revoked, expired (recorded or due) → what and when.
pub fn gone(record: &EscrowRecord, now: Timestamp) -> Option<(&'static str, Timestamp)> {
    match record.state {
        EscrowState::Revoked { at } => Some(("withdrawn", at)),
        EscrowState::Expired { .. } => Some(("expired", record.expires)),
        EscrowState::Active if now >= record.expires => Some(("expired", record.expires)),
        EscrowState::Active => None,
    }
}

/// The withdrawn / expired page, in `lang`.
#[allow(clippy::too_many_arguments)] // one page's facts; a struct would only rename them
pub fn gone_page(
    st: &Inner,
    lang: Lang,
    id: EscrowId,
    r: &EscrowRecord,
    what: &str,
    on: Timestamp,
    s: &SessionView,
    asked: bool,
) -> Response {
    let title = if what == "withdrawn" {
        "withdrawn_title"
    } else {
        "expired_title"
    };
    let brand = st.brand(Some(&r.tenant));
    let say = pages::Say {
        texts: &brand.texts,
        lang,
    };
    let switch = format!("/m/{id}");
    let page = Page {
        title,
        brand,
        lang,
        switch: &switch,
        data: None,
        body: pages::gone_body(say, id, what, on, &s.csrf, asked),
    };
    html(StatusCode::GONE, &page, Some(s))
}

/// The link page, the code form (`?step=code`) or, once the session passed the code, the
/// message page.
pub fn link_page(
    st: &Inner,
    lang: Lang,
    id: EscrowId,
    r: &crate::record::EscrowRecord,
    session: &crate::session::SessionView,
    query: Option<&str>,
    passkey: &str,
) -> Response {
    let brand = st.brand(Some(&r.tenant));
    let say = Say {
        texts: &brand.texts,
        lang,
    };
    let path = format!("/m/{id}");
    let code_path = format!("/m/{id}?step=code");
    let code_step = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .any(|(k, v)| k == "step" && v == "code");
    let page = if st.sessions.is_authenticated(&session.id, id) {
        Page {
            title: "message_title",
            brand,
            lang,
            switch: &path,
            data: Some((id, &session.csrf)),
            body: pages::message_body(say, &r.reference, &session.csrf)
                + &super::reply::link_html(st, id, &r.tenant, say)
                + passkey,
        }
    } else if code_step {
        Page {
            title: "code_title",
            brand,
            lang,
            switch: &code_path,
            data: None,
            body: pages::code_body(say, id, &session.csrf, None),
        }
    } else {
        Page {
            title: "link_title",
            brand,
            lang,
            switch: &path,
            data: None,
            body: pages::link_body(say, id, &r.reference, r.expires, &session.csrf, None) + passkey,
        }
    };
    html(StatusCode::OK, &page, Some(session))
}

pub async fn event(st: &Arc<Inner>, id: EscrowId, kind: PortalEventKind, actor: Actor) {
    let store = st.store.clone();
    // An event that cannot be written is logged by kind only; the request still answers.
    if let Err(e) = blocking(move || store.append(id, kind, actor)).await {
        tracing::warn!(escrow = %id, error = %e, "portal event not recorded");
    }
}
