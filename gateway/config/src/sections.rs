//! The top-level configuration ([`Config`]), the small sections (`[storage]`, `[smtp]`, `[rules]`,
//! `[log]`) and how the whole file is read from TOML; the larger sections have their own files
//! (`tenants.rs`, `admin.rs`, `delivery.rs`, `tls.rs`, `portal.rs`, `verify.rs`).

use crate::ConfigError;
use crate::admin::{AdminConfig, read_admin};
use crate::defaults;
use crate::delivery::{DeliveryConfig, GatewayConfig};
use crate::reader::{Issues, Section, parse_socket};
use crate::smtp_limits::SmtpLimits;
use crate::tenants::{TenantConfig, read_tenants};
use ipnet::IpNet;
use sealgate_core::Domain;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The whole configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `[storage]`.
    pub storage: StorageConfig,
    /// `[smtp]`.
    pub smtp: SmtpConfig,
    /// `[tenants.NAME]`, sorted by name.
    pub tenants: Vec<TenantConfig>,
    /// `[admin]`.
    pub admin: AdminConfig,
    /// `[delivery]`.
    pub delivery: DeliveryConfig,
    /// `[gateway]`: the gateway's own mail identity.
    pub gateway: GatewayConfig,
    /// `[rules]`.
    pub rules: RulesConfig,
    /// `[tls]`: outbound transport security policy.
    pub tls: crate::tls::TlsPolicyConfig,
    /// `[log]`.
    pub log: LogConfig,
    /// `[portal]` (absent: no portal).
    pub portal: Option<crate::portal::PortalConfig>,
}

/// `[storage]`: where the spool lives and the master key that encrypts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageConfig {
    /// `dir`: data directory (queue database, encrypted bodies).
    pub dir: PathBuf,
    /// `master_key_file`: master key file (created 0600 if missing).
    pub master_key_file: PathBuf,
}

/// `[smtp]`: the inbound listener.
#[derive(Debug, Clone, PartialEq)]
pub struct SmtpConfig {
    /// `listen`: addresses to listen on.
    pub listen: Vec<SocketAddr>,
    /// `hostname`: name in the greeting and EHLO reply.
    pub hostname: String,
    /// `max_message_size`: octets.
    pub max_message_size: u64,
    /// `max_recipients`: per transaction.
    pub max_recipients: usize,
    /// `max_connections`: total concurrent sessions.
    pub max_connections: usize,
    /// `max_connections_per_ip`: per client address.
    pub max_connections_per_ip: usize,
    /// `command_timeout`: time allowed for one command line.
    pub command_timeout: Duration,
    /// `data_timeout`: time allowed for DATA or one BDAT chunk.
    pub data_timeout: Duration,
    /// `max_errors`: error replies before `421` and close.
    pub max_errors: u32,
    /// `proxy_protocol_from`: load balancers whose PROXY v2 header is required and trusted.
    pub proxy_protocol_from: Vec<IpNet>,
    /// Memory budget, junk commands, session lifetime, per-IP prefix.
    pub limits: SmtpLimits,
    /// `[smtp.tls]`.
    pub tls: TlsConfig,
}

/// Where the listener's certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertSource {
    /// PEM files.
    Files {
        /// `cert`: certificate chain, PEM.
        cert: PathBuf,
        /// `key`: private key, PEM.
        key: PathBuf,
    },
    /// No files configured: a self-signed certificate for `smtp.hostname` is generated into the
    /// data directory (fine for trying Sealgate, not for production).
    SelfSigned,
}

/// Roots for verifying tenants' client certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCa {
    /// The Mozilla root program (as shipped in `webpki-roots`).
    System,
    /// A PEM bundle.
    File(PathBuf),
}

/// `[smtp.tls]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// `cert` + `key`, or self-signed when both are absent.
    pub cert: CertSource,
    /// `client_ca`: `"system"` or a PEM file.
    pub client_ca: ClientCa,
    /// `require`: refuse mail before STARTTLS (`530 5.7.0`).
    pub require: bool,
}

/// `[rules]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RulesConfig {
    /// `dir`: rule files; absent → the shipped default set.
    pub dir: Option<PathBuf>,
    /// `watch_interval`: how often `dir` is checked for changed files, which reload the
    /// configuration and rules as SIGHUP does; `"0s"` turns the check off.
    pub watch_interval: std::time::Duration,
}

/// `[log]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// `format`: `"text"` or `"json"`.
    pub json: bool,
    /// `level`: a tracing filter such as `info` or `sealgate_accept=debug`.
    pub level: String,
    /// `pseudonymise_addresses`: replace addresses in logs by a keyed hash (default true).
    pub pseudonymise_addresses: bool,
}

/// Reads every section, collecting all issues.
pub(crate) fn read(table: toml::Table) -> Result<Config, ConfigError> {
    let issues = Issues::default();
    let mut root = Section::new("", table, &issues);
    let storage = read_storage(root.section("storage"));
    let smtp = read_smtp(root.section("smtp"));
    let tenants = read_tenants(root.section("tenants"));
    let admin = read_admin(root.section("admin"));
    let names: Vec<&str> = tenants.iter().map(|t| t.name.as_str()).collect();
    let delivery = crate::delivery::read_delivery(root.section("delivery"), &storage.dir, &names);
    let gateway = crate::delivery::read_gateway(root.section("gateway"), &smtp.hostname);
    let rules = read_rules(root.section("rules"));
    let tls = crate::tls::read_tls_policy(root.section("tls"));
    let log = read_log(root.section("log"));
    let has_portal = root.has("portal");
    let portal = crate::portal::read_portal(root.section("portal"), has_portal, &names);
    root.finish();
    let issues = issues.into_vec();
    if !issues.is_empty() {
        return Err(ConfigError { issues });
    }
    Ok(Config {
        storage,
        smtp,
        tenants,
        admin,
        delivery,
        gateway,
        rules,
        tls,
        log,
        portal,
    })
}

