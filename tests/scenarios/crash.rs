//! Acceptance: crash safety. 2,000 messages over 20 concurrent sessions to a gateway whose
//! queue keeps what it accepts (`mx` mode, every domain routed to a closed port, retries an
//! hour apart); once the clients have seen a third of their `250`s the gateway gets `kill -9`
//! — mid-run, with transactions in every state — and is restarted on the same data directory.
//!
//! Then: start-up recovery found every queued body readable (`missing_bodies=0`); every message
//! whose client saw `250` is in the queue under its Message-ID, with the queue id the client
//! was told; nothing is in the queue twice or that no client sent; and, read back from the
//! stopped spool through `sealgate-commit`, every queued body decrypts and ends with exactly
//! the bytes its client sent (the gateway prepends only its `Received` header).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::{MessageId, SystemClock};
use sealgate_tests::gateway::find_by_message_id;
use sealgate_tests::load::{Counter, MakeMessage, Sent, held_mx_config, run_sessions};
use sealgate_tests::mail::{filler, simple, unique_message_id};
use sealgate_tests::{Env, Gateway, GatewayConfig};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

const SESSIONS: usize = 20;
const PER_SESSION: usize = 100;
/// `kill -9` once clients have seen this many `250`s.
const KILL_AFTER: usize = 650;

#[test]
fn kill_9_mid_run_loses_no_message_that_got_250() {
    let env = Env::new();
    let config = held_mx_config(&env, &GatewayConfig::default());
    let gw = Gateway::start_file(&env, &config, &[]);
    let make: Arc<MakeMessage> = Arc::new(|s, i| {
        let id = unique_message_id(&format!("crash-{s}-{i}"));
        let body = filler(2048, &format!("session {s} message {i}"));
        let text = simple(
            "alice@acme-health.org",
            "Bob <bob@example.com>",
            "crash safety",
            &id,
            &body,
        );
        (id, text)
    });
    let acks = Arc::new(Counter::default());
    let finished = Arc::new(AtomicBool::new(false));
    let addr = gw.smtp;
    let clients = {
        let (acks, finished) = (Arc::clone(&acks), Arc::clone(&finished));
        thread::spawn(move || {
            let sent = run_sessions(
                addr,
                SESSIONS,
                PER_SESSION,
                "alice@acme-health.org",
                "bob@example.com",
                make,
                acks,
            );
            finished.store(true, Ordering::SeqCst);
            sent
        })
    };
    let seen = acks.wait_for(KILL_AFTER, Duration::from_secs(300), || {
        finished.load(Ordering::SeqCst)
    });
    let log_before = gw.log_text();
    assert!(
        seen >= KILL_AFTER && !finished.load(Ordering::SeqCst),
        "the run did not reach {KILL_AFTER} `250`s while still running (saw {seen}); log:\n{log_before}"
    );
    gw.kill9();
    let sent: Vec<Sent> = clients.join().expect("client threads");
    let acked: Vec<&Sent> = sent.iter().filter(|m| m.accepted()).collect();
    let broken = sent.iter().filter(|m| m.outcome.is_err()).count();
    eprintln!(
        "{} messages attempted, {} got 250 (kill after {seen}), {broken} sessions cut off",
        sent.len(),
        acked.len()
    );
    assert!(
        acked.len() < SESSIONS * PER_SESSION && broken > 0,
        "the kill did not interrupt the run: {} of {} got 250, {broken} broken",
        acked.len(),
        SESSIONS * PER_SESSION
    );
    for m in &sent {
        if let Ok(reply) = &m.outcome {
            assert!(
                m.accepted(),
                "{} refused before the kill: {reply}",
                m.message_id
            );
        }
    }

    // Restart on the same data directory.
    let gw = Gateway::start_file(&env, &config, &[]);
    let log = gw.log_text();
    let recovery = log
        .lines()
        .find(|l| l.contains("spool recovery finished"))
        .unwrap_or_else(|| panic!("no recovery report in the restart log:\n{log}"));
    assert!(
        recovery.contains("missing_bodies=0"),
        "recovery found queued messages without a usable body: {recovery}\n{log}"
    );
    let entries = gw.queue_list();
    for m in &acked {
        let e = find_by_message_id(&entries, &m.message_id).unwrap_or_else(|| {
            panic!(
                "{} got 250 ({:?}) but is not in the spool after the crash ({} entries)",
                m.message_id,
                m.outcome,
                entries.len()
            )
        });
        assert_eq!(
            e["message"]["id"].as_str(),
            m.queue_id.as_deref(),
            "{} is queued under another id",
            m.message_id
        );
    }
    let by_msgid: HashMap<&str, &Sent> = sent.iter().map(|m| (m.message_id.as_str(), m)).collect();
    let mut seen_ids = HashSet::new();
    for e in &entries {
        let msgid = e["message"]["header_message_id"].as_str().unwrap_or("");
        assert!(
            by_msgid.contains_key(msgid),
            "queued message no client sent: {e}"
        );
        assert!(seen_ids.insert(msgid), "{msgid} is queued twice");
    }
    assert!(
        entries.len() >= acked.len(),
        "{} queued < {} acknowledged",
        entries.len(),
        acked.len()
    );
    assert!(gw.terminate().success(), "restarted gateway did not exit 0");

    // Every queued body, read back from the stopped spool, is the message as sent.
    let keys = MasterKeys::load(&env.data().join("master.key")).expect("master key");
    let spool = Spool::open(
        &env.data(),
        keys,
        Arc::new(SystemClock),
        Arc::new(OsRandom::checked().expect("randomness")),
    )
    .expect("open the stopped spool");
    for e in &entries {
        let msgid = e["message"]["header_message_id"].as_str().unwrap();
        let id: MessageId = e["message"]["id"].as_str().unwrap().parse().unwrap();
        let body = spool
            .read_body(id)
            .unwrap_or_else(|err| panic!("body of {id} ({msgid}) unreadable: {err}"));
        let sent_text = by_msgid[msgid].text.as_bytes();
        assert!(
            body.ends_with(sent_text),
            "body of {id} ({msgid}) is not the message sent ({} octets stored, {} sent)",
            body.len(),
            sent_text.len()
        );
        assert!(
            body.starts_with(b"Received: "),
            "body of {id} does not start with the gateway's Received header"
        );
    }
    eprintln!(
        "{} queued after the crash, {} of them acknowledged: all found and intact",
        entries.len(),
        acked.len()
    );
}
