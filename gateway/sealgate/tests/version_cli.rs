//! `sealgate --version` names the commit the binary was built from (`build.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::process::Command;

#[test]
fn version_names_the_commit() {
    let out = Command::new(env!("CARGO_BIN_EXE_sealgate"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8(o.stdout).unwrap().trim().to_owned());
    // Without git (a tarball build) the build script falls back to "unknown".
    let expected = head.unwrap_or_else(|| "unknown".to_owned());
    assert_eq!(
        text.trim(),
        format!("sealgate {} (commit {expected})", env!("CARGO_PKG_VERSION"))
    );
}
