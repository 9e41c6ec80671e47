//! The portal's language over real HTTP (reqwest against the router on 127.0.0.1:0):
//! `Accept-Language` with q-values, the switch link's `?lang=` and the cookie it sets (which
//! the POST pages then follow), the code form kept across a switch, refusals in the page's
//! language, and a tenant's default language and own texts.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::{Clock, Timestamp};
use sealgate_portal::{
    Brand, CodePolicy, Deposit, EscrowRecord, EscrowStore, KeyMode, Lang, MailFuture, NewEscrow,
    PortalMail, Texts, WebConfig,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

struct Fixed;
impl Clock for Fixed {
    fn now(&self) -> Timestamp {
        Timestamp(1_796_256_000_000)
    }
}

struct NoMail;
impl PortalMail for NoMail {
    fn send_code<'a>(&'a self, _: &'a EscrowRecord, _: &'a str) -> MailFuture<'a> {
        Box::pin(async { Ok(()) })
    }
    fn ask_sender<'a>(&'a self, _: &'a EscrowRecord) -> MailFuture<'a> {
        Box::pin(async { Ok(()) })
    }
}

struct Rig {
    _dir: tempfile::TempDir,
    base: String,
    http: reqwest::Client,
    clinic: Deposit,
    clinica: Deposit,
}

