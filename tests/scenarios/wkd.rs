//! Acceptance (issue 6, WKD): a PHI message (the shipped rules' chain `tls-verified → pgp →
//! smime → hold`) to a recipient with **no key on file**, behind a plaintext-only next hop:
//! the deliver stage discovers the recipient's gpg-made key from a local HTTPS Web Key
//! Directory (rustls on 127.0.0.1, certificate from an openssl test CA; the gateway reaches it
//! through `[delivery.testing] wkd_address` / `wkd_ca`), serving the key at the path gpg's own
//! `--with-wkd-hash` names. The copy that arrives is PGP/MIME that `pgpmime-decrypt.py` (gpg
//! --batch) opens, `sealgate queue show` names the discovered key's fingerprint, and a second
//! message to the same recipient is served from the cache: the directory sees no new request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sealgate_tests::crypto::{GpgHome, Pki, without_leading_signatures};
use sealgate_tests::queue;
use sealgate_tests::receiver::Receiver;
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, run, sealgate};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(120);
const SSN: &str = "123-45-6789";
const DOMAIN: &str = "dest.test";
const HOSTS: [&str; 2] = ["openpgpkey.dest.test", "dest.test"];

fn phi_message(to: &str, msgid: &str) -> String {
    [
        "From: Alice <alice@acme-health.org>",
        &format!("To: <{to}>"),
        "Subject: lab results",
        &format!("Message-ID: {msgid}"),
        "Date: Tue, 01 Dec 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        &format!("Patient SSN {SSN}, results attached."),
        "",
    ]
    .join("\r\n")
}

fn send(gw: &Gateway, to: &str, message: &str) -> String {
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    let reply = s.send_mail("alice@acme-health.org", &[to], message);
    reply.expect(250, "2.0.0", "end of data");
    queued_id(&reply).unwrap()
}

fn openssl_ok(pki: &Pki, args: &[&str]) {
    let out = run(&mut pki.openssl(args), WAIT);
    assert!(out.status.success(), "openssl {args:?}: {}", describe(&out));
}

/// A local WKD: HTTPS on 127.0.0.1 (a certificate for both WKD hosts from the test CA);
/// serves `key` for (host, path without query) `route`, 404 for anything else; counts every
/// request it reads.
struct Directory {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<String>>>,
}

