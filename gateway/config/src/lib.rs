//! Sealgate's typed configuration: one TOML file, every error reported at once with its key.
#![forbid(unsafe_code)]
