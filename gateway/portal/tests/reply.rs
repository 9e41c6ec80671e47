//! The secure reply's HTTP side over real HTTP (reqwest against the router on 127.0.0.1:0):
//! only a session that passed the code gets the form, every POST needs Origin + session + CSRF
//! and the link half, the size limit and the daily cap answer with clear pages, a failed
//! hand-over gives the daily reply back, and what reaches the gateway is threaded, named and
//! sanitised. Spanish for `Accept-Language: es`.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::{Clock, Timestamp};
use sealgate_portal::{
    Brand, CodePolicy, Deposit, EscrowRecord, EscrowStore, KeyMode, MailFuture, NewEscrow,
    PortalError, PortalMail, Reply, ReplyFuture, ReplyLimits, ReplyMail, ReplyOutcome,
    ReplyService, WebConfig,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct TestClock(AtomicU64);
impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[derive(Default)]
struct Mail {
    codes: Mutex<Vec<String>>,
    replies: Mutex<Vec<Reply>>,
    fail: AtomicBool,
    conflict: AtomicBool,
}

impl PortalMail for Mail {
    fn send_code<'a>(&'a self, _: &'a EscrowRecord, code: &'a str) -> MailFuture<'a> {
        self.codes.lock().unwrap().push(code.to_string());
        Box::pin(async { Ok(()) })
    }
    fn ask_sender<'a>(&'a self, _: &'a EscrowRecord) -> MailFuture<'a> {
        Box::pin(async { Ok(()) })
    }
}

impl ReplyMail for Mail {
    fn send_reply(&self, reply: Reply) -> ReplyFuture<'_> {
        Box::pin(async move {
            if self.fail.load(Ordering::SeqCst) {
                return Err(PortalError::Io("spool unavailable".into()));
            }
            if self.conflict.load(Ordering::SeqCst) {
                return Err(PortalError::Conflict("sender outside the tenant".into()));
            }
            let to = vec![reply.thread.from.clone().unwrap_or_default()];
            self.replies.lock().unwrap().push(reply);
            Ok(ReplyOutcome::Queued { to })
        })
    }
}

const MESSAGE: &str = "From: Dr Avery <avery@clinic.example>\r\nTo: Maria Lopez <pat@home.example>\r\n\
Cc: nurse@clinic.example\r\nSubject: Lab results\r\nMessage-ID: <orig-1@clinic.example>\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour results.\r\n";

struct Rig {
    _dir: tempfile::TempDir,
    clock: Arc<TestClock>,
    store: Arc<EscrowStore>,
    mail: Arc<Mail>,
    base: String,
    http: reqwest::Client,
    deposit: Deposit,
    cookie: String,
    csrf: String,
}

fn csrf_of(page: &str) -> Option<String> {
    let at = page.find("name=\"csrf\" value=\"")? + 19;
    Some(page[at..].split('"').next()?.to_string())
}

impl Rig {
    async fn new() -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(TestClock(AtomicU64::new(1_796_256_000_000)));
        let keys = Arc::new(MasterKeys::generate("k1", &OsRandom).unwrap());
        let store = Arc::new(
            EscrowStore::open(dir.path(), keys, clock.clone(), Arc::new(OsRandom)).unwrap(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mail = Arc::new(Mail::default());
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
        let limits = ReplyLimits {
            max_size: 64 * 1024,
            daily_limit: 2,
        };
        let reply = ReplyService {
            mail: mail.clone(),
            limits: HashMap::from([("clinic".to_string(), limits)]),
        };
        let app = sealgate_portal::router_with_reply(
            store.clone(),
            mail.clone(),
            config,
            clock.clone(),
            Arc::new(OsRandom),
            Some(reply),
        );
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        let deposit = store
            .deposit(NewEscrow {
                message_id: MessageId::from_bytes([2; 16]),
                recipient_index: 0,
                recipient: Address::parse("pat@home.example").unwrap(),
                tenant: "clinic",
                key_mode: KeyMode::Link,
                expires: clock.now().plus(Duration::from_secs(86_400)),
                raw: MESSAGE.as_bytes(),
                max_attachment: 1 << 20,
            })
            .unwrap();
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
            deposit,
            cookie: String::new(),
            csrf: String::new(),
        }
    }

