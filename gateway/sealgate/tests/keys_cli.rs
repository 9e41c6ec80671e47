//! `sealgate keys` through the real binary: on the store while no gateway runs, and through
//! the admin API while `sealgate serve` holds the store. Keys are made by gpg and openssl.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

fn sealgate(dir: &Path, args: &[&str]) -> Output {
    let config = dir.join("c.toml");
    Command::new(env!("CARGO_BIN_EXE_sealgate"))
        .args(args)
        .args(["--config", config.to_str().unwrap()])
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn setup() -> (
    tempfile::TempDir,
    String,
    std::path::PathBuf,
    std::path::PathBuf,
) {
    let dir = tempfile::Builder::new()
        .prefix("keys")
        .tempdir_in("/tmp")
        .unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("c.toml"),
        format!(
            "[storage]\ndir = \"{0}/data\"\nmaster_key_file = \"{0}/master.key\"\n\
             [smtp]\nlisten = [\"127.0.0.1:0\"]\n\
             [admin]\nlisten = \"127.0.0.1:{1}\"\ntoken_file = \"{0}/admin.token\"\n",
            d.display(),
            free_port()
        ),
    )
    .unwrap();
    let gnupg = d.join("g");
    std::fs::create_dir(&gnupg).unwrap();
    std::fs::set_permissions(&gnupg, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .env("GNUPGHOME", &gnupg)
            .args(["--batch", "--yes", "--passphrase", ""])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    gpg(&[
        "--quick-gen-key",
        "P <Pat@Clinic.example>",
        "future-default",
        "default",
        "never",
    ]);
    std::fs::write(d.join("p.asc"), gpg(&["--armor", "--export"])).unwrap();
    let colons = String::from_utf8(gpg(&["--with-colons", "--list-keys"])).unwrap();
    let fp = colons
        .lines()
        .find(|l| l.starts_with("fpr:"))
        .and_then(|l| l.split(':').nth(9))
        .unwrap()
        .to_string();
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", &gnupg)
        .args(["--kill", "gpg-agent"])
        .output();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .current_dir(d)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "s.key",
        "-out",
        "s.pem",
        "-days",
        "5",
        "-subj",
        "/CN=Sam",
        "-addext",
        "subjectAltName=email:sam@partner.example",
    ]);
    let (p, s) = (d.join("p.asc"), d.join("s.pem"));
    (dir, fp, p, s)
}

/// Every store-changing command, then checks via `list --json`.
fn round_trip(d: &Path, fp: &str, pgp: &Path, smime: &Path) {
    let out = ok(&sealgate(
        d,
        &[
            "keys",
            "import",
            pgp.to_str().unwrap(),
            "--trust",
            "discovered",
        ],
    ));
    assert!(
        out.contains(fp) && out.contains("pat@clinic.example"),
        "{out}"
    );
    ok(&sealgate(d, &["keys", "import", smime.to_str().unwrap()]));
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&sealgate(d, &["keys", "list", "--json"]))).unwrap();
    let rows = listed.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{listed}");
    assert!(
        rows.iter()
            .any(|r| r["kind"] == "smime" && r["address"] == "sam@partner.example")
    );
    assert!(
        rows.iter()
            .any(|r| r["fingerprint"] == fp && r["trust"] == "discovered")
    );
    ok(&sealgate(
        d,
        &["keys", "trust", &fp.to_lowercase(), "verified"],
    ));
    let listed = ok(&sealgate(d, &["keys", "list"]));
    assert!(listed.contains("verified"), "{listed}");
    ok(&sealgate(d, &["keys", "remove", fp]));
    let again = sealgate(d, &["keys", "remove", fp]);
    assert_eq!(again.status.code(), Some(1));
    let secret = d.join("s.key");
    assert!(
        !sealgate(d, &["keys", "import", secret.to_str().unwrap()])
            .status
            .success()
    );
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&sealgate(d, &["keys", "list", "--json"]))).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let fp_smime = listed[0]["fingerprint"].as_str().unwrap().to_string();
    ok(&sealgate(d, &["keys", "remove", &fp_smime]));
}

struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn keys_commands_work_on_the_store_and_through_the_running_gateway() {
    let (dir, fp, pgp, smime) = setup();
    let d = dir.path();
    round_trip(d, &fp, &pgp, &smime);

    let config = d.join("c.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sealgate"))
        .args(["serve", "--config", config.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let serving = Serving(child);
    let ready = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.starts_with("READY "));
    assert!(ready.is_some(), "gateway did not start");
    // The store is held by the gateway now: these go through the admin API.
    round_trip(d, &fp, &pgp, &smime);
    drop(serving);
}
