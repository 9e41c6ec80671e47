//! Admin HTTP API: health, readiness, metrics and the authenticated queue API.
#![forbid(unsafe_code)]
