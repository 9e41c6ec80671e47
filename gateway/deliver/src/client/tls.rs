//! Outbound TLS (rustls, TLS 1.2 and 1.3 only).
//!
//! Opportunistic and "required" TLS accept any certificate — that is what those levels mean
//! (RFC 7435) — but every handshake's certificate is still checked against the Mozilla roots
//! and the host name, and the result is recorded with the attempt. The verified level uses a
//! config whose handshake fails unless that check passes. Handshake signatures are always
//! verified.

use crate::error::DeliverError;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
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

/// Accepts any certificate, but verifies handshake signatures with the provider's algorithms.
#[derive(Debug)]
struct AnyCert(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
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
