//! The platform part of a tenant (`platform = "m365" | "google" | "smtp"`), its return route,
//! and the cross-tenant check that no two tenants without a per-tenant identity check can
//! admit the same client.
//!
//! Platform defaults (Exchange Online's outbound ranges and certificate name, Google's
//! outbound ranges) are in [`crate::defaults`]; a tenant's own `networks` /
//! `client_cert_names` replace them.

use crate::defaults;
use crate::reader::Section;
use crate::tenants::TenantConfig;
use ipnet::IpNet;
use sealgate_core::Domain;
use std::path::PathBuf;

/// Which platform a tenant sends from, with what identifies the tenant on it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Platform {
    /// A customer's own MTA (Postfix, Exchange Server): networks and/or client certificate.
    #[default]
    Smtp,
    /// Microsoft 365 / Exchange Online.
    M365 {
        /// `tenant_id`: the directory (tenant) id, a GUID, lower case.
        tenant_id: String,
    },
    /// Google Workspace.
    Google {
        /// `primary_domain`: the Workspace primary domain (its MX is the return route).
        primary_domain: Domain,
        /// `dkim_domains`: further DKIM `d=` domains accepted for this tenant (e.g. the
        /// Google-hosted `…gappssmtp.com` signing domain); the sender domains always count.
        dkim_domains: Vec<Domain>,
    },
}

impl Platform {
    /// The config value (`m365`, `google`, `smtp`).
    pub fn name(&self) -> &'static str {
        match self {
            Platform::Smtp => "smtp",
            Platform::M365 { .. } => "m365",
            Platform::Google { .. } => "google",
        }
    }

    /// True when the platform has a check that tells its tenants apart (tenant id / DKIM plus
    /// a per-tenant token), so tenants on it may share networks and certificate names.
    pub fn identifies_tenant(&self) -> bool {
        !matches!(self, Platform::Smtp)
    }
}

/// `[tenants.NAME.return_route]`: where mail the gateway originates for this tenant (DSNs,
/// sender notices) goes, with TLS verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnRoute {
    /// `host` (+ `port`): m365 — the tenant's `*.mail.protection.outlook.com` host; smtp — the
    /// tenant's own MTA.
    Host {
        /// Host name (TLS server name).
        host: String,
        /// TCP port (25 unless given).
        port: u16,
    },
    /// google: the MX hosts of the tenant's primary domain.
    Mx(Domain),
}

/// The client certificate the gateway presents on a tenant's return route
/// (`return_route.client_cert` / `client_key`; m365 requires one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCert {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

/// What [`read_platform`] found for one tenant.
pub(crate) struct PlatformPart {
    pub platform: Platform,
    pub token_file: Option<PathBuf>,
    pub return_route: Option<ReturnRoute>,
    pub return_cert: Option<ClientCert>,
}

/// Reads `platform`, `tenant_id`, `primary_domain`, `dkim_domains`, `token_file` and
/// `[tenants.NAME.return_route]`.
pub(crate) fn read_platform(t: &mut Section<'_>) -> PlatformPart {
    let kind = t.string("platform").unwrap_or_else(|| "smtp".into());
    let platform = match kind.as_str() {
        "smtp" => Platform::Smtp,
        "m365" => read_m365(t),
        "google" => read_google(t),
        other => {
            t.issue(
                "platform",
                format!("`{other}` is not a platform (use \"m365\", \"google\" or \"smtp\")"),
            );
            Platform::Smtp
        }
    };
    let token_file = t.path("token_file");
    if platform.identifies_tenant() && token_file.is_none() && !t.had_issue("token_file") {
        t.issue(
            "token_file",
            format!(
                "a {} tenant needs a token file (create it with `sealgate tenant token NAME --out FILE`)",
                platform.name()
            ),
        );
    }
    let (return_route, return_cert) = read_return_route(t, &platform);
    PlatformPart {
        platform,
        token_file,
        return_route,
        return_cert,
    }
}

