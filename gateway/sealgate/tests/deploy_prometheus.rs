//! `deploy/prometheus/`: the alert rules pass `promtool check rules` and their unit tests
//! (`promtool test rules alerts.test.yml`), the example Alertmanager configuration passes
//! `amtool check-config`, and every metric an alert uses is one the gateway defines.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/prometheus")
}

/// Runs a tool in `deploy/prometheus`; panics with its output unless it exits 0.
fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .current_dir(dir())
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e} (tests/support/install-tools.sh installs it)"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{tool} {args:?} failed:\n{text}");
    text
}

#[test]
fn alert_rules_are_valid_and_their_unit_tests_pass() {
    let check = run("promtool", &["check", "rules", "alerts.yml"]);
    assert!(check.contains("SUCCESS: 10 rules found"), "{check}");
    let tests = run("promtool", &["test", "rules", "alerts.test.yml"]);
    assert!(tests.contains("SUCCESS"), "{tests}");
}

#[test]
fn every_alert_is_unit_tested() {
    let rules = std::fs::read_to_string(dir().join("alerts.yml")).unwrap();
    let tests = std::fs::read_to_string(dir().join("alerts.test.yml")).unwrap();
    let names: Vec<&str> = rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- alert: "))
        .collect();
    assert_eq!(names.len(), 10);
    for name in names {
        assert!(
            tests.contains(&format!(
                "alertname: {name}\n        exp_alerts:\n          - exp_labels"
            )),
            "{name} has no firing test case"
        );
    }
}

#[test]
fn alertmanager_example_passes_amtool() {
    let out = run("amtool", &["check-config", "alertmanager.yml"]);
    assert!(out.contains("SUCCESS"), "{out}");
}

#[test]
fn alerts_use_only_metrics_the_gateway_defines() {
    let rules = std::fs::read_to_string(dir().join("alerts.yml")).unwrap();
    let report = Path::new(env!("CARGO_MANIFEST_DIR")).join("../report/src");
    let defined: String = ["metrics.rs", "gauges.rs"]
        .iter()
        .map(|f| std::fs::read_to_string(report.join(f)).unwrap())
        .collect();
    let mut used: Vec<String> = rules
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("sealgate_"))
        .map(|w| w.trim_end_matches("_bucket").to_owned())
        .collect();
    used.sort();
    used.dedup();
    assert!(used.len() >= 8, "{used:?}");
    for name in used {
        assert!(
            defined.contains(&format!("\"{name}\"")),
            "alerts.yml uses {name}, which gateway/report does not define"
        );
    }
}
