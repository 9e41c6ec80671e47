//! The portal's passkey routes (WebAuthn; checks in `passkey.rs`, storage in `passkey_store.rs`).
//!
//! * `POST /m/{id}/passkey/new` → creation options (session authenticated for the copy);
//!   `POST /m/{id}/passkey/add` registers the browser's answer (`passkey-registered`).
//! * `POST /m/{id}/passkey/challenge` → request options for the recipient's passkeys on this
//!   tenant (any live session); `POST /m/{id}/passkey/login` checks the assertion and
//!   authenticates the session for this copy only (`passkey-used`) — the code step skipped.
//! * `GET /m/{id}/passkeys` lists the recipient's passkeys on this tenant,
//!   `POST /m/{id}/passkeys/remove` removes one (`passkey-removed`); both need the session
//!   authenticated for the copy.
//! * `GET /static/passkey.js`.
//!
//! Guarantees: every POST passes the portal's guard (origin, session, CSRF); the relying party
//! is the copy's tenant's portal host, so a passkey made on one tenant's host is neither offered
//! nor accepted for another tenant's copy; challenges are bound to (ceremony, session, copy)
//! and usable once; the signature counter is checked and stored in the same transaction as the
//! event; a refusal is logged by its kind and the copy id only.
#![allow(clippy::result_large_err)]

use super::Inner;
use super::common::*;
use super::pages::{Page, Say};
use crate::error::PortalError;
use crate::id::EscrowId;
use crate::passkey::{
    self, Assertion, Challenges, EDDSA, ES256, PasskeyError, RelyingParty, verify_assertion,
};
use crate::passkey_pages::{self as pp, t};
use crate::passkey_store::StoredPasskey;
use crate::record::{Actor, EscrowRecord, PortalEventKind};
use crate::session::SessionView;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// The most passkeys one recipient may keep on one tenant.
const MAX_PER_OWNER: usize = 10;

/// What the passkey routes need: each tenant's relying party and the pending challenges.
pub(crate) struct PasskeyWeb {
    pub rps: HashMap<String, RelyingParty>,
    pub challenges: Challenges,
}

pub(super) fn routes() -> Router<Arc<Inner>> {
    Router::new()
        .route("/m/{id}/passkey/new", post(new_options))
        .route("/m/{id}/passkey/add", post(add))
        .route("/m/{id}/passkey/challenge", post(challenge))
        .route("/m/{id}/passkey/login", post(login))
        .route("/m/{id}/passkeys", get(list))
        .route("/m/{id}/passkeys/remove", post(remove))
        .route("/static/passkey.js", get(script))
}

fn refuse(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "error": text }))).into_response()
}

/// A copy's passkey context after the guard: session, copy, relying party, owner.
struct Ctx {
    s: SessionView,
    id: EscrowId,
    r: EscrowRecord,
    rp: RelyingParty,
    owner: String,
    lang: crate::Lang,
}

impl Ctx {
    /// The copy's tenant's texts in the request's language.
    fn say<'a>(&self, st: &'a Inner) -> Say<'a> {
        Say {
            texts: &st.brand(Some(&self.r.tenant)).texts,
            lang: self.lang,
        }
    }
}

async fn ctx(
    st: &Arc<Inner>,
    id: &str,
    headers: &HeaderMap,
    f: &HashMap<String, String>,
    authenticated: bool,
) -> Result<Ctx, Response> {
    let Posted { s, id, r, .. } = posted_readable(st, id, headers, f).await?;
    let say = say_of(st, headers, &r.tenant);
    if authenticated && !st.sessions.is_authenticated(&s.id, id) {
        return Err(refuse(StatusCode::UNAUTHORIZED, &t(say, "login-text")));
    }
    let Some(rp) = st.passkeys.rps.get(&r.tenant).cloned() else {
        return Err(refuse(StatusCode::NOT_FOUND, &t(say, "unavailable")));
    };
    let (store, recipient) = (st.store.clone(), r.recipient.clone());
    let owner = blocking(move || store.passkey_owner(&recipient))
        .await
        .map_err(|_| refuse(StatusCode::SERVICE_UNAVAILABLE, &t(say, "busy")))?;
    Ok(Ctx {
        s,
        id,
        r,
        rp,
        owner,
        lang: say.lang,
    })
}

