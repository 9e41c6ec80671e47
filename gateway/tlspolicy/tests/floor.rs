//! The floor through the public API: the admin's table, pins and a cached MTA-STS policy raise
//! what the rule asked, never lower it; each unmet case gives the outcome the protection model
//! names (expected table below).

#![allow(clippy::unwrap_used)]

mod support;

use sealgate_config::Config;
use sealgate_core::store::{StsCache, StsCacheEntry};
use sealgate_core::{Clock, Method, OnFailure, Requirement, TlsLevel};
use sealgate_tlspolicy::floor::FloorSource;
use sealgate_tlspolicy::mtasts::fetch::FetcherConfig;
use sealgate_tlspolicy::policy::{Deps, RouteKind};
use sealgate_tlspolicy::verify::mozilla_roots;
use sealgate_tlspolicy::{Achieved, RuleFloor, SessionResult, TlsPolicy, Unmet, Verdict};
use std::sync::Arc;
use std::time::Duration;
use support::*;

const CONFIG: &str = r#"
[tls]
pin_lifetime = "1d"
[tls.domains]
"bank.example"    = { level = "verify",    on_failure = "exclusive" }
"partner.example" = { level = "encrypt",   on_failure = "forced" }
"strict.example"  = { level = "dane-only", on_failure = "exclusive" }
"opp.example"     = { level = "dane" }
"#;

fn policy(sts: Arc<MemSts>, clock: Arc<ManualClock>) -> TlsPolicy {
    TlsPolicy::new(
        &Config::from_toml(CONFIG).unwrap().tls,
        Arc::new(ScriptedDns::default()),
        FetcherConfig {
            timeout: Duration::from_secs(5),
            roots: Arc::new(mozilla_roots()),
            connect_to: None,
            guard: sealgate_core::DestinationGuard::permissive(),
        },
        Deps {
            pins: Arc::new(MemPins::default()),
            sts_cache: sts,
            clock,
            mx_roots: mozilla_roots(),
        },
    )
    .unwrap()
}

#[derive(Debug, PartialEq)]
enum Out {
    Send,
    Defer,
    Next,
    Drop,
    Skip,
}

fn out(v: Verdict) -> Out {
    match v {
        Verdict::Send => Out::Send,
        Verdict::Unmet(Unmet::Defer { .. }) => Out::Defer,
        Verdict::Unmet(Unmet::NextMethod { .. }) => Out::Next,
        Verdict::Unmet(Unmet::Drop { .. }) => Out::Drop,
    }
}

#[tokio::test]
async fn admin_table_and_rules_give_the_expected_outcomes() {
    let clock = ManualClock::at(1_800_000_000_000);
    let p = policy(Arc::new(MemSts::default()), clock);
    let deliver = RuleFloor::from_requirement(&Requirement::Deliver, None).unwrap();
    let tls_only = RuleFloor::from_requirement(&Requirement::TlsOnly, None).unwrap();
    let verified = RuleFloor::from_requirement(
        &Requirement::Encrypt {
            chain: vec![Method::TlsVerified, Method::Pgp, Method::Hold],
            min_key_trust: sealgate_core::KeyTrust::Discovered,
        },
        Some(Method::TlsVerified),
    )
    .unwrap();
    // (domain, rule, achieved) → outcome
    let table: &[(&str, &RuleFloor, Achieved, Out)] = &[
        ("other.example", &deliver, Achieved::Plaintext, Out::Send),
        ("other.example", &tls_only, Achieved::Plaintext, Out::Drop),
        ("other.example", &tls_only, Achieved::Encrypted, Out::Send),
        ("other.example", &verified, Achieved::Encrypted, Out::Next),
        ("other.example", &verified, Achieved::Verified, Out::Send),
        ("bank.example", &deliver, Achieved::Encrypted, Out::Drop),
        ("bank.example", &deliver, Achieved::Verified, Out::Send),
        ("bank.example", &verified, Achieved::Plaintext, Out::Drop),
        ("partner.example", &deliver, Achieved::Plaintext, Out::Next),
        ("partner.example", &deliver, Achieved::Encrypted, Out::Send),
        ("partner.example", &tls_only, Achieved::Plaintext, Out::Drop),
        ("opp.example", &deliver, Achieved::Plaintext, Out::Send),
        ("strict.example", &deliver, Achieved::Verified, Out::Skip),
    ];
    for (domain, rule, achieved, want) in table {
        let plan = p.plan(&d(domain), Some(rule)).await.unwrap();
        let mx = plan
            .mx_plan(&format!("mx.{domain}"), RouteKind::Mx)
            .unwrap();
        let got = match &mx.skip {
            Some(Unmet::Drop { .. }) if *want == Out::Skip => Out::Skip,
            Some(u) => panic!("{domain}: unexpected skip {u:?}"),
            None => out(mx.judge(*achieved)),
        };
        assert_eq!(
            &got,
            want,
            "{domain} {} {achieved:?}\n{}",
            rule.requirement,
            plan.explain()
        );
        // Plaintext after a failed handshake only when nothing demands more than `may`.
        assert_eq!(
            mx.plaintext_allowed,
            mx.level <= TlsLevel::May,
            "{domain} {}",
            rule.requirement
        );
    }
    let plan = p.plan(&d("bank.example"), Some(&deliver)).await.unwrap();
    assert_eq!(plan.floor.level, TlsLevel::Verify);
    assert_eq!(plan.floor.on_failure, OnFailure::Exclusive);
    assert!(
        plan.floor
            .deciding()
            .all(|x| x.source == FloorSource::Admin)
    );
    assert!(plan.explain().contains("* admin"));
}

#[tokio::test]
async fn known_floor_includes_pins_and_a_cached_enforce_policy() {
    let clock = ManualClock::at(1_800_000_000_000);
    let sts = Arc::new(MemSts::default());
    let p = policy(sts.clone(), clock.clone());
    let dom = d("sts.example");
    assert_eq!(p.known_floor(&dom, None).unwrap().level, TlsLevel::May);
    sts.put(
        &dom,
        &StsCacheEntry {
            id: "x1".into(),
            policy: "version: STSv1\nmode: enforce\nmx: mx.sts.example\nmax_age: 600\n".into(),
            fetched: clock.now(),
            expires: clock.now().plus(Duration::from_secs(600)),
        },
    )
    .unwrap();
    let f = p.known_floor(&dom, None).unwrap();
    assert_eq!(f.level, TlsLevel::Verify);
    assert!(f.deciding().any(|x| x.source == FloorSource::MtaSts));

    // A pin after verified TLS; it lapses after the configured lifetime (1 day).
    let pinned = d("pinned.example");
    let plan = p.plan(&pinned, None).await.unwrap();
    let mx = plan.mx_plan("mx.pinned.example", RouteKind::Mx).unwrap();
    let verified = SessionResult {
        achieved: Achieved::Verified,
        webpki_ok: true,
        failure: None,
        sending_ip: None,
        receiving_ip: None,
        tls_version: None,
        tls_cipher: None,
    };
    p.record_result(&plan, &mx, &verified).await.unwrap();
    let f = p.known_floor(&pinned, None).unwrap();
    assert_eq!(f.level, TlsLevel::Verify);
    let plan = p.plan(&pinned, None).await.unwrap();
    let mx = plan.mx_plan("mx.pinned.example", RouteKind::Mx).unwrap();
    assert_eq!(out(mx.judge(Achieved::Encrypted)), Out::Defer);
    assert!(!mx.plaintext_allowed);
    clock.advance_secs(86_401);
    assert_eq!(p.known_floor(&pinned, None).unwrap().level, TlsLevel::May);
}
