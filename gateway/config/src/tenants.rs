//! `[tenants.NAME]`: who may relay and as which sender domains, each tenant's platform and
//! return route (read in `platform.rs`), and its `[[tenants.NAME.dkim]]` keys — a DKIM domain's
//! keys belong to one tenant.

use crate::reader::Section;
use crate::sections::parse_net;
use ipnet::IpNet;
use sealgate_core::Domain;
use std::path::PathBuf;

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

pub(crate) fn read_tenants(mut s: Section<'_>) -> Vec<TenantConfig> {
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

/// RFC 6376 §3.1 selector: dot-separated labels of letters, digits and inner hyphens. The one
/// check for every selector (config and `sealgate-sign` alike).
pub fn valid_dkim_selector(s: &str) -> bool {
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
