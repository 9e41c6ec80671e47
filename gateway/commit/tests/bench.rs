//! Commit throughput (ignored by default; run in release):
//!
//! `cargo test -p sealgate-commit --release --test bench -- --ignored --nocapture`
//!
//! `SEALGATE_BENCH_DIR` picks the file system (default: the system temp dir). fsync is on.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use sealgate_core::store::QueueStore;
use std::time::Instant;

fn run(threads: usize, per_thread: usize) {
    let base = std::env::var_os("SEALGATE_BENCH_DIR").map(std::path::PathBuf::from);
    let dir = match base {
        Some(b) => tempfile::tempdir_in(b).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    let spool = open(dir.path(), TestClock::at(T0));
    let body = random_bytes(10 * 1024);
    let messages: Vec<Vec<_>> = (0..threads)
        .map(|_| {
            (0..per_thread)
                .map(|i| message(T0 + i as u64, 2, &body))
                .collect()
        })
        .collect();
    let start = Instant::now();
    std::thread::scope(|s| {
        for batch in &messages {
            let spool = spool.clone();
            s.spawn(move || {
                for m in batch {
                    spool.commit(m).unwrap();
                }
            });
        }
    });
    let elapsed = start.elapsed();
    let total = threads * per_thread;
    let stats = spool.commit_stats();
    println!(
        "{threads:>3} threads: {total} x 10 KiB in {:.2}s = {:.0} msg/s ({} redb transactions, {:.1} msgs each)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        stats.transactions,
        stats.operations as f64 / stats.transactions as f64
    );
    assert_eq!(spool.depth().unwrap().messages, total as u64);
}

#[test]
#[ignore = "benchmark; run with --release --ignored --nocapture"]
fn commit_throughput() {
    run(1, 300);
    run(20, 250);
    run(64, 100);
}
