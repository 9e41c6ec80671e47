//! Classifies the benchmarks' typical 10 KiB message (`benches/support/message.rs`) N times
//! (default 100) with the embedded rule set: issue 14's figure under a profiler that cannot
//! run the criterion binary, e.g.
//!
//! ```sh
//! cargo build --release -p sealgate-rules --example classify_loop
//! valgrind --tool=callgrind --toggle-collect='sealgate_rules::RuleSet::classify_raw' \
//!     target/release/examples/classify_loop 50
//! ```
//!
//! callgrind counts instructions, so two builds compare on a busy machine. With
//! `CLASSIFY_RULES=DIR` it loads that rule directory instead of the embedded set, so two rule
//! sets compare on one build.

#[allow(dead_code)] // the benchmarks use more of it
#[path = "../benches/support/message.rs"]
mod message;

use anyhow::{Context, Result};
use sealgate_core::Address;
use sealgate_rules::RuleSet;
use std::hint::black_box;

fn main() -> Result<()> {
    let n: usize = match std::env::args().nth(1) {
        Some(a) => a.parse().context("usage: classify_loop [N]")?,
        None => 100,
    };
    // `CLASSIFY_RULES=DIR`: a rule directory instead of the embedded set (an A/B of rule
    // changes without a rebuild).
    let set = match std::env::var_os("CLASSIFY_RULES") {
        Some(dir) => match RuleSet::load_dir(std::path::Path::new(&dir)) {
            Ok(s) => s,
            Err(e) => anyhow::bail!("{}: {e:?}", dir.to_string_lossy()),
        },
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
