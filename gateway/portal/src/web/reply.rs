//! The secure reply's pages: `GET /m/{id}/reply` (the form, for a session that passed the code
//! for this copy), `POST /m/{id}/reply` (multipart: text, files, "reply to all", CSRF token and
//! the link half that `reply.js` copies from the tab's storage), `/static/reply.js` and
//! `/static/reply.css`.
//!
//! The POST checks Origin and session before reading the body, reads it with the tenant's
//! limit (a larger body is refused with a 413 page as soon as the limit is passed), then checks
//! the CSRF token, opens the copy with the link half (for the threading facts), takes one of
//! the recipient's daily replies, and hands the reply to the gateway. "Sent" is shown only after
//! the gateway committed it to the spool; a failed commit gives the daily reply back.
// Helpers return the refusal page itself as their error (see handlers.rs).
#![allow(clippy::result_large_err)]

use super::Inner;
use super::common::*;
use super::pages::{Page, Say, alert, esc, para};
use crate::id::EscrowId;
use crate::record::{Actor, EscrowRecord, PortalEventKind};
use crate::reply::{Reply, ReplyLimits, ReplyOutcome, text};
use crate::reply_form::{self, ReplyForm};
use crate::seal::Half;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Room for the text and the form's own bytes on top of the attachments' limit.
const FORM_SLACK: u64 = 256 * 1024;

/// `10 MiB`-style size for the pages.
fn mib(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{} MB", n.div_ceil(1 << 20))
    } else {
        format!("{} KB", n.div_ceil(1024).max(1))
    }
}

fn page(
    st: &Inner,
    r: &EscrowRecord,
    say: Say<'_>,
    status: StatusCode,
    title: &str,
    body: String,
) -> Response {
    let page = Page {
        title,
        brand: st.brand(Some(&r.tenant)),
        lang: say.lang,
        switch: "/",
        data: None,
        body: format!("{body}<link rel=\"stylesheet\" href=\"/static/reply.css\">"),
    };
    html(status, &page, None)
}

fn back(id: EscrowId, say: Say<'_>) -> String {
    format!(
        "<p><a href=\"/m/{id}\">{}</a></p>",
        esc(&text(say, "back", &[]))
    )
}

/// The "Reply to the sender" link of the message page, when the tenant takes replies.
pub fn link_html(st: &Inner, id: EscrowId, tenant: &str, say: Say<'_>) -> String {
    match limits(st, tenant) {
        Some(_) => format!(
            "<p><a class=\"reply-link\" href=\"/m/{id}/reply\">{}</a></p>",
            esc(&text(say, "link", &[]))
        ),
        None => String::new(),
    }
}

fn limits(st: &Inner, tenant: &str) -> Option<ReplyLimits> {
    st.reply
        .as_ref()?
        .limits
        .get(tenant)
        .copied()
        .filter(|l| l.daily_limit > 0)
}

/// The record of `id` for a session that passed the code for it, with the tenant's limits.
async fn authorised(
    st: &Arc<Inner>,
    id: &str,
    headers: &HeaderMap,
) -> Result<(EscrowId, EscrowRecord, String, ReplyLimits), Response> {
    let (id, r) = record(st, id, lang_of(st, headers, None, None)).await?;
    let say = say_of(st, headers, &r.tenant);
    let session = cookie(headers).and_then(|c| st.sessions.touch(&c));
    let Some(s) = session.filter(|s| st.sessions.is_authenticated(&s.id, id)) else {
        let mut resp = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("/m/{id}")) {
            resp.headers_mut().insert(header::LOCATION, v);
        }
        return Err(resp);
    };
    if let Some((what, on)) = gone(&r, st.clock.now()) {
        return Err(gone_page(
            st,
            lang_of(st, headers, None, Some(&r.tenant)),
            id,
            &r,
            what,
            on,
            &s,
            false,
        ));
    }
    let Some(l) = limits(st, &r.tenant) else {
        let t = text(say, "title", &[]);
        let body = para(&text(say, "off", &[])) + &back(id, say);
        return Err(page(st, &r, say, StatusCode::NOT_FOUND, &t, body));
    };
    Ok((id, r, s.csrf, l))
}

