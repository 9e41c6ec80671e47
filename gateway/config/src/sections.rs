//! The typed sections of the configuration and how each is read from TOML.

use crate::ConfigError;
use crate::defaults;
use crate::delivery::{DeliveryConfig, GatewayConfig};
use crate::reader::{Issues, Section, parse_socket};
use crate::smtp_limits::SmtpLimits;
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

/// `[tenants.NAME]`: who may relay, and for which sender domains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantConfig {
    /// The table name.
    pub name: String,
    /// `networks`: client source networks.
    pub networks: Vec<IpNet>,
    /// `client_cert_names`: accepted names (DNS SAN) of a verified client certificate.
    pub client_cert_names: Vec<String>,
    /// `sender_domains`: envelope and header From domains this tenant may send as.
    pub sender_domains: Vec<Domain>,
    /// `any_sender_domain`: accept every sender domain. Only for the embedded loopback default;
    /// the gateway warns loudly at start when it is set.
    pub any_sender_domain: bool,
    /// `[[tenants.NAME.dkim]]`: the tenant's DKIM signing keys, in file order.
    pub dkim: Vec<DkimKeyConfig>,
    /// `platform` (`smtp` unless given) with `tenant_id` (m365) or `primary_domain` and
    /// `dkim_domains` (google).
    pub platform: crate::Platform,
    /// `token_file`: the tenant's secret token (required for m365 and google; created 0600 by
    /// `sealgate tenant token`).
    pub token_file: Option<PathBuf>,
    /// `[tenants.NAME.return_route]`: where the gateway's own mail for this tenant goes.
    pub return_route: Option<crate::ReturnRoute>,
    /// `return_route.client_cert` / `client_key`: presented on the return route.
    pub return_cert: Option<crate::ClientCert>,
    /// `[tenants.NAME.verify]`: credentials for `sealgate connect verify`.
    pub verify: Option<crate::VerifyConfig>,
}

/// One `[[tenants.NAME.dkim]]` entry: a DKIM key of the tenant. The domain must be one of the
/// tenant's `sender_domains` (or a subdomain of one), and no other tenant may have keys for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimKeyConfig {
    /// `domain`: the signing domain (`d=`).
    pub domain: Domain,
    /// `selector`: the selector (`s=`); the public key is at `SELECTOR._domainkey.DOMAIN`.
    pub selector: String,
    /// `key`: PEM private key file (RSA PKCS#1/PKCS#8, or Ed25519 PKCS#8).
    pub key: PathBuf,
}

/// `[admin]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminConfig {
    /// `listen`: admin HTTP address.
    pub listen: SocketAddr,
    /// `token_file`: bearer token file (created 0600 if missing).
    pub token_file: PathBuf,
    /// `header_read_timeout`: a connection that has not sent a whole request head within this
    /// long is closed (default 10 s).
    pub header_read_timeout: std::time::Duration,
    /// `tls_cert` + `tls_key`: serve the admin API over TLS (PEM files); plain HTTP without.
    pub tls: Option<AdminTls>,
    /// `tls_ca`: the CA (PEM) the CLI trusts for the admin API's certificate (default: the
    /// `tls_cert` file itself, for a self-signed certificate).
    pub tls_ca: Option<PathBuf>,
    /// `tls_server_name`: the name the CLI checks in that certificate (default: the IP
    /// address it connects to).
    pub tls_server_name: Option<String>,
}

/// `[admin] tls_cert` and `tls_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminTls {
    /// Certificate chain (PEM).
    pub cert: PathBuf,
    /// Private key (PEM).
    pub key: PathBuf,
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
    let positive = |s: &mut Section<'_>, key: &str, v: Option<u64>, d: u64| match v {
        Some(0) => {
            s.issue(key, "must be greater than 0");
            d
        }
        Some(v) => v,
        None => d,
    };
    let max_message_size = s.size("max_message_size");
    let max_message_size = positive(
        &mut s,
        "max_message_size",
        max_message_size,
        defaults::MAX_MESSAGE_SIZE,
    );
    let v = s.integer("max_recipients");
    let max_recipients =
        positive(&mut s, "max_recipients", v, defaults::MAX_RECIPIENTS as u64) as usize;
    let v = s.integer("max_connections");
    let max_connections = positive(
        &mut s,
        "max_connections",
        v,
        defaults::MAX_CONNECTIONS as u64,
    ) as usize;
    let v = s.integer("max_connections_per_ip");
    let max_connections_per_ip = positive(
        &mut s,
        "max_connections_per_ip",
        v,
        defaults::MAX_CONNECTIONS_PER_IP as u64,
    ) as usize;
    let command_timeout = s
        .duration("command_timeout")
        .unwrap_or(defaults::COMMAND_TIMEOUT);
    let data_timeout = s.duration("data_timeout").unwrap_or(defaults::DATA_TIMEOUT);
    let v = s.integer("max_errors");
    let max_errors = positive(&mut s, "max_errors", v, u64::from(defaults::MAX_ERRORS)) as u32;
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