async fn stored(st: &Arc<Inner>, c: &Ctx) -> Result<Vec<StoredPasskey>, Response> {
    let (store, tenant, owner) = (st.store.clone(), c.r.tenant.clone(), c.owner.clone());
    blocking(move || store.passkeys(&tenant, &owner))
        .await
        .map_err(|_| refuse(StatusCode::SERVICE_UNAVAILABLE, &t(c.say(st), "busy")))
}

fn b64(v: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(v)
}

fn field(f: &HashMap<String, String>, name: &str, say: Say<'_>) -> Result<Vec<u8>, Response> {
    f.get(name)
        .and_then(|v| URL_SAFE_NO_PAD.decode(v.trim_end_matches('=')).ok())
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, &t(say, "refused")))
}

fn challenge_key(ceremony: &str, s: &SessionView, id: EscrowId) -> String {
    format!("{ceremony}\0{}\0{id}", s.id)
}

fn descriptors(passkeys: &[StoredPasskey]) -> Vec<serde_json::Value> {
    passkeys
        .iter()
        .map(|p| json!({"type": "public-key", "id": b64(&p.id)}))
        .collect()
}

/// `POST /m/{id}/passkey/new`.
async fn new_options(
    State(st): St,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let c = match ctx(&st, &id, &headers, &f, true).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let existing = match stored(&st, &c).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let challenge = st
        .passkeys
        .challenges
        .issue(&challenge_key("create", &c.s, c.id));
    let org = st.brand(Some(&c.r.tenant)).name.clone();
    Json(json!({
        "challenge": b64(&challenge),
        "rp": {"id": c.rp.id, "name": org},
        "user": {"id": b64(c.owner.as_bytes()), "name": format!("{org} secure mail"), "displayName": format!("{org} secure mail")},
        "pubKeyCredParams": [{"type": "public-key", "alg": ES256}, {"type": "public-key", "alg": EDDSA}],
        "authenticatorSelection": {"residentKey": "preferred", "userVerification": "preferred"},
        "attestation": "none",
        "timeout": 300_000,
        "excludeCredentials": descriptors(&existing),
    }))
    .into_response()
}

fn refused(id: EscrowId, e: &dyn std::fmt::Display, say: Say<'_>) -> Response {
    tracing::info!(escrow = %id, reason = %e, "passkey refused");
    refuse(StatusCode::UNAUTHORIZED, &t(say, "refused"))
}

/// `POST /m/{id}/passkey/add`.
async fn add(
    State(st): St,
    Path(id): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let c = match ctx(&st, &id, &headers, &f, true).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let (client_data, attestation) = match (
        field(&f, "client_data", c.say(&st)),
        field(&f, "attestation", c.say(&st)),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(resp), _) | (_, Err(resp)) => return resp,
    };
    let Some(challenge) = st
        .passkeys
        .challenges
        .take(&challenge_key("create", &c.s, c.id))
    else {
        return refused(c.id, &PasskeyError::Challenge, c.say(&st));
    };
    let new = match passkey::verify_registration(&c.rp, &challenge, &client_data, &attestation) {
        Ok(n) => n,
        Err(e) => return refused(c.id, &e, c.say(&st)),
    };
    let row = StoredPasskey {
        id: new.id,
        key: new.key,
        count: new.count,
        rp_id: c.rp.id.clone(),
        created: st.clock.now(),
        last_used: None,
    };
    let (store, tenant, owner, id) = (st.store.clone(), c.r.tenant.clone(), c.owner.clone(), c.id);
    let actor = Actor::Client(st.client(ip));
    let done = blocking(move || {
        let kind = PortalEventKind::PasskeyRegistered;
        store.change_passkeys((&tenant, &owner), id, kind, actor, |rows| {
            if rows.len() >= MAX_PER_OWNER || rows.iter().any(|p| p.id == row.id) {
                return Err(PortalError::Conflict("passkey limit or duplicate".into()));
            }
            rows.push(row);
            Ok(())
        })
    })
    .await;
    match done {
        Ok(()) => Json(json!({"message": &t(c.say(&st), "created")})).into_response(),
        Err(e) => refused(c.id, &e, c.say(&st)),
    }
}

