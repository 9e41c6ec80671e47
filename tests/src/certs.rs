//! Test certificates made with rcgen: a test CA, leaves it signs (optionally expired, with
//! any names), self-signed certificates, and the SHA-256 of each leaf's public key (the data
//! of a TLSA `3 1 1` record).
//!
//! Every certificate is written as PEM files (`STEM.crt` = leaf then CA, `STEM.key`, mode
//! 0600) for Postfix and kept in DER for in-process rustls servers.
//!
//! Guarantees: nothing is fetched or trusted outside the test; keys are fresh per call.

use crate::OrDie;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, PublicKeyData};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A leaf certificate and its key, as files and as DER.
#[derive(Debug)]
pub struct CertFiles {
    /// PEM: the leaf, then the CA when there is one.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8), mode 0600.
    pub key: PathBuf,
    /// Hex SHA-256 of the leaf's SubjectPublicKeyInfo (TLSA `3 1 1` data).
    pub spki_sha256: String,
    /// The chain in DER, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    key_der: Vec<u8>,
}

impl CertFiles {
    /// The private key for rustls.
    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }
}

/// A test certificate authority; its certificate is `NAME-ca.pem` in the directory given.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    der: CertificateDer<'static>,
    /// The CA certificate (PEM file), for `mx_ca` / `mta_sts_ca`.
    pub pem_file: PathBuf,
}

fn params(names: &[&str], expired: bool) -> CertificateParams {
    let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut p = CertificateParams::new(owned).or_die("certificate names");
    if let Some(first) = names.first() {
        p.distinguished_name
            .push(rcgen::DnType::CommonName, first.to_string());
    }
    if expired {
        p.not_before = rcgen::date_time_ymd(2019, 1, 1);
        p.not_after = rcgen::date_time_ymd(2020, 1, 1);
    }
    p
}

fn write_files(
    dir: &Path,
    stem: &str,
    key: &KeyPair,
    chain: Vec<CertificateDer<'static>>,
    pems: &[String],
) -> CertFiles {
    let cert = dir.join(format!("{stem}.crt"));
    let key_file = dir.join(format!("{stem}.key"));
    fs::write(&cert, pems.concat()).or_die("write certificate");
    fs::write(&key_file, key.serialize_pem()).or_die("write key");
    fs::set_permissions(&key_file, fs::Permissions::from_mode(0o600)).or_die("chmod key");
    CertFiles {
        cert,
        key: key_file,
        spki_sha256: hex::encode(Sha256::digest(key.subject_public_key_info())),
        chain,
        key_der: key.serialize_der(),
    }
}

impl TestCa {
    /// A new CA called `name`, its certificate written to `dir/NAME-ca.pem`.
    pub fn new(dir: &Path, name: &str) -> TestCa {
        let key = KeyPair::generate().or_die("CA key");
        let mut p = CertificateParams::new(Vec::<String>::new()).or_die("CA params");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name
            .push(rcgen::DnType::CommonName, name.to_string());
        let cert = p.self_signed(&key).or_die("CA certificate");
        let pem_file = dir.join(format!("{name}-ca.pem"));
        fs::write(&pem_file, cert.pem()).or_die("write CA");
        TestCa {
            der: cert.der().clone(),
            issuer: Issuer::new(p, key),
            pem_file,
        }
    }

    /// A leaf for `names` signed by this CA (valid now, or expired in 2020), as `dir/STEM.*`.
    pub fn leaf(&self, dir: &Path, stem: &str, names: &[&str], expired: bool) -> CertFiles {
        let key = KeyPair::generate().or_die("leaf key");
        let cert = params(names, expired)
            .signed_by(&key, &self.issuer)
            .or_die("sign leaf");
        let ca_pem = fs::read_to_string(&self.pem_file).or_die("read CA");
        write_files(
            dir,
            stem,
            &key,
            vec![cert.der().clone(), self.der.clone()],
            &[cert.pem(), ca_pem],
        )
    }
}

/// A self-signed certificate for `names`, as `dir/STEM.*`.
pub fn self_signed(dir: &Path, stem: &str, names: &[&str]) -> CertFiles {
    let key = KeyPair::generate().or_die("key");
    let cert = params(names, false).self_signed(&key).or_die("self-sign");
    write_files(dir, stem, &key, vec![cert.der().clone()], &[cert.pem()])
}