fn read_storage(mut s: Section<'_>) -> StorageConfig {
    let dir = s
        .path("dir")
        .unwrap_or_else(|| PathBuf::from("/var/lib/sealgate"));
    let master_key_file = s
        .path("master_key_file")
        .unwrap_or_else(|| dir.join("master.key"));
    s.finish();
    StorageConfig {
        dir,
        master_key_file,
    }
}

fn read_smtp(mut s: Section<'_>) -> SmtpConfig {
    let listen = s
        .parsed_list("listen", parse_socket)
        .unwrap_or_else(|| vec![SocketAddr::from(([0, 0, 0, 0], 25))]);
    if listen.is_empty() {
        s.issue(
            "listen",
            "at least one address is needed, e.g. [\"0.0.0.0:25\"]",
        );
    }
    let hostname = s.string("hostname").unwrap_or_else(|| "localhost".into());
    if hostname.is_empty() || Domain::parse(&hostname).is_err() && hostname != "localhost" {
        s.issue("hostname", "must be a host name");
    }
    let max_message_size = s
        .positive_size("max_message_size")
        .unwrap_or(defaults::MAX_MESSAGE_SIZE);
    let count = |s: &mut Section<'_>, key: &str, default: usize| {
        s.positive_integer(key)
            .map_or(default, |n| usize::try_from(n).unwrap_or(usize::MAX))
    };
    let max_recipients = count(&mut s, "max_recipients", defaults::MAX_RECIPIENTS);
    let max_connections = count(&mut s, "max_connections", defaults::MAX_CONNECTIONS);
    let max_connections_per_ip = count(
        &mut s,
        "max_connections_per_ip",
        defaults::MAX_CONNECTIONS_PER_IP,
    );
    let command_timeout = s
        .duration("command_timeout")
        .unwrap_or(defaults::COMMAND_TIMEOUT);
    let data_timeout = s.duration("data_timeout").unwrap_or(defaults::DATA_TIMEOUT);
    let max_errors = s
        .positive_integer("max_errors")
        .map_or(defaults::MAX_ERRORS, |n| {
            u32::try_from(n).unwrap_or(u32::MAX)
        });
    let proxy_protocol_from = s
        .parsed_list("proxy_protocol_from", parse_net)
        .unwrap_or_default();
    let limits = crate::smtp_limits::read_limits(&mut s, max_message_size);
    let tls = read_tls(s.section("tls"));
    s.finish();
    SmtpConfig {
        listen,
        hostname,
        max_message_size,
        max_recipients,
        max_connections,
        max_connections_per_ip,
        command_timeout,
        data_timeout,
        max_errors,
        proxy_protocol_from,
        limits,
        tls,
    }
}

fn read_tls(mut s: Section<'_>) -> TlsConfig {
    let cert = match (s.path("cert"), s.path("key")) {
        (Some(cert), Some(key)) => CertSource::Files { cert, key },
        (None, None) => CertSource::SelfSigned,
        (Some(_), None) => {
            s.issue("key", "is required when cert is set");
            CertSource::SelfSigned
        }
        (None, Some(_)) => {
            s.issue("cert", "is required when key is set");
            CertSource::SelfSigned
        }
    };
    let client_ca = match s
        .string("client_ca")
        .as_deref()
        .unwrap_or(defaults::CLIENT_CA)
    {
        "system" => ClientCa::System,
        path => ClientCa::File(PathBuf::from(path)),
    };
    let require = s.boolean("require").unwrap_or(false);
    s.finish();
    TlsConfig {
        cert,
        client_ca,
        require,
    }
}

fn read_rules(mut s: Section<'_>) -> RulesConfig {
    let dir = s.path("dir");
    let watch_interval = s
        .duration("watch_interval")
        .unwrap_or(defaults::RULES_WATCH_INTERVAL);
    s.finish();
    RulesConfig {
        dir,
        watch_interval,
    }
}

fn read_log(mut s: Section<'_>) -> LogConfig {
    let json = match s
        .string("format")
        .as_deref()
        .unwrap_or(defaults::LOG_FORMAT)
    {
        "text" => false,
        "json" => true,
        other => {
            s.issue(
                "format",
                format!("`{other}` is not a log format (use \"text\" or \"json\")"),
            );
            false
        }
    };
    let level = s
        .string("level")
        .unwrap_or_else(|| defaults::LOG_LEVEL.into());
    let pseudonymise_addresses = s.boolean("pseudonymise_addresses").unwrap_or(true);
    s.finish();
    LogConfig {
        json,
        level,
        pseudonymise_addresses,
    }
}

pub(crate) fn parse_net(s: &str) -> Result<IpNet, String> {
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{s}` is not a network like \"10.0.0.0/8\""))
}
