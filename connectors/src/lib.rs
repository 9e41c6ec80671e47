//! Tenant platforms: who may relay through Sealgate, and as whom. Default deny.
//!
//! One module per platform answers the same questions — is this client this platform, which
//! tenant is it, what return route:
//! - [`smtp`]: a customer's own MTA, by networks and/or client-certificate name.
//! - [`m365`]: Exchange Online's ranges and certificate, then exactly one
//!   `X-MS-Exchange-CrossTenant-Id` equal to the tenant's id and the tenant's secret token.
//! - [`google`]: Google's ranges and STARTTLS, then the token and a DKIM signature verifying
//!   for one of the tenant's domains.
//!
//! A client is a candidate for the tenants whose platform admits it (`tenants.rs`); the
//! envelope sender and every header From domain pick the tenant among them; attribution
//! (`attribute.rs`) then runs that tenant's platform checks — every failure refuses the
//! message with its own [`Refusal`] (metric label, log value, `[SG-…]` code in the reply),
//! never a fallback to another tenant. Accepted mail loses outside `X-Sealgate-*` header
//! fields and carries this gateway's [`LoopStamp`]; a message arriving with a valid one is
//! refused as a loop. Each attribution's facts are kept per tenant ([`FactLog`]), and so is a
//! client no tenant admits that sends as a tenant's domain (`SG-NOT-TENANT`).
//!
//! Mail to `connect-test@<gateway domain>` from an attributed tenant is the connector
//! self-test: [`Tenant::passed_checks`] writes the report's check lines (`self_test.rs`).
//!
//! [`connect`] generates each platform's setup (PowerShell script, Google console steps, DNS
//! records) and diagnoses it from those facts (`sealgate connect …`).
#![forbid(unsafe_code)]

mod attribute;
pub mod connect;
mod facts;
pub mod google;
mod header_from;
pub mod headers;
pub mod m365;
mod refusal;
mod self_test;
pub mod smtp;
mod stamp;
mod tenants;
mod token;

pub use attribute::SessionFacts;
pub use facts::{Fact, FactLog, KEPT_PER_TENANT};
pub use google::{DkimReport, DkimVerifier, MailAuthDkim};
pub use header_from::{HeaderFromError, header_from_domains, other_originator_domains};
pub use refusal::Refusal;
pub use self_test::{SELF_TEST_LOCAL_PART, self_test_address};
pub use stamp::{LoopStamp, STAMP_HEADER};
pub use tenants::{NOT_TENANT, Tenant, Tenants};
pub use token::{MIN_TOKEN_LEN, TOKEN_HEADER, Token, TokenError};
