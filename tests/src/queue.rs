//! The queue as the delivery tests see it: one entry through the admin API, `sealgate queue
//! show --json` and `queue retry` through the CLI, and waiting for recipients' states.
//!
//! Guarantees: every wait has a deadline; each poll is an HTTP exchange with the gateway
//! followed by a short pause (the queue has no push interface to wait on).

use crate::gateway::Gateway;
use crate::receiver::pause;
use crate::tools::{describe, sealgate};
use crate::{Env, OrDie};
use std::time::{Duration, Instant};

/// The queue entry of `id` (`GET /api/v1/queue/ID`), `None` when unknown.
pub fn entry(gw: &Gateway, env: &Env, id: &str) -> Option<serde_json::Value> {
    let (status, body) = gw.admin_get(env, &format!("/api/v1/queue/{id}"));
    match status {
        200 => Some(serde_json::from_slice(&body).or_die("queue entry JSON")),
        404 => None,
        s => panic!(
            "GET /api/v1/queue/{id}: {s} {}",
            String::from_utf8_lossy(&body)
        ),
    }
}

/// The recipients' statuses of an entry, in order.
pub fn statuses(entry: &serde_json::Value) -> Vec<String> {
    entry["recipients"]
        .as_array()
        .or_die("recipients array")
        .iter()
        .map(|r| r["status"].as_str().unwrap_or("?").to_string())
        .collect()
}

/// Waits until `id`'s recipients' statuses satisfy `done`, at most `timeout`; returns the
/// entry. Fails with the last entry seen.
pub fn wait_for(
    gw: &Gateway,
    env: &Env,
    id: &str,
    timeout: Duration,
    what: &str,
    done: impl Fn(&[String]) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + timeout;
    loop {
        let e = entry(gw, env, id);
        if let Some(e) = &e
            && done(&statuses(e))
        {
            return e.clone();
        }
        assert!(
            Instant::now() < deadline,
            "{id}: not {what} within {timeout:?}; last entry: {e:?}\n--- gateway log\n{}",
            gw.log_text()
        );
        pause(Duration::from_millis(50));
    }
}

/// Waits until every recipient of `id` is `status`.
pub fn wait_all(
    gw: &Gateway,
    env: &Env,
    id: &str,
    status: &str,
    timeout: Duration,
) -> serde_json::Value {
    wait_for(gw, env, id, timeout, status, |s| {
        !s.is_empty() && s.iter().all(|x| x == status)
    })
}

fn cli(gw: &Gateway, args: &[&str]) -> std::process::Output {
    let config = gw.config.to_string_lossy().to_string();
    let admin = gw.admin.to_string();
    let mut all: Vec<&str> = vec!["queue"];
    all.extend_from_slice(args);
    all.extend(["--config", &config, "--admin", &admin]);
    let out = sealgate(&all);
    assert!(out.status.success(), "sealgate {all:?}: {}", describe(&out));
    out
}

/// `sealgate queue show ID --json` through the running gateway.
pub fn show(gw: &Gateway, id: &str) -> serde_json::Value {
    let out = cli(gw, &["show", id, "--json"]);
    serde_json::from_slice(&out.stdout).or_die("queue show --json output")
}

/// `sealgate queue retry ID`.
pub fn retry(gw: &Gateway, id: &str) {
    cli(gw, &["retry", id]);
}

/// `sealgate queue hold ID`.
pub fn hold(gw: &Gateway, id: &str) {
    cli(gw, &["hold", id]);
}

/// `sealgate queue release ID`.
pub fn release(gw: &Gateway, id: &str) {
    cli(gw, &["release", id]);
}

/// `sealgate queue retry --all`.
pub fn retry_all(gw: &Gateway) {
    cli(gw, &["retry", "--all"]);
}

/// The facts of every `attempt` event of every recipient of an entry, in order.
pub fn attempts(entry: &serde_json::Value) -> Vec<serde_json::Value> {
    entry["recipients"]
        .as_array()
        .or_die("recipients array")
        .iter()
        .flat_map(|r| r["events"].as_array().cloned().unwrap_or_default())
        .map(|e| e["kind"].clone())
        .filter(|k| k["event"] == "attempt")
        .collect()
}

/// The queue id in a `250 2.0.0 Ok: queued as ID` line of a swaks transcript (`<-` or `<~`).
pub fn swaks_queue_id(transcript: &str) -> Option<String> {
    transcript.lines().find_map(|l| {
        let l = l.trim_start_matches(['<', '~', '-', ' ']);
        l.strip_prefix("250 2.0.0 ")
            .and_then(|rest| rest.split("queued as ").nth(1))
            .map(|id| id.trim().to_string())
    })
}
