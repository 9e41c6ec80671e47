//! Deliver stage: queue runner and delivery targets.
#![forbid(unsafe_code)]
