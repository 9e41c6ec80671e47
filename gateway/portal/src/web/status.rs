//! The sender's status page (issue 13 item 3): `GET /s/{token}` shows a "Continue" button
//! and nothing else (it checks nothing, changes nothing, so a link scanner learns nothing);
//! `POST /s/{token}` (Origin, session cookie, CSRF token — as every portal POST) shows, per
//! recipient of that one message, notified / opened / read / replied and the copy's state,
//! with buttons to withdraw, extend and, in `key_mode = "server"`, send the notification again
//! (`POST /s/{token}/revoke|extend|resend`, the copy named by its position in the message).
//!
//! Guarantees: the token opens only its own message (the copies are looked up by that
//! message's id, never by an id from the form); an unknown token gets the same "not valid"
//! page whatever it is; the page shows the recipients as addressed (to the sender, over the
//! portal's HTTPS, after the POST) but never a subject, body or attachment. Every text is in
//! `status_texts.rs` (English and Spanish; Spanish when `Accept-Language` starts with `es`).
// Helpers return the refusal page itself as their error: a `Response` is 128 bytes and lives
// for one request, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

use super::Inner;
use super::common::*;
use super::pages::{Page, Say, alert, esc};
use crate::Lang;
use crate::error::PortalError;
use crate::record::{Actor, EscrowRecord, EscrowState, KeyMode, PortalEvent, PortalEventKind};
use crate::status::SenderStatus;
use crate::status_texts::text;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sealgate_core::time::Timestamp;
use std::sync::Arc;

/// `2026-12-03 10:00 UTC`.
fn when(t: Timestamp) -> String {
    let secs = t.secs();
    let days = (secs / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let s = secs % 86_400;
    format!(
        "{year}-{month:02}-{day:02} {:02}:{:02} UTC",
        s / 3600,
        (s % 3600) / 60
    )
}

fn page_response(
    st: &Inner,
    status: StatusCode,
    (tenant, lang, switch): (Option<&str>, Lang, &str),
    body: String,
    session: Option<&crate::session::SessionView>,
) -> Response {
    let page = Page {
        title: "status_title",
        brand: st.brand(tenant),
        lang,
        switch,
        data: None,
        body,
    };
    html(status, &page, session)
}

fn invalid(st: &Inner, lang: Lang, e: &PortalError) -> Response {
    let brand = st.brand(None);
    let say = Say {
        texts: &brand.texts,
        lang,
    };
    let (status, key) = match e {
        PortalError::NotFound => (StatusCode::NOT_FOUND, "invalid"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
    };
    let body = format!(
        "<h2>{}</h2><p>{}</p>",
        esc(&text(&say, "invalid-title")),
        esc(&text(&say, key))
    );
    page_response(st, status, (None, lang, "/"), body, None)
}

fn hidden(csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(csrf)
    )
}

/// `GET /s/{token}`: a "Continue" button, nothing else; the token is not even looked up.
pub async fn start(
    State(st): St,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&st, &headers, query.as_deref(), None);
    let brand = st.brand(None);
    let say = Say {
        texts: &brand.texts,
        lang,
    };
    let session = st.sessions.get_or_start(cookie(&headers).as_deref());
    let body = format!(
        "<p>{}</p><form method=\"post\" action=\"/s/{}\">{}<button type=\"submit\">{}</button></form>",
        esc(&text(&say, "start")),
        url_segment(&token),
        hidden(&session.csrf),
        esc(&text(&say, "continue")),
    );
    let switch = format!("/s/{}", url_segment(&token));
    let mut resp = page_response(
        &st,
        StatusCode::OK,
        (None, lang, &switch),
        body,
        Some(&session),
    );
    remember_lang(&mut resp, query.as_deref());
    resp
}

