//! MTA-STS against a local HTTPS server with a test CA (the fetcher trusts only that CA — the
//! test-only override of roots — and connects to 127.0.0.1 through the test-only address
//! override): cached, `id` change refetched, fetch failure keeps the cache, redirects and
//! other refusals, max_age expiry through the clock, and the floor/MX filter it produces.

#![allow(clippy::unwrap_used)]

mod support;

use sealgate_config::Config;
use sealgate_core::store::StsCache;
use sealgate_core::{Clock, TlsLevel};
use sealgate_tlspolicy::floor::FloorSource;
use sealgate_tlspolicy::mtasts::cache::{Origin, StsLookup};
use sealgate_tlspolicy::mtasts::fetch::FetcherConfig;
use sealgate_tlspolicy::mtasts::{Fetcher, Mode, StsResolver};
use sealgate_tlspolicy::policy::{Deps, RouteKind};
use sealgate_tlspolicy::tlsrpt::{FailureKind, PolicyKind, Submitter};
use sealgate_tlspolicy::verify::{mozilla_roots, roots_from_pem};
use sealgate_tlspolicy::{Achieved, SessionResult, TlsPolicy, Unmet, Verdict};
use std::sync::Arc;
use std::time::Duration;
use support::*;

const POLICY: &str = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmx: *.mx.example.test\r\nmax_age: 86400\r\n";
const POLICY2: &str = "version: STSv1\nmode: testing\nmx: other.example.test\nmax_age: 3600\n";

struct Rig {
    server: HttpsServer,
    dns: Arc<ScriptedDns>,
    cache: Arc<MemSts>,
    clock: Arc<ManualClock>,
    resolver: StsResolver,
    fetcher: FetcherConfig,
}

async fn rig() -> Rig {
    let ca = TestCa::new("Sealgate test CA");
    let (chain, key) = ca.leaf(&["mta-sts.example.test"]);
    let server = HttpsServer::start(chain, key, Answer::policy(POLICY)).await;
    let dns = Arc::new(ScriptedDns::default());
    dns.set_txt("_mta-sts.example.test", &["v=STSv1; id=20261201a;"]);
    let cache = Arc::new(MemSts::default());
    let clock = ManualClock::at(1_800_000_000_000);
    let fetcher = FetcherConfig {
        timeout: Duration::from_secs(10),
        roots: Arc::new(roots_from_pem(ca.pem.as_bytes()).unwrap()),
        connect_to: Some(server.addr),
        guard: sealgate_core::DestinationGuard::permissive(),
    };
    let resolver = StsResolver::new(
        dns.clone(),
        Fetcher::new(fetcher.clone()),
        cache.clone(),
        clock.clone(),
    );
    Rig {
        server,
        dns,
        cache,
        clock,
        resolver,
        fetcher,
    }
}

fn policy_of(l: &StsLookup) -> (&str, Mode, Origin) {
    match l {
        StsLookup::Policy { id, policy, origin } => (id.as_str(), policy.mode, *origin),
        other => panic!("expected a policy, got {other:?}"),
    }
}

#[tokio::test]
async fn policy_is_fetched_once_then_cached_and_refetched_on_id_change() {
    let r = rig().await;
    let dom = d("example.test");
    let first = r.resolver.lookup(&dom).await.unwrap();
    assert_eq!(
        policy_of(&first),
        ("20261201a", Mode::Enforce, Origin::Fetched)
    );
    assert_eq!(r.server.count(), 1);
    assert_eq!(
        r.server.paths.lock().unwrap()[0],
        "GET /.well-known/mta-sts.txt HTTP/1.1"
    );
    let again = r.resolver.lookup(&dom).await.unwrap();
    assert_eq!(
        policy_of(&again),
        ("20261201a", Mode::Enforce, Origin::Cache)
    );
    assert_eq!(r.server.count(), 1, "unchanged id must not refetch");

    // New id → refetch, new policy cached.
    r.dns
        .set_txt("_mta-sts.example.test", &["v=STSv1; id=20261201b"]);
    r.server.set(Answer::policy(POLICY2));
    let changed = r.resolver.lookup(&dom).await.unwrap();
    assert_eq!(
        policy_of(&changed),
        ("20261201b", Mode::Testing, Origin::Fetched)
    );
    assert_eq!(r.server.count(), 2);
    let entry = r.cache.get(&dom, r.clock.now()).unwrap().unwrap();
    assert_eq!(entry.id, "20261201b");
    assert_eq!(entry.expires.millis() - entry.fetched.millis(), 3_600_000);

    // max_age passes (through the clock) → the next lookup fetches again.
    r.clock.advance_secs(3601);
    let expired = r.resolver.lookup(&dom).await.unwrap();
    assert_eq!(policy_of(&expired).2, Origin::Fetched);
    assert_eq!(r.server.count(), 3);
}

