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
use openpgp::serialize::stream::{Armorer, Encryptor, LiteralWriter, Message};
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

    /// E-mail addresses of the certificate's user ids, normalised (lower case).
    pub(crate) fn addresses(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .cert
            .userids()
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

    /// Encrypts `data` to this certificate alone; ASCII armor with CRLF line ends.
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
            let message = Armorer::new(message).build().map_err(failed)?;
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
        Ok(mime::crlf(&sink))
    }
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
