//! An HTTPS MTA-STS policy server (RFC 8461 §3.2) on 127.0.0.1:0: rustls with a certificate
//! from the test CA, answering `GET /.well-known/mta-sts.txt` with the policy set for the
//! request's `Host` (`mta-sts.DOMAIN`), `text/plain`; anything else is a 404. The gateway is
//! pointed at it with `[tls.testing] mta_sts_address` and `mta_sts_ca`.
//!
//! Guarantees: loopback only; `start` returns once the listener is bound; every request is
//! recorded (host and path) for the test to count; the server stops when dropped.

use crate::OrDie;
use crate::certs::CertFiles;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A policy text: `version: STSv1`, `mode`, one `mx:` line per pattern, `max_age`.
pub fn policy(mode: &str, mx: &[&str], max_age: u64) -> String {
    let mut p = format!("version: STSv1\nmode: {mode}\n");
    for m in mx {
        p.push_str(&format!("mx: {m}\n"));
    }
    p.push_str(&format!("max_age: {max_age}\n"));
    p
}

type Shared<T> = Arc<Mutex<T>>;

/// A running policy server.
pub struct StsServer {
    /// Where it listens.
    pub addr: SocketAddr,
    policies: Shared<HashMap<String, String>>,
    requests: Shared<Vec<(String, String)>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl StsServer {
    /// Serves `policies` (policy domain → policy text) with `cert` (its names must cover
    /// `mta-sts.DOMAIN` of each domain).
    pub fn start(cert: &CertFiles, policies: &[(String, String)]) -> StsServer {
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .or_die("TLS versions")
        .with_no_client_auth()
        .with_single_cert(cert.chain.clone(), cert.key_der())
        .or_die("MTA-STS server certificate");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let map: HashMap<String, String> = policies
            .iter()
            .map(|(d, p)| (format!("mta-sts.{}", d.to_ascii_lowercase()), p.clone()))
            .collect();
        let policies = Arc::new(Mutex::new(map));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (Arc::clone(&policies), Arc::clone(&requests));
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .or_die("MTA-STS server runtime");
            rt.block_on(async move {
                let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .or_die("bind MTA-STS server");
                let _ = ready_tx.send(l.local_addr().or_die("address"));
                let serve = async {
                    while let Ok((tcp, _)) = l.accept().await {
                        let (a, p, r) = (acceptor.clone(), Arc::clone(&p), Arc::clone(&r));
                        tokio::spawn(async move {
                            if let Ok(tls) = a.accept(tcp).await {
                                answer(tls, &p, &r).await;
                            }
                        });
                    }
                };
                tokio::select! {
                    _ = serve => {}
                    _ = stop_rx => {}
                }
            });
        });
        let addr = ready_rx
            .recv_timeout(Duration::from_secs(30))
            .or_die("MTA-STS server did not start");
        StsServer {
            addr,
            policies,
            requests,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Replaces (or adds) the policy of `domain`.
    pub fn set(&self, domain: &str, text: &str) {
        if let Ok(mut m) = self.policies.lock() {
            m.insert(
                format!("mta-sts.{}", domain.to_ascii_lowercase()),
                text.into(),
            );
        }
    }

    /// `(host, path)` of every request so far.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.requests.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

async fn answer<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut s: S,
    policies: &Mutex<HashMap<String, String>>,
    requests: &Mutex<Vec<(String, String)>>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        match tokio::time::timeout(Duration::from_secs(10), s.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let path = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("")
        .to_string();
    let host = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case("host").then(|| v.trim())
        })
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if let Ok(mut r) = requests.lock() {
        r.push((host.clone(), path.clone()));
    }
    let body = policies.lock().ok().and_then(|m| m.get(&host).cloned());
    let (status, body) = match body {
        Some(b) if path == "/.well-known/mta-sts.txt" => ("200 OK", b),
        _ => ("404 Not Found", "no policy here\n".to_string()),
    };
    let out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = s.write_all(out.as_bytes()).await;
    let _ = s.shutdown().await;
}

impl Drop for StsServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
