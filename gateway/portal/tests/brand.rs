//! A tenant's template over HTTP: the page links its style sheet and logo on the portal's own
//! origin and shows its intro; the style sheet carries its colours; the logo is served as an
//! image under its own sandbox CSP while pages keep the strict one; unknown or unbranded keys
//! are 404.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::SystemClock;
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::Clock;
use sealgate_portal::{
    Brand, CodePolicy, EscrowRecord, EscrowStore, KeyMode, Logo, MailFuture, NewEscrow, PortalMail,
    WebConfig,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

struct NoMail;
impl PortalMail for NoMail {
    fn send_code<'a>(&'a self, _: &'a EscrowRecord, _: &'a str) -> MailFuture<'a> {
        Box::pin(async { Ok(()) })
    }
    fn ask_sender<'a>(&'a self, _: &'a EscrowRecord) -> MailFuture<'a> {
        Box::pin(async { Ok(()) })
    }
}

const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\"><rect width=\"8\" height=\"8\"/></svg>";

#[tokio::test]
async fn the_template_is_served_from_the_portal_origin_and_the_logo_is_only_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Arc::new(MasterKeys::generate("k1", &OsRandom).unwrap());
    let store = Arc::new(
        EscrowStore::open(dir.path(), keys, Arc::new(SystemClock), Arc::new(OsRandom)).unwrap(),
    );
    let branded = Brand {
        name: "Riverside Clinic".into(),
        intro: "Riverside <sends> results securely.".into(),
        logo: Some(Logo::from_bytes(SVG.as_bytes().to_vec()).unwrap()),
        colours: Some(([0x0b, 0x53, 0x94], [0xff, 0xff, 0xff])),
        ..Brand::default()
    };
    let plain = Brand {
        name: "Plain Clinic".into(),
        ..Brand::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = WebConfig {
        origins: vec![base.clone()],
        brands: HashMap::from([("clinic".into(), branded), ("plain".into(), plain)]),
        default_brand: Brand::default(),
        idle: Duration::from_secs(900),
        codes: CodePolicy::default(),
    };
    let app = sealgate_portal::router(
        store.clone(),
        Arc::new(NoMail),
        config,
        Arc::new(SystemClock),
        Arc::new(OsRandom),
    );
    tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service).await.unwrap();
    });
    let d = store
        .deposit(NewEscrow {
            message_id: MessageId::from_bytes([3; 16]),
            recipient_index: 0,
            recipient: Address::parse("pat@home.example").unwrap(),
            tenant: "clinic",
            key_mode: KeyMode::Link,
            expires: SystemClock.now().plus(Duration::from_secs(86_400)),
            raw: b"From: a@clinic.example\r\nSubject: x\r\n\r\nhello\r\n",
            max_attachment: 1 << 20,
        })
        .unwrap();
    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        let url = format!("{base}{path}");
        async move { http.get(url).send().await.unwrap() }
    };
    let key = hex::encode("clinic");

    let page = get(format!("/m/{}", d.id)).await;
    let page_csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(page_csp.contains("script-src 'self'"), "{page_csp}");
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("href=\"/static/brand/{key}/style.css\"")),
        "{html}"
    );
    assert!(
        html.contains(&format!("src=\"/static/brand/{key}/logo\" alt=\"\"")),
        "{html}"
    );
    assert!(html.contains("<p class=\"intro\">Riverside &lt;sends&gt; results securely.</p>"));

    let css = get(format!("/static/brand/{key}/style.css")).await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(
        css.text()
            .await
            .unwrap()
            .contains("header{background:#0b5394;color:#ffffff")
    );

    let logo = get(format!("/static/brand/{key}/logo")).await;
    assert_eq!(logo.status(), 200);
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert_eq!(logo.headers()["x-content-type-options"], "nosniff");
    let csp = logo.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("sandbox") && !csp.contains("script-src"),
        "{csp}"
    );
    assert_eq!(logo.text().await.unwrap(), SVG);

    // Unbranded, unknown or malformed keys: nothing there.
    let plain_key = hex::encode("plain");
    for path in [
        format!("/static/brand/{plain_key}/style.css"),
        format!("/static/brand/{plain_key}/logo"),
        "/static/brand/00/logo".to_string(),
        "/static/brand/../portal.css/logo".to_string(),
    ] {
        assert_eq!(get(path.clone()).await.status(), 404, "{path}");
    }
}