/// A path segment safe in an attribute and a URL (the token's base64url characters only).
fn url_segment(token: &str) -> String {
    token
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// One copy and its events, as the page shows it.
struct Copy {
    index: u32,
    record: EscrowRecord,
    events: Vec<PortalEvent>,
}

impl Copy {
    fn first(&self, kind: &PortalEventKind) -> Option<Timestamp> {
        self.events.iter().find(|e| &e.kind == kind).map(|e| e.at)
    }
}

/// The token's message and its copies (blocking pool).
async fn load(st: &Arc<Inner>, token: &str) -> Result<(SenderStatus, Vec<Copy>), PortalError> {
    let (store, token) = (st.store.clone(), token.to_string());
    blocking(move || {
        let status = store.status_by_token(&token)?;
        let mut copies = Vec::new();
        for record in store.copies(status.message_id)? {
            let events = store.events(store.id_of(&record)?)?;
            copies.push(Copy {
                index: record.recipient_index,
                record,
                events,
            });
        }
        Ok((status, copies))
    })
    .await
}

fn row(label: &str, value: &str) -> String {
    format!("<dt>{}</dt><dd>{}</dd>", esc(label), esc(value))
}

fn copy_card(c: &Copy, token: &str, csrf: &str, say: &Say<'_>) -> String {
    let t = |k| text(say, k);
    let at = |k: &PortalEventKind| c.first(k).map(when);
    let opened =
        at(&PortalEventKind::Viewed).unwrap_or_else(|| match c.first(&PortalEventKind::Opened) {
            Some(_) => t("link-only"),
            None => t("not-yet"),
        });
    let state = match c.record.state {
        EscrowState::Active => format!("{} {}", t("until"), when(c.record.expires)),
        EscrowState::Revoked { at } => format!("{} {}", t("withdrawn"), when(at)),
        EscrowState::Expired { at } => format!("{} {}", t("expired"), when(at)),
    };
    let mut out = format!(
        "<section class=\"copy\" aria-labelledby=\"c{i}\"><h2 id=\"c{i}\">{addr}</h2><dl>{}{}{}{}{}</dl>",
        row(&t("reference"), &c.record.reference),
        row(
            &t("notified"),
            &at(&PortalEventKind::Notified).unwrap_or_else(|| t("not-yet"))
        ),
        row(&t("opened"), &opened),
        row(
            &t("replied"),
            &at(&PortalEventKind::Replied).unwrap_or_else(|| t("no"))
        ),
        row(&t("state"), &state),
        i = c.index,
        addr = esc(&c.record.recipient.to_string()),
    );
    if c.record.is_active() {
        let form = |action: &str, label: &str, class: &str| {
            format!(
                "<form method=\"post\" action=\"/s/{token}/{action}\">{}<input type=\"hidden\" name=\"copy\" value=\"{}\"><button type=\"submit\"{class}>{}</button></form>",
                hidden(csrf),
                c.index,
                esc(label)
            )
        };
        out.push_str(&form("revoke", &t("revoke"), ""));
        out.push_str(&form("extend", &t("extend"), " class=\"secondary\""));
        if c.record.key_mode == KeyMode::Server {
            out.push_str(&form("resend", &t("resend"), " class=\"secondary\""));
        }
    }
    out.push_str("</section>");
    out
}

fn status_body(
    s: &SenderStatus,
    copies: &[Copy],
    token: &str,
    csrf: &str,
    say: &Say<'_>,
    note: Option<&str>,
) -> String {
    let token = url_segment(token);
    let mut out = note.map(alert).unwrap_or_default();
    out.push_str(&format!(
        "<p>{}: {}</p><h2>{}</h2>",
        esc(&text(say, "sent")),
        esc(&when(s.created)),
        esc(&text(say, "recipients"))
    ));
    for c in copies {
        out.push_str(&copy_card(c, &token, csrf, say));
    }
    out
}

/// Renders the page of `token` (after an action: with `note`).
async fn show(
    st: &Arc<Inner>,
    token: &str,
    session: &crate::session::SessionView,
    lang: Lang,
    note: Option<String>,
) -> Response {
    match load(st, token).await {
        Ok((s, copies)) => {
            let brand = st.brand(Some(&s.tenant));
            let say = Say {
                texts: &brand.texts,
                lang,
            };
            let body = status_body(&s, &copies, token, &session.csrf, &say, note.as_deref());
            let switch = format!("/s/{}", url_segment(token));
            let tenant = Some(s.tenant.as_str());
            page_response(
                st,
                StatusCode::OK,
                (tenant, lang, &switch),
                body,
                Some(session),
            )
        }
        Err(e) => invalid(st, lang, &e),
    }
}

/// `POST /s/{token}`: the page.
pub async fn page(
    State(st): St,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let s = match guard(&st, &headers, &form(&body)) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    show(&st, &token, &s, lang_of(&st, &headers, None, None), None).await
}

/// The guarded action's session and the copy it names (of the token's message only).
async fn target(
    st: &Arc<Inner>,
    token: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(crate::session::SessionView, EscrowRecord), Response> {
    let f = form(body);
    let s = guard(st, headers, &f)?;
    let lang = lang_of(st, headers, None, None);
    let index: u32 = f
        .get("copy")
        .and_then(|v| v.parse().ok())
        .unwrap_or(u32::MAX);
    let (store, token) = (st.store.clone(), token.to_string());
    let found = blocking(move || {
        let status = store.status_by_token(&token)?;
        store
            .find(status.message_id, index)?
            .ok_or(PortalError::NotFound)
    })
    .await;
    found.map(|r| (s, r)).map_err(|e| invalid(st, lang, &e))
}

/// `POST /s/{token}/revoke`: withdraws one copy.
pub async fn revoke(
    State(st): St,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = lang_of(&st, &headers, None, None);
    let (s, r) = match target(&st, &token, &headers, &body).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    // The note is shown on the tenant's page: the tenant's wording.
    let say = Say {
        texts: &st.brand(Some(&r.tenant)).texts,
        lang,
    };
    let store = st.store.clone();
    let note = match blocking(move || {
        let id = store.id_of(&r)?;
        store.revoke(id, Actor::Sender)
    })
    .await
    {
        Ok(_) => text(&say, "done-revoke"),
        Err(_) => text(&say, "busy"),
    };
    show(&st, &token, &s, lang, Some(note)).await
}

/// `POST /s/{token}/extend`: moves one copy's expiry as far as the gateway allows.
pub async fn extend(
    State(st): St,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = lang_of(&st, &headers, None, None);
    let (s, r) = match target(&st, &token, &headers, &body).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    // The note is shown on the tenant's page: the tenant's wording.
    let say = Say {
        texts: &st.brand(Some(&r.tenant)).texts,
        lang,
    };
    let note = match st.mail.extension(&r).filter(|u| *u > r.expires) {
        None => text(&say, "no-extend"),
        Some(until) => {
            let store = st.store.clone();
            match blocking(move || store.extend(store.id_of(&r)?, until, Actor::Sender)).await {
                Ok(_) => format!("{} {}.", text(&say, "done-extend"), when(until)),
                Err(PortalError::Revoked | PortalError::Expired) => text(&say, "gone"),
                Err(_) => text(&say, "busy"),
            }
        }
    };
    show(&st, &token, &s, lang, Some(note)).await
}

/// `POST /s/{token}/resend`: `key_mode = "server"` only — a fresh notification.
pub async fn resend(
    State(st): St,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = lang_of(&st, &headers, None, None);
    let (s, r) = match target(&st, &token, &headers, &body).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    // The note is shown on the tenant's page: the tenant's wording.
    let say = Say {
        texts: &st.brand(Some(&r.tenant)).texts,
        lang,
    };
    let note = if !r.is_active() {
        text(&say, "gone")
    } else if r.key_mode == KeyMode::Server && st.mail.resend(&r).await.is_ok() {
        if let Ok(id) = st.store.id_of(&r) {
            event(&st, id, PortalEventKind::Resent, Actor::Sender).await;
        }
        text(&say, "done-resend")
    } else {
        text(&say, "no-resend")
    };
    show(&st, &token, &s, lang, Some(note)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc() {
        assert_eq!(when(Timestamp(1_796_256_000_000)), "2026-12-03 00:00 UTC");
        assert_eq!(when(Timestamp(0)), "1970-01-01 00:00 UTC");
    }

    #[test]
    fn only_token_characters_reach_the_page() {
        assert_eq!(url_segment("ab\"><script>-_9"), "abscript-_9");
    }
}
