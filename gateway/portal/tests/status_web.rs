//! The sender's status page over real HTTP (reqwest against the router on 127.0.0.1:0): a GET
//! changes nothing and shows nothing but "Continue" (whatever the token); the page needs the
//! POST guard; "Extend" asks the gateway for the new expiry; "Send the notification again"
//! only in `key_mode = "server"`, recorded as the sender's; a copy that is not the token's is
//! not found; a withdrawn copy offers no buttons.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::{Clock, Timestamp};
use sealgate_portal::{
    Actor, Brand, CodePolicy, EscrowId, EscrowRecord, EscrowStore, KeyMode, MailFuture, NewEscrow,
    PortalEventKind, PortalMail, WebConfig,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WEEK: u64 = 7 * 86_400_000;

struct TestClock(AtomicU64);
impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

/// The gateway side, collected: resends, and a week more per extend.
#[derive(Default)]
struct Gateway {
    resent: Mutex<Vec<String>>,
}

impl PortalMail for Gateway {
    fn send_code<'a>(&'a self, _: &'a EscrowRecord, _: &'a str) -> MailFuture<'a> {
        Box::pin(async { Ok(()) })
    }
    fn ask_sender<'a>(&'a self, _: &'a EscrowRecord) -> MailFuture<'a> {
        Box::pin(async { Ok(()) })
    }
    fn resend<'a>(&'a self, record: &'a EscrowRecord) -> MailFuture<'a> {
        self.resent.lock().unwrap().push(record.id.clone());
        Box::pin(async { Ok(()) })
    }
    fn extension(&self, record: &EscrowRecord) -> Option<Timestamp> {
        Some(Timestamp(record.expires.millis() + WEEK))
    }
}

struct Rig {
    _dir: tempfile::TempDir,
    clock: Arc<TestClock>,
    store: Arc<EscrowStore>,
    mail: Arc<Gateway>,
    base: String,
    http: reqwest::Client,
}

