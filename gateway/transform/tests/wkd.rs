//! WKD discovery against a local HTTPS directory (tokio-rustls on 127.0.0.1, certificate from a
//! test CA made with `openssl`), serving a gpg-made key at the path gpg's own
//! `--with-wkd-hash` names; the discovered key's copy then decrypts with gpg.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic as test failures

mod support;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sealgate_core::store::KeyStore;
use sealgate_core::{Address, Body, Clock, Decision, Method, Requirement, SystemClock};
use sealgate_transform::wkd::{Discovery, Wkd};
use sealgate_transform::{
    Hop, Outcome, Problem, Protection, Request, Skip, SmimeTrust, TlsCapability, Transformer,
    TrustLevel,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::{GpgHome, MemKeys, Pki, same_parts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HOSTS: [&str; 2] = ["openpgpkey.clinic.example", "clinic.example"];

struct Directory {
    port: u16,
    hits: Arc<AtomicUsize>,
    ca: Vec<u8>,
    _pki: Pki,
}

/// Serves `routes` ((host, path without query) → body) over HTTPS; anything else is 404.
async fn directory(routes: HashMap<(String, String), Vec<u8>>) -> Directory {
    let pki = Pki::new();
    std::fs::write(
        pki.path("web.ext"),
        format!(
            "subjectAltName=DNS:{},DNS:{}\nextendedKeyUsage=serverAuth\n",
            HOSTS[0], HOSTS[1]
        ),
    )
    .unwrap();
    support::ok(
        &mut pki.openssl(&[
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "web.key", "-out", "web.csr",
            "-subj", "/CN=web",
        ]),
        b"",
    );
    support::ok(
        &mut pki.openssl(&[
            "x509",
            "-req",
            "-in",
            "web.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "web.pem",
            "-days",
            "2",
            "-extfile",
            "web.ext",
        ]),
        b"",
    );
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pki.read("web.pem"))
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(&pki.read("web.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let (routes, counter) = (Arc::new(routes), hits.clone());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let (acceptor, routes, counter) = (acceptor.clone(), routes.clone(), counter.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut req = Vec::new();
                let mut buf = [0u8; 4096];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let text = String::from_utf8_lossy(&req).to_string();
                let path = text
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("")
                    .split('?')
                    .next()
                    .unwrap_or("")
                    .to_string();
                let host = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("host:")
                            .map(|h| h.trim().to_string())
                    })
                    .unwrap_or_default();
                let host = host.split(':').next().unwrap_or("").to_string();
                let (status, body) = match routes.get(&(host, path)) {
                    Some(b) => ("200 OK", b.clone()),
                    None => ("404 Not Found", b"not found".to_vec()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(head.as_bytes()).await;
                let _ = tls.write_all(&body).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    let ca = pki.read("ca.pem");
    Directory {
        port,
        hits,
        ca,
        _pki: pki,
    }
}

/// The WKD hash gpg computes for the key's user id (`gpg --with-wkd-hash`).
fn gpg_wkd_hash(home: &GpgHome, domain: &str) -> String {
    let out = support::ok(&mut home.gpg(&["--with-wkd-hash", "--list-keys"]), b"");
    let text = String::from_utf8(out).unwrap();
    text.lines()
        .map(str::trim)
        .find(|l| l.ends_with(&format!("@{domain}")) && !l.contains('<'))
        .and_then(|l| l.split('@').next())
        .unwrap()
        .to_string()
}

fn client(d: &Directory) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&d.ca).unwrap()])
        .https_only(true);
    for h in HOSTS {
        b = b.resolve(h, ([127, 0, 0, 1], d.port).into());
    }
    b.build().unwrap()
}

