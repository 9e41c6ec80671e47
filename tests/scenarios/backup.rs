//! Acceptance (issue 17): `sealgate backup` under load and `sealgate restore` into a new data
//! directory.
//!
//! Gateway 1 (`mx` mode) delivers mail for `deliver.example` to a real SMTP receiver and holds
//! mail for `example.com` (routed to a closed port, retries an hour apart). Eight client
//! sessions send to both; once 120 `250`s are in, `sealgate backup DIR` runs against the live
//! gateway (admin API) while the clients go on sending. Gateway 1 finishes delivering and stops;
//! `sealgate restore DIR --data-dir NEW` fills a new directory; gateway 2 starts on it with
//! every domain routed to a second receiver, and the administrator retries the held mail.
//!
//! Then: every message whose client saw `250` before the backup started is in the snapshot and
//! is delivered; gateway 2 delivers exactly the messages not yet final in the snapshot, each
//! once — a message final in the snapshot is never delivered again, and one delivered by
//! gateway 1 after the snapshot is delivered again by gateway 2 (at least once, as after a
//! crash); no receiver gets a message twice from the same gateway.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::SystemClock;
use sealgate_core::store::QueueStore;
use sealgate_tests::load::{Counter, MakeMessage, Sent, closed_port, run_sessions};
use sealgate_tests::mail::{filler, simple, unique_message_id};
use sealgate_tests::queue::retry_all;
use sealgate_tests::receiver::Receiver;
use sealgate_tests::tools::{describe, sealgate};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode};
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const SESSIONS: usize = 4;
const PER_SESSION: usize = 60;
/// Start the backup once clients have seen this many `250`s.
const BACKUP_AFTER: usize = 120;

fn config(routes: &str) -> GatewayConfig {
    GatewayConfig {
        mode: Mode::Mx,
        delivery: vec!["retry_schedule = [\"1h\"]".into()],
        extra: format!("[delivery.routes]\n{routes}"),
        ..GatewayConfig::default()
    }
}

/// Clients sending to `to` over [`SESSIONS`] sessions, in a thread.
fn clients(
    addr: SocketAddr,
    to: &'static str,
    acks: &Arc<Counter>,
) -> thread::JoinHandle<Vec<Sent>> {
    let make: Arc<MakeMessage> = Arc::new(move |s, i| {
        let id = unique_message_id(&format!("backup-{to}-{s}-{i}"));
        let body = filler(2048, &format!("session {s} message {i}"));
        (
            id.clone(),
            simple(
                "alice@acme-health.org",
                &format!("Bob <{to}>"),
                "backup",
                &id,
                &body,
            ),
        )
    });
    let acks = Arc::clone(acks);
    thread::spawn(move || {
        run_sessions(
            addr,
            SESSIONS,
            PER_SESSION,
            "alice@acme-health.org",
            to,
            make,
            acks,
        )
    })
}

fn received_ids(rx: &mut Receiver) -> Vec<String> {
    rx.messages().into_iter().map(|m| m.message_id).collect()
}

