//! S/MIME: CMS enveloped-data (RFC 8551) to one recipient certificate.
//!
//! Guarantees: the content cipher is AES-256-CBC with RSA PKCS#1 v1.5 key transport (what
//! Outlook and `openssl smime` read), unless the certificate's SMIMECapabilities extension
//! lists AES-256-GCM, and only then authEnveloped-data. A certificate is used only when it
//! chains to the configured roots for S/MIME encryption and it and its chain are within their
//! validity at the given time. Signing is not done yet.

use crate::mime;
use crate::skip::Problem;
use openssl::asn1::Asn1Time;
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::hash::MessageDigest;
use openssl::stack::Stack;
use openssl::symm::Cipher;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{X509, X509PurposeId, X509StoreContext};
use sealgate_core::Timestamp;
use std::cmp::Ordering;

/// The roots S/MIME certificates must chain to.
pub struct SmimeTrust {
    store: X509Store,
}

impl std::fmt::Debug for SmimeTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmimeTrust")
    }
}

/// The trust store could not be built.
#[derive(Debug, thiserror::Error)]
#[error("S/MIME trust roots unusable: {0}")]
pub struct TrustError(String);

impl SmimeTrust {
    fn builder() -> Result<X509StoreBuilder, TrustError> {
        let e = |e: openssl::error::ErrorStack| TrustError(e.to_string());
        let mut b = X509StoreBuilder::new().map_err(e)?;
        // Validity is checked against the caller's clock in `check`, not the wall clock.
        b.set_flags(X509VerifyFlags::NO_CHECK_TIME).map_err(e)?;
        b.set_purpose(X509PurposeId::SMIME_ENCRYPT).map_err(e)?;
        Ok(b)
    }

    /// The operating system's roots.
    pub fn system() -> Result<Self, TrustError> {
        let mut b = Self::builder()?;
        b.set_default_paths()
            .map_err(|e| TrustError(e.to_string()))?;
        Ok(SmimeTrust { store: b.build() })
    }

    /// The roots in a PEM bundle (a configured CA file).
    pub fn from_pem(bundle: &[u8]) -> Result<Self, TrustError> {
        let certs = X509::stack_from_pem(bundle).map_err(|e| TrustError(e.to_string()))?;
        if certs.is_empty() {
            return Err(TrustError("no certificate in the bundle".into()));
        }
        let mut b = Self::builder()?;
        for c in certs {
            b.add_cert(c).map_err(|e| TrustError(e.to_string()))?;
        }
        Ok(SmimeTrust { store: b.build() })
    }
}

/// A recipient certificate with the intermediates stored beside it.
pub(crate) struct SmimeCert {
    leaf: X509,
    chain: Vec<X509>,
}

impl SmimeCert {
    /// Parses PEM (leaf first, then intermediates) or a single DER certificate.
    pub(crate) fn parse(material: &[u8]) -> Result<Self, Problem> {
        let mut certs = if material.starts_with(b"-----")
            || material.windows(11).any(|w| w == b"-----BEGIN ")
        {
            X509::stack_from_pem(material).map_err(|_| Problem::Unparseable)?
        } else {
            vec![X509::from_der(material).map_err(|_| Problem::Unparseable)?]
        };
        if certs.is_empty() {
            return Err(Problem::Unparseable);
        }
        let leaf = certs.remove(0);
        Ok(SmimeCert { leaf, chain: certs })
    }

    /// SHA-256 of the leaf's DER, upper-case hex.
    pub(crate) fn fingerprint(&self) -> String {
        self.leaf
            .digest(MessageDigest::sha256())
            .map(|d| hex::encode_upper(&*d))
            .unwrap_or_default()
    }

    /// The leaf's serial number, upper-case hex.
    pub(crate) fn serial(&self) -> String {
        self.leaf
            .serial_number()
            .to_bn()
            .ok()
            .and_then(|bn| bn.to_hex_str().ok().map(|s| s.to_string()))
            .unwrap_or_default()
    }

