//! Fetching `https://mta-sts.DOMAIN/.well-known/mta-sts.txt` (RFC 8461 §3.3).
//!
//! Guarantees: the server's certificate must be WebPKI-valid for `mta-sts.DOMAIN` under the
//! configured roots (the Mozilla roots in production); TLS 1.2+; redirects are refused
//! (§3.3: "HTTP 3xx redirects MUST NOT be followed"); only `200` with media type `text/plain`
//! is accepted; the body is read in chunks and refused past 64 KiB; the whole request is bounded
//! by the configured timeout. No proxy is used.

use crate::error::TlsPolicyError;
use crate::mtasts::policy::StsPolicy;
use rustls::RootCertStore;
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
        let client = client(&self.config, &host)?;
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

/// An HTTPS client for `host`: the configured roots, TLS 1.2+, no redirects, no proxy, the
/// time limit, and the test-only address override.
pub(crate) fn client(
    config: &FetcherConfig,
    host: &str,
) -> Result<reqwest::Client, TlsPolicyError> {
    let tls = rustls::ClientConfig::builder_with_provider(crate::verify::provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsPolicyError::Config(format!("TLS: {e}")))?
        .with_root_certificates(config.roots.clone())
        .with_no_client_auth();
    let mut b = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        .no_proxy()
        .https_only(true)
        .user_agent("sealgate");
    if let Some(addr) = config.connect_to {
        b = b.resolve(host, addr);
    }
    b.build()
        .map_err(|e| TlsPolicyError::Config(format!("HTTP client: {e}")))
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
