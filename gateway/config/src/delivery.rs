//! `[delivery]` (queue, routing, outbound SMTP) and `[gateway]` (the gateway's own mail
//! identity) sections.

use crate::defaults;
use crate::reader::{Section, parse_socket};
use sealgate_core::{Address, Domain};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `[delivery] mode`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryMode {
    /// Deliver by MX lookup (the delivery engine).
    Mx,
    /// Write each final message as `<id>.eml` into a folder.
    Outbox {
        /// `outbox_dir`, default `<storage.dir>/outbox`.
        dir: PathBuf,
    },
}

/// Where a static route sends mail: a host name (resolved by A/AAAA, never MX) or an IP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextHop {
    /// Host name or IP literal (without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl NextHop {
    /// Parses `host`, `host:port`, `1.2.3.4:25`, `[1.2.3.4]`, `[::1]:25`.
    pub fn parse(text: &str) -> Result<NextHop, String> {
        let bad =
            || format!("`{text}` is not a next hop like \"10.1.2.3:25\" or \"relay.example\"");
        if let Ok(sa) = text.parse::<SocketAddr>() {
            return Ok(NextHop {
                host: sa.ip().to_string(),
                port: sa.port(),
            });
        }
        let (host, port) = match text.strip_prefix('[') {
            Some(rest) => {
                let (ip, tail) = rest.split_once(']').ok_or_else(bad)?;
                ip.parse::<IpAddr>().map_err(|_| bad())?;
                let port = match tail.strip_prefix(':') {
                    Some(p) => p.parse().map_err(|_| bad())?,
                    None if tail.is_empty() => 25,
                    None => return Err(bad()),
                };
                (ip.to_string(), port)
            }
            None => match text.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), p.parse().map_err(|_| bad())?),
                None => (text.to_string(), 25),
            },
        };
        if host.parse::<IpAddr>().is_err() && Domain::parse(&host).is_err() {
            return Err(bad());
        }
        if port == 0 {
            return Err(bad());
        }
        Ok(NextHop { host, port })
    }
}

/// One `[delivery.routes]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticRoute {
    /// The recipient domain; `None` for the `"*"` entry (every domain without its own route).
    pub domain: Option<Domain>,
    /// Where its mail goes.
    pub next_hop: NextHop,
}

/// `[delivery.tenants.NAME]`: how the gateway presents itself when relaying a tenant's mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryTenant {
    /// The tenant name (a key of `[tenants]`).
    pub name: String,
    /// `helo`: EHLO name for this tenant's mail (default `smtp.hostname`).
    pub helo: Option<String>,
    /// `source_address`: local address outbound connections bind to.
    pub source_address: Option<IpAddr>,
}

/// `[delivery.testing]`: overrides for test rigs only. Never set them in production.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryTesting {
    /// `nameservers`: DNS servers (`ip:port`) to ask instead of the system's resolv.conf.
    pub nameservers: Vec<SocketAddr>,
    /// `mx_port`: TCP port used for MX (and implicit-MX) hosts instead of 25.
    pub mx_port: Option<u16>,
    /// `mx_host_ports`: `"host:port"` entries — these MX hosts are contacted on their own port
    /// (a rig with several receiving MTAs on one loopback address). Wins over `mx_port`.
    pub mx_host_ports: Vec<(String, u16)>,
    /// `wkd_address`: connect every WKD fetch (`openpgpkey.DOMAIN` and `DOMAIN`) to this
    /// `ip:port` instead of the host's address and port 443.
    pub wkd_address: Option<SocketAddr>,
    /// `wkd_ca`: a PEM file of extra roots trusted for WKD fetches (a test CA).
    pub wkd_ca: Option<PathBuf>,
}

/// `[delivery]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// `mode`: `"mx"` or `"outbox"`.
    pub mode: DeliveryMode,
    /// `[delivery.routes]`: `"domain" = "host:port"` static routes (hairpins, smart hosts);
    /// `"*"` routes every other domain.
    pub routes: Vec<StaticRoute>,
    /// `retry_schedule`: waits after each failed attempt; the last repeats.
    pub retry_schedule: Vec<Duration>,
    /// `max_queue_lifetime`: give up and bounce after this long in the queue.
    pub max_queue_lifetime: Duration,
    /// `delay_warning`: send a delay DSN once a recipient has waited this long (off if absent).
    pub delay_warning: Option<Duration>,
    /// `hold_expiry`: a held recipient bounces with a notice after this long.
    pub hold_expiry: Duration,
    /// `max_per_destination`: concurrent connections to one next hop.
    pub max_per_destination: usize,
    /// `max_deliveries`: messages in delivery at once.
    pub max_deliveries: usize,
    /// `connection_cache_time`: idle time an outbound connection is kept for reuse.
    pub connection_cache_time: Duration,
    /// `connection_reuse_limit`: messages sent over one connection at most.
    pub connection_reuse_limit: usize,
    /// `connect_timeout`: TCP connect timeout.
    pub connect_timeout: Duration,
    /// `scan_interval`: how often the scheduler looks for due retries.
    pub scan_interval: Duration,
    /// `wkd`: look up recipients' OpenPGP keys by Web Key Directory when their chain has
    /// `pgp` (default true).
    pub wkd: bool,
    /// `allow_non_global_destinations`: let MX answers, MTA-STS policy hosts, WKD directories
    /// and TLS-RPT `https:` destinations resolve to loopback, private, link-local and other
    /// non-global addresses (default false: refused and counted). For test rigs and private
    /// deployments only; static routes never need it.
    pub allow_non_global_destinations: bool,
    /// `[delivery.tenants.NAME]`, sorted by name.
    pub tenants: Vec<DeliveryTenant>,
    /// `[delivery.testing]`.
    pub testing: DeliveryTesting,
}

