//! Acceptance (issue 12, secure portal part 1), end to end through the real `sealgate serve`:
//!
//! - a PHI message (the shipped chain `tls-verified → pgp → smime → portal → hold`) to two
//!   keyless recipients whose MX (aiosmtpd, `smtp-receiver.py`) offers no STARTTLS → each gets
//!   one notification; the recipients become `escrowed`; each notification verifies with
//!   dkimpy and opendkim under the tenant's key and carries no PHI (no SSN, no subject);
//! - a third recipient's MX refuses the notification with 550 → `bounced`, one DSN to the
//!   sender (no PHI), its escrow withdrawn;
//! - two plain GETs of the link (a "scanner") change nothing: no code mail, the copy active;
//! - in Chromium (Debian's, Playwright, `portal-browser.py` in `e2e` mode): "Email me a code"
//!   → the code arrives by mail (DKIM-signed by the tenant, no link) → entered → the message
//!   shows, the PDF attachment downloads byte-identical;
//! - `sealgate portal revoke` → the link's page says "withdrawn on"; `queue show` carries the
//!   portal events; `portal show` lists them;
//! - store alone: gateway stopped and the spool's finished bodies removed (recovery), the data
//!   directory, master key and databases open, without the link, nothing of the second copy
//!   (with its link, it opens: the check is not vacuous); `explain --keys` names `portal`;
//!   the canary SSN is nowhere in clear under the data directory, the logs or the metrics.
//!
//! And, with the portal on HTTPS (a test CA's `localhost` certificate) and a branded tenant:
//! per-message expiry tags (`[expire=1m]`, `[EXPIRES=2d]`, one over the tenant's own
//! `max_expiry` clamped to it) set each record's expiry from its deposit at accept, `queue
//! show` and `portal show` print it, the tag is gone from the escrowed subject; curl trusting
//! the CA reads the page (HSTS, the tenant's intro and style sheet) and the logo (sandbox
//! CSP), refuses it without the CA, plain HTTP gets no page; the notification carries the
//! intro and colour; `sealgate_portal_events_total` counts deposits, notifications, opens
//! and revokes by tenant, with no address or id in the metrics; `config check` refuses an SVG
//! logo with an event handler, naming the key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::{Clock, SystemClock};
use sealgate_portal::{EscrowStore, Half};
use sealgate_tests::certs::TestCa;
use sealgate_tests::crypto::{assert_verifies, dkim_key, public_keys};
use sealgate_tests::portal::{
    curl_get, escrow_of, event_kinds, files_containing, link_in, portal_cli, portal_count,
};
use sealgate_tests::queue;
use sealgate_tests::receiver::{Receiver, free_port, test_cert};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, http_get, sealgate};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const INTRO: &str = "Acme Health sends results through secure mail.";
const LOGO_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" height=\"48\">\
<rect width=\"96\" height=\"48\" fill=\"#0b5394\"/></svg>";
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(120);
const SSN: &str = "123-45-6789";
const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

fn b64(data: &[u8]) -> String {
    let mut out = Vec::new();
    let mut child = std::process::Command::new("base64")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), data).unwrap();
    std::io::Read::read_to_end(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    child.wait().unwrap();
    String::from_utf8(out).unwrap().replace('\n', "\r\n")
}

fn phi_message(to: &str) -> String {
    phi_message_about(to, "lab results")
}

fn phi_message_about(to: &str, subject: &str) -> String {
    format!(
        "From: Dr Avery <alice@acme-health.org>\r\nTo: <{to}>\r\nSubject: {subject}\r\n\
Message-ID: <{to}.portal@t>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nPatient SSN {SSN}, results attached.\r\n\
--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"results.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}--b1--\r\n",
        b64(PDF)
    )
}

fn send(gw: &Gateway, to: &str) -> String {
    send_about(gw, to, "lab results")
}

fn send_about(gw: &Gateway, to: &str, subject: &str) -> String {
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    let reply = s.send_mail(
        "alice@acme-health.org",
        &[to],
        &phi_message_about(to, subject),
    );
    reply.expect(250, "2.0.0", "end of data");
    queued_id(&reply).unwrap()
}

struct Rig {
    env: Env,
    pubkeys: std::path::PathBuf,
    dest: Receiver,
    tenant: Receiver,
    gw: Gateway,
    base: String,
    portal: SocketAddr,
    /// The test CA that issued the portal's certificate (HTTPS rigs only).
    ca: Option<std::path::PathBuf>,
}

fn rig() -> Rig {
    rig_with(false)
}

