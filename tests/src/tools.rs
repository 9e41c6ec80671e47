//! Running real programs with deadlines: the `sealgate` CLI, swaks, testssl, `kill`; a
//! minimal HTTP/1.0 client for the admin API.
//!
//! Guarantees: no call here waits without a deadline; a command that overruns is killed
//! (`kill -9` by its pid) and the test fails with whatever it printed so far. A tool that is
//! not installed fails the test with a pointer to `tests/support/install-tools.sh` — never a
//! silent skip.

use crate::OrDie;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The `sealgate` binary: `$SEALGATE_BIN`, else `sealgate` in the target profile directory
/// this test executable was built into (`target/debug/deps/..` → `target/debug/sealgate`).
pub fn sealgate_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("SEALGATE_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().or_die("current_exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .or_die("test executable has no target/<profile> directory");
    let bin = profile_dir.join("sealgate");
    assert!(
        bin.is_file(),
        "{} is missing: build it first with `cargo build -p sealgate` (tests/run.sh does)",
        bin.display()
    );
    bin
}

/// Fails the test unless `name` is on `PATH`.
pub fn require_tool(name: &str) {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .any(|d| d.join(name).is_file());
    assert!(
        found,
        "required tool `{name}` is not installed: run tests/support/install-tools.sh"
    );
}

/// Waits for `child` to exit, at most `timeout`; on overrun kills it (`kill -9`) and fails.
pub fn wait_exit(mut child: Child, timeout: Duration, what: &str) -> ExitStatus {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    match rx.recv_timeout(timeout) {
        Ok(status) => status.or_die(what),
        Err(_) => {
            signal(pid, "KILL");
            panic!("{what}: still running after {timeout:?} (killed)");
        }
    }
}

/// Sends a signal (`TERM`, `KILL`, `HUP`…) to a process with `kill(1)`.
pub fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .args(["-s", sig, &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn collect(mut r: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

/// Runs a command to completion (stdin closed, output captured), at most `timeout`.
pub fn run(cmd: &mut Command, timeout: Duration) -> Output {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .or_die(&format!("cannot start {what}"));
    let out = collect(child.stdout.take().or_die("stdout"));
    let err = collect(child.stderr.take().or_die("stderr"));
    let status = wait_exit(child, timeout, &what);
    Output {
        status,
        stdout: out.recv_timeout(timeout).unwrap_or_default(),
        stderr: err.recv_timeout(timeout).unwrap_or_default(),
    }
}

/// Stdout and stderr as text, for failure messages.
pub fn describe(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs `sealgate ARGS` (60 s at most).
pub fn sealgate(args: &[&str]) -> Output {
    run(
        Command::new(sealgate_bin()).args(args),
        Duration::from_secs(60),
    )
}

/// Runs swaks with `args` (60 s at most). swaks prints the dialogue on stdout.
pub fn swaks(args: &[&str]) -> Output {
    require_tool("swaks");
    run(Command::new("swaks").args(args), Duration::from_secs(60))
}

/// A minimal HTTP/1.0 GET (the server closes after one answer, no chunking): status and body.
pub fn http_get(
    addr: SocketAddr,
    path: &str,
    token: Option<&str>,
    timeout: Duration,
) -> std::io::Result<(u16, Vec<u8>)> {
    let deadline = Instant::now() + timeout;
    let mut s = TcpStream::connect_timeout(&addr, timeout)?;
    let mut req = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    req.push_str("\r\n");
    s.set_write_timeout(Some(timeout))?;
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        s.set_read_timeout(Some(left))?;
        match s.read(&mut chunk)? {
            0 => break,
            n => raw.extend_from_slice(&chunk[..n]),
        }
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(std::io::ErrorKind::InvalidData)?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or(std::io::ErrorKind::InvalidData)?;
    Ok((status, raw[split + 4..].to_vec()))
}

/// `p` as a TOML (and JSON) basic string, quotes included, for configuration written by tests.
pub fn toml_path(p: &Path) -> String {
    serde_json::to_string(&p.to_string_lossy()).or_die("quote a path")
}
