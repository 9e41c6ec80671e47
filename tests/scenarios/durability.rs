//! Acceptance: durability ordering. `sealgate serve` runs under
//! `strace -f -e trace=fsync,fdatasync,write,sendto,…` while a small run of messages is sent
//! over two concurrent sessions (so group commit is exercised); then the trace is checked,
//! message by message (keyed by the queue id of its `250 … queued as ID`), for the order the
//! commit stage promises (`gateway/commit`: `queue.rs`, `bodies.rs`, `group.rs`). One session
//! sends small messages, whose sealed body goes into the record's own database transaction:
//! no body file may be touched, and steps 5–7 must hold. The other sends bodies over
//! `INLINE_BODY_MAX` (256 KiB), kept in files, for which every step must hold:
//!
//! 1. the sealed body is written to `bodies/XX/ID.n.tmp`,
//! 2. that file is fsync'd (after its last write),
//! 3. it is renamed to `bodies/XX/ID.body`,
//! 4. the shard directory `bodies/XX` is fsync'd,
//! 5. a redb page holding the message's record (its JSON carries `"id":"ID"`) is written to
//!    `queue.redb` — never before step 4 —,
//! 6. `queue.redb` is fsync'd/fdatasync'd,
//! 7. and only then `250 … queued as ID` is written to the client's socket.
//!
//! Each syscall counts where it *completes* (its `= 0` line, or `<… resumed>` line), except the
//! `250`, which counts where it *starts*; strace writes one file in the order it sees events, so
//! "before" is "on an earlier line". `-yy` prints each fd's path or TCP endpoints, `-s` keeps
//! enough of each buffer to see replies and records. The checker is tested on its own against
//! hand-made traces in which one step is missing or out of order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::OrDie;
use sealgate_tests::load::{Counter, MakeMessage, held_mx_config, run_sessions};
use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::tools::require_tool;
use sealgate_tests::{Env, Gateway, GatewayConfig};
use std::collections::HashMap;
use std::fs;
use std::sync::Arc;

const SESSIONS: usize = 2;
const PER_SESSION: usize = 5;

/// One traced syscall.
#[derive(Debug, Clone)]
struct Call {
    /// Line (0-based) where it started.
    start: usize,
    /// Line where it completed (same as `start` when not interrupted).
    end: usize,
    name: String,
    /// The arguments as strace printed them (from the opening line).
    args: String,
    /// The return value text (`0`, `52`, `-1 EIO (…)`, `?`).
    ret: String,
}

impl Call {
    fn ok(&self) -> bool {
        self.ret
            .split_whitespace()
            .next()
            .is_some_and(|r| r.parse::<i64>().is_ok_and(|v| v >= 0))
    }
    /// The path strace printed for the first fd argument (`-y`: `12</a/b>`).
    fn fd_path(&self) -> Option<&str> {
        let rest = self.args.split_once('<')?.1;
        Some(rest.split_once('>')?.0)
    }
}

/// Parses `strace -f -ttt -yy` output (pid and timestamp prefixed) into calls.
fn parse_trace(text: &str) -> Vec<Call> {
    let mut calls = Vec::new();
    let mut pending: HashMap<String, (usize, String, String)> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        // `PID  TIMESTAMP CALL…`
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let Some((_time, rest)) = rest.trim_start().split_once(' ') else {
            continue;
        };
        if let Some(resumed) = rest.strip_prefix("<... ") {
            let Some((name, tail)) = resumed.split_once(" resumed>") else {
                continue;
            };
            if let Some((start, pname, args)) = pending.remove(pid)
                && pname == name
            {
                let ret = tail.rsplit_once(" = ").map_or("?", |x| x.1).to_string();
                calls.push(Call {
                    start,
                    end: i,
                    name: pname,
                    args,
                    ret,
                });
            }
            continue;
        }
        let Some((name, args)) = rest.split_once('(') else {
            continue;
        };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(args) = args.strip_suffix(" <unfinished ...>") {
            pending.insert(pid.to_string(), (i, name.to_string(), args.to_string()));
            continue;
        }
        let (args, ret) = args.rsplit_once(" = ").unwrap_or((args, "?"));
        calls.push(Call {
            start: i,
            end: i,
            name: name.to_string(),
            args: args.to_string(),
            ret: ret.to_string(),
        });
    }
    calls.sort_by_key(|c| c.start);
    calls
}

