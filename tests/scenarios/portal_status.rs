//! Acceptance (issue 13 items 3 and 4, the sender's side of the secure portal), end to end
//! through the real `sealgate serve` with short `[portal]` intervals (`sweep_interval` 200 ms,
//! `reminder_after` 3 s, `expiry_warning` 50 s) and `read_receipt = true`:
//!
//! - two escrowed messages (pat's, 30 days; sam's, `[expire=1m]`) → one receipt each to the
//!   sender over the tenant's TLS hop, DKIM-signed by the gateway (as a DSN is): the date, the reference word
//!   and the status link, no subject, body or recipient address;
//! - the status link: a GET shows "Continue" only; a cross-site POST (foreign `Origin`, or
//!   `Sec-Fetch-Site: cross-site`) is refused, also for revoke; one message's token shows its
//!   own copy only, an altered token nothing; "Extend" moves sam's expiry a week on;
//! - unread after 3 s: one reminder to each recipient (no link in `link` mode: the reference
//!   word and the original mail's subject) and one note to the sender; 50 s before expiry one
//!   warning to sam (none to pat, whose copy lives 30 days);
//! - in Chromium: the page (axe-core clean, 320 px screenshots) says notified / not opened;
//!   Spanish for a browser asking `es`;
//! - the gateway restarts (a `replied` event appended through the store API meanwhile); then
//!   pat reads the message in Chromium → one read receipt to the sender; the page shows
//!   opened and replied; "Withdraw" on the page → pat's link says "withdrawn"; sam's copy is
//!   untouched;
//! - every reminder, note, warning and receipt was sent once: the receivers' counts and the
//!   escrows' event logs, after the restart and many sweeps.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::SystemClock;
use sealgate_portal::{Actor, EscrowStore, PortalEventKind};
use sealgate_tests::crypto::{assert_verifies, dkim_key, public_keys};
use sealgate_tests::portal::{escrow_of, event_kinds, link_in, portal_cli};
use sealgate_tests::queue;
use sealgate_tests::receiver::{Received, Receiver, free_port, test_cert};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, run, toml_path};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "portal_status/steps.rs"]
mod steps;
use steps::{extend, reminders, restart_with_reply, sent_once};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(90);
const SSN: &str = "123-45-6789";
const SENDER: &str = "alice@acme-health.org";

fn send(gw: &Gateway, to: &str, subject: &str) -> String {
    let body = format!(
        "From: Dr Avery <{SENDER}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n\
Message-ID: <{to}.status@t>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nPatient SSN {SSN}, results are normal.\r\n"
    );
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    let reply = s.send_mail(SENDER, &[to], &body);
    reply.expect(250, "2.0.0", "end of data");
    queued_id(&reply).unwrap()
}

struct Rig {
    env: Env,
    pubkeys: PathBuf,
    dest: Receiver,
    tenant: Receiver,
    gw: Gateway,
    base: String,
}

fn rig() -> Rig {
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
    let cert = test_cert(&env.etc(), "return.acme-health.org");
    // Recipients' MX without STARTTLS (so `portal`); the sender's side with it.
    let dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
    let tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), Some(&cert));
    let port = free_port(LOOPBACK);
    let base = format!("http://localhost:{port}");
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        tenants: format!(
            "[tenants.acme]\nnetworks = [\"127.0.0.1/32\"]\nsender_domains = [\"acme-health.org\"]\n\n[[tenants.acme.dkim]]\ndomain = \"acme-health.org\"\nselector = \"rsa2026\"\nkey = {}\n",
            toml_path(&rsa.path)
        ),
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[gateway]\ndkim_selector = \"gw2026\"\ndkim_key = {}\n\n[delivery.routes]\n\"dest.test\" = \"{}\"\n\"acme-health.org\" = \"{}\"\n\n\
[portal]\nlisten = \"127.0.0.1:{port}\"\nsweep_interval = \"200ms\"\nreminder_after = \"3s\"\nexpiry_warning = \"50s\"\n\n\
[portal.tenants.acme]\nbase_url = \"{base}\"\norganisation = \"Acme Health\"\nhelp = \"Questions? Call 555-0100.\"\nread_receipt = true\n",
            toml_path(&gwk.path),
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
    }
}

fn subject(m: &Received) -> String {
    let bytes = m.bytes();
    let text = String::from_utf8_lossy(&bytes);
    text.lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or_default()
        .to_string()
}

fn text(m: &Received) -> String {
    String::from_utf8_lossy(&m.bytes()).to_string()
}

/// The messages whose subject contains `needle` (to `to` when given).
fn matching(rx: &mut Receiver, needle: &str, to: Option<&str>) -> Vec<Received> {
    rx.messages()
        .into_iter()
        .filter(|m| subject(m).contains(needle) && to.is_none_or(|t| m.rcpt_tos[0] == t))
        .collect()
}

