//! Independent verification for the sign tests: keys made by `openssl genpkey`, public records
//! derived by `openssl pkey`, signatures checked by dkimpy (through
//! `../shared/interop/dkim-verify-offline.py`) and by `opendkim -t` with `TestPublicKeys`.
//! Nothing here uses our own code to judge our output, and nothing touches DNS: both verifiers
//! read public keys from a file.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed unwrap is a failed test

use sealgate_core::Domain;
use sealgate_sign::{KeyOwner, KeySpec};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Kinds of key file the tests make with openssl.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// RSA-2048, PKCS#8 PEM (`openssl genpkey`'s default output).
    RsaPkcs8,
    /// RSA-2048, PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`).
    RsaPkcs1,
    /// Ed25519, PKCS#8 PEM.
    Ed25519,
}

/// A key file and its DNS TXT value, both from openssl.
#[derive(Debug, Clone)]
pub struct TestKey {
    pub path: PathBuf,
    pub txt: String,
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (run tests/support/install-tools.sh)"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Makes a key with openssl in `dir` and derives its TXT record value with openssl.
pub fn openssl_key(dir: &Path, name: &str, kind: Kind) -> TestKey {
    let path = dir.join(format!("{name}.pem"));
    match kind {
        Kind::RsaPkcs8 | Kind::RsaPkcs1 => {
            run(Command::new("openssl")
                .args([
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:2048",
                    "-out",
                ])
                .arg(&path));
        }
        Kind::Ed25519 => {
            run(Command::new("openssl")
                .args(["genpkey", "-algorithm", "ed25519", "-out"])
                .arg(&path));
        }
    }
    if kind == Kind::RsaPkcs1 {
        run(Command::new("openssl")
            .args(["rsa", "-traditional", "-in"])
            .arg(&path)
            .arg("-out")
            .arg(&path));
        let pem = std::fs::read_to_string(&path).unwrap();
        assert!(
            pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"),
            "{pem:.40}"
        );
    }
    TestKey {
        txt: openssl_txt(&path, kind != Kind::Ed25519),
        path,
    }
}

/// The TXT value for a private key file, derived by openssl.
pub fn openssl_txt(path: &Path, rsa: bool) -> String {
    let spki = run(Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(path));
    if rsa {
        format!("v=DKIM1; k=rsa; p={}", b64(&spki))
    } else {
        // RFC 8463: the raw 32-byte key, which is the tail of the 44-byte SubjectPublicKeyInfo.
        assert_eq!(spki.len(), 44);
        format!("v=DKIM1; k=ed25519; p={}", b64(&spki[12..]))
    }
}

/// Keys shared by every test of one test binary (RSA generation is slow on a shared machine).
pub struct Keys {
    _dir: tempfile::TempDir,
    pub dir: PathBuf,
    pub rsa: TestKey,
    pub rsa_pkcs1: TestKey,
    pub ed: TestKey,
    pub other_rsa: TestKey,
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().to_path_buf();
        Keys {
            rsa: openssl_key(&p, "rsa", Kind::RsaPkcs8),
            rsa_pkcs1: openssl_key(&p, "rsa1", Kind::RsaPkcs1),
            ed: openssl_key(&p, "ed", Kind::Ed25519),
            other_rsa: openssl_key(&p, "other", Kind::RsaPkcs8),
            dir: p,
            _dir: dir,
        }
    })
}

pub fn spec(owner: &str, domain: &str, selector: &str, key: &TestKey) -> KeySpec {
    KeySpec {
        owner: if owner == "gateway" {
            KeyOwner::Gateway
        } else {
            KeyOwner::Tenant(owner.into())
        },
        domain: Domain::parse(domain).unwrap(),
        selector: selector.into(),
        path: key.path.clone(),
    }
}

pub fn tenant(name: &str) -> KeyOwner {
    KeyOwner::Tenant(name.into())
}

/// The key file both verifiers read: `selector._domainkey.domain TXT-value` lines.
pub struct PublicKeys {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn public_keys(records: &[(&str, &str, &TestKey)]) -> PublicKeys {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.txt");
    let mut f = std::fs::File::create(&path).unwrap();
    for (selector, domain, key) in records {
        writeln!(f, "{selector}._domainkey.{domain} {}", key.txt).unwrap();
    }
    PublicKeys { _dir: dir, path }
}

fn interop_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/interop/dkim-verify-offline.py")
}

/// dkimpy's verdict on signature `index` (0 = topmost): (pass, its output line).
pub fn dkimpy(keys: &PublicKeys, message: &[u8], index: usize) -> (bool, String) {
    let mut child = Command::new("python3")
        .arg(interop_script())
        .arg(&keys.path)
        .args(["--index", &index.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 with dkimpy (run tests/support/install-tools.sh)");
    child.stdin.take().unwrap().write_all(message).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout).trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    (out.status.success(), text)
}

/// One signature result reported by opendkim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpendkimResult {
    pub result: String,
    pub domain: String,
    pub selector: String,
}

/// `opendkim -t` (verify mode, `TestPublicKeys`): the per-signature results from the
/// Authentication-Results field it would add, plus its whole output for messages.
pub fn opendkim(keys: &PublicKeys, message: &[u8]) -> (Vec<OpendkimResult>, String) {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("opendkim.conf");
    let msg = dir.path().join("msg.eml");
    std::fs::write(
        &conf,
        format!(
            "Mode v\nSyslog no\nTestPublicKeys {}\nAuthservID test\n",
            keys.path.display()
        ),
    )
    .unwrap();
    std::fs::write(&msg, message).unwrap();
    let out = Command::new("opendkim")
        .arg("-x")
        .arg(&conf)
        .arg("-t")
        .arg(&msg)
        .arg("-vvv")
        .output()
        .expect("opendkim (Debian package opendkim; run tests/support/install-tools.sh)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut results = Vec::new();
    // The Authentication-Results value is printed between quotes after `hvalue='`.
    for ar in text
        .split("hname='Authentication-Results' hvalue='")
        .skip(1)
    {
        let ar = ar.split('\'').next().unwrap_or_default();
        for part in ar.split(';').map(str::trim) {
            let Some(rest) = part.strip_prefix("dkim=") else {
                continue;
            };
            let word = |prefix: &str| {
                rest.split_whitespace()
                    .find_map(|w| w.strip_prefix(prefix))
                    .unwrap_or_default()
                    .to_string()
            };
            results.push(OpendkimResult {
                result: rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                domain: word("header.d="),
                selector: word("header.s="),
            });
        }
    }
    (results, text)
}

/// True when opendkim reports `dkim=pass` for the signature with this selector and domain.
pub fn opendkim_passes(results: &[OpendkimResult], selector: &str, domain: &str) -> bool {
    results
        .iter()
        .any(|r| r.result == "pass" && r.selector == selector && r.domain == domain)
}

/// A complete message with the usual headers and the given body.
pub fn message(from: &str, subject: &str, extra_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut m = format!(
        "From: Dr. Alice Example <{from}>\r\n\
         To: Bob Patient <bob@patient.example>\r\n\
         Cc: nurse@clinic.example\r\n\
         Subject: {subject}\r\n\
         Date: Tue, 01 Dec 2026 15:00:00 +0000\r\n\
         Message-ID: <test-1@acme-health.org>\r\n\
         MIME-Version: 1.0\r\n\
         {extra_headers}\
         \r\n"
    )
    .into_bytes();
    m.extend_from_slice(body);
    m
}
