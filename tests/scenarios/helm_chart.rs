//! The Helm chart (`helm/sealgate`), checked by `tests/chart/test_chart.py` under pytest:
//! strict lint and render (helm-python-sdk) of the defaults and each `ci/*.yaml`,
//! `kubernetes-validate --strict` for 1.30–1.35, checkov, yamllint, the real `sealgate config
//! check` on the rendered configuration, assertions on the objects, misspelt keys rejected, the
//! README's values table against the schema. The tools come from
//! `tests/support/install-tools.sh`; a missing one fails the test.

use sealgate_tests::tools::{describe, require_tool, run, sealgate_bin};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

#[test]
fn the_chart_lints_renders_validates_and_scans_clean() {
    for tool in ["python3", "yamllint", "openssl"] {
        require_tool(tool);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = run(
        Command::new("python3")
            .args([
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/chart",
            ])
            .current_dir(&root)
            .env("SEALGATE_BIN", sealgate_bin()),
        Duration::from_secs(1200),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pytest tests/chart failed:\n{}",
        describe(&out)
    );
    // pytest's closing line, e.g. "100 passed in 312.4s": every check ran, none skipped.
    let last = text
        .lines()
        .rev()
        .find(|l| l.contains(" passed"))
        .unwrap_or("");
    assert!(
        !last.contains("skipped") && !last.contains("deselected"),
        "pytest skipped checks: {last}"
    );
    let passed: usize = last
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(passed >= 90, "only {passed} chart checks ran: {last}");
}
