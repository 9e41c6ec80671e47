//! Tenant platforms: who may relay through Sealgate, and as whom.
//!
//! The generic part lives here: a client is a *candidate* for every tenant whose source networks
//! contain its address and/or whose accepted client-certificate names include a verified name
//! of its certificate (a tenant that configures both needs both). A candidate becomes *the*
//! tenant of a transaction only when the envelope sender's domain — and, at the end of DATA,
//! every header From domain — is one of that tenant's sender domains. Several Microsoft 365
//! tenants arrive from the same Exchange Online ranges with the same certificate, so the sender
//! domain is what tells them apart. Platform specifics (M365 tenant-id checks, Google's
//! per-customer header) plug in as later modules.
#![forbid(unsafe_code)]

mod header_from;
mod tenants;

pub use header_from::{HeaderFromError, header_from_domains, other_originator_domains};
pub use tenants::{Tenant, Tenants};
