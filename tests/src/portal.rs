//! What the secure-portal scenarios share: links in notifications, the `portal` CLI, event
//! kinds, a canary search over a directory, and an HTTPS GET through curl trusting a test CA.

use crate::OrDie;
use crate::gateway::Gateway;
use crate::tools::{describe, sealgate};
use std::path::Path;
use std::process::Command;

/// The portal link in a notification (`BASE/m/ID#HALF`).
pub fn link_in(notification: &[u8], base: &str) -> String {
    let text = String::from_utf8_lossy(notification);
    let at = text.find(&format!("{base}/m/")).or_die("a portal link");
    text[at..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .or_die("the link")
        .to_string()
}

/// The escrow id in a link (its path, no secret).
pub fn escrow_of(link: &str) -> String {
    let path = link.split("/m/").nth(1).or_die("a /m/ link");
    path.split('#').next().or_die("an escrow id").to_string()
}

/// `sealgate portal ARGS --json` through the running gateway.
pub fn portal_cli(gw: &Gateway, args: &[&str]) -> serde_json::Value {
    let (config, admin) = (
        gw.config.to_string_lossy().to_string(),
        gw.admin.to_string(),
    );
    let mut all = vec!["portal"];
    all.extend_from_slice(args);
    all.extend(["--config", &config, "--admin", &admin, "--json"]);
    let out = sealgate(&all);
    assert!(out.status.success(), "sealgate {all:?}: {}", describe(&out));
    serde_json::from_slice(&out.stdout).or_die("portal --json output")
}

/// The kinds of a `portal show` answer's events, oldest first.
pub fn event_kinds(shown: &serde_json::Value) -> Vec<String> {
    shown["events"]
        .as_array()
        .or_die("events")
        .iter()
        .map(|e| e["kind"].as_str().or_die("event kind").to_string())
        .collect()
}

/// Every file under `dir` (recursively) that contains `needle` in clear.
pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return hits;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            hits.extend(files_containing(&p, needle));
        } else if let Ok(bytes) = std::fs::read(&p)
            && bytes.windows(needle.len()).any(|w| w == needle)
        {
            hits.push(p.display().to_string());
        }
    }
    hits
}

/// curl's answer to an HTTPS GET of `url` trusting only `ca` (PEM): exit code, response
/// head (lower-cased) and body.
pub fn curl_get(url: &str, ca: Option<&Path>) -> (i32, String, String) {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "30", "-D", "-", "--proto", "=https"]);
    match ca {
        Some(ca) => cmd.arg("--cacert").arg(ca),
        // The system store, which does not hold the test CA.
        None => cmd.args(["--capath", "/nonexistent"]),
    };
    let out = crate::tools::run(cmd.arg(url), std::time::Duration::from_secs(40));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text.as_str(), ""));
    (
        out.status.code().unwrap_or(-1),
        head.to_lowercase(),
        body.to_string(),
    )
}

/// The value of `sealgate_portal_events_total{event, tenant}` in a `/metrics` text.
pub fn portal_count(metrics: &str, tenant: &str, event: &str) -> u64 {
    let series = format!("sealgate_portal_events_total{{event=\"{event}\",tenant=\"{tenant}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(series.as_str()))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no series {series}in:\n{metrics}"))
}
