//! Classifies the benchmarks' typical 10 KiB message (`benches/support/message.rs`) N times
//! (default 100) with the embedded rule set: issue 14's figure under a profiler that cannot
//! run the criterion binary, e.g.
//!
//! ```sh
//! cargo build --release -p sealgate-rules --example classify_loop
//! valgrind --tool=callgrind --toggle-collect='sealgate_rules::RuleSet::run' \
//!     target/release/examples/classify_loop 50
//! ```
//!
//! callgrind counts instructions, so two builds compare on a busy machine. A rule directory as
//! the second argument (`classify_loop 50 deploy/rules`) is loaded instead of the embedded set,
//! so what a rule file costs is measured without a rebuild.
//!
//! It prints the time of a decision, the least and the median over rounds of 100 (after one
//! decision outside the rounds: the name lists load on first use); run two builds in turn to
//! compare them on a machine whose load moves. (Wall time: the benchmarks' thread CPU clock,
//! read through the vDSO, does not run under valgrind.)

#[allow(dead_code)] // the benchmarks use more of it
#[path = "../benches/support/message.rs"]
mod message;

use anyhow::{Context, Result};
use sealgate_core::Address;
use sealgate_rules::RuleSet;
use std::hint::black_box;

fn main() -> Result<()> {
    let n: usize = match std::env::args().nth(1) {
        Some(a) => a.parse().context("usage: classify_loop [N] [RULES_DIR]")?,
        None => 100,
    };
    let set = match std::env::args().nth(2) {
        Some(dir) => RuleSet::load_dir(std::path::Path::new(&dir)).map_err(|errors| {
            let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow::anyhow!("{dir}: {}", all.join("; "))
        })?,
        None => RuleSet::embedded_default(),
    };
    let s = Address::parse("ann@clinic.example").context("address")?;
    let r = Address::parse("pat@mail.example").context("address")?;
    let msg = message::typical_message();
    let mut phi = usize::from(set.classify_raw(&msg, Some(&s), &[&r]).phi);
    let mut rounds = Vec::new();
    for done in (0..n).step_by(100) {
        let k = (n - done).min(100);
        let t = std::time::Instant::now();
        for _ in 0..k {
            phi += usize::from(black_box(set.classify_raw(black_box(&msg), Some(&s), &[&r])).phi);
        }
        rounds.push(t.elapsed().as_secs_f64() * 1e6 / k as f64);
    }
    rounds.sort_by(f64::total_cmp);
    let (least, median) = match rounds.first() {
        Some(&l) => (l, rounds[rounds.len() / 2]),
        None => (0.0, 0.0),
    };
    println!(
        "{} decisions, {phi} PHI; µs each: least {least:.1}, median {median:.1}",
        n + 1
    );
    Ok(())
}