fn read_m365(t: &mut Section<'_>) -> Platform {
    let id = t
        .string("tenant_id")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !is_guid(&id) && !t.had_issue("tenant_id") {
        t.issue(
            "tenant_id",
            "an m365 tenant needs its directory (tenant) id, a GUID like \"8c2f…-…\" (Entra admin center → Overview)",
        );
    }
    Platform::M365 { tenant_id: id }
}

fn read_google(t: &mut Section<'_>) -> Platform {
    let parse = |d: &str| Domain::parse(d).map_err(|_| format!("`{d}` is not a domain name"));
    let primary = t.parsed("primary_domain", parse);
    if primary.is_none() && !t.had_issue("primary_domain") {
        t.issue(
            "primary_domain",
            "a google tenant needs its Workspace primary domain",
        );
    }
    let dkim_domains = t.parsed_list("dkim_domains", parse).unwrap_or_default();
    match primary {
        Some(primary_domain) => Platform::Google {
            primary_domain,
            dkim_domains,
        },
        // An issue is recorded: the configuration is refused anyway.
        None => Platform::Smtp,
    }
}

fn read_return_route(
    t: &mut Section<'_>,
    platform: &Platform,
) -> (Option<ReturnRoute>, Option<ClientCert>) {
    if !t.has("return_route") {
        return (None, None);
    }
    let mut r = t.section("return_route");
    let host = r
        .string("host")
        .map(|h| h.trim_end_matches('.').to_ascii_lowercase());
    let port = r
        .integer("port")
        .map_or(25, |p| u16::try_from(p).unwrap_or(0));
    if port == 0 {
        r.issue("port", "must be a TCP port (1–65535)");
    }
    let cert = r.path("client_cert");
    let key = r.path("client_key");
    let route = match (platform, host) {
        (Platform::Google { primary_domain, .. }, None) => {
            Some(ReturnRoute::Mx(primary_domain.clone()))
        }
        (Platform::Google { .. }, Some(_)) => {
            r.issue(
                "host",
                "a google tenant's return route is its primary domain's MX; leave host out",
            );
            None
        }
        (Platform::M365 { .. }, Some(h)) if !h.ends_with(".mail.protection.outlook.com") => {
            r.issue("host", "an m365 return route is the tenant's `NAME.mail.protection.outlook.com` host (its MX)");
            None
        }
        (_, Some(host)) => Some(ReturnRoute::Host { host, port }),
        (_, None) => {
            r.issue("host", "is required");
            None
        }
    };
    let client = match (cert, key) {
        (Some(cert), Some(key)) => Some(ClientCert { cert, key }),
        (None, None) => None,
        _ => {
            r.issue("client_cert", "client_cert and client_key go together");
            None
        }
    };
    if matches!(platform, Platform::M365 { .. }) && client.is_none() && !r.had_issue("client_cert")
    {
        r.issue(
            "client_cert",
            "an m365 return route needs the gateway's client certificate (client_cert, client_key) — the name the tenant's inbound connector requires",
        );
    }
    r.finish();
    (route, client)
}

/// Lower-case `8-4-4-4-12` hex.
fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The networks a tenant of `platform` is admitted from when it lists none.
pub(crate) fn default_networks(platform: &Platform) -> Vec<IpNet> {
    let list: &[&str] = match platform {
        Platform::Smtp => &[],
        Platform::M365 { .. } => defaults::M365_NETWORKS,
        Platform::Google { .. } => defaults::GOOGLE_NETWORKS,
    };
    list.iter().filter_map(|n| n.parse().ok()).collect()
}

/// The client-certificate names a tenant of `platform` must present when it lists none.
pub(crate) fn default_cert_names(platform: &Platform) -> Vec<String> {
    match platform {
        Platform::M365 { .. } => vec![defaults::M365_CERT_NAME.to_string()],
        _ => Vec::new(),
    }
}