#[test]
fn backup_under_load_restores_into_a_new_directory_and_delivers_what_was_acknowledged() {
    let env = Env::new();
    let mut rx1 = Receiver::start(LOOPBACK, 0, &env.root().join("rx1"), None);
    let routes1 = format!(
        "\"deliver.example\" = \"{}\"\n\"example.com\" = \"127.0.0.1:{}\"\n",
        rx1.addr,
        closed_port()
    );
    let cfg1 = config(&routes1).write(&env, "gw1.toml");
    let gw1 = Gateway::start_file(&env, &cfg1, &[]);

    // Load on both domains; the backup runs while it goes on.
    let acks = Arc::new(Counter::default());
    let delivered = clients(gw1.smtp, "bob@deliver.example", &acks);
    let held = clients(gw1.smtp, "bob@example.com", &acks);
    let done = AtomicBool::new(false);
    let seen = acks.wait_for(BACKUP_AFTER, Duration::from_secs(300), || {
        done.load(Ordering::SeqCst)
    });
    assert!(seen >= BACKUP_AFTER, "only {seen} `250`s before the backup");
    let backup_dir = env.root().join("backup");
    let started = Instant::now();
    let out = sealgate(&[
        "backup",
        backup_dir.to_str().unwrap(),
        "--config",
        cfg1.to_str().unwrap(),
        "--admin",
        &gw1.admin.to_string(),
    ]);
    let ended = Instant::now();
    assert!(out.status.success(), "backup failed: {}", describe(&out));
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        said.contains("(online)"),
        "not taken through the running gateway: {said}"
    );
    assert!(said.contains("master key is not included"), "{said}");
    assert!(
        !backup_dir.join("master.key").exists(),
        "master key copied unasked"
    );
    let acks_during = acks.get();
    let sent: Vec<Sent> = [delivered, held]
        .into_iter()
        .flat_map(|h| h.join().expect("client threads"))
        .collect();
    done.store(true, Ordering::SeqCst);
    let acked: Vec<&Sent> = sent.iter().filter(|m| m.accepted()).collect();
    assert_eq!(
        acked.len(),
        2 * SESSIONS * PER_SESSION,
        "every message gets 250"
    );
    let before: Vec<&Sent> = acked
        .iter()
        .copied()
        .filter(|m| m.acked_at.unwrap() < started)
        .collect();
    let during = acked
        .iter()
        .filter(|m| (started..ended).contains(&m.acked_at.unwrap()))
        .count();
    let after = acked
        .iter()
        .filter(|m| m.acked_at.unwrap() >= ended)
        .count();
    assert!(
        after > 0,
        "the load ended before the backup did (no `250` after it)"
    );
    eprintln!(
        "backup: {} `250`s before it, {during} during it ({:?}), {after} after; counter at {acks_during} when it ended",
        before.len(),
        ended - started
    );

    // Gateway 1 delivers what it can, then stops (a restore is made on a stopped gateway).
    let to_rx1 = acked
        .iter()
        .filter(|m| m.text.contains("deliver.example"))
        .count();
    rx1.wait_messages(to_rx1, Duration::from_secs(300), "gateway 1's deliveries");
    assert!(gw1.terminate().success(), "gateway 1 did not stop cleanly");

    let restored = env.root().join("restored");
    let out = sealgate(&[
        "restore",
        backup_dir.to_str().unwrap(),
        "--data-dir",
        restored.to_str().unwrap(),
        "--config",
        cfg1.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "restore failed: {}", describe(&out));
    let again = sealgate(&[
        "restore",
        backup_dir.to_str().unwrap(),
        "--data-dir",
        restored.to_str().unwrap(),
        "--config",
        cfg1.to_str().unwrap(),
    ]);
    assert!(
        !again.status.success(),
        "restore over a non-empty directory: {}",
        describe(&again)
    );

    // What the snapshot holds, read from the restored directory before anything runs on it.
    let (final_ids, open_ids) = snapshot_contents(&restored, &env.data().join("master.key"));
    for m in &before {
        assert!(
            final_ids.contains(&m.message_id) || open_ids.contains(&m.message_id),
            "{} got 250 before the backup started but is not in it",
            m.message_id
        );
    }

    // Gateway 2 on the restored directory, every domain to the second receiver.
    let mut rx2 = Receiver::start(LOOPBACK, 0, &env.root().join("rx2"), None);
    let text2 = config(&format!("\"*\" = \"{}\"\n", rx2.addr))
        .render(&env)
        .replacen(
            &format!("dir = {:?}", env.data().to_string_lossy()),
            &format!("dir = {:?}", restored.to_string_lossy()),
            1,
        );
    assert!(
        text2.contains(&*restored.to_string_lossy()),
        "storage.dir not replaced"
    );
    let cfg2 = env.write_etc("gw2.toml", &text2);
    let gw2 = Gateway::start_file(&env, &cfg2, &[]);
    let log = gw2.log_text();
    assert!(
        log.contains("missing_bodies=0"),
        "restored spool has unreadable bodies:\n{log}"
    );
    retry_all(&gw2);
    rx2.wait_messages(
        open_ids.len(),
        Duration::from_secs(300),
        "gateway 2's deliveries",
    );

    let got1 = received_ids(&mut rx1);
    let got2 = received_ids(&mut rx2);
    assert_eq!(
        got2.len(),
        open_ids.len(),
        "gateway 2 delivered more than the snapshot held open"
    );
    assert_once(&got1, "gateway 1");
    assert_once(&got2, "gateway 2");
    let got2: HashSet<&String> = got2.iter().collect();
    let open_refs: HashSet<&String> = open_ids.iter().collect();
    assert_eq!(
        got2, open_refs,
        "gateway 2 delivered other messages than the snapshot held open"
    );
    let got1: HashSet<&String> = got1.iter().collect();
    for m in &before {
        assert!(
            got1.contains(&m.message_id) || got2.contains(&m.message_id),
            "{} got 250 before the backup but was never delivered",
            m.message_id
        );
    }
    let redelivered = got2.intersection(&got1).count();
    eprintln!(
        "snapshot: {} final, {} open; gateway 2 delivered {} (of which {redelivered} gateway 1 had delivered after the snapshot); none final in the snapshot delivered again",
        final_ids.len(),
        open_ids.len(),
        got2.len()
    );
    assert!(gw2.terminate().success());
}

