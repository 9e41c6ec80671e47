//! TLS for the load tool: a client that accepts any server certificate (the bench talks to
//! self-signed gateways and sinks on loopback, never to the internet) and a sink server
//! configuration with a fresh self-signed ECDSA P-256 certificate (the kind `sealgate serve`
//! generates for itself).

use rustls::crypto::{CryptoProvider, aws_lc_rs};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ClientConfig, ServerConfig};
// Accepts every certificate but still checks the handshake signatures, so the TLS work done is
// the same as a verifying client's minus the chain walk.
use sealgate_tlspolicy::verify::AnyCert;
use std::sync::Arc;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(aws_lc_rs::default_provider())
}

/// The client side: TLS 1.2+, any certificate, session resumption as rustls does by default.
pub fn client() -> Result<Arc<ClientConfig>, String> {
    let p = provider();
    let cfg = ClientConfig::builder_with_provider(p.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("client TLS versions: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCert(p)))
        .with_no_client_auth();
    Ok(Arc::new(cfg))
}

/// The sink side: a self-signed certificate for `sink.bench.test`, or the PEM files given.
pub fn server(files: Option<(&str, &str)>) -> Result<Arc<ServerConfig>, String> {
    let (chain, key) = match files {
        Some((cert, key)) => pem_files(cert, key)?,
        None => {
            let made = rcgen::generate_simple_self_signed(vec!["sink.bench.test".to_string()])
                .map_err(|e| format!("self-signed certificate: {e}"))?;
            let key = PrivatePkcs8KeyDer::from(made.signing_key.serialize_der());
            (vec![made.cert.der().clone()], PrivateKeyDer::Pkcs8(key))
        }
    };
    let cfg = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("server TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("sink certificate: {e}"))?;
    Ok(Arc::new(cfg))
}

type Chain = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

fn pem_files(cert: &str, key: &str) -> Result<Chain, String> {
    use rustls::pki_types::pem::PemObject;
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{cert}: {e}"))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{key}: {e}"))?;
    Ok((chain, key))
}
