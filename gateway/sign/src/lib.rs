//! The **sign** stage: DKIM signatures (RFC 6376, RFC 8463) made with the sending tenant's own
//! keys, as the last change to every body.
//!
//! # Use
//!
//! Build one [`Signer`] at start-up from the configuration ([`Signer::from_config`]: every
//! `[[tenants.NAME.dkim]]` entry plus the gateway's own `[gateway] dkim_selector`/`dkim_key`),
//! share it (`Arc<Signer>`, it is `Send + Sync`), and call [`Signer::sign`] on the final bytes of
//! each recipient's copy — after transform, after any 8-bit → 7-bit conversion, after a fallback
//! to another method. Signing is CPU work (an RSA-2048 signature of a 10 KiB message costs about
//! 0.27 ms on one core, Ed25519 about 16 µs; `cargo bench -p sealgate-sign`), so
//! async callers run it in `spawn_blocking`:
//!
//! ```
//! # fn deliver(signer: &sealgate_sign::Signer, tenant: &str, body: &[u8]) -> Result<(), sealgate_sign::SignError> {
//! use sealgate_sign::KeyOwner;
//! let outcome = signer.sign(&KeyOwner::Tenant(tenant.to_string()), body)?;
//! let signed: Vec<u8> = outcome.apply(body); // our DKIM-Signature(s) prepended, body untouched
//! # Ok(()) }
//! ```
//!
//! # What is signed, and how
//!
//! - **Ownership.** Keys belong to a [`KeyOwner`]: a tenant, or the gateway itself (DSNs, sender
//!   notices). A message is signed only with keys of the owner the caller names, and only with
//!   keys whose domain is the domain of the message's header `From` — or, when the owner has no
//!   key for that exact domain, its nearest parent domain (`From: a@mail.acme.org` is signed with
//!   `d=acme.org`, which DMARC's relaxed alignment accepts). Parents stop at two labels, so a key
//!   is never matched as a top-level domain. Tenant A's signer asked to sign a `From` in tenant B's
//!   domain finds no key and returns [`Outcome::Unsigned`]; a domain's keys belong to one tenant
//!   (loading refuses the same domain under two tenants).
//! - **Rotation and dual algorithms.** Every key configured for the chosen domain signs, in
//!   configuration order (the first configured ends up topmost). So a rotation is: add the new
//!   selector, publish its record, later remove the old key — the message always carries a
//!   signature whose record is published; and RSA + Ed25519 for the same domain gives every
//!   message both signatures, as RFC 8463 §5 recommends while Ed25519 support spreads.
//! - **Canonicalisation `relaxed/simple`.** Header canonicalisation is relaxed; *body*
//!   canonicalisation is `simple` because mail-auth 0.13.3's relaxed body canonicalisation
//!   mis-handles trailing whitespace-only lines (upstream issue #62, fixed in 0.15, which needs a
//!   newer compiler). `simple` is exact about the body, which is what we want: nothing after us
//!   changes it. Bodies must already be CRLF (the accept stage refuses bare CR/LF).
//! - **Headers.** Of `From, To, Cc, Subject, Date, Message-ID, MIME-Version, Content-Type,
//!   Reply-To, In-Reply-To, References` every instance present is signed ([`SIGNED_HEADERS`]);
//!   `From` and `Subject` are listed once more than present (*oversigned*), so a `From` or
//!   `Subject` added later breaks the signature. Absent headers other than those two are not
//!   listed. There is never an `l=` tag: the whole body is covered. `t=` is the signing time
//!   from the system clock (mail-auth 0.13.3's public API takes no clock); no `x=`.
//! - **Existing signatures** (Exchange Online's, Google's) are left byte-for-byte intact; ours is
//!   prepended above them. So sign the *unsigned* copy each time a body changes: signing a copy
//!   that already carries our signature stacks a second one above the stale first.
//! - **What is not signed:** a message without exactly one `From` field, or whose `From`
//!   addresses are in several domains, or whose domain has no key of the owner — the reason is
//!   in [`Unsigned`]. Whether to deliver it unsigned is the caller's policy.
//!
//! # Keys
//!
//! PEM files: RSA as PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`), 2048 to
//! 8192 bits (aws-lc-rs refuses smaller ones; RFC 8301 asks for at least 1024 and recommends
//! 2048); Ed25519 as PKCS#8. `sealgate dkim keygen` ([`keygen`]) makes either and prints the DNS
//! record. A key that cannot be read or parsed is a configuration error naming the key
//! ([`KeyProblem`]); all such problems are reported at once.
//!
//! Nothing here logs; errors and outcomes carry key names and domains, never bodies, subjects or
//! addresses.
#![forbid(unsafe_code)]

mod error;
mod headers;
mod key;
pub mod keygen;
mod signer;

pub use error::{KeyProblem, SignError};
pub use headers::SIGNED_HEADERS;
pub use key::{KeyOwner, KeySpec, KeyType, is_valid_selector};
pub use signer::{Outcome, SignatureInfo, Signed, Signer, Unsigned};
