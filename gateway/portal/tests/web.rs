//! The portal's HTTP side over real HTTP (reqwest against the router on 127.0.0.1:0): what a
//! scanner's GET changes, the code flow, CSRF and origin checks, locking, idle logoff,
//! withdrawn and expired pages, headers and cookie flags on every response.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::{Clock, Timestamp};
use sealgate_portal::{
    Actor, Brand, CodePolicy, Deposit, EscrowRecord, EscrowStore, KeyMode, MailFuture, NewEscrow,
    PortalMail, WebConfig,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[path = "web/codes.rs"]
mod codes;

const CANARY: &str = "078-05-1120";
const PDF: &[u8] = b"%PDF-1.4\n%\xc3\xa4\xc3\xbc\xc3\xb6\xc3\x9f\n1 0 obj\n<<>>\nendobj\n";

struct TestClock(AtomicU64);
impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

/// The portal's mail, collected (the real one commits to the spool).
#[derive(Default)]
struct Outbox {
    codes: Mutex<Vec<(String, String)>>,
    asks: Mutex<Vec<String>>,
}

impl PortalMail for Outbox {
    fn send_code<'a>(&'a self, record: &'a EscrowRecord, code: &'a str) -> MailFuture<'a> {
        self.codes
            .lock()
            .unwrap()
            .push((record.recipient.to_string(), code.to_string()));
        Box::pin(async { Ok(()) })
    }
    fn ask_sender<'a>(&'a self, record: &'a EscrowRecord) -> MailFuture<'a> {
        self.asks.lock().unwrap().push(record.id.clone());
        Box::pin(async { Ok(()) })
    }
}

struct Rig {
    _dir: tempfile::TempDir,
    clock: Arc<TestClock>,
    store: Arc<EscrowStore>,
    mail: Arc<Outbox>,
    base: String,
    http: reqwest::Client,
}

