//! `GET /api/v1/connect/facts/{tenant}`: the attribution facts of a tenant's recent messages
//! (time, client address, TLS, certificate names, failed check — no addresses, no content),
//! for `sealgate connect check` while the gateway runs. Bearer token as for the queue API;
//! 404 for a tenant that is not configured. A separate router ([`routes`]) so the gateway
//! merges it without changing [`crate::AdminState`].

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;

/// The route's path.
pub const PATH: &str = "/api/v1/connect/facts/{tenant}";

/// The facts of a tenant as JSON, or `None` when no such tenant is configured.
pub type FactSource = Arc<dyn Fn(&str) -> Option<serde_json::Value> + Send + Sync>;

/// The router of the connect route.
pub fn routes(token: Arc<str>, facts: FactSource) -> Router {
    Router::new().route(
        PATH,
        get(move |headers: HeaderMap, Path(tenant): Path<String>| {
            let (token, facts) = (Arc::clone(&token), Arc::clone(&facts));
            async move { answer(&headers, &token, &facts, &tenant) }
        }),
    )
}

fn answer(headers: &HeaderMap, token: &str, facts: &FactSource, tenant: &str) -> Response {
    if !crate::authorised(headers, token) {
        return crate::error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    match facts(tenant) {
        Some(v) => axum::Json(v).into_response(),
        None => crate::error(StatusCode::NOT_FOUND, "no such tenant"),
    }
}