fn form_body(
    st: &Inner,
    id: EscrowId,
    r: &EscrowRecord,
    csrf: &str,
    left: u32,
    say: Say<'_>,
) -> String {
    let org = &st.brand(Some(&r.tenant)).name;
    let size = limits(st, &r.tenant)
        .map(|l| mib(l.max_size))
        .unwrap_or_default();
    format!(
        "<p>{intro}</p><form method=\"post\" action=\"/m/{id}/reply\" enctype=\"multipart/form-data\" class=\"reply\">\
<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"key\" id=\"reply-key\" value=\"\">\
<label for=\"reply-text\">{label}</label><textarea id=\"reply-text\" name=\"text\" rows=\"8\" maxlength=\"20000\"></textarea>\
<label for=\"reply-files\">{files}</label><input id=\"reply-files\" name=\"files\" type=\"file\" multiple>\
<p class=\"check\"><input type=\"checkbox\" id=\"reply-all\" name=\"all\" value=\"1\"><label for=\"reply-all\">{all}</label></p>\
<p>{left}</p><button type=\"submit\">{send}</button></form>{back}\
<script src=\"/static/reply.js\" defer></script>",
        intro = esc(&text(say, "intro", &[("org", org)])),
        csrf = esc(csrf),
        label = esc(&text(say, "text", &[])),
        files = esc(&text(say, "files", &[("size", &size)])),
        all = esc(&text(say, "all", &[("org", org)])),
        left = esc(&text(say, "left", &[("n", &left.to_string())])),
        send = esc(&text(say, "send", &[])),
        back = back(id, say),
    )
}

/// `GET /m/{id}/reply`: the form (reads only).
pub async fn form(State(st): St, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (id, r, csrf, l) = match authorised(&st, &id, &headers).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let say = say_of(&st, &headers, &r.tenant);
    let (store, rcpt, now) = (st.store.clone(), r.recipient.clone(), st.clock.now());
    let used = blocking(move || store.replies_on(&rcpt, now))
        .await
        .unwrap_or(0);
    let left = l.daily_limit.saturating_sub(used);
    if left == 0 {
        let body = alert(&text(say, "cap", &[("n", &l.daily_limit.to_string())])) + &back(id, say);
        return page(
            &st,
            &r,
            say,
            StatusCode::OK,
            &text(say, "cap-title", &[]),
            body,
        );
    }
    let body = form_body(&st, id, &r, &csrf, left, say);
    page(&st, &r, say, StatusCode::OK, &text(say, "title", &[]), body)
}

/// Reads the body, keeping at most `limit` bytes: `None` once the limit is passed (or the
/// client broke off). Past the limit nothing more is kept; the rest is read and dropped up to
/// twice the limit (so the client reads the 413 page instead of a reset connection), and a
/// body declared larger than that is refused without reading it.
async fn read_limited(mut body: Body, headers: &HeaderMap, limit: u64) -> Option<Vec<u8>> {
    use axum::body::HttpBody;
    let drain = limit.saturating_mul(2);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > drain) {
        return None;
    }
    let (mut out, mut seen) = (Vec::new(), 0u64);
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let Ok(data) = frame.ok()?.into_data() else {
            continue;
        };
        seen += data.len() as u64;
        if seen > limit {
            out = Vec::new();
            if seen > drain {
                break;
            }
        } else {
            out.extend_from_slice(&data);
        }
    }
    (seen <= limit).then_some(out)
}