/// Waits (with a deadline) until `n` such messages arrived.
fn wait_for(rx: &mut Receiver, needle: &str, to: Option<&str>, n: usize) -> Vec<Received> {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = matching(rx, needle, to);
        if got.len() >= n {
            return got;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "{needle:?} to {to:?}: {} of {n}",
            got.len()
        );
        rx.next_event(left);
    }
}

fn reference_in(notification: &str) -> String {
    let at = notification.find("Reference word: ").unwrap() + "Reference word: ".len();
    notification[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// curl against the portal: status, head, body.
fn curl(args: &[&str]) -> (u16, String, String) {
    let out = run(
        Command::new("curl")
            .args(["-sS", "--max-time", "30", "-D", "-"])
            .args(args),
        Duration::from_secs(40),
    );
    assert!(out.status.success(), "curl {args:?}: {}", describe(&out));
    let all = String::from_utf8_lossy(&out.stdout).to_string();
    let (head, body) = all.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_string(), body.to_string())
}

/// GET of a status link with curl: its session cookie and CSRF token.
fn session_of(link: &str) -> (String, String) {
    let (status, head, body) = curl(&[link]);
    assert_eq!(status, 200, "{body}");
    let cookie = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie: "))
        .map(|l| &l["set-cookie: ".len()..])
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    let at = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = body[at..].split('"').next().unwrap().to_string();
    (cookie, csrf)
}

fn post(url: &str, cookie: &str, headers: &[&str], form: &str) -> (u16, String) {
    let mut args = vec!["-X", "POST", "-H"];
    let cookie = format!("Cookie: {cookie}");
    args.push(&cookie);
    for h in headers {
        args.extend(["-H", h]);
    }
    args.extend(["--data", form, url]);
    let (status, _, body) = curl(&args);
    (status, body)
}

fn browser(base: &str, dest: &Receiver, steps: serde_json::Value) -> serde_json::Value {
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/portal-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let args = serde_json::json!({
        "base": base, "artifacts": artifacts, "mail_dir": dest.dir, "steps": steps,
    });
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/status-browser.py");
    let out = Command::new("python3")
        .arg(&driver)
        .arg(args.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "browser: {}", describe(&out));
    let line = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .to_string();
    serde_json::from_str(&line).unwrap()
}

fn count(kinds: &[String], kind: &str) -> usize {
    kinds.iter().filter(|k| *k == kind).count()
}

/// One escrowed copy as the test knows it: the recipient's link and reference word, and the
/// sender's status link for its message.
struct Copy {
    to: &'static str,
    link: String,
    reference: String,
    status: String,
}

/// The notifications' links and reference words, then the receipts: one per message, to the
/// sender over TLS, DKIM-signed by the gateway, no PHI, naming its own copy only.
fn receipts(r: &mut Rig) -> (Copy, Copy) {
    let mut copies: Vec<Copy> = wait_for(&mut r.dest, "Secure message from", None, 2)
        .iter()
        .map(|m| Copy {
            to: if m.rcpt_tos[0] == "pat@dest.test" {
                "pat@dest.test"
            } else {
                "sam@dest.test"
            },
            link: link_in(&m.bytes(), &r.base),
            reference: reference_in(&text(m)),
            status: String::new(),
        })
        .collect();
    copies.sort_by_key(|c| c.to);
    let received = wait_for(&mut r.tenant, "Secure message sent", Some(SENDER), 2);
    for m in &received {
        let body = text(m);
        assert!(m.tls, "the receipt went without TLS");
        for never in [SSN, "lab results", "pat@dest.test", "sam@dest.test"] {
            assert!(!body.contains(never), "{never} in the receipt: {body}");
        }
        assert_verifies(&r.pubkeys, &m.bytes(), 0, "gw2026", "gw.sealgate.test");
        let prefix = format!("{}/s/", r.base);
        let at = body.find(&prefix).expect("the status link");
        let link = body[at..].split_whitespace().next().unwrap().to_string();
        let mine: Vec<usize> = (0..2)
            .filter(|i| body.contains(&copies[*i].reference))
            .collect();
        assert_eq!(mine.len(), 1, "one message's reference word: {body}");
        copies[mine[0]].status = link;
    }
    let sam = copies.pop().unwrap();
    let pat = copies.pop().unwrap();
    assert!(
        !pat.status.is_empty() && !sam.status.is_empty(),
        "one receipt per message"
    );
    (pat, sam)
}

/// A session on pat's status link; cross-site POSTs refused; each token opens its own
/// message only; an altered token nothing. Returns the cookie, the form and the Origin header.
fn guard_and_isolation(r: &Rig, pat: &Copy, sam: &Copy) -> (String, String, String) {
    let (cookie, csrf) = session_of(&pat.status);
    let form = format!("csrf={csrf}");
    let (_, _, get_body) = curl(&[&pat.status]);
    assert!(get_body.contains("Continue") && !get_body.contains(&pat.reference));
    let evil = "Origin: https://evil.example";
    let (status, body) = post(&pat.status, &cookie, &[evil], &form);
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains(&pat.reference) && !body.contains(pat.to));
    let (status, _) = post(&pat.status, &cookie, &["Sec-Fetch-Site: cross-site"], &form);
    assert_eq!(status, 403);
    let revoke = format!("{}/revoke", pat.status);
    let (status, _) = post(&revoke, &cookie, &[evil], &format!("{form}&copy=0"));
    assert_eq!(status, 403);
    let own = format!("Origin: {}", r.base);
    for (mine, other) in [(pat, sam), (sam, pat)] {
        let (status, page) = post(&mine.status, &cookie, &[&own], &form);
        assert_eq!(status, 200, "{page}");
        assert!(
            page.contains(mine.to) && page.contains(&mine.reference),
            "{page}"
        );
        assert!(
            !page.contains(other.to) && !page.contains(&other.reference),
            "{page}"
        );
    }
    let mut altered = pat.status.clone();
    let last = if altered.ends_with('A') { "B" } else { "A" };
    altered.replace_range(altered.len() - 1.., last);
    let (status, body) = post(&altered, &cookie, &[&own], &form);
    assert_eq!(status, 404);
    assert!(body.contains("not valid") && !body.contains("@dest.test"));
    let shown = portal_cli(&r.gw, &["show", &escrow_of(&pat.link)]);
    assert_eq!(
        shown["record"]["state"], "active",
        "a refused POST changed something"
    );
    (cookie, form, own)
}

