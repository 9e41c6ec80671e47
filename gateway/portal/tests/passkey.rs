//! Passkeys in a real Chromium (Debian's, driven by Playwright through
//! `tests/support/portal-passkey.py`) with CDP's virtual authenticator.
//!
//! Two tenants share one portal process: tenant `alpha` at `http://a.localhost:PORT` and
//! `beta` at `http://b.localhost:PORT` (both loopback, so secure contexts; Chromium maps
//! `*.localhost` to 127.0.0.1). One address gets two messages from alpha and one from beta.
//! Checks: after a code login the message page offers a passkey and registers one for
//! `a.localhost`; alpha's second message opens with the passkey alone (no code mailed);
//! beta's message offers no passkey and refuses a challenge, and Chromium refuses alpha's
//! relying party on beta's origin; the recipient lists and removes the passkey, and the code
//! step is back; axe-core finds nothing serious on the new pages; screenshots at 320 px land
//! in `target/portal-artifacts/`. Then, from the store: the events were recorded and counted
//! by the observer (the gateway's metrics), and an administrator's removal works.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::{Clock, SystemClock};
use sealgate_portal::passkey::RelyingParty;
use sealgate_portal::{
    Brand, CodePolicy, Deposit, EscrowRecord, EscrowStore, KeyMode, MailFuture, NewEscrow,
    PortalEventKind, PortalMail, WebConfig,
};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CANARY: &str = "078-05-1120";

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

fn message() -> Vec<u8> {
    format!(
        "From: Dr Avery <avery@clinic.example>\r\nTo: pat@home.example\r\nSubject: Lab results\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPatient SSN {CANARY}. Results normal.\r\n"
    )
    .into_bytes()
}

fn brand(name: &str) -> Brand {
    Brand {
        name: name.into(),
        help: "Questions? Call 555-0100.".into(),
        ..Brand::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkeys_in_chromium() {
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "Debian chromium is missing: run tests/support/install-tools.sh"
    );
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let keys = Arc::new(MasterKeys::generate("k1", &OsRandom).unwrap());
    let store =
        Arc::new(EscrowStore::open(dir.path(), keys, clock.clone(), Arc::new(OsRandom)).unwrap());
    let counted: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let seen = counted.clone();
    store.set_observer(Arc::new(move |tenant: &str, kind: &PortalEventKind| {
        seen.lock()
            .unwrap()
            .push((tenant.to_string(), kind.name().to_string()));
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (a, b) = (
        format!("http://a.localhost:{port}"),
        format!("http://b.localhost:{port}"),
    );
    let codes = dir.path().join("codes.txt");
    let config = WebConfig {
        origins: vec![a.clone(), b.clone()],
        brands: HashMap::from([
            ("alpha".to_string(), brand("Alpha Clinic")),
            ("beta".to_string(), brand("Beta Hospital")),
        ]),
        default_brand: brand("Secure mail"),
        idle: Duration::from_secs(900),
        codes: CodePolicy::default(),
    };
    let rps = HashMap::from([
        (
            "alpha".to_string(),
            RelyingParty::from_base_url(&a).unwrap(),
        ),
        ("beta".to_string(), RelyingParty::from_base_url(&b).unwrap()),
    ]);
    let app = sealgate_portal::router_with_passkeys(
        store.clone(),
        Arc::new(CodeFile(codes.clone())),
        config,
        clock.clone(),
        Arc::new(OsRandom),
        rps,
    );
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });

    let deposit = |tenant: &str| {
        store
            .deposit(NewEscrow {
                message_id: MessageId::generate(clock.now(), &OsRandom),
                recipient_index: 0,
                recipient: Address::parse("Pat@Home.example").unwrap(),
                tenant,
                key_mode: KeyMode::Link,
                expires: clock.now().plus(Duration::from_secs(86_400)),
                raw: &message(),
                max_attachment: 1 << 20,
            })
            .unwrap()
    };
    let link =
        |base: &str, d: &Deposit| format!("{base}/m/{}#{}", d.id, &*d.link_half.to_fragment());
    let (a1, a2, b1) = (deposit("alpha"), deposit("alpha"), deposit("beta"));

    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/portal-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let cfg = serde_json::json!({
        "a": a, "b": b,
        "links": {"a1": link(&a, &a1), "a2": link(&a, &a2), "b1": link(&b, &b1)},
        "codes": codes,
        "artifacts": artifacts,
        "canary": CANARY,
    });
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/support/portal-passkey.py");
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
        findings["steps"],
        serde_json::json!([
            "registered",
            "opened-with-passkey",
            "tenant-b-refused",
            "removed",
            "code-again",
            "spanish"
        ])
    );
    assert_eq!(findings["credential_rp"], "a.localhost");
    assert_eq!(findings["cross_tenant"]["browser"], "SecurityError");
    for page in [
        "message-offer",
        "link-passkey",
        "passkey-list",
        "passkey-list-empty",
    ] {
        assert!(findings["pages"][page].is_object(), "axe ran on {page}");
    }
    for shot in [
        "passkey-offer-320.png",
        "passkey-link-320.png",
        "passkey-list-320.png",
    ] {
        assert!(artifacts.join(shot).exists(), "{shot}");
    }

    // The events, on the copies they happened to, and counted for their tenant.
    let kinds = |d: &Deposit| -> Vec<&'static str> {
        store
            .events(d.id)
            .unwrap()
            .into_iter()
            .map(|e| e.kind.name())
            .collect()
    };
    assert!(
        kinds(&a1).contains(&"passkey-registered"),
        "{:?}",
        kinds(&a1)
    );
    let k2 = kinds(&a2);
    assert!(
        k2.contains(&"passkey-used") && k2.contains(&"passkey-removed"),
        "{k2:?}"
    );
    let used = k2.iter().position(|k| *k == "passkey-used").unwrap();
    assert!(
        !k2[..used].contains(&"code-sent"),
        "a2 opened with no code before the passkey: {k2:?}"
    );
    assert!(!kinds(&b1).iter().any(|k| k.starts_with("passkey")));
    let counted = counted.lock().unwrap().clone();
    for kind in ["passkey-registered", "passkey-used", "passkey-removed"] {
        assert!(
            counted.contains(&("alpha".into(), kind.into())),
            "{kind} counted for alpha: {counted:?}"
        );
    }
    assert!(store.list_passkeys(None, None).unwrap().is_empty());
}