/// `POST /m/{id}/passkey/challenge`.
async fn challenge(
    State(st): St,
    Path(id): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let c = match ctx(&st, &id, &headers, &f, false).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let existing = match stored(&st, &c).await {
        Ok(v) if !v.is_empty() => v,
        Ok(_) => return refuse(StatusCode::NOT_FOUND, &t(c.say(&st), "unavailable")),
        Err(resp) => return resp,
    };
    if st.sessions.first_visit(&c.s.id, c.id) {
        event(
            &st,
            c.id,
            PortalEventKind::Opened,
            Actor::Client(st.client(ip)),
        )
        .await;
    }
    let challenge = st
        .passkeys
        .challenges
        .issue(&challenge_key("get", &c.s, c.id));
    Json(json!({
        "challenge": b64(&challenge),
        "rpId": c.rp.id,
        "allowCredentials": descriptors(&existing),
        "userVerification": "preferred",
        "timeout": 300_000,
    }))
    .into_response()
}

/// `POST /m/{id}/passkey/login`.
async fn login(
    State(st): St,
    Path(id): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let c = match ctx(&st, &id, &headers, &f, false).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let mut parts = Vec::with_capacity(4);
    for name in [
        "credential",
        "client_data",
        "authenticator_data",
        "signature",
    ] {
        match field(&f, name, c.say(&st)) {
            Ok(v) => parts.push(v),
            Err(resp) => return resp,
        }
    }
    let Some(challenge) = st
        .passkeys
        .challenges
        .take(&challenge_key("get", &c.s, c.id))
    else {
        return refused(c.id, &PasskeyError::Challenge, c.say(&st));
    };
    let (store, tenant, owner, id, rp) = (
        st.store.clone(),
        c.r.tenant.clone(),
        c.owner.clone(),
        c.id,
        c.rp.clone(),
    );
    let (actor, now) = (Actor::Client(st.client(ip)), st.clock.now());
    let done = blocking(move || {
        let kind = PortalEventKind::PasskeyUsed;
        store.change_passkeys((&tenant, &owner), id, kind, actor, |rows| {
            let a = Assertion {
                client_data: &parts[1],
                authenticator_data: &parts[2],
                signature: &parts[3],
            };
            let p = rows
                .iter_mut()
                .find(|p| p.id == parts[0])
                .ok_or(PasskeyError::Unknown)
                .map_err(|e| PortalError::Conflict(e.to_string()))?;
            p.count = verify_assertion(&rp, &challenge, &p.key, p.count, &a)
                .map_err(|e| PortalError::Conflict(e.to_string()))?;
            p.last_used = Some(now);
            Ok(())
        })
    })
    .await;
    if let Err(e) = done {
        return refused(c.id, &e, c.say(&st));
    }
    st.sessions.authenticate(&c.s.id, c.id);
    Json(json!({"next": format!("/m/{}", c.id)})).into_response()
}

/// The session of a GET, authenticated for copy `id`, with the copy; else the refusal page.
async fn reader(
    st: &Arc<Inner>,
    id: &str,
    headers: &HeaderMap,
) -> Result<(SessionView, EscrowId, EscrowRecord), Response> {
    let (id, r) = record(st, id, lang_of(st, headers, None, None)).await?;
    let s = cookie(headers).and_then(|c| st.sessions.touch(&c));
    match s {
        Some(s) if st.sessions.is_authenticated(&s.id, id) => Ok((s, id, r)),
        _ => Err(simple(
            st,
            StatusCode::UNAUTHORIZED,
            lang_of(st, headers, None, Some(&r.tenant)),
            "passkey_login_title",
            "passkey_login_text",
            Some(r.tenant.as_str()),
        )),
    }
}

