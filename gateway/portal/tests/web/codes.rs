//! Codes from another browser, expiry, idle sessions, withdrawn pages and static assets (part of
//! `web.rs`, split for length).

use super::*;

#[tokio::test]
async fn a_code_from_another_browser_is_refused_and_five_wrong_codes_lock() {
    let rig = Rig::new().await;
    let d = rig.deposit(Duration::from_secs(86_400));
    let (mut a, mut other) = (Browser::new(&rig), Browser::new(&rig));
    a.get(&format!("/m/{}", d.id)).await;
    a.post(&format!("/m/{}/code", d.id), &[]).await;
    let code = rig.mail.codes.lock().unwrap()[0].1.clone();
    other.get(&format!("/m/{}", d.id)).await;
    let (status, page) = other
        .post(&format!("/m/{}/verify", d.id), &[("code", &code)])
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("no code waiting for this browser"), "{page}");

    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (1..5).rev() {
        let (status, page) = a
            .post(&format!("/m/{}/verify", d.id), &[("code", wrong)])
            .await;
        assert_eq!(status, 422);
        assert!(page.contains(&format!("try {left} more time")), "{page}");
    }
    let (status, page) = a
        .post(&format!("/m/{}/verify", d.id), &[("code", wrong)])
        .await;
    assert_eq!(status, 429);
    assert!(
        page.contains("locked because a wrong code was entered 5 times"),
        "{page}"
    );
    let (status, _) = a
        .post(&format!("/m/{}/verify", d.id), &[("code", &code)])
        .await;
    assert_eq!(status, 429, "locked even for the right code");
    assert!(rig.events(&d).contains(&"code-locked"));
}

#[tokio::test]
async fn an_expired_code_is_refused_with_a_clear_message() {
    let rig = Rig::new().await;
    let d = rig.deposit(Duration::from_secs(86_400));
    let mut b = Browser::new(&rig);
    b.get(&format!("/m/{}", d.id)).await;
    b.post(&format!("/m/{}/code", d.id), &[]).await;
    let code = rig.mail.codes.lock().unwrap()[0].1.clone();
    rig.advance(Duration::from_secs(601));
    let (status, page) = b
        .post(&format!("/m/{}/verify", d.id), &[("code", &code)])
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("That code has expired"), "{page}");
}

#[tokio::test]
async fn the_session_ends_after_fifteen_idle_minutes() {
    let rig = Rig::new().await;
    let d = rig.deposit(Duration::from_secs(86_400));
    let mut b = Browser::new(&rig);
    assert_eq!(b.log_in(&d).await.0, 303);
    rig.advance(Duration::from_secs(14 * 60));
    let key = d.link_half.to_fragment();
    assert_eq!(
        b.post_raw(&format!("/m/{}/open", d.id), &[("key", &key)])
            .await
            .status(),
        200
    );
    rig.advance(Duration::from_secs(15 * 60));
    let (status, page) = b.post(&format!("/m/{}/open", d.id), &[("key", &key)]).await;
    assert_eq!(status, 401);
    assert!(page.contains("logged off after 15 minutes"), "{page}");
    let (_, page) = b.get(&format!("/m/{}", d.id)).await;
    assert!(page.contains("Email me a code"), "back to the code step");
}

#[tokio::test]
async fn withdrawn_and_expired_pages_say_so_with_the_date_and_ask_the_sender() {
    let rig = Rig::new().await;
    let revoked = rig.deposit(Duration::from_secs(86_400));
    let expiring = rig.deposit(Duration::from_secs(60));
    rig.store.revoke(revoked.id, Actor::Admin).unwrap();
    let mut b = Browser::new(&rig);
    let (status, page) = b.get(&format!("/m/{}", revoked.id)).await;
    assert_eq!(status, 410);
    assert!(
        page.contains("This message was withdrawn on 3 December 2026."),
        "{page}"
    );
    let (status, page) = b.post(&format!("/m/{}/ask", revoked.id), &[]).await;
    assert_eq!(status, 410);
    assert!(page.contains("We asked the sender"));
    assert_eq!(*rig.mail.asks.lock().unwrap(), [revoked.id.to_string()]);

    rig.advance(Duration::from_secs(60));
    let (status, page) = b.get(&format!("/m/{}", expiring.id)).await;
    assert_eq!(status, 410);
    assert!(
        page.contains("This message expired on 3 December 2026."),
        "{page}"
    );
    assert!(matches!(
        rig.store.read(expiring.id, Some(&expiring.link_half)),
        Err(sealgate_portal::PortalError::Expired)
    ));
}

#[tokio::test]
async fn static_assets_and_unknown_links_carry_the_headers_too() {
    let rig = Rig::new().await;
    for (path, status) in [
        ("/static/portal.js", 200),
        ("/static/portal.css", 200),
        ("/m/nothing", 404),
        ("/m/00000000000000000000000000000000", 404),
        ("/", 200),
        ("/nowhere", 404),
    ] {
        let r = rig
            .http
            .get(format!("{}{path}", rig.base))
            .send()
            .await
            .unwrap();
        check_headers(&r);
        assert_eq!(r.status().as_u16(), status, "{path}");
    }
}