/// The gateway, its receivers and the portal — on HTTPS with a test CA's `localhost`
/// certificate when `https`.
fn rig_with(https: bool) -> Rig {
    let env = Env::new();
    let (rsa, gwk) = (
        dkim_key(&env.etc(), "acme-rsa", false),
        dkim_key(&env.etc(), "gw", false),
    );
    let pubkeys = env.etc().join("keys.txt");
    public_keys(
        &pubkeys,
        &[
            ("rsa2026", "acme-health.org", &rsa),
            ("gw2026", "gw.sealgate.test", &gwk),
        ],
    );
    let q = |p: &Path| serde_json::to_string(&p.to_string_lossy()).unwrap();
    let cert = test_cert(&env.etc(), "return.acme-health.org");
    // The recipients' MX offers no STARTTLS at all; the tenant's return route does.
    let dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
    let tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), Some(&cert));
    let port = free_port(LOOPBACK);
    let (scheme, tls, ca) = if https {
        let ca = TestCa::new(&env.etc(), "portal");
        let leaf = ca.leaf(&env.etc(), "portal", &["localhost"], false);
        let lines = format!("tls_cert = {}\ntls_key = {}\n", q(&leaf.cert), q(&leaf.key));
        env.write_etc("logo.svg", LOGO_SVG);
        ("https", lines, Some(ca.pem_file))
    } else {
        ("http", String::new(), None)
    };
    let base = format!("{scheme}://localhost:{port}");
    // The HTTPS rig's tenant is branded too: intro, colour and an SVG logo.
    let brand = if https {
        format!(
            "intro = \"{INTRO}\"\ncolour = \"#0b5394\"\nlogo = {}\nmax_expiry = \"90d\"\n",
            q(&env.etc().join("logo.svg"))
        )
    } else {
        String::new()
    };
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        tenants: format!(
            "[tenants.acme]\nnetworks = [\"127.0.0.1/32\"]\nsender_domains = [\"acme-health.org\"]\n\n[[tenants.acme.dkim]]\ndomain = \"acme-health.org\"\nselector = \"rsa2026\"\nkey = {}\n",
            q(&rsa.path)
        ),
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[gateway]\ndkim_selector = \"gw2026\"\ndkim_key = {}\n\n[delivery.routes]\n\"dest.test\" = \"{}\"\n\"acme-health.org\" = \"{}\"\n\n\
[portal]\nlisten = \"127.0.0.1:{port}\"\n{tls}\n[portal.tenants.acme]\nbase_url = \"{base}\"\n\
organisation = \"Acme Health\"\nhelp = \"Questions? Call 555-0100.\"\n{brand}",
            q(&gwk.path),
            dest.addr,
            tenant.addr
        ),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);
    Rig {
        env,
        pubkeys,
        dest,
        tenant,
        gw,
        base,
        portal: SocketAddr::new(LOOPBACK, port),
        ca,
    }
}

