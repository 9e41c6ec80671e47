//! `GET /api/v1/tls/{domain}`: what the running gateway knows about a recipient domain's
//! transport security (admin floor, pin, cached MTA-STS policy, last session's TLS facts), so
//! `sealgate tls status` works while the gateway holds the store.
//!
//! Guarantees: bearer token as for the queue API; read-only; no DNS or network — only the
//! policy's configuration, stores and in-memory facts (store reads on the blocking pool); the
//! answer names hosts, levels and protocols, never recipients or content. Served only by
//! [`crate::router_with_tls`]; [`crate::router`] answers it 503 (no TLS policy: outbox mode).

use crate::{AdminState, authorised, error};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sealgate_core::Domain;
use std::sync::Arc;

pub use sealgate_tlspolicy::status::{AdminStatus, PinStatus, StsStatus, utc};
pub use sealgate_tlspolicy::{TlsPolicy, TlsStatus};

/// The route's path.
pub const PATH: &str = "/api/v1/tls/{domain}";

pub(crate) async fn status(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Path(domain): Path<String>,
    policy: Option<Arc<TlsPolicy>>,
) -> Response {
    if !authorised(&headers, &s.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let Some(policy) = policy else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "TLS status not served here (outbox delivery mode has no TLS policy)",
        );
    };
    let Ok(domain) = Domain::parse(&domain) else {
        return error(StatusCode::BAD_REQUEST, "not a domain");
    };
    match policy.status(&domain).await {
        Ok(st) => Json::<TlsStatus>(st).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "TLS status unavailable");
            error(StatusCode::INTERNAL_SERVER_ERROR, "store unavailable")
        }
    }
}
