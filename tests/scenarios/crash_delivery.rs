//! Acceptance (issue 3): crash safety end to end. 2,000 messages over 20 concurrent sessions
//! go through the gateway in `mx` mode to a fast receiver (aiosmtpd) while the gateway is
//! delivering; twice during the run the gateway gets `kill -9` and is restarted on the same
//! data directory, and the clients carry on against the new process.
//!
//! Then: every message whose client saw `250` reaches the receiver (by Message-ID), and the
//! number of messages the receiver got more than once is reported (a delivery the receiver
//! acknowledged is recorded before its connection carries the next message, so at most the
//! transactions in flight at a kill can repeat). Short retry intervals and `queue retry` keep
//! the run short; nothing waits on a clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::load::{Counter, MakeMessage, Sent, run_sessions};
use sealgate_tests::mail::{filler, simple, unique_message_id};
use sealgate_tests::queue;
use sealgate_tests::receiver::Receiver;
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode};
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

const SESSIONS: usize = 20;
const TOTAL: usize = 2000;
/// `kill -9` once clients have seen this many `250`s in a phase (two phases end in a kill).
const KILL_AFTER: [usize; 2] = [600, 500];
/// Concurrent transactions to the receiver (the bound on repeats per kill).
const PER_DESTINATION: usize = 10;

/// One phase: `per_session` messages over each session against `gw`; with `kill_after`,
/// `kill -9` once that many `250`s were seen. Returns what the clients saw, and the gateway
/// when it was not killed.
fn phase(
    gw: Gateway,
    tag: &str,
    per_session: usize,
    kill_after: Option<usize>,
) -> (Vec<Sent>, Option<Gateway>) {
    let tag = tag.to_string();
    let make: Arc<MakeMessage> = Arc::new(move |s, i| {
        let id = unique_message_id(&format!("{tag}-{s}-{i}"));
        let body = filler(1024, &format!("{tag} session {s} message {i}"));
        let text = simple(
            "alice@acme-health.org",
            "Bob <bob@dest.test>",
            "crash safety end to end",
            &id,
            &body,
        );
        (id, text)
    });
    let acks = Arc::new(Counter::default());
    let addr = gw.smtp;
    let clients = {
        let acks = Arc::clone(&acks);
        thread::spawn(move || {
            run_sessions(
                addr,
                SESSIONS,
                per_session,
                "alice@acme-health.org",
                "bob@dest.test",
                make,
                acks,
            )
        })
    };
    let gw = match kill_after {
        Some(n) => {
            let seen = acks.wait_for(n, Duration::from_secs(300), || clients.is_finished());
            assert!(seen >= n, "only {seen} acks before the kill was due");
            gw.kill9();
            None
        }
        None => Some(gw),
    };
    (clients.join().expect("client threads"), gw)
}

#[test]
fn kill_9_twice_during_delivery_every_acknowledged_message_arrives() {
    let env = Env::new();
    let mut rx = Receiver::start(
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        0,
        &env.root().join("received"),
        None,
    );
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        delivery: vec![
            "retry_schedule = [1]".into(),
            format!("max_per_destination = {PER_DESTINATION}"),
        ],
        extra: format!("[delivery.routes]\n\"dest.test\" = \"{}\"\n", rx.addr),
        ..GatewayConfig::default()
    };
    let config = cfg.write(&env, "sealgate.toml");

    let mut sent: Vec<Sent> = Vec::new();
    let acked = |sent: &[Sent]| sent.iter().filter(|s| s.accepted()).count();
    let mut survivor = None;
    // Two phases end in `kill -9`; the last sends what is left and is not interrupted.
    for (n, kill_after) in [Some(KILL_AFTER[0]), Some(KILL_AFTER[1]), None]
        .into_iter()
        .enumerate()
    {
        let gw = Gateway::start_file(&env, &config, &[]);
        let left = TOTAL.saturating_sub(acked(&sent));
        let (got, gw) = phase(gw, &format!("p{n}"), left.div_ceil(SESSIONS), kill_after);
        sent.extend(got);
        survivor = gw;
    }
    let gw = survivor.expect("the last phase keeps its gateway");
    let acknowledged: HashSet<String> = sent
        .iter()
        .filter(|s| s.accepted())
        .map(|s| s.message_id.clone())
        .collect();
    assert!(
        acknowledged.len() >= TOTAL,
        "only {} of {TOTAL} messages got 250",
        acknowledged.len()
    );

    // Anything still waiting for its retry goes now.
    queue::retry_all(&gw);
    let deadline = std::time::Instant::now() + Duration::from_secs(240);
    let missing = |rx: &mut Receiver| -> Vec<String> {
        let have: HashSet<String> = rx.messages().into_iter().map(|m| m.message_id).collect();
        acknowledged
            .iter()
            .filter(|id| !have.contains(*id))
            .cloned()
            .collect()
    };
    loop {
        let left = missing(&mut rx);
        if left.is_empty() {
            break;
        }
        let wait = deadline.saturating_duration_since(std::time::Instant::now());
        assert!(
            !wait.is_zero(),
            "{} acknowledged messages never reached the receiver, e.g. {:?}\n--- gateway log\n{}",
            left.len(),
            &left[..left.len().min(5)],
            gw.log_text()
        );
        rx.next_event(wait.min(Duration::from_secs(5)));
    }
    assert!(gw.terminate().success(), "gateway did not stop cleanly");

    let received = rx.messages();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for m in &received {
        *counts.entry(m.message_id.as_str()).or_default() += 1;
    }
    let duplicates: usize = counts.values().map(|c| c - 1).sum();
    let sent_ids: HashSet<&str> = sent.iter().map(|s| s.message_id.as_str()).collect();
    let strangers: Vec<&&str> = counts.keys().filter(|k| !sent_ids.contains(**k)).collect();
    eprintln!(
        "crash_delivery: {} messages got 250 ({} attempted), {} received, {duplicates} duplicates",
        acknowledged.len(),
        sent.len(),
        received.len()
    );
    let mut repeated: Vec<(&str, usize)> = counts
        .iter()
        .filter(|(_, c)| **c > 1)
        .map(|(k, c)| (*k, *c))
        .collect();
    repeated.sort();
    eprintln!("crash_delivery: received more than once: {repeated:?}");
    assert!(
        strangers.is_empty(),
        "received mail nobody sent: {strangers:?}"
    );
    assert!(
        duplicates <= 2 * PER_DESTINATION,
        "{duplicates} duplicates: more than the transactions in flight at two kills"
    );
}
