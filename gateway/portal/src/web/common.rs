//! Request helpers shared by the handlers: pages as responses, the session cookie, form
//! bodies, the client address, the POST guard (origin, session, CSRF), store calls on the
//! blocking pool, and the withdrawn / expired page.
// Helpers return the refusal page itself as their error: a `Response` is 128 bytes and lives
// for one request, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

use super::Inner;
use super::pages::{self, Page};
use crate::error::PortalError;
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

pub fn simple(
    st: &Inner,
    status: StatusCode,
    title: &str,
    text: &str,
    tenant: Option<&str>,
) -> Response {
    let page = Page {
        title,
        brand: st.brand(tenant),
        data: None,
        body: pages::para(text),
    };
    html(status, &page, None)
}

pub fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == COOKIE).then(|| v.to_string())
        })
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
    if !same_origin(st, headers) {
        return Err(simple(
            st,
            StatusCode::FORBIDDEN,
            "Request refused",
            "This request did not come from the secure mail page, so it was refused.",
            None,
        ));
    }
    let Some(view) = cookie(headers).and_then(|c| st.sessions.touch(&c)) else {
        return Err(simple(
            st,
            StatusCode::UNAUTHORIZED,
            "You were logged off",
            "For your security you were logged off after 15 minutes without activity. Open the link in your email again.",
            None,
        ));
    };
    let csrf = form.get("csrf").map(String::as_str).unwrap_or_default();
    if !st.sessions.check_csrf(&view.id, csrf) {
        return Err(simple(
            st,
            StatusCode::FORBIDDEN,
            "Request refused",
            "This form has expired. Open the link in your email again.",
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

pub async fn record(st: &Arc<Inner>, id: &str) -> Result<(EscrowId, EscrowRecord), Response> {
    let not_found = || {
        simple(
            st,
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This link is not valid. Please check that you opened the whole link from your email.",
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
            "Please try again",
            "The secure mail service is busy. Please try again in a few minutes.",
            None,
        )),
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

pub fn gone_page(
    st: &Inner,
    id: EscrowId,
    r: &EscrowRecord,
    what: &str,
    on: Timestamp,
    s: &SessionView,
    asked: bool,
) -> Response {
    let title = if what == "withdrawn" {
        "Message withdrawn"
    } else {
        "Message expired"
    };
    let page = Page {
        title,
        brand: st.brand(Some(&r.tenant)),
        data: None,
        body: pages::gone_body(id, what, on, &s.csrf, asked),
    };
    html(StatusCode::GONE, &page, Some(s))
}

pub async fn event(st: &Arc<Inner>, id: EscrowId, kind: PortalEventKind, actor: Actor) {
    let store = st.store.clone();
    // An event that cannot be written is logged by kind only; the request still answers.
    if let Err(e) = blocking(move || store.append(id, kind, actor)).await {
        tracing::warn!(escrow = %id, error = %e, "portal event not recorded");
    }
}
