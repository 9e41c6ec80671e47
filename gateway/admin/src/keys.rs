//! Recipient-key routes, so `sealgate keys` works while the gateway holds the store:
//! `GET /api/v1/keys`, `POST /api/v1/keys?trust=LEVEL` (body: the key file),
//! `POST /api/v1/keys/{fingerprint}/remove`, `POST /api/v1/keys/{fingerprint}/trust/{level}`.
//!
//! Guarantees: bearer token as for the queue API; only public material is accepted (the
//! transform crate refuses secret keys); every change is an audit record (`keys.import`,
//! `keys.remove`, `keys.trust`, actor `admin-api`) naming the fingerprint, never material;
//! store calls run on the blocking pool. An import releases the held recipients of the
//! addresses the key is filed under (not those an administrator held), so their protection
//! chain runs again at once.

use crate::{AdminState, authorised, error};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing};
use sealgate_core::Clock;
use sealgate_core::store::{AuditLog, AuditRecord, KeyStore, StoreError};
use sealgate_transform::{ImportError, TrustLevel, keys};
use serde::Deserialize;
use std::sync::Arc;

/// What the key routes need; `None` in [`AdminState::keys`] answers them 503.
#[derive(Clone)]
pub struct KeyAdmin {
    /// The key store.
    pub keys: Arc<dyn KeyStore>,
    /// Where key changes are recorded.
    pub audit: Arc<dyn AuditLog>,
    /// For `added_at` and audit times.
    pub clock: Arc<dyn Clock>,
}

pub(crate) fn routes() -> Router<AdminState> {
    Router::new()
        .route("/api/v1/keys", routing::get(list).post(import))
        .route("/api/v1/keys/{fingerprint}/remove", routing::post(remove))
        .route(
            "/api/v1/keys/{fingerprint}/trust/{level}",
            routing::post(trust),
        )
}

fn gate(s: &AdminState, headers: &HeaderMap) -> Result<KeyAdmin, (StatusCode, &'static str)> {
    if !authorised(headers, &s.token) {
        return Err((StatusCode::UNAUTHORIZED, "missing or wrong bearer token"));
    }
    s.keys
        .clone()
        .ok_or((StatusCode::SERVICE_UNAVAILABLE, "key store unavailable"))
}

fn record(k: &KeyAdmin, action: &str, detail: String) -> Result<(), StoreError> {
    k.audit
        .append(&AuditRecord {
            at: k.clock.now(),
            actor: "admin-api".into(),
            action: action.into(),
            message: None,
            detail,
        })
        .map(|_| ())
}

async fn list(State(s): State<AdminState>, headers: HeaderMap) -> Response {
    let k = match gate(&s, &headers) {
        Ok(k) => k,
        Err((code, text)) => return error(code, text),
    };
    match tokio::task::spawn_blocking(move || keys::list(&*k.keys)).await {
        Ok(Ok(l)) => Json(l).into_response(),
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "store unavailable"),
    }
}

#[derive(Deserialize)]
struct ImportQuery {
    trust: Option<String>,
}

async fn import(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Response {
    let k = match gate(&s, &headers) {
        Ok(k) => k,
        Err((code, text)) => return error(code, text),
    };
    let Ok(trust) = q.trust.as_deref().unwrap_or("manual").parse::<TrustLevel>() else {
        return error(
            StatusCode::BAD_REQUEST,
            "trust: manual, verified or discovered",
        );
    };
    let done = tokio::task::spawn_blocking(move || {
        let imported = keys::import(&*k.keys, &body, trust, k.clock.now())?;
        record(
            &k,
            "keys.import",
            format!("{} trust {trust}", imported.fingerprint),
        )?;
        Ok::<_, ImportError>(imported)
    })
    .await;
    match done {
        Ok(Ok(imported)) => {
            rerun_held(&s, &imported.addresses).await;
            Json(imported).into_response()
        }
        Ok(Err(ImportError::Store(_))) | Err(_) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, "store unavailable")
        }
        Ok(Err(e)) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

/// A key now on file for `addresses`: their held recipients' chains run again at once (a hold
/// an administrator placed stays).
async fn rerun_held(s: &AdminState, addresses: &[String]) {
    let Some(control) = s.control.clone() else {
        return;
    };
    let filter = sealgate_deliver::ReleaseFilter {
        addresses: Some(addresses.to_vec()),
        skip_admin_holds: true,
        ..Default::default()
    };
    match tokio::task::spawn_blocking(move || control.release_matching(&filter)).await {
        Ok(Ok(reports)) if !reports.is_empty() => tracing::info!(
            messages = reports.len(),
            "key imported: held recipients of its addresses released, their chain runs again"
        ),
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "key imported; releasing its held recipients failed")
        }
        Err(_) => tracing::warn!("key imported; releasing its held recipients failed"),
    }
}

fn changed(done: Result<Result<usize, StoreError>, tokio::task::JoinError>) -> Response {
    match done {
        Ok(Ok(n)) => Json(serde_json::json!({ "changed": n })).into_response(),
        Ok(Err(StoreError::NotFound)) => {
            error(StatusCode::NOT_FOUND, "no key with that fingerprint")
        }
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "store unavailable"),
    }
}

async fn remove(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Path(fingerprint): Path<String>,
) -> Response {
    let k = match gate(&s, &headers) {
        Ok(k) => k,
        Err((code, text)) => return error(code, text),
    };
    changed(
        tokio::task::spawn_blocking(move || {
            let n = keys::remove(&*k.keys, &fingerprint)?;
            record(&k, "keys.remove", fingerprint)?;
            Ok(n)
        })
        .await,
    )
}

async fn trust(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Path((fingerprint, level)): Path<(String, String)>,
) -> Response {
    let k = match gate(&s, &headers) {
        Ok(k) => k,
        Err((code, text)) => return error(code, text),
    };
    let Ok(level) = level.parse::<TrustLevel>() else {
        return error(
            StatusCode::BAD_REQUEST,
            "level: manual, verified or discovered",
        );
    };
    changed(
        tokio::task::spawn_blocking(move || {
            let n = keys::set_trust(&*k.keys, &fingerprint, level)?;
            record(&k, "keys.trust", format!("{fingerprint} {level}"))?;
            Ok(n)
        })
        .await,
    )
}
