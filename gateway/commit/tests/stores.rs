//! The key, pin and audit stores that share the spool's database.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use sealgate_commit::Spool;
use sealgate_core::store::{
    AuditLog, AuditRecord, KeyKind, KeyRecord, KeyStore, Pin, PinStore, StoreError,
};
use sealgate_core::{Domain, Timestamp};
use std::fs;
use std::sync::Arc;

#[test]
fn key_store_round_trips_and_seals_dkim_material() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let keys = spool.keys();
    let secret = b"-----BEGIN PRIVATE KEY-----DKIMSECRET-7731".to_vec();
    let dkim = KeyRecord {
        kind: KeyKind::Dkim,
        name: "s1._domainkey.acme.example".into(),
        fingerprint: "sha256:aa".into(),
        trust: "manual".into(),
        material: secret.clone(),
        added_at: Timestamp(T0),
    };
    let pgp = KeyRecord {
        kind: KeyKind::OpenPgp,
        name: "patient0@clinic.example".into(),
        fingerprint: "F00D".into(),
        material: b"public cert".to_vec(),
        ..dkim.clone()
    };
    keys.put(&dkim).unwrap();
    keys.put(&pgp).unwrap();
    assert_eq!(
        keys.find(KeyKind::Dkim, &dkim.name).unwrap(),
        vec![dkim.clone()]
    );
    assert_eq!(
        keys.find(KeyKind::Dkim, "s2._domainkey.acme.example")
            .unwrap(),
        vec![]
    );
    assert_eq!(keys.list(KeyKind::OpenPgp).unwrap(), vec![pgp.clone()]);
    assert_eq!(keys.list(KeyKind::Smime).unwrap(), vec![]);
    drop((keys, spool));
    let db = fs::read(dir.path().join("queue.redb")).unwrap();
    assert!(
        !contains(&db, b"DKIMSECRET-7731"),
        "DKIM private key stored in clear"
    );
    assert!(
        !contains(&db, hex_of(b"DKIMSECRET-7731").as_bytes()),
        "DKIM key stored as hex"
    );

    let spool = open(dir.path(), TestClock::at(T0));
    let keys = spool.keys();
    assert_eq!(
        keys.find(KeyKind::Dkim, &dkim.name).unwrap()[0].material,
        secret
    );
    keys.remove(KeyKind::Dkim, &dkim.name, &dkim.fingerprint)
        .unwrap();
    assert!(matches!(
        keys.remove(KeyKind::Dkim, &dkim.name, &dkim.fingerprint),
        Err(StoreError::NotFound)
    ));
    assert_eq!(keys.list(KeyKind::Dkim).unwrap(), vec![]);
}

#[test]
fn pins_expire_and_audit_numbers_records() {
    let dir = tempfile::tempdir().unwrap();
    let spool: Spool = open(dir.path(), TestClock::at(T0));
    let pins = spool.pins();
    let d = Domain::parse("Clinic.Example").unwrap();
    let pin = Pin {
        level: "verify".into(),
        last_seen: Timestamp(T0),
        expires: Timestamp(T0 + 1_000),
    };
    pins.put(&d, &pin).unwrap();
    assert_eq!(
        pins.get(&Domain::parse("clinic.example").unwrap(), Timestamp(T0))
            .unwrap(),
        Some(pin)
    );
    assert_eq!(pins.get(&d, Timestamp(T0 + 1_000)).unwrap(), None);
    pins.remove(&d).unwrap();
    assert_eq!(pins.get(&d, Timestamp(T0)).unwrap(), None);

    let audit = Arc::new(spool.audit());
    let rec = |action: &str| AuditRecord {
        at: Timestamp(T0),
        actor: "cli".into(),
        action: action.into(),
        message: None,
        detail: String::new(),
    };
    assert_eq!(audit.append(&rec("queue.delete")).unwrap(), 1);
    assert_eq!(audit.append(&rec("config.reload")).unwrap(), 2);
    let all = audit.since(0, 10).unwrap();
    assert_eq!(
        all.iter()
            .map(|(n, r)| (*n, r.action.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "queue.delete"), (2, "config.reload")]
    );
    assert_eq!(audit.since(1, 10).unwrap().len(), 1);
    assert_eq!(audit.since(0, 1).unwrap().len(), 1);
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