fn list_page(
    st: &Inner,
    s: &SessionView,
    id: EscrowId,
    r: &EscrowRecord,
    rows: &[StoredPasskey],
    note: Option<&str>,
    say: Say<'_>,
) -> Response {
    let page = Page {
        title: "passkey_list_title",
        brand: st.brand(Some(&r.tenant)),
        lang: say.lang,
        switch: "/",
        data: None,
        body: pp::list_body(id, &s.csrf, rows, note, say),
    };
    html(StatusCode::OK, &page, Some(s))
}

/// `GET /m/{id}/passkeys`.
async fn list(State(st): St, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (s, id, r) = match reader(&st, &id, &headers).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let say = say_of(&st, &headers, &r.tenant);
    let (store, tenant, recipient) = (st.store.clone(), r.tenant.clone(), r.recipient.clone());
    let rows = blocking(move || store.passkeys_of(&tenant, &recipient)).await;
    match rows {
        Ok(rows) => list_page(&st, &s, id, &r, &rows, None, say),
        Err(_) => simple(
            &st,
            StatusCode::SERVICE_UNAVAILABLE,
            say.lang,
            "passkey_login_title",
            "passkey_busy",
            Some(r.tenant.as_str()),
        ),
    }
}

/// `POST /m/{id}/passkeys/remove`.
async fn remove(
    State(st): St,
    Path(id): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let c = match ctx(&st, &id, &headers, &f, true).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let credential = match field(&f, "credential", c.say(&st)) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let (store, tenant, owner, id) = (st.store.clone(), c.r.tenant.clone(), c.owner.clone(), c.id);
    let actor = Actor::Client(st.client(ip));
    let done = blocking(move || {
        let kind = PortalEventKind::PasskeyRemoved;
        store.change_passkeys((&tenant, &owner), id, kind, actor, |rows| {
            let before = rows.len();
            rows.retain(|p| p.id != credential);
            if rows.len() == before {
                return Err(PortalError::NotFound);
            }
            Ok(())
        })?;
        store.passkeys(&tenant, &owner)
    })
    .await;
    match done {
        Ok(rows) => {
            let say = c.say(&st);
            let note = t(say, "removed");
            list_page(&st, &c.s, c.id, &c.r, &rows, Some(&note), say)
        }
        Err(e) => refused(c.id, &e, c.say(&st)),
    }
}

/// The link page's passkey box, or nothing when the recipient has no passkey on this tenant.
pub(super) fn link_box(
    st: &Arc<Inner>,
    r: &EscrowRecord,
    s: &SessionView,
    headers: &HeaderMap,
) -> String {
    if !st.passkeys.rps.contains_key(&r.tenant) {
        return String::new();
    }
    if st.store.has_passkeys(&r.tenant, &r.recipient) {
        pp::open_box(&s.csrf, say_of(st, headers, &r.tenant))
    } else {
        String::new()
    }
}

/// The message page's offer (or, with passkeys already, the link to the list).
pub(super) fn message_box(
    st: &Arc<Inner>,
    id: EscrowId,
    r: &EscrowRecord,
    s: &SessionView,
    headers: &HeaderMap,
) -> String {
    if !st.passkeys.rps.contains_key(&r.tenant) {
        return String::new();
    }
    let has = st.store.has_passkeys(&r.tenant, &r.recipient);
    pp::offer_box(id, &s.csrf, has, say_of(st, headers, &r.tenant))
}

/// The passkey script.
async fn script() -> Response {
    let mut r = include_str!("passkey.js").into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    r
}
