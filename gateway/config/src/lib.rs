//! Sealgate's typed configuration.
//!
//! One TOML file, read into [`Config`]. Unknown keys, wrong types and bad values are all
//! reported at once, each with its dotted key (`smtp.max_recipients: must be …`), so an
//! administrator fixes a file in one pass. Every default lives in [`defaults`]; the embedded
//! configuration that `sealgate serve` uses without a file is [`EMBEDDED_DEFAULT`], read through
//! the same code as any other file. Tests build configs from strings; nothing here reads the
//! environment.
#![forbid(unsafe_code)]

mod admin;
pub mod defaults;
mod delivery;
mod platform;
mod portal;
mod portal_notices;
mod portal_reply;
mod portal_texts;
mod reader;
mod sections;
mod smtp_limits;
mod tenants;
mod tls;
pub mod units;
mod verify;

pub use admin::{AdminConfig, AdminTls};
pub use delivery::*;
pub use platform::{ClientCert, Platform, ReturnRoute, warnings};
pub use portal::*;
pub use portal_notices::*;
pub use portal_reply::{DEFAULT_REPLY_DAILY_LIMIT, DEFAULT_REPLY_MAX_SIZE, ReplyLimits};
pub use portal_texts::{MailLanguage, TextOverride};
pub use reader::Issue;
pub use sections::*;
pub use smtp_limits::SmtpLimits;
pub use tenants::valid_dkim_selector;
pub use tenants::{DkimKeyConfig, TenantConfig};
pub use tls::*;
pub use verify::{VerifyConfig, VerifyCredentials};

use std::fmt;

/// The configuration `sealgate serve` runs with when given no file: SMTP on 127.0.0.1:2525,
/// loopback as the only tenant (any sender domain), a generated self-signed certificate, master
/// key and admin token under `./sealgate-data`, delivery into an outbox folder.
pub const EMBEDDED_DEFAULT: &str = r#"
[storage]
dir = "sealgate-data"
master_key_file = "sealgate-data/master.key"

[smtp]
listen = ["127.0.0.1:2525"]
hostname = "localhost"

[tenants.loopback]
networks = ["127.0.0.0/8", "::1/128"]
any_sender_domain = true

[admin]
listen = "127.0.0.1:9925"
token_file = "sealgate-data/admin.token"

[delivery]
mode = "outbox"
"#;

/// Every problem found in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The problems, each with its key.
    pub issues: Vec<Issue>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} problem(s) in the configuration:", self.issues.len())?;
        for i in &self.issues {
            writeln!(f, "  {}: {}", i.key, i.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Parses a configuration from TOML text.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError {
            issues: vec![Issue {
                key: "(file)".into(),
                message: format!("not valid TOML: {}", e.message()),
            }],
        })?;
        sections::read(table)
    }

    /// The embedded default configuration.
    pub fn embedded() -> Config {
        match Config::from_toml(EMBEDDED_DEFAULT) {
            Ok(c) => c,
            // The embedded text is a constant checked by the `embedded_default_is_valid` test.
            Err(e) => unreachable!("embedded default config is invalid: {e}"),
        }
    }
}

#[cfg(test)]
mod tests;