#[test]
fn escrow_notify_read_in_chromium_revoke_and_the_store_alone_opens_nothing() {
    let Rig {
        env,
        pubkeys,
        mut dest,
        mut tenant,
        gw,
        base,
        portal,
        ..
    } = rig();
    let pat_id = send(&gw, "pat@dest.test");
    let sam_id = send(&gw, "sam@dest.test");
    // The receiver refuses `reject-…` at RCPT with 550: the notification fails for good.
    let rob_id = send(&gw, "reject-rob@dest.test");
    for id in [&pat_id, &sam_id] {
        let e = queue::wait_all(&gw, &env, id, "escrowed", WAIT);
        let copy = queue::attempts(&e).last().unwrap()["copy"].clone();
        assert_eq!(copy["protection"], "portal", "{e}");
        assert!(
            copy["key"].as_str().unwrap().starts_with("escrow "),
            "{copy}"
        );
    }
    let e = queue::wait_all(&gw, &env, &rob_id, "bounced", WAIT);
    assert_eq!(
        queue::attempts(&e).last().unwrap()["copy"]["protection"],
        "portal",
        "{e}"
    );
    let dsn = tenant.wait_messages(1, WAIT, "the DSN for the refused notification");
    let dsn_text = String::from_utf8_lossy(&dsn[0].bytes()).to_string();
    assert!(
        dsn_text.contains("reject-rob@dest.test") && !dsn_text.contains(SSN),
        "{dsn_text}"
    );
    let listed = portal_cli(&gw, &["list"]);
    let rob = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["recipient"] == "reject-rob@dest.test")
        .expect("rob's escrow");
    assert_eq!(
        rob["state"], "revoked",
        "an unsent escrow is withdrawn: {rob}"
    );
    // One notification each, over the plaintext hop: DKIM by the tenant, no PHI.
    let got = dest.wait_messages(2, WAIT, "the notifications");
    let mut links = HashMap::new();
    for m in &got {
        let bytes = m.bytes();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!m.tls, "the hop was supposed to be plaintext");
        assert!(
            !text.contains(SSN) && !text.contains("lab results"),
            "PHI in: {text}"
        );
        assert!(
            text.contains("Subject: Secure message from Acme Health"),
            "{text}"
        );
        assert_verifies(&pubkeys, &bytes, 0, "rsa2026", "acme-health.org");
        links.insert(m.rcpt_tos[0].clone(), link_in(&bytes, &base));
    }
    let (pat_link, sam_link) = (&links["pat@dest.test"], &links["sam@dest.test"]);

    // A scanner: two plain GETs change nothing and send nothing.
    let path = format!("/m/{}", escrow_of(pat_link));
    for _ in 0..2 {
        let (status, page) = http_get(portal, &path, None, WAIT).unwrap();
        assert_eq!(status, 200);
        assert!(String::from_utf8_lossy(&page).contains("Email me a code"));
    }
    let shown = portal_cli(&gw, &["show", &escrow_of(pat_link)]);
    assert_eq!(shown["record"]["state"], "active", "{shown}");
    let kinds = event_kinds(&shown);
    assert!(!kinds.iter().any(|k| k.starts_with("code")), "{kinds:?}");
    assert_eq!(dest.messages().len(), 2, "a GET sent mail");

    // Chromium: code by mail, message, attachment.
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/portal-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let args = serde_json::json!({
        "mode": "e2e", "base": base, "link": pat_link, "mail_dir": dest.dir,
        "artifacts": artifacts, "attachment_sha256": hex::encode(Sha256::digest(PDF)),
        "canary": SSN, "codes": "", "links": {},
    });
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/portal-browser.py");
    let out = std::process::Command::new("python3")
        .arg(&driver)
        .arg(args.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "browser: {}", describe(&out));
    let code_mail = dest
        .messages()
        .into_iter()
        .map(|m| m.bytes())
        .find(|b| String::from_utf8_lossy(b).contains("secure mail code"))
        .expect("the code mail");
    let code_text = String::from_utf8_lossy(&code_mail);
    assert!(
        !code_text.contains("http") && !code_text.contains(SSN),
        "{code_text}"
    );
    assert_verifies(&pubkeys, &code_mail, 0, "rsa2026", "acme-health.org");

    // Revoke through the CLI: the page says withdrawn; queue show merges the portal events.
    let revoked = portal_cli(&gw, &["revoke", &escrow_of(pat_link)]);
    assert_eq!(revoked["state"], "revoked", "{revoked}");
    let (_, page) = http_get(portal, &path, None, WAIT).unwrap();
    assert!(String::from_utf8_lossy(&page).contains("withdrawn on"));
    let q = queue::show(&gw, &pat_id);
    let kinds = event_kinds(&q["portal"][0]);
    for want in [
        "escrowed",
        "notified",
        "code-sent",
        "code-passed",
        "viewed",
        "revoked",
    ] {
        assert!(kinds.iter().any(|k| k == want), "{want} missing: {kinds:?}");
    }
    let metrics = String::from_utf8_lossy(&gw.admin_get(&env, "/metrics").1).to_string();
    assert!(
        metrics.contains("method=\"portal\""),
        "no portal copies counted"
    );

    // Store alone: stop, remove finished bodies, open everything — without the link.
    let cfg = gw.config.clone();
    gw.terminate();
    // `explain --keys` (gateway stopped) names the method a keyless recipient gets now.
    let eml = env.write_etc("nel.eml", &phi_message("nel@dest.test"));
    let args = [
        "explain",
        eml.to_str().unwrap(),
        "--keys",
        "--config",
        cfg.to_str().unwrap(),
    ];
    let out = sealgate(&args);
    assert!(out.status.success(), "explain --keys: {}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("next hop does not:") && l.trim_end().ends_with("portal")),
        "a keyless recipient behind a plaintext hop gets the portal:\n{text}"
    );
    assert!(!text.contains(SSN), "a matched value leaked:\n{text}");
    let (dir, key) = (env.data(), env.data().join("master.key"));
    let spool = Spool::open(
        &dir,
        MasterKeys::load(&key).unwrap(),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
    )
    .unwrap();
    sealgate_core::store::QueueStore::recover(&spool, SystemClock.now()).unwrap();
    drop(spool);
    let store = EscrowStore::open(
        &dir,
        Arc::new(MasterKeys::load(&key).unwrap()),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
    )
    .unwrap();
    let sam: sealgate_portal::EscrowId = escrow_of(sam_link).parse().unwrap();
    assert!(store.record(sam).unwrap().is_active());
    assert!(store.read(sam, None).is_err(), "opened without the link");
    for guess in [[0u8; 32], [0xff; 32]] {
        assert!(store.read(sam, Some(&Half::from_bytes(guess))).is_err());
    }
    let pat: sealgate_portal::EscrowId = escrow_of(pat_link).parse().unwrap();
    let pat_half = Half::from_fragment(pat_link.split('#').nth(1).unwrap()).unwrap();
    assert!(
        store.read(pat, Some(&pat_half)).is_err(),
        "a revoked copy opened"
    );
    let sam_half = Half::from_fragment(sam_link.split('#').nth(1).unwrap()).unwrap();
    assert!(
        store.read(sam, Some(&sam_half)).is_ok(),
        "with its link the copy opens (the check above is not vacuous)"
    );
    let mut hits = files_containing(&dir, SSN.as_bytes());
    hits.extend(files_containing(&env.logs(), SSN.as_bytes()));
    assert!(hits.is_empty(), "the canary in clear: {hits:?}");
    assert!(!metrics.contains(SSN));
}

/// (recipient, subject with an expiry tag, the lifetime the record must get in ms).
type Sent = (&'static str, &'static str, u64);

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