impl Rig {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(TestClock(AtomicU64::new(1_796_256_000_000)));
        let keys = Arc::new(MasterKeys::generate("k1", &OsRandom).unwrap());
        let store = Arc::new(
            EscrowStore::open(dir.path(), keys, clock.clone(), Arc::new(OsRandom)).unwrap(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mail = Arc::new(Gateway::default());
        let brand = Brand {
            name: "Riverside Clinic".into(),
            ..Brand::default()
        };
        let config = WebConfig {
            origins: vec![base.clone()],
            brands: HashMap::from([("clinic".to_string(), brand.clone())]),
            default_brand: brand,
            idle: Duration::from_secs(900),
            codes: CodePolicy::default(),
        };
        let app = sealgate_portal::router(
            store.clone(),
            mail.clone(),
            config,
            clock.clone(),
            Arc::new(OsRandom),
        );
        tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app).await.unwrap();
        });
        Rig {
            _dir: dir,
            clock,
            store,
            mail,
            base,
            http: reqwest::Client::new(),
        }
    }

    /// Escrows recipient `index` of message `m` and returns its id and reference word.
    fn escrow(&self, m: u8, index: u32, mode: KeyMode) -> (EscrowId, String) {
        let message = MessageId::from_bytes([m; 16]);
        let d = self
            .store
            .deposit(NewEscrow {
                message_id: message,
                recipient_index: index,
                recipient: Address::parse(&format!("p{m}-{index}@home.example")).unwrap(),
                tenant: "clinic",
                key_mode: mode,
                expires: self.clock.now().plus(Duration::from_secs(86_400)),
                raw: b"From: a@clinic.example\r\nSubject: Lab results\r\n\r\nhello\r\n",
                max_attachment: 1 << 20,
            })
            .unwrap();
        let sender = Address::parse("avery@clinic.example").unwrap();
        self.store
            .register_sender(message, "clinic", &sender)
            .unwrap();
        (d.id, d.reference.clone())
    }

    fn token(&self, m: u8) -> String {
        let t = self
            .store
            .issue_status_token(MessageId::from_bytes([m; 16]));
        t.unwrap().to_string()
    }

    /// GET of the status link: status, body, cookie, CSRF token.
    async fn get(&self, token: &str) -> (u16, String, String, String) {
        let r = self
            .http
            .get(format!("{}/s/{token}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let cookie = r.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_string();
        let body = r.text().await.unwrap();
        let at = body.find("name=\"csrf\" value=\"").unwrap() + 19;
        let csrf = body[at..].split('"').next().unwrap().to_string();
        (status, body, cookie, csrf)
    }

    async fn post(&self, path: &str, cookie: &str, form: &str) -> (u16, String) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("origin", &self.base)
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_string())
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

#[tokio::test]
async fn a_get_changes_nothing_and_shows_only_continue_for_any_token() {
    let rig = Rig::new().await;
    let (id, reference) = rig.escrow(1, 0, KeyMode::Link);
    let token = rig.token(1);
    let before = rig.store.events(id).unwrap().len();
    let (status, body, _, _) = rig.get(&token).await;
    let (status2, body2, _, _) = rig.get(&"A".repeat(43)).await;
    for (s, b) in [(status, &body), (status2, &body2)] {
        assert_eq!(s, 200);
        assert!(b.contains(">Continue</button>"), "{b}");
        assert!(
            !b.contains(&reference) && !b.contains("@home.example"),
            "{b}"
        );
        assert_eq!(b.matches("<button").count(), 1);
    }
    assert_eq!(rig.store.events(id).unwrap().len(), before, "a GET wrote");
    // The page itself needs the POST guard: no CSRF token → refused, nothing shown.
    let (_, _, cookie, csrf) = rig.get(&token).await;
    let (s, b) = rig.post(&format!("/s/{token}"), &cookie, "").await;
    assert_eq!(s, 403);
    assert!(!b.contains(&reference));
    let (s, b) = rig
        .post(&format!("/s/{token}"), &cookie, &format!("csrf={csrf}"))
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(b.contains(&reference) && b.contains("p1-0@home.example"));
    assert!(
        !b.contains("Send the notification again"),
        "resend in link mode"
    );
}

#[tokio::test]
async fn server_mode_resend_extend_and_only_the_tokens_copies() {
    let rig = Rig::new().await;
    let (a0, _) = rig.escrow(2, 0, KeyMode::Server);
    let (a1, ref1) = rig.escrow(2, 1, KeyMode::Server);
    let (b0, _) = rig.escrow(3, 0, KeyMode::Server);
    let token = rig.token(2);
    let (_, _, cookie, csrf) = rig.get(&token).await;
    let (_, page) = rig
        .post(&format!("/s/{token}"), &cookie, &format!("csrf={csrf}"))
        .await;
    assert_eq!(page.matches("Send the notification again").count(), 2);
    assert!(!page.contains("p3-0@home.example"));
    // Resend recipient 1: the gateway is asked, the event is the sender's.
    let (s, b) = rig
        .post(
            &format!("/s/{token}/resend"),
            &cookie,
            &format!("csrf={csrf}&copy=1"),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(b.contains("The notification was sent again."));
    assert_eq!(*rig.mail.resent.lock().unwrap(), vec![a1.to_string()]);
    let last = rig.store.events(a1).unwrap().pop().unwrap();
    assert_eq!(
        (last.kind, last.actor),
        (PortalEventKind::Resent, Actor::Sender)
    );
    // Extend recipient 0 by the gateway's answer.
    let was = rig.store.record(a0).unwrap().expires;
    let (s, b) = rig
        .post(
            &format!("/s/{token}/extend"),
            &cookie,
            &format!("csrf={csrf}&copy=0"),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(b.contains("Extended: it can now be read until"));
    assert_eq!(
        rig.store.record(a0).unwrap().expires.millis(),
        was.millis() + WEEK
    );
    // A position the token's message does not have: not found, and message 3 untouched.
    let (s, _) = rig
        .post(
            &format!("/s/{token}/revoke"),
            &cookie,
            &format!("csrf={csrf}&copy=7"),
        )
        .await;
    assert_eq!(s, 404);
    assert!(rig.store.record(b0).unwrap().is_active());
    // Withdraw recipient 1: its section offers no buttons any more.
    let (s, b) = rig
        .post(
            &format!("/s/{token}/revoke"),
            &cookie,
            &format!("csrf={csrf}&copy=1"),
        )
        .await;
    assert_eq!(s, 200);
    assert!(!rig.store.record(a1).unwrap().is_active());
    let section = b.split("<section").nth(2).unwrap();
    assert!(
        section.contains(&ref1) && !section.contains("<button"),
        "{section}"
    );
    assert_eq!(b.matches("Send the notification again").count(), 1);
}
