//! Measuring a process tree from `/proc`: CPU time (utime + stime, plus the reaped children's),
//! resident memory, and percentiles of the latencies.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Clock ticks per second of `/proc/*/stat` times (`getconf CLK_TCK`; 100 on Linux when the
/// command is missing, which is what every Linux ABI the bench runs on uses).
pub fn clk_tck() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// `(ppid, utime + stime + cutime + cstime)` of one process.
fn stat(pid: u32) -> Option<(u32, u64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which may hold spaces: state is field 3.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok());
    let ppid = u32::try_from(num(1)?).ok()?;
    Some((ppid, num(11)? + num(12)? + num(13)? + num(14)?))
}

/// `root` and all its live descendants.
fn tree(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            if let Some((ppid, _)) = stat(pid) {
                children.entry(ppid).or_default().push(pid);
            }
        }
    }
    let mut all = vec![root];
    let mut i = 0;
    while i < all.len() {
        if let Some(c) = children.get(&all[i]) {
            all.extend(c);
        }
        i += 1;
    }
    all
}

/// CPU ticks of `root`'s tree (processes that exit mid-run take their ticks with them unless
/// their parent reaped them, so this is a lower bound for forking servers; exact for one
/// process).
pub fn tree_ticks(root: u32) -> u64 {
    tree(root)
        .into_iter()
        .filter_map(stat)
        .map(|(_, t)| t)
        .sum()
}

/// CPU ticks of this process.
pub fn self_ticks() -> u64 {
    stat(std::process::id()).map_or(0, |(_, t)| t)
}

/// Resident KiB of `root`'s tree now.
pub fn tree_rss_kib(root: u32) -> u64 {
    tree(root)
        .into_iter()
        .map(|p| status_kib(p, "VmRSS:"))
        .sum()
}

/// A `kB` field of `/proc/PID/status` (0 when absent).
pub fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Samples the tree's RSS every 100 ms until stopped; keeps the maximum.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    max: Arc<AtomicU64>,
}

impl RssSampler {
    /// Starts sampling `root` (no-op for `None`).
    pub fn start(root: Option<u32>) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let max = Arc::new(AtomicU64::new(0));
        if let Some(pid) = root {
            let (s, m) = (stop.clone(), max.clone());
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_millis(100));
                while !s.load(Ordering::Relaxed) {
                    tick.tick().await;
                    let kib = tokio::task::spawn_blocking(move || tree_rss_kib(pid))
                        .await
                        .unwrap_or(0);
                    m.fetch_max(kib, Ordering::Relaxed);
                }
            });
        }
        RssSampler { stop, max }
    }

    /// Stops and returns the maximum seen, in KiB.
    pub fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.max.load(Ordering::Relaxed)
    }
}

/// The `p`-th percentile (0–100) of sorted values, nearest rank; zero when empty.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Median of some figures (the middle one; the lower middle of an even count).
pub fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[(v.len() - 1) / 2]
}