async fn discovered_key_decrypts(advanced: bool) {
    let home = GpgHome::generate(
        "Pat <Pat.Doe@clinic.example>",
        "future-default",
        "default",
        "never",
    );
    let hash = gpg_wkd_hash(&home, "clinic.example");
    let key = support::ok(&mut home.gpg(&["--export"]), b"");
    let route = if advanced {
        (
            HOSTS[0].to_string(),
            format!("/.well-known/openpgpkey/clinic.example/hu/{hash}"),
        )
    } else {
        (
            HOSTS[1].to_string(),
            format!("/.well-known/openpgpkey/hu/{hash}"),
        )
    };
    let d = directory(HashMap::from([(route, key)])).await;
    let store = Arc::new(MemKeys::default());
    let wkd = Wkd::new(client(&d)).with_port(d.port);
    let addr = Address::parse("Pat.Doe@clinic.example").unwrap();
    let now = SystemClock.now();
    let found = wkd.discover(store.clone(), &addr, now).await.unwrap();
    assert_eq!(
        found,
        Discovery::Found {
            fingerprint: home.fingerprint()
        }
    );
    assert_eq!(d.hits.load(Ordering::SeqCst), if advanced { 1 } else { 2 });

    // The store is the cache: no second fetch.
    let again = wkd.discover(store.clone(), &addr, now).await.unwrap();
    assert_eq!(
        again,
        Discovery::Cached {
            fingerprint: home.fingerprint()
        }
    );
    assert_eq!(d.hits.load(Ordering::SeqCst), if advanced { 1 } else { 2 });

    let t = Transformer::new(store.clone(), SmimeTrust::system().unwrap());
    let original = support_message();
    let body: Body = original.clone().into();
    let decision = Decision::default();
    let req = Requirement::Encrypt {
        chain: vec![Method::Pgp, Method::Hold],
        min_key_trust: sealgate_core::KeyTrust::Discovered,
    };
    let hop = Hop {
        tls: TlsCapability::PlaintextOnly,
        size_limit: None,
        failed: vec![],
    };
    let mut r = Request {
        body: &body,
        decision: &decision,
        recipient: &addr,
        requirement: Some(&req),
        min_trust: TrustLevel::Discovered,
        now,
    };
    let p = t.protect(&r, &hop).unwrap();
    let Outcome::Send {
        body: copy,
        protection: Protection::Pgp { .. },
    } = &p.outcome
    else {
        panic!("not a PGP copy: {p:?}");
    };
    let inner = home.pgpmime_decrypt(copy).expect("gpg decrypts");
    assert_eq!(same_parts(&original, &inner), "Results");

    // A rule that wants verified keys does not take a discovered one.
    r.min_trust = TrustLevel::Verified;
    let p = t.protect(&r, &hop).unwrap();
    assert_eq!(p.outcome, Outcome::Hold);
    assert!(matches!(&p.skipped[0].reason, Skip::NoUsableKey { keys }
        if keys[0].problem == Problem::BelowTrust { have: TrustLevel::Discovered, need: TrustLevel::Verified }));
    assert_eq!(
        store
            .list(sealgate_core::store::KeyKind::OpenPgp)
            .unwrap()
            .len(),
        1
    );
}

fn support_message() -> Vec<u8> {
    b"From: a@acme-health.org\r\nTo: Pat.Doe@clinic.example\r\nSubject: Results\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour results are in.\r\n".to_vec()
}

#[tokio::test]
async fn advanced_method_finds_the_key_and_the_copy_decrypts() {
    discovered_key_decrypts(true).await;
}

#[tokio::test]
async fn direct_method_is_tried_when_the_advanced_one_has_nothing() {
    discovered_key_decrypts(false).await;
}

