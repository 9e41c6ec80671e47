//! MTA-STS (RFC 8461): the `_mta-sts` TXT record, the policy, its HTTPS fetch and its cache.
//!
//! Guarantees: see each module — [`record`] and [`policy`] parse strictly (a policy that
//! exists is valid), [`fetch`] refuses redirects, non-200 answers, other media types, bodies
//! over 64 KiB and slow servers, and verifies the WebPKI certificate of `mta-sts.DOMAIN`;
//! [`cache`] fetches only when the record's `id` changed or the cached policy lapsed, and keeps
//! a valid cached policy when a fetch or the DNS fails.

pub mod cache;
pub mod fetch;
pub mod policy;
pub mod record;

pub use cache::{StsLookup, StsResolver};
pub use fetch::{Fetcher, FetcherConfig};
pub use policy::{Mode, StsPolicy};
pub use record::StsRecord;