/// `POST /m/{id}/reply`.
pub async fn send(
    State(st): St,
    Path(id): Path<String>,
    ClientIp(connect): ClientIp,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Origin and session before a byte of the body is read; the CSRF token is inside it.
    if !same_origin(&st, &headers) {
        return simple(
            &st,
            StatusCode::FORBIDDEN,
            lang_of(&st, &headers, None, None),
            "refused_title",
            "refused_origin",
            None,
        );
    }
    let (id, r, _, l) = match authorised(&st, &id, &headers).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let say = say_of(&st, &headers, &r.tenant);
    let too_big = || {
        let body = alert(&text(say, "too-big", &[("size", &mib(l.max_size))])) + &back(id, say);
        page(
            &st,
            &r,
            say,
            StatusCode::PAYLOAD_TOO_LARGE,
            &text(say, "too-big-title", &[]),
            body,
        )
    };
    let Some(raw) = read_limited(body, &headers, l.max_size + FORM_SLACK).await else {
        return too_big();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Ok(form) = reply_form::parse(&raw, content_type) else {
        let body = alert(&text(say, "bad-form", &[])) + &back(id, say);
        return page(
            &st,
            &r,
            say,
            StatusCode::BAD_REQUEST,
            &text(say, "refused-title", &[]),
            body,
        );
    };
    drop(raw);
    let csrf_form = [("csrf".to_string(), form.csrf.clone())]
        .into_iter()
        .collect();
    if let Err(resp) = guard(&st, &headers, &csrf_form) {
        return resp;
    }
    if form.files.iter().map(|f| f.data.len() as u64).sum::<u64>() > l.max_size {
        return too_big();
    }
    if form.text.trim().is_empty() && form.files.is_empty() {
        let body = alert(&text(say, "empty", &[])) + &back(id, say);
        return page(
            &st,
            &r,
            say,
            StatusCode::UNPROCESSABLE_ENTITY,
            &text(say, "title", &[]),
            body,
        );
    }
    let actor = Actor::Client(st.client(connect));
    deliver(&st, id, r, l, form, say, actor).await
}

fn refusal(
    st: &Inner,
    r: &EscrowRecord,
    id: EscrowId,
    status: StatusCode,
    key: &str,
    say: Say<'_>,
) -> Response {
    let body = alert(&text(say, key, &[])) + &back(id, say);
    page(st, r, say, status, &text(say, "refused-title", &[]), body)
}

/// Opens the copy for the threading facts, takes a daily reply, hands the reply over.
async fn deliver(
    st: &Arc<Inner>,
    id: EscrowId,
    r: EscrowRecord,
    l: ReplyLimits,
    form: ReplyForm,
    say: Say<'_>,
    actor: Actor,
) -> Response {
    let Some(service) = st.reply.clone() else {
        return refusal(st, &r, id, StatusCode::NOT_FOUND, "off", say);
    };
    let half = Half::from_fragment(&form.key);
    let store = st.store.clone();
    let Ok(doc) = blocking(move || store.read(id, half.as_ref())).await else {
        return refusal(st, &r, id, StatusCode::BAD_REQUEST, "no-key", say);
    };
    let (store, rcpt, now) = (st.store.clone(), r.recipient.clone(), st.clock.now());
    match blocking(move || store.reserve_reply(&rcpt, now, l.daily_limit)).await {
        Ok(true) => {}
        Ok(false) => {
            let body =
                alert(&text(say, "cap", &[("n", &l.daily_limit.to_string())])) + &back(id, say);
            return page(
                st,
                &r,
                say,
                StatusCode::TOO_MANY_REQUESTS,
                &text(say, "cap-title", &[]),
                body,
            );
        }
        Err(_) => return refusal(st, &r, id, StatusCode::SERVICE_UNAVAILABLE, "busy", say),
    }
    let name = doc
        .thread
        .name_of(&r.recipient.to_string())
        .unwrap_or_default()
        .to_string();
    let reply = Reply {
        record: r.clone(),
        thread: doc.thread.clone(),
        subject: doc.subject.clone(),
        name,
        text: form.text,
        all: form.all,
        attachments: form.files,
    };
    let outcome = service.mail.send_reply(reply).await;
    let to = match outcome {
        Ok(ReplyOutcome::Queued { to }) => to,
        other => return not_sent(st, &r, id, now, other, say).await,
    };
    event(st, id, PortalEventKind::Replied, actor).await;
    let body = para(&text(say, "sent", &[("to", &to.join(", "))])) + &back(id, say);
    page(
        st,
        &r,
        say,
        StatusCode::OK,
        &text(say, "sent-title", &[]),
        body,
    )
}

/// The reply was not queued: its daily reservation is given back and the refusal says whether
/// trying again can help (only after a temporary failure, the spool's I/O).
async fn not_sent(
    st: &Arc<Inner>,
    r: &EscrowRecord,
    id: EscrowId,
    now: sealgate_core::time::Timestamp,
    outcome: Result<ReplyOutcome, crate::PortalError>,
    say: Say<'_>,
) -> Response {
    let (store, rcpt) = (st.store.clone(), r.recipient.clone());
    if let Err(e) = blocking(move || store.release_reply(&rcpt, now)).await {
        tracing::warn!(escrow = %id, error = %e, "reply reservation not given back");
    }
    match outcome {
        Ok(_) => refusal(st, r, id, StatusCode::UNPROCESSABLE_ENTITY, "refused", say),
        Err(e) if e.is_temporary() => {
            tracing::warn!(escrow = %id, error = %e, "portal reply not committed");
            refusal(st, r, id, StatusCode::SERVICE_UNAVAILABLE, "busy", say)
        }
        Err(e) => {
            tracing::warn!(escrow = %id, error = %e, "portal reply refused");
            refusal(st, r, id, StatusCode::UNPROCESSABLE_ENTITY, "refused", say)
        }
    }
}

/// The reply page's script.
pub async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("reply.js"),
    )
        .into_response()
}

/// The reply page's style sheet.
pub async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("reply.css"),
    )
        .into_response()
}
