//! Extraction in a child process that can be stopped.
//!
//! [`ChildProcess`] runs a program (normally the `sealgate` binary itself with a hidden
//! subcommand that calls [`extractor_main`]) once per document. The child first lowers its own
//! limits (`RLIMIT_AS`, `RLIMIT_CPU`, no core files), reads one request from stdin — a one-byte
//! [`DocKind`] code, a decimal byte budget and a newline, then the document — and writes the
//! text to stdout. Its exit code tells the failure class ([`ExtractFailure::exit_code`]); a
//! signal, a non-UTF-8 answer or an overlong answer counts as a crash. The parent kills it at
//! the wall-clock deadline. Nothing from the document is ever written to stderr.

use super::{DocKind, ExtractFailure, Extractor, InProcess};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

/// Runs extraction in a child process per document.
#[derive(Debug, Clone)]
pub struct ChildProcess {
    program: PathBuf,
    args: Vec<String>,
    memory_mib: u64,
}

impl ChildProcess {
    /// A child started as `program args…`, which must end up calling [`extractor_main`].
    /// `memory_mib` is passed to the child as its address-space limit.
    pub fn new(program: impl Into<PathBuf>, args: Vec<String>, memory_mib: u64) -> Self {
        ChildProcess {
            program: program.into(),
            args,
            memory_mib,
        }
    }
}

/// Environment variable carrying the child's address-space limit, in MiB.
pub const MEMORY_ENV: &str = "SEALGATE_EXTRACT_MEMORY_MIB";
/// Environment variable carrying the child's CPU-seconds limit.
pub const CPU_ENV: &str = "SEALGATE_EXTRACT_CPU_SECONDS";

impl Extractor for ChildProcess {
    fn extract(
        &self,
        kind: DocKind,
        bytes: &[u8],
        max_bytes: usize,
        timeout: Duration,
    ) -> Result<String, ExtractFailure> {
        let deadline = Instant::now() + timeout;
        // Images are all OCR: they share the tesseract concurrency limit.
        let _slot = match kind {
            DocKind::Image => Some(super::ocr::Slot::take(deadline)?),
            _ => None,
        };
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .env(MEMORY_ENV, self.memory_mib.to_string())
            .env(CPU_ENV, timeout.as_secs().max(1).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|_| ExtractFailure::Crashed)?;
        let mut stdin = child.stdin.take().ok_or(ExtractFailure::Crashed)?;
        let mut stdout = child.stdout.take().ok_or(ExtractFailure::Crashed)?;
        let request = {
            let mut r = Vec::with_capacity(bytes.len() + 24);
            r.push(kind.code());
            r.extend_from_slice(format!("{max_bytes}\n").as_bytes());
            r.extend_from_slice(bytes);
            r
        };
        let writer = std::thread::spawn(move || {
            // A child that dies early closes the pipe; that shows in its exit status.
            let _ = stdin.write_all(&request);
        });
        let cap = max_bytes.saturating_add(1) as u64;
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = (&mut stdout).take(cap).read_to_end(&mut out);
            out
        });
        // Waits on the child's exit (SIGCHLD), at most until the deadline; then it is killed.
        let remaining = deadline.saturating_duration_since(Instant::now());
        let status = match child.wait_timeout(remaining) {
            Ok(Some(status)) => Some(status),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                None
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ExtractFailure::Crashed);
            }
        };
        let _ = writer.join();
        let out = reader.join().map_err(|_| ExtractFailure::Crashed)?;
        let Some(status) = status else {
            return Err(ExtractFailure::Timeout);
        };
        match status.code() {
            Some(0) if out.len() <= max_bytes => {
                String::from_utf8(out).map_err(|_| ExtractFailure::Crashed)
            }
            Some(0) => Err(ExtractFailure::Limit),
            Some(code) => Err(ExtractFailure::from_exit_code(code)),
            None => Err(ExtractFailure::Crashed),
        }
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

#[cfg(unix)]
fn limit_self() {
    use rlimit::Resource;
    if let Some(mib) = env_u64(MEMORY_ENV) {
        let bytes = mib.saturating_mul(1 << 20);
        let _ = rlimit::setrlimit(Resource::AS, bytes, bytes);
    }
    if let Some(secs) = env_u64(CPU_ENV) {
        let _ = rlimit::setrlimit(Resource::CPU, secs, secs.saturating_add(1));
    }
    let _ = rlimit::setrlimit(Resource::CORE, 0, 0);
}

#[cfg(not(unix))]
fn limit_self() {}

/// Entry point of the extraction child: call it from a hidden subcommand of the binary and
/// exit with its return value. Reads the request from stdin, writes text to stdout.
pub fn extractor_main() -> i32 {
    limit_self();
    let mut input = Vec::new();
    if std::io::stdin().lock().read_to_end(&mut input).is_err() {
        return ExtractFailure::Malformed.exit_code();
    }
    let Some(nl) = input.iter().take(24).position(|&b| b == b'\n') else {
        return ExtractFailure::Malformed.exit_code();
    };
    let kind = input.first().copied().and_then(DocKind::from_code);
    let max: Option<usize> = std::str::from_utf8(&input[1..nl])
        .ok()
        .and_then(|s| s.parse().ok());
    let (Some(kind), Some(max)) = (kind, max) else {
        return ExtractFailure::Malformed.exit_code();
    };
    let timeout = Duration::from_secs(env_u64(CPU_ENV).unwrap_or(5));
    match InProcess.extract(kind, &input[nl + 1..], max, timeout) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                return ExtractFailure::Crashed.exit_code();
            }
            0
        }
        Err(e) => e.exit_code(),
    }
}