#[tokio::test]
async fn a_key_for_another_address_is_refused_and_the_miss_remembered() {
    let home = GpgHome::generate(
        "Other <other@clinic.example>",
        "future-default",
        "default",
        "never",
    );
    let key = support::ok(&mut home.gpg(&["--export"]), b"");
    let addr = Address::parse("pat@clinic.example").unwrap();
    let hash = sealgate_transform::wkd::wkd_hash("pat");
    let route = (
        HOSTS[0].to_string(),
        format!("/.well-known/openpgpkey/clinic.example/hu/{hash}"),
    );
    let d = directory(HashMap::from([(route, key)])).await;
    let store = Arc::new(MemKeys::default());
    let wkd = Wkd::new(client(&d)).with_port(d.port);
    let now = SystemClock.now();
    assert_eq!(
        wkd.discover(store.clone(), &addr, now).await.unwrap(),
        Discovery::NotFound
    );
    let hits = d.hits.load(Ordering::SeqCst);
    assert_eq!(hits, 2);
    assert_eq!(
        wkd.discover(store.clone(), &addr, now).await.unwrap(),
        Discovery::NotFound
    );
    assert_eq!(d.hits.load(Ordering::SeqCst), hits, "miss not remembered");
    assert!(
        store
            .list(sealgate_core::store::KeyKind::OpenPgp)
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_oversized_answer_is_not_read_or_stored() {
    let addr = Address::parse("big@clinic.example").unwrap();
    let hash = sealgate_transform::wkd::wkd_hash("big");
    let route = (
        HOSTS[0].to_string(),
        format!("/.well-known/openpgpkey/clinic.example/hu/{hash}"),
    );
    let d = directory(HashMap::from([(route, vec![0x99; 300 * 1024])])).await;
    let store = Arc::new(MemKeys::default());
    let wkd = Wkd::new(client(&d)).with_port(d.port);
    let got = wkd.discover(store.clone(), &addr, SystemClock.now()).await;
    assert_eq!(got.unwrap(), Discovery::NotFound);
    assert!(
        store
            .list(sealgate_core::store::KeyKind::OpenPgp)
            .unwrap()
            .is_empty()
    );
}

/// A gpg-made certificate (binary) with a User ID packet for `uid` appended by hand, bound by
/// no signature — what anyone can do to anyone's public key.
fn with_unbound_uid(home: &GpgHome, uid: &str) -> Vec<u8> {
    let mut key = support::ok(&mut home.gpg(&["--export"]), b"");
    let bytes = uid.as_bytes();
    assert!(bytes.len() < 192, "one-octet length");
    key.push(0xC0 | 13); // new-format header, tag 13 (User ID)
    key.push(bytes.len() as u8);
    key.extend_from_slice(bytes);
    // gpg itself sees the appended packet.
    let listed = support::ok(&mut home.gpg(&["--list-packets"]), &key);
    assert!(
        String::from_utf8_lossy(&listed).contains(uid),
        "the packet surgery failed"
    );
    key
}

/// Regression: an appended, unsigned user id made the key the victim's on import.
#[test]
fn an_unbound_user_id_is_ignored_on_import() {
    let home = GpgHome::generate(
        "Mallory <mallory@evil.example>",
        "future-default",
        "default",
        "never",
    );
    let key = with_unbound_uid(&home, "Victim <victim@clinic.example>");
    let store = MemKeys::default();
    let imported =
        sealgate_transform::keys::import(&store, &key, TrustLevel::Manual, SystemClock.now())
            .unwrap();
    assert_eq!(imported.addresses, ["mallory@evil.example"]);
    let kind = sealgate_core::store::KeyKind::OpenPgp;
    assert!(
        store
            .find(kind, "victim@clinic.example")
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.find(kind, "mallory@evil.example").unwrap().len(), 1);
}

/// Regression: a directory could serve a key whose only match is an unsigned user id.
#[tokio::test]
async fn an_unbound_user_id_is_ignored_by_wkd() {
    let home = GpgHome::generate(
        "Mallory <mallory@evil.example>",
        "future-default",
        "default",
        "never",
    );
    let key = with_unbound_uid(&home, "Pat <pat@clinic.example>");
    let hash = sealgate_transform::wkd::wkd_hash("pat");
    let route = (
        HOSTS[0].to_string(),
        format!("/.well-known/openpgpkey/clinic.example/hu/{hash}"),
    );
    let d = directory(HashMap::from([(route, key)])).await;
    let store = Arc::new(MemKeys::default());
    let wkd = Wkd::new(client(&d)).with_port(d.port);
    let addr = Address::parse("pat@clinic.example").unwrap();
    assert_eq!(
        wkd.discover(store.clone(), &addr, SystemClock.now())
            .await
            .unwrap(),
        Discovery::NotFound
    );
    assert!(
        d.hits.load(Ordering::SeqCst) >= 1,
        "the directory was asked"
    );
    assert!(
        store
            .list(sealgate_core::store::KeyKind::OpenPgp)
            .unwrap()
            .is_empty()
    );
}
