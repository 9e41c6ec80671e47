//! Build script: records the commit the binary is built from, for `sealgate --version` and the
//! `sealgate_build_info` metric.
//!
//! `SEALGATE_COMMIT` in the build environment wins (a packager building from a tarball sets
//! it); otherwise `git rev-parse --short=12 HEAD` in the source tree; without git or outside a
//! repository the commit is `unknown` and the build goes on.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=SEALGATE_COMMIT");
    let from_env = std::env::var("SEALGATE_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty());
    let commit = from_env
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=SEALGATE_COMMIT={}", commit.trim());
}

/// One git command's trimmed stdout, `None` when git is missing or the command fails.
fn git(args: &[&str]) -> Option<String> {
    let dir = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The short commit of HEAD; asks cargo to rerun when HEAD or the branch it names moves.
fn git_commit() -> Option<String> {
    let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
    let mut watched = vec!["HEAD".to_owned()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", &name]) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    Some(commit)
}
