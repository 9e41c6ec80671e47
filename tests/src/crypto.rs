//! Independent judges of what the gateway sends: DKIM keys made by `openssl genpkey` with
//! their TXT records derived by `openssl pkey`, signatures checked by dkimpy
//! (`../shared/interop/dkim-verify-offline.py`) and `opendkim -t` (`TestPublicKeys`, no DNS);
//! recipient keys made by gpg and the openssl command line, PGP/MIME decrypted by
//! `../shared/interop/pgpmime-decrypt.py` (gpg --batch) and S/MIME by `openssl cms -decrypt`.
//!
//! Guarantees: none of our code judges our output; nothing touches DNS or the network; every
//! command runs under a deadline.

use crate::OrDie;
use crate::tools::{describe, require_tool, run};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(120);

fn ok(cmd: &mut Command) -> Vec<u8> {
    let out = run(cmd, LONG);
    assert!(out.status.success(), "{cmd:?}: {}", describe(&out));
    out.stdout
}

/// Runs `cmd` with `stdin` as its input (under a deadline).
pub fn with_stdin(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .or_die("spawn");
    let mut input = child.stdin.take().or_die("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = rx
        .recv_timeout(LONG)
        .or_die("command did not finish in time")
        .or_die("wait");
    let _ = writer.join();
    out
}

/// A DKIM private key file and its TXT record value.
#[derive(Debug, Clone)]
pub struct DkimKey {
    /// PEM (PKCS#8).
    pub path: PathBuf,
    /// `v=DKIM1; k=…; p=…`.
    pub txt: String,
}

/// Makes an RSA-2048 (or Ed25519) key `NAME.pem` in `dir` with openssl.
pub fn dkim_key(dir: &Path, name: &str, ed25519: bool) -> DkimKey {
    require_tool("openssl");
    let path = dir.join(format!("{name}.pem"));
    let mut keygen = Command::new("openssl");
    keygen.arg("genpkey");
    if ed25519 {
        keygen.args(["-algorithm", "ed25519"]);
    } else {
        keygen.args(["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
    }
    ok(keygen.arg("-out").arg(&path));
    let der = ok(Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(&path));
    // RFC 8463: an Ed25519 record holds the raw 32-byte key, the tail of the 44-byte SPKI.
    let raw = if ed25519 { der[12..].to_vec() } else { der };
    let b64 = with_stdin(Command::new("openssl").args(["base64", "-A"]), &raw);
    assert!(b64.status.success(), "openssl base64");
    let p = String::from_utf8_lossy(&b64.stdout).trim().to_string();
    let k = if ed25519 { "ed25519" } else { "rsa" };
    DkimKey {
        path,
        txt: format!("v=DKIM1; k={k}; p={p}"),
    }
}

/// Writes the key file both verifiers read: `selector._domainkey.domain TXT` lines.
pub fn public_keys(path: &Path, records: &[(&str, &str, &DkimKey)]) {
    let mut text = String::new();
    for (selector, domain, key) in records {
        text.push_str(&format!("{selector}._domainkey.{domain} {}\n", key.txt));
    }
    std::fs::write(path, text).or_die("write public keys");
}

fn shared(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../shared/interop/{name}"))
}

/// dkimpy's verdict on signature `index` (0 = topmost): pass, and its output.
pub fn dkimpy(keys: &Path, message: &[u8], index: usize) -> (bool, String) {
    require_tool("python3");
    let out = with_stdin(
        Command::new("python3")
            .arg(shared("dkim-verify-offline.py"))
            .arg(keys)
            .args(["--index", &index.to_string()]),
        message,
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout).trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    (out.status.success(), text)
}

/// `opendkim -t` with `TestPublicKeys`: the `dkim=` results (result, d, s) of the
/// Authentication-Results it would add, and its whole output.
pub fn opendkim(keys: &Path, message: &[u8]) -> (Vec<(String, String, String)>, String) {
    require_tool("opendkim");
    let dir = tempfile::tempdir().or_die("tempdir");
    let conf = dir.path().join("opendkim.conf");
    let msg = dir.path().join("msg.eml");
    std::fs::write(
        &conf,
        format!(
            "Mode v\nSyslog no\nTestPublicKeys {}\nAuthservID test\n",
            keys.display()
        ),
    )
    .or_die("opendkim.conf");
    std::fs::write(&msg, message).or_die("message file");
    let out = run(
        Command::new("opendkim")
            .arg("-x")
            .arg(&conf)
            .arg("-t")
            .arg(&msg)
            .arg("-vvv"),
        LONG,
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut results = Vec::new();
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
            results.push((
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                word("header.d="),
                word("header.s="),
            ));
        }
    }
    (results, text)
}

/// True when opendkim reports `pass` for `selector` of `domain`.
pub fn opendkim_passes(results: &[(String, String, String)], selector: &str, domain: &str) -> bool {
    results
        .iter()
        .any(|(r, d, s)| r == "pass" && d == domain && s == selector)
}

/// Asserts that signature `index` (dkimpy) and `selector`/`domain` (opendkim) verify.
pub fn assert_verifies(keys: &Path, message: &[u8], index: usize, selector: &str, domain: &str) {
    let (pass, text) = dkimpy(keys, message, index);
    assert!(
        pass,
        "dkimpy: signature {index} ({selector}._domainkey.{domain}) fails: {text}\n{}",
        String::from_utf8_lossy(message)
    );
    let (results, text) = opendkim(keys, message);
    assert!(
        opendkim_passes(&results, selector, domain),
        "opendkim: no pass for {selector}._domainkey.{domain}: {results:?}\n{text}"
    );
}

/// The message without the leading `DKIM-Signature` fields (ours are prepended).
pub fn without_leading_signatures(message: &[u8]) -> &[u8] {
    let mut rest = message;
    while rest.len() >= 15 && rest[..15].eq_ignore_ascii_case(b"DKIM-Signature:") {
        // The field ends at a CRLF not followed by white space (folded lines continue).
        let mut i = 0;
        loop {
            match rest[i..].windows(2).position(|w| w == b"\r\n") {
                Some(p) => {
                    i += p + 2;
                    if !matches!(rest.get(i), Some(b' ') | Some(b'\t')) {
                        break;
                    }
                }
                None => return &[],
            }
        }
        rest = &rest[i..];
    }
    rest
}

/// A GnuPG home holding one recipient's secret key (gpg-generated, no passphrase).
pub struct GpgHome {
    /// The home directory.
    pub dir: tempfile::TempDir,
}

impl GpgHome {
    /// `gpg --quick-gen-key UID future-default default 1d` in a fresh home (a signing
    /// primary key and an encryption subkey).
    pub fn generate(uid: &str) -> GpgHome {
        require_tool("gpg");
        let dir = tempfile::Builder::new()
            .prefix("gpg")
            .tempdir_in("/tmp")
            .or_die("gpg home");
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .or_die("chmod gpg home");
        let home = GpgHome { dir };
        ok(&mut home.gpg(&[
            "--passphrase",
            "",
            "--quick-gen-key",
            uid,
            "future-default",
            "default",
            "1d",
        ]));
        home
    }

    /// gpg in this home.
    pub fn gpg(&self, args: &[&str]) -> Command {
        let mut c = Command::new("gpg");
        c.env("GNUPGHOME", self.dir.path())
            .args(["--batch", "--yes", "--pinentry-mode", "loopback"])
            .args(args);
        c
    }

    /// The public certificate, armored.
    pub fn export(&self) -> Vec<u8> {
        ok(&mut self.gpg(&["--armor", "--export"]))
    }

    /// The primary fingerprint.
    pub fn fingerprint(&self) -> String {
        let text = String::from_utf8(ok(&mut self.gpg(&["--with-colons", "--list-keys"])))
            .or_die("gpg output");
        text.lines()
            .find(|l| l.starts_with("fpr:"))
            .and_then(|l| l.split(':').nth(9))
            .or_die("fingerprint line")
            .to_string()
    }

    /// `pgpmime-decrypt.py` (structure checks, then gpg --batch): the inner entity.
    pub fn pgpmime_decrypt(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let out = with_stdin(
            Command::new("python3")
                .arg(shared("pgpmime-decrypt.py"))
                .env("GNUPGHOME", self.dir.path()),
            message,
        );
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

/// A CA and S/MIME recipient certificates made with the openssl command line.
pub struct Pki {
    /// Where the files are.
    pub dir: tempfile::TempDir,
}

impl Default for Pki {
    fn default() -> Self {
        Self::new()
    }
}

impl Pki {
    /// A fresh CA (`ca.pem`, `ca.key`).
    pub fn new() -> Pki {
        require_tool("openssl");
        let pki = Pki {
            dir: tempfile::tempdir().or_die("pki dir"),
        };
        ok(&mut pki.openssl(&[
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
        ]));
        pki
    }

    /// openssl in the PKI directory.
    pub fn openssl(&self, args: &[&str]) -> Command {
        let mut c = Command::new("openssl");
        c.current_dir(self.dir.path()).args(args);
        c
    }

    /// A file of the PKI.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Issues `NAME.pem` / `NAME.key` for `email`, signed by the CA.
    pub fn issue(&self, name: &str, email: &str) {
        let ext = format!(
            "subjectAltName=email:{email}\nkeyUsage=critical,keyEncipherment,digitalSignature\nextendedKeyUsage=emailProtection\n"
        );
        std::fs::write(self.path(&format!("{name}.ext")), ext).or_die("ext file");
        ok(&mut self.openssl(&[
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
        ]));
        ok(&mut self.openssl(&[
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
        ]));
    }

    /// The certificate's serial as openssl prints it (hex, upper case).
    pub fn serial(&self, name: &str) -> String {
        let out =
            ok(&mut self.openssl(&["x509", "-noout", "-serial", "-in", &format!("{name}.pem")]));
        String::from_utf8_lossy(&out)
            .trim()
            .trim_start_matches("serial=")
            .to_string()
    }

    /// `openssl cms -decrypt` (or `smime`, by `tool`) of `message` for `name`.
    pub fn decrypt(&self, tool: &str, name: &str, message: &[u8]) -> Result<Vec<u8>, String> {
        let out = with_stdin(
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
