//! `sealgate dkim keygen` and the DKIM part of `sealgate config check`, through the real binary.
//! The key it writes is read by openssl, and a message signed with it verifies with dkimpy
//! against the TXT record the command printed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

fn sealgate(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sealgate"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// The TXT value from a zone line: the quoted strings joined.
fn txt_value(line: &str) -> String {
    line.split('"')
        .skip(1)
        .step_by(2)
        .collect::<Vec<_>>()
        .join("")
}

#[test]
fn keygen_writes_a_0600_key_whose_printed_record_verifies() {
    let dir = tempfile::tempdir().unwrap();
    for (algorithm, selector) in [("rsa", "s2026"), ("ed25519", "e2026")] {
        let out = sealgate(
            &[
                "dkim",
                "keygen",
                "acme-health.org",
                selector,
                "--algorithm",
                algorithm,
            ],
            dir.path(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let line = stdout.trim();
        let prefix =
            format!("{selector}._domainkey.acme-health.org. IN TXT \"v=DKIM1; k={algorithm}; p=");
        assert!(line.starts_with(&prefix), "{line}");

        let key = dir.path().join(format!("acme-health.org.{selector}.pem"));
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let pkey = Command::new("openssl")
            .args(["pkey", "-noout", "-in"])
            .arg(&key)
            .status()
            .unwrap();
        assert!(pkey.success(), "openssl reads the key");

        // Never overwritten.
        let before = std::fs::read(&key).unwrap();
        let again = sealgate(&["dkim", "keygen", "acme-health.org", selector], dir.path());
        assert!(!again.status.success());
        assert_eq!(std::fs::read(&key).unwrap(), before);

        // Sign with the key, verify with dkimpy against the printed record.
        let signer = sealgate_sign::Signer::new([sealgate_sign::KeySpec {
            owner: sealgate_sign::KeyOwner::Tenant("acme".into()),
            domain: sealgate_core::Domain::parse("acme-health.org").unwrap(),
            selector: selector.into(),
            path: key.clone(),
        }])
        .unwrap();
        let m = b"From: a@acme-health.org\r\nTo: b@x.example\r\nSubject: hi\r\n\r\nhello\r\n";
        let signed = signer
            .sign(&sealgate_sign::KeyOwner::Tenant("acme".into()), m)
            .unwrap()
            .apply(m);
        let keys = dir.path().join(format!("{selector}.keys"));
        std::fs::write(
            &keys,
            format!(
                "{selector}._domainkey.acme-health.org {}\n",
                txt_value(line)
            ),
        )
        .unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/interop/dkim-verify-offline.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(&keys)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&signed).unwrap();
        let verdict = child.wait_with_output().unwrap();
        assert!(
            verdict.status.success(),
            "{algorithm}: {}",
            String::from_utf8_lossy(&verdict.stdout)
        );
    }
    let bad = sealgate(
        &["dkim", "keygen", "acme-health.org", "bad_selector"],
        dir.path(),
    );
    assert!(!bad.status.success());
}

#[test]
fn config_check_names_an_unreadable_dkim_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sealgate.toml");
    std::fs::write(
        &config,
        r#"
[tenants.acme]
networks = ["10.0.0.0/8"]
sender_domains = ["acme-health.org"]
[[tenants.acme.dkim]]
domain = "acme-health.org"
selector = "s2026"
key = "/nonexistent/acme-s2026.pem"
"#,
    )
    .unwrap();
    let out = sealgate(&["config", "check", config.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("s2026._domainkey.acme-health.org of tenant acme: cannot read /nonexistent/acme-s2026.pem"),
        "{stdout}"
    );
}
