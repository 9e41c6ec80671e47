//! The acceptance matrix at the policy level, against real TLS peers on 127.0.0.1:0:
//! {no STARTTLS, self-signed, expired, wrong name, valid} × {may, encrypt, verify, dane,
//! MTA-STS enforce, MTA-STS testing} × {forced, exclusive} → the outcome RFC 8461 / RFC 7672
//! and the protection model give. Each row connects with the host plan's rustls config, maps
//! the session with `MxPlan::achieved` (plaintext when the handshake failed and plaintext is
//! allowed, else nothing), and judges it. The SMTP leg (Postfix, STARTTLS stripping proxy)
//! comes with the deliver wiring.

#![allow(clippy::unwrap_used)]

mod support;

use rcgen::{CertificateParams, KeyPair, PublicKeyData};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use sealgate_config::Config;
use sealgate_core::Clock;
use sealgate_core::store::{StsCache, StsCacheEntry};
use sealgate_tlspolicy::dane::Tlsa;
use sealgate_tlspolicy::dns::{DnsFuture, Dnssec, PolicyDns};
use sealgate_tlspolicy::mtasts::fetch::FetcherConfig;
use sealgate_tlspolicy::policy::{Deps, RouteKind};
use sealgate_tlspolicy::tlsrpt::{FailureKind, PolicyKind, Submitter};
use sealgate_tlspolicy::verify::{mozilla_roots, roots_from_pem};
use sealgate_tlspolicy::{Achieved, MxPlan, RuleFloor, SessionResult, TlsPolicy, Unmet, Verdict};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use support::*;
use tokio::net::{TcpListener, TcpStream};

const MX: &str = "mx.dest.example";

/// TXT records for the MTA-STS domains; a secure MX with TLSA for `dane.example` only.
struct MatrixDns {
    tlsa: Vec<Tlsa>,
}

impl PolicyDns for MatrixDns {
    fn txt<'a>(
        &'a self,
        name: &'a str,
    ) -> DnsFuture<'a, Result<Vec<String>, sealgate_tlspolicy::TlsPolicyError>> {
        let v = match name {
            "_mta-sts.enforce.example" | "_mta-sts.testing.example" => {
                vec!["v=STSv1; id=m1".to_string()]
            }
            _ => Vec::new(),
        };
        Box::pin(async move { Ok(v) })
    }
    fn secure_mx<'a>(&'a self, domain: &'a str) -> DnsFuture<'a, Dnssec<Vec<String>>> {
        let a = if domain == "dane.example" {
            Dnssec::Secure(vec![MX.to_string()])
        } else {
            Dnssec::Insecure(vec![MX.to_string()])
        };
        Box::pin(async move { a })
    }
    fn tlsa<'a>(&'a self, _: &'a str, _: u16) -> DnsFuture<'a, Dnssec<Vec<Tlsa>>> {
        let t = self.tlsa.clone();
        Box::pin(async move { Dnssec::Secure(t) })
    }
}

async fn serve(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> SocketAddr {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = l.accept().await {
            let a = acceptor.clone();
            tokio::spawn(async move {
                let _ = a.accept(tcp).await;
            });
        }
    });
    addr
}

fn pkcs8(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()))
}

/// One row's outcome, as the expected table writes it.
fn short(v: Verdict) -> &'static str {
    match v {
        Verdict::Send => "send",
        Verdict::Unmet(Unmet::Defer { .. }) => "defer",
        Verdict::Unmet(Unmet::NextMethod { .. }) => "next",
        Verdict::Unmet(Unmet::Drop { .. }) => "drop",
    }
}

