//! The secure portal's passkey routes (behind the bearer token), merged beside [`crate::portal`]
//! by `serve` when a portal runs:
//!
//! * `GET /api/v1/passkeys?tenant=NAME&address=ADDR` — registered passkeys (both filters
//!   optional): tenant, the owner pseudonym, credential id, relying party, created, last used —
//!   never a key or an address (an address given is turned into its pseudonym to filter);
//! * `POST /api/v1/passkeys/{credential id}/remove` — removes one (`passkey-removed` counted
//!   for its tenant); the recipient's next login on that tenant uses the emailed code.
//!
//! Store calls run on the blocking pool.

use crate::{authorised, error};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sealgate_core::Address;
use sealgate_portal::{EscrowStore, PortalError};
use serde::Deserialize;
use std::sync::Arc;

/// What the passkey routes need.
#[derive(Clone)]
pub struct PasskeyAdmin {
    /// The escrow store `serve` opened (the passkeys live in its database).
    pub store: Arc<EscrowStore>,
    /// Bearer token.
    pub token: Arc<str>,
}

/// The routes (a router without state left, to merge into the admin router).
pub fn routes(admin: PasskeyAdmin) -> Router {
    Router::new()
        .route("/api/v1/passkeys", get(list))
        .route("/api/v1/passkeys/{id}/remove", post(remove))
        .with_state(admin)
}

#[derive(Deserialize)]
struct ListQuery {
    tenant: Option<String>,
    address: Option<String>,
}

async fn on_store<T: Send + 'static>(
    a: &PasskeyAdmin,
    f: impl FnOnce(&EscrowStore) -> Result<T, PortalError> + Send + 'static,
) -> Result<T, Response> {
    let store = Arc::clone(&a.store);
    match tokio::task::spawn_blocking(move || f(&store)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(PortalError::NotFound)) => Err(error(StatusCode::NOT_FOUND, "no such passkey")),
        Ok(Err(e)) => Err(error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string())),
        Err(_) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "blocking task failed",
        )),
    }
}

async fn list(
    State(a): State<PasskeyAdmin>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    if !authorised(&headers, &a.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let address = match q.address.as_deref().map(Address::parse).transpose() {
        Ok(v) => v,
        Err(_) => return error(StatusCode::BAD_REQUEST, "address: not an email address"),
    };
    let found = on_store(&a, move |s| {
        let owner = address.map(|addr| s.passkey_owner(&addr)).transpose()?;
        s.list_passkeys(q.tenant.as_deref(), owner.as_deref())
    })
    .await;
    match found {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

async fn remove(
    State(a): State<PasskeyAdmin>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorised(&headers, &a.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    match on_store(&a, move |s| s.remove_passkey_admin(&id)).await {
        Ok(v) => {
            // Tenant, owner pseudonym and credential id only: no address.
            tracing::info!(tenant = %v.tenant, owner = %v.owner, credential = %v.id, "passkey removed by an administrator");
            Json(v).into_response()
        }
        Err(r) => r,
    }
}
