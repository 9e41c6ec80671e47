//! Why attribution refused a message: one variant per failed check, each with a metric label,
//! a short code for the reply (part 2's guide explains each code), and its SMTP reply.
//!
//! Every refusal is permanent (`550 5.7.1`) except a DNS failure while verifying DKIM
//! (`451 4.7.5`: the sender retries) and a loop (`554 5.4.6`).

use sealgate_core::Reply;

/// A failed attribution check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The message carries this gateway's valid loop stamp: it came back in.
    Loop,
    /// m365: no verified client certificate for the platform's name.
    M365Certificate,
    /// m365: no `X-MS-Exchange-CrossTenant-Id` header.
    M365TenantIdMissing,
    /// m365: more than one `X-MS-Exchange-CrossTenant-Id` header.
    M365TenantIdRepeated,
    /// m365: the tenant id is another tenant's.
    M365TenantIdWrong,
    /// m365: no token header.
    M365TokenMissing,
    /// m365: the token is not this tenant's.
    M365TokenWrong,
    /// google: the session is not over TLS.
    GoogleTls,
    /// google: no token header.
    GoogleTokenMissing,
    /// google: the token is not this tenant's.
    GoogleTokenWrong,
    /// google: no DKIM signature that verifies for one of the tenant's domains.
    GoogleDkim,
    /// google: the DKIM key could not be looked up (temporary).
    GoogleDkimDns,
    /// The tenant's token file was never loaded (configuration), so nothing is admitted.
    TokenUnavailable,
}

impl Refusal {
    /// The metric label (`reason`) and log value.
    pub fn label(self) -> &'static str {
        match self {
            Refusal::Loop => "loop",
            Refusal::M365Certificate => "m365_certificate",
            Refusal::M365TenantIdMissing => "m365_tenant_id_missing",
            Refusal::M365TenantIdRepeated => "m365_tenant_id_repeated",
            Refusal::M365TenantIdWrong => "m365_tenant_id_wrong",
            Refusal::M365TokenMissing => "m365_token_missing",
            Refusal::M365TokenWrong => "m365_token_wrong",
            Refusal::GoogleTls => "google_tls",
            Refusal::GoogleTokenMissing => "google_token_missing",
            Refusal::GoogleTokenWrong => "google_token_wrong",
            Refusal::GoogleDkim => "google_dkim",
            Refusal::GoogleDkimDns => "google_dkim_dns",
            Refusal::TokenUnavailable => "token_unavailable",
        }
    }

    /// The short code in the reply text.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Loop => "SG-LOOP",
            Refusal::M365Certificate => "SG-M365-CERT",
            Refusal::M365TenantIdMissing => "SG-M365-TENANT-ID-MISSING",
            Refusal::M365TenantIdRepeated => "SG-M365-TENANT-ID-REPEATED",
            Refusal::M365TenantIdWrong => "SG-M365-TENANT-ID",
            Refusal::M365TokenMissing => "SG-M365-TOKEN-MISSING",
            Refusal::M365TokenWrong => "SG-M365-TOKEN",
            Refusal::GoogleTls => "SG-GOOGLE-TLS",
            Refusal::GoogleTokenMissing => "SG-GOOGLE-TOKEN-MISSING",
            Refusal::GoogleTokenWrong => "SG-GOOGLE-TOKEN",
            Refusal::GoogleDkim => "SG-GOOGLE-DKIM",
            Refusal::GoogleDkimDns => "SG-GOOGLE-DKIM-DNS",
            Refusal::TokenUnavailable => "SG-TOKEN-UNAVAILABLE",
        }
    }

    /// The SMTP reply (generic text plus the code; nothing from the message).
    pub fn reply(self) -> Reply {
        let code = self.code();
        match self {
            Refusal::Loop => Reply::new(554, [5, 4, 6], format!("[{code}] Mail loop detected")),
            Refusal::GoogleDkimDns => Reply::new(
                451,
                [4, 7, 5],
                format!("[{code}] DKIM key lookup failed, try again later"),
            ),
            Refusal::TokenUnavailable => Reply::new(
                451,
                [4, 7, 0],
                format!("[{code}] Tenant not ready, try again later"),
            ),
            _ => Reply::new(
                550,
                [5, 7, 1],
                format!("[{code}] Not accepted: tenant identity check failed"),
            ),
        }
    }
}
