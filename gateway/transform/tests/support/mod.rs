//! Test support: an in-memory key store, gpg and openssl key generation in temp dirs, and the
//! independent verifiers (gpg through ../shared/interop/pgpmime-decrypt.py, `openssl smime` /
//! `openssl cms`, Python's `email` module for the part-by-part comparison).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test support: a failure is a test failure

use sealgate_core::store::{KeyKind, KeyRecord, KeyStore, StoreError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

/// A `KeyStore` in memory.
#[derive(Default)]
pub struct MemKeys(Mutex<Vec<KeyRecord>>);

impl KeyStore for MemKeys {
    fn put(&self, r: &KeyRecord) -> Result<(), StoreError> {
        let mut v = self.0.lock().unwrap();
        v.retain(|x| !(x.kind == r.kind && x.name == r.name && x.fingerprint == r.fingerprint));
        v.push(r.clone());
        Ok(())
    }
    fn find(&self, kind: KeyKind, name: &str) -> Result<Vec<KeyRecord>, StoreError> {
        let v = self.0.lock().unwrap();
        Ok(v.iter()
            .filter(|r| r.kind == kind && r.name == name)
            .cloned()
            .collect())
    }
    fn list(&self, kind: KeyKind) -> Result<Vec<KeyRecord>, StoreError> {
        let v = self.0.lock().unwrap();
        Ok(v.iter().filter(|r| r.kind == kind).cloned().collect())
    }
    fn remove(&self, kind: KeyKind, name: &str, fp: &str) -> Result<(), StoreError> {
        let mut v = self.0.lock().unwrap();
        let before = v.len();
        v.retain(|x| !(x.kind == kind && x.name == name && x.fingerprint == fp));
        if v.len() == before {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

/// Runs a command with stdin, returning its output; panics with stderr on spawn failure.
pub fn run(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

pub fn ok(cmd: &mut Command, stdin: &[u8]) -> Vec<u8> {
    let out = run(cmd, stdin);
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A GnuPG home in a temp dir holding one recipient's secret key.
pub struct GpgHome {
    pub dir: tempfile::TempDir,
}

impl GpgHome {
    /// `gpg --quick-gen-key UID ALGO USAGE EXPIRE` in a fresh home (no passphrase).
    pub fn generate(uid: &str, algo: &str, usage: &str, expire: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("gpg")
            .tempdir_in("/tmp")
            .unwrap();
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let home = GpgHome { dir };
        ok(
            &mut home.gpg(&[
                "--passphrase",
                "",
                "--quick-gen-key",
                uid,
                algo,
                usage,
                expire,
            ]),
            b"",
        );
        home
    }

    pub fn gpg(&self, args: &[&str]) -> Command {
        let mut c = Command::new("gpg");
        c.env("GNUPGHOME", self.dir.path())
            .args(["--batch", "--yes", "--pinentry-mode", "loopback"])
            .args(args);
        c
    }

    /// The public certificate, armored.
    pub fn export(&self) -> Vec<u8> {
        ok(&mut self.gpg(&["--armor", "--export"]), b"")
    }

    /// Primary fingerprint.
    pub fn fingerprint(&self) -> String {
        let out = ok(&mut self.gpg(&["--with-colons", "--list-keys"]), b"");
        let text = String::from_utf8(out).unwrap();
        text.lines()
            .find(|l| l.starts_with("fpr:"))
            .and_then(|l| l.split(':').nth(9))
            .unwrap()
            .to_string()
    }

    /// Long key ids of every key and subkey in the home.
    pub fn key_ids(&self) -> Vec<String> {
        let out = ok(&mut self.gpg(&["--with-colons", "--list-keys"]), b"");
        String::from_utf8(out)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("pub:") || l.starts_with("sub:"))
            .map(|l| l.split(':').nth(4).unwrap().to_string())
            .collect()
    }

    /// Revokes the key with the revocation certificate gpg made at generation.
    pub fn revoke(&self) {
        let rev = self
            .dir
            .path()
            .join("openpgp-revocs.d")
            .join(format!("{}.rev", self.fingerprint()));
        let text = std::fs::read_to_string(rev).unwrap();
        let cert = text.replace(
            ":-----BEGIN PGP PUBLIC KEY BLOCK-----",
            "-----BEGIN PGP PUBLIC KEY BLOCK-----",
        );
        ok(&mut self.gpg(&["--import"]), cert.as_bytes());
    }

    /// Runs the shared PGP/MIME verifier: the decrypted inner entity, or the failure.
    pub fn pgpmime_decrypt(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let mut c = Command::new("python3");
        c.arg(interop("pgpmime-decrypt.py"))
            .env("GNUPGHOME", self.dir.path());
        let out = run(&mut c, message);
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.dir.path())
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

/// Key ids in the public-key encrypted session key packets of a PGP/MIME message
/// (`gpg --list-packets` on the armored part, extracted by Python's email module).
pub fn pkesk_key_ids(message: &[u8]) -> Vec<String> {
    let armored = ok(
        Command::new("python3").args([
            "-c",
            "import sys,email;from email import policy;m=email.message_from_binary_file(sys.stdin.buffer,policy=policy.default);sys.stdout.buffer.write(list(m.iter_parts())[1].get_payload(decode=True))",
        ]),
        message,
    );
    let empty = tempfile::Builder::new()
        .prefix("gpg")
        .tempdir_in("/tmp")
        .unwrap();
    let out = run(
        Command::new("gpg")
            .env("GNUPGHOME", empty.path())
            .args(["--batch", "--list-packets"]),
        &armored,
    );
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", empty.path())
        .args(["--kill", "gpg-agent"])
        .output();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains(":pubkey enc packet:"), "no PKESK in: {text}");
    // SEIPDv1 (integrity-protected with MDC), the packet gpg 2.2 reads.
    assert!(text.contains("mdc_method: 2"), "not SEIPDv1: {text}");
    assert!(text.contains("version 3"), "not a v3 PKESK: {text}");
    text.lines()
        .filter(|l| l.starts_with(":pubkey enc packet:"))
        .map(|l| l.rsplit("keyid ").next().unwrap().trim().to_string())
        .collect()
}

pub fn interop(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/interop")
        .join(name)
}

/// Compares the leaf parts (content type and decoded payload) of two messages with Python's
/// `email` module; returns the Subject of `decrypted` (empty when absent).
pub fn same_parts(original: &[u8], decrypted: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.eml"), dir.path().join("b.eml"));
    std::fs::write(&a, original).unwrap();
    std::fs::write(&b, decrypted).unwrap();
    let script = r#"
import sys, email
from email import policy
def load(p): return email.message_from_binary_file(open(p, 'rb'), policy=policy.default)
def leaves(m): return [(p.get_content_type(), p.get_filename(), p.get_payload(decode=True)) for p in m.walk() if not p.is_multipart()]
o, d = load(sys.argv[1]), load(sys.argv[2])
lo, ld = leaves(o), leaves(d)
if lo != ld:
    sys.exit('parts differ: %r vs %r' % ([x[:2] for x in lo], [x[:2] for x in ld]))
if not lo:
    sys.exit('no parts')
sys.stdout.write(str(d['Subject'] or ''))
"#;
    let out = ok(
        Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&a)
            .arg(&b),
        b"",
    );
    String::from_utf8(out).unwrap()
}

/// The Subject of a message as Python's `email` module reads it.
pub fn subject_of(message: &[u8]) -> String {
    let out = ok(
        Command::new("python3").args([
            "-c",
            "import sys,email;from email import policy;m=email.message_from_binary_file(sys.stdin.buffer,policy=policy.default);sys.stdout.write(str(m['Subject'] or ''))",
        ]),
        message,
    );
    String::from_utf8(out).unwrap()
}

/// A CA and recipient certificates made with the `openssl` command line.
pub struct Pki {
    pub dir: tempfile::TempDir,
}

impl Pki {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pki = Pki { dir };
        ok(
            &mut pki.openssl(&[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "30",
                "-subj",
                "/CN=Sealgate Test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ]),
            b"",
        );
        pki
    }

    pub fn openssl(&self, args: &[&str]) -> Command {
        let mut c = Command::new("openssl");
        c.current_dir(self.dir.path()).args(args);
        c
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    /// Issues `NAME.pem` / `NAME.key` for `email`, signed by the CA; `extra` ext lines appended.
    pub fn issue(&self, name: &str, email: &str, extra: &str) {
        let ext = format!(
            "subjectAltName=email:{email}\nkeyUsage=critical,keyEncipherment,digitalSignature\nextendedKeyUsage=emailProtection\n{extra}\n"
        );
        std::fs::write(self.path(&format!("{name}.ext")), ext).unwrap();
        ok(
            &mut self.openssl(&[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                &format!("/CN={name}"),
            ]),
            b"",
        );
        ok(
            &mut self.openssl(&[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &format!("{name}.pem"),
                "-days",
                "30",
                "-extfile",
                &format!("{name}.ext"),
            ]),
            b"",
        );
    }

    /// `openssl smime -decrypt` or `openssl cms -decrypt` (`tool`) of `message` for `name`.
    pub fn decrypt(&self, tool: &str, name: &str, message: &[u8]) -> Result<Vec<u8>, String> {
        let out = run(
            &mut self.openssl(&[
                tool,
                "-decrypt",
                "-recip",
                &format!("{name}.pem"),
                "-inkey",
                &format!("{name}.key"),
            ]),
            message,
        );
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}