    /// E-mail addresses named by the certificate (SAN rfc822Name and subject emailAddress),
    /// lower case.
    pub(crate) fn addresses(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if let Some(sans) = self.leaf.subject_alt_names() {
            out.extend(
                sans.iter()
                    .filter_map(|n| n.email().map(str::to_ascii_lowercase)),
            );
        }
        for e in self
            .leaf
            .subject_name()
            .entries_by_nid(openssl::nid::Nid::PKCS9_EMAILADDRESS)
        {
            if let Ok(s) = e.data().to_string() {
                out.push(s.to_ascii_lowercase());
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Validity at `now` of the leaf and its chain, and the chain to a trusted root.
    pub(crate) fn check(&self, trust: &SmimeTrust, now: Timestamp) -> Result<(), Problem> {
        let at = i64::try_from(now.secs()).unwrap_or(i64::MAX);
        let now = Asn1Time::from_unix(at).map_err(|_| Problem::EncryptFailed)?;
        within(&self.leaf, &now)?;
        let mut stack = Stack::new().map_err(|_| Problem::EncryptFailed)?;
        for c in &self.chain {
            stack.push(c.clone()).map_err(|_| Problem::EncryptFailed)?;
        }
        let mut ctx = X509StoreContext::new().map_err(|_| Problem::EncryptFailed)?;
        let verdict = ctx
            .init(&trust.store, &self.leaf, &stack, |c| {
                let ok = c.verify_cert()?;
                let built: Vec<X509> = c
                    .chain()
                    .map(|s| s.iter().map(|x| x.to_owned()).collect())
                    .unwrap_or_default();
                Ok((ok, c.error().error_string().to_string(), built))
            })
            .map_err(|_| Problem::EncryptFailed)?;
        let (ok, reason, built) = verdict;
        if !ok {
            return Err(Problem::Untrusted { reason });
        }
        built.iter().try_for_each(|c| within(c, &now))
    }

    /// True when the certificate's SMIMECapabilities extension lists AES-256-GCM.
    pub(crate) fn lists_gcm(&self) -> bool {
        self.leaf
            .to_der()
            .is_ok_and(|der| capabilities_list_gcm(&der))
    }

    /// CMS enveloped-data (or authEnveloped-data when `gcm`) of `data`, DER.
    pub(crate) fn encrypt(&self, data: &[u8], gcm: bool) -> Result<Vec<u8>, Problem> {
        let mut certs = Stack::new().map_err(|_| Problem::EncryptFailed)?;
        certs
            .push(self.leaf.clone())
            .map_err(|_| Problem::EncryptFailed)?;
        let cipher = if gcm {
            Cipher::aes_256_gcm()
        } else {
            Cipher::aes_256_cbc()
        };
        let cms = CmsContentInfo::encrypt(&certs, data, cipher, CMSOptions::BINARY)
            .map_err(|_| Problem::EncryptFailed)?;
        cms.to_der().map_err(|_| Problem::EncryptFailed)
    }
}

fn within(cert: &X509, now: &Asn1Time) -> Result<(), Problem> {
    if cert
        .not_before()
        .compare(now)
        .map_err(|_| Problem::Unparseable)?
        == Ordering::Greater
    {
        return Err(Problem::NotYetValid);
    }
    if cert
        .not_after()
        .compare(now)
        .map_err(|_| Problem::Unparseable)?
        == Ordering::Less
    {
        return Err(Problem::Expired);
    }
    Ok(())
}

/// DER of OID 1.2.840.113549.1.9.15 (smimeCapabilities).
const SMIME_CAPABILITIES: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0f,
];
/// DER of OID 2.16.840.1.101.3.4.1.46 (id-aes256-GCM).
const AES256_GCM: &[u8] = &[
    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2e,
];

/// Looks for the smimeCapabilities extension (`SEQUENCE { OID, [BOOLEAN], OCTET STRING }`)
/// and for the AES-256-GCM OID inside its value only.
fn capabilities_list_gcm(der: &[u8]) -> bool {
    let Some(at) = der
        .windows(SMIME_CAPABILITIES.len())
        .position(|w| w == SMIME_CAPABILITIES)
    else {
        return false;
    };
    let mut rest = &der[at + SMIME_CAPABILITIES.len()..];
    if rest.first() == Some(&0x01) {
        rest = rest.get(3..).unwrap_or_default();
    }
    let Some((&0x04, after)) = rest.split_first() else {
        return false;
    };
    let Some((len, body)) = der_length(after) else {
        return false;
    };
    body.get(..len)
        .is_some_and(|v| v.windows(AES256_GCM.len()).any(|w| w == AES256_GCM))
}

/// A DER length and what follows it.
fn der_length(b: &[u8]) -> Option<(usize, &[u8])> {
    let (&first, rest) = b.split_first()?;
    if first < 0x80 {
        return Some((first as usize, rest));
    }
    let n = (first & 0x7f) as usize;
    if n == 0 || n > 4 || rest.len() < n {
        return None;
    }
    let len = rest[..n]
        .iter()
        .fold(0usize, |acc, &x| (acc << 8) | x as usize);
    Some((len, &rest[n..]))
}

/// An `application/pkcs7-mime` message: `outer` headers, then the DER in base64.
pub(crate) fn smime_body(outer: Vec<u8>, der: &[u8], gcm: bool) -> Vec<u8> {
    let mut out = outer;
    let smime_type = if gcm {
        "authEnveloped-data"
    } else {
        "enveloped-data"
    };
    out.extend_from_slice(
        format!(
            "MIME-Version: 1.0\r\n\
             Content-Type: application/pkcs7-mime; smime-type={smime_type};\r\n name=smime.p7m\r\n\
             Content-Transfer-Encoding: base64\r\n\
             Content-Disposition: attachment; filename=smime.p7m\r\n\
             Content-Description: S/MIME encrypted message\r\n\
             \r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(&mime::base64_lines(der));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcm_is_found_only_inside_the_capabilities_extension() {
        let mut ext = SMIME_CAPABILITIES.to_vec();
        ext.extend_from_slice(&[0x04, 0x0f, 0x30, 0x0d, 0x30, 0x0b]);
        ext.extend_from_slice(AES256_GCM);
        assert!(capabilities_list_gcm(&ext));
        let mut outside = SMIME_CAPABILITIES.to_vec();
        outside.extend_from_slice(&[0x04, 0x02, 0x30, 0x00]);
        outside.extend_from_slice(AES256_GCM);
        assert!(!capabilities_list_gcm(&outside));
        assert!(!capabilities_list_gcm(AES256_GCM));
    }
}
