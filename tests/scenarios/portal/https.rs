//! The HTTPS listener, per-message expiry tags and the portal's event counters (part of
//! `portal.rs`, split for length).

use super::*;

/// Each escrowed copy's expiry: asked in the decision, clamped, counted from the deposit at
/// accept; `portal show` and `queue show` print it.
fn check_expiries(gw: &Gateway, links: &HashMap<String, String>, sent: &[Sent], ids: &[String]) {
    let wait = WAIT.as_millis() as u64;
    for ((to, subject, life), id) in sent.iter().zip(ids) {
        let q = queue::show(gw, id);
        let received = q["message"]["received_at"].as_u64().unwrap();
        let record = &q["portal"][0]["record"];
        let (created, expires) = (
            record["created"].as_u64().unwrap(),
            record["expires"].as_u64().unwrap(),
        );
        // Stamped by the escrow step a few milliseconds before the record's `created`.
        assert!(
            expires >= received + life && expires - received - life < wait,
            "{subject}: expires {expires}, accepted {received}: {record}"
        );
        assert!(
            expires - created <= *life && life - (expires - created) < 5_000,
            "{subject}: {record}"
        );
        let shown = portal_cli(gw, &["show", &escrow_of(&links[*to])]);
        assert_eq!(shown["record"]["expires"].as_u64(), Some(expires));
    }
    let q = queue::show(gw, &ids[0]);
    assert_eq!(q["message"]["decision"]["portal_expiry"], 60, "{q}");
    let (config, admin) = (gw.config.to_str().unwrap(), gw.admin.to_string());
    let args = [
        "queue", "show", &ids[0], "--config", config, "--admin", &admin,
    ];
    let out = sealgate(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Expiry    portal copies readable for 1m") && text.contains("expires "),
        "{}",
        describe(&out)
    );
}

/// curl trusting the test CA gets the page (HSTS, the tenant's intro and style sheet) and the
/// logo (under its sandbox CSP); without the CA it refuses; plain HTTP gets no page.
fn check_https(base: &str, ca: &Path, portal: SocketAddr, escrow: &str) {
    let url = format!("{base}/m/{escrow}");
    let (rc, head, body) = curl_get(&url, Some(ca));
    assert_eq!(rc, 0, "curl over HTTPS: {head}");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("strict-transport-security: max-age="),
        "{head}"
    );
    assert!(body.contains("Email me a code"), "{body}");
    let (rc, _, _) = curl_get(&url, None);
    assert_eq!(rc, 60, "curl must refuse a certificate from an unknown CA");
    let key = hex::encode("acme");
    assert!(body.contains(INTRO), "{body}");
    let sheet = format!("/static/brand/{key}/style.css");
    assert!(body.contains(&sheet), "{body}");
    let (rc, head, logo) = curl_get(&format!("{base}/static/brand/{key}/logo"), Some(ca));
    assert_eq!(rc, 0, "{head}");
    assert!(head.contains("content-type: image/svg+xml"), "{head}");
    assert!(head.contains("sandbox"), "{head}");
    assert_eq!(logo, LOGO_SVG);
    let plain = http_get(
        portal,
        &format!("/m/{escrow}"),
        None,
        Duration::from_secs(10),
    );
    assert!(
        !matches!(plain, Ok((200, _))),
        "the HTTPS listener answered plain HTTP"
    );
}

#[test]
fn https_listener_per_message_expiry_tags_and_portal_event_counters() {
    let Rig {
        env,
        mut dest,
        gw,
        base,
        portal,
        ca,
        ..
    } = rig_with(true);
    assert!(base.starts_with("https://localhost:"), "{base}");
    // One minute, two days, and more than the tenant's max_expiry (90 days: clamped).
    let sent: [Sent; 3] = [
        ("pat@dest.test", "[expire=1m] lab results", 60_000),
        ("sam@dest.test", "lab results [EXPIRES=2d]", 2 * 86_400_000),
        (
            "lee@dest.test",
            "lab results [expire=104w]",
            90 * 86_400_000,
        ),
    ];
    let ids: Vec<String> = sent
        .iter()
        .map(|(to, s, _)| send_about(&gw, to, s))
        .collect();
    for id in &ids {
        queue::wait_all(&gw, &env, id, "escrowed", WAIT);
    }
    let got = dest.wait_messages(3, WAIT, "the notifications");
    for m in &got {
        let text = String::from_utf8_lossy(&m.bytes()).to_string();
        assert!(
            text.contains(INTRO) && text.contains("color:#0b5394"),
            "{text}"
        );
    }
    let links: HashMap<String, String> = got
        .iter()
        .map(|m| (m.rcpt_tos[0].clone(), link_in(&m.bytes(), &base)))
        .collect();
    check_expiries(&gw, &links, &sent, &ids);
    let sam = escrow_of(&links["sam@dest.test"]);
    check_https(&base, &ca.unwrap(), portal, &sam);

    // Per-event counters by tenant: three deposits and notifications, one revoke; the GETs
    // above opened nothing (a link is "opened" by its first code request).
    // `extend` is capped by the tenant's own max_expiry (90 days), not `[portal]`'s.
    let (config, admin) = (gw.config.to_str().unwrap(), gw.admin.to_string());
    let far = [
        "portal", "extend", &sam, "--days", "120", "--config", config, "--admin", &admin,
    ];
    let said = describe(&sealgate(&far));
    assert!(said.contains("1..=90") && said.contains("tenant"), "{said}");
    portal_cli(&gw, &["extend", &sam, "--days", "30"]);
    portal_cli(&gw, &["revoke", &escrow_of(&links["lee@dest.test"])]);
    let metrics = String::from_utf8_lossy(&gw.admin_get(&env, "/metrics").1).to_string();
    for (event, n) in [
        ("escrowed", 3),
        ("notified", 3),
        ("opened", 0),
        ("revoked", 1),
        ("extended", 1),
        ("viewed", 0),
        ("code-failed", 0),
    ] {
        assert_eq!(portal_count(&metrics, "acme", event), n, "{event}");
    }
    for private in ["dest.test", &sam, SSN] {
        assert!(!metrics.contains(private), "{private} in the metrics");
    }

    // `config check` refuses a logo that is not a PNG or a script-free SVG, naming the key.
    let hostile = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    std::fs::write(env.etc().join("logo.svg"), hostile).unwrap();
    let out = sealgate(&["config", "check", gw.config.to_str().unwrap()]);
    assert!(!out.status.success(), "a hostile logo passed config check");
    let said = describe(&out);
    assert!(said.contains("portal.tenants.acme.logo"), "{said}");

    // The tag is stripped from the escrowed copy's subject (read with its link, gateway
    // stopped: one process owns the store).
    gw.terminate();
    let key = env.data().join("master.key");
    let store = EscrowStore::open(
        &env.data(),
        Arc::new(MasterKeys::load(&key).unwrap()),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
    )
    .unwrap();
    let half = Half::from_fragment(links["sam@dest.test"].split('#').nth(1).unwrap()).unwrap();
    let doc = store.read(sam.parse().unwrap(), Some(&half)).unwrap();
    assert_eq!(doc.subject, "lab results");
}