async fn rig() -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let keys = Arc::new(MasterKeys::generate("k1", &OsRandom).unwrap());
    let store =
        Arc::new(EscrowStore::open(dir.path(), keys, Arc::new(Fixed), Arc::new(OsRandom)).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // "clinica": Spanish by default, with its own title for the link page.
    let texts = Texts::new([(
        Lang::Es,
        "link_title".to_string(),
        "Mensaje de la Clínica Ribera".to_string(),
    )])
    .unwrap();
    let brand = |name: &str| Brand {
        name: name.into(),
        ..Brand::default()
    };
    let config = WebConfig {
        origins: vec![base.clone()],
        brands: HashMap::from([
            ("clinic".to_string(), brand("Riverside Clinic")),
            (
                "clinica".to_string(),
                Brand {
                    texts,
                    lang: Lang::Es,
                    ..brand("Clínica Ribera")
                },
            ),
        ]),
        default_brand: brand("Secure mail"),
        idle: Duration::from_secs(900),
        codes: CodePolicy::default(),
    };
    let app = sealgate_portal::router(
        store.clone(),
        Arc::new(NoMail),
        config,
        Arc::new(Fixed),
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
    let deposit = |tenant: &str| {
        store
            .deposit(NewEscrow {
                message_id: MessageId::from_bytes([7; 16]),
                recipient_index: 0,
                recipient: Address::parse("pat@home.example").unwrap(),
                tenant,
                key_mode: KeyMode::Link,
                expires: Fixed.now().plus(Duration::from_secs(86_400)),
                raw: b"From: a@clinic.example\r\nSubject: x\r\n\r\nhello\r\n",
                max_attachment: 1 << 20,
            })
            .unwrap()
    };
    let (clinic, clinica) = (deposit("clinic"), deposit("clinica"));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Rig {
        _dir: dir,
        base,
        http,
        clinic,
        clinica,
    }
}

/// A page: status, `lang` of `<html>`, body, and the cookies it set (name=value).
struct Got {
    status: u16,
    lang: String,
    body: String,
    cookies: Vec<String>,
}

async fn get(rig: &Rig, path: &str, accept: &str, cookie: &str) -> Got {
    let r = rig
        .http
        .get(format!("{}{path}", rig.base))
        .header("accept-language", accept)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    got(r).await
}

async fn got(r: reqwest::Response) -> Got {
    let status = r.status().as_u16();
    let cookies = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let body = r.text().await.unwrap();
    let lang = body
        .split("<html lang=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string();
    Got {
        status,
        lang,
        body,
        cookies,
    }
}

fn csrf(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    body[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn accept_language_q_values_choose_the_page_language() {
    let rig = rig().await;
    let path = format!("/m/{}", rig.clinic.id);
    for (accept, lang, text) in [
        ("fr-FR, es;q=0.5, en;q=0.4", "es", "Tiene un mensaje seguro"),
        ("es;q=0.2, en-GB", "en", "You have a secure message"),
        ("es-MX", "es", "Enviarme un código por correo"),
        ("de-DE", "en", "Email me a code"),
    ] {
        let g = get(&rig, &path, accept, "").await;
        assert_eq!((g.status, g.lang.as_str()), (200, lang), "{accept}");
        assert!(g.body.contains(text), "{accept}: {}", g.body);
    }
    // A tenant whose language is Spanish: Spanish when the browser names neither, with the
    // tenant's own title; English when the browser asks for it.
    let path = format!("/m/{}", rig.clinica.id);
    let g = get(&rig, &path, "de-DE", "").await;
    assert_eq!(g.lang, "es");
    assert!(
        g.body.contains("<h1>Mensaje de la Clínica Ribera</h1>"),
        "{}",
        g.body
    );
    let g = get(&rig, &path, "en-US", "").await;
    assert!(
        g.body.contains("<h1>You have a secure message</h1>"),
        "{}",
        g.body
    );
}

#[tokio::test]
async fn the_switch_link_sets_a_cookie_the_forms_follow() {
    let rig = rig().await;
    let path = format!("/m/{}", rig.clinic.id);
    // An English browser clicks "Español".
    let g = get(&rig, &path, "en", "").await;
    assert!(g.body.contains(&format!(
        "<a href=\"{path}?lang=es\" lang=\"es\" hreflang=\"es\">Español</a>"
    )));
    let g = get(&rig, &format!("{path}?lang=es"), "en", "").await;
    assert_eq!(g.lang, "es");
    assert!(
        g.cookies.contains(&"sealgate-lang=es".to_string()),
        "{:?}",
        g.cookies
    );
    let session = g
        .cookies
        .iter()
        .find(|c| c.starts_with("__Host-"))
        .unwrap()
        .clone();
    let cookies = format!("{session}; sealgate-lang=es");
    // The POSTs carry no query: the cookie keeps them Spanish.
    let post = |to: String, form: Vec<(&'static str, String)>, cookie: String| {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        rig.http
            .post(format!("{}{to}", rig.base))
            .header("origin", &rig.base)
            .header("accept-language", "en")
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let token = csrf(&g.body);
    let r = post(
        format!("{path}/code"),
        vec![("csrf", token.clone())],
        cookies.clone(),
    );
    let g = got(r.await.unwrap()).await;
    assert_eq!((g.status, g.lang.as_str()), (200, "es"));
    assert!(g.body.contains("<h1>Introduzca su código</h1>"));
    assert!(
        g.body
            .contains(&format!("href=\"{path}?step=code&amp;lang=en\"")),
        "{}",
        g.body
    );
    let r = post(
        format!("{path}/verify"),
        vec![("csrf", token.clone()), ("code", "000000".into())],
        cookies.clone(),
    );
    let g = got(r.await.unwrap()).await;
    assert_eq!(g.status, 422);
    assert!(
        g.body
            .contains("Ese código no es correcto. Puede intentarlo 4 veces más.")
    );
    // Back to English from the code page: the code form again (nothing sent), in English.
    let g = get(&rig, &format!("{path}?step=code&lang=en"), "es", &cookies).await;
    assert_eq!(g.lang, "en");
    assert!(g.body.contains("<h1>Enter your code</h1>") && g.body.contains("id=\"code\""));
    assert!(g.cookies.contains(&"sealgate-lang=en".to_string()));
    let r = post(
        format!("{path}/verify"),
        vec![("csrf", token), ("code", "000000".into())],
        format!("{session}; sealgate-lang=en"),
    );
    let g = got(r.await.unwrap()).await;
    assert!(
        g.body
            .contains("That code is not right. You can try 3 more times.")
    );
    // Short pages follow the cookie too, and their switch leads home.
    let g = get(&rig, "/nowhere", "en", "sealgate-lang=es").await;
    assert_eq!((g.status, g.lang.as_str()), (404, "es"));
    assert!(g.body.contains("Página no encontrada") && g.body.contains("href=\"/?lang=en\""));
    let g = get(&rig, "/?lang=en", "es", "sealgate-lang=es").await;
    assert_eq!((g.status, g.lang.as_str()), (200, "en"));
}
