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
//! - [`verify::compare`]: the tenant's platform domains against its sender domains (the
//!   documented Graph / Admin SDK list shapes); [`oauth`]: the token requests, the Google
//!   service account's RS256 assertion and the documented auth failures with their fix (the
//!   binary does the HTTP).

pub mod check;
pub mod dns;
pub mod m365;
pub mod oauth;
pub mod ps_params;
pub mod verify;
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

/// What `sealgate connect m365 --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct M365Output {
    /// Tenant.
    pub tenant: String,
    /// Always `m365`.
    pub platform: &'static str,
    /// The PowerShell script.
    pub script: String,
    /// The DNS records.
    pub dns: Vec<dns::DnsRecord>,
    /// Warnings (certificate problems, missing return route).
    pub warnings: Vec<String>,
}

impl M365Output {
    /// Builds the output for `s`.
    pub fn new(s: &Setup, warnings: Vec<String>) -> Result<M365Output, ConnectError> {
        Ok(M365Output {
            tenant: s.tenant.clone(),
            platform: "m365",
            script: m365::script(s)?,
            dns: dns::records(s),
            warnings,
        })
    }

    /// The text form: the script, then the DNS records as PowerShell comments (so the whole
    /// output can be saved as the `.ps1` file).
    pub fn text(&self) -> String {
        let dns: String = dns::text(&self.dns)
            .lines()
            .map(|l| format!("# {l}\n"))
            .collect();
        format!("{}\n{dns}", self.script)
    }
}

/// What `sealgate connect google --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct GoogleOutput {
    /// Tenant.
    pub tenant: String,
    /// Always `google`.
    pub platform: &'static str,
    /// The Admin console steps.
    pub steps: Vec<workspace::Step>,
    /// The DNS records.
    pub dns: Vec<dns::DnsRecord>,
    /// Warnings.
    pub warnings: Vec<String>,
}

impl GoogleOutput {
    /// Builds the output for `s`.
    pub fn new(s: &Setup, warnings: Vec<String>) -> Result<GoogleOutput, ConnectError> {
        Ok(GoogleOutput {
            tenant: s.tenant.clone(),
            platform: "google",
            steps: workspace::steps(s)?,
            dns: dns::records(s),
            warnings,
        })
    }

    /// The text form: the steps, then the DNS records.
    pub fn text(&self) -> String {
        format!(
            "Google Workspace setup for tenant \"{}\"\n\n{}{}",
            self.tenant,
            workspace::text(&self.steps),
            dns::text(&self.dns)
        )
    }
}

/// A PowerShell single-quoted string literal (`'` doubled): nothing inside is interpreted.
pub fn ps_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests;
