//! Outbound TLS (rustls, TLS 1.2 and 1.3 only).
//!
//! Opportunistic and "required" TLS accept any certificate — that is what those levels mean
//! (RFC 7435) — but every handshake's certificate is still checked against the Mozilla roots
//! and the host name, and the result is recorded with the attempt. The verified level uses a
//! config whose handshake fails unless that check passes. Handshake signatures are always
//! verified.

use crate::error::DeliverError;
use rustls::ClientConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use sealgate_tlspolicy::verify::AnyCert;
use std::sync::Arc;

/// The client TLS configurations, built once.
#[derive(Clone)]
pub struct TlsClient {
    /// Accepts any certificate (opportunistic / required levels).
    pub any_cert: Arc<ClientConfig>,
    /// Requires a certificate valid for the host name under the Mozilla roots.
    pub verified: Arc<ClientConfig>,
    webpki: Arc<WebPkiServerVerifier>,
}

impl std::fmt::Debug for TlsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsClient")
    }
}

impl TlsClient {
    /// Builds both configurations with the aws-lc-rs provider.
    pub fn new() -> Result<TlsClient, DeliverError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| DeliverError::Config(format!("TLS roots: {e}")))?;
        let builder = || {
            ClientConfig::builder_with_provider(provider.clone())
                .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
                .map_err(|e| DeliverError::Config(format!("TLS: {e}")))
        };
        let verified = builder()?
            .with_webpki_verifier(webpki.clone())
            .with_no_client_auth();
        let any_cert = builder()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCert(provider.clone())))
            .with_no_client_auth();
        Ok(TlsClient {
            any_cert: Arc::new(any_cert),
            verified: Arc::new(verified),
            webpki,
        })
    }

    /// Whether the presented chain is valid for `host` under the Mozilla roots (recorded with
    /// every attempt, whatever the level).
    pub fn check(&self, host: &str, chain: &[CertificateDer<'_>]) -> bool {
        let (Some(ee), Ok(name)) = (chain.first(), ServerName::try_from(host.to_string())) else {
            return false;
        };
        self.webpki
            .verify_server_cert(ee, &chain[1..], &name, &[], UnixTime::now())
            .is_ok()
    }
}

/// Protocol version and cipher suite names of an established session.
pub fn describe(conn: &rustls::ClientConnection) -> (Option<String>, Option<String>) {
    let version = conn.protocol_version().map(|v| match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
        other => format!("{other:?}"),
    });
    let suite = conn
        .negotiated_cipher_suite()
        .map(|s| s.suite().as_str().unwrap_or("unknown").to_string());
    (version, suite)
}
