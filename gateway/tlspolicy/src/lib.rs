//! Outbound transport security policy (issue 5; DESIGN.md "Protection model").
//!
//! For every recipient domain this crate answers "how much TLS must this delivery have, why,
//! and what if it can't": the **floor** is the strictest of the rule decision, the admin's
//! `[tls.domains]` table, DANE (RFC 7672), MTA-STS `enforce` (RFC 8461) and a "once TLS, always
//! TLS" pin ([`floor`]); the **verifier** a connection to an MX must pass is built for that
//! floor ([`verify`], [`dane`]); an unmet floor is a typed [`Unmet`] (defer, next method, drop
//! with notice). Results feed pins ([`pins`]), the last TLS facts per domain and daily TLS-RPT
//! reports (RFC 8460, [`tlsrpt`]; sent by [`tlsrpt::schedule`]), remembered across restarts in
//! batches ([`state`]) and shown by `sealgate tls status` ([`status`]).
//!
//! The deliver stage calls [`TlsPolicy::plan`] once per (domain, requirement) group and
//! [`TlsPolicy::record_result`] once per session, and spawns the TLS-RPT run once; see
//! [`policy`] for the exact protocol.
//!
//! Guarantees: a floor only ever raises what the rule asked; DANE and MTA-STS answers that
//! can't be trusted (DNSSEC bogus, lookup failure) never lead to plaintext; no message content
//! is read, logged or stored here.
#![forbid(unsafe_code)]

pub mod dane;
pub mod dns;
pub mod error;
pub mod floor;
pub mod mtasts;
pub mod pins;
pub mod policy;
pub mod state;
pub mod status;
pub mod tlsrpt;
pub mod verify;

pub use error::TlsPolicyError;
pub use floor::{Achieved, Floor, FloorPart, FloorSource, RuleFloor, Unmet, Verdict};
pub use policy::{DomainPlan, MxPlan, SessionResult, TlsPolicy};
pub use sealgate_core::{OnFailure, TlsLevel};
pub use status::TlsStatus;
