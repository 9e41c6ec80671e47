//! The secure portal's admin routes (behind the bearer token), merged into the admin router by
//! `serve` when a portal is configured:
//!
//! * `GET /api/v1/portal` — every escrowed copy (records: ids, recipient, tenant, state,
//!   expiry; never content, link or key);
//! * `GET /api/v1/portal?message=ID` — the escrowed copies of one queued message, each with its
//!   event log (what `queue show` merges in);
//! * `GET /api/v1/portal/{id}` — one record and its event log;
//! * `POST /api/v1/portal/{id}/revoke` — withdraw (the stored half is destroyed);
//! * `POST /api/v1/portal/{id}/extend?days=N` — move the expiry to now + N days, within
//!   the copy's tenant's `max_expiry` (`[portal.tenants.NAME]`), else `[portal] max_expiry`.
//!
//! Store calls run on the blocking pool.

use crate::{authorised, error};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sealgate_core::{Clock, MessageId, Timestamp};
use sealgate_portal::{Actor, EscrowId, EscrowRecord, EscrowStore, PortalError, PortalEvent};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// What the portal routes need.
#[derive(Clone)]
pub struct PortalAdmin {
    /// The escrow store `serve` opened.
    pub store: Arc<EscrowStore>,
    /// Bearer token.
    pub token: Arc<str>,
    /// `[portal] max_expiry`: the furthest `extend` may move an expiry from now.
    pub max_expiry: Duration,
    /// Tenants with their own `max_expiry` (`[portal.tenants.NAME]`), which caps `extend` for
    /// their copies instead.
    pub tenant_max: Arc<HashMap<String, Duration>>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// One copy with its events.
#[derive(Debug, Serialize, Deserialize)]
pub struct Shown {
    /// The record.
    pub record: EscrowRecord,
    /// Its event log, oldest first.
    pub events: Vec<PortalEvent>,
}

/// The routes (a router without state left, to merge into the admin router).
pub fn routes(admin: PortalAdmin) -> Router {
    Router::new()
        .route("/api/v1/portal", get(list))
        .route("/api/v1/portal/{id}", get(show))
        .route("/api/v1/portal/{id}/{action}", post(act))
        .with_state(admin)
}

fn failed(e: &PortalError) -> Response {
    match e {
        PortalError::NotFound => error(StatusCode::NOT_FOUND, "no such escrowed copy"),
        PortalError::Revoked | PortalError::Expired | PortalError::Conflict(_) => {
            error(StatusCode::CONFLICT, &e.to_string())
        }
        _ => error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
    }
}

async fn blocking<T: Send + 'static>(
    a: &PortalAdmin,
    f: impl FnOnce(&EscrowStore) -> Result<T, PortalError> + Send + 'static,
) -> Result<T, Response> {
    let store = Arc::clone(&a.store);
    match tokio::task::spawn_blocking(move || f(&store)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(failed(&e)),
        Err(_) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "blocking task failed",
        )),
    }
}

#[derive(Deserialize)]
struct ListQuery {
    message: Option<String>,
}

fn shown(store: &EscrowStore, record: EscrowRecord) -> Result<Shown, PortalError> {
    let id: EscrowId = record
        .id
        .parse()
        .map_err(|_| PortalError::Corrupt("escrow id".into()))?;
    Ok(Shown {
        events: store.events(id)?,
        record,
    })
}

async fn list(
    State(a): State<PortalAdmin>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    if !authorised(&headers, &a.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let Some(message) = q.message else {
        return match blocking(&a, |s| s.list()).await {
            Ok(records) => Json(records).into_response(),
            Err(r) => r,
        };
    };
    let Ok(message) = message.parse::<MessageId>() else {
        return error(StatusCode::BAD_REQUEST, "not a message id");
    };
    let found = blocking(&a, move |s| {
        let mut out = Vec::new();
        for r in s.list()?.into_iter().filter(|r| r.message_id == message) {
            out.push(shown(s, r)?);
        }
        Ok(out)
    })
    .await;
    match found {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

async fn show(
    State(a): State<PortalAdmin>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorised(&headers, &a.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let Ok(id) = id.parse::<EscrowId>() else {
        return error(StatusCode::BAD_REQUEST, "not an escrow id");
    };
    match blocking(&a, move |s| shown(s, s.record(id)?)).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

/// Moves `id`'s expiry to now plus `days`, within its tenant's `max_expiry` (else `[portal]`'s).
async fn extend(a: &PortalAdmin, id: EscrowId, days: u64) -> Result<EscrowRecord, Response> {
    let record = blocking(a, move |s| s.record(id)).await?;
    let (most, key) = match a.tenant_max.get(&record.tenant) {
        Some(max) => (*max, "max_expiry of this tenant's [portal.tenants] entry"),
        None => (a.max_expiry, "portal.max_expiry"),
    };
    let wanted = Duration::from_secs(days.saturating_mul(86_400));
    if wanted.is_zero() || wanted > most {
        let days = most.as_secs() / 86_400;
        return Err(error(
            StatusCode::BAD_REQUEST,
            &format!("days must be 1..={days} ({key})"),
        ));
    }
    let until = Timestamp(
        a.clock
            .now()
            .millis()
            .saturating_add(wanted.as_millis() as u64),
    );
    blocking(a, move |s| s.extend(id, until, Actor::Admin)).await
}

#[derive(Deserialize)]
struct ActQuery {
    days: Option<u64>,
}

async fn act(
    State(a): State<PortalAdmin>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    Query(q): Query<ActQuery>,
) -> Response {
    if !authorised(&headers, &a.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let Ok(id) = id.parse::<EscrowId>() else {
        return error(StatusCode::BAD_REQUEST, "not an escrow id");
    };
    let done = match action.as_str() {
        "revoke" => blocking(&a, move |s| s.revoke(id, Actor::Admin)).await,
        "extend" => extend(&a, id, q.days.unwrap_or(0)).await,
        _ => return error(StatusCode::NOT_FOUND, "unknown action (revoke, extend)"),
    };
    match done {
        Ok(record) => Json(record).into_response(),
        Err(r) => r,
    }
}
