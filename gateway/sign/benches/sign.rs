//! DKIM signatures per second on a 10 KiB message, RSA-2048 and Ed25519 (one key each, so one
//! signature per call). Keys come from our keygen; nothing is verified here (the tests do that
//! with dkimpy and opendkim).
//!
//! `cargo bench -p sealgate-sign --bench sign`
#![allow(clippy::unwrap_used, missing_docs)] // benchmark code

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sealgate_core::Domain;
use sealgate_sign::{KeyOwner, KeySpec, KeyType, Signer, keygen};
use std::hint::black_box;

fn message_10k() -> Vec<u8> {
    let mut m = b"From: Dr. Alice <alice@acme-health.org>\r\n\
To: bob@patient.example\r\n\
Subject: Lab results\r\n\
Date: Tue, 01 Dec 2026 15:00:00 +0000\r\n\
Message-ID: <bench@acme-health.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\n"
        .to_vec();
    let line = b"The quick brown fox jumps over the lazy dog; results within normal range.\r\n";
    while m.len() + line.len() <= 10 * 1024 {
        m.extend_from_slice(line);
    }
    m.resize(10 * 1024 - 2, b'.');
    m.extend_from_slice(b"\r\n");
    m
}

fn signer(dir: &std::path::Path, key_type: KeyType) -> Signer {
    let generated = keygen::generate(key_type).unwrap();
    let path = dir.join(format!("{key_type}.pem"));
    std::fs::write(&path, generated.private_pem.as_bytes()).unwrap();
    Signer::new([KeySpec {
        owner: KeyOwner::Tenant("acme".into()),
        domain: Domain::parse("acme-health.org").unwrap(),
        selector: "bench".into(),
        path,
    }])
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let message = message_10k();
    assert_eq!(message.len(), 10 * 1024);
    let owner = KeyOwner::Tenant("acme".into());
    let mut group = c.benchmark_group("dkim_sign_10KiB");
    group.throughput(Throughput::Elements(1));
    for key_type in [KeyType::Rsa, KeyType::Ed25519] {
        let s = signer(dir.path(), key_type);
        assert_eq!(s.sign(&owner, &message).unwrap().signatures().len(), 1);
        let name = if key_type == KeyType::Rsa {
            "rsa-2048"
        } else {
            "ed25519"
        };
        group.bench_function(name, |b| {
            b.iter(|| s.sign(&owner, black_box(&message)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
