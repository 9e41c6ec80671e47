//! DANE against a DNSSEC-signed zone served by nsd on 127.0.0.1 (signed with ldns-signzone,
//! validated by hickory against a test-only trust anchor file) and TLS servers on 127.0.0.1:0:
//! TLSA 3 1 1 matching → verified (names and expiry not checked); DANE-TA 2 0 1 → verified;
//! mismatch → refused and never plaintext; usage 1 only → `encrypt`; an expired RRSIG → bogus,
//! every MX skipped.

#![allow(clippy::unwrap_used)]

mod support;

use rcgen::{CertificateParams, KeyPair, PublicKeyData};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use sealgate_config::Config;
use sealgate_core::TlsLevel;
use sealgate_tlspolicy::dns::{Dnssec, HickoryPolicyDns, PolicyDns};
use sealgate_tlspolicy::mtasts::fetch::FetcherConfig;
use sealgate_tlspolicy::policy::{DaneState, Deps, RouteKind};
use sealgate_tlspolicy::tlsrpt::{FailureKind, Submitter};
use sealgate_tlspolicy::verify::mozilla_roots;
use sealgate_tlspolicy::{Achieved, TlsPolicy, Unmet, Verdict};
use sha2::{Digest, Sha256};
use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use support::*;
use tokio::net::{TcpListener, TcpStream};

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn run(dir: &Path, cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (tests/support/install-tools.sh installs it)"));
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// nsd serving the zones of `dir`, stopped on drop.
struct Nsd {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Nsd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A DNS query for `name` SOA; true once something answers.
fn answers(addr: SocketAddr, name: &str) -> bool {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut q = vec![0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 6, 0, 1]);
    if sock.send_to(&q, addr).is_err() {
        return false;
    }
    let mut buf = [0u8; 512];
    matches!(sock.recv_from(&mut buf), Ok((n, _)) if n > 12 && buf[..2] == [0x12, 0x34])
}

fn start_nsd(dir: &Path, zones: &[&str]) -> Nsd {
    // A free port: bind :0, read it, release it (nsd binds it next).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let d = dir.display();
    let mut conf = format!(
        "server:\n  ip-address: 127.0.0.1\n  port: {port}\n  username: \"\"\n  chroot: \"\"\n  \
         zonesdir: \"{d}\"\n  database: \"\"\n  pidfile: \"{d}/nsd.pid\"\n  \
         xfrdfile: \"{d}/xfrd.state\"\n  zonelistfile: \"{d}/zone.list\"\n  \
         logfile: \"{d}/nsd.log\"\n  server-count: 1\n  verbosity: 1\n\
         remote-control:\n  control-enable: no\n"
    );
    for z in zones {
        conf.push_str(&format!("zone:\n  name: {z}\n  zonefile: {z}.signed\n"));
    }
    std::fs::write(dir.join("nsd.conf"), conf).unwrap();
    let nsd = if have("nsd") { "nsd" } else { "/usr/sbin/nsd" };
    let child = Command::new(nsd)
        .args(["-d", "-c"])
        .arg(dir.join("nsd.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("nsd: {e} (tests/support/install-tools.sh installs it)"));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let server = Nsd { child, addr };
    // Readiness: poll with real queries (each waits at most 200 ms for an answer).
    for _ in 0..100 {
        if answers(addr, zones[0]) {
            return server;
        }
    }
    panic!(
        "nsd did not answer: {}",
        std::fs::read_to_string(dir.join("nsd.log")).unwrap_or_default()
    );
}

/// Signs `zone` (text) with a fresh ECDSA key; returns the DNSKEY line for the anchor file.
fn sign(dir: &Path, name: &str, zone: &str, expired: bool) -> String {
    std::fs::write(dir.join(name), zone).unwrap();
    let base = run(dir, "ldns-keygen", &["-a", "ECDSAP256SHA256", "-k", name]);
    let mut args: Vec<&str> = Vec::new();
    if expired {
        args.extend(["-i", "20200101000000", "-e", "20200201000000"]);
    }
    args.extend([name, base.as_str()]);
    run(dir, "ldns-signzone", &args);
    std::fs::read_to_string(dir.join(format!("{base}.key"))).unwrap()
}

fn self_signed(
    names: &[&str],
    expired: bool,
) -> (CertificateDer<'static>, PrivateKeyDer<'static>, Vec<u8>) {
    let key = KeyPair::generate().unwrap();
    let mut p =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    if expired {
        p.not_before = rcgen::date_time_ymd(2019, 1, 1);
        p.not_after = rcgen::date_time_ymd(2020, 1, 1);
    }
    let cert = p.self_signed(&key).unwrap();
    let spki_hash = Sha256::digest(key.subject_public_key_info()).to_vec();
    (
        cert.der().clone(),
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        spki_hash,
    )
}

/// A TLS server on 127.0.0.1:0 presenting `chain`; completes handshakes and closes.
async fn tls_server(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> SocketAddr {
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

async fn handshake(
    config: Arc<rustls::ClientConfig>,
    host: &str,
    addr: SocketAddr,
) -> Result<(), String> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from(host.to_string()).unwrap();
    tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dane_tlsa_match_verifies_mismatch_refuses_and_bogus_never_goes_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("DANE-TA test CA");
    let (good_cert, good_key, good_hash) = self_signed(&["wrong-name.example"], true);
    let (bad_cert, bad_key, _) = self_signed(&["mx-bad.example.test"], false);
    let (ta_chain, ta_key) = ca.leaf(&["mx-ta.example.test"]);
    let ca_hash = hex::encode(Sha256::digest(ca.der.as_ref()));
    let good_hex = hex::encode(&good_hash);
    let wrong_hex = hex::encode(Sha256::digest(b"not this key"));

    let zone = format!(
        "$ORIGIN example.test.\n$TTL 300\n\
         @ IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 300\n\
         @ IN NS ns.example.test.\nns IN A 127.0.0.1\n\
         good IN MX 10 mx-good.example.test.\nbad IN MX 10 mx-bad.example.test.\n\
         ta IN MX 10 mx-ta.example.test.\npkix IN MX 10 mx-pkix.example.test.\n\
         plain IN MX 10 mx-plain.example.test.\n\
         mx-good IN A 127.0.0.1\nmx-bad IN A 127.0.0.1\nmx-ta IN A 127.0.0.1\n\
         mx-pkix IN A 127.0.0.1\nmx-plain IN A 127.0.0.1\n\
         _25._tcp.mx-good IN TLSA 3 1 1 {good_hex}\n\
         _25._tcp.mx-bad IN TLSA 3 1 1 {wrong_hex}\n\
         _25._tcp.mx-ta IN TLSA 2 0 1 {ca_hash}\n\
         _25._tcp.mx-pkix IN TLSA 1 1 1 {good_hex}\n\
         _mta-sts.good IN TXT \"v=STSv1; id=one\"\n\
         _mta-sts.plain IN TXT \"v=STSv1; id=one\"\n"
    );
    let expired_zone = format!(
        "$ORIGIN expired.test.\n$TTL 300\n\
         @ IN SOA ns.expired.test. hostmaster.expired.test. 1 3600 600 86400 300\n\
         @ IN NS ns.expired.test.\nns IN A 127.0.0.1\n@ IN MX 10 mx.expired.test.\n\
         mx IN A 127.0.0.1\n_25._tcp.mx IN TLSA 3 1 1 {good_hex}\n"
    );
    let mut anchors = sign(dir.path(), "example.test", &zone, false);
    anchors.push('\n');
    anchors.push_str(&sign(dir.path(), "expired.test", &expired_zone, true));
    std::fs::write(dir.path().join("anchors.key"), &anchors).unwrap();
    let nsd = start_nsd(dir.path(), &["example.test", "expired.test"]);

    let dns = Arc::new(
        HickoryPolicyDns::new(&[nsd.addr], Some(&dir.path().join("anchors.key"))).unwrap(),
    );
    // The raw answers first.
    assert!(matches!(
        dns.secure_mx("good.example.test").await,
        Dnssec::Secure(h) if h == ["mx-good.example.test"]
    ));
    let tlsa = dns.tlsa("mx-good.example.test", 25).await;
    assert!(
        matches!(&tlsa, Dnssec::Secure(t) if t.len() == 1 && t[0].usage == 3),
        "{tlsa:?}"
    );
    let bogus = dns.tlsa("mx.expired.test", 25).await;
    assert!(
        matches!(bogus, Dnssec::Bogus(_) | Dnssec::Failed(_)),
        "{bogus:?}"
    );

    let policy = TlsPolicy::new(
        &Config::from_toml("[tls]\nmta_sts = false\n").unwrap().tls,
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
            clock: ManualClock::at(1_800_000_000_000),
            mx_roots: mozilla_roots(),
        },
    )
    .unwrap();

    // 3 1 1 matching a self-signed, expired, wrongly named certificate: verified (§3.1.1).
    let plan = policy.plan(&d("good.example.test"), None).await.unwrap();
    assert!(matches!(
        plan.dane.get("mx-good.example.test"),
        Some(DaneState::Usable(_))
    ));
    let mx = plan.mx_plan("mx-good.example.test", RouteKind::Mx).unwrap();
    assert_eq!(mx.level, TlsLevel::DaneOnly);
    assert!(!mx.plaintext_allowed && mx.skip.is_none());
    let addr = tls_server(vec![good_cert.clone()], good_key).await;
    handshake(mx.tls.clone(), "mx-good.example.test", addr)
        .await
        .unwrap();
    assert_eq!(
        mx.achieved(Some(std::slice::from_ref(&good_cert))),
        Achieved::DaneVerified
    );
    assert!(!mx.webpki_ok(&[good_cert]));
    assert_eq!(mx.judge(Achieved::DaneVerified), Verdict::Send);
    assert!(matches!(
        mx.judge(Achieved::Verified),
        Verdict::Unmet(Unmet::Defer { .. })
    ));

    // TLSA that matches nothing: the handshake is refused, and plaintext is never allowed.
    let plan = policy.plan(&d("bad.example.test"), None).await.unwrap();
    let mx = plan.mx_plan("mx-bad.example.test", RouteKind::Mx).unwrap();
    let addr = tls_server(vec![bad_cert], bad_key).await;
    let err = handshake(mx.tls.clone(), "mx-bad.example.test", addr)
        .await
        .unwrap_err();
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert!(!mx.plaintext_allowed);
    assert!(matches!(
        mx.judge(Achieved::Plaintext),
        Verdict::Unmet(Unmet::Defer { .. })
    ));

    // DANE-TA 2 0 1 on the CA: the chain to it and the MX name are checked.
    let plan = policy.plan(&d("ta.example.test"), None).await.unwrap();
    let mx = plan.mx_plan("mx-ta.example.test", RouteKind::Mx).unwrap();
    let addr = tls_server(ta_chain, ta_key).await;
    handshake(mx.tls.clone(), "mx-ta.example.test", addr)
        .await
        .unwrap();
    let err = handshake(mx.tls.clone(), "other.example.test", addr)
        .await
        .unwrap_err();
    assert!(err.to_lowercase().contains("certificate"), "{err}");

    // Only an unusable record (PKIX-EE): TLS mandatory, any certificate.
    let plan = policy.plan(&d("pkix.example.test"), None).await.unwrap();
    assert_eq!(
        plan.dane.get("mx-pkix.example.test"),
        Some(&DaneState::Unusable)
    );
    let mx = plan.mx_plan("mx-pkix.example.test", RouteKind::Mx).unwrap();
    assert_eq!(mx.level, TlsLevel::Encrypt);
    assert!(!mx.plaintext_allowed);
    assert_eq!(mx.judge(Achieved::Encrypted), Verdict::Send);
    assert_eq!(
        mx.achieved(Some(std::slice::from_ref(&ca.der))),
        Achieved::Encrypted
    );
    assert_eq!(mx.achieved(None), Achieved::Plaintext);

    // Secure MX without TLSA: DANE does not apply.
    let plan = policy.plan(&d("plain.example.test"), None).await.unwrap();
    assert_eq!(
        plan.dane.get("mx-plain.example.test"),
        Some(&DaneState::None)
    );
    let mx = plan
        .mx_plan("mx-plain.example.test", RouteKind::Mx)
        .unwrap();
    assert!(mx.plaintext_allowed);

    // Expired signatures: bogus → every MX host skipped (deferred), never plaintext.
    let plan = policy.plan(&d("expired.test"), None).await.unwrap();
    assert!(plan.mx_dnssec_failure.is_some());
    let mx = plan.mx_plan("mx.expired.test", RouteKind::Mx).unwrap();
    assert!(matches!(mx.skip, Some(Unmet::Defer { .. })), "{mx:?}");
    // …and is reported as dnssec-invalid (TLS-RPT).
    policy.record_skipped(&plan, &mx);
    let sub = Submitter {
        organization: "o".into(),
        contact: "c".into(),
        domain: d("gw.example.org"),
    };
    let reports = policy.reports(1_800_000_000 / 86_400, &sub);
    let expired = reports
        .iter()
        .find(|r| r.policy_domain == Some(d("expired.test")))
        .unwrap();
    assert_eq!(
        expired.policies[0].failures[0].result_type,
        FailureKind::DnssecInvalid
    );

    // The same zone through `TlsPolicy::from_config` and the `[tls.testing]` overrides (trust
    // anchor, MTA-STS address and CA): an enforce policy listing neither MX host. DANE wins
    // over MTA-STS for the host with usable TLSA; the other host is skipped (deferred).
    let sts_ca = TestCa::new("MTA-STS test CA");
    std::fs::write(dir.path().join("sts-ca.pem"), &sts_ca.pem).unwrap();
    let (c, k) = sts_ca.leaf(&["mta-sts.good.example.test", "mta-sts.plain.example.test"]);
    let https = HttpsServer::start(
        c,
        k,
        Answer::policy("version: STSv1\nmode: enforce\nmx: other.example.test\nmax_age: 600\n"),
    )
    .await;
    let toml = format!(
        "[tls]\n[tls.testing]\ntrust_anchor = \"{}\"\nmta_sts_address = \"{}\"\nmta_sts_ca = \"{}\"\n",
        dir.path().join("anchors.key").display(),
        https.addr,
        dir.path().join("sts-ca.pem").display()
    );
    let configured = TlsPolicy::from_config(
        &Config::from_toml(&toml).unwrap().tls,
        &[nsd.addr],
        Deps {
            pins: Arc::new(MemPins::default()),
            sts_cache: Arc::new(MemSts::default()),
            clock: ManualClock::at(1_800_000_000_000),
            mx_roots: mozilla_roots(),
        },
    )
    .unwrap()
    // The rig's policy host is on loopback.
    .with_destination_guard(sealgate_core::DestinationGuard::permissive());
    let plan = configured
        .plan(&d("good.example.test"), None)
        .await
        .unwrap();
    assert!(
        plan.explain().contains("mta-sts: id one mode enforce"),
        "{}",
        plan.explain()
    );
    let mx = plan.mx_plan("mx-good.example.test", RouteKind::Mx).unwrap();
    assert!(mx.skip.is_none(), "DANE wins over MTA-STS");
    assert_eq!(mx.level, TlsLevel::DaneOnly);
    let plan = configured
        .plan(&d("plain.example.test"), None)
        .await
        .unwrap();
    assert!(!plan.mx_allowed("mx-plain.example.test"));
    let mx = plan
        .mx_plan("mx-plain.example.test", RouteKind::Mx)
        .unwrap();
    assert!(matches!(mx.skip, Some(Unmet::Defer { .. })));
    assert_eq!(https.count(), 2);
    drop(nsd);
}
