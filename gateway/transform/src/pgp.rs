//! OpenPGP: PGP/MIME (RFC 3156) encryption of one copy to one recipient certificate.
//!
//! Guarantees: each produced message is encrypted to the encryption-capable, live, unrevoked
//! subkeys of exactly one certificate, so no other recipient's key id appears in it (Bcc stays
//! hidden). Sequoia picks SEIPDv1 unless every recipient key advertises SEIPDv2, so keys made by
//! gpg 2.2 get packets gpg 2.2 reads. The whole inner MIME entity is the literal data.
//! Signing with a tenant key is not done yet.

use crate::skip::Problem;
use crate::{mime, time_of};
use openpgp::cert::prelude::*;
use openpgp::parse::Parse;
use openpgp::policy::{Policy, StandardPolicy};
use openpgp::serialize::stream::{Encryptor, LiteralWriter, Message};
use openpgp::types::{DataFormat, RevocationStatus};
use sealgate_core::Timestamp;
use sequoia_openpgp as openpgp;
use std::io::Write;

/// A parsed recipient certificate.
pub(crate) struct PgpCert {
    cert: Cert,
}

impl PgpCert {
    /// Parses stored material (binary or armored). Secret keys are refused.
    pub(crate) fn parse(material: &[u8]) -> Result<Self, Problem> {
        let cert = Cert::from_bytes(material).map_err(|_| Problem::Unparseable)?;
        Ok(PgpCert { cert })
    }

    /// Checks the certificate at `now` and returns the fingerprints of the subkeys a copy
    /// would be encrypted to.
    pub(crate) fn usable(
        &self,
        policy: &dyn Policy,
        now: Timestamp,
    ) -> Result<Vec<String>, Problem> {
        let t = time_of(now);
        let vc = self
            .cert
            .with_policy(policy, t)
            .map_err(|_| Problem::RejectedByPolicy)?;
        if let RevocationStatus::Revoked(_) = vc.revocation_status() {
            return Err(Problem::Revoked);
        }
        if vc.alive().is_err() {
            return Err(Problem::Expired);
        }
        let keys: Vec<String> = vc
            .keys()
            .supported()
            .alive()
            .revoked(false)
            .for_transport_encryption()
            .map(|ka| ka.key().fingerprint().to_hex())
            .collect();
        if !keys.is_empty() {
            return Ok(keys);
        }
        // Tell an expired or revoked encryption subkey from a certificate that never had one.
        let any_enc = vc.keys().for_transport_encryption().next().is_some();
        let live_enc = vc
            .keys()
            .alive()
            .for_transport_encryption()
            .next()
            .is_some();
        Err(match (any_enc, live_enc) {
            (false, _) => Problem::NoEncryptionKey,
            (true, false) => Problem::Expired,
            (true, true) => Problem::Revoked,
        })
    }

    /// Primary key fingerprint, upper-case hex.
    pub(crate) fn fingerprint(&self) -> String {
        self.cert.fingerprint().to_hex()
    }