fn message() -> Vec<u8> {
    use base64::Engine;
    let pdf = base64::engine::general_purpose::STANDARD.encode(PDF);
    format!(
        "From: Dr Avery <avery@clinic.example>\r\nTo: pat@home.example\r\nSubject: Lab results\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>SSN {CANARY}</p><script>alert(1)</script>\r\n\
--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"results.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{pdf}\r\n--b1--\r\n"
    )
    .into_bytes()
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
        let mail = Arc::new(Outbox::default());
        let config = WebConfig {
            origins: vec![base.clone()],
            brands: HashMap::from([(
                "clinic".to_string(),
                Brand {
                    name: "Riverside Clinic".into(),
                    help: "Questions? Call 555-0100.".into(),
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
            mail.clone(),
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
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Rig {
            _dir: dir,
            clock,
            store,
            mail,
            base,
            http,
        }
    }

    fn deposit(&self, expires_in: Duration) -> Deposit {
        self.store
            .deposit(NewEscrow {
                message_id: MessageId::from_bytes([1; 16]),
                recipient_index: 0,
                recipient: Address::parse("pat@home.example").unwrap(),
                tenant: "clinic",
                key_mode: KeyMode::Link,
                expires: self.clock.now().plus(expires_in),
                raw: &message(),
                max_attachment: 1 << 20,
            })
            .unwrap()
    }

    fn advance(&self, d: Duration) {
        self.clock
            .0
            .fetch_add(d.as_millis() as u64, Ordering::SeqCst);
    }

    fn events(&self, d: &Deposit) -> Vec<&'static str> {
        self.store
            .events(d.id)
            .unwrap()
            .into_iter()
            .map(|e| e.kind.name())
            .collect()
    }
}

/// A browser-like session: its cookie and the CSRF token of the last page.
struct Browser<'a> {
    rig: &'a Rig,
    cookie: Option<String>,
    csrf: String,
    origin: String,
}

fn check_headers(r: &reqwest::Response) {
    let h = r.headers();
    let get = |n: &str| {
        h.get(n)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let csp = get("content-security-policy");
    assert!(
        csp.contains("default-src 'none'")
            && csp.contains("script-src 'self'")
            && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(get("strict-transport-security").starts_with("max-age="));
    assert_eq!(get("referrer-policy"), "no-referrer");
    assert_eq!(get("cache-control"), "no-store");
    assert_eq!(get("x-content-type-options"), "nosniff");
    assert_eq!(get("x-frame-options"), "DENY");
    if let Some(c) = h.get("set-cookie") {
        let c = c.to_str().unwrap();
        for flag in [
            "__Host-sealgate=",
            "Path=/",
            "Secure",
            "HttpOnly",
            "SameSite=Strict",
        ] {
            assert!(c.contains(flag), "{c}");
        }
    }
}

fn csrf_of(page: &str) -> Option<String> {
    let at = page.find("name=\"csrf\" value=\"")? + 19;
    Some(page[at..].split('"').next()?.to_string())
}

impl<'a> Browser<'a> {
    fn new(rig: &'a Rig) -> Self {
        Browser {
            rig,
            cookie: None,
            csrf: String::new(),
            origin: rig.base.clone(),
        }
    }

    fn take(&mut self, r: &reqwest::Response) {
        check_headers(r);
        if let Some(c) = r.headers().get("set-cookie") {
            let c = c.to_str().unwrap();
            self.cookie = Some(c.split(';').next().unwrap().to_string());
        }
    }

    async fn get(&mut self, path: &str) -> (u16, String) {
        let mut req = self.rig.http.get(format!("{}{path}", self.rig.base));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.unwrap();
        self.take(&r);
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        if let Some(t) = csrf_of(&text) {
            self.csrf = t;
        }
        (status, text)
    }

    async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish();
        let mut req = self
            .rig
            .http
            .post(format!("{}{path}", self.rig.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", &self.origin)
            .body(body);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.unwrap();
        self.take(&r);
        r
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let r = self.post_raw(path, fields).await;
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        if let Some(t) = csrf_of(&text) {
            self.csrf = t;
        }
        (status, text)
    }

    /// Opens the link, asks for a code and enters it.
    async fn log_in(&mut self, d: &Deposit) -> (u16, String) {
        let path = format!("/m/{}", d.id);
        self.get(&path).await;
        let (status, _) = self.post(&format!("{path}/code"), &[]).await;
        assert_eq!(status, 200);
        let code = self
            .rig
            .mail
            .codes
            .lock()
            .unwrap()
            .last()
            .unwrap()
            .1
            .clone();
        self.post(&format!("{path}/verify"), &[("code", &code)])
            .await
    }
}

#[tokio::test]
async fn a_scanners_gets_change_nothing_and_send_nothing() {
    let rig = Rig::new().await;
    let d = rig.deposit(Duration::from_secs(86_400));
    let before = rig.store.record(d.id).unwrap();
    for _ in 0..2 {
        let r = rig
            .http
            .get(format!("{}/m/{}", rig.base, d.id))
            .send()
            .await
            .unwrap();
        check_headers(&r);
        assert_eq!(r.status(), 200);
        let page = r.text().await.unwrap();
        assert!(page.contains(&before.reference) && page.contains("Email me a code"));
        assert!(!page.contains(CANARY) && !page.contains("Lab results"));
    }
    assert_eq!(rig.store.record(d.id).unwrap(), before);
    assert_eq!(rig.events(&d), ["escrowed"]);
    assert!(rig.mail.codes.lock().unwrap().is_empty());
}

#[tokio::test]
async fn code_then_message_then_attachment_byte_identical() {
    let rig = Rig::new().await;
    let d = rig.deposit(Duration::from_secs(86_400));
    let mut b = Browser::new(&rig);
    let (status, _) = b.log_in(&d).await;
    assert_eq!(status, 303);
    assert_eq!(rig.mail.codes.lock().unwrap()[0].0, "pat@home.example");
    let (status, page) = b.get(&format!("/m/{}", d.id)).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-escrow=") && page.contains("id=\"frame\" sandbox=\"\""));
    assert!(!page.contains(CANARY), "the page itself carries no content");

    let key = d.link_half.to_fragment();
    let r = b
        .post_raw(&format!("/m/{}/open", d.id), &[("key", &key)])
        .await;
    assert_eq!(r.status(), 200);
    let m: serde_json::Value = r.json().await.unwrap();
    assert_eq!(m["subject"], "Lab results");
    let doc = m["document"].as_str().unwrap();
    assert!(doc.contains(CANARY) && !doc.contains("<script"));
    assert!(doc.contains("default-src 'none'; img-src data:"));
    assert_eq!(m["attachments"][0]["name"], "results.pdf");

    let r = b
        .post_raw(&format!("/m/{}/a/0", d.id), &[("key", &key)])
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"results.pdf\"")
    );
    assert_eq!(&r.bytes().await.unwrap()[..], PDF);
    assert_eq!(
        rig.events(&d),
        [
            "escrowed",
            "opened",
            "code-sent",
            "code-passed",
            "viewed",
            "attachment-downloaded"
        ]
    );

    let (status, _) = b
        .post(&format!("/m/{}/open", d.id), &[("key", "AAAA")])
        .await;
    assert_eq!(status, 400, "a wrong link half opens nothing");
}

#[tokio::test]
async fn cross_site_and_tokenless_posts_are_refused() {
    let rig = Rig::new().await;
    let d = rig.deposit(Duration::from_secs(86_400));
    let mut b = Browser::new(&rig);
    b.get(&format!("/m/{}", d.id)).await;
    b.origin = "https://evil.example".into();
    assert_eq!(b.post(&format!("/m/{}/code", d.id), &[]).await.0, 403);
    b.origin = rig.base.clone();
    let good = std::mem::replace(&mut b.csrf, "forged".into());
    assert_eq!(b.post(&format!("/m/{}/code", d.id), &[]).await.0, 403);
    b.csrf = good;
    let no_origin = rig
        .http
        .post(format!("{}/m/{}/code", rig.base, d.id))
        .header("cookie", b.cookie.clone().unwrap())
        .body(format!("csrf={}", b.csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(no_origin.status(), 403);
    let null_cross = rig
        .http
        .post(format!("{}/m/{}/code", rig.base, d.id))
        .header("cookie", b.cookie.clone().unwrap())
        .header("origin", "null")
        .header("sec-fetch-site", "cross-site")
        .body(format!("csrf={}", b.csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(null_cross.status(), 403, "Origin: null from another site");
    assert!(rig.mail.codes.lock().unwrap().is_empty());
    assert_eq!(
        b.post(&format!("/m/{}/code", d.id), &[]).await.0,
        200,
        "the same request, same-origin, works"
    );
    // What a browser sends for a form post under `Referrer-Policy: no-referrer`.
    let null_same = rig
        .http
        .post(format!("{}/m/{}/code", rig.base, d.id))
        .header("cookie", b.cookie.clone().unwrap())
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .body(format!("csrf={}", b.csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(null_same.status(), 200);
}
