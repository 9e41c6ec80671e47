//! Report stage: every state change becomes a metric and a log line without leaking PHI.
//!
//! [`Metrics`] owns the Prometheus registry the admin API serves at `/metrics`. Labels carry
//! reason classes, never values. [`Pseudonymiser`] turns recipient and sender addresses into
//! keyed hashes for logs, so a log line can be correlated with the store (which holds the clear
//! address) by someone who has the key, and by no one else.
#![forbid(unsafe_code)]

mod gauges;
mod metrics;
mod portal;
mod pseudonym;
mod refusals;

pub use gauges::StateGauges;
pub use metrics::{Metrics, RejectReason};
pub use portal::PortalCounters;
pub use pseudonym::Pseudonymiser;
