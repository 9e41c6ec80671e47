//! `GET /api/v1/tls/{domain}` over a real listener: bearer token required, the status from
//! the policy's stores and in-memory facts, 503 without a TLS policy.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use sealgate_admin::AdminState;
use sealgate_admin::tls::{ReportSink, Schedule, SentSummary, TlsAdmin, TlsPolicy, TlsStatus};
use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_config::Config;
use sealgate_core::store::{Pin, PinStore, TlsFacts, TlsStateChanges, TlsStateStore};
use sealgate_core::{Clock, Domain, SystemClock, Timestamp, TlsLevel};
use sealgate_report::Metrics;
use sealgate_tlspolicy::policy::Deps;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get(addr: std::net::SocketAddr, token: &str, path: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    let status = raw.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = raw.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

async fn post(addr: std::net::SocketAddr, token: &str, path: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    let status = raw.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = raw.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

/// A report sink that must not be called (no counts, nothing to send).
struct NoMail;

impl ReportSink for NoMail {
    fn submit_mail(&self, _to: &sealgate_core::Address, _content: Vec<u8>) -> Result<(), String> {
        panic!("no report should be sent");
    }
}

async fn serve(app: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

#[tokio::test]
async fn tls_status_route_answers_from_the_policy_behind_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(
        dir.path(),
        MasterKeys::new("k1", [3u8; 32]).unwrap(),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
    )
    .unwrap();
    let dom = Domain::parse("clinic.example").unwrap();
    let now = SystemClock.now();
    spool
        .pins()
        .put(
            &dom,
            &Pin {
                level: "verify".into(),
                last_seen: now,
                expires: now.plus(std::time::Duration::from_secs(3600)),
            },
        )
        .unwrap();
    spool
        .tls_state()
        .apply(TlsStateChanges {
            facts: vec![(
                dom.clone(),
                TlsFacts {
                    at: Timestamp(now.0 - 1000),
                    mx_host: "mx.clinic.example".into(),
                    achieved: "verified".into(),
                    tls_version: Some("TLSv1.3".into()),
                    tls_cipher: Some("TLS13_AES_256_GCM_SHA384".into()),
                    webpki_ok: true,
                    dane_ok: false,
                    failure: None,
                },
            )],
            ..TlsStateChanges::default()
        })
        .unwrap();
    let config = Config::from_toml(
        "[tls.domains]\n\"clinic.example\" = { level = \"encrypt\", on_failure = \"forced\" }\n",
    )
    .unwrap();
    let policy = TlsPolicy::from_config(
        &config.tls,
        // Never asked: status reads no DNS.
        &["127.0.0.1:9".parse().unwrap()],
        Deps {
            pins: Arc::new(spool.pins()),
            sts_cache: Arc::new(spool.sts_cache()),
            clock: Arc::new(SystemClock),
            mx_roots: sealgate_tlspolicy::verify::mozilla_roots(),
        },
    )
    .unwrap()
    .with_state(Arc::new(spool.tls_state()));
    let state = AdminState {
        store: Arc::new(spool.clone()),
        metrics: Metrics::new().unwrap(),
        token: "secret".into(),
        ready: Arc::new(AtomicBool::new(true)),
        control: None,
        keys: None,
    };
    let addr = serve(sealgate_admin::router_with_tls(
        state.clone(),
        TlsAdmin {
            policy: Arc::new(policy),
            sink: Arc::new(NoMail),
            schedule: Schedule::from_config(&config),
        },
    ))
    .await;
    let (code, _) = get(addr, "wrong", "/api/v1/tls/clinic.example").await;
    assert_eq!(code, 401);
    let (code, _) = get(addr, "secret", "/api/v1/tls/not%20a%20domain").await;
    assert_eq!(code, 400);
    let (code, body) = get(addr, "secret", "/api/v1/tls/Clinic.Example").await;
    assert_eq!(code, 200, "{body}");
    let st: TlsStatus = serde_json::from_str(&body).unwrap();
    assert_eq!(st.domain, "clinic.example");
    assert_eq!(st.admin.unwrap().level, TlsLevel::Encrypt);
    assert_eq!(st.pin.unwrap().level, TlsLevel::Verify);
    assert!(st.mta_sts.is_none());
    let last = st.last.unwrap();
    assert_eq!(last.tls_version.as_deref(), Some("TLSv1.3"));
    assert_eq!(last.mx_host, "mx.clinic.example");

    // Send now: token, day checks, nothing to send without counts.
    let (code, _) = post(addr, "wrong", "/api/v1/tls/reports").await;
    assert_eq!(code, 401);
    for bad in ["2026-02-30", "yesterday", "2026-1-1", "9999-12-31"] {
        let (code, body) = post(addr, "secret", &format!("/api/v1/tls/reports?day={bad}")).await;
        assert_eq!(code, 400, "{bad}: {body}");
        assert!(body.contains("day"), "{bad}: {body}");
    }
    let (code, body) = post(addr, "secret", "/api/v1/tls/reports").await;
    assert_eq!(code, 200, "{body}");
    let summary: SentSummary = serde_json::from_str(&body).unwrap();
    assert!(summary.is_empty(), "{body}");
    let (code, body) = post(addr, "secret", "/api/v1/tls/reports?day=2024-02-29").await;
    assert_eq!(code, 200, "{body}");

    let plain = serve(sealgate_admin::router(state)).await;
    let (code, _) = get(plain, "secret", "/api/v1/tls/clinic.example").await;
    assert_eq!(code, 503);
    let (code, _) = post(plain, "secret", "/api/v1/tls/reports").await;
    assert_eq!(code, 503);
}
