//! `sg-load`: the STARTTLS load tool of `tests/bench/` (issue 19).
//!
//! One process holds both ends: an SMTP client (N sessions, M messages of a size, optional
//! STARTTLS, optional several loopback source addresses, optional fixed rate) and a sink that
//! offers STARTTLS and PIPELINING and keeps nothing (no fsync). `--target sink` sends straight
//! to the sink — the rig's own ceiling; otherwise the target is a relay (Sealgate or Postfix)
//! that must route everything to the sink's address.
//!
//! Per run it prints accepted and delivered msg/s, `250` latency p50/p99 (end of DATA → `250`),
//! the CPU ms per message of the measured process tree (`--pid`, from `/proc`) and of this
//! tool, and the tree's peak RSS; then the medians. `--half-rate` adds a run paced at half the
//! median delivered rate, for latency at a load the relay can carry. Figures only, never a
//! verdict: benchmarks print, tests assert.

#![forbid(unsafe_code)]

mod client;
mod measure;
mod sink;
mod smtp;
mod tls;

use clap::Parser;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Command line.
#[derive(Parser, Debug)]
#[command(
    name = "sg-load",
    about = "SMTP/STARTTLS load client + non-fsyncing sink"
)]
struct Args {
    /// Relay to load (`HOST:PORT`), or `sink` for client → sink directly (the rig ceiling).
    #[arg(long)]
    target: String,
    /// Where the sink listens (the relay's route must point here).
    #[arg(long, default_value = "127.0.0.1:10026")]
    sink: SocketAddr,
    /// STARTTLS on the client → target leg.
    #[arg(long)]
    tls: bool,
    /// Sink certificate and key (PEM); a fresh self-signed ECDSA certificate otherwise.
    #[arg(long, num_args = 2, value_names = ["CERT", "KEY"])]
    sink_cert: Option<Vec<String>>,
    /// Concurrent sessions.
    #[arg(long, default_value_t = 20)]
    sessions: usize,
    /// Messages per run.
    #[arg(long, default_value_t = 5000)]
    msgs: u64,
    /// Body bytes per message.
    #[arg(long, default_value_t = 10240)]
    size: usize,
    /// Messages per connection (1 = a connection per message, as smtp-source does without -d).
    #[arg(long, default_value_t = 1)]
    per_conn: u64,
    /// Runs.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Root PID of the relay's process tree, for CPU and RSS.
    #[arg(long)]
    pid: Option<u32>,
    /// Number of loopback source addresses (127.0.0.1, .2, …), sessions spread round robin.
    #[arg(long, default_value_t = 1)]
    sources: u8,
    /// After the runs, one more paced at half the median delivered rate (latency figures).
    #[arg(long)]
    half_rate: bool,
    /// Seconds to wait for the sink to count every accepted message.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    /// Name in the output.
    #[arg(long, default_value = "relay")]
    label: String,
}

/// One run's figures.
struct Run {
    accepted_rate: f64,
    delivered_rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_ms: f64,
    own_cpu_ms: f64,
    rss_mib: f64,
    sink_tls_share: f64,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Err(e) = real_main(args).await {
        eprintln!("sg-load: {e}");
        std::process::exit(1);
    }
}

