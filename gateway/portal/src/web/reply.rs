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
use super::pages::{Page, alert, esc, para};
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

/// Spanish pages when the portal's language choice (switch link, cookie, `Accept-Language`)
/// says so.
pub(super) fn is_es(st: &Inner, headers: &HeaderMap) -> bool {
    lang_of(st, headers, None, None) == crate::Lang::Es
}

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
    es: bool,
    status: StatusCode,
    title: &str,
    body: String,
) -> Response {
    let page = Page {
        title,
        brand: st.brand(Some(&r.tenant)),
        lang: if es { crate::Lang::Es } else { crate::Lang::En },
        switch: "/",
        data: None,
        body: format!("{body}<link rel=\"stylesheet\" href=\"/static/reply.css\">"),
    };
    html(status, &page, None)
}

fn back(id: EscrowId, es: bool) -> String {
    format!(
        "<p><a href=\"/m/{id}\">{}</a></p>",
        esc(&text("back", es, &[]))
    )
}

/// The "Reply to the sender" link of the message page, when the tenant takes replies.
pub fn link_html(st: &Inner, id: EscrowId, tenant: &str, es: bool) -> String {
    match limits(st, tenant) {
        Some(_) => format!(
            "<p><a class=\"reply-link\" href=\"/m/{id}/reply\">{}</a></p>",
            esc(&text("reply-link", es, &[]))
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
    let es = is_es(st, headers);
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
        let t = text("title", es, &[]);
        let body = para(&text("off", es, &[])) + &back(id, es);
        return Err(page(st, &r, es, StatusCode::NOT_FOUND, &t, body));
    };
    Ok((id, r, s.csrf, l))
}

fn form_body(
    st: &Inner,
    id: EscrowId,
    r: &EscrowRecord,
    csrf: &str,
    left: u32,
    es: bool,
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
        intro = esc(&text("intro", es, &[("org", org)])),
        csrf = esc(csrf),
        label = esc(&text("text", es, &[])),
        files = esc(&text("files", es, &[("size", &size)])),
        all = esc(&text("all", es, &[("org", org)])),
        left = esc(&text("left", es, &[("n", &left.to_string())])),
        send = esc(&text("send", es, &[])),
        back = back(id, es),
    )
}

/// `GET /m/{id}/reply`: the form (reads only).
pub async fn form(State(st): St, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (id, r, csrf, l) = match authorised(&st, &id, &headers).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let es = is_es(&st, &headers);
    let (store, rcpt, now) = (st.store.clone(), r.recipient.clone(), st.clock.now());
    let used = blocking(move || store.replies_on(&rcpt, now))
        .await
        .unwrap_or(0);
    let left = l.daily_limit.saturating_sub(used);
    if left == 0 {
        let body = alert(&text("cap", es, &[("n", &l.daily_limit.to_string())])) + &back(id, es);
        return page(
            &st,
            &r,
            es,
            StatusCode::OK,
            &text("cap-title", es, &[]),
            body,
        );
    }
    let body = form_body(&st, id, &r, &csrf, left, es);
    page(&st, &r, es, StatusCode::OK, &text("title", es, &[]), body)
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
    let es = is_es(&st, &headers);
    // Origin and session before a byte of the body is read; the CSRF token is inside it.
    if !same_origin(&st, &headers) {
        return simple(
            &st,
            StatusCode::FORBIDDEN,
            if es { crate::Lang::Es } else { crate::Lang::En },
            "refused_title",
            "refused_origin",
            None,
        );
    }
    let (id, r, _, l) = match authorised(&st, &id, &headers).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let too_big = || {
        let body = alert(&text("too-big", es, &[("size", &mib(l.max_size))])) + &back(id, es);
        page(
            &st,
            &r,
            es,
            StatusCode::PAYLOAD_TOO_LARGE,
            &text("too-big-title", es, &[]),
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
        let body = alert(&text("bad-form", es, &[])) + &back(id, es);
        return page(
            &st,
            &r,
            es,
            StatusCode::BAD_REQUEST,
            &text("refused-title", es, &[]),
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
        let body = alert(&text("empty", es, &[])) + &back(id, es);
        return page(
            &st,
            &r,
            es,
            StatusCode::UNPROCESSABLE_ENTITY,
            &text("title", es, &[]),
            body,
        );
    }
    let actor = Actor::Client(st.client(connect));
    deliver(&st, id, r, l, form, es, actor).await
}

fn refusal(
    st: &Inner,
    r: &EscrowRecord,
    id: EscrowId,
    status: StatusCode,
    key: &str,
    es: bool,
) -> Response {
    let body = alert(&text(key, es, &[])) + &back(id, es);
    page(st, r, es, status, &text("refused-title", es, &[]), body)
}

/// Opens the copy for the threading facts, takes a daily reply, hands the reply over.
async fn deliver(
    st: &Arc<Inner>,
    id: EscrowId,
    r: EscrowRecord,
    l: ReplyLimits,
    form: ReplyForm,
    es: bool,
    actor: Actor,
) -> Response {
    let Some(service) = st.reply.clone() else {
        return refusal(st, &r, id, StatusCode::NOT_FOUND, "off", es);
    };
    let half = Half::from_fragment(&form.key);
    let store = st.store.clone();
    let Ok(doc) = blocking(move || store.read(id, half.as_ref())).await else {
        return refusal(st, &r, id, StatusCode::BAD_REQUEST, "no-key", es);
    };
    let (store, rcpt, now) = (st.store.clone(), r.recipient.clone(), st.clock.now());
    match blocking(move || store.reserve_reply(&rcpt, now, l.daily_limit)).await {
        Ok(true) => {}
        Ok(false) => {
            let body =
                alert(&text("cap", es, &[("n", &l.daily_limit.to_string())])) + &back(id, es);
            return page(
                st,
                &r,
                es,
                StatusCode::TOO_MANY_REQUESTS,
                &text("cap-title", es, &[]),
                body,
            );
        }
        Err(_) => return refusal(st, &r, id, StatusCode::SERVICE_UNAVAILABLE, "busy", es),
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
        other => {
            let (store, rcpt) = (st.store.clone(), r.recipient.clone());
            if let Err(e) = blocking(move || store.release_reply(&rcpt, now)).await {
                tracing::warn!(escrow = %id, error = %e, "reply reservation not given back");
            }
            return match other {
                Ok(_) => refusal(st, &r, id, StatusCode::UNPROCESSABLE_ENTITY, "refused", es),
                // Trying again helps only after a temporary failure (the spool's I/O).
                Err(e) if e.is_temporary() => {
                    tracing::warn!(escrow = %id, error = %e, "portal reply not committed");
                    refusal(st, &r, id, StatusCode::SERVICE_UNAVAILABLE, "busy", es)
                }
                Err(e) => {
                    tracing::warn!(escrow = %id, error = %e, "portal reply refused");
                    refusal(st, &r, id, StatusCode::UNPROCESSABLE_ENTITY, "refused", es)
                }
            };
        }
    };
    event(st, id, PortalEventKind::Replied, actor).await;
    let body = para(&text("sent", es, &[("to", &to.join(", "))])) + &back(id, es);
    page(
        st,
        &r,
        es,
        StatusCode::OK,
        &text("sent-title", es, &[]),
        body,
    )
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
