//! `sealgate connect …`: what a tenant's administrator must set up on their platform, with this
//! tenant's exact values, and what is wrong when their mail is refused.
//!
//! Pure generators over a [`Setup`] (the CLI reads the configuration, the token file and the
//! certificates and fills it in), so the outputs are golden-tested byte for byte:
//! - [`m365::script`]: the idempotent Exchange Online PowerShell script; every cmdlet and
//!   parameter it emits is in the documented table [`ps_params::DOCUMENTED`] (a test parses
//!   the script and checks).
//! - [`workspace::steps`]: the Google Admin console steps.
//! - [`dns::records`]: the DNS records the tenant (and the gateway operator) publish.
//! - [`check::diagnose`]: from the attribution facts, what is wrong and the fix.

pub mod check;
pub mod dns;
pub mod m365;
pub mod ps_params;
pub mod workspace;

use serde::Serialize;

/// Everything the generators need about one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setup {
    /// The tenant's name (`[tenants.NAME]`).
    pub tenant: String,
    /// The gateway's public SMTP host name (`smtp.hostname`): smart host and TLS name.
    pub gateway_host: String,
    /// The gateway's mail domain (`gateway.domain`): the sender domain of its own mail.
    pub gateway_domain: String,
    /// The tenant's secret token (the value of `X-Sealgate-Token`).
    pub token: String,
    /// The name in the client certificate the gateway presents on this tenant's return route.
    pub return_cert_name: Option<String>,
    /// The return route's host (m365: the tenant's `*.mail.protection.outlook.com`).
    pub return_host: Option<String>,
    /// The tenant's sender domains.
    pub sender_domains: Vec<String>,
    /// The tenant's DKIM keys.
    pub dkim: Vec<DkimKey>,
    /// Platform values.
    pub platform: PlatformSetup,
}

/// One DKIM key of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DkimKey {
    /// Signing domain.
    pub domain: String,
    /// Selector.
    pub selector: String,
    /// The TXT record value (`v=DKIM1; k=…; p=…`), when the key could be read.
    pub txt: Option<String>,
}

/// The platform part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "platform", rename_all = "lowercase")]
pub enum PlatformSetup {
    /// Microsoft 365.
    M365 {
        /// Directory (tenant) id.
        tenant_id: String,
    },
    /// Google Workspace.
    Google {
        /// Primary domain (its MX is the return route).
        primary_domain: String,
    },
}

/// Why a generator cannot run for a tenant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// The tenant is on another platform.
    #[error(
        "tenants.{tenant} has platform = \"{actual}\"; `sealgate connect {wanted}` is for {wanted} tenants"
    )]
    WrongPlatform {
        /// Tenant.
        tenant: String,
        /// Its platform.
        actual: String,
        /// The command's platform.
        wanted: String,
    },
}

/// A PowerShell single-quoted string literal (`'` doubled): nothing inside is interpreted.
pub fn ps_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests;
