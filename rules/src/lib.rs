//! Sealgate's rules engine and DLP detectors (classify stage). Pure: message in, `Decision` out.
#![forbid(unsafe_code)]
