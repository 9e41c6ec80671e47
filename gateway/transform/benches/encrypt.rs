//! Criterion benchmarks of the transform stage (issue 6): PGP/MIME and S/MIME copies per second
//! per core, for 10 KiB and 1 MiB bodies, through [`Transformer::protect`] (key lookup in an
//! in-memory store, certificate checks, MIME building and encryption).
//!
//! Keys: an RSA-3072 OpenPGP key made by `gpg --quick-gen-key … default` (gpg 2.2's default),
//! and an RSA-2048 S/MIME certificate made by `openssl`. Times are this thread's CPU time, so
//! the throughputs (`elem/s` = messages/s) are per core on a shared machine.
//! Run: `cargo bench -p sealgate-transform -- --warm-up-time 1 --measurement-time 5`.
//!
//! 2026-12-01, shared 2-core box, thread CPU time per message (messages/s per core), with
//! `RUST_BACKTRACE` unset as in production: pgp/10KiB 220 µs (≈4,550/s), smime/10KiB 191 µs
//! (≈5,250/s), pgp/1MiB 7.57 ms (≈132/s), smime/1MiB 1.96 ms (≈511/s). With
//! `RUST_BACKTRACE=1` pgp/10KiB costs 299 µs: Sequoia builds `anyhow` errors (with captured
//! backtraces) on its happy path. At 1 MiB PGP time is mostly the MDC's collision-detecting
//! SHA-1 and base64.

#![allow(clippy::expect_used)] // a benchmark set-up failure should stop the run

#[path = "../../../rules/benches/cpu_time.rs"]
mod cpu_time;

use cpu_time::CpuTime;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sealgate_core::store::{KeyKind, KeyRecord, KeyStore, StoreError};
use sealgate_core::{Address, Body, Clock, Decision, Method, Requirement, SystemClock};
use sealgate_transform::{Hop, Outcome, Request, SmimeTrust, Transformer, TrustLevel, keys};
use std::process::Command;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct MemKeys(Mutex<Vec<KeyRecord>>);

impl KeyStore for MemKeys {
    fn put(&self, r: &KeyRecord) -> Result<(), StoreError> {
        self.0.lock().expect("lock").push(r.clone());
        Ok(())
    }
    fn find(&self, kind: KeyKind, name: &str) -> Result<Vec<KeyRecord>, StoreError> {
        let v = self.0.lock().expect("lock");
        Ok(v.iter()
            .filter(|r| r.kind == kind && r.name == name)
            .cloned()
            .collect())
    }
    fn list(&self, kind: KeyKind) -> Result<Vec<KeyRecord>, StoreError> {
        let v = self.0.lock().expect("lock");
        Ok(v.iter().filter(|r| r.kind == kind).cloned().collect())
    }
    fn remove(&self, _: KeyKind, _: &str, _: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Keys on file: a gpg RSA key for pgp@, an openssl certificate for smime@; the CA bundle.
fn setup(dir: &std::path::Path) -> (Arc<MemKeys>, Vec<u8>) {
    let store = Arc::new(MemKeys::default());
    let gpg = |args: &[&str]| {
        run(Command::new("gpg")
            .env("GNUPGHOME", dir)
            .args(["--batch", "--yes", "--pinentry-mode", "loopback"])
            .args(args))
    };
    gpg(&[
        "--passphrase",
        "",
        "--quick-gen-key",
        "B <pgp@bench.example>",
        "default",
        "default",
        "never",
    ]);
    let now = SystemClock.now();
    keys::import(
        &*store,
        &gpg(&["--armor", "--export"]),
        TrustLevel::Manual,
        now,
    )
    .expect("import pgp");
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", dir)
        .args(["--kill", "gpg-agent"])
        .output();
    let ossl = |args: &[&str]| run(Command::new("openssl").current_dir(dir).args(args));
    ossl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "30",
        "-subj",
        "/CN=Bench CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    std::fs::write(dir.join("ext"), "subjectAltName=email:smime@bench.example\nkeyUsage=critical,keyEncipherment\nextendedKeyUsage=emailProtection\n").expect("ext");
    ossl(&[
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "r.key", "-out", "r.csr", "-subj",
        "/CN=r",
    ]);
    ossl(&[
        "x509",
        "-req",
        "-in",
        "r.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "r.pem",
        "-days",
        "30",
        "-extfile",
        "ext",
    ]);
    let cert = std::fs::read(dir.join("r.pem")).expect("cert");
    keys::import(&*store, &cert, TrustLevel::Manual, now).expect("import smime");
    (store, std::fs::read(dir.join("ca.pem")).expect("ca"))
}

fn message(size: usize) -> Body {
    let mut m = b"From: a@acme-health.org\r\nTo: r@bench.example\r\nSubject: [secure] results\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n".to_vec();
    let line = b"Lorem ipsum dolor sit amet, patient 1234 results are within range.\r\n";
    while m.len() < size {
        m.extend_from_slice(line);
    }
    m.into()
}

fn encrypt(c: &mut Criterion<CpuTime>) {
    let dir = tempfile::Builder::new()
        .prefix("bench")
        .tempdir_in("/tmp")
        .expect("tempdir");
    let (store, ca) = setup(dir.path());
    let t = Transformer::new(store, SmimeTrust::from_pem(&ca).expect("roots"));
    let decision = Decision::default();
    let mut g = c.benchmark_group("protect");
    for (size_name, size) in [("10KiB", 10 << 10), ("1MiB", 1 << 20)] {
        let body = message(size);
        for (method, to) in [
            (Method::Pgp, "pgp@bench.example"),
            (Method::Smime, "smime@bench.example"),
        ] {
            let addr = Address::parse(to).expect("address");
            let req = Requirement::Encrypt {
                chain: vec![method, Method::Hold],
                min_key_trust: sealgate_core::KeyTrust::Discovered,
            };
            let r = Request {
                body: &body,
                decision: &decision,
                recipient: &addr,
                requirement: Some(&req),
                min_trust: TrustLevel::Discovered,
                now: SystemClock.now(),
            };
            let hop = Hop::unknown();
            let first = t.protect(&r, &hop).expect("protect");
            assert!(
                matches!(first.outcome, Outcome::Send { .. }),
                "{:?}",
                first.skipped
            );
            g.throughput(Throughput::Elements(1));
            g.bench_function(format!("{method}/{size_name}"), |b| {
                b.iter(|| t.protect(&r, &hop).expect("protect"))
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime).sample_size(20);
    targets = encrypt
}
criterion_main!(benches);