/// `[gateway]`: the gateway's own mail identity, for the mail it originates (DSNs, sender
/// notices, later TLS-RPT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayConfig {
    /// `domain`: the gateway's mail domain (default: `smtp.hostname`).
    pub domain: Domain,
    /// `postmaster`: From address of DSNs and notices (default `postmaster@<domain>`).
    pub postmaster: Address,
    /// `dkim_selector`: selector of the gateway's DKIM key (signing lands with issue "sign").
    pub dkim_selector: Option<String>,
    /// `dkim_key`: PEM private key file for that selector.
    pub dkim_key: Option<PathBuf>,
    /// `notice_templates`: folder whose `NAME.txt` files replace the built-in sender-notice
    /// templates of the same name.
    pub notice_templates: Option<PathBuf>,
    /// `drain_timeout`: how long SIGTERM waits for open SMTP sessions to finish before the
    /// gateway stops (keep it below systemd's `TimeoutStopSec`).
    pub drain_timeout: Duration,
}

/// Reads `[delivery]`; `tenants` are the names of `[tenants.*]` (each
/// `[delivery.tenants.NAME]` must name one of them).
pub(crate) fn read_delivery(
    mut s: Section<'_>,
    data_dir: &Path,
    tenants: &[&str],
) -> DeliveryConfig {
    let mode = read_mode(&mut s, data_dir);
    let routes = read_routes(s.section("routes"));
    let retry_schedule = s
        .durations("retry_schedule")
        .unwrap_or_else(|| defaults::RETRY_SCHEDULE.to_vec());
    if retry_schedule.is_empty() || retry_schedule.iter().any(Duration::is_zero) {
        s.issue("retry_schedule", "needs at least one wait, each above 0");
    }
    let max_queue_lifetime = s
        .positive_duration("max_queue_lifetime")
        .unwrap_or(defaults::MAX_QUEUE_LIFETIME);
    let delay_warning = s.duration("delay_warning");
    let hold_expiry = s
        .positive_duration("hold_expiry")
        .unwrap_or(defaults::HOLD_EXPIRY);
    let connection_cache_time = s
        .duration("connection_cache_time")
        .unwrap_or(defaults::CONNECTION_CACHE_TIME);
    let connect_timeout = s
        .positive_duration("connect_timeout")
        .unwrap_or(defaults::CONNECT_TIMEOUT);
    let scan_interval = s
        .positive_duration("scan_interval")
        .unwrap_or(defaults::SCAN_INTERVAL);
    let wkd = s.boolean("wkd").unwrap_or(defaults::WKD);
    let allow_non_global_destinations = s
        .boolean("allow_non_global_destinations")
        .unwrap_or(defaults::ALLOW_NON_GLOBAL_DESTINATIONS);
    let count = |s: &mut Section<'_>, key: &str, default: usize| {
        s.positive_integer(key)
            .map_or(default, |n| usize::try_from(n).unwrap_or(default))
    };
    let max_per_destination = count(&mut s, "max_per_destination", defaults::MAX_PER_DESTINATION);
    let max_deliveries = count(&mut s, "max_deliveries", defaults::MAX_DELIVERIES);
    let connection_reuse_limit = count(
        &mut s,
        "connection_reuse_limit",
        defaults::CONNECTION_REUSE_LIMIT,
    );
    let tenants = read_delivery_tenants(s.section("tenants"), tenants);
    let testing = read_testing(s.section("testing"));
    s.finish();
    DeliveryConfig {
        mode,
        routes,
        retry_schedule,
        max_queue_lifetime,
        delay_warning,
        hold_expiry,
        max_per_destination,
        max_deliveries,
        connection_cache_time,
        connection_reuse_limit,
        connect_timeout,
        scan_interval,
        wkd,
        allow_non_global_destinations,
        tenants,
        testing,
    }
}

