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
/// `smtp.max_junk_commands`: Postfix's `smtpd_junk_command_limit`.
pub const MAX_JUNK_COMMANDS: u32 = 100;
/// `smtp.max_session_time`: a session is closed between transactions after this long
/// (Exchange Online and Google keep connections for many messages; they reconnect).
pub const MAX_SESSION_TIME: Duration = Duration::from_secs(3600);
/// `smtp.per_ip_v6_prefix`: one IPv6 site usually holds a whole /64.
pub const PER_IP_V6_PREFIX: u8 = 64;

/// `smtp.memory_budget`: 20 × `max_message_size` (1000 MiB for the default 50 MiB). Content
/// is reserved four times over (the accept stage's copy factor), so this admits five messages
/// of the largest size at once, and many more small ones.
pub fn memory_budget(max_message_size: u64) -> u64 {
    max_message_size.saturating_mul(20)
}
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
/// `delivery.allow_non_global_destinations`: remote domains may not point the gateway at
/// loopback, private or other non-global addresses.
pub const ALLOW_NON_GLOBAL_DESTINATIONS: bool = false;
/// `tls.mta_sts_fetch_timeout`: one MTA-STS policy fetch, connect to last byte (RFC 8461 §3.3
/// suggests a timeout of about a minute; a policy is at most 64 KiB).
pub const MTA_STS_FETCH_TIMEOUT: Duration = Duration::from_secs(30);
/// `tls.pin_lifetime`: a "once TLS, always TLS" pin lapses unless refreshed within this.
pub const PIN_LIFETIME: Duration = Duration::from_secs(30 * 86_400);

/// `[rules] watch_interval`: how often the rule directory is checked for changes.
pub const RULES_WATCH_INTERVAL: Duration = Duration::from_secs(5);

/// `tenants.NAME.networks` of an `m365` tenant that lists none: Exchange Online's outbound
/// ranges as Microsoft documents them (Microsoft 365 endpoints, Exchange Online, and
/// `spf.protection.outlook.com`). Written down 2026-12 on a build machine without Internet access,
/// so not re-read from the live list: compare with Microsoft's endpoint list before production,
/// and replace it per tenant (`networks`) when Microsoft publishes changes.
pub const M365_NETWORKS: &[&str] = &[
    "40.92.0.0/15",
    "40.107.0.0/16",
    "52.100.0.0/14",
    "104.47.0.0/17",
    "2a01:111:f400::/48",
    "2a01:111:f403::/48",
];
/// `tenants.NAME.client_cert_names` of an `m365` tenant that lists none: the name of the
/// certificate Exchange Online presents to every connector (shared by all its customers).
pub const M365_CERT_NAME: &str = "mail.protection.outlook.com";
/// The date [`GOOGLE_NETWORKS`] was written down (from Google's published `_spf.google.com`
/// netblocks, on a build machine without DNS access: not re-read from live DNS that day).
pub const GOOGLE_NETWORKS_AS_OF: &str = "2026-12-01";
/// `tenants.NAME.networks` of a `google` tenant that lists none: Google's outbound ranges as
/// published under `_spf.google.com` (`_netblocks`, `_netblocks2`, `_netblocks3`), dated
/// [`GOOGLE_NETWORKS_AS_OF`]. Check with `dig +short TXT _netblocks.google.com` and replace
/// per tenant when they change.
pub const GOOGLE_NETWORKS: &[&str] = &[
    "35.190.247.0/24",
    "64.233.160.0/19",
    "66.102.0.0/20",
    "66.249.80.0/20",
    "72.14.192.0/18",
    "74.125.0.0/16",
    "108.177.8.0/21",
    "173.194.0.0/16",
    "209.85.128.0/17",
    "216.58.192.0/19",
    "216.239.32.0/19",
    "172.217.0.0/19",
    "172.217.32.0/20",
    "172.217.128.0/19",
    "172.217.160.0/20",
    "172.217.192.0/19",
    "172.253.56.0/21",
    "172.253.112.0/20",
    "108.177.96.0/19",
    "35.191.0.0/16",
    "130.211.0.0/22",
    "2001:4860:4000::/36",
    "2404:6800:4000::/36",
    "2607:f8b0:4000::/36",
    "2800:3f0:4000::/36",
    "2a00:1450:4000::/36",
    "2c0f:fb50:4000::/36",
];
