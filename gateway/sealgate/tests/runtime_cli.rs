//! `SEALGATE_BLOCKING_THREADS` (the blocking pool's bound, for measuring): a bad value stops
//! `serve` before anything else, with a message naming the variable.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::process::Command;

#[test]
fn a_bad_blocking_thread_count_is_refused_by_name() {
    for bad in ["0", "many", "-3"] {
        let out = Command::new(env!("CARGO_BIN_EXE_sealgate"))
            .args(["serve", "--config", "/nonexistent/sealgate.toml"])
            .env("SEALGATE_BLOCKING_THREADS", bad)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad} was accepted");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains("SEALGATE_BLOCKING_THREADS: expected a whole number above 0"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn a_good_blocking_thread_count_gets_past_the_check() {
    // The next problem is the missing configuration file, so the count itself was accepted.
    let out = Command::new(env!("CARGO_BIN_EXE_sealgate"))
        .args(["serve", "--config", "/nonexistent/sealgate.toml"])
        .env("SEALGATE_BLOCKING_THREADS", "16")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("SEALGATE_BLOCKING_THREADS"), "{err}");
    assert!(err.contains("sealgate.toml"), "{err}");
}
