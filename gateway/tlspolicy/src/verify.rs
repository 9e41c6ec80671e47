//! Certificate verifiers for each level and the client configurations built from them.
//!
//! Guarantees: TLS 1.2 and 1.3 only, aws-lc-rs suites (all AEAD, ≥ 128-bit); handshake
//! signatures are always verified, whatever the level; `encrypt` and `may` accept any
//! certificate (that is what those levels mean, RFC 7435); `verify` requires a WebPKI chain to
//! the configured roots valid for the MX host name; `dane` uses [`crate::dane::DaneVerifier`].
//! Whatever the level, [`Verifiers::webpki_ok`] tells whether the chain would pass `verify`, so
//! the attempt record and pins can say so.

use crate::error::TlsPolicyError;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;

/// The crypto provider every config here uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A client configuration (TLS 1.2+, no client auth) around `verifier`.
pub fn client_config(
    verifier: Arc<dyn ServerCertVerifier>,
) -> Result<Arc<ClientConfig>, TlsPolicyError> {
    let config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsPolicyError::Config(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The shared verifiers: any-certificate and WebPKI under the configured roots.
#[derive(Debug, Clone)]
pub struct Verifiers {
    /// Accepts any certificate (levels `may`, `encrypt`).
    pub any_cert: Arc<dyn ServerCertVerifier>,
    /// WebPKI chain + host name (level `verify`).
    pub webpki: Arc<WebPkiServerVerifier>,
}

impl Verifiers {
    /// Verifiers trusting `roots` (the Mozilla roots in production: [`mozilla_roots`]).
    pub fn new(roots: RootCertStore) -> Result<Verifiers, TlsPolicyError> {
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| TlsPolicyError::Config(format!("TLS roots: {e}")))?;
        Ok(Verifiers {
            any_cert: Arc::new(AnyCert(provider())),
            webpki,
        })
    }

    /// Whether `chain` is WebPKI-valid for `host` now.
    pub fn webpki_ok(&self, host: &str, chain: &[CertificateDer<'_>]) -> bool {
        let (Some(ee), Ok(name)) = (chain.first(), ServerName::try_from(host.to_string())) else {
            return false;
        };
        self.webpki
            .verify_server_cert(ee, &chain[1..], &name, &[], UnixTime::now())
            .is_ok()
    }
}

/// The Mozilla root program (`webpki-roots`), as the deliver stage uses.
pub fn mozilla_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    roots
}

/// Roots read from a PEM file (TEST RIGS ONLY: `[tls.testing] mta_sts_ca`).
pub fn roots_from_pem(pem: &[u8]) -> Result<RootCertStore, TlsPolicyError> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| TlsPolicyError::Config(format!("CA file: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| TlsPolicyError::Config(format!("CA file: {e}")))?;
    }
    if roots.is_empty() {
        return Err(TlsPolicyError::Config(
            "CA file holds no certificate".into(),
        ));
    }
    Ok(roots)
}

/// Accepts any certificate, but verifies handshake signatures with the provider's algorithms.
#[derive(Debug)]
pub struct AnyCert(pub Arc<CryptoProvider>);

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
        verify_tls12(&self.0, message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13(&self.0, message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

pub(crate) fn verify_tls12(
    p: &CryptoProvider,
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    rustls::crypto::verify_tls12_signature(message, cert, dss, &p.signature_verification_algorithms)
}

pub(crate) fn verify_tls13(
    p: &CryptoProvider,
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    rustls::crypto::verify_tls13_signature(message, cert, dss, &p.signature_verification_algorithms)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outbound: every suite offered is a TLS 1.2 or 1.3 AEAD with a key of 128 bits or more
    /// (no CBC, RC4, 3DES, NULL or export; rustls implements nothing below TLS 1.2).
    #[test]
    fn outbound_offers_tls12_and_13_with_128_bit_aead_suites_only() {
        let v = Verifiers::new(mozilla_roots()).unwrap_or_else(|e| panic!("verifiers: {e}"));
        let config = client_config(v.any_cert.clone()).unwrap_or_else(|e| panic!("{e}"));
        let suites = &config.crypto_provider().cipher_suites;
        assert!(!suites.is_empty());
        let mut versions = std::collections::BTreeSet::new();
        for s in suites {
            let name = format!("{:?}", s.suite());
            versions.insert(format!("{:?}", s.version().version));
            assert!(
                name.contains("AES_128_GCM")
                    || name.contains("AES_256_GCM")
                    || name.contains("CHACHA20_POLY1305"),
                "weak or non-AEAD suite offered: {name}"
            );
        }
        assert!(
            versions.iter().all(|v| v == "TLSv1_2" || v == "TLSv1_3"),
            "{versions:?}"
        );
    }
}
