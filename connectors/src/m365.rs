//! The `m365` platform: Microsoft 365 / Exchange Online.
//!
//! - *Is this client this platform?* Its source is in Exchange Online's outbound ranges
//!   (`defaults::M365_NETWORKS`, or the tenant's `networks`) — checked when it becomes a
//!   candidate — and it presented a verified client certificate for
//!   `mail.protection.outlook.com` (or the tenant's `client_cert_names`).
//! - *Which tenant?* Every Exchange Online customer shares those, so the tenant is told by
//!   exactly one `X-MS-Exchange-CrossTenant-Id` header equal to the tenant's directory id
//!   (Exchange sets it from the sending organisation) *and* the tenant's secret token in
//!   `X-Sealgate-Token` (set by the tenant's transport rule, a fixed value). The sender domains
//!   (envelope and header From) must be the tenant's too (checked by the caller).
//! - *Return route:* the tenant's `*.mail.protection.outlook.com` host, TLS verified, the
//!   gateway presenting its per-tenant client certificate (`gateway/deliver`).

use crate::attribute::SessionFacts;
use crate::headers;
use crate::refusal::Refusal;
use crate::smtp::has_name;
use crate::token::{TOKEN_HEADER, Token};

/// The header Exchange Online sets to the sending organisation's tenant id.
pub const TENANT_ID_HEADER: &str = "X-MS-Exchange-CrossTenant-Id";

/// Every check of an m365 tenant, in order: certificate, tenant id, token.
pub fn check(
    tenant_id: &str,
    cert_names: &[String],
    token: Option<&Token>,
    session: &SessionFacts<'_>,
    message: &[u8],
) -> Result<(), Refusal> {
    if !has_name(cert_names, session.cert_names) {
        return Err(Refusal::M365Certificate);
    }
    let ids = headers::values(message, TENANT_ID_HEADER);
    match ids.as_slice() {
        [] => return Err(Refusal::M365TenantIdMissing),
        [one] if one.eq_ignore_ascii_case(tenant_id.as_bytes()) => {}
        [_] => return Err(Refusal::M365TenantIdWrong),
        _ => return Err(Refusal::M365TenantIdRepeated),
    }
    check_token(
        token,
        message,
        Refusal::M365TokenMissing,
        Refusal::M365TokenWrong,
    )
}

/// The token check shared by the platforms: no token header → `missing`; none of the token
/// headers is the tenant's → `wrong` (several may be present when mail was forwarded).
pub fn check_token(
    token: Option<&Token>,
    message: &[u8],
    missing: Refusal,
    wrong: Refusal,
) -> Result<(), Refusal> {
    let Some(token) = token else {
        return Err(Refusal::TokenUnavailable);
    };
    let presented = headers::values(message, TOKEN_HEADER);
    if presented.is_empty() {
        return Err(missing);
    }
    if presented.iter().any(|p| token.matches(p)) {
        Ok(())
    } else {
        Err(wrong)
    }
}