fn is_sync(c: &Call) -> bool {
    matches!(c.name.as_str(), "fsync" | "fdatasync") && c.ok()
}

fn is_socket_write(c: &Call) -> bool {
    matches!(
        c.name.as_str(),
        "write" | "sendto" | "writev" | "sendmsg" | "send"
    ) && c.fd_path().is_some_and(|p| p.starts_with("TCP:"))
}

/// Where the gateway keeps a message's sealed body (`gateway/commit`, `INLINE_BODY_MAX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kept {
    /// In the database, in the transaction of its record: no file at all.
    Database,
    /// In its own file, made durable before the record is written.
    File,
}

/// Checks the commit order for the message queued as `id`; `Err` says which step failed.
fn check_order(calls: &[Call], id: &str, kept: Kept) -> Result<(), String> {
    let reply = format!("queued as {id}");
    let ack = calls
        .iter()
        .find(|c| is_socket_write(c) && c.args.contains(&reply))
        .ok_or_else(|| format!("{id}: no `250 … {reply}` written to a socket"))?;
    let body_durable = match kept {
        Kept::File => Some(check_body_file(calls, id, ack)?),
        Kept::Database => {
            let marker = format!("/{id}.");
            if let Some(c) = calls.iter().find(|c| {
                c.args.contains(&marker) || c.fd_path().is_some_and(|p| p.contains(&marker))
            }) {
                return Err(format!(
                    "{id}: a body file was written (line {}) though its body belongs in the \
                     database",
                    c.start + 1
                ));
            }
            None
        }
    };
    let is_db = |c: &Call| c.fd_path().is_some_and(|p| p.ends_with(".redb"));
    let record = format!("\\\"id\\\":\\\"{id}\\\"");
    let record_write = calls
        .iter()
        .find(|c| c.name.starts_with("pwrite") && is_db(c) && c.args.contains(&record))
        .ok_or_else(|| format!("{id}: no write of its record ({record}) to the database"))?;
    if let Some(dir_sync_end) = body_durable
        && record_write.start < dir_sync_end
    {
        return Err(format!(
            "{id}: its record was written to the database (line {}) before its body's \
             directory was fsync'd (line {})",
            record_write.start + 1,
            dir_sync_end + 1
        ));
    }
    calls
        .iter()
        .filter(|c| is_sync(c) && is_db(c) && c.start > record_write.end)
        .find(|c| c.end < ack.start)
        .ok_or_else(|| {
            format!(
                "{id}: the database is not fsync'd after its record was written (line {}) and \
                 before the 250 (line {})",
                record_write.start + 1,
                ack.start + 1
            )
        })?;
    Ok(())
}

/// Steps 1–4 for a body kept in a file; returns the line where its directory fsync completed.
fn check_body_file(calls: &[Call], id: &str, ack: &Call) -> Result<usize, String> {
    let before = |c: &&Call| c.end < ack.start;
    let tmp_marker = format!("/{id}.");
    let is_tmp = |c: &Call| {
        c.fd_path()
            .is_some_and(|p| p.contains(&tmp_marker) && p.ends_with(".tmp"))
    };
    let last_body_write = calls
        .iter()
        .filter(|c| c.name == "write" && is_tmp(c) && c.ok())
        .filter(before)
        .max_by_key(|c| c.end)
        .ok_or_else(|| format!("{id}: no write of its body file before the 250"))?;
    let body_sync = calls
        .iter()
        .filter(|c| is_sync(c) && is_tmp(c) && c.start > last_body_write.end)
        .find(before)
        .ok_or_else(|| {
            format!("{id}: its body file is not fsync'd after its last write and before the 250")
        })?;
    let final_name = format!("/{id}.body\"");
    let rename = calls
        .iter()
        .filter(|c| c.name.starts_with("rename") && c.ok() && c.args.contains(&final_name))
        .filter(|c| c.start > body_sync.end)
        .find(before)
        .ok_or_else(|| {
            format!("{id}: body not renamed to {id}.body after its fsync and before the 250")
        })?;
    let shard = rename
        .args
        .split('"')
        .nth(3)
        .and_then(|to| to.rsplit_once('/'))
        .map(|(dir, _)| dir.to_string())
        .ok_or_else(|| format!("{id}: cannot read the target of {:?}", rename.args))?;
    let dir_sync = calls
        .iter()
        .filter(|c| is_sync(c) && c.fd_path() == Some(shard.as_str()))
        .filter(|c| c.start > rename.end)
        .find(before)
        .ok_or_else(|| {
            format!("{id}: directory {shard} not fsync'd after the rename and before the 250")
        })?;
    Ok(dir_sync.end)
}

