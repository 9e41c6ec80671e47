//! A criterion measurement of this thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), so figures
//! are per core even on a machine shared with other work: wall time would count the time the
//! scheduler gave to someone else.

use criterion::Throughput;
use criterion::measurement::{Measurement, ValueFormatter};
use rustix::time::{ClockId, clock_gettime};

/// Thread CPU time in nanoseconds.
pub struct CpuTime;

/// This thread's CPU time in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
pub fn now_ns() -> u64 {
    let t = clock_gettime(ClockId::ThreadCPUTime);
    (t.tv_sec as u64) * 1_000_000_000 + t.tv_nsec as u64
}

impl Measurement for CpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        now_ns()
    }
    fn end(&self, start: u64) -> u64 {
        now_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

struct CpuFormatter;

fn scale(values: &mut [f64], per_second: f64, units: [&'static str; 4]) -> &'static str {
    let (div, unit) = match per_second {
        x if x < 1e3 => (1.0, units[0]),
        x if x < 1e6 => (1e3, units[1]),
        x if x < 1e9 => (1e6, units[2]),
        _ => (1e9, units[3]),
    };
    for v in values {
        *v /= div;
    }
    unit
}

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = match ns {
            x if x < 1e3 => (1.0, "ns cpu"),
            x if x < 1e6 => (1e-3, "µs cpu"),
            x if x < 1e9 => (1e-6, "ms cpu"),
            _ => (1e-9, "s cpu"),
        };
        for v in values {
            *v *= factor;
        }
        unit
    }

    fn scale_throughputs(&self, typical: f64, t: &Throughput, values: &mut [f64]) -> &'static str {
        let (n, units) = match *t {
            Throughput::Bytes(b) | Throughput::BytesDecimal(b) => {
                (b as f64, ["B/s", "KB/s", "MB/s", "GB/s"])
            }
            Throughput::Bits(b) => (b as f64, ["b/s", "Kb/s", "Mb/s", "Gb/s"]),
            Throughput::Elements(e) | Throughput::ElementsAndBytes { elements: e, .. } => {
                (e as f64, ["elem/s", "Kelem/s", "Melem/s", "Gelem/s"])
            }
        };
        for v in values.iter_mut() {
            *v = n * 1e9 / *v;
        }
        scale(values, n * 1e9 / typical, units)
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}
