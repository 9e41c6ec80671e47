//! Shared test parts: a manual clock, in-memory stores, a scripted TXT source, a test CA and
//! a one-response HTTPS server on 127.0.0.1:0.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sealgate_core::store::{Pin, PinStore, StoreError, StsCache, StsCacheEntry};
use sealgate_core::{Clock, Domain, Timestamp};
use sealgate_tlspolicy::TlsPolicyError;
use sealgate_tlspolicy::dane::Tlsa;
use sealgate_tlspolicy::dns::{DnsFuture, Dnssec, PolicyDns};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A clock the test moves.
#[derive(Default)]
pub struct ManualClock(pub AtomicU64);
impl ManualClock {
    pub fn at(ms: u64) -> Arc<ManualClock> {
        Arc::new(ManualClock(AtomicU64::new(ms)))
    }
    pub fn advance_secs(&self, s: u64) {
        self.0.fetch_add(s * 1000, Ordering::SeqCst);
    }
}
impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[derive(Default)]
pub struct MemPins(pub Mutex<HashMap<String, Pin>>);
impl PinStore for MemPins {
    fn put(&self, d: &Domain, p: &Pin) -> Result<(), StoreError> {
        self.0.lock().unwrap().insert(d.to_string(), p.clone());
        Ok(())
    }
    fn get(&self, d: &Domain, now: Timestamp) -> Result<Option<Pin>, StoreError> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .get(d.as_str())
            .filter(|p| p.expires > now)
            .cloned())
    }
    fn remove(&self, d: &Domain) -> Result<(), StoreError> {
        self.0.lock().unwrap().remove(d.as_str());
        Ok(())
    }
}

#[derive(Default)]
pub struct MemSts(pub Mutex<HashMap<String, StsCacheEntry>>);
impl StsCache for MemSts {
    fn put(&self, d: &Domain, e: &StsCacheEntry) -> Result<(), StoreError> {
        self.0.lock().unwrap().insert(d.to_string(), e.clone());
        Ok(())
    }
    fn get(&self, d: &Domain, now: Timestamp) -> Result<Option<StsCacheEntry>, StoreError> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .get(d.as_str())
            .filter(|e| e.expires > now)
            .cloned())
    }
    fn remove(&self, d: &Domain) -> Result<(), StoreError> {
        self.0.lock().unwrap().remove(d.as_str());
        Ok(())
    }
}

/// TXT answers set by the test; no MX/TLSA (DANE does not apply).
#[derive(Default)]
pub struct ScriptedDns {
    pub txt: Mutex<HashMap<String, Result<Vec<String>, String>>>,
}
impl ScriptedDns {
    pub fn set_txt(&self, name: &str, values: &[&str]) {
        self.txt.lock().unwrap().insert(
            name.to_string(),
            Ok(values.iter().map(|s| s.to_string()).collect()),
        );
    }
    pub fn fail_txt(&self, name: &str) {
        self.txt
            .lock()
            .unwrap()
            .insert(name.to_string(), Err("SERVFAIL".into()));
    }
}
impl PolicyDns for ScriptedDns {
    fn txt<'a>(&'a self, name: &'a str) -> DnsFuture<'a, Result<Vec<String>, TlsPolicyError>> {
        let a = self.txt.lock().unwrap().get(name).cloned();
        Box::pin(async move {
            match a {
                None => Ok(Vec::new()),
                Some(Ok(v)) => Ok(v),
                Some(Err(e)) => Err(TlsPolicyError::Dns(e)),
            }
        })
    }
    fn secure_mx<'a>(&'a self, _: &'a str) -> DnsFuture<'a, Dnssec<Vec<String>>> {
        Box::pin(async { Dnssec::NoRecords })
    }
    fn tlsa<'a>(&'a self, _: &'a str, _: u16) -> DnsFuture<'a, Dnssec<Vec<Tlsa>>> {
        Box::pin(async { Dnssec::NoRecords })
    }
}

/// A test certificate authority.
pub struct TestCa {
    pub issuer: Issuer<'static, KeyPair>,
    pub pem: String,
    pub der: CertificateDer<'static>,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name
            .push(rcgen::DnType::CommonName, name.to_string());
        let cert = p.self_signed(&key).unwrap();
        TestCa {
            pem: cert.pem(),
            der: cert.der().clone(),
            issuer: Issuer::new(p, key),
        }
    }

    /// A leaf for `names`, signed by this CA: (chain, key).
    pub fn leaf(&self, names: &[&str]) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let key = KeyPair::generate().unwrap();
        let p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
        let cert = p.signed_by(&key, &self.issuer).unwrap();
        (
            vec![cert.der().clone(), self.der.clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
    }
}

/// What the test HTTPS server answers.
#[derive(Clone)]
pub struct Answer {
    pub status: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn policy(text: &str) -> Answer {
        Answer {
            status: "200 OK",
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: text.as_bytes().to_vec(),
        }
    }
}

/// One request as received: (head, body).
pub type Request = (String, Vec<u8>);

/// An HTTPS server on 127.0.0.1:0 answering every request with the current [`Answer`].
pub struct HttpsServer {
    pub addr: std::net::SocketAddr,
    pub answer: Arc<Mutex<Answer>>,
    pub requests: Arc<AtomicUsize>,
    pub paths: Arc<Mutex<Vec<String>>>,
    /// (request head, body) of every request.
    pub bodies: Arc<Mutex<Vec<Request>>>,
}

impl HttpsServer {
    pub async fn start(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        answer: Answer,
    ) -> HttpsServer {
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let answer = Arc::new(Mutex::new(answer));
        let requests = Arc::new(AtomicUsize::new(0));
        let paths = Arc::new(Mutex::new(Vec::new()));
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let (a, r, p, b) = (
            answer.clone(),
            requests.clone(),
            paths.clone(),
            bodies.clone(),
        );
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (acceptor, a, r, p, b) =
                    (acceptor.clone(), a.clone(), r.clone(), p.clone(), b.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 1024];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    let head = String::from_utf8_lossy(&buf[..end]).to_string();
                    let len = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    while buf.len() < end + len {
                        match tls.read(&mut chunk).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    b.lock().unwrap().push((head.clone(), buf[end..].to_vec()));
                    r.fetch_add(1, Ordering::SeqCst);
                    let line = head.lines().next().unwrap_or("").to_string();
                    p.lock().unwrap().push(line);
                    let ans = a.lock().unwrap().clone();
                    let mut out = format!("HTTP/1.1 {}\r\n", ans.status);
                    for (k, v) in &ans.headers {
                        out.push_str(&format!("{k}: {v}\r\n"));
                    }
                    out.push_str(&format!(
                        "Content-Length: {}\r\nConnection: close\r\n\r\n",
                        ans.body.len()
                    ));
                    let _ = tls.write_all(out.as_bytes()).await;
                    let _ = tls.write_all(&ans.body).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        HttpsServer {
            addr,
            answer,
            requests,
            paths,
            bodies,
        }
    }

    pub fn set(&self, a: Answer) {
        *self.answer.lock().unwrap() = a;
    }

    pub fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

pub fn d(s: &str) -> Domain {
    Domain::parse(s).unwrap()
}
