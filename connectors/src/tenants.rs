//! Tenant identification by network and client certificate, and sender-domain authorisation.

use ipnet::IpNet;
use sealgate_config::TenantConfig;
use sealgate_core::Domain;
use std::net::IpAddr;
use std::sync::Arc;

/// One tenant, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// Configured name.
    pub name: String,
    networks: Vec<IpNet>,
    cert_names: Vec<String>,
    domains: Vec<Domain>,
    any_domain: bool,
}

impl Tenant {
    /// Builds a tenant from its configuration.
    pub fn from_config(c: &TenantConfig) -> Self {
        Tenant {
            name: c.name.clone(),
            networks: c.networks.clone(),
            cert_names: c
                .client_cert_names
                .iter()
                .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
                .collect(),
            domains: c.sender_domains.clone(),
            any_domain: c.any_sender_domain,
        }
    }

    /// True when a client at `ip` presenting verified certificate names `cert_names` is this
    /// tenant's: the network must match if networks are configured, and a name must match if
    /// names are configured.
    pub fn admits(&self, ip: IpAddr, cert_names: &[String]) -> bool {
        let ip = canonical(ip);
        let net_ok = self.networks.is_empty() || self.networks.iter().any(|n| n.contains(&ip));
        let cert_ok = self.cert_names.is_empty()
            || cert_names.iter().any(|c| {
                let c = c.trim_end_matches('.').to_ascii_lowercase();
                self.cert_names.contains(&c)
            });
        // A tenant with neither is refused by config validation; never admit one anyway.
        net_ok && cert_ok && !(self.networks.is_empty() && self.cert_names.is_empty())
    }

    /// True when this tenant may send as `domain` (exact match, case and IDN form folded by
    /// [`Domain`]; subdomains must be listed themselves).
    pub fn may_send_as(&self, domain: &Domain) -> bool {
        self.any_domain || self.domains.contains(domain)
    }

    /// True for the any-sender-domain tenant of the embedded default.
    pub fn any_sender_domain(&self) -> bool {
        self.any_domain
    }
}

/// IPv4-mapped IPv6 addresses are matched as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// All configured tenants.
#[derive(Debug, Clone, Default)]
pub struct Tenants {
    list: Vec<Arc<Tenant>>,
}

impl Tenants {
    /// Builds the tenant table from configuration.
    pub fn from_config(configs: &[TenantConfig]) -> Self {
        Tenants {
            list: configs
                .iter()
                .map(|c| Arc::new(Tenant::from_config(c)))
                .collect(),
        }
    }

    /// Every tenant the client may be (possibly none).
    pub fn candidates(&self, ip: IpAddr, cert_names: &[String]) -> Vec<Arc<Tenant>> {
        self.list
            .iter()
            .filter(|t| t.admits(ip, cert_names))
            .cloned()
            .collect()
    }

    /// Of `candidates`, the first that may send as `domain`.
    pub fn authorise(candidates: &[Arc<Tenant>], domain: &Domain) -> Option<Arc<Tenant>> {
        candidates.iter().find(|t| t.may_send_as(domain)).cloned()
    }

    /// True when some tenant may send as any domain (the embedded default).
    pub fn has_open_sender_tenant(&self) -> bool {
        self.list.iter().any(|t| t.any_domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(nets: &[&str], certs: &[&str], domains: &[&str]) -> TenantConfig {
        TenantConfig {
            name: "t".into(),
            networks: nets.iter().map(|n| n.parse().unwrap()).collect(),
            client_cert_names: certs.iter().map(|s| s.to_string()).collect(),
            sender_domains: domains.iter().map(|d| Domain::parse(d).unwrap()).collect(),
            any_sender_domain: false,
            dkim: Vec::new(),
        }
    }

    #[test]
    fn network_and_certificate_both_required_when_both_configured() {
        let t = Tenant::from_config(&tenant(
            &["10.0.0.0/8"],
            &["mail.protection.outlook.com"],
            &["a.org"],
        ));
        let ip: IpAddr = "10.1.2.3".parse().unwrap();
        assert!(t.admits(ip, &["MAIL.protection.outlook.com".into()]));
        assert!(!t.admits(ip, &[]));
        assert!(!t.admits(
            "11.0.0.1".parse().unwrap(),
            &["mail.protection.outlook.com".into()]
        ));
    }

    #[test]
    fn mapped_ipv6_matches_ipv4_network() {
        let t = Tenant::from_config(&tenant(&["127.0.0.1/32"], &[], &["a.org"]));
        assert!(t.admits("::ffff:127.0.0.1".parse().unwrap(), &[]));
        assert!(!t.admits("127.0.0.2".parse().unwrap(), &[]));
    }

    #[test]
    fn sender_domain_picks_among_shared_network_tenants() {
        let mut a = tenant(&["10.0.0.0/8"], &[], &["a.org"]);
        a.name = "a".into();
        let mut b = tenant(&["10.0.0.0/8"], &[], &["bücher.example"]);
        b.name = "b".into();
        let ts = Tenants::from_config(&[a, b]);
        let c = ts.candidates("10.0.0.1".parse().unwrap(), &[]);
        assert_eq!(c.len(), 2);
        let d = Domain::parse("XN--BCHER-KVA.example").unwrap();
        assert_eq!(Tenants::authorise(&c, &d).unwrap().name, "b");
        assert!(Tenants::authorise(&c, &Domain::parse("evil.test").unwrap()).is_none());
        assert!(Tenants::authorise(&c, &Domain::parse("sub.a.org").unwrap()).is_none());
    }
}
