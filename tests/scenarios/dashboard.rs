//! Acceptance (issue 17): every panel of the Grafana dashboard (`deploy/grafana/sealgate.json`)
//! shows data. A real Prometheus (Debian's `prometheus`, on 127.0.0.1 and a free port, scraping
//! every second) scrapes a gateway in `mx` mode under a load that produces deliveries, deferrals
//! (`defer-…` recipients), bounces (`reject-…`), held mail (PHI to a recipient with no key
//! behind a plaintext-only hop), DLP hits (an SSN) and SMTP refusals (a foreign sender domain),
//! sent in two waves so every counter moves between scrapes. Then each panel query — with
//! Grafana's `$instance` and `$__rate_interval` filled in as Grafana would — is asked of
//! Prometheus' HTTP API until it returns a non-empty result with a non-zero value. The scrape
//! itself passes `promtool check metrics` with nothing printed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::crypto::dkim_key;
use sealgate_tests::receiver::{Receiver, free_port, test_cert};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{http_get, require_tool, signal, wait_exit};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const DASHBOARD: &str = include_str!("../../deploy/grafana/sealgate.json");
const DEADLINE: Duration = Duration::from_secs(240);

/// A running Prometheus, stopped on drop.
struct Prometheus {
    child: Option<Child>,
    addr: SocketAddr,
}