async fn session(mx: &MxPlan, server: Option<SocketAddr>) -> Achieved {
    let Some(addr) = server else {
        return Achieved::Plaintext; // no STARTTLS offered
    };
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from(MX.to_string()).unwrap();
    match tokio_rustls::TlsConnector::from(mx.tls.clone())
        .connect(name, tcp)
        .await
    {
        Ok(tls) => {
            let chain: Vec<CertificateDer<'static>> =
                tls.get_ref().1.peer_certificates().unwrap().to_vec();
            mx.achieved(Some(&chain))
        }
        // Failed handshake: plaintext retry if allowed; else nothing was reached.
        Err(_) => Achieved::Plaintext,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_outcome_matrix() {
    let ca = TestCa::new("matrix CA");
    let (valid_chain, valid_key) = {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec![MX.to_string()])
            .unwrap()
            .signed_by(&key, &ca.issuer)
            .unwrap();
        let spki = Sha256::digest(key.subject_public_key_info()).to_vec();
        (
            (vec![cert.der().clone(), ca.der.clone()], spki),
            pkcs8(&key),
        )
    };
    let (valid_chain, valid_spki) = valid_chain;
    let expired = {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(vec![MX.to_string()]).unwrap();
        p.not_before = rcgen::date_time_ymd(2019, 1, 1);
        p.not_after = rcgen::date_time_ymd(2020, 1, 1);
        let cert = p.signed_by(&key, &ca.issuer).unwrap();
        serve(vec![cert.der().clone(), ca.der.clone()], pkcs8(&key)).await
    };
    let wrong_name = {
        let (chain, key) = ca.leaf(&["other.example"]);
        serve(chain, key).await
    };
    let self_signed = {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec![MX.to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        serve(vec![cert.der().clone()], pkcs8(&key)).await
    };
    let valid = serve(valid_chain, valid_key).await;
    let servers: [(&str, Option<SocketAddr>); 5] = [
        ("no-starttls", None),
        ("self-signed", Some(self_signed)),
        ("expired", Some(expired)),
        ("wrong-name", Some(wrong_name)),
        ("valid", Some(valid)),
    ];

    // Expected outcome per column and on_failure, in the order of `servers`.
    let expected: &[(&str, &str, [&str; 5])] = &[
        ("may", "forced", ["send", "send", "send", "send", "send"]),
        ("may", "exclusive", ["send", "send", "send", "send", "send"]),
        (
            "encrypt",
            "forced",
            ["next", "send", "send", "send", "send"],
        ),
        (
            "encrypt",
            "exclusive",
            ["drop", "send", "send", "send", "send"],
        ),
        ("verify", "forced", ["next", "next", "next", "next", "send"]),
        (
            "verify",
            "exclusive",
            ["drop", "drop", "drop", "drop", "send"],
        ),
        // TLSA 3 1 1 matches the valid certificate's key only.
        ("dane", "forced", ["next", "next", "next", "next", "send"]),
        (
            "dane",
            "exclusive",
            ["drop", "drop", "drop", "drop", "send"],
        ),
        // MTA-STS enforce: failures defer (RFC 8461 §5), whatever on_failure says.
        (
            "enforce",
            "forced",
            ["defer", "defer", "defer", "defer", "send"],
        ),
        (
            "enforce",
            "exclusive",
            ["defer", "defer", "defer", "defer", "send"],
        ),
        // MTA-STS testing: report, deliver anyway.
        (
            "testing",
            "forced",
            ["send", "send", "send", "send", "send"],
        ),
        (
            "testing",
            "exclusive",
            ["send", "send", "send", "send", "send"],
        ),
    ];

    let clock = ManualClock::at(1_800_000_000_000);
    let sts = Arc::new(MemSts::default());
    for (domain, mode) in [
        ("enforce.example", "enforce"),
        ("testing.example", "testing"),
    ] {
        sts.put(
            &d(domain),
            &StsCacheEntry {
                id: "m1".into(),
                policy: format!("version: STSv1\nmode: {mode}\nmx: {MX}\nmax_age: 86400\n"),
                fetched: clock.now(),
                expires: clock.now().plus(Duration::from_secs(86_400)),
            },
        )
        .unwrap();
    }
    let mut failures = Vec::new();
    for (column, on_failure, want) in expected {
        // The admin's table gives the level and on_failure; MTA-STS columns put `may` there.
        let level = match *column {
            "enforce" | "testing" => "may",
            l => l,
        };
        let toml = format!(
            "[tls.domains]\n\"{column}.example\" = {{ level = \"{level}\", on_failure = \"{on_failure}\" }}\n"
        );
        let policy = TlsPolicy::new(
            &Config::from_toml(&toml).unwrap().tls,
            Arc::new(MatrixDns {
                tlsa: vec![Tlsa {
                    usage: 3,
                    selector: 1,
                    matching: 1,
                    data: valid_spki.clone(),
                }],
            }),
            FetcherConfig {
                timeout: Duration::from_secs(5),
                roots: Arc::new(mozilla_roots()),
                connect_to: None,
                guard: sealgate_core::DestinationGuard::permissive(),
            },
            Deps {
                pins: Arc::new(MemPins::default()),
                sts_cache: sts.clone(),
                clock: clock.clone(),
                mx_roots: roots_from_pem(ca.pem.as_bytes()).unwrap(),
            },
        )
        .unwrap();
        let rule = RuleFloor::from_requirement(&sealgate_core::Requirement::Deliver, None);
        let plan = policy
            .plan(&d(&format!("{column}.example")), rule.as_ref())
            .await
            .unwrap();
        let mx = plan.mx_plan(MX, RouteKind::Mx).unwrap();
        assert!(mx.skip.is_none(), "{column}: {mx:?}");
        for ((case, server), want) in servers.iter().zip(want) {
            let achieved = session(&mx, *server).await;
            policy
                .record_result(
                    &plan,
                    &mx,
                    &SessionResult {
                        achieved,
                        webpki_ok: achieved == Achieved::Verified,
                        failure: None,
                        sending_ip: None,
                        receiving_ip: None,
                        tls_version: None,
                        tls_cipher: None,
                    },
                )
                .await
                .unwrap();
            let got = short(mx.judge(achieved));
            if got != *want {
                failures.push(format!(
                    "{column}/{on_failure}/{case}: got {got}, want {want} ({achieved:?})\n{}",
                    plan.explain()
                ));
            }
        }
        if *column == "testing" && *on_failure == "forced" {
            // Delivered anyway, but reported: 1 good, 1 without TLS, 3 failing WebPKI.
            let sub = Submitter {
                organization: "o".into(),
                contact: "c".into(),
                domain: d("gw.example.org"),
            };
            let r = policy.reports(clock.now().secs() / 86_400, &sub);
            let p = &r[0].policies[0];
            assert_eq!(p.policy.kind, PolicyKind::Sts);
            assert_eq!((p.summary.successful, p.summary.failed), (1, 4));
            let mut kinds: Vec<_> = p
                .failures
                .iter()
                .map(|f| (f.result_type, f.count))
                .collect();
            kinds.sort();
            assert_eq!(
                kinds,
                [
                    (FailureKind::StarttlsNotSupported, 1),
                    (FailureKind::StsWebpkiInvalid, 3)
                ]
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