    fn path(&self) -> String {
        format!("/m/{}", self.deposit.id)
    }

    async fn form_post(&mut self, path: &str, fields: &[(&str, &str)]) -> String {
        let mut all = vec![("csrf", self.csrf.clone())];
        all.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish();
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", &self.base)
            .header("cookie", &self.cookie)
            .body(body)
            .send()
            .await
            .unwrap();
        r.text().await.unwrap()
    }

    /// Opens the link, asks for a code, enters it.
    async fn log_in(&mut self) {
        let r = self
            .http
            .get(format!("{}{}", self.base, self.path()))
            .send()
            .await
            .unwrap();
        let c = r.headers().get("set-cookie").unwrap().to_str().unwrap();
        self.cookie = c.split(';').next().unwrap().to_string();
        self.csrf = csrf_of(&r.text().await.unwrap()).unwrap();
        self.form_post(&format!("{}/code", self.path()), &[]).await;
        let code = self.mail.codes.lock().unwrap().last().unwrap().clone();
        self.form_post(&format!("{}/verify", self.path()), &[("code", &code)])
            .await;
    }

    async fn get(&self, path: &str, lang: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// A multipart reply POST: fields, then files (name, bytes).
    async fn reply(
        &self,
        origin: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &[u8])],
    ) -> (u16, String) {
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--B0undary\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, data) in files {
            body.extend_from_slice(format!("--B0undary\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--B0undary--\r\n");
        let r = self
            .http
            .post(format!("{}{}/reply", self.base, self.path()))
            .header("content-type", "multipart/form-data; boundary=B0undary")
            .header("origin", origin)
            .header("cookie", &self.cookie)
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    fn replies_today(&self) -> u32 {
        let pat = Address::parse("pat@home.example").unwrap();
        self.store.replies_on(&pat, self.clock.now()).unwrap()
    }
}

#[tokio::test]
async fn the_form_needs_the_code_and_speaks_spanish_for_es() {
    let mut rig = Rig::new().await;
    let reply = format!("{}/reply", rig.path());
    let r = rig
        .http
        .get(format!("{}{reply}", rig.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        303,
        "no session: back to the link page"
    );
    rig.log_in().await;
    let (status, page) = rig.get(&rig.path(), "en").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("href=\"{reply}\"")),
        "the message page links the form"
    );
    let (status, page) = rig.get(&reply, "es-MX,es;q=0.9").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Responder al remitente") && page.contains("Hoy puede enviar 2"),
        "{page}"
    );
    let (_, page) = rig.get(&reply, "en-GB").await;
    assert!(
        page.contains("enctype=\"multipart/form-data\"")
            && page.contains("You can send 2 more replies today."),
        "{page}"
    );
}