#[tokio::test]
async fn fetch_failure_dns_failure_and_missing_record_keep_the_cached_policy() {
    let r = rig().await;
    let dom = d("example.test");
    r.resolver.lookup(&dom).await.unwrap();
    // The id changes but the server now fails: the cached enforce policy stays in force.
    r.dns
        .set_txt("_mta-sts.example.test", &["v=STSv1; id=changed1"]);
    r.server.set(Answer {
        status: "500 Internal Server Error",
        headers: vec![],
        body: b"oops".to_vec(),
    });
    let l = r.resolver.lookup(&dom).await.unwrap();
    assert_eq!(
        policy_of(&l),
        ("20261201a", Mode::Enforce, Origin::CacheAfterFailure)
    );
    assert_eq!(r.server.count(), 2);
    // The record disappears (stripped by an attacker?): still the cached policy.
    r.dns.set_txt("_mta-sts.example.test", &[]);
    let l = r.resolver.lookup(&dom).await.unwrap();
    assert_eq!(policy_of(&l).2, Origin::CacheAfterFailure);
    r.dns.fail_txt("_mta-sts.example.test");
    let l = r.resolver.lookup(&dom).await.unwrap();
    assert_eq!(policy_of(&l).1, Mode::Enforce);
}

#[tokio::test]
async fn redirects_wrong_type_oversize_and_untrusted_certificates_are_refused() {
    let r = rig().await;
    let dom = d("example.test");
    r.server.set(Answer {
        status: "301 Moved Permanently",
        headers: vec![(
            "Location".into(),
            "https://mta-sts.example.test/other.txt".into(),
        )],
        body: Vec::new(),
    });
    let l = r.resolver.lookup(&dom).await.unwrap();
    assert!(
        matches!(&l, StsLookup::Unavailable { error, invalid: false } if error.contains("redirect")),
        "{l:?}"
    );
    assert_eq!(r.server.count(), 1, "the redirect must not be followed");

    r.server.set(Answer {
        status: "200 OK",
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: POLICY.as_bytes().to_vec(),
    });
    let l = r.resolver.lookup(&dom).await.unwrap();
    assert!(matches!(&l, StsLookup::Unavailable { error, .. } if error.contains("text/plain")));

    let mut big = POLICY.to_string();
    big.push_str(&"x: y\n".repeat(70 * 1024 / 5));
    r.server.set(Answer::policy(&big));
    let l = r.resolver.lookup(&dom).await.unwrap();
    assert!(matches!(&l, StsLookup::Unavailable { error, .. } if error.contains("64 KiB")));

    r.server.set(Answer::policy(
        "version: STSv1\nmode: enforce\nmax_age: 5\n",
    ));
    let l = r.resolver.lookup(&dom).await.unwrap();
    assert!(
        matches!(&l, StsLookup::Unavailable { invalid: true, .. }),
        "{l:?}"
    );

    // A fetcher trusting other roots (the Mozilla set) refuses the test CA's certificate.
    r.server.set(Answer::policy(POLICY));
    let strict = StsResolver::new(
        r.dns.clone(),
        Fetcher::new(FetcherConfig {
            roots: Arc::new(mozilla_roots()),
            ..r.fetcher.clone()
        }),
        r.cache.clone(),
        r.clock.clone(),
    );
    let l = strict.lookup(&dom).await.unwrap();
    assert!(
        matches!(&l, StsLookup::Unavailable { invalid: false, .. }),
        "{l:?}"
    );
    // Nothing refused was cached.
    assert!(r.cache.get(&dom, r.clock.now()).unwrap().is_none());
}

#[tokio::test]
async fn enforce_raises_the_floor_filters_mx_hosts_and_defers_on_mismatch() {
    let r = rig().await;
    let config = Config::from_toml("").unwrap().tls;
    let policy = TlsPolicy::new(
        &config,
        r.dns.clone(),
        r.fetcher.clone(),
        Deps {
            pins: Arc::new(MemPins::default()),
            sts_cache: r.cache.clone(),
            clock: r.clock.clone(),
            mx_roots: mozilla_roots(),
        },
    )
    .unwrap();
    let plan = policy.plan(&d("example.test"), None).await.unwrap();
    assert_eq!(plan.floor.level, TlsLevel::Verify);
    assert!(
        plan.floor
            .deciding()
            .any(|p| p.source == FloorSource::MtaSts)
    );
    assert!(plan.mx_allowed("mx1.example.test"));
    assert!(plan.mx_allowed("a.mx.example.test"));
    assert!(!plan.mx_allowed("a.b.mx.example.test"));
    assert!(!plan.mx_allowed("mx.example.test"));
    let bad = plan.mx_plan("evil.example.net", RouteKind::Mx).unwrap();
    assert!(matches!(bad.skip, Some(Unmet::Defer { .. })));
    let good = plan.mx_plan("mx1.example.test", RouteKind::Mx).unwrap();
    assert!(good.skip.is_none());
    assert_eq!(good.level, TlsLevel::Verify);
    assert!(!good.plaintext_allowed);
    assert!(matches!(
        good.judge(Achieved::Encrypted),
        Verdict::Unmet(Unmet::Defer { .. })
    ));
    assert_eq!(good.judge(Achieved::Verified), Verdict::Send);
    // A static route ignores MTA-STS.
    let hop = plan
        .mx_plan("smarthost.example", RouteKind::Static)
        .unwrap();
    assert!(hop.skip.is_none() && hop.plaintext_allowed);
}

