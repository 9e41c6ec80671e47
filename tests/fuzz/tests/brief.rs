//! The CI run of the fuzz targets: a bounded number of cases per target (`SEALGATE_FUZZ_CASES`,
//! default 300) from a fixed seed, then every saved crash in `regressions/` replayed. Long runs
//! use the `sealgate-fuzz` binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_fuzz::{quiet_panics, replay, run, targets};
use std::path::Path;

#[test]
fn every_target_survives_a_brief_run_and_every_saved_crash() {
    quiet_panics();
    let cases = std::env::var("SEALGATE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut failures = Vec::new();
    let all = targets::all();
    assert!(all.len() >= 8);
    for t in &all {
        let r = run(t, 0x5EA1_6A7E, cases, None);
        assert!(r.cases >= cases, "{}: only {} cases", t.name, r.cases);
        for c in r.crashes {
            failures.push(format!(
                "{}: {} (input {:?})",
                t.name,
                c.message,
                String::from_utf8_lossy(&c.input)
            ));
        }
        for (file, m) in replay(t, &dir) {
            failures.push(format!("{}: regression {file}: {m}", t.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