#[test]
fn body_and_database_syncs_precede_every_250() {
    require_tool("strace");
    let env = Env::new();
    let config = held_mx_config(&env, &GatewayConfig::default());
    let trace = env.logs().join("strace.txt");
    let wrapper: Vec<String> = [
        "strace",
        "-f",
        "-ttt",
        "-yy",
        "-s",
        "65536",
        "-e",
        "trace=fsync,fdatasync,write,sendto,writev,sendmsg,pwrite64,pwritev,rename,renameat,renameat2",
        "-o",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([trace.to_string_lossy().to_string()])
    .collect();
    let gw = Gateway::start_file(&env, &config, &wrapper);
    let make: Arc<MakeMessage> = Arc::new(|s, i| {
        // Session 1 sends bodies too large for the database (over 256 KiB).
        let (kind, lines) = if s == 1 {
            ("large", 6000)
        } else {
            ("small", 1)
        };
        let id = unique_message_id(&format!("durability-{kind}-{s}-{i}"));
        let text = format!("message {i} of session {s}, padded to stay in its own file\n");
        let text = simple(
            "alice@acme-health.org",
            "bob@example.com",
            "durability",
            &id,
            &text.repeat(lines),
        );
        (id, text)
    });
    let sent = run_sessions(
        gw.smtp,
        SESSIONS,
        PER_SESSION,
        "alice@acme-health.org",
        "bob@example.com",
        make,
        Arc::new(Counter::default()),
    );
    for m in &sent {
        assert!(
            m.accepted(),
            "{} not accepted: {:?}",
            m.message_id,
            m.outcome
        );
    }
    assert_eq!(sent.len(), SESSIONS * PER_SESSION);
    let log = gw.log_text();
    assert!(gw.terminate().success(), "gateway did not exit 0:\n{log}");

    let text = fs::read_to_string(&trace).or_die("read the strace output");
    let calls = parse_trace(&text);
    let failures: Vec<String> = sent
        .iter()
        .filter_map(|m| {
            let large = m.message_id.contains("durability-large-");
            let kept = if large { Kept::File } else { Kept::Database };
            check_order(&calls, m.queue_id.as_deref().unwrap(), kept).err()
        })
        .collect();
    eprintln!(
        "checked {} messages against {} traced calls ({} lines)",
        sent.len(),
        calls.len(),
        text.lines().count()
    );
    assert!(
        failures.is_empty(),
        "durability order broken ({} of {} messages):\n{}\n(trace: {} lines, {} calls)",
        failures.len(),
        sent.len(),
        failures.join("\n"),
        text.lines().count(),
        calls.len()
    );
}

// The checker itself, on hand-made traces: it passes the right order and fails each breach.

const ID: &str = "01M8S2JT7RBMQK27DB4Y6KNQ46";

fn good_trace() -> Vec<String> {
    let d = "/d/bodies/86";
    vec![
        format!(r#"589 1.0 write(14<{d}/{ID}.0.tmp>, "SGSEALED\1"..., 300) = 300"#),
        format!(r#"589 1.1 fsync(14<{d}/{ID}.0.tmp>) = 0"#),
        format!(r#"589 1.2 rename("{d}/{ID}.0.tmp", "{d}/{ID}.body") = 0"#),
        format!(r#"589 1.3 fsync(14<{d}>) = 0"#),
        format!(
            r#"589 1.4 pwrite64(9</d/queue.redb>, "\1\377{{\"id\":\"{ID}\",\"tenant\":\"acme\"}}", 4096, 8192) = 4096"#
        ),
        r#"589 1.5 fdatasync(9</d/queue.redb> <unfinished ...>"#.to_string(),
        r#"587 1.6 sendto(13<TCP:[127.0.0.1:25->127.0.0.1:4000]>, "250 2.1.5 Recipient ok\r\n", 24, MSG_NOSIGNAL, NULL, 0) = 24"#.to_string(),
        r#"589 1.7 <... fdatasync resumed>) = 0"#.to_string(),
        format!(
            r#"587 1.8 sendto(13<TCP:[127.0.0.1:25->127.0.0.1:4000]>, "250 2.0.0 Ok: queued as {ID}\r\n", 52, MSG_NOSIGNAL, NULL, 0) = 52"#
        ),
    ]
}

fn check(lines: &[String]) -> Result<(), String> {
    check_order(&parse_trace(&lines.join("\n")), ID, Kept::File)
}

/// The trace of a body kept in the database: the record's transaction and its sync only.
fn good_database_trace() -> Vec<String> {
    good_trace().split_off(4)
}

fn check_database(lines: &[String]) -> Result<(), String> {
    check_order(&parse_trace(&lines.join("\n")), ID, Kept::Database)
}

#[test]
fn checker_accepts_the_promised_order() {
    check(&good_trace()).unwrap();
    check_database(&good_database_trace()).unwrap();
}

#[test]
fn checker_fails_a_database_body_that_touched_a_file_or_missed_the_sync() {
    let err = check_database(&good_trace()).expect_err("a body file for a small body");
    assert!(err.contains("a body file was written"), "{err}");
    let mut t = good_database_trace();
    t.remove(1); // the fdatasync
    t.remove(2); // … and its resumption
    let err = check_database(&t).expect_err("no database sync");
    assert!(err.contains("database is not fsync'd"), "{err}");
    let mut t = good_database_trace();
    t.remove(0);
    let err = check_database(&t).expect_err("no record");
    assert!(err.contains("no write of its record"), "{err}");
}

#[test]
fn checker_fails_when_a_step_is_missing() {
    for (skip, why) in [
        (1, "not fsync'd after its last write"),
        (2, "not renamed"),
        (3, "not fsync'd after the rename"),
        (4, "no write of its record"),
        (7, "database is not fsync'd"),
        (8, "no `250"),
    ] {
        let mut t = good_trace();
        t.remove(skip);
        let err = check(&t).expect_err(&format!("line {skip} missing went unnoticed"));
        assert!(err.contains(why), "line {skip} missing: {err}");
    }
}

#[test]
fn checker_fails_when_the_250_comes_before_a_sync_completes() {
    let mut t = good_trace();
    // The 250 is written while the database fsync is still running.
    t.swap(7, 8);
    let err = check(&t).expect_err("250 before the database sync completed");
    assert!(err.contains("database is not fsync'd"), "{err}");
}

#[test]
fn checker_fails_when_the_record_is_written_before_the_directory_sync() {
    let mut t = good_trace();
    t.swap(3, 4);
    let err = check(&t).expect_err("record before directory fsync");
    assert!(err.contains("before its body's directory"), "{err}");
}

#[test]
fn checker_fails_when_the_body_is_written_after_its_fsync_or_a_sync_failed() {
    let mut t = good_trace();
    t.swap(0, 1);
    let err = check(&t).expect_err("fsync before the write");
    assert!(err.contains("not fsync'd after its last write"), "{err}");
    let mut t = good_trace();
    t[3] = t[3].replace("= 0", "= -1 EIO (Input/output error)");
    let err = check(&t).expect_err("failed directory fsync");
    assert!(err.contains("not fsync'd after the rename"), "{err}");
}