fn read_tenants(mut s: Section<'_>) -> Vec<TenantConfig> {
    let mut out: Vec<TenantConfig> = s
        .drain_tables()
        .into_iter()
        .map(|(name, mut t)| {
            let part = crate::platform::read_platform(&mut t);
            let networks = t
                .parsed_list("networks", parse_net)
                .or_else(|| non_empty(crate::platform::default_networks(&part.platform)));
            let client_cert_names = t
                .strings("client_cert_names")
                .or_else(|| non_empty(crate::platform::default_cert_names(&part.platform)));
            let authenticated = networks.is_some() || client_cert_names.is_some();
            let (networks, client_cert_names) = (
                networks.unwrap_or_default(),
                client_cert_names.unwrap_or_default(),
            );
            let sender_domains = t
                .parsed_list("sender_domains", |d| {
                    Domain::parse(d).map_err(|_| format!("`{d}` is not a domain name"))
                })
                .unwrap_or_default();
            let any_sender_domain = t.boolean("any_sender_domain").unwrap_or(false);
            let dkim = read_dkim_keys(&mut t, &sender_domains, any_sender_domain);
            let verify = crate::verify::read_verify(&mut t, &part.platform);
            if !authenticated {
                t.issue(
                    "networks",
                    "a tenant needs networks or client_cert_names (no open relay)",
                );
            }
            if sender_domains.is_empty() && !any_sender_domain {
                t.issue(
                    "sender_domains",
                    "a tenant needs at least one sender domain",
                );
            }
            t.finish();
            TenantConfig {
                name,
                networks,
                client_cert_names,
                sender_domains,
                any_sender_domain,
                dkim,
                platform: part.platform,
                token_file: part.token_file,
                return_route: part.return_route,
                return_cert: part.return_cert,
                verify,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    check_dkim_domains_unshared(&s, &out);
    crate::platform::check_overlaps(&s, &out);
    out
}

fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// `[[tenants.NAME.dkim]]` entries of one tenant.
fn read_dkim_keys(
    t: &mut Section<'_>,
    sender_domains: &[Domain],
    any_sender_domain: bool,
) -> Vec<DkimKeyConfig> {
    let mut out = Vec::new();
    for mut k in t.tables("dkim") {
        let domain = k.parsed("domain", |d| {
            Domain::parse(d).map_err(|_| format!("`{d}` is not a domain name"))
        });
        let selector = k.string("selector");
        let key = k.path("key");
        for (name, missing) in [
            ("domain", domain.is_none()),
            ("selector", selector.is_none()),
            ("key", key.is_none()),
        ] {
            if missing && !k.had_issue(name) {
                k.issue(name, "is required");
            }
        }
        if let Some(sel) = &selector
            && !valid_dkim_selector(sel)
        {
            k.issue(
                "selector",
                format!("`{sel}` is not a selector (DNS labels: letters, digits, hyphens)"),
            );
        }
        if let Some(d) = &domain
            && !any_sender_domain
            && !sender_domains.iter().any(|s| d.is_within(s))
        {
            k.issue(
                "domain",
                format!("`{d}` is not one of this tenant's sender_domains (or a subdomain of one)"),
            );
        }
        k.finish();
        if let (Some(domain), Some(selector), Some(key)) = (domain, selector, key) {
            out.push(DkimKeyConfig {
                domain,
                selector,
                key,
            });
        }
    }
    out
}

/// A DKIM domain's keys belong to one tenant: a second tenant naming it is an issue.
fn check_dkim_domains_unshared(s: &Section<'_>, tenants: &[TenantConfig]) {
    let mut owner: std::collections::BTreeMap<&Domain, &str> = std::collections::BTreeMap::new();
    for t in tenants {
        for (i, k) in t.dkim.iter().enumerate() {
            match owner.get(&k.domain) {
                Some(first) if *first != t.name => s.issue(
                    &format!("{}.dkim[{i}].domain", t.name),
                    format!(
                        "`{}` already has DKIM keys under tenants.{first}; a domain's keys belong to one tenant",
                        k.domain
                    ),
                ),
                Some(_) => {}
                None => {
                    owner.insert(&k.domain, &t.name);
                }
            }
        }
    }
}

/// RFC 6376 selector: dot-separated labels of letters, digits and inner hyphens.
fn valid_dkim_selector(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn read_admin(mut s: Section<'_>) -> AdminConfig {
    let listen = s.socket("listen").unwrap_or_else(|| {
        parse_socket(defaults::ADMIN_LISTEN).unwrap_or(SocketAddr::from(([127, 0, 0, 1], 9925)))
    });
    let token_file = s
        .path("token_file")
        .unwrap_or_else(|| PathBuf::from("/etc/sealgate/admin.token"));
    let header_read_timeout = s
        .duration("header_read_timeout")
        .unwrap_or(std::time::Duration::from_secs(10));
    if header_read_timeout.is_zero() {
        s.issue("header_read_timeout", "must be above 0s (e.g. \"10s\")");
    }
    let tls = match (s.path("tls_cert"), s.path("tls_key")) {
        (Some(cert), Some(key)) => Some(AdminTls { cert, key }),
        (None, None) => None,
        (Some(_), None) => {
            s.issue(
                "tls_key",
                "tls_cert is set: add tls_key (the certificate's private key, PEM)",
            );
            None
        }
        (None, Some(_)) => {
            s.issue(
                "tls_cert",
                "tls_key is set: add tls_cert (the certificate chain, PEM)",
            );
            None
        }
    };
    let tls_ca = s.path("tls_ca");
    let tls_server_name = s.string("tls_server_name");
    s.finish();
    AdminConfig {
        listen,
        token_file,
        header_read_timeout,
        tls,
        tls_ca,
        tls_server_name,
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

fn parse_net(s: &str) -> Result<IpNet, String> {
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{s}` is not a network like \"10.0.0.0/8\""))
}
