//! TLS-RPT: a day of mixed session results becomes one report per policy domain, mailed as
//! RFC 8460 §5.3 says, and read back by an independent parser (PyPI `parsedmarc`,
//! `parse_report_email`) with the right counts; the mail's headers and attachment name are
//! checked with Python's `email` package.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use sealgate_config::Config;
use sealgate_core::{Address, Clock};
use sealgate_tlspolicy::mtasts::fetch::FetcherConfig;
use sealgate_tlspolicy::policy::{Deps, RouteKind};
use sealgate_tlspolicy::tlsrpt::{
    Collector, FailureKind, PolicyKind, ReportPolicy, Rua, Submitter,
};
use sealgate_tlspolicy::verify::mozilla_roots;
use sealgate_tlspolicy::{Achieved, SessionResult, TlsPolicy};
use serde_json::Value;
use std::net::IpAddr;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;
use support::*;

const READ: &str = r#"
import email, email.policy, json, sys
import parsedmarc
raw = open(sys.argv[1], "rb").read()
parsed = parsedmarc.parse_report_email(raw, offline=True)
msg = email.message_from_bytes(raw, policy=email.policy.default)
att = [p for p in msg.walk() if p.get_filename()]
print(json.dumps({
    "parsed": parsed,
    "subject": str(msg["Subject"]),
    "encoded_words": b"=?" in raw.split(b"\r\n\r\n", 1)[0],
    "domain": msg["TLS-Report-Domain"],
    "submitter": msg["TLS-Report-Submitter"],
    "tls_required": msg["TLS-Required"],
    "content_type": msg.get_content_type(),
    "report_type": msg.get_param("report-type"),
    "filename": att[0].get_filename(),
    "att_type": att[0].get_content_type(),
}, default=str))
"#;