#[tokio::test]
async fn a_server_that_never_answers_is_cut_off_by_the_time_limit() {
    let r = rig().await;
    // Accepts TCP and then says nothing (no TLS handshake, no HTTP).
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let fetcher = Fetcher::new(FetcherConfig {
        timeout: Duration::from_millis(300),
        connect_to: Some(addr),
        guard: sealgate_core::DestinationGuard::permissive(),
        ..r.fetcher.clone()
    });
    let started = std::time::Instant::now();
    let e = fetcher.fetch("example.test").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "{e}");
    assert!(e.to_string().contains("mta-sts.example.test"), "{e}");
}

#[tokio::test]
async fn a_policy_that_cannot_be_fetched_is_reported_as_sts_policy_fetch_error() {
    let r = rig().await;
    r.server.set(Answer {
        status: "404 Not Found",
        headers: vec![],
        body: Vec::new(),
    });
    let policy = TlsPolicy::new(
        &Config::from_toml("").unwrap().tls,
        r.dns.clone(),
        r.fetcher.clone(),
        Deps {
            pins: Arc::new(MemPins::default()),
            sts_cache: r.cache.clone(),
            clock: r.clock.clone(),
            mx_roots: mozilla_roots(),
        },
    )
    .unwrap();
    let plan = policy.plan(&d("example.test"), None).await.unwrap();
    assert!(matches!(plan.sts, StsLookup::Unavailable { .. }));
    // No policy: delivery as without one (opportunistic), but the session is reported.
    let mx = plan.mx_plan("mx1.example.test", RouteKind::Mx).unwrap();
    assert!(mx.plaintext_allowed && mx.skip.is_none());
    let result = SessionResult {
        achieved: Achieved::Encrypted,
        webpki_ok: false,
        failure: None,
        sending_ip: None,
        receiving_ip: None,
        tls_version: None,
        tls_cipher: None,
    };
    policy.record_result(&plan, &mx, &result).await.unwrap();
    let sub = Submitter {
        organization: "o".into(),
        contact: "c".into(),
        domain: d("gw.example.org"),
    };
    let reports = policy.reports(r.clock.now().secs() / 86_400, &sub);
    let p = &reports[0].policies[0];
    assert_eq!(p.policy.kind, PolicyKind::Sts);
    assert_eq!(p.failures[0].result_type, FailureKind::StsPolicyFetchError);
}

/// Records each refusal as `purpose host class`.
#[derive(Default)]
struct Refusals(std::sync::Mutex<Vec<String>>);

impl sealgate_core::RefusalSink for Refusals {
    fn refused(
        &self,
        p: sealgate_core::Purpose,
        host: &str,
        _: std::net::IpAddr,
        why: sealgate_core::NonGlobal,
    ) {
        let line = format!("{} {host} {}", p.as_str(), why.as_str());
        self.0.lock().unwrap().push(line);
    }
}

#[tokio::test]
async fn a_policy_host_on_loopback_is_refused_without_a_request() {
    let r = rig().await;
    let seen = Arc::new(Refusals::default());
    let fetcher = Fetcher::new(FetcherConfig {
        guard: sealgate_core::DestinationGuard::new(false, Some(seen.clone())),
        ..r.fetcher.clone()
    });
    let e = fetcher.fetch("example.test").await.unwrap_err();
    assert!(e.to_string().contains("non-global"), "{e}");
    assert_eq!(
        r.server.requests.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    assert_eq!(
        *seen.0.lock().unwrap(),
        ["mta-sts mta-sts.example.test loopback"]
    );
    // With the override the same fetch goes through.
    let open = Fetcher::new(FetcherConfig {
        guard: sealgate_core::DestinationGuard::new(true, Some(seen.clone())),
        ..r.fetcher.clone()
    });
    open.fetch("example.test").await.unwrap();
    assert_eq!(seen.0.lock().unwrap().len(), 1);
}
