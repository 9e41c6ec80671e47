//! The admin HTTP API.
//!
//! Unauthenticated: `GET /healthz` (the process answers), `GET /readyz` (listening and the store
//! open), `GET /metrics` (Prometheus text). Behind `Authorization: Bearer <token>`:
//! `GET /api/v1/queue?after=ID&limit=N`, `GET /api/v1/queue/{id}`, and the queue actions
//! `POST /api/v1/queue/{id}/{retry|hold|release|delete}`, `POST /api/v1/queue/retry` (every
//! waiting message) and `POST /api/v1/queue/release?tenant=&reason=&domain=` (every held
//! recipient matching); the recipient-key routes under `/api/v1/keys` (see `keys.rs`); the
//! read-only `GET /api/v1/tls/{domain}` and the TLS-RPT "send now"
//! `POST /api/v1/tls/reports?day=YYYY-MM-DD` ([`tls`], with [`router_with_tls`]); the
//! attribution facts of a tenant, `GET /api/v1/connect/facts/{tenant}` ([`connect`]); the
//! secure portal's routes under `/api/v1/portal` ([`portal`], merged in when a portal runs) and its
//! passkeys under `/api/v1/passkeys` ([`passkeys`]). Actions
//! are status events in each recipient's history. The store holds
//! addresses in clear, so the queue API is for the administrator only; it never returns bodies.
//! redb admits one process, so while the gateway runs the CLI works through this API; for the
//! same reason `POST /api/v1/backup` ([`backup`], merged by the binary) snapshots the spool.
//! [`server`] serves it (plain HTTP or TLS, with a header-read timeout).
#![forbid(unsafe_code)]

pub mod backup;
pub mod connect;
mod keys;
pub mod passkeys;
pub mod portal;
pub mod server;
pub mod tls;
pub use keys::KeyAdmin;
pub use server::{ServeOptions, exposure_warning};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sealgate_core::MessageId;
use sealgate_core::store::{QueueEntry, QueueStore, StoreError};
use sealgate_deliver::{QueueAction, QueueControl};
use sealgate_report::Metrics;
use serde::Deserialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Shared state of the admin API.
#[derive(Clone)]
pub struct AdminState {
    /// The queue.
    pub store: Arc<dyn QueueStore>,
    /// Metrics to render.
    pub metrics: Metrics,
    /// Bearer token.
    pub token: Arc<str>,
    /// Set once the SMTP listener is up.
    pub ready: Arc<AtomicBool>,
    /// Queue actions (retry, hold, release, delete); `None` answers them 503.
    pub control: Option<QueueControl>,
    /// Recipient-key routes; `None` answers them 503.
    pub keys: Option<KeyAdmin>,
}

/// The router with every endpoint; the TLS routes answer 503 (no TLS policy).
pub fn router(state: AdminState) -> Router {
    build(state, None)
}

/// [`router`] with the TLS routes answered from the running deliver stage: `GET
/// /api/v1/tls/{domain}` from `tls.policy` (facts not yet flushed to the store are shown too),
/// `POST /api/v1/tls/reports` through its policy, report sink and schedule.
pub fn router_with_tls(state: AdminState, tls: tls::TlsAdmin) -> Router {
    build(state, Some(tls))
}

fn build(state: AdminState, tls: Option<tls::TlsAdmin>) -> Router {
    let reports = tls.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/v1/queue", get(queue_list))
        .route("/api/v1/queue/retry", post(queue_retry_all))
        .route("/api/v1/queue/release", post(queue_release_all))
        .route("/api/v1/queue/{id}", get(queue_show))
        .route("/api/v1/queue/{id}/{action}", post(queue_action))
        .route(
            tls::REPORTS_PATH,
            post(move |st, headers, query| tls::send_reports(st, headers, query, reports.clone())),
        )
        .route(
            tls::PATH,
            get(move |st, headers, path| tls::status(st, headers, path, tls.clone())),
        )
        .merge(keys::routes())
        .with_state(state)
}

async fn readyz(State(s): State<AdminState>) -> Response {
    if s.ready.load(Ordering::Acquire) {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting\n").into_response()
    }
}

