//! DANE for SMTP (RFC 7672): TLSA records and the certificate verifier they make.
//!
//! Guarantees: only usages DANE-TA(2) and DANE-EE(3), selectors Cert(0) and SPKI(1) and
//! matching types Full(0), SHA2-256(1), SHA2-512(2) are usable (RFC 7672 §3.1); anything else
//! is ignored, and a set with no usable record makes the MX `encrypt` ([`TlsaSet::usable`]).
//! DANE-EE matches the server's own certificate and checks neither names nor expiry
//! (§3.1.1). DANE-TA matches a certificate of the presented chain, which must then chain the
//! server certificate to it with a valid name for the MX host and valid dates (§3.1.2).
//! Handshake signatures are always verified. Records count only when their DNSSEC proof is
//! Secure (see [`crate::dns`]).

use crate::verify::{provider, verify_tls12, verify_tls13};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};
use std::sync::Arc;

/// One TLSA record (RFC 6698 §2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tlsa {
    /// Certificate usage (2 = DANE-TA, 3 = DANE-EE).
    pub usage: u8,
    /// Selector (0 = full certificate, 1 = SubjectPublicKeyInfo).
    pub selector: u8,
    /// Matching type (0 = exact, 1 = SHA2-256, 2 = SHA2-512).
    pub matching: u8,
    /// Certificate association data.
    pub data: Vec<u8>,
}

impl Tlsa {
    /// Usable for SMTP per RFC 7672 §3.1.
    pub fn is_usable(&self) -> bool {
        matches!(self.usage, 2 | 3)
            && matches!(self.selector, 0 | 1)
            && match self.matching {
                0 => !self.data.is_empty(),
                1 => self.data.len() == 32,
                2 => self.data.len() == 64,
                _ => false,
            }
    }

    /// Whether this record matches `cert` (DER), ignoring usage.
    pub fn matches(&self, cert: &[u8]) -> bool {
        let selected = match self.selector {
            0 => cert,
            1 => match spki_of(cert) {
                Some(s) => s,
                None => return false,
            },
            _ => return false,
        };
        match self.matching {
            0 => selected == self.data.as_slice(),
            1 => Sha256::digest(selected).as_slice() == self.data.as_slice(),
            2 => Sha512::digest(selected).as_slice() == self.data.as_slice(),
            _ => false,
        }
    }

    /// Presentation form, e.g. `3 1 1 ab12…` (for explain and TLS-RPT `policy-string`).
    pub fn presentation(&self) -> String {
        format!(
            "{} {} {} {}",
            self.usage,
            self.selector,
            self.matching,
            hex::encode(&self.data)
        )
    }
}

/// The TLSA RRset of one MX host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsaSet(pub Vec<Tlsa>);

impl TlsaSet {
    /// The usable records; empty means "all unusable" (the MX is then `encrypt`).
    pub fn usable(&self) -> Vec<Tlsa> {
        self.0.iter().filter(|t| t.is_usable()).cloned().collect()
    }
}

/// A DER element: (tag, header length, content length); `None` when malformed.
fn der_header(b: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    if first < 0x80 {
        return Some((tag, 2, usize::from(first)));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let mut len = 0usize;
    for i in 0..n {
        len = (len << 8) | usize::from(*b.get(2 + i)?);
    }
    Some((tag, 2 + n, len))
}

/// Splits one whole DER element off the front: (element, rest).
fn der_take(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let (_, h, l) = der_header(b)?;
    let end = h.checked_add(l)?;
    (end <= b.len()).then(|| b.split_at(end))
}

/// The contents of a constructed element.
fn der_inner(b: &[u8]) -> Option<&[u8]> {
    let (_, h, l) = der_header(b)?;
    b.get(h..h.checked_add(l)?)
}

/// The DER SubjectPublicKeyInfo of an X.509 certificate (RFC 5280 §4.1).
pub fn spki_of(cert: &[u8]) -> Option<&[u8]> {
    let (whole, _) = der_take(cert)?;
    let (tbs, _) = der_take(der_inner(whole)?)?;
    let mut rest = der_inner(tbs)?;
    // [0] EXPLICIT version is optional.
    if rest.first() == Some(&0xa0) {
        rest = der_take(rest)?.1;
    }
    // serialNumber, signature, issuer, validity, subject.
    for _ in 0..5 {
        rest = der_take(rest)?.1;
    }
    let (spki, _) = der_take(rest)?;
    (spki.first() == Some(&0x30)).then_some(spki)
}

/// Verifies a server certificate against usable TLSA records (RFC 7672 §3).
#[derive(Debug)]
pub struct DaneVerifier {
    records: Vec<Tlsa>,
    provider: Arc<CryptoProvider>,
}

impl DaneVerifier {
    /// A verifier for these records (only usable ones are kept).
    pub fn new(records: &[Tlsa]) -> DaneVerifier {
        DaneVerifier {
            records: records.iter().filter(|t| t.is_usable()).cloned().collect(),
            provider: provider(),
        }
    }

    /// DANE-TA: some record matches a chain certificate that then anchors the server's.
    fn ta_ok(
        &self,
        ee: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        now: UnixTime,
    ) -> bool {
        for (i, cert) in intermediates.iter().enumerate() {
            if !self
                .records
                .iter()
                .any(|t| t.usage == 2 && t.matches(cert.as_ref()))
            {
                continue;
            }
            let mut roots = RootCertStore::empty();
            if roots.add(cert.clone()).is_err() {
                continue;
            }
            let Ok(v) =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                    .build()
            else {
                continue;
            };
            if v.verify_server_cert(ee, &intermediates[..i], name, &[], now)
                .is_ok()
            {
                return true;
            }
        }
        false
    }
}

impl ServerCertVerifier for DaneVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self
            .records
            .iter()
            .any(|t| t.usage == 3 && t.matches(end_entity.as_ref()))
        {
            return Ok(ServerCertVerified::assertion());
        }
        if self.ta_ok(end_entity, intermediates, server_name, now) {
            return Ok(ServerCertVerified::assertion());
        }
        Err(rustls::Error::InvalidCertificate(
            CertificateError::ApplicationVerificationFailure,
        ))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12(&self.provider, message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13(&self.provider, message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usability_follows_rfc7672() {
        let t = |u, s, m, n| Tlsa {
            usage: u,
            selector: s,
            matching: m,
            data: vec![0; n],
        };
        assert!(t(3, 1, 1, 32).is_usable());
        assert!(t(2, 0, 2, 64).is_usable());
        assert!(!t(1, 1, 1, 32).is_usable()); // PKIX-EE: not for SMTP
        assert!(!t(0, 0, 1, 32).is_usable());
        assert!(!t(3, 2, 1, 32).is_usable());
        assert!(!t(3, 1, 1, 31).is_usable());
        assert!(TlsaSet(vec![t(1, 1, 1, 32)]).usable().is_empty());
    }
}
