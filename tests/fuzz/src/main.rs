//! `sealgate-fuzz`: runs the fuzz targets for as long as asked and prints cases and crashes.
//!
//! ```text
//! sealgate-fuzz [--target NAME] [--cases N] [--seconds S] [--seed X] [--save DIR]
//! ```
//! Defaults: every target, 10 000 cases each, seed from the clock. `SEALGATE_FUZZ_SECONDS`
//! and `SEALGATE_FUZZ_CASES` set the same as the flags. With `--seconds` the time is shared
//! equally by the targets. Minimised crashes are written to `DIR/<target>/` (default
//! `tests/fuzz/regressions`) — the `brief` test replays that folder. Exit status 1 on a crash.
#![forbid(unsafe_code)]

use sealgate_fuzz::{quiet_panics, run, targets};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct Args {
    target: Option<String>,
    cases: u64,
    seconds: Option<u64>,
    seed: u64,
    save: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let env_num = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let clock = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let mut a = Args {
        target: None,
        cases: env_num("SEALGATE_FUZZ_CASES").unwrap_or(10_000),
        seconds: env_num("SEALGATE_FUZZ_SECONDS"),
        seed: clock,
        save: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("regressions"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let num = |v: String| v.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--target" => a.target = Some(value()?),
            "--cases" => a.cases = num(value()?)?,
            "--seconds" => {
                a.seconds = Some(num(value()?)?);
                a.cases = u64::MAX;
            }
            "--seed" => a.seed = num(value()?)?,
            "--save" => a.save = PathBuf::from(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.seconds.is_some() && std::env::var("SEALGATE_FUZZ_CASES").is_err() {
        a.cases = u64::MAX;
    }
    Ok(a)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("sealgate-fuzz: {e}");
            std::process::exit(2);
        }
    };
    quiet_panics();
    let chosen: Vec<_> = targets::all()
        .into_iter()
        .filter(|t| args.target.as_deref().is_none_or(|n| n == t.name))
        .collect();
    if chosen.is_empty() {
        eprintln!("sealgate-fuzz: no such target");
        std::process::exit(2);
    }
    let share = args
        .seconds
        .map(|s| Duration::from_secs(s) / chosen.len() as u32);
    println!("seed {}", args.seed);
    let (mut total, mut crashes) = (0u64, 0usize);
    for (i, t) in chosen.iter().enumerate() {
        let started = Instant::now();
        let until = share.map(|d| started + d);
        let r = run(t, args.seed.wrapping_add(i as u64), args.cases, until);
        println!(
            "{:<14} {:>10} cases {:>3} crashes {:>7.1}s",
            r.target,
            r.cases,
            r.crashes.len(),
            started.elapsed().as_secs_f64()
        );
        total += r.cases;
        crashes += r.crashes.len();
        for (n, c) in r.crashes.iter().enumerate() {
            let dir = args.save.join(t.name);
            let file = dir.join(format!("crash-{}-{n}.bin", args.seed));
            let saved = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&file, &c.input));
            println!(
                "  crash: {} ({} bytes{})",
                c.message.lines().next().unwrap_or(""),
                c.input.len(),
                if saved.is_ok() {
                    format!(", saved to {}", file.display())
                } else {
                    String::new()
                }
            );
        }
    }
    println!("total {total} cases, {crashes} crashes");
    if crashes > 0 {
        std::process::exit(1);
    }
}