    /// E-mail addresses of the certificate's policy-valid user ids at `now`, normalised
    /// (lower case): bound by a self-signature the standard policy accepts, that signature
    /// alive, the user id not revoked. Anyone can append an unsigned user id to a certificate;
    /// such an id names no one. A certificate the policy rejects names no one either.
    pub(crate) fn addresses(&self, now: Timestamp) -> Vec<String> {
        let policy = policy();
        let Ok(vc) = self.cert.with_policy(&policy, time_of(now)) else {
            return Vec::new();
        };
        let mut out: Vec<String> = vc
            .userids()
            .filter(|ua| !matches!(ua.revocation_status(), RevocationStatus::Revoked(_)))
            .filter_map(|ua| ua.userid().email_normalized().ok().flatten())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// True when the material holds secret key parts.
    pub(crate) fn is_secret(&self) -> bool {
        self.cert.is_tsk()
    }

    /// Encrypts `data` to this certificate alone; ASCII armor (RFC 4880 §6) with CRLF line ends.
    pub(crate) fn encrypt(
        &self,
        policy: &dyn Policy,
        now: Timestamp,
        data: &[u8],
    ) -> Result<Vec<u8>, Problem> {
        let vc = self
            .cert
            .with_policy(policy, time_of(now))
            .map_err(|_| Problem::RejectedByPolicy)?;
        let recipients: Vec<_> = vc
            .keys()
            .supported()
            .alive()
            .revoked(false)
            .for_transport_encryption()
            .collect();
        if recipients.is_empty() {
            return Err(Problem::NoEncryptionKey);
        }
        let mut sink = Vec::with_capacity(data.len() * 4 / 3 + 2048);
        let failed = |_| Problem::EncryptFailed;
        {
            let message = Message::new(&mut sink);
            let message = Encryptor::for_recipients(message, recipients)
                .build()
                .map_err(failed)?;
            let mut w = LiteralWriter::new(message)
                .format(DataFormat::Binary)
                .build()
                .map_err(failed)?;
            w.write_all(data).map_err(|_| Problem::EncryptFailed)?;
            w.finalize().map_err(failed)?;
        }
        Ok(armor(&sink))
    }
}

/// CRC-24 of RFC 4880 §6.1, table-driven.
const CRC24_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = (i as u32) << 16;
        let mut k = 0;
        while k < 8 {
            c <<= 1;
            if c & 0x100_0000 != 0 {
                c ^= 0x186_4CFB;
            }
            k += 1;
        }
        t[i] = c & 0xFF_FFFF;
        i += 1;
    }
    t
};

fn crc24(data: &[u8]) -> u32 {
    data.iter().fold(0xB7_04CE, |crc: u32, &b| {
        ((crc << 8) ^ CRC24_TABLE[(((crc >> 16) as u8) ^ b) as usize]) & 0xFF_FFFF
    })
}

/// `-----BEGIN PGP MESSAGE-----` armor with CRLF line ends, 64 characters a line and the
/// CRC-24 checksum line (gpg 2.2 expects the RFC 4880 form). Done here rather than with
/// Sequoia's armorer, which wrote LF lines that then needed a second pass.
fn armor(binary: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(binary.len() * 4 / 3 + binary.len() / 24 + 96);
    out.extend_from_slice(b"-----BEGIN PGP MESSAGE-----\r\n\r\n");
    out.extend_from_slice(&mime::base64_width(binary, 64));
    let crc = crc24(binary).to_be_bytes();
    out.push(b'=');
    out.extend_from_slice(&mime::base64_width(&crc[1..], 64));
    out.extend_from_slice(b"-----END PGP MESSAGE-----\r\n");
    out
}

/// The policy used for every check and encryption (Sequoia's standard policy).
pub(crate) fn policy() -> StandardPolicy<'static> {
    StandardPolicy::new()
}

/// Wraps armored ciphertext in an RFC 3156 `multipart/encrypted` body after `outer` headers.
pub(crate) fn pgp_mime(outer: Vec<u8>, armored: &[u8], boundary: &str) -> Vec<u8> {
    let mut out = outer;
    out.reserve(armored.len() + 600);
    let b = boundary;
    out.extend_from_slice(
        format!(
            "MIME-Version: 1.0\r\n\
             Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";\r\n \
             boundary=\"{b}\"\r\n\
             \r\n\
             This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n\
             --{b}\r\n\
             Content-Type: application/pgp-encrypted\r\n\
             Content-Description: PGP/MIME version identification\r\n\
             \r\n\
             Version: 1\r\n\
             \r\n\
             --{b}\r\n\
             Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\
             Content-Description: OpenPGP encrypted message\r\n\
             Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\
             \r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(armored);
    if !armored.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc24_matches_the_rfc_check_value() {
        // The CRC-24 "check" value for "123456789" with the OpenPGP parameters.
        assert_eq!(super::crc24(b"123456789"), 0x21CF02);
    }
}