/// Two tenants that could admit the same client, unless both identify their tenants: an
/// issue naming both (`config check` and `serve` refuse the file).
pub(crate) fn check_overlaps(s: &Section<'_>, tenants: &[TenantConfig]) {
    for (i, a) in tenants.iter().enumerate() {
        for b in &tenants[i + 1..] {
            if a.platform.identifies_tenant() && b.platform.identifies_tenant() {
                continue;
            }
            if nets_overlap(&a.networks, &b.networks) && names_overlap(a, b) {
                s.issue(
                    &format!("{}.networks", b.name),
                    format!(
                        "tenants.{} and tenants.{} admit the same clients (networks / client_cert_names overlap) and `{}` has no per-tenant identity check: one could send as the other. Give them disjoint networks or certificate names, or use platform = \"m365\" / \"google\"",
                        a.name,
                        b.name,
                        if a.platform.identifies_tenant() { &b.name } else { &a.name }
                    ),
                );
            }
        }
    }
}

/// True when some address could be in both lists (an empty list admits every address).
fn nets_overlap(a: &[IpNet], b: &[IpNet]) -> bool {
    a.is_empty()
        || b.is_empty()
        || a.iter().any(|x| {
            b.iter()
                .any(|y| x.contains(&y.network()) || y.contains(&x.network()))
        })
}

/// True when one certificate could satisfy both (an empty list asks for none).
fn names_overlap(a: &TenantConfig, b: &TenantConfig) -> bool {
    a.client_cert_names.is_empty()
        || b.client_cert_names.is_empty()
        || a.client_cert_names.iter().any(|n| {
            b.client_cert_names
                .iter()
                .any(|m| n.eq_ignore_ascii_case(m))
        })
}

