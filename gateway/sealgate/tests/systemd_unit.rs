//! `deploy/systemd/sealgate.service`, checked by systemd's own tools with the unit's
//! `ExecStart` pointed at the binary under test: `systemd-analyze verify` prints nothing (it
//! exits 0 on many problems, so any output fails) and `systemd-analyze security --offline=yes`
//! rates the exposure at 2.0 or less. The machines running the suite have no systemd as PID 1;
//! these are offline checks of the unit file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

const INSTALLED: &str = "/usr/local/bin/sealgate";

/// The unit with `ExecStart` rewritten to the test binary, in a fresh directory.
fn unit_for_test(dir: &Path) -> PathBuf {
    let source =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/systemd/sealgate.service");
    let text = std::fs::read_to_string(source).unwrap();
    assert!(
        text.contains(&format!("ExecStart={INSTALLED} serve")),
        "the unit's ExecStart is {INSTALLED}"
    );
    let unit = dir.join("sealgate.service");
    std::fs::write(
        &unit,
        text.replace(INSTALLED, env!("CARGO_BIN_EXE_sealgate")),
    )
    .unwrap();
    unit
}

#[test]
fn systemd_analyze_verify_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let unit = unit_for_test(dir.path());
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .output()
        .expect("systemd-analyze (tests/support/install-tools.sh installs systemd)");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "verify failed: {printed}");
    assert_eq!(printed, "", "systemd-analyze verify printed something");
}

#[test]
fn systemd_analyze_security_exposure_at_most_2() {
    let dir = tempfile::tempdir().unwrap();
    let unit = unit_for_test(dir.path());
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=yes", "--no-pager"])
        .arg(&unit)
        .output()
        .expect("systemd-analyze");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("Overall exposure level"))
        .unwrap_or_else(|| panic!("no exposure line in: {text}"));
    let score: f64 = line
        .split(':')
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no score in: {line}"));
    assert!(score <= 2.0, "exposure {score} > 2.0: {line}");
    // The hardening the issue names is there.
    let unit_text = std::fs::read_to_string(&unit).unwrap();
    for setting in [
        "Type=notify",
        "WatchdogSec=",
        "StateDirectory=sealgate",
        "LoadCredential=master.key:",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "SystemCallFilter=@system-service",
        "CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n",
        "AmbientCapabilities=CAP_NET_BIND_SERVICE\n",
    ] {
        assert!(unit_text.contains(setting), "unit lacks {setting}");
    }
}

/// The drain the gateway is configured with by default fits within the unit's stop timeout.
#[test]
fn default_drain_fits_the_stop_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let unit_text = std::fs::read_to_string(unit_for_test(dir.path())).unwrap();
    let stop = unit_text
        .lines()
        .find_map(|l| l.strip_prefix("TimeoutStopSec="))
        .and_then(|v| v.trim().strip_suffix('s'))
        .and_then(|v| v.parse::<u64>().ok())
        .expect("TimeoutStopSec=Ns");
    let drain = sealgate_config::Config::embedded().gateway.drain_timeout;
    assert!(
        drain.as_secs() + 30 <= stop,
        "drain {drain:?} vs TimeoutStopSec={stop}s"
    );
}
