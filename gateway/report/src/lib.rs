//! Report stage: metrics, log pseudonymisation and event fan-out.
#![forbid(unsafe_code)]