async fn real_main(args: Args) -> Result<(), String> {
    let files = args
        .sink_cert
        .as_deref()
        .map(|v| (v[0].as_str(), v[1].as_str()));
    let sink = sink::start(args.sink, tls::server(files)?).await?;
    let target: SocketAddr = if args.target == "sink" {
        sink.addr
    } else {
        args.target
            .parse()
            .map_err(|e| format!("--target {}: {e}", args.target))?
    };
    let plan = client::Plan {
        target,
        sources: (1..=args.sources.max(1))
            .map(|i| IpAddr::from([127, 0, 0, i]))
            .collect(),
        sessions: args.sessions,
        msgs: args.msgs,
        per_conn: args.per_conn,
        size: args.size,
        tls: if args.tls { Some(tls::client()?) } else { None },
        rate: None,
    };
    println!(
        "# {}: target {target}, sink {}, {} sessions from {} address(es), {} x {} B, {} per connection, TLS {}",
        args.label,
        sink.addr,
        args.sessions,
        plan.sources.len(),
        args.msgs,
        args.size,
        args.per_conn,
        if args.tls { "on" } else { "off" },
    );
    let mut runs = Vec::new();
    for i in 1..=args.runs {
        let r = one_run(&args, &sink, plan.clone()).await?;
        print_run(&format!("run {i}"), &r);
        runs.push(r);
    }
    let med = |f: fn(&Run) -> f64| measure::median(runs.iter().map(f).collect());
    let delivered = med(|r| r.delivered_rate);
    println!(
        "{} median: accepted {:.0} msg/s, delivered {:.0} msg/s, CPU {:.3} ms/msg (tool {:.3}), 250 p50 {:.2} ms p99 {:.2} ms, peak RSS {:.0} MiB",
        args.label,
        med(|r| r.accepted_rate),
        delivered,
        med(|r| r.cpu_ms),
        med(|r| r.own_cpu_ms),
        med(|r| r.p50_ms),
        med(|r| r.p99_ms),
        med(|r| r.rss_mib),
    );
    if args.half_rate && delivered > 0.0 {
        let paced = client::Plan {
            rate: Some(delivered / 2.0),
            ..plan
        };
        let r = one_run(&args, &sink, paced).await?;
        print_run(&format!("at half rate ({:.0} msg/s)", delivered / 2.0), &r);
        println!(
            "{} latency at half rate: 250 p50 {:.2} ms p99 {:.2} ms",
            args.label, r.p50_ms, r.p99_ms
        );
    }
    Ok(())
}

async fn one_run(args: &Args, sink: &sink::Sink, plan: client::Plan) -> Result<Run, String> {
    use std::sync::atomic::Ordering;
    let tck = measure::clk_tck();
    let before = sink.count.load(Ordering::Relaxed);
    let tls_before = sink.tls_count.load(Ordering::Relaxed);
    let ticks0 = args.pid.map(measure::tree_ticks);
    let own0 = measure::self_ticks();
    let rss = measure::RssSampler::start(args.pid);
    let started = Instant::now();
    let out = client::run(plan).await;
    let deadline = started + Duration::from_secs(args.timeout);
    let mut poll = tokio::time::interval(Duration::from_millis(5));
    while sink.count.load(Ordering::Relaxed) < before + out.accepted {
        if Instant::now() > deadline {
            return Err(format!(
                "sink has {} of {} after {} s",
                sink.count.load(Ordering::Relaxed) - before,
                out.accepted,
                args.timeout
            ));
        }
        poll.tick().await;
    }
    let delivered_wall = started.elapsed();
    let tls_msgs = sink.tls_count.load(Ordering::Relaxed) - tls_before;
    let rss_kib = rss.finish();
    let per_msg = |ticks: u64| ticks as f64 * 1000.0 / tck / out.accepted.max(1) as f64;
    let cpu = match (args.pid, ticks0) {
        (Some(pid), Some(t0)) => per_msg(measure::tree_ticks(pid).saturating_sub(t0)),
        _ => 0.0,
    };
    if out.failed > 0 {
        eprintln!(
            "sg-load: {} messages not accepted; first error: {}",
            out.failed,
            out.first_error.as_deref().unwrap_or("?")
        );
    }
    let mut lat = out.latencies;
    lat.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(Run {
        accepted_rate: out.accepted as f64 / out.wall.as_secs_f64(),
        delivered_rate: out.accepted as f64 / delivered_wall.as_secs_f64(),
        p50_ms: ms(measure::percentile(&lat, 50.0)),
        p99_ms: ms(measure::percentile(&lat, 99.0)),
        cpu_ms: cpu,
        own_cpu_ms: per_msg(measure::self_ticks().saturating_sub(own0)),
        rss_mib: rss_kib as f64 / 1024.0,
        sink_tls_share: tls_msgs as f64 / out.accepted.max(1) as f64,
    })
}

fn print_run(name: &str, r: &Run) {
    println!(
        "  {name}: accepted {:.0} msg/s, delivered {:.0} msg/s, CPU {:.3} ms/msg (tool {:.3}), 250 p50 {:.2} ms p99 {:.2} ms, peak RSS {:.0} MiB, {:.0}% reached the sink inside TLS",
        r.accepted_rate,
        r.delivered_rate,
        r.cpu_ms,
        r.own_cpu_ms,
        r.p50_ms,
        r.p99_ms,
        r.rss_mib,
        r.sink_tls_share * 100.0
    );
}
