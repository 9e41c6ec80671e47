//! TLS state and the daily TLS-RPT run over the spool's redb store: sessions touch memory only
//! until a flush; facts and counts survive a restart; after the day ends (plus the random
//! delay) each `rua` gets the day's report — mail read back with Python's `email` and `gzip`,
//! an HTTPS POST to a local server —, a failed submission is retried after `retry_every` (also
//! across a restart) and a destination that already took the report is not sent to again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_config::Config;
use sealgate_core::store::TlsStateStore;
use sealgate_core::{Address, Random, TlsLevel};
use sealgate_tlspolicy::mtasts::fetch::FetcherConfig;
use sealgate_tlspolicy::policy::{Deps, RouteKind};
use sealgate_tlspolicy::tlsrpt::schedule::{Outcome, Scheduler, send_day};
use sealgate_tlspolicy::tlsrpt::{FailureKind, ReportSink, Schedule, Submitter};
use sealgate_tlspolicy::verify::{mozilla_roots, roots_from_pem};
use sealgate_tlspolicy::{Achieved, SessionResult, TlsPolicy, TlsStatus};
use serde_json::Value;
use std::io::Read;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::*;

#[path = "schedule/sending.rs"]
mod sending;

const T0: u64 = 1_800_000_000_000; // 2027-01-15T08:00:00Z
const DAY: u64 = 86_400;

/// Records every submitted mail; the first `fail` submissions to `fail_to` fail.
#[derive(Default)]
struct RecordingSink {
    mails: Mutex<Vec<(String, Vec<u8>)>>,
    fail_to: Mutex<String>,
    fail: AtomicUsize,
}
impl ReportSink for RecordingSink {
    fn submit_mail(&self, to: &Address, content: Vec<u8>) -> Result<(), String> {
        if to.to_string() == *self.fail_to.lock().unwrap()
            && self
                .fail
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            return Err("spool unavailable".into());
        }
        self.mails.lock().unwrap().push((to.to_string(), content));
        Ok(())
    }
}

/// Every random byte is 5: a delay of 0x0505…05 mod max_delay seconds.
struct Fives;
impl Random for Fives {
    fn fill(&self, buf: &mut [u8]) {
        buf.fill(5);
    }
}

struct Rig {
    dns: Arc<ScriptedDns>,
    clock: Arc<ManualClock>,
    spool: Spool,
    fetch: FetcherConfig,
}

impl Rig {
    fn policy(&self) -> Arc<TlsPolicy> {
        let p = TlsPolicy::new(
            &Config::from_toml("").unwrap().tls,
            self.dns.clone(),
            self.fetch.clone(),
            Deps {
                pins: Arc::new(self.spool.pins()),
                sts_cache: Arc::new(self.spool.sts_cache()),
                clock: self.clock.clone(),
                mx_roots: mozilla_roots(),
            },
        )
        .unwrap()
        .with_state(Arc::new(self.spool.tls_state()));
        Arc::new(p)
    }
}

fn schedule() -> Schedule {
    Schedule {
        submitter: Submitter {
            organization: "Acme Health".into(),
            contact: "mailto:tlsrpt@gw.example.org".into(),
            domain: d("gw.example.org"),
        },
        from: Address::parse("postmaster@gw.example.org").unwrap(),
        max_delay: Duration::from_secs(600),
        tick: Duration::from_secs(60),
        retry_every: Duration::from_secs(3600),
        give_up_after_days: 3,
        max_destinations: 5,
        run_budget: Duration::from_secs(600),
    }
}

fn session(achieved: Achieved, failure: Option<FailureKind>) -> SessionResult {
    SessionResult {
        achieved,
        webpki_ok: achieved == Achieved::Verified,
        failure,
        sending_ip: Some("192.0.2.10".parse().unwrap()),
        receiving_ip: Some("198.51.100.7".parse().unwrap()),
        tls_version: (achieved != Achieved::Plaintext).then(|| "TLSv1.3".to_string()),
        tls_cipher: (achieved != Achieved::Plaintext).then(|| "TLS13_AES_128_GCM_SHA256".into()),
    }
}

async fn record(policy: &TlsPolicy, domain: &str, host: &str, r: SessionResult) {
    let plan = policy.plan(&d(domain), None).await.unwrap();
    let mx = plan.mx_plan(host, RouteKind::Mx).unwrap();
    policy.record_result(&plan, &mx, &r).await.unwrap();
}

const READ: &str = r#"
import email, email.policy, gzip, json, sys
msg = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
att = [p for p in msg.walk() if p.get_filename()][0]
print(json.dumps({"to": msg["To"], "tls_required": msg["TLS-Required"],
                  "report": json.loads(gzip.decompress(att.get_content()))}))
