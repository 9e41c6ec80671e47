//! Pins ("once TLS, always TLS") through the clock, and the redb stores of the spool.

#![allow(clippy::unwrap_used)]

mod support;

use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::store::{StsCache, StsCacheEntry};
use sealgate_core::{Clock, Timestamp, TlsLevel};
use sealgate_tlspolicy::Achieved;
use sealgate_tlspolicy::floor::FloorSource;
use sealgate_tlspolicy::pins::Pins;
use std::sync::Arc;
use std::time::Duration;
use support::*;

#[test]
fn verified_tls_pins_the_domain_until_the_pin_lapses_unless_refreshed() {
    let clock = ManualClock::at(1_000_000);
    let pins = Pins::new(
        Arc::new(MemPins::default()),
        clock.clone(),
        Duration::from_secs(100),
    );
    let dom = d("clinic.example");
    assert!(pins.part(&dom).unwrap().is_none());
    assert!(pins.record(&dom, Achieved::Encrypted).unwrap().is_none());
    assert!(pins.record(&dom, Achieved::Plaintext).unwrap().is_none());
    assert!(pins.part(&dom).unwrap().is_none());

    pins.record(&dom, Achieved::Verified).unwrap().unwrap();
    let part = pins.part(&dom).unwrap().unwrap();
    assert_eq!(
        (part.source, part.level),
        (FloorSource::Pin, TlsLevel::Verify)
    );
    assert!(
        pins.record(&dom, Achieved::Verified).unwrap().is_none(),
        "a session right after the last refresh writes nothing (1/100 of the lifetime)"
    );
    clock.advance_secs(60);
    assert!(pins.record(&dom, Achieved::Verified).unwrap().is_some());
    clock.advance_secs(60);
    assert!(pins.part(&dom).unwrap().is_some(), "refreshed at +60 s");
    clock.advance_secs(41);
    assert!(
        pins.part(&dom).unwrap().is_none(),
        "lapsed 100 s after the refresh"
    );

    // DANE-only verification pins at encrypt; a later WebPKI session raises it to verify, and a
    // DANE session afterwards does not lower it.
    let dane = d("dane.example");
    pins.record(&dane, Achieved::DaneVerified).unwrap();
    assert_eq!(pins.part(&dane).unwrap().unwrap().level, TlsLevel::Encrypt);
    pins.record(&dane, Achieved::Verified).unwrap();
    pins.record(&dane, Achieved::DaneVerified).unwrap();
    assert_eq!(pins.part(&dane).unwrap().unwrap().level, TlsLevel::Verify);
}

#[test]
fn spool_stores_pins_and_sts_policies_with_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(5_000);
    let spool = Spool::open(
        dir.path(),
        MasterKeys::new("k1", [7u8; 32]).unwrap(),
        clock.clone(),
        Arc::new(OsRandom),
    )
    .unwrap();
    let pins = Pins::new(
        Arc::new(spool.pins()),
        clock.clone(),
        Duration::from_secs(10),
    );
    let dom = d("bank.example");
    pins.record(&dom, Achieved::Verified).unwrap();
    assert_eq!(pins.part(&dom).unwrap().unwrap().level, TlsLevel::Verify);

    let sts = spool.sts_cache();
    let entry = StsCacheEntry {
        id: "abc".into(),
        policy: "version: STSv1\nmode: none\nmax_age: 10\n".into(),
        fetched: clock.now(),
        expires: clock.now().plus(Duration::from_secs(10)),
    };
    sts.put(&dom, &entry).unwrap();
    assert_eq!(sts.get(&dom, clock.now()).unwrap(), Some(entry));
    assert_eq!(sts.get(&dom, Timestamp(15_000)).unwrap(), None);
    sts.remove(&dom).unwrap();
    assert_eq!(sts.get(&dom, clock.now()).unwrap(), None);
}
