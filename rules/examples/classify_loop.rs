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
    let mut phi = 0;
    for _ in 0..n {
        phi += usize::from(black_box(set.classify_raw(black_box(&msg), Some(&s), &[&r])).phi);
    }
    println!("{n} decisions, {phi} PHI");
    Ok(())
}
