//! The listener's TLS: TLS 1.2 and 1.3 only, AEAD suites only (rustls offers nothing weaker),
//! and — when some tenant authenticates by certificate — optional client-certificate
//! verification against the configured roots.

use rustls::ServerConfig;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

/// Why the TLS setup failed (a configuration problem, reported at start or reload).
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read or held nothing usable.
    #[error("cannot read {what} from {path}: {reason}")]
    Pem {
        /// `certificate`, `private key` or `client CA`.
        what: &'static str,
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// rustls refused the combination.
    #[error("TLS configuration refused: {0}")]
    Rustls(String),
}

/// Where client-certificate roots come from.
pub enum ClientRoots<'a> {
    /// Do not ask for client certificates.
    None,
    /// The Mozilla root program.
    Mozilla,
    /// A PEM bundle.
    File(&'a Path),
}

fn pem_err(what: &'static str, path: &Path, reason: impl ToString) -> TlsError {
    TlsError::Pem {
        what,
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// Builds the acceptor from PEM files.
pub fn acceptor(cert: &Path, key: &Path, roots: ClientRoots<'_>) -> Result<TlsAcceptor, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| pem_err("certificate", cert, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| pem_err("certificate", cert, e))?;
    if chain.is_empty() {
        return Err(pem_err("certificate", cert, "no certificate found"));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| pem_err("private key", key, e))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsError::Rustls(e.to_string()))?;
    let builder = match roots {
        ClientRoots::None => builder.with_no_client_auth(),
        other => {
            let store = root_store(other)?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(store), provider)
                .allow_unauthenticated()
                .build()
                .map_err(|e| TlsError::Rustls(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Rustls(e.to_string()))?;
    config.ignore_client_order = true;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn root_store(roots: ClientRoots<'_>) -> Result<rustls::RootCertStore, TlsError> {
    let mut store = rustls::RootCertStore::empty();
    match roots {
        ClientRoots::None => {}
        ClientRoots::Mozilla => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        ClientRoots::File(path) => {
            for cert in
                CertificateDer::pem_file_iter(path).map_err(|e| pem_err("client CA", path, e))?
            {
                let cert = cert.map_err(|e| pem_err("client CA", path, e))?;
                store.add(cert).map_err(|e| pem_err("client CA", path, e))?;
            }
            if store.is_empty() {
                return Err(pem_err("client CA", path, "no certificate found"));
            }
        }
    }
    Ok(store)
}

/// Of `candidates`, the names the (already chain-verified) end-entity certificate is valid for.
pub fn matching_names(cert: &CertificateDer<'_>, candidates: &[String]) -> Vec<String> {
    let Ok(ee) = webpki::EndEntityCert::try_from(cert) else {
        return Vec::new();
    };
    candidates
        .iter()
        .filter(|name| {
            ServerName::try_from(name.as_str())
                .is_ok_and(|sn| ee.verify_is_valid_for_subject_name(&sn).is_ok())
        })
        .cloned()
        .collect()
}

/// Protocol version and cipher suite names of an established session.
pub fn describe(conn: &rustls::ServerConnection) -> (Option<String>, Option<String>) {
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