"#;

fn read_mail(mail: &[u8]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.eml");
    std::fs::write(&path, mail).unwrap();
    let out = Command::new("python3")
        .args(["-c", READ])
        .arg(&path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn sessions_are_remembered_in_batches_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let spool = Spool::open(
        dir.path(),
        MasterKeys::new("k1", [7u8; 32]).unwrap(),
        clock.clone(),
        Arc::new(OsRandom),
    )
    .unwrap();
    let rig = Rig {
        dns: Arc::new(ScriptedDns::default()),
        clock: clock.clone(),
        spool: spool.clone(),
        fetch: FetcherConfig {
            timeout: Duration::from_secs(5),
            roots: Arc::new(mozilla_roots()),
            connect_to: None,
            guard: sealgate_core::DestinationGuard::permissive(),
        },
    };
    let policy = rig.policy();
    record(
        &policy,
        "clinic.example",
        "mx1.clinic.example",
        session(Achieved::Verified, None),
    )
    .await;
    record(
        &policy,
        "clinic.example",
        "mx1.clinic.example",
        session(Achieved::Verified, None),
    )
    .await;
    let store = spool.tls_state();
    let dom = d("clinic.example");
    assert_eq!(
        store.facts(&dom).unwrap(),
        None,
        "nothing written per session"
    );
    assert!(store.report_counts().unwrap().is_empty());
    // A running gateway's status sees the facts before they are flushed.
    let status = policy.status(&dom).await.unwrap();
    let last = status.last.clone().unwrap();
    assert_eq!(
        (
            last.mx_host.as_str(),
            last.achieved.as_str(),
            last.tls_version.as_deref()
        ),
        ("mx1.clinic.example", "verified", Some("TLSv1.3"))
    );
    assert!(last.webpki_ok && !last.dane_ok);
    assert_eq!(status.pin.as_ref().unwrap().level, TlsLevel::Verify);

    policy.flush().await.unwrap();
    assert_eq!(store.facts(&dom).unwrap(), Some(last.clone()));
    assert_eq!(store.report_counts().unwrap().len(), 1);

    // After a restart the stored counts are merged with new sessions of the same day.
    let policy = rig.policy();
    record(
        &policy,
        "clinic.example",
        "mx1.clinic.example",
        session(Achieved::Plaintext, None),
    )
    .await;
    let reports = policy
        .make_reports(T0 / 1000 / DAY, &schedule().submitter)
        .await
        .unwrap();
    assert_eq!(reports.len(), 1);
    let summary = &reports[0].report.policies[0].summary;
    assert_eq!((summary.successful, summary.failed), (2, 1));
    assert!(
        store.report_counts().unwrap().is_empty(),
        "counts became a pending report"
    );
    assert_eq!(store.pending_reports().unwrap().len(), 1);

    // The stopped gateway's view (straight from the stores) shows the same facts.
    let offline = TlsStatus::from_stores(
        &Config::from_toml("[tls.domains]\n\"clinic.example\" = { level = \"verify\", on_failure = \"exclusive\" }\n")
            .unwrap()
            .tls,
        &dom,
        Arc::new(spool.pins()),
        &spool.sts_cache(),
        &store,
        clock.clone(),
    )
    .unwrap();
    assert_eq!(offline.admin.as_ref().unwrap().level, TlsLevel::Verify);
    assert_eq!(offline.pin.as_ref().unwrap().level, TlsLevel::Verify);
    let text = offline.to_string();
    // The last session (plaintext, after the restart) was stored with the day's reports.
    assert!(text.contains("achieved: plaintext"), "{text}");
    assert!(text.contains("tls version: -"), "{text}");
    assert!(text.contains("to mx1.clinic.example"), "{text}");
    assert!(
        text.contains("admin floor: verify (on failure: exclusive)"),
        "{text}"
    );
}

#[tokio::test]
async fn the_day_after_each_rua_gets_the_report_and_failures_are_retried() {
    let ca = TestCa::new("rua CA");
    let (chain, key) = ca.leaf(&["tlsrpt.https.example"]);
    let server = HttpsServer::start(
        chain,
        key,
        Answer {
            status: "200 OK",
            headers: vec![],
            body: Vec::new(),
        },
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let spool = Spool::open(
        dir.path(),
        MasterKeys::new("k1", [7u8; 32]).unwrap(),
        clock.clone(),
        Arc::new(OsRandom),
    )
    .unwrap();
    let dns = Arc::new(ScriptedDns::default());
    dns.set_txt(
        "_smtp._tls.example.net",
        &["v=TLSRPTv1; rua=mailto:a@example.net,mailto:b@example.net"],
    );
    dns.set_txt(
        "_smtp._tls.https.example",
        &["v=TLSRPTv1; rua=https://tlsrpt.https.example/v1/reports"],
    );
    let rig = Rig {
        dns,
        clock: clock.clone(),
        spool: spool.clone(),
        fetch: FetcherConfig {
            timeout: Duration::from_secs(10),
            roots: Arc::new(roots_from_pem(ca.pem.as_bytes()).unwrap()),
            connect_to: Some(server.addr),
            guard: sealgate_core::DestinationGuard::permissive(),
        },
    };
    let policy = rig.policy();
    let day = T0 / 1000 / DAY;
    for _ in 0..4 {
        record(
            &policy,
            "example.net",
            "mx.example.net",
            session(Achieved::Verified, None),
        )
        .await;
    }
    record(
        &policy,
        "example.net",
        "mx.example.net",
        session(Achieved::Plaintext, None),
    )
    .await;
    record(
        &policy,
        "example.net",
        "mx2.example.net",
        session(Achieved::Plaintext, Some(FailureKind::CertificateExpired)),
    )
    .await;
    record(
        &policy,
        "https.example",
        "mx.https.example",
        session(Achieved::Encrypted, None),
    )
    .await;
    record(
        &policy,
        "quiet.example",
        "mx.quiet.example",
        session(Achieved::Encrypted, None),
    )
    .await;

    let sink = Arc::new(RecordingSink::default());
    *sink.fail_to.lock().unwrap() = "b@example.net".into();
    sink.fail.store(1, Ordering::SeqCst);
    let scheduler = Scheduler::new(policy.clone(), sink.clone(), schedule(), Arc::new(Fives));
    assert!(scheduler.tick().await.is_empty(), "the day is not over");

    // Midnight: the day is over but this day's random delay has not passed yet.
    let delay = u64::from_le_bytes([5; 8]) % 600;
    clock.0.store((day + 1) * DAY * 1000, Ordering::SeqCst);
    if delay > 0 {
        assert_eq!(scheduler.tick().await.made, 0, "delay {delay} s not over");
    }
    clock.advance_secs(delay);
    let s = scheduler.tick().await;
    assert_eq!(s.made, 3);
    assert_eq!(s.without_rua, vec!["quiet.example".to_string()]);
    let mut tried: Vec<(String, bool)> = s
        .outcomes
        .iter()
        .map(|o| (o.rua.clone(), o.error.is_none()))
        .collect();
    tried.sort();
    assert_eq!(
        tried,
        [
            ("https://tlsrpt.https.example/v1/reports".into(), true),
            ("mailto:a@example.net".into(), true),
            ("mailto:b@example.net".into(), false),
        ]
    );
    // The mail to a@ carries the day's counts.
    let mails = sink.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let v = read_mail(&mails[0].1);
    assert_eq!(v["to"], "a@example.net");
    assert_eq!(v["tls_required"], "No");
    let pol = &v["report"]["policies"][0];
    assert_eq!(pol["policy"]["policy-domain"], "example.net");
    assert_eq!(pol["summary"]["total-successful-session-count"], 4);
    assert_eq!(pol["summary"]["total-failure-session-count"], 2);
    // The POST carries https.example's report.
    let (head, body) = server.bodies.lock().unwrap()[0].clone();
    assert!(head.starts_with("POST /v1/reports "), "{head}");
    let mut json = String::new();
    flate2::read::GzDecoder::new(body.as_slice())
        .read_to_string(&mut json)
        .unwrap();
    let posted: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        posted["policies"][0]["policy"]["policy-domain"],
        "https.example"
    );
    assert_eq!(
        posted["policies"][0]["summary"]["total-successful-session-count"],
        1
    );

    // Not retried before retry_every; a restart keeps the pending report and what it reached.
    clock.advance_secs(60);
    assert!(scheduler.tick().await.outcomes.is_empty());
    drop(scheduler);
    let policy = rig.policy();
    let pending = policy.pending_reports().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0].delivered,
        vec!["mailto:a@example.net".to_string()]
    );
    let scheduler = Scheduler::new(policy.clone(), sink.clone(), schedule(), Arc::new(Fives));
    let s = scheduler.tick().await;
    assert_eq!(s.outcomes.len(), 1, "{s:?}");
    assert_eq!(s.outcomes[0].rua, "mailto:b@example.net");
    assert!(s.outcomes[0].error.is_none());
    let mails = sink.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 2, "a@ is not sent to again");
    assert_eq!(read_mail(&mails[1].1)["to"], "b@example.net");
    assert!(policy.pending_reports().await.unwrap().is_empty());
    assert!(spool.tls_state().pending_reports().unwrap().is_empty());
    assert_eq!(server.count(), 1);
}