/// `mode`: `"mx"` (the default) or `"outbox"` (files under `outbox_dir`).
fn read_mode(s: &mut Section<'_>, data_dir: &Path) -> DeliveryMode {
    let outbox_dir = s.path("outbox_dir");
    match s.string("mode").as_deref().unwrap_or("mx") {
        "mx" => DeliveryMode::Mx,
        "outbox" => DeliveryMode::Outbox {
            dir: outbox_dir.unwrap_or_else(|| data_dir.join("outbox")),
        },
        other => {
            s.issue(
                "mode",
                format!("`{other}` is not a delivery mode (use \"mx\" or \"outbox\")"),
            );
            DeliveryMode::Mx
        }
    }
}

fn read_routes(mut s: Section<'_>) -> Vec<StaticRoute> {
    let mut out = Vec::new();
    for (key, value) in s.drain_strings() {
        let domain = if key == "*" {
            None
        } else {
            match Domain::parse(&key) {
                Ok(d) => Some(d),
                Err(_) => {
                    s.issue(&key, "is not a domain name (or \"*\")");
                    continue;
                }
            }
        };
        match NextHop::parse(&value) {
            Ok(next_hop) => out.push(StaticRoute { domain, next_hop }),
            Err(e) => s.issue(&key, e),
        }
    }
    s.finish();
    out
}

fn read_delivery_tenants(mut s: Section<'_>, known: &[&str]) -> Vec<DeliveryTenant> {
    let mut out: Vec<DeliveryTenant> = s
        .drain_tables()
        .into_iter()
        .map(|(name, mut t)| {
            if !known.contains(&name.as_str()) {
                // A misspelt name would otherwise be ignored without a word.
                s.issue(&name, format!("is not a tenant (no [tenants.{name}])"));
            }
            let helo = t.string("helo");
            if let Some(h) = &helo
                && Domain::parse(h).is_err()
            {
                t.issue("helo", "must be a host name");
            }
            let source_address = t.parsed("source_address", |a| {
                a.parse::<IpAddr>()
                    .map_err(|_| format!("`{a}` is not an IP address"))
            });
            t.finish();
            DeliveryTenant {
                name,
                helo,
                source_address,
            }
        })
        .collect();
    s.finish();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn read_testing(mut s: Section<'_>) -> DeliveryTesting {
    let nameservers = s
        .parsed_list("nameservers", parse_socket)
        .unwrap_or_default();
    let mx_port = match s.integer("mx_port") {
        Some(p @ 1..=65535) => Some(p as u16),
        Some(_) => {
            s.issue("mx_port", "must be a port number");
            None
        }
        None => None,
    };
    let mx_host_ports = s
        .parsed_list("mx_host_ports", parse_host_port)
        .unwrap_or_default();
    let wkd_address = s.parsed("wkd_address", parse_socket);
    let wkd_ca = s.path("wkd_ca");
    s.finish();
    DeliveryTesting {
        nameservers,
        mx_port,
        mx_host_ports,
        wkd_address,
        wkd_ca,
    }
}

/// `host:port` with a port from 1 to 65535; the host is kept in lower case without a final dot.
fn parse_host_port(v: &str) -> Result<(String, u16), String> {
    let (host, port) = v
        .rsplit_once(':')
        .ok_or_else(|| format!("`{v}` is not host:port"))?;
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("`{v}`: the port must be 1 to 65535"))?;
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() {
        return Err(format!("`{v}` has no host"));
    }
    Ok((host, port))
}

pub(crate) fn read_gateway(mut s: Section<'_>, hostname: &str) -> GatewayConfig {
    let fallback = || Domain::parse(hostname).or_else(|_| Domain::parse("localhost"));
    let domain = match s.parsed("domain", |d| {
        Domain::parse(d).map_err(|_| format!("`{d}` is not a domain name"))
    }) {
        Some(d) => d,
        None => match fallback() {
            Ok(d) => d,
            // "localhost" is a valid one-label domain, checked by the `gateway_defaults` test.
            Err(_) => unreachable!("localhost is a domain"),
        },
    };
    let postmaster = s
        .parsed("postmaster", |a| {
            Address::parse(a).map_err(|_| format!("`{a}` is not a mail address"))
        })
        .or_else(|| Address::parse(&format!("postmaster@{domain}")).ok());
    let postmaster = match postmaster {
        Some(p) => p,
        None => {
            s.issue("postmaster", "needed: no valid default from the domain");
            // `postmaster@localhost` parses (checked by the `gateway_defaults` test).
            match Address::parse("postmaster@localhost") {
                Ok(a) => a,
                Err(_) => unreachable!("postmaster@localhost is an address"),
            }
        }
    };
    let dkim_selector = s.string("dkim_selector");
    let dkim_key = s.path("dkim_key");
    if dkim_selector.is_some() != dkim_key.is_some() {
        s.issue("dkim_key", "dkim_selector and dkim_key go together");
    }
    let notice_templates = s.path("notice_templates");
    let drain_timeout = s
        .duration("drain_timeout")
        .unwrap_or(defaults::DRAIN_TIMEOUT);
    s.finish();
    GatewayConfig {
        domain,
        postmaster,
        dkim_selector,
        dkim_key,
        notice_templates,
        drain_timeout,
    }
}
