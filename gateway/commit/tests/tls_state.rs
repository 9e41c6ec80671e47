//! The TLS state store: last facts per domain and TLS-RPT counts survive reopening the spool;
//! one batch is one transaction with removals before stores.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use sealgate_core::store::{
    PendingTlsReport, TlsFacts, TlsReportCounts, TlsStateChanges, TlsStateStore,
};
use sealgate_core::{Domain, Timestamp};

fn facts(version: &str) -> TlsFacts {
    TlsFacts {
        at: Timestamp(T0),
        mx_host: "mx1.clinic.example".into(),
        achieved: "verified".into(),
        tls_version: Some(version.into()),
        tls_cipher: Some("TLS13_AES_256_GCM_SHA384".into()),
        webpki_ok: true,
        dane_ok: false,
        failure: None,
    }
}

#[test]
fn tls_state_survives_reopening_and_batches_replace_and_remove() {
    let dir = tempfile::tempdir().unwrap();
    let d = Domain::parse("Clinic.Example").unwrap();
    {
        let spool = open(dir.path(), TestClock::at(T0));
        let s = spool.tls_state();
        assert_eq!(s.facts(&d).unwrap(), None);
        s.apply(TlsStateChanges::default()).unwrap();
        s.apply(TlsStateChanges {
            facts: vec![(d.clone(), facts("TLSv1.2"))],
            counts: vec![
                TlsReportCounts {
                    day: 20_000,
                    domain: "clinic.example".into(),
                    counts: "{\"a\":1}".into(),
                },
                TlsReportCounts {
                    day: 20_001,
                    domain: "clinic.example".into(),
                    counts: "{\"a\":2}".into(),
                },
            ],
            ..TlsStateChanges::default()
        })
        .unwrap();
        // Later facts replace; a day's counts move to a pending report in one batch.
        s.apply(TlsStateChanges {
            facts: vec![(d.clone(), facts("TLSv1.3"))],
            remove_counts: vec![(20_000, "clinic.example".into())],
            pending: vec![PendingTlsReport {
                day: 20_000,
                domain: "clinic.example".into(),
                report: "{}".into(),
                delivered: vec![],
                attempts: 0,
                last_error: None,
            }],
            ..TlsStateChanges::default()
        })
        .unwrap();
    }
    let spool = open(dir.path(), TestClock::at(T0));
    let s = spool.tls_state();
    let got = s.facts(&Domain::parse("clinic.example").unwrap()).unwrap();
    assert_eq!(got, Some(facts("TLSv1.3")));
    let counts = s.report_counts().unwrap();
    assert_eq!(counts.len(), 1);
    assert_eq!(
        (counts[0].day, counts[0].counts.as_str()),
        (20_001, "{\"a\":2}")
    );
    let pending = s.pending_reports().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].day, 20_000);
    s.apply(TlsStateChanges {
        remove_pending: vec![(20_000, "clinic.example".into())],
        ..TlsStateChanges::default()
    })
    .unwrap();
    assert!(s.pending_reports().unwrap().is_empty());
}