/// Warnings about a valid configuration (`config check` prints them, `serve` logs them).
pub fn warnings(tenants: &[TenantConfig]) -> Vec<String> {
    tenants
        .iter()
        .filter(|t| t.return_route.is_none() && !t.any_sender_domain)
        .map(|t| {
            let fix = match &t.platform {
                Platform::M365 { .. } => "host = \"TENANT.mail.protection.outlook.com\", client_cert, client_key",
                Platform::Google { .. } => "an empty table: the primary domain's MX is used",
                Platform::Smtp => "host and port of the tenant's own mail server",
            };
            format!(
                "tenants.{}: no return route — DSNs and sender notices for this tenant go by MX and may never reach it; add [tenants.{}.return_route] ({fix})",
                t.name, t.name
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_shape() {
        assert!(is_guid("8c2f1a3e-0b6d-4f1e-9a2b-3c4d5e6f7a8b"));
        assert!(!is_guid("8c2f1a3e-0b6d-4f1e-9a2b-3c4d5e6f7a8"));
        assert!(!is_guid("acme.onmicrosoft.com"));
    }

    #[test]
    fn platform_defaults_parse() {
        let m = Platform::M365 {
            tenant_id: String::new(),
        };
        assert_eq!(default_networks(&m).len(), defaults::M365_NETWORKS.len());
        let g = Platform::Google {
            primary_domain: Domain::parse("a.org").unwrap(),
            dkim_domains: Vec::new(),
        };
        assert_eq!(default_networks(&g).len(), defaults::GOOGLE_NETWORKS.len());
    }
}

#[cfg(test)]
mod config_tests {
    use crate::{Config, Platform, ReturnRoute, warnings};

    fn keys(text: &str) -> Vec<String> {
        match Config::from_toml(text) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .issues
                .into_iter()
                .map(|i| format!("{}: {}", i.key, i.message))
                .collect(),
        }
    }

    #[test]
    fn m365_tenant_gets_platform_defaults_and_needs_id_and_token() {
        let c = Config::from_toml(
            r#"
            [tenants.a]
            platform = "m365"
            tenant_id = "8C2F1A3E-0B6D-4F1E-9A2B-3C4D5E6F7A8B"
            token_file = "/t/a"
            sender_domains = ["a.org"]
            [tenants.a.return_route]
            host = "a-org.mail.protection.outlook.com"
            client_cert = "/c.crt"
            client_key = "/c.key"
            "#,
        )
        .unwrap();
        let t = &c.tenants[0];
        assert_eq!(
            t.platform,
            Platform::M365 {
                tenant_id: "8c2f1a3e-0b6d-4f1e-9a2b-3c4d5e6f7a8b".into()
            }
        );
        assert_eq!(t.client_cert_names, vec!["mail.protection.outlook.com"]);
        assert_eq!(t.networks.len(), crate::defaults::M365_NETWORKS.len());
        assert_eq!(
            t.return_route,
            Some(ReturnRoute::Host {
                host: "a-org.mail.protection.outlook.com".into(),
                port: 25
            })
        );
        assert!(warnings(&c.tenants).is_empty());
        let issues = keys("[tenants.a]\nplatform = \"m365\"\nsender_domains = [\"a.org\"]\n");
        assert!(
            issues.iter().any(|i| i.starts_with("tenants.a.tenant_id")),
            "{issues:?}"
        );
        assert!(
            issues.iter().any(|i| i.starts_with("tenants.a.token_file")),
            "{issues:?}"
        );
        let issues = keys(
            "[tenants.a]\nplatform = \"m365\"\ntenant_id = \"8c2f1a3e-0b6d-4f1e-9a2b-3c4d5e6f7a8b\"\n\
             token_file = \"/t\"\nsender_domains = [\"a.org\"]\n[tenants.a.return_route]\nhost = \"mx.a.org\"\n",
        );
        assert!(
            issues
                .iter()
                .any(|i| i.starts_with("tenants.a.return_route.host")),
            "{issues:?}"
        );
        assert!(
            issues
                .iter()
                .any(|i| i.starts_with("tenants.a.return_route.client_cert")),
            "{issues:?}"
        );
    }

    #[test]
    fn overlapping_tenants_refused_unless_both_identify_the_tenant() {
        let two = |pa: &str, pb: &str| {
            format!(
                "[tenants.a]\n{pa}\nnetworks = [\"10.0.0.0/8\"]\nsender_domains = [\"a.org\"]\n\
                 [tenants.b]\n{pb}\nnetworks = [\"10.1.0.0/16\"]\nsender_domains = [\"b.org\"]\n"
            )
        };
        let m365 = |id: &str| {
            format!(
                "platform = \"m365\"\ntenant_id = \"8c2f1a3e-0b6d-4f1e-9a2b-3c4d5e6f7a8{id}\"\ntoken_file = \"/t{id}\""
            )
        };
        let issues = keys(&two("", ""));
        assert!(
            issues.iter().any(|i| i.contains("admit the same clients")),
            "{issues:?}"
        );
        let issues = keys(&two(&m365("1"), ""));
        assert!(
            issues.iter().any(|i| i.contains("admit the same clients")),
            "{issues:?}"
        );
        assert!(keys(&two(&m365("1"), &m365("2"))).is_empty());
        // Disjoint networks, or disjoint certificate names: fine.
        let disjoint = "[tenants.a]\nnetworks = [\"10.0.0.0/16\"]\nsender_domains = [\"a.org\"]\n\
                        [tenants.b]\nnetworks = [\"10.1.0.0/16\"]\nsender_domains = [\"b.org\"]\n";
        assert!(keys(disjoint).is_empty());
        let certs = "[tenants.a]\nclient_cert_names = [\"a.example\"]\nsender_domains = [\"a.org\"]\n\
                     [tenants.b]\nclient_cert_names = [\"b.example\"]\nsender_domains = [\"b.org\"]\n";
        assert!(keys(certs).is_empty());
    }

    #[test]
    fn google_return_route_is_the_primary_domains_mx_and_missing_routes_warn() {
        let c = Config::from_toml(
            "[tenants.g]\nplatform = \"google\"\nprimary_domain = \"g.org\"\ntoken_file = \"/t\"\n\
             sender_domains = [\"g.org\"]\n[tenants.g.return_route]\n\
             [tenants.s]\nnetworks = [\"192.0.2.1\"]\nsender_domains = [\"s.org\"]\n",
        )
        .unwrap();
        let g = c.tenants.iter().find(|t| t.name == "g").unwrap();
        assert!(matches!(&g.return_route, Some(ReturnRoute::Mx(d)) if d.as_str() == "g.org"));
        assert_eq!(g.networks.len(), crate::defaults::GOOGLE_NETWORKS.len());
        let w = warnings(&c.tenants);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("tenants.s: no return route")
                && w[0].contains("[tenants.s.return_route]")
        );
        // The embedded default (any sender domain, loopback) has no warning.
        assert!(warnings(&Config::embedded().tenants).is_empty());
    }
}