fn parse_with_python(mail: &[u8]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.eml");
    std::fs::write(&path, mail).unwrap();
    let out = Command::new("python3")
        .args(["-c", READ])
        .arg(&path)
        .output()
        .expect("python3 (tests/support/install-tools.sh installs parsedmarc)");
    assert!(
        out.status.success(),
        "parsedmarc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn result(achieved: Achieved, failure: Option<FailureKind>, ip: &str) -> SessionResult {
    SessionResult {
        achieved,
        webpki_ok: achieved == Achieved::Verified,
        failure,
        sending_ip: Some("192.0.2.10".parse().unwrap()),
        receiving_ip: Some(ip.parse::<IpAddr>().unwrap()),
        tls_version: None,
        tls_cipher: None,
    }
}

#[test]
fn a_day_of_mixed_results_is_reported_per_policy_domain_and_parsedmarc_reads_it() {
    let clock = ManualClock::at(1_800_000_000_000); // 2027-01-15
    let day = clock.now().secs() / 86_400;
    let c = Collector::default();
    let sts = ReportPolicy {
        kind: PolicyKind::Sts,
        domain: "example.net".into(),
        strings: vec![
            "version: STSv1".into(),
            "mode: enforce".into(),
            "mx: *.mx.example.net".into(),
            "max_age: 86400".into(),
        ],
        mx_hosts: vec!["*.mx.example.net".into()],
    };
    let tlsa = ReportPolicy {
        kind: PolicyKind::Tlsa,
        domain: "dane.example".into(),
        strings: vec!["3 1 1 abcd".into()],
        mx_hosts: vec!["mx.dane.example".into()],
    };
    for _ in 0..5 {
        c.record(
            clock.now(),
            &sts,
            "a.mx.example.net",
            &result(Achieved::Verified, None, "198.51.100.1"),
        );
    }
    for _ in 0..2 {
        c.record(
            clock.now(),
            &sts,
            "b.mx.example.net",
            &result(
                Achieved::Plaintext,
                Some(FailureKind::CertificateExpired),
                "198.51.100.2",
            ),
        );
    }
    c.record(
        clock.now(),
        &sts,
        "b.mx.example.net",
        &result(Achieved::Plaintext, None, "198.51.100.2"),
    );
    for _ in 0..3 {
        c.record(
            clock.now(),
            &tlsa,
            "mx.dane.example",
            &result(Achieved::DaneVerified, None, "203.0.113.5"),
        );
    }
    c.record(
        clock.now(),
        &tlsa,
        "mx.dane.example",
        &result(
            Achieved::Plaintext,
            Some(FailureKind::TlsaInvalid),
            "203.0.113.5",
        ),
    );
    // A session on the next day is not part of this day's reports.
    c.record(
        clock.now().plus(Duration::from_secs(86_400)),
        &tlsa,
        "mx.dane.example",
        &result(Achieved::DaneVerified, None, "203.0.113.5"),
    );

    let submitter = Submitter {
        organization: "Acme Health".into(),
        contact: "mailto:tlsrpt@gw.example.org".into(),
        domain: d("gw.example.org"),
    };
    let mut reports = c.drain_day(day, &submitter);
    assert_eq!(reports.len(), 2);
    reports.sort_by(|a, b| a.report_id.cmp(&b.report_id));
    let from = Address::parse("postmaster@gw.example.org").unwrap();
    let to = Address::parse("tls-reports@example.net").unwrap();

    // dane.example
    let v = parse_with_python(&reports[0].compose_mail(&from, &to, clock.now()).unwrap());
    let p = &v["parsed"];
    assert_eq!(p["report_type"], "smtp_tls");
    let r = &p["report"];
    assert_eq!(r["organization_name"], "Acme Health");
    assert_eq!(r["begin_date"], "2027-01-15T00:00:00Z");
    assert_eq!(r["end_date"], "2027-01-15T23:59:59Z");
    let pol = &r["policies"][0];
    assert_eq!(pol["policy_type"], "tlsa");
    assert_eq!(pol["policy_domain"], "dane.example");
    assert_eq!(pol["successful_session_count"], 3);
    assert_eq!(pol["failed_session_count"], 1);
    assert_eq!(pol["failure_details"][0]["result_type"], "tlsa-invalid");

    // example.net: 5 good, 2 expired + 1 without STARTTLS.
    let v = parse_with_python(&reports[1].compose_mail(&from, &to, clock.now()).unwrap());
    let r = &v["parsed"]["report"];
    let pol = &r["policies"][0];
    assert_eq!(pol["policy_type"], "sts");
    assert_eq!(pol["policy_strings"][1], "mode: enforce");
    assert_eq!(pol["successful_session_count"], 5);
    assert_eq!(pol["failed_session_count"], 3);
    let mut details: Vec<(String, u64, String)> = pol["failure_details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["result_type"].as_str().unwrap().to_string(),
                f["failed_session_count"].as_u64().unwrap(),
                f["receiving_mx_hostname"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    details.sort();
    assert_eq!(
        details,
        [
            ("certificate-expired".into(), 2, "b.mx.example.net".into()),
            (
                "starttls-not-supported".into(),
                1,
                "b.mx.example.net".into()
            ),
        ]
    );
    // Headers and file name (RFC 8460 §5.1, §5.3).
    let id = r["report_id"].as_str().unwrap();
    assert_eq!(id, "2027-01-15.example.net@gw.example.org");
    assert_eq!(
        v["subject"],
        format!("Report Domain: example.net Submitter: gw.example.org Report-ID: <{id}>")
    );
    assert_eq!(
        v["encoded_words"], false,
        "plain ASCII headers, not RFC 2047"
    );
    assert_eq!(v["domain"], "example.net");
    assert_eq!(v["submitter"], "gw.example.org");
    assert_eq!(v["tls_required"], "No");
    assert_eq!(v["content_type"], "multipart/report");
    assert_eq!(v["report_type"], "tlsrpt");
    assert_eq!(v["att_type"], "application/tlsrpt+gzip");
    let begin = day * 86_400;
    assert_eq!(
        v["filename"],
        format!(
            "gw.example.org!example.net!{begin}!{}!20270115.json.gz",
            begin + 86_399
        )
    );
    assert!(c.drain_day(day, &submitter).is_empty(), "drained");
    assert_eq!(c.drain_day(day + 1, &submitter).len(), 1);
}

#[tokio::test]
async fn record_result_counts_sessions_and_pins_verified_domains() {
    let dns = Arc::new(ScriptedDns::default());
    dns.set_txt(
        "_smtp._tls.clinic.example",
        &["v=TLSRPTv1; rua=mailto:tlsrpt@clinic.example"],
    );
    let clock = ManualClock::at(1_800_000_000_000);
    let policy = TlsPolicy::new(
        &Config::from_toml("").unwrap().tls,
        dns.clone(),
        FetcherConfig {
            timeout: Duration::from_secs(5),
            roots: Arc::new(mozilla_roots()),
            connect_to: None,
            guard: sealgate_core::DestinationGuard::permissive(),
        },
        Deps {
            pins: Arc::new(MemPins::default()),
            sts_cache: Arc::new(MemSts::default()),
            clock: clock.clone(),
            mx_roots: mozilla_roots(),
        },
    )
    .unwrap();
    let dom = d("clinic.example");
    let rua = policy.report_destinations(&dom).await.unwrap();
    assert!(matches!(&rua[..], [Rua::Mail(a)] if a.to_string() == "tlsrpt@clinic.example"));
    let plan = policy.plan(&dom, None).await.unwrap();
    assert_eq!(plan.floor.level, sealgate_core::TlsLevel::May);
    let mx = plan.mx_plan("mx.clinic.example", RouteKind::Mx).unwrap();
    policy
        .record_result(
            &plan,
            &mx,
            &result(Achieved::Verified, None, "198.51.100.9"),
        )
        .await
        .unwrap();
    // The domain is now pinned: the next plan's floor is verify, from the pin.
    let plan = policy.plan(&dom, None).await.unwrap();
    assert_eq!(plan.floor.level, sealgate_core::TlsLevel::Verify);
    assert!(
        !plan
            .mx_plan("mx.clinic.example", RouteKind::Mx)
            .unwrap()
            .plaintext_allowed
    );
    let sub = Submitter {
        organization: "o".into(),
        contact: "c".into(),
        domain: d("gw.example.org"),
    };
    let reports = policy.reports(clock.now().secs() / 86_400, &sub);
    assert_eq!(reports.len(), 1);
    assert_eq!(
        reports[0].policies[0].policy.kind,
        PolicyKind::NoPolicyFound
    );
    assert_eq!(reports[0].policies[0].summary.successful, 1);
}

#[tokio::test]
async fn https_rua_gets_a_gzipped_post_and_a_failure_is_temporary() {
    use std::io::Read;
    let ca = TestCa::new("rua CA");
    let (chain, key) = ca.leaf(&["tlsrpt.example.net"]);
    let server = HttpsServer::start(
        chain,
        key,
        Answer {
            status: "201 Created",
            headers: vec![],
            body: Vec::new(),
        },
    )
    .await;
    let c = Collector::default();
    let clock = ManualClock::at(1_800_000_000_000);
    let policy = ReportPolicy {
        kind: PolicyKind::NoPolicyFound,
        domain: "example.net".into(),
        strings: vec![],
        mx_hosts: vec![],
    };
    c.record(
        clock.now(),
        &policy,
        "mx.example.net",
        &result(Achieved::Encrypted, None, "198.51.100.1"),
    );
    let sub = Submitter {
        organization: "Acme Health".into(),
        contact: "mailto:tlsrpt@gw.example.org".into(),
        domain: d("gw.example.org"),
    };
    let report = c.drain_day(clock.now().secs() / 86_400, &sub).remove(0);
    let config = FetcherConfig {
        timeout: Duration::from_secs(10),
        roots: Arc::new(sealgate_tlspolicy::verify::roots_from_pem(ca.pem.as_bytes()).unwrap()),
        connect_to: Some(server.addr),
        guard: sealgate_core::DestinationGuard::permissive(),
    };
    let url = "https://tlsrpt.example.net/v1/reports";
    sealgate_tlspolicy::tlsrpt::mail::post(&config, url, &report)
        .await
        .unwrap();
    let (head, body) = server.bodies.lock().unwrap()[0].clone();
    assert!(head.starts_with("POST /v1/reports HTTP/1.1"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/tlsrpt+gzip")
    );
    let mut json = String::new();
    flate2::read::GzDecoder::new(body.as_slice())
        .read_to_string(&mut json)
        .unwrap();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["report-id"], report.report_id);
    assert_eq!(
        v["policies"][0]["summary"]["total-successful-session-count"],
        1
    );

    server.set(Answer {
        status: "503 Service Unavailable",
        headers: vec![],
        body: Vec::new(),
    });
    let e = sealgate_tlspolicy::tlsrpt::mail::post(&config, url, &report)
        .await
        .unwrap_err();
    assert_eq!(e.severity(), sealgate_core::Severity::Temporary);

    // The override off: the destination (the test rig's loopback address, or an address
    // literal in the rua) is refused before any connection, and counted.
    #[derive(Default)]
    struct Seen(std::sync::Mutex<Vec<String>>);
    impl sealgate_core::RefusalSink for Seen {
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
    let seen = Arc::new(Seen::default());
    let strict = FetcherConfig {
        guard: sealgate_core::DestinationGuard::new(false, Some(seen.clone())),
        ..config.clone()
    };
    let before = server.bodies.lock().unwrap().len();
    for url in [url, "https://10.1.2.3/v1/reports", "https://[fe80::1]/x"] {
        let e = sealgate_tlspolicy::tlsrpt::mail::post(&strict, url, &report)
            .await
            .unwrap_err();
        assert_eq!(e.severity(), sealgate_core::Severity::Temporary, "{url}");
    }
    assert_eq!(
        server.bodies.lock().unwrap().len(),
        before,
        "no request made"
    );
    assert_eq!(
        *seen.0.lock().unwrap(),
        [
            "tls-rpt tlsrpt.example.net loopback",
            "tls-rpt 10.1.2.3 private",
            "tls-rpt fe80::1 link-local",
        ]
    );
}