async fn metrics(State(s): State<AdminState>) -> Response {
    let store = Arc::clone(&s.store);
    if let Ok(Ok(depth)) = tokio::task::spawn_blocking(move || store.depth()).await {
        s.metrics.spool_depth.reset();
        for (status, n) in depth.by_status {
            s.metrics
                .spool_depth
                .with_label_values(&[status.as_str()])
                .set(i64::try_from(n).unwrap_or(i64::MAX));
        }
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
        .into_response()
}

/// Constant-time comparison of the presented token.
pub(crate) fn authorised(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let (a, b) = (given.as_bytes(), token.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn error(status: StatusCode, text: &str) -> Response {
    (status, Json(serde_json::json!({ "error": text }))).into_response()
}

#[derive(Deserialize)]
struct ListQuery {
    after: Option<String>,
    limit: Option<usize>,
}

async fn queue_list(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    if !authorised(&headers, &s.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let after = match q.after.as_deref().map(str::parse::<MessageId>) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => return error(StatusCode::BAD_REQUEST, "after: not a message id"),
    };
    let limit = q.limit.unwrap_or(100).min(10_000);
    let store = Arc::clone(&s.store);
    match tokio::task::spawn_blocking(move || store.list(after, limit)).await {
        Ok(Ok(list)) => Json::<Vec<QueueEntry>>(list).into_response(),
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "store unavailable"),
    }
}

async fn queue_show(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorised(&headers, &s.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let Ok(id) = id.parse::<MessageId>() else {
        return error(StatusCode::BAD_REQUEST, "not a message id");
    };
    let store = Arc::clone(&s.store);
    match tokio::task::spawn_blocking(move || store.get(id)).await {
        Ok(Ok(Some(entry))) => Json(entry).into_response(),
        Ok(Ok(None)) => error(StatusCode::NOT_FOUND, "no such message"),
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "store unavailable"),
    }
}

async fn queue_action(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
) -> Response {
    if !authorised(&headers, &s.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let Ok(id) = id.parse::<MessageId>() else {
        return error(StatusCode::BAD_REQUEST, "not a message id");
    };
    let Some(action) = QueueAction::parse(&action) else {
        return error(
            StatusCode::NOT_FOUND,
            "unknown action (retry, hold, release, delete)",
        );
    };
    let Some(control) = s.control.clone() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "queue actions unavailable");
    };
    match tokio::task::spawn_blocking(move || control.apply(id, action)).await {
        Ok(Ok(report)) => {
            tracing::info!(%id, action = ?action, changed = report.changed.len(), "admin queue action");
            Json(report).into_response()
        }
        Ok(Err(StoreError::NotFound)) => error(StatusCode::NOT_FOUND, "no such message"),
        Ok(Err(StoreError::Conflict(_))) => {
            error(StatusCode::CONFLICT, "state changed meanwhile; try again")
        }
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "store unavailable"),
    }
}

async fn queue_retry_all(State(s): State<AdminState>, headers: HeaderMap) -> Response {
    if !authorised(&headers, &s.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let Some(control) = s.control.clone() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "queue actions unavailable");
    };
    match tokio::task::spawn_blocking(move || control.retry_all()).await {
        Ok(Ok(reports)) => {
            tracing::info!(
                messages = reports.len(),
                "admin retry of every waiting message"
            );
            Json(reports).into_response()
        }
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "store unavailable"),
    }
}

/// `POST /api/v1/queue/release?tenant=&reason=&domain=`: every held recipient matching.
async fn queue_release_all(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Query(filter): Query<sealgate_deliver::ReleaseFilter>,
) -> Response {
    if !authorised(&headers, &s.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let Some(control) = s.control.clone() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "queue actions unavailable");
    };
    match tokio::task::spawn_blocking(move || control.release_matching(&filter)).await {
        Ok(Ok(reports)) => {
            tracing::info!(messages = reports.len(), "admin release of held recipients");
            Json(reports).into_response()
        }
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "store unavailable"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_token_must_match_exactly() {
        let mut h = HeaderMap::new();
        assert!(!authorised(&h, "secret"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer secret"),
        );
        assert!(authorised(&h, "secret"));
        assert!(!authorised(&h, "secreT"));
        assert!(!authorised(&h, "secret2"));
    }
}