fn directory(pki: &Pki, route: (String, String), key: Vec<u8>) -> Directory {
    std::fs::write(
        pki.path("web.ext"),
        format!(
            "subjectAltName=DNS:{},DNS:{}\nextendedKeyUsage=serverAuth\n",
            HOSTS[0], HOSTS[1]
        ),
    )
    .unwrap();
    openssl_ok(
        pki,
        &[
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "web.key", "-out", "web.csr",
            "-subj", "/CN=wkd",
        ],
    );
    openssl_ok(
        pki,
        &[
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
        ],
    );
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(pki.path("web.pem"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let private = PrivateKeyDer::from_pem_file(pki.path("web.key")).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, private)
        .unwrap(),
    );
    let listener = TcpListener::bind((LOOPBACK, 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (counter, log, key) = (hits.clone(), seen.clone(), Arc::new(key));
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { return };
            let (config, counter, log, key, route) = (
                config.clone(),
                counter.clone(),
                log.clone(),
                key.clone(),
                route.clone(),
            );
            std::thread::spawn(move || {
                // A stuck client must not keep the thread forever (not a timing assumption).
                let _ = tcp.set_read_timeout(Some(WAIT));
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut req = Vec::new();
                let mut buf = [0u8; 4096];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf) {
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
                log.lock().unwrap().push(format!("{host}{path}"));
                let (status, body) = if (host, path) == route {
                    ("200 OK", key.to_vec())
                } else {
                    ("404 Not Found", b"not found".to_vec())
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(head.as_bytes());
                let _ = tls.write_all(&body);
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    Directory { addr, hits, seen }
}

/// The WKD hash gpg computes for the key's user id (`gpg --with-wkd-hash`).
fn gpg_wkd_hash(home: &GpgHome, domain: &str) -> String {
    let out = run(&mut home.gpg(&["--with-wkd-hash", "--list-keys"]), WAIT);
    assert!(out.status.success(), "gpg: {}", describe(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .map(str::trim)
        .find(|l| l.ends_with(&format!("@{domain}")) && !l.contains('<'))
        .and_then(|l| l.split('@').next())
        .unwrap_or_else(|| panic!("no WKD hash line in:\n{text}"))
        .to_string()
}

#[test]
fn a_key_discovered_by_wkd_encrypts_the_copy_and_the_cache_serves_the_next_message() {
    let env = Env::new();
    let pat = GpgHome::generate("Pat <pat@dest.test>");
    let hash = gpg_wkd_hash(&pat, DOMAIN);
    // Binary key, as a directory serves it (the advanced method's host and path).
    let key = run(&mut pat.gpg(&["--export"]), WAIT).stdout;
    assert!(!key.is_empty(), "gpg --export gave nothing");
    let pki = Pki::new();
    let wkd = directory(
        &pki,
        (
            HOSTS[0].to_string(),
            format!("/.well-known/openpgpkey/{DOMAIN}/hu/{hash}"),
        ),
        key,
    );

    // The recipient's next hop offers no STARTTLS: tls-verified fails, pgp is next.
    let mut dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
    let q = |p: &std::path::Path| serde_json::to_string(&p.to_string_lossy()).unwrap();
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        delivery: vec!["retry_schedule = [3600]".into(), "wkd = true".into()],
        extra: format!(
            "[delivery.routes]\n\"{DOMAIN}\" = \"{}\"\n\n[delivery.testing]\nnameservers = [\"127.0.0.1:9\"]\nwkd_address = \"{}\"\nwkd_ca = {}\n",
            dest.addr,
            wkd.addr,
            q(&pki.path("ca.pem"))
        ),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);

    // 1. No key on file: discovered, filed, used.
    let first = send(
        &gw,
        "pat@dest.test",
        &phi_message("pat@dest.test", "<wkd1@t>"),
    );
    let e = queue::wait_all(&gw, &env, &first, "delivered", WAIT);
    let copy = queue::attempts(&e).last().unwrap()["copy"].clone();
    assert_eq!(copy["protection"], "pgp", "{e}");
    assert!(
        copy["key"]
            .as_str()
            .unwrap_or_default()
            .contains(&pat.fingerprint()),
        "discovered key not recorded: {copy}"
    );
    let got = dest.wait_messages(1, WAIT, "pat's first copy");
    let bytes = got[0].bytes();
    assert!(!got[0].tls, "the hop was supposed to be plaintext");
    assert!(
        !String::from_utf8_lossy(&bytes).contains(SSN),
        "PHI in clear"
    );
    let inner = pat
        .pgpmime_decrypt(without_leading_signatures(&bytes))
        .unwrap_or_else(|e| panic!("gpg could not decrypt: {e}"));
    assert!(
        String::from_utf8_lossy(&inner).contains(&format!("Patient SSN {SSN}")),
        "decrypted text differs:\n{}",
        String::from_utf8_lossy(&inner)
    );
    let hits = wkd.hits.load(Ordering::SeqCst);
    assert_eq!(
        hits,
        1,
        "the advanced method answers at once: {:?}",
        wkd.seen.lock().unwrap()
    );

    let show = |id: &str| {
        let out = sealgate(&[
            "queue",
            "show",
            "--config",
            gw.config.to_str().unwrap(),
            "--admin",
            &gw.admin.to_string(),
            id,
        ]);
        assert!(out.status.success(), "queue show: {}", describe(&out));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let text = show(&first);
    assert!(
        text.contains(&format!("method pgp key openpgp {}", pat.fingerprint())),
        "{text}"
    );

    // 2. The same recipient again: the key store is the cache, the directory is not asked.
    let second = send(
        &gw,
        "pat@dest.test",
        &phi_message("pat@dest.test", "<wkd2@t>"),
    );
    let e = queue::wait_all(&gw, &env, &second, "delivered", WAIT);
    let copy = queue::attempts(&e).last().unwrap()["copy"].clone();
    assert_eq!(copy["protection"], "pgp", "{e}");
    let got = dest.wait_messages(2, WAIT, "pat's second copy");
    let inner = pat
        .pgpmime_decrypt(without_leading_signatures(&got[1].bytes()))
        .unwrap_or_else(|e| panic!("gpg could not decrypt the second copy: {e}"));
    assert!(String::from_utf8_lossy(&inner).contains(SSN));
    assert_eq!(
        wkd.hits.load(Ordering::SeqCst),
        hits,
        "the cached key was fetched again: {:?}",
        wkd.seen.lock().unwrap()
    );
    let text = show(&second);
    assert!(
        text.contains(&format!("method pgp key openpgp {}", pat.fingerprint())),
        "{text}"
    );

    // Discovery logs the recipient by pseudonym only.
    let log = gw.log_text();
    for line in log.lines().filter(|l| l.contains("WKD")) {
        assert!(!line.contains("pat@"), "address in clear: {line}");
    }
    assert!(
        log.contains("WKD: key discovered"),
        "no discovery logged:\n{log}"
    );
    assert!(gw.terminate().success());
    for m in dest.messages() {
        assert!(!String::from_utf8_lossy(&m.bytes()).contains(SSN));
    }
}
