//! Passkeys over HTTP with a software authenticator (aws-lc-rs P-256 key, CBOR by ciborium):
//! the portal's routes on one listener, the admin passkey routes on another, both on
//! 127.0.0.1:0. A code login registers a passkey; a fresh session opens another copy with it
//! alone; a replayed answer and a counter going backwards are refused; the admin API lists it
//! (no key, no address) and removes it, after which the portal offers no challenge.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ciborium::Value;
use sealgate_admin::passkeys::{PasskeyAdmin, routes};
use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::{Address, Clock, MessageId, SystemClock};
use sealgate_portal::passkey::RelyingParty;
use sealgate_portal::{
    Brand, CodePolicy, Deposit, EscrowRecord, EscrowStore, KeyMode, MailFuture, NewEscrow,
    PortalEventKind, PortalMail, WebConfig,
};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Codes(Mutex<Vec<(String, String)>>);
struct Mail(Arc<Codes>);
impl PortalMail for Mail {
    fn send_code<'a>(&'a self, record: &'a EscrowRecord, code: &'a str) -> MailFuture<'a> {
        self.0
            .0
            .lock()
            .unwrap()
            .push((record.id.clone(), code.to_string()));
        Box::pin(async { Ok(()) })
    }
    fn ask_sender<'a>(&'a self, _record: &'a EscrowRecord) -> MailFuture<'a> {
        Box::pin(async { Ok(()) })
    }
}

/// A software authenticator with one P-256 credential.
struct Soft {
    key: EcdsaKeyPair,
    id: Vec<u8>,
    count: u32,
}

impl Soft {
    fn head(&self, rp_id: &str, flags: u8) -> Vec<u8> {
        let mut out = Sha256::digest(rp_id.as_bytes()).to_vec();
        out.push(flags);
        out.extend_from_slice(&self.count.to_be_bytes());
        out
    }

    fn attestation(&self, rp_id: &str) -> Vec<u8> {
        let p = self.key.public_key().as_ref();
        let i = |n: i64| Value::Integer(n.into());
        let cose = Value::Map(vec![
            (i(1), i(2)),
            (i(3), i(-7)),
            (i(-1), i(1)),
            (i(-2), Value::Bytes(p[1..33].to_vec())),
            (i(-3), Value::Bytes(p[33..65].to_vec())),
        ]);
        let mut data = self.head(rp_id, 0x45);
        data.extend_from_slice(&[0; 16]);
        data.extend_from_slice(&(self.id.len() as u16).to_be_bytes());
        data.extend_from_slice(&self.id);
        ciborium::ser::into_writer(&cose, &mut data).unwrap();
        let att = Value::Map(vec![
            (Value::Text("fmt".into()), Value::Text("none".into())),
            (Value::Text("attStmt".into()), Value::Map(vec![])),
            (Value::Text("authData".into()), Value::Bytes(data)),
        ]);
        let mut out = Vec::new();
        ciborium::ser::into_writer(&att, &mut out).unwrap();
        out
    }

    /// The login form fields answering `challenge` (base64url) on `rp`.
    fn assert(&mut self, rp: &RelyingParty, challenge: &str) -> Vec<(String, String)> {
        self.count += 1;
        let cd = client_data("webauthn.get", challenge, &rp.origin);
        let data = self.head(&rp.id, 0x05);
        let msg = [&data[..], &Sha256::digest(&cd)].concat();
        let sig = self.key.sign(&SystemRandom::new(), &msg).unwrap();
        vec![
            ("credential".into(), B64.encode(&self.id)),
            ("client_data".into(), B64.encode(&cd)),
            ("authenticator_data".into(), B64.encode(&data)),
            ("signature".into(), B64.encode(sig.as_ref())),
        ]
    }
}

fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"type": kind, "challenge": challenge, "origin": origin})).unwrap()
}

/// One browser session against the portal: its cookie and CSRF token.
struct Browser {
    http: reqwest::Client,
    base: String,
    origin: String,
    cookie: String,
    csrf: String,
}

impl Browser {
    /// Opens `/m/{id}` (the link) and keeps the session it starts.
    async fn open(base: &str, origin: &str, id: &str) -> Browser {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = http.get(format!("{base}/m/{id}")).send().await.unwrap();
        let cookie = r.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_string();
        let html = r.text().await.unwrap();
        let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap();
        let csrf = csrf.split('"').next().unwrap().to_string();
        Browser {
            http,
            base: base.into(),
            origin: origin.into(),
            cookie,
            csrf,
        }
    }

