//! Structured fuzzing that runs on the stable toolchain (no `cargo fuzz`, which needs nightly).
//!
//! Each [`Target`] is a public entry point of the gateway with a seed corpus, a dictionary of
//! tokens and a check that panics when a property breaks (a panic inside the code under test
//! counts the same). [`run`] feeds it seeded mutations of the corpus under `catch_unwind`,
//! minimises every distinct failure and reports cases run and crashes. The CI entry point is the
//! `brief` test (a few hundred cases per target, `SEALGATE_FUZZ_CASES` to change); the
//! `sealgate-fuzz` binary runs for as long as asked (`--seconds`, `--cases`) and saves minimised
//! crashes, which go into `regressions/<target>/` and are replayed by the `brief` test forever.
#![forbid(unsafe_code)]

pub mod mutate;
pub mod reply_form;
pub mod rng;
pub mod targets;

use rng::Rng;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::Instant;

/// One fuzzed entry point.
pub struct Target {
    /// Name (`--target`, regression folder).
    pub name: &'static str,
    /// The seed corpus.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Tokens the mutator inserts.
    pub tokens: &'static [&'static [u8]],
    /// Longest input tried.
    pub max_len: usize,
    /// Runs one input; panics when a property fails.
    pub check: fn(&[u8]),
}

/// A failing input, minimised.
#[derive(Debug, Clone)]
pub struct Crash {
    /// The panic message.
    pub message: String,
    /// The smallest failing input found.
    pub input: Vec<u8>,
}

/// What one run found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The target's name.
    pub target: &'static str,
    /// Inputs tried.
    pub cases: u64,
    /// Distinct failures (by panic message).
    pub crashes: Vec<Crash>,
}

/// Runs `input` through `target`; the panic message if it failed.
pub fn try_one(target: &Target, input: &[u8]) -> Option<String> {
    catch_unwind(AssertUnwindSafe(|| (target.check)(input)))
        .err()
        .map(|p| {
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into())
        })
}

/// Runs up to `cases` inputs (and until `until`, if given) from `seed`.
pub fn run(target: &Target, seed: u64, cases: u64, until: Option<Instant>) -> Report {
    let seeds = (target.seeds)();
    let mut rng = Rng::new(seed);
    let mut report = Report {
        target: target.name,
        cases: 0,
        crashes: Vec::new(),
    };
    for input in &seeds {
        report.cases += 1;
        record(target, input.clone(), &mut report);
    }
    while report.cases < cases && until.is_none_or(|t| Instant::now() < t) {
        let input = mutate::mutate(&mut rng, &seeds, target.tokens, target.max_len);
        report.cases += 1;
        record(target, input, &mut report);
    }
    report
}

fn record(target: &Target, input: Vec<u8>, report: &mut Report) {
    let Some(message) = try_one(target, &input) else {
        return;
    };
    let key = message.lines().next().unwrap_or("").to_string();
    if report.crashes.len() >= 20 || report.crashes.iter().any(|c| c.message.starts_with(&key)) {
        return;
    }
    let input = mutate::minimise(input, &mut |d| {
        try_one(target, d).is_some_and(|m| m.starts_with(&key))
    });
    report.crashes.push(Crash { message, input });
}

/// Replays every file in `dir/<target>/` (the regression corpus); the failures.
pub fn replay(target: &Target, dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir.join(target.name)) else {
        return Vec::new();
    };
    let mut failures = Vec::new();
    for e in entries.flatten() {
        let Ok(input) = std::fs::read(e.path()) else {
            continue;
        };
        if let Some(m) = try_one(target, &input) {
            failures.push((e.path().display().to_string(), m));
        }
    }
    failures
}

/// Silences the default panic output (expected panics are caught and reported instead).
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}
