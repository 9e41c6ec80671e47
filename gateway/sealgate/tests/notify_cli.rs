//! `sealgate serve` under a service manager: given `NOTIFY_SOCKET` (a real Unix datagram
//! socket bound here) and `WATCHDOG_USEC`, it sends `READY=1` once it listens, `WATCHDOG=1`
//! pings while healthy, and `STOPPING=1` when SIGTERM starts the drain.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Receives datagrams until one contains `want` or the deadline passes; returns all seen.
fn wait_for(socket: &UnixDatagram, want: &str, deadline: Instant) -> Vec<String> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.iter().any(|m: &String| m.lines().any(|l| l == want)) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "no {want} before the deadline; got {seen:?}"
        );
        socket.set_read_timeout(Some(left)).unwrap();
        match socket.recv(&mut buf) {
            Ok(n) => seen.push(String::from_utf8_lossy(&buf[..n]).into_owned()),
            Err(e) => panic!("no {want}: {e}; got {seen:?}"),
        }
    }
    seen
}

#[test]
fn serve_notifies_ready_watchdog_and_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sealgate"))
        .args([
            "serve",
            "--smtp-listen",
            "127.0.0.1:0",
            "--admin-listen",
            "127.0.0.1:0",
        ])
        .current_dir(dir.path())
        .env("NOTIFY_SOCKET", &path)
        .env("WATCHDOG_USEC", "400000")
        .env_remove("WATCHDOG_PID")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let first = wait_for(&socket, "READY=1", deadline);
    // READY comes after the READY line on stdout: the gateway listens when it says so.
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("READY "), "{line}");
    // Two pings after READY: the watchdog keeps running, not one ping at start.
    let mut pings = first.iter().filter(|m| m.as_str() == "WATCHDOG=1").count();
    while pings < 2 {
        let got = wait_for(&socket, "WATCHDOG=1", deadline);
        pings += got.iter().filter(|m| m.as_str() == "WATCHDOG=1").count();
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    wait_for(&socket, "STOPPING=1", deadline);
    assert!(child.wait().unwrap().success());
}

#[test]
fn no_watchdog_pings_for_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sealgate"))
        .args([
            "serve",
            "--smtp-listen",
            "127.0.0.1:0",
            "--admin-listen",
            "127.0.0.1:0",
        ])
        .current_dir(dir.path())
        .env("NOTIFY_SOCKET", &path)
        .env("WATCHDOG_USEC", "200000")
        .env("WATCHDOG_PID", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let seen = wait_for(&socket, "READY=1", deadline);
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let seen = [seen, wait_for(&socket, "STOPPING=1", deadline)].concat();
    assert!(child.wait().unwrap().success());
    assert!(
        !seen.iter().any(|m| m == "WATCHDOG=1"),
        "pinged a watchdog meant for PID 1: {seen:?}"
    );
}