    async fn post(&self, path: &str, fields: &[(String, String)]) -> (u16, String) {
        let mut form = vec![("csrf".to_string(), self.csrf.clone())];
        form.extend_from_slice(fields);
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("origin", &self.origin)
            .header("cookie", &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&form))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn page(&self, path: &str) -> String {
        let r = self.http.get(format!("{}{path}", self.base));
        let r = r.header("cookie", &self.cookie).send().await.unwrap();
        r.text().await.unwrap()
    }
}

/// `k=v&…`, percent-encoding all but unreserved characters.
fn encode(form: &[(String, String)]) -> String {
    let esc = |v: &str| -> String {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    form.iter()
        .map(|(k, v)| format!("{}={}", esc(k), esc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

async fn admin(base: &str, method: &str, path: &str, token: &str) -> (u16, Json) {
    let http = reqwest::Client::new();
    let req = match method {
        "GET" => http.get(format!("{base}{path}")),
        _ => http.post(format!("{base}{path}")),
    };
    let r = req.bearer_auth(token).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Json::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkeys_register_sign_in_and_are_removed_by_an_admin() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let keys = Arc::new(MasterKeys::generate("k1", &OsRandom).unwrap());
    let store =
        Arc::new(EscrowStore::open(dir.path(), keys, clock.clone(), Arc::new(OsRandom)).unwrap());
    let counted: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = counted.clone();
    store.set_observer(Arc::new(move |_: &str, kind: &PortalEventKind| {
        seen.lock().unwrap().push(kind.name().to_string());
    }));
    // The relying party names a host; requests reach it on 127.0.0.1 with that Origin.
    let origin = "https://portal.alpha.example".to_string();
    let rp = RelyingParty::from_base_url(&origin).unwrap();
    let codes = Arc::new(Codes::default());
    let config = WebConfig {
        origins: vec![origin.clone()],
        brands: HashMap::from([("alpha".to_string(), Brand::default())]),
        default_brand: Brand::default(),
        idle: Duration::from_secs(900),
        codes: CodePolicy::default(),
    };
    let portal = serve(sealgate_portal::router_with_passkeys(
        store.clone(),
        Arc::new(Mail(codes.clone())),
        config,
        clock.clone(),
        Arc::new(OsRandom),
        HashMap::from([("alpha".to_string(), rp.clone())]),
    ))
    .await;
    let api = serve(routes(PasskeyAdmin {
        store: store.clone(),
        token: Arc::from("t0ken"),
    }))
    .await;
    let deposit = || -> Deposit {
        store
            .deposit(NewEscrow {
                message_id: MessageId::generate(clock.now(), &OsRandom),
                recipient_index: 0,
                recipient: Address::parse("pat@home.example").unwrap(),
                tenant: "alpha",
                key_mode: KeyMode::Link,
                expires: clock.now().plus(Duration::from_secs(86_400)),
                raw: b"From: a@clinic.example\r\nTo: pat@home.example\r\nSubject: s\r\n\r\nhello\r\n",
                max_attachment: 1 << 20,
            })
            .unwrap()
    };
    let (a1, a2) = (deposit().id.to_string(), deposit().id.to_string());

    // Code login on a1, then register.
    let s1 = Browser::open(&portal, &origin, &a1).await;
    assert_eq!(s1.post(&format!("/m/{a1}/code"), &[]).await.0, 200);
    let code = codes.0.lock().unwrap().last().unwrap().1.clone();
    let entered = [("code".to_string(), code)];
    assert_eq!(s1.post(&format!("/m/{a1}/verify"), &entered).await.0, 303);
    let (status, options) = s1.post(&format!("/m/{a1}/passkey/new"), &[]).await;
    assert_eq!(status, 200, "{options}");
    let options: Json = serde_json::from_str(&options).unwrap();
    assert_eq!(options["rp"]["id"], "portal.alpha.example");
    assert_eq!(options["attestation"], "none");
    let mut soft = Soft {
        key: EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap(),
        id: vec![42; 16],
        count: 0,
    };
    let cd = client_data(
        "webauthn.create",
        options["challenge"].as_str().unwrap(),
        &origin,
    );
    let fields = [
        ("client_data".to_string(), B64.encode(&cd)),
        (
            "attestation".to_string(),
            B64.encode(soft.attestation(&rp.id)),
        ),
    ];
    let (status, body) = s1.post(&format!("/m/{a1}/passkey/add"), &fields).await;
    assert_eq!(status, 200, "{body}");
    // The same registration again: its challenge was used.
    assert_eq!(
        s1.post(&format!("/m/{a1}/passkey/add"), &fields).await.0,
        401
    );

    // The admin lists it: owner pseudonym and ids, no key, no address.
    let (status, listed) = admin(
        &api,
        "GET",
        "/api/v1/passkeys?address=pat%40home.example",
        "t0ken",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let entry = &listed[0];
    assert_eq!(entry["rp_id"], "portal.alpha.example");
    assert_eq!(entry["id"], B64.encode(&soft.id));
    assert!(entry["owner"].as_str().unwrap().starts_with("pk:"));
    assert!(!listed.to_string().contains("pat@") && entry.get("key").is_none());
    assert_eq!(admin(&api, "GET", "/api/v1/passkeys", "wrong").await.0, 401);

    // A fresh session opens a2 with the passkey alone.
    let s2 = Browser::open(&portal, &origin, &a2).await;
    assert!(
        s2.page(&format!("/m/{a2}"))
            .await
            .contains("Open with passkey")
    );
    let (status, challenge) = s2.post(&format!("/m/{a2}/passkey/challenge"), &[]).await;
    assert_eq!(status, 200, "{challenge}");
    let challenge: Json = serde_json::from_str(&challenge).unwrap();
    assert_eq!(challenge["rpId"], "portal.alpha.example");
    let answer = soft.assert(&rp, challenge["challenge"].as_str().unwrap());
    let (status, body) = s2.post(&format!("/m/{a2}/passkey/login"), &answer).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        s2.page(&format!("/m/{a2}"))
            .await
            .contains("Your secure message")
    );
    assert!(
        codes.0.lock().unwrap().iter().all(|(id, _)| *id != a2),
        "no code for a2"
    );

    // Replayed: the same answer in the same session and in another one.
    assert_eq!(
        s2.post(&format!("/m/{a2}/passkey/login"), &answer).await.0,
        401
    );
    let s3 = Browser::open(&portal, &origin, &a2).await;
    assert_eq!(
        s3.post(&format!("/m/{a2}/passkey/challenge"), &[]).await.0,
        200
    );
    assert_eq!(
        s3.post(&format!("/m/{a2}/passkey/login"), &answer).await.0,
        401
    );
    // A counter going backwards (a cloned authenticator) is refused.
    let (_, c) = s3.post(&format!("/m/{a2}/passkey/challenge"), &[]).await;
    let c: Json = serde_json::from_str(&c).unwrap();
    soft.count = 0;
    let stale = soft.assert(&rp, c["challenge"].as_str().unwrap());
    assert_eq!(
        s3.post(&format!("/m/{a2}/passkey/login"), &stale).await.0,
        401
    );
    assert!(
        !s3.page(&format!("/m/{a2}"))
            .await
            .contains("Your secure message")
    );

    // The admin removes it: no challenge any more, the code step is back.
    let path = format!("/api/v1/passkeys/{}/remove", B64.encode(&soft.id));
    assert_eq!(admin(&api, "POST", &path, "t0ken").await.0, 200);
    assert_eq!(admin(&api, "POST", &path, "t0ken").await.0, 404);
    assert_eq!(
        admin(&api, "GET", "/api/v1/passkeys", "t0ken").await.1,
        json!([])
    );
    let s4 = Browser::open(&portal, &origin, &a2).await;
    assert!(
        !s4.page(&format!("/m/{a2}"))
            .await
            .contains("Open with passkey")
    );
    assert_eq!(
        s4.post(&format!("/m/{a2}/passkey/challenge"), &[]).await.0,
        404
    );
    let counted = counted.lock().unwrap().clone();
    for kind in ["passkey-registered", "passkey-used", "passkey-removed"] {
        assert_eq!(
            counted.iter().filter(|k| *k == kind).count(),
            1,
            "{kind}: {counted:?}"
        );
    }
}
