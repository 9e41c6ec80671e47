//! Key generation for `sealgate dkim keygen`: a fresh private key as PKCS#8 PEM and the DNS
//! TXT record that publishes its public half. Both are standard: `openssl pkey` reads the PEM,
//! and the record follows RFC 6376 §3.6.1 (RSA: SubjectPublicKeyInfo DER) and RFC 8463 §4.2
//! (Ed25519: the raw 32-byte public key).

use crate::key::KeyType;
use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

/// A generated key.
pub struct GeneratedKey {
    /// The private key, PKCS#8 PEM (`BEGIN PRIVATE KEY`). Write it with mode 0600.
    pub private_pem: Zeroizing<String>,
    /// The TXT record value, e.g. `v=DKIM1; k=rsa; p=MIIB…`.
    pub txt: String,
}

/// Why a key could not be generated (the crypto library failed; not expected).
#[derive(Debug, thiserror::Error)]
#[error("cannot generate a DKIM key: {0}")]
pub struct KeygenError(String);

/// Generates a key: RSA-2048 or Ed25519.
pub fn generate(key_type: KeyType) -> Result<GeneratedKey, KeygenError> {
    let fail = |e: aws_lc_rs::error::Unspecified| KeygenError(e.to_string());
    let (private_der, txt) = match key_type {
        KeyType::Rsa => {
            let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                .map_err(fail)?;
            let private: Pkcs8V1Der<'static> = pair.as_der().map_err(fail)?;
            let public: PublicKeyX509Der<'static> = pair.public_key().as_der().map_err(fail)?;
            let txt = format!("v=DKIM1; k=rsa; p={}", STANDARD.encode(public.as_ref()));
            (Zeroizing::new(private.as_ref().to_vec()), txt)
        }
        KeyType::Ed25519 => {
            let pair = Ed25519KeyPair::generate().map_err(fail)?;
            let private = pair.to_pkcs8v1().map_err(fail)?;
            let txt = format!(
                "v=DKIM1; k=ed25519; p={}",
                STANDARD.encode(pair.public_key().as_ref())
            );
            (Zeroizing::new(private.as_ref().to_vec()), txt)
        }
    };
    Ok(GeneratedKey {
        private_pem: pem("PRIVATE KEY", &private_der),
        txt,
    })
}

/// The zone-file line for a TXT value: `selector._domainkey.domain. IN TXT "…"`, the value
/// split into quoted strings of at most 255 octets (RFC 1035 §3.3.14; an RSA-2048 record needs
/// two), which DNS joins back into one value.
pub fn zone_line(domain: &str, selector: &str, txt: &str) -> String {
    let parts: Vec<String> = txt
        .as_bytes()
        .chunks(255)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect();
    format!("{selector}._domainkey.{domain}. IN TXT {}", parts.join(" "))
}

fn pem(label: &str, der: &[u8]) -> Zeroizing<String> {
    let b64 = Zeroizing::new(STANDARD.encode(der));
    let mut out = Zeroizing::new(String::with_capacity(b64.len() + b64.len() / 64 + 64));
    out.push_str(&format!("-----BEGIN {label}-----\n"));
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_load_as_signing_keys() {
        for t in [KeyType::Rsa, KeyType::Ed25519] {
            let g = generate(t).unwrap();
            let (kt, bits, _) = crate::key::parse_pem(g.private_pem.as_bytes()).unwrap();
            assert_eq!(kt, t);
            assert_eq!(bits, if t == KeyType::Rsa { 2048 } else { 256 });
        }
    }

    #[test]
    fn long_records_are_split_into_255_octet_strings() {
        let txt = "x".repeat(300);
        let line = zone_line("a.org", "s", &txt);
        assert_eq!(
            line,
            format!(
                "s._domainkey.a.org. IN TXT \"{}\" \"{}\"",
                "x".repeat(255),
                "x".repeat(45)
            )
        );
    }
}