#[tokio::test]
async fn posts_need_origin_csrf_and_the_link_half_and_nothing_is_counted_until_sent() {
    let mut rig = Rig::new().await;
    rig.log_in().await;
    let key = rig.deposit.link_half.to_fragment().to_string();
    let csrf = rig.csrf.clone();
    let ok = [
        ("csrf", csrf.as_str()),
        ("key", key.as_str()),
        ("text", "Thank you"),
    ];
    let (status, _) = rig.reply("https://evil.example", &ok, &[]).await;
    assert_eq!(status, 403, "cross-site");
    let (status, _) = rig
        .reply(
            &rig.base,
            &[("csrf", "forged"), ("key", &key), ("text", "x")],
            &[],
        )
        .await;
    assert_eq!(status, 403, "wrong CSRF token");
    let (status, page) = rig
        .reply(
            &rig.base,
            &[("csrf", &csrf), ("key", "AAAA"), ("text", "x")],
            &[],
        )
        .await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("open the link in your email again"), "{page}");
    let (status, page) = rig
        .reply(
            &rig.base,
            &[("csrf", &csrf), ("key", &key), ("text", " ")],
            &[],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    let big = vec![b'x'; 400 * 1024];
    let (status, page) = rig.reply(&rig.base, &ok, &[("big.bin", &big)]).await;
    assert_eq!(status, 413, "{page}");
    assert!(page.contains("Reply too large"), "{page}");
    let over = vec![b'y'; 64 * 1024 + 1];
    let (status, _) = rig.reply(&rig.base, &ok, &[("over.bin", &over)]).await;
    assert_eq!(status, 413, "the files alone over the limit");
    assert!(rig.mail.replies.lock().unwrap().is_empty());
    assert_eq!(rig.replies_today(), 0, "refusals use no daily reply");

    // The gateway fails: "busy", nothing counted.
    rig.mail.fail.store(true, Ordering::SeqCst);
    let (status, page) = rig.reply(&rig.base, &ok, &[]).await;
    assert_eq!(status, 503, "{page}");
    assert_eq!(
        rig.replies_today(),
        0,
        "a failed hand-over gives the reply back"
    );
    // A permanent refusal says so (not "try again"), and gives the reply back too.
    rig.mail.fail.store(false, Ordering::SeqCst);
    rig.mail.conflict.store(true, Ordering::SeqCst);
    let (status, page) = rig.reply(&rig.base, &ok, &[]).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("could not be sent securely"), "{page}");
    assert_eq!(rig.replies_today(), 0);
    let events: Vec<_> = rig
        .store
        .events(rig.deposit.id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind.name())
        .collect();
    assert!(!events.contains(&"replied"), "{events:?}");
}

#[tokio::test]
async fn a_reply_is_threaded_named_sanitised_counted_and_capped() {
    let mut rig = Rig::new().await;
    rig.log_in().await;
    let key = rig.deposit.link_half.to_fragment().to_string();
    let csrf = rig.csrf.clone();
    let scan: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let fields = [
        ("csrf", csrf.as_str()),
        ("key", key.as_str()),
        ("text", "Gracias"),
        ("all", "1"),
    ];
    let (status, page) = rig
        .reply(&rig.base, &fields, &[("C:\\scans\\a;b.pdf", &scan)])
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Reply sent") && page.contains("avery@clinic.example"),
        "{page}"
    );
    {
        let replies = rig.mail.replies.lock().unwrap();
        let r = &replies[0];
        assert_eq!(
            r.thread.message_id.as_deref(),
            Some("<orig-1@clinic.example>")
        );
        assert_eq!(r.name, "Maria Lopez");
        assert_eq!(r.subject, "Lab results");
        assert!(r.all);
        assert_eq!(r.attachments[0].name, "ab.pdf");
        assert_eq!(r.attachments[0].data, scan);
        assert!(
            r.thread
                .participants
                .iter()
                .any(|(_, a)| a == "nurse@clinic.example")
        );
    }
    let events: Vec<_> = rig
        .store
        .events(rig.deposit.id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind.name())
        .collect();
    assert!(events.contains(&"replied"), "{events:?}");
    let (status, _) = rig.reply(&rig.base, &fields, &[]).await;
    assert_eq!(status, 200);
    let (status, page) = rig.reply(&rig.base, &fields, &[]).await;
    assert_eq!(status, 429, "{page}");
    assert!(
        page.contains("most replies allowed in one day (2)"),
        "{page}"
    );
    let (_, page) = rig.get(&format!("{}/reply", rig.path()), "en").await;
    assert!(page.contains("Too many replies today"), "{page}");
    // The next UTC day has its own replies.
    rig.clock.0.fetch_add(86_400_000, Ordering::SeqCst);
    assert_eq!(rig.replies_today(), 0);
    assert_eq!(rig.mail.replies.lock().unwrap().len(), 2);
}
