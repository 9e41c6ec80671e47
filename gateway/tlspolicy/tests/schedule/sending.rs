//! Sending reports on demand, giving up on undeliverable ones, and the caps on `rua` lists and a
//! run's time (part of `schedule.rs`, split for length).

use super::*;

#[tokio::test]
async fn send_day_reports_now_and_an_undeliverable_report_is_given_up_after_days() {
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
        &["v=TLSRPTv1; rua=mailto:a@example.net"],
    );
    let rig = Rig {
        dns,
        clock: clock.clone(),
        spool,
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
        "example.net",
        "mx.example.net",
        session(Achieved::Verified, None),
    )
    .await;
    let sink = Arc::new(RecordingSink::default());
    *sink.fail_to.lock().unwrap() = "a@example.net".into();
    sink.fail.store(usize::MAX, Ordering::SeqCst);
    let sink_dyn: Arc<dyn ReportSink> = sink.clone();
    let day = T0 / 1000 / DAY;
    let s = send_day(&policy, &sink_dyn, &schedule(), day)
        .await
        .unwrap();
    assert_eq!(s.made, 1);
    assert_eq!(s.outcomes[0].error.as_deref(), Some("spool unavailable"));
    let scheduler = Scheduler::new(policy.clone(), sink_dyn, schedule(), Arc::new(Fives));
    clock.advance_secs(2 * DAY);
    assert_eq!(scheduler.tick().await.outcomes.len(), 1, "retried");
    clock.advance_secs(2 * DAY);
    let s = scheduler.tick().await;
    assert_eq!(s.given_up, vec!["example.net".to_string()]);
    assert!(policy.pending_reports().await.unwrap().is_empty());
    assert!(sink.mails.lock().unwrap().is_empty());

    // The run ticks, and flushes once more when shut down.
    record(
        &policy,
        "late.example",
        "mx.late.example",
        session(Achieved::Encrypted, None),
    )
    .await;
    sealgate_tlspolicy::tlsrpt::schedule::run(
        policy.clone(),
        sink.clone(),
        schedule(),
        Arc::new(Fives),
        std::future::ready(()),
    )
    .await;
    let stored = rig.spool.tls_state().facts(&d("late.example")).unwrap();
    assert_eq!(stored.unwrap().achieved, "encrypted");
}

/// Regression: a record could list any number of `rua`s, and one slow endpoint held the whole
/// run (every domain's report) for its full fetch timeout.
#[tokio::test]
async fn rua_lists_are_capped_and_a_run_keeps_to_its_time_budget() {
    // An HTTPS "endpoint" that accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = held.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            keep.lock().unwrap().push(tcp);
        }
    });
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
    let many: Vec<String> = (0..8)
        .map(|i| format!("mailto:r{i}@many.example"))
        .collect();
    dns.set_txt(
        "_smtp._tls.many.example",
        &[format!("v=TLSRPTv1; rua={}", many.join(",")).as_str()],
    );
    dns.set_txt(
        "_smtp._tls.slow.example",
        &["v=TLSRPTv1; rua=https://tlsrpt.slow.example/r"],
    );
    let rig = Rig {
        dns,
        clock: clock.clone(),
        spool,
        fetch: FetcherConfig {
            timeout: Duration::from_secs(60),
            roots: Arc::new(mozilla_roots()),
            connect_to: Some(addr),
            guard: sealgate_core::DestinationGuard::permissive(),
        },
    };
    let policy = rig.policy();
    for (domain, host) in [
        ("many.example", "mx.many.example"),
        ("slow.example", "mx.slow.example"),
    ] {
        record(&policy, domain, host, session(Achieved::Verified, None)).await;
    }
    let sink = Arc::new(RecordingSink::default());
    let sink_dyn: Arc<dyn ReportSink> = sink.clone();
    let day = T0 / 1000 / DAY;
    let mut sched = schedule();
    sched.run_budget = Duration::from_millis(500);
    let started = std::time::Instant::now();
    let s = send_day(&policy, &sink_dyn, &sched, day).await.unwrap();
    // The run returned long before the endpoint's 60 s fetch timeout.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(s.made, 2);
    // Pending reports go by policy domain: many.example first, its 8-entry list capped to the
    // first five; then the slow endpoint holds the run until its budget is spent.
    let mailed: Vec<String> = sink
        .mails
        .lock()
        .unwrap()
        .iter()
        .map(|m| m.0.clone())
        .collect();
    assert_eq!(
        mailed,
        (0..5)
            .map(|i| format!("r{i}@many.example"))
            .collect::<Vec<_>>()
    );
    let slow: Vec<&Outcome> = s
        .outcomes
        .iter()
        .filter(|o| o.domain == "slow.example")
        .collect();
    assert_eq!(slow.len(), 1, "{s:?}");
    assert!(
        slow[0].error.as_deref().unwrap_or("").contains("budget"),
        "{s:?}"
    );
    let pending = policy.pending_reports().await.unwrap();
    assert_eq!(pending.len(), 1, "the slow report waits for the next run");
    assert!(
        !held.lock().unwrap().is_empty(),
        "the slow endpoint was connected to"
    );
}
