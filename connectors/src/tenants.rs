//! Tenant candidates by platform admission, and sender-domain authorisation.
//!
//! A client is a *candidate* for every tenant whose platform admits it: `smtp` by networks
//! and/or certificate name, `m365` / `google` by the platform's networks (their per-tenant
//! checks run at the end of data, `attribute.rs`). A candidate becomes the tenant of a
//! transaction only when the envelope sender's domain — and every header From domain — is
//! one of its sender domains; attribution then verifies the platform identity, and a failure
//! refuses the message (never a fallback to another tenant).

use crate::smtp;
use crate::token::Token;
use ipnet::IpNet;
use sealgate_config::{Platform, TenantConfig};
use sealgate_core::Domain;
use sealgate_core::time::Timestamp;
use std::net::IpAddr;
use std::sync::Arc;

/// One tenant, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// Configured name.
    pub name: String,
    pub(crate) networks: Vec<IpNet>,
    pub(crate) cert_names: Vec<String>,
    pub(crate) domains: Vec<Domain>,
    any_domain: bool,
    pub(crate) platform: Platform,
    pub(crate) token: Option<Token>,
}

impl Tenant {
    /// Builds a tenant from its configuration (no token loaded).
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
            platform: c.platform.clone(),
            token: None,
        }
    }

    /// True when a client at `ip` presenting verified certificate names `cert_names` may be
    /// this tenant's: `smtp` — the network must match if networks are configured, and a name
    /// if names are; `m365` / `google` — the platform's networks (certificate, token and the
    /// rest are checked at the end of data, each with its own refusal).
    pub fn admits(&self, ip: IpAddr, cert_names: &[String]) -> bool {
        let ip = canonical(ip);
        match self.platform {
            Platform::Smtp => smtp::admits(&self.networks, &self.cert_names, ip, cert_names),
            Platform::M365 { .. } | Platform::Google { .. } => {
                smtp::in_networks(&self.networks, ip)
            }
        }
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

    /// The tenant's platform.
    pub fn platform(&self) -> &Platform {
        &self.platform
    }
}

/// IPv4-mapped IPv6 addresses are matched as IPv4.
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// All configured tenants, with what attribution needs (loop stamp, DKIM verifier, facts).
#[derive(Clone, Default)]
pub struct Tenants {
    list: Vec<Arc<Tenant>>,
    pub(crate) stamp: Option<crate::LoopStamp>,
    pub(crate) dkim: Option<Arc<dyn crate::DkimVerifier>>,
    pub(crate) facts: Arc<crate::FactLog>,
    self_test: Option<sealgate_core::Address>,
}

impl std::fmt::Debug for Tenants {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenants").field("list", &self.list).finish()
    }
}

impl Tenants {
    /// Builds the tenant table from configuration (no tokens: `m365` / `google` tenants then
    /// refuse everything with `SG-TOKEN-UNAVAILABLE` until [`Tenants::load`] is used).
    pub fn from_config(configs: &[TenantConfig]) -> Self {
        Tenants {
            list: configs
                .iter()
                .map(|c| Arc::new(Tenant::from_config(c)))
                .collect(),
            ..Tenants::default()
        }
    }

    /// Builds the table and loads every tenant's token file with `read` (which enforces the
    /// file's permissions). Fails naming the tenant whose token is unusable.
    pub fn load<E: std::fmt::Display>(
        configs: &[TenantConfig],
        read: impl Fn(&std::path::Path) -> Result<Vec<u8>, E>,
    ) -> Result<Self, String> {
        let mut list = Vec::with_capacity(configs.len());
        for c in configs {
            let mut t = Tenant::from_config(c);
            if let Some(path) = &c.token_file {
                let content = read(path).map_err(|e| format!("tenants.{}: {e}", c.name))?;
                let token = Token::from_file_content(&content)
                    .map_err(|e| format!("tenants.{}: {}: {e}", c.name, path.display()))?;
                t.token = Some(token);
            }
            list.push(Arc::new(t));
        }
        Ok(Tenants {
            list,
            ..Tenants::default()
        })
    }

    /// Adds the loop stamp key.
    pub fn with_stamp(mut self, stamp: crate::LoopStamp) -> Self {
        self.stamp = Some(stamp);
        self
    }

    /// Adds the DKIM verifier (google tenants).
    pub fn with_dkim(mut self, dkim: Arc<dyn crate::DkimVerifier>) -> Self {
        self.dkim = Some(dkim);
        self
    }

    /// Answers mail to `address` with the connector self-test report (`self_test.rs`).
    pub fn with_self_test(mut self, address: sealgate_core::Address) -> Self {
        self.self_test = Some(address);
        self
    }

    /// True when `address` is the connector self-test address (local part in any case).
    pub fn is_self_test(&self, address: &sealgate_core::Address) -> bool {
        self.self_test
            .as_ref()
            .is_some_and(|s| s.to_string().eq_ignore_ascii_case(&address.to_string()))
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

    /// Every tenant's name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|t| t.name.as_str())
    }

    /// Recent attribution facts of `tenant` (for diagnosis).
    pub fn recent_facts(&self, tenant: &str) -> Vec<crate::Fact> {
        self.facts.recent(tenant)
    }

    /// `tenant`'s facts as exchanged (admin API), or `None` when no such tenant is configured.
    pub fn fact_records(&self, tenant: &str) -> Option<Vec<crate::connect::check::FactRecord>> {
        self.list
            .iter()
            .any(|t| t.name == tenant)
            .then(|| self.facts.recent(tenant).iter().map(Into::into).collect())
    }

    /// Every tenant's facts as exchanged (the facts file of a stopped gateway).
    pub fn all_fact_records(
        &self,
    ) -> std::collections::BTreeMap<String, Vec<crate::connect::check::FactRecord>> {
        self.facts
            .all()
            .into_iter()
            .map(|(t, f)| (t, f.iter().map(Into::into).collect()))
            .collect()
    }

    /// A client no tenant admits sent as `domain`: the fact (`SG-NOT-TENANT`) goes to each
    /// tenant that may send as that domain, so `connect check` can say its source is outside
    /// the ranges. Nothing is recorded for a domain no tenant has.
    pub fn note_not_admitted(
        &self,
        session: &crate::SessionFacts<'_>,
        domain: &Domain,
        now: Timestamp,
    ) {
        for t in self
            .list
            .iter()
            .filter(|t| !t.any_domain && t.may_send_as(domain))
        {
            self.facts.record(
                &t.name,
                crate::Fact {
                    at: now,
                    source: session.ip,
                    tls: session.tls,
                    cert_names: session.cert_names.to_vec(),
                    failed: Some(NOT_TENANT),
                },
            );
        }
    }
}

/// The code of a client no tenant admits (the accept stage's `MAIL` refusal carries it too).
pub const NOT_TENANT: &str = "SG-NOT-TENANT";

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
            platform: Platform::Smtp,
            token_file: None,
            return_route: None,
            return_cert: None,
            verify: None,
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
