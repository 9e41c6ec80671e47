//! The `smtp` platform: a customer's own MTA (Postfix, Exchange Server). It is this platform's
//! client — and so this tenant's — by networks and/or a verified client certificate alone
//! (a tenant that configures both needs both); there is no per-tenant check beyond the sender
//! domains, so `config check` refuses two tenants that could admit the same client when either
//! is `smtp`. Its return route is a configured `host:port` (`gateway/deliver`).

use ipnet::IpNet;
use std::net::IpAddr;

/// True when a client at `ip` (canonical form) with verified certificate names `presented`
/// matches `networks` (if any) and `cert_names` (if any). A tenant with neither is refused by
/// config validation; it never admits anyone here either.
pub fn admits(networks: &[IpNet], cert_names: &[String], ip: IpAddr, presented: &[String]) -> bool {
    let net_ok = networks.is_empty() || in_networks(networks, ip);
    let cert_ok = cert_names.is_empty() || has_name(cert_names, presented);
    net_ok && cert_ok && !(networks.is_empty() && cert_names.is_empty())
}

/// True when `ip` is in one of `networks`.
pub fn in_networks(networks: &[IpNet], ip: IpAddr) -> bool {
    networks.iter().any(|n| n.contains(&ip))
}

/// True when one of `presented` (verified names) is one of `wanted` (lower case, no dot).
pub fn has_name(wanted: &[String], presented: &[String]) -> bool {
    presented.iter().any(|c| {
        let c = c.trim_end_matches('.').to_ascii_lowercase();
        wanted.contains(&c)
    })
}
