//! The portal in a real Chromium (Debian's, driven by Playwright from PyPI through
//! `tests/support/portal-browser.py`), with axe-core from `axe-playwright-python`.
//!
//! The portal runs in this process on 127.0.0.1:0 and Chromium opens it as `http://localhost`
//! (a secure context). Codes the portal mails are appended to a file the driver polls. Checks:
//! keyboard-only flow from link to attachment (byte-identical), hostile mail (no dialog, no
//! request outside the portal origin, the HTML attachment only downloads), withdrawn and
//! expired pages, axe-core without serious or critical violations on every page — with the
//! tenant branded (colours, an SVG logo served from the portal origin, an intro) —, cookie
//! flags, screenshots at 320 px and 1280 px under `target/portal-artifacts/`.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::{Clock, Timestamp};
use sealgate_portal::{
    Actor, Brand, CodePolicy, EscrowRecord, EscrowStore, KeyMode, Logo, MailFuture, NewEscrow,
    PortalMail, WebConfig,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const CANARY: &str = "078-05-1120";
const INTRO: &str = "Riverside Clinic sends test results through secure mail.";
const LOGO_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" height=\"48\" \
viewBox=\"0 0 96 48\"><rect width=\"96\" height=\"48\" rx=\"6\" fill=\"#ffffff\"/>\
<circle cx=\"24\" cy=\"24\" r=\"14\" fill=\"#0b5394\"/><text x=\"44\" y=\"31\" \
font-size=\"20\" fill=\"#0b5394\">RC</text></svg>";
const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

struct TestClock(AtomicU64);
impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

/// Appends "<escrow> <code>" lines for the driver to read.
struct CodeFile(PathBuf);
impl PortalMail for CodeFile {
    fn send_code<'a>(&'a self, record: &'a EscrowRecord, code: &'a str) -> MailFuture<'a> {
        let line = format!("{} {code}\n", record.id);
        let path = self.0.clone();
        Box::pin(async move {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| sealgate_portal::PortalError::Io(e.to_string()))?;
            f.write_all(line.as_bytes())
                .map_err(|e| sealgate_portal::PortalError::Io(e.to_string()))
        })
    }
    fn ask_sender<'a>(&'a self, _record: &'a EscrowRecord) -> MailFuture<'a> {
        Box::pin(async { Ok(()) })
    }
}

fn b64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn normal() -> Vec<u8> {
    format!(
        "From: Dr Avery <avery@clinic.example>\r\nTo: pat@home.example\r\nSubject: Lab results\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<h2>Results</h2><p>Patient SSN {CANARY}. \
Your results are normal.</p>\r\n\
--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"results.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        b64(PDF)
    )
    .into_bytes()
}

fn hostile() -> Vec<u8> {
    format!(
        "From: x@clinic.example\r\nTo: pat@home.example\r\nSubject: hi\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\nContent-Type: text/html\r\n\r\n\
<style>@import url(http://127.0.0.2:9/css); body{{background:url(http://127.0.0.2:9/bg)}}</style>\
<script>alert('script')</script><p>Hostile {CANARY}</p><img src=x onerror=\"alert('onerror')\">\
<img src=\"http://127.0.0.2:9/pixel.gif\"><a href=\"javascript:alert('js')\">click</a>\
<svg onload=\"alert('svg')\"><script>alert('svg script')</script></svg>\
<iframe src=\"http://127.0.0.2:9/frame\"></iframe><link rel=stylesheet href=\"http://127.0.0.2:9/l.css\">\r\n\
--o\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=\"page.html\"\r\n\r\n\
<script>alert('attachment')</script>\r\n--o--\r\n"
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_in_chromium() {
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "Debian chromium is missing: run tests/support/install-tools.sh"
    );
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(TestClock(AtomicU64::new(1_796_256_000_000)));
    let keys = Arc::new(MasterKeys::generate("k1", &OsRandom).unwrap());
    let store =
        Arc::new(EscrowStore::open(dir.path(), keys, clock.clone(), Arc::new(OsRandom)).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let codes = dir.path().join("codes.txt");
    let config = WebConfig {
        origins: vec![base.clone()],
        brands: HashMap::from([(
            "clinic".to_string(),
            // A branded tenant: axe must still pass with its colours, logo and intro.
            Brand {
                name: "Riverside Clinic".into(),
                help: "Questions? Call 555-0100, Monday to Friday.".into(),
                intro: INTRO.into(),
                logo: Some(Logo::from_bytes(LOGO_SVG.as_bytes().to_vec()).unwrap()),
                colours: Some(([0x0b, 0x53, 0x94], [0xff, 0xff, 0xff])),
                ..Brand::default()
            },
        )]),
        default_brand: Brand {
            name: "Secure mail".into(),
            help: String::new(),
            ..Brand::default()
        },
        idle: Duration::from_secs(900),
        codes: CodePolicy::default(),
    };
    let app = sealgate_portal::router(
        store.clone(),
        Arc::new(CodeFile(codes.clone())),
        config,
        clock.clone(),
        Arc::new(OsRandom),
    );
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });

    let deposit = |raw: &[u8], expires: Duration| {
        store
            .deposit(NewEscrow {
                message_id: MessageId::generate(clock.now(), &OsRandom),
                recipient_index: 0,
                recipient: Address::parse("pat@home.example").unwrap(),
                tenant: "clinic",
                key_mode: KeyMode::Link,
                expires: clock.now().plus(expires),
                raw,
                max_attachment: 1 << 20,
            })
            .unwrap()
    };
    let link =
        |d: &sealgate_portal::Deposit| format!("{base}/m/{}#{}", d.id, &*d.link_half.to_fragment());
    let month = Duration::from_secs(30 * 86_400);
    let (n, h, r, e) = (
        deposit(&normal(), month),
        deposit(&hostile(), month),
        deposit(&normal(), month),
        deposit(&normal(), Duration::from_secs(60)),
    );
    store.revoke(r.id, Actor::Admin).unwrap();
    clock.0.fetch_add(60_000, Ordering::SeqCst);

    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/portal-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let cfg = serde_json::json!({
        "base": base,
        "links": {"normal": link(&n), "hostile": link(&h), "revoked": link(&r), "expired": link(&e)},
        "codes": codes,
        "artifacts": artifacts,
        "attachment_sha256": hex::encode(Sha256::digest(PDF)),
        "canary": CANARY,
        "brand": {"background": "rgb(11, 83, 148)", "intro": INTRO},
    });
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/support/portal-browser.py");
    let arg = cfg.to_string();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(script)
            .arg(arg)
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "browser checks failed: {stdout}");
    let findings: serde_json::Value =
        serde_json::from_str(stdout.trim().lines().last().unwrap()).unwrap();
    assert_eq!(
        findings["pages"].as_object().unwrap().len(),
        5,
        "axe ran on link, code, message, revoked, expired"
    );
    assert_eq!(findings["download"]["bytes"], PDF.len());
    assert_eq!(
        findings["brand"]["background"], "rgb(11, 83, 148)",
        "the branded header: {findings}"
    );
    assert!(
        findings["hostile"]["outside"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let events: Vec<_> = store
        .events(n.id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind.name())
        .collect();
    assert!(
        events.contains(&"viewed") && events.contains(&"attachment-downloaded"),
        "{events:?}"
    );
}
