//! Every default value of the configuration, in one place, next to its key name.

use std::time::Duration;

/// `smtp.max_message_size`: 50 MiB, the largest Microsoft 365 sends through a connector.
pub const MAX_MESSAGE_SIZE: u64 = 50 << 20;
/// `smtp.max_recipients`: Postfix's `smtpd_recipient_limit` is 1000; Exchange sends ≤ 500.
pub const MAX_RECIPIENTS: usize = 500;
/// `smtp.max_connections`: total concurrent inbound sessions.
pub const MAX_CONNECTIONS: usize = 1000;
/// `smtp.max_connections_per_ip`: concurrent sessions from one client address.
pub const MAX_CONNECTIONS_PER_IP: usize = 100;
/// `smtp.command_timeout`: a whole command line must arrive within this (RFC 5321 §4.5.3.2.7
/// asks servers to wait at least 5 minutes).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);
/// `smtp.data_timeout`: the whole of DATA or one BDAT chunk must arrive within this.
pub const DATA_TIMEOUT: Duration = Duration::from_secs(600);
/// `smtp.max_errors`: after this many error replies in one session, `421` and close (Postfix's
/// `smtpd_hard_error_limit` is 20; we are a smart host for known tenants, so fewer).
pub const MAX_ERRORS: u32 = 10;
/// `smtp.tls.client_ca`: roots for verifying tenant client certificates.
pub const CLIENT_CA: &str = "system";
/// `admin.listen`.
pub const ADMIN_LISTEN: &str = "127.0.0.1:9925";
/// `log.format`.
pub const LOG_FORMAT: &str = "text";
/// `log.level`.
pub const LOG_LEVEL: &str = "info";
