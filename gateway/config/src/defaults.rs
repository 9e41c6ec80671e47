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

/// `delivery.retry_schedule`: waits after the 1st, 2nd, … failed attempt; the last repeats.
/// Like Postfix: `minimal_backoff_time` 300 s doubling to `maximal_backoff_time` 4000 s.
pub const RETRY_SCHEDULE: [Duration; 5] = [
    Duration::from_secs(300),
    Duration::from_secs(600),
    Duration::from_secs(1200),
    Duration::from_secs(2400),
    Duration::from_secs(4000),
];
/// `delivery.max_queue_lifetime`: give up (bounce) after this long (Postfix: 5 days).
pub const MAX_QUEUE_LIFETIME: Duration = Duration::from_secs(5 * 86_400);
/// `gateway.drain_timeout`: SIGTERM waits this long for open SMTP sessions to finish.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// `delivery.hold_expiry`: a held recipient bounces with a notice after this long.
pub const HOLD_EXPIRY: Duration = Duration::from_secs(5 * 86_400);
/// `delivery.max_per_destination`: concurrent connections to one next hop (Postfix's
/// `default_destination_concurrency_limit`).
pub const MAX_PER_DESTINATION: usize = 20;
/// `delivery.max_deliveries`: messages being delivered at once, all destinations together
/// (Postfix's `default_process_limit` is 100).
pub const MAX_DELIVERIES: usize = 100;
/// `delivery.connection_cache_time`: an idle outbound connection is kept this long for reuse
/// (Postfix's `smtp_connection_cache_time_limit`).
pub const CONNECTION_CACHE_TIME: Duration = Duration::from_secs(2);
/// `delivery.connection_reuse_limit`: at most this many messages over one connection.
pub const CONNECTION_REUSE_LIMIT: usize = 100;
/// `delivery.connect_timeout`: TCP connect to a next hop (Postfix's `smtp_connect_timeout`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// `delivery.scan_interval`: how often the scheduler looks for due retries.
pub const SCAN_INTERVAL: Duration = Duration::from_secs(1);
/// `delivery.wkd`: discover recipients' OpenPGP keys by Web Key Directory.
pub const WKD: bool = true;
/// `tls.mta_sts_fetch_timeout`: one MTA-STS policy fetch, connect to last byte (RFC 8461 §3.3
/// suggests a timeout of about a minute; a policy is at most 64 KiB).
pub const MTA_STS_FETCH_TIMEOUT: Duration = Duration::from_secs(30);
/// `tls.pin_lifetime`: a "once TLS, always TLS" pin lapses unless refreshed within this.
pub const PIN_LIFETIME: Duration = Duration::from_secs(30 * 86_400);

/// `[rules] watch_interval`: how often the rule directory is checked for changes.
pub const RULES_WATCH_INTERVAL: Duration = Duration::from_secs(5);
