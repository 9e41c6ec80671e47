//! Fetching `https://mta-sts.DOMAIN/.well-known/mta-sts.txt` (RFC 8461 §3.3).
//!
//! Guarantees: the server's certificate must be WebPKI-valid for `mta-sts.DOMAIN` under the
//! configured roots (the Mozilla roots in production); TLS 1.2+; redirects are refused
//! (§3.3: "HTTP 3xx redirects MUST NOT be followed"); only `200` with media type `text/plain`
//! is accepted; the body is read in chunks and refused past 64 KiB; the whole request is bounded
//! by the configured timeout. No proxy is used. The policy host's addresses (and those of a
//! TLS-RPT `https:` destination, which shares this client) pass the configured
//! [`DestinationGuard`] before any connection: a non-global address is refused and counted.

use crate::error::TlsPolicyError;
use crate::mtasts::policy::StsPolicy;
use rustls::RootCertStore;
use sealgate_core::{DestinationGuard, Purpose};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Largest policy body accepted (RFC 8461 §3.3 suggests 64 KiB).
pub const MAX_POLICY_SIZE: usize = 64 * 1024;

/// How policies are fetched.
#[derive(Debug, Clone)]
pub struct FetcherConfig {
    /// Whole-request time limit.
    pub timeout: Duration,
    /// Roots the policy host's certificate must chain to.
    pub roots: Arc<RootCertStore>,
    /// TEST RIGS ONLY (`[tls.testing] mta_sts_address`): connect every fetch here instead of
    /// resolving `mta-sts.DOMAIN`; the certificate is still checked for `mta-sts.DOMAIN`.
    pub connect_to: Option<SocketAddr>,
    /// Which addresses may be contacted (the override address too).
    pub guard: DestinationGuard,
}

/// The policy fetcher.
#[derive(Debug, Clone)]
pub struct Fetcher {
    config: FetcherConfig,
}

/// A fetched policy with its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The parsed policy.
    pub policy: StsPolicy,
    /// The body as received (what the cache stores).
    pub text: String,
}

impl Fetcher {
    /// A fetcher with this configuration.
    pub fn new(config: FetcherConfig) -> Fetcher {
        Fetcher { config }
    }

    /// Fetches and parses the policy of `domain`.
    pub async fn fetch(&self, domain: &str) -> Result<Fetched, TlsPolicyError> {
        let host = format!("mta-sts.{domain}");
        let url = format!("https://{host}/.well-known/mta-sts.txt");
        let client = client(&self.config, Purpose::MtaSts)?;
        let fail = |m: String| TlsPolicyError::Fetch(format!("{host}: {m}"));
        let mut resp = client
            .get(&url)
            .send()
            .await
            .map_err(|e| fail(error_chain(&e)))?;
        let status = resp.status();
        if status.is_redirection() {
            return Err(fail(format!("redirect ({status}) refused")));
        }
        if status != reqwest::StatusCode::OK {
            return Err(fail(format!("HTTP status {status}")));
        }
        let ctype = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let media = ctype.split(';').next().unwrap_or("").trim();
        if !media.eq_ignore_ascii_case("text/plain") {
            return Err(fail(format!("media type `{media}` is not text/plain")));
        }
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_POLICY_SIZE as u64)
        {
            return Err(fail("policy larger than 64 KiB".into()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| fail(error_chain(&e)))? {
            if body.len() + chunk.len() > MAX_POLICY_SIZE {
                return Err(fail("policy larger than 64 KiB".into()));
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(body).map_err(|_| fail("policy is not UTF-8".into()))?;
        let policy = StsPolicy::parse(&text)?;
        Ok(Fetched { policy, text })
    }
}

/// An HTTPS client: the configured roots, TLS 1.2+, no redirects, no proxy, the
/// time limit, the test-only address override, and host addresses through the guard.
pub(crate) fn client(
    config: &FetcherConfig,
    purpose: Purpose,
) -> Result<reqwest::Client, TlsPolicyError> {
    let tls = rustls::ClientConfig::builder_with_provider(crate::verify::provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsPolicyError::Config(format!("TLS: {e}")))?
        .with_root_certificates(config.roots.clone())
        .with_no_client_auth();
    let b = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        .no_proxy()
        .https_only(true)
        .user_agent("sealgate")
        .dns_resolver(Arc::new(Guarded {
            connect_to: config.connect_to,
            guard: config.guard.clone(),
            purpose,
        }));
    b.build()
        .map_err(|e| TlsPolicyError::Config(format!("HTTP client: {e}")))
}

/// Resolves with the system resolver (or answers the test override), then keeps only the
/// addresses the guard lets through; none left is an error, so no connection is attempted.
struct Guarded {
    connect_to: Option<SocketAddr>,
    guard: DestinationGuard,
    purpose: Purpose,
}

impl reqwest::dns::Resolve for Guarded {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let (host, fixed) = (name.as_str().to_string(), self.connect_to);
        let (guard, purpose) = (self.guard.clone(), self.purpose);
        Box::pin(async move {
            let found: Vec<SocketAddr> = match fixed {
                Some(addr) => vec![addr],
                // Port 0: reqwest uses the URL's.
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            let found_any = !found.is_empty();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|sa| guard.check(purpose, &host, sa.ip()).is_ok())
                .collect();
            if allowed.is_empty() && found_any {
                return Err(format!("{host}: only non-global addresses (refused)").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// An error with its sources (reqwest's top-level text hides the TLS reason).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