impl Prometheus {
    fn start(dir: &Path, target: SocketAddr) -> Prometheus {
        require_tool("prometheus");
        std::fs::create_dir_all(dir).unwrap();
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: sealgate\n    static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .unwrap();
        let addr = SocketAddr::new(LOOPBACK, free_port(LOOPBACK));
        let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start prometheus");
        let p = Prometheus {
            child: Some(child),
            addr,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !matches!(p.get("/-/ready"), Some((200, _))) {
            assert!(
                Instant::now() < deadline,
                "prometheus not ready within 60 s: {}",
                std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default()
            );
            std::thread::park_timeout(Duration::from_millis(100));
        }
        p
    }

    fn get(&self, path: &str) -> Option<(u16, Vec<u8>)> {
        http_get(self.addr, path, None, Duration::from_secs(10)).ok()
    }

    /// The instant query's result vector (empty on any error).
    fn query(&self, expr: &str) -> Vec<serde_json::Value> {
        let Some((200, body)) = self.get(&format!("/api/v1/query?query={}", encode(expr))) else {
            return Vec::new();
        };
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        v["data"]["result"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            signal(child.id(), "TERM");
            wait_exit(child, Duration::from_secs(30), "prometheus");
        }
    }
}

/// Percent-encodes a query parameter.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Values of a result vector that are numbers other than zero.
fn non_zero(result: &[serde_json::Value]) -> usize {
    result
        .iter()
        .filter_map(|r| r["value"][1].as_str()?.parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v != 0.0)
        .count()
}

/// (panel title, query) for every target of every panel, variables filled in.
fn panel_queries() -> Vec<(String, String)> {
    let dash: serde_json::Value = serde_json::from_str(DASHBOARD).expect("dashboard JSON");
    let mut out = Vec::new();
    for p in dash["panels"].as_array().unwrap() {
        if p["type"] == "row" {
            continue;
        }
        let targets = p["targets"].as_array().expect("panel targets");
        assert!(!targets.is_empty(), "panel {} has no query", p["title"]);
        for t in targets {
            let expr = t["expr"].as_str().expect("target expr");
            let filled = expr
                .replace("$__rate_interval", "1m")
                .replace("$instance", ".+");
            out.push((p["title"].as_str().unwrap().to_string(), filled));
        }
    }
    out
}

fn phi(to: &str, n: usize) -> String {
    format!(
        "From: Alice <alice@acme-health.org>\r\nTo: <{to}>\r\nSubject: lab results\r\nMessage-ID: <dash-phi-{n}@acme-health.org>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPatient SSN 123-45-6789, results attached.\r\n"
    )
}

fn plain(to: &str, n: usize) -> String {
    format!(
        "From: Alice <alice@acme-health.org>\r\nTo: <{to}>\r\nSubject: lunch\r\nMessage-ID: <dash-{n}@acme-health.org>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nSee you at noon.\r\n"
    )
}

/// One wave: deliveries, deferrals, bounces, held PHI and a refused sender. Returns the 250s.
fn wave(gw: &Gateway, w: usize) -> usize {
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    let mut accepted = 0;
    for i in 0..6 {
        let n = w * 100 + i;
        for (to, text) in [
            (
                format!("ok{n}@dest.test"),
                plain(&format!("ok{n}@dest.test"), n),
            ),
            (
                format!("defer-{n}@dest.test"),
                plain("defer@dest.test", n + 10_000),
            ),
            (
                format!("reject-{n}@dest.test"),
                plain("reject@dest.test", n + 20_000),
            ),
            (
                format!("nel{n}@dest.test"),
                phi(&format!("nel{n}@dest.test"), n),
            ),
        ] {
            let r = s.send_mail("alice@acme-health.org", &[&to], &text);
            accepted += usize::from(queued_id(&r).is_some());
        }
    }
    let refused = s.cmd("MAIL FROM:<mallory@elsewhere.example>");
    assert!(refused.code >= 500, "foreign sender accepted: {refused:?}");
    s.cmd("RSET");
    accepted
}

#[test]
fn every_dashboard_panel_shows_data_from_a_real_prometheus() {
    let env = Env::new();
    let q = |p: &Path| serde_json::to_string(&p.to_string_lossy()).unwrap();
    let dkim = dkim_key(&env.etc(), "acme", false);
    let client = test_cert(&env.etc(), "gw.sealgate.test");
    let dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
    let tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), None);
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        tenants: format!(
            "[tenants.acme]\nnetworks = [\"127.0.0.1/32\"]\nsender_domains = [\"acme-health.org\"]\n\n[[tenants.acme.dkim]]\ndomain = \"acme-health.org\"\nselector = \"s2026\"\nkey = {}\n\n[tenants.acme.return_route]\nhost = \"127.0.0.1\"\nport = {}\nclient_cert = {}\nclient_key = {}\n",
            q(&dkim.path),
            tenant.addr.port(),
            q(&client.0),
            q(&client.1)
        ),
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[delivery.routes]\n\"dest.test\" = \"{}\"\n\"acme-health.org\" = \"{}\"\n",
            dest.addr, tenant.addr
        ),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);
    let prom = Prometheus::start(&env.root().join("prometheus"), gw.admin);

    // Two waves, the second once Prometheus has seen the first, so rates are not zero.
    let first = wave(&gw, 1);
    let deadline = Instant::now() + DEADLINE;
    loop {
        let r = prom.query("sealgate_messages_accepted_total");
        let seen = r
            .first()
            .and_then(|v| v["value"][1].as_str()?.parse::<f64>().ok());
        if seen.is_some_and(|v| v >= first as f64) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "prometheus never scraped the first wave: {r:?}"
        );
        std::thread::park_timeout(Duration::from_millis(200));
    }
    let second = wave(&gw, 2);
    assert_eq!(first + second, 48, "every message of both waves gets 250");

    let queries = panel_queries();
    let mut pending: Vec<&(String, String)> = queries.iter().collect();
    let deadline = Instant::now() + DEADLINE;
    while !pending.is_empty() && Instant::now() < deadline {
        pending.retain(|(_, expr)| non_zero(&prom.query(expr)) == 0);
        if !pending.is_empty() {
            std::thread::park_timeout(Duration::from_millis(500));
        }
    }
    let empty: Vec<String> = pending
        .iter()
        .map(|(title, expr)| format!("{title}: {expr} -> {:?}", prom.query(expr)))
        .collect();
    assert!(
        empty.is_empty(),
        "panels without a non-zero series after {DEADLINE:?}:\n{}",
        empty.join("\n")
    );
    eprintln!(
        "{} panel queries over {} panels all non-zero",
        queries.len(),
        {
            let mut titles: Vec<&String> = queries.iter().map(|(t, _)| t).collect();
            titles.dedup();
            titles.len()
        }
    );

    // The scrape under this load passes Prometheus' own linter with nothing printed.
    let (status, scrape) = http_get(gw.admin, "/metrics", None, Duration::from_secs(10)).unwrap();
    assert_eq!(status, 200);
    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool");
    promtool.stdin.take().unwrap().write_all(&scrape).unwrap();
    let out = promtool.wait_with_output().unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && printed.is_empty(),
        "promtool check metrics: {printed}"
    );
    drop(prom);
    assert!(gw.terminate().success());
}