/// (Message-IDs final in the snapshot, Message-IDs with a recipient still open).
fn snapshot_contents(dir: &Path, key: &Path) -> (HashSet<String>, HashSet<String>) {
    let keys = MasterKeys::load(key).expect("master key");
    let spool = Spool::open(
        dir,
        keys,
        Arc::new(SystemClock),
        Arc::new(OsRandom::checked().unwrap()),
    )
    .expect("open the restored spool");
    let (mut done, mut open) = (HashSet::new(), HashSet::new());
    for e in spool.list(None, 100_000).expect("list") {
        let id = e.message.header_message_id.clone().expect("Message-ID");
        if e.recipients.iter().all(|r| r.status.is_terminal()) {
            done.insert(id);
        } else {
            open.insert(id);
        }
    }
    (done, open)
}

fn assert_once(ids: &[String], who: &str) {
    let mut count: HashMap<&String, usize> = HashMap::new();
    for id in ids {
        *count.entry(id).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "{who} delivered these more than once: {twice:?}"
    );
}

#[test]
fn offline_backup_with_the_master_key_restores_on_a_new_machine_and_damage_is_refused() {
    use sealgate_tests::Smtp;
    use sealgate_tests::load::held_mx_config;
    let env = Env::new();
    let cfg = held_mx_config(&env, &GatewayConfig::default());
    let gw = Gateway::start_file(&env, &cfg, &[]);
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    for i in 0..3 {
        let id = unique_message_id(&format!("offline-{i}"));
        let text = simple(
            "alice@acme-health.org",
            "<bob@example.com>",
            "offline",
            &id,
            "hello",
        );
        let r = s.send_mail("alice@acme-health.org", &["bob@example.com"], &text);
        r.expect(250, "2.0.0", "end of data");
    }
    s.cmd("QUIT");
    assert!(gw.terminate().success());

    let dir = env.root().join("backup");
    let out = sealgate(&[
        "backup",
        dir.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--include-master-key",
    ]);
    assert!(out.status.success(), "offline backup: {}", describe(&out));
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        said.contains("(offline)") && said.contains("3 queued with 3 bodies"),
        "{said}"
    );
    assert!(dir.join("master.key").exists() && dir.join("files/log-pseudonym.key").exists());

    // A new machine: no master key yet; the restore writes it from the backup and checks with it.
    let key = env.root().join("newhost/master.key");
    let new = env.root().join("newhost/data");
    let out = sealgate(&[
        "restore",
        dir.to_str().unwrap(),
        "--data-dir",
        new.to_str().unwrap(),
        "--master-key-file",
        key.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "restore: {}", describe(&out));
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(said.contains("3 queued"), "{said}");
    assert_eq!(
        std::fs::read(&key).unwrap(),
        std::fs::read(env.data().join("master.key")).unwrap()
    );

    // One flipped byte in a sealed body: refused before anything is written.
    let body = std::fs::read_dir(dir.join("spool/bodies"))
        .unwrap()
        .flat_map(|shard| std::fs::read_dir(shard.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .next()
        .expect("a body in the backup");
    let mut bytes = std::fs::read(&body).unwrap();
    bytes[40] ^= 1;
    std::fs::write(&body, bytes).unwrap();
    let other = env.root().join("other");
    let out = sealgate(&[
        "restore",
        dir.to_str().unwrap(),
        "--data-dir",
        other.to_str().unwrap(),
        "--master-key-file",
        key.to_str().unwrap(),
    ]);
    assert!(
        !out.status.success(),
        "damaged backup restored: {}",
        describe(&out)
    );
    assert!(describe(&out).contains("damaged"), "{}", describe(&out));
    assert!(!other.join("queue.redb").exists());
}