#[test]
fn receipt_status_page_reminders_and_warnings_through_serve_and_chromium() {
    let mut r = rig();
    let pat_id = send(&r.gw, "pat@dest.test", "lab results");
    let sam_id = send(&r.gw, "sam@dest.test", "[expire=1m] lab results");
    for id in [&pat_id, &sam_id] {
        queue::wait_all(&r.gw, &r.env, id, "escrowed", WAIT);
    }
    let (pat, sam) = receipts(&mut r);
    let session = guard_and_isolation(&r, &pat, &sam);
    reminders(&mut r, &pat, &sam);
    extend(&r, &sam, &session);

    // Chromium: the page before the recipient acts (axe, 320 px), and in Spanish.
    let found = browser(
        &r.base,
        &r.dest,
        serde_json::json!([
            {"do": "status", "link": pat.status, "name": "before", "check": true},
            {"do": "spanish", "link": pat.status},
        ]),
    );
    for page in ["before-continue", "before", "spanish"] {
        assert_eq!(
            found["pages"][page]["violations"], 0,
            "axe on {page}: {found}"
        );
    }
    let before = found["texts"]["before"].as_str().unwrap();
    assert!(
        before.contains(pat.to) && before.contains(&pat.reference),
        "{before}"
    );
    assert!(
        before.contains("Not yet") && before.contains("Replied\nNo"),
        "{before}"
    );
    let spanish = found["texts"]["spanish"].as_str().unwrap();
    assert!(
        spanish.contains("Destinatarios") && spanish.contains("Retirar"),
        "{spanish}"
    );

    let mut r = restart_with_reply(r, &pat);
    // The recipient reads it → one read receipt; the page shows opened and replied; withdraw
    // from the page → the recipient's link says withdrawn.
    browser(
        &r.base,
        &r.dest,
        serde_json::json!([{"do": "read", "link": pat.link}]),
    );
    let read = wait_for(
        &mut r.tenant,
        "Your secure message was read",
        Some(SENDER),
        1,
    );
    let read = text(&read[0]);
    assert!(
        read.contains(&pat.reference) && !read.contains("@dest.test"),
        "{read}"
    );
    let found = browser(
        &r.base,
        &r.dest,
        serde_json::json!([
            {"do": "status", "link": pat.status, "name": "after", "check": true},
            {"do": "revoke", "link": pat.status, "recipient": pat.to},
            {"do": "recipient", "link": pat.link, "name": "withdrawn"},
        ]),
    );
    for page in ["after-continue", "after", "after-revoke"] {
        assert_eq!(
            found["pages"][page]["violations"], 0,
            "axe on {page}: {found}"
        );
    }
    let after = found["texts"]["after"].as_str().unwrap();
    assert!(
        !after.contains("Not yet") && !after.contains("Replied\nNo"),
        "{after}"
    );
    assert!(
        after.contains("Opened\n20") && after.contains("Replied\n20"),
        "{after}"
    );
    let revoked = found["texts"]["revoked"].as_str().unwrap();
    assert!(
        revoked.contains("Withdrawn: the recipient can no longer read it."),
        "{revoked}"
    );
    let withdrawn = found["texts"]["withdrawn"].as_str().unwrap();
    assert!(withdrawn.contains("withdrawn on"), "{withdrawn}");
    let state =
        |c: &Copy| portal_cli(&r.gw, &["show", &escrow_of(&c.link)])["record"]["state"].clone();
    assert_eq!(state(&pat), "revoked");
    assert_ne!(state(&sam), "revoked", "another message's copy changed");
    sent_once(&mut r, &pat, &sam);
    r.gw.terminate();
}
