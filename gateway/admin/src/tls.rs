//! The TLS routes. `GET /api/v1/tls/{domain}`: what the running gateway knows about a
//! recipient domain's transport security (admin floor, pin, cached MTA-STS policy, last
//! session's TLS facts), so `sealgate tls status` works while the gateway holds the store.
//! `POST /api/v1/tls/reports?day=YYYY-MM-DD`: an admin's "send now" of the TLS-RPT reports of
//! one UTC day (default today: the counts so far) through the running policy and report sink
//! ([`sealgate_tlspolicy::tlsrpt::schedule::send_day`]), answered with the [`SentSummary`].
//!
//! Guarantees: bearer token as for the queue API. The status route is read-only; no DNS or
//! network — only the policy's configuration, stores and in-memory facts (store reads on the
//! blocking pool); the answer names hosts, levels and protocols, never recipients or content.
//! The reports route takes no future day and no malformed one (400, nothing sent); it looks up
//! `_smtp._tls` records and sends (mail through the sink, `https:` POSTs), and what it could
//! not deliver stays pending for the daily run. Both are served only by
//! [`crate::router_with_tls`]; [`crate::router`] answers them 503 (no TLS policy: outbox mode).

use crate::{AdminState, authorised, error};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sealgate_core::Domain;
use serde::Deserialize;
use std::sync::Arc;

pub use sealgate_tlspolicy::status::{AdminStatus, PinStatus, StsStatus, utc};
pub use sealgate_tlspolicy::tlsrpt::schedule::{Outcome, ReportSink, Schedule, SentSummary};
pub use sealgate_tlspolicy::{TlsPolicy, TlsStatus};

/// The status route's path.
pub const PATH: &str = "/api/v1/tls/{domain}";

/// The "send now" route's path.
pub const REPORTS_PATH: &str = "/api/v1/tls/reports";

const DAY_SECS: u64 = 86_400;

/// What the TLS routes need from the running deliver stage.
#[derive(Clone)]
pub struct TlsAdmin {
    /// The deliver stage's policy (facts and TLS-RPT counts not yet flushed included).
    pub policy: Arc<TlsPolicy>,
    /// Where report mail goes (the engine's report sink, as for the daily run).
    pub sink: Arc<dyn ReportSink>,
    /// Submitter and From of the reports (the daily run's schedule).
    pub schedule: Schedule,
}

impl std::fmt::Debug for TlsAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsAdmin")
            .field("schedule", &self.schedule)
            .finish_non_exhaustive()
    }
}

/// A UTC day `YYYY-MM-DD` as days since 1970-01-01 (the TLS-RPT day number); `Err` names
/// what is wrong. Days before 1970 and impossible dates (`2026-02-30`) are refused.
pub fn parse_day(text: &str) -> Result<u64, String> {
    let bad = || format!("day {text:?}: not a date of the form YYYY-MM-DD");
    let b = text.as_bytes();
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<u32>().map_err(|_| bad());
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if y < 1970 || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    // Howard Hinnant's `days_from_civil`, the inverse of `tlsrpt::civil`.
    let (y, m, d) = (i64::from(y) - i64::from(m <= 2), i64::from(m), i64::from(d));
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = u64::try_from(era * 146_097 + doe - 719_468).map_err(|_| bad())?;
    // Day 31 of a 30-day month (or 29 February of a common year) lands in the next month.
    if day_string(days) != text {
        return Err(format!("day {text:?}: no such date"));
    }
    Ok(days)
}

/// `YYYY-MM-DD` of a TLS-RPT day number.
pub fn day_string(day: u64) -> String {
    let (y, m, d) = sealgate_tlspolicy::tlsrpt::civil(day);
    format!("{y:04}-{m:02}-{d:02}")
}

#[derive(Deserialize)]
pub(crate) struct ReportQuery {
    day: Option<String>,
}

pub(crate) async fn send_reports(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Query(q): Query<ReportQuery>,
    tls: Option<TlsAdmin>,
) -> Response {
    if !authorised(&headers, &s.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let Some(tls) = tls else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "TLS reports not sent here (outbox delivery mode has no TLS policy)",
        );
    };
    let today = tls.policy.clock().now().secs() / DAY_SECS;
    let day = match q.day.as_deref().map(parse_day) {
        None => today,
        Some(Ok(d)) if d > today => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "day {}: in the future (today is {} UTC)",
                    day_string(d),
                    day_string(today)
                ),
            );
        }
        Some(Ok(d)) => d,
        Some(Err(e)) => return error(StatusCode::BAD_REQUEST, &e),
    };
    match sealgate_tlspolicy::tlsrpt::schedule::send_day(&tls.policy, &tls.sink, &tls.schedule, day)
        .await
    {
        Ok(summary) => {
            let failed = summary.failed();
            tracing::info!(
                day,
                made = summary.made,
                delivered = summary.outcomes.len() - failed,
                failed,
                without_rua = summary.without_rua.len(),
                "admin TLS-RPT send now"
            );
            Json::<SentSummary>(summary).into_response()
        }
        Err(e) => {
            tracing::warn!(day, error = %e, "admin TLS-RPT send now failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "TLS-RPT state unavailable; nothing sent",
            )
        }
    }
}

pub(crate) async fn status(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Path(domain): Path<String>,
    tls: Option<TlsAdmin>,
) -> Response {
    if !authorised(&headers, &s.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let Some(policy) = tls.map(|t| t.policy) else {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_and_print() {
        assert_eq!(parse_day("1970-01-01"), Ok(0));
        assert_eq!(parse_day("2023-01-01"), Ok(19_358));
        assert_eq!(parse_day("2000-02-29"), Ok(11_016));
        assert_eq!(day_string(19_358), "2023-01-01");
        for d in [0, 59, 60, 11_016, 19_358, 20_788, 47_482] {
            assert_eq!(parse_day(&day_string(d)), Ok(d));
        }
        for bad in [
            "",
            "2026-1-01",
            "2026-02-30",
            "2025-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "1969-12-31",
            "2026-01-01&x=1",
            "+026-01-01",
            "２０２６-01-01",
        ] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }
}
