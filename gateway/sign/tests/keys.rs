//! Loading keys: every unusable key is a configuration error that names it, all reported at
//! once; `keygen` output is read by openssl and its DNS record verifies with dkimpy and
//! opendkim.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use sealgate_sign::keygen::{self, zone_line};
use sealgate_sign::{KeyType, Signer};
use std::process::Command;
use support::*;

#[test]
fn unusable_keys_are_all_named_at_once() {
    let k = keys();
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a key\n").unwrap();
    let private = std::os::unix::fs::PermissionsExt::from_mode(0o600);
    std::fs::set_permissions(&garbage, private).unwrap();
    // A good key anyone on the machine can read (regression: it was used without a word).
    let exposed = dir.path().join("exposed.pem");
    std::fs::copy(&k.rsa.path, &exposed).unwrap();
    let open = std::os::unix::fs::PermissionsExt::from_mode(0o644);
    std::fs::set_permissions(&exposed, open).unwrap();
    let small = dir.path().join("rsa1024.pem");
    let ec = dir.path().join("ec.pem");
    for (path, args) in [
        (
            &small,
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"][..],
        ),
        (
            &ec,
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"][..],
        ),
    ] {
        let ok = Command::new("openssl")
            .arg("genpkey")
            .args(args)
            .arg("-out")
            .arg(path)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(ok.success());
    }
    let missing = TestKey {
        path: dir.path().join("missing.pem"),
        txt: String::new(),
    };
    let as_key = |p: &std::path::Path| TestKey {
        path: p.to_path_buf(),
        txt: String::new(),
    };
    let err = Signer::new([
        spec("acme", "acme-health.org", "missing", &missing),
        spec("acme", "acme-health.org", "garbage", &as_key(&garbage)),
        spec("acme", "acme-health.org", "exposed", &as_key(&exposed)),
        spec("acme", "acme-health.org", "small", &as_key(&small)),
        spec("acme", "acme-health.org", "ec", &as_key(&ec)),
        spec("acme", "acme-health.org", "bad_selector", &k.rsa),
        spec("acme", "acme-health.org", "ok", &k.rsa),
        spec("acme", "acme-health.org", "ok", &k.rsa),
        spec("acme", "localhost", "single", &k.rsa),
    ])
    .unwrap_err();
    assert!(err.is_config());
    let text = err.to_string();
    for needle in [
        "missing._domainkey.acme-health.org of tenant acme: cannot read",
        "missing.pem",
        "garbage._domainkey.acme-health.org of tenant acme",
        "not a PEM private key",
        "exposed._domainkey.acme-health.org of tenant acme",
        "is accessible by group or others (mode 0644); run `chmod 600",
        "small._domainkey.acme-health.org of tenant acme",
        "2048 to 8192 bits",
        "ec._domainkey.acme-health.org of tenant acme",
        "elliptic-curve",
        "bad_selector._domainkey.acme-health.org of tenant acme: selector",
        "ok._domainkey.acme-health.org of tenant acme: configured twice",
        "single._domainkey.localhost of tenant acme: domain needs at least two labels",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in: {text}");
    }
}

#[test]
fn keygen_keys_are_standard_pem_and_their_records_verify() {
    let dir = tempfile::tempdir().unwrap();
    for (key_type, selector) in [(KeyType::Rsa, "genrsa"), (KeyType::Ed25519, "gened")] {
        let generated = keygen::generate(key_type).unwrap();
        let path = dir.path().join(format!("{selector}.pem"));
        std::fs::write(&path, generated.private_pem.as_bytes()).unwrap();
        let private = std::os::unix::fs::PermissionsExt::from_mode(0o600);
        std::fs::set_permissions(&path, private).unwrap();
        // openssl reads the key and derives the same public key as our record.
        let from_openssl = openssl_txt(&path, key_type == KeyType::Rsa);
        assert_eq!(generated.txt, from_openssl);
        let text = String::from_utf8(
            Command::new("openssl")
                .args(["pkey", "-noout", "-text", "-in"])
                .arg(&path)
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        let expect = if key_type == KeyType::Rsa {
            "Private-Key: (2048 bit"
        } else {
            "ED25519 Private-Key"
        };
        assert!(text.contains(expect), "{text:.80}");

        let key = TestKey {
            path,
            txt: generated.txt.clone(),
        };
        let signer = Signer::new([spec("acme", "acme-health.org", selector, &key)]).unwrap();
        let m = message("alice@acme-health.org", "keygen", "", b"hello\r\n");
        let signed = signer.sign(&tenant("acme"), &m).unwrap().apply(&m);
        let pubkeys = public_keys(&[(selector, "acme-health.org", &key)]);
        let (ok, why) = dkimpy(&pubkeys, &signed, 0);
        assert!(ok, "{key_type}: {why}");
        let (results, out) = opendkim(&pubkeys, &signed);
        assert!(
            opendkim_passes(&results, selector, "acme-health.org"),
            "{key_type}: {out}"
        );
    }
    let rsa = keygen::generate(KeyType::Rsa).unwrap();
    let line = zone_line("acme-health.org", "s2026", &rsa.txt);
    assert!(line.starts_with("s2026._domainkey.acme-health.org. IN TXT \"v=DKIM1; k=rsa; p="));
}
