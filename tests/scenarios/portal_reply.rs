//! Acceptance (issue 13, item 2: secure reply), end to end through the real `sealgate serve`:
//!
//! A PHI message from `alice@acme-health.org` to the keyless `maria@dest.test` (whose MX,
//! aiosmtpd, offers no STARTTLS) is escrowed; its original headers name Maria Lopez, Cc a
//! colleague inside the tenant (`bob@acme-health.org`) and one outside
//! (`eve@outside.example`). In Chromium (Debian's, Playwright, `portal-reply-browser.py`) the
//! recipient logs in with the mailed code, opens "Reply to the sender" (axe-core clean,
//! screenshots at 320 px), replies with a binary attachment, then replies to all; a cross-site
//! POST is refused (403), an oversized one refused while reading (413), and over the daily cap
//! (`reply_daily_limit = 2`) the form and a POST say so (429). The first reply's text carries an
//! SSN: the rules classify it as PHI, and it still goes by the return route over verified TLS.
//!
//! The replies arrive at the tenant's return route — a real Postfix with a test CA's
//! certificate for `return.acme-health.org`, requiring TLS — over verified TLS: threaded
//! (`In-Reply-To` = the original Message-ID, `References` continuing it, `Re:` subject), From
//! "Maria Lopez via Acme Health secure mail" at the tenant's portal address, `Reply-To` never
//! the patient's address, DKIM verified by dkimpy with the tenant's key, the attachment
//! byte-identical (read by Python's `email`). Reply-all reaches alice and bob only: no copy for
//! eve or the patient anywhere. The escrow's events and `sealgate_portal_events_total` count
//! two `replied`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::certs::TestCa;
use sealgate_tests::crypto::{assert_verifies, dkim_key, public_keys};
use sealgate_tests::dns::{DnsServer, Zone};
use sealgate_tests::portal::{
    escrow_of, event_kinds, files_containing, link_in, portal_cli, portal_count,
};
use sealgate_tests::postfix::{Options, Postfix, Tls};
use sealgate_tests::queue;
use sealgate_tests::receiver::{Receiver, free_port};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, toml_path as q};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::Duration;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(120);
const RETURN_HOST: &str = "return.acme-health.org";
const ORIGINAL_ID: &str = "<visit-42.results@acme-health.org>";
const EARLIER_ID: &str = "<visit-41.booking@acme-health.org>";
const SSN: &str = "123-45-6789";

fn original() -> String {
    format!(
        "From: Dr Avery <alice@acme-health.org>\r\nTo: Maria Lopez <maria@dest.test>\r\n\
Cc: Bob Nurse <bob@acme-health.org>, Eve Outside <eve@outside.example>\r\nSubject: lab results\r\n\
Message-ID: {ORIGINAL_ID}\r\nReferences: {EARLIER_ID}\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
Patient SSN {SSN}: your results are ready. Please send the scan back.\r\n"
    )
}

/// Python's `email` reading one delivered reply: the headers the test checks and each
/// attachment's name and SHA-256.
fn parse(file: &Path) -> serde_json::Value {
    let script = r#"
import email, email.policy, hashlib, json, sys
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
out = {k: str(m.get(k, '')) for k in ('Message-ID', 'From', 'Reply-To', 'To', 'Subject', 'In-Reply-To', 'References', 'Delivered-To', 'Received')}
out['attachments'] = [{'name': p.get_filename(), 'sha256': hashlib.sha256(p.get_payload(decode=True)).hexdigest()} for p in m.iter_attachments()]
out['text'] = m.get_body(('plain',)).get_content()
print(json.dumps(out))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "python email: {}", describe(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_portal_reply_arrives_threaded_signed_with_its_attachment_and_only_inside_the_tenant() {
    let env = Env::new();
    let ca = TestCa::new(&env.etc(), "rig");
    let host = ca.leaf(&env.etc(), "return-host", &[RETURN_HOST], false);
    let postfix = Postfix::start_opts(&Options {
        tls: Some(Tls::Chain {
            cert: host.cert.clone(),
            key: host.key.clone(),
        }),
        domains: vec!["acme-health.org".into()],
        settings: vec![
            "smtpd_tls_security_level=encrypt".into(),
            "smtpd_tls_received_header=yes".into(),
        ],
        ..Options::default()
    });
    let dns = DnsServer::start(&[Zone::new("acme-health.org").a(RETURN_HOST, Ipv4Addr::LOCALHOST)]);
    let mut dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
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
    let port = free_port(LOOPBACK);
    let base = format!("http://localhost:{port}");
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        tenants: format!(
            "[tenants.acme]\nnetworks = [\"127.0.0.1/32\"]\nsender_domains = [\"acme-health.org\"]\n\n\
[tenants.acme.return_route]\nhost = \"{RETURN_HOST}\"\nport = {}\n\n\
[[tenants.acme.dkim]]\ndomain = \"acme-health.org\"\nselector = \"rsa2026\"\nkey = {}\n",
            postfix.addr.port(),
            q(&rsa.path)
        ),
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[gateway]\ndkim_selector = \"gw2026\"\ndkim_key = {}\n\n[delivery.routes]\n\"dest.test\" = \"{}\"\n\n\
[delivery.testing]\n{}\n\n[tls.testing]\nmx_ca = {}\n\n\
[portal]\nlisten = \"127.0.0.1:{port}\"\nreply_daily_limit = 2\n\n[portal.tenants.acme]\nbase_url = \"{base}\"\n\
organisation = \"Acme Health\"\nhelp = \"Questions? Call 555-0100.\"\nreply_max_size = \"1MiB\"\n",
            q(&gwk.path),
            dest.addr,
            dns.nameservers_line(),
            q(&ca.pem_file),
        ),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);

    // The original, escrowed for Maria; her notification carries the link.
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    let reply = s.send_mail("alice@acme-health.org", &["maria@dest.test"], &original());
    reply.expect(250, "2.0.0", "end of data");
    let id = queued_id(&reply).unwrap();
    queue::wait_all(&gw, &env, &id, "escrowed", WAIT);
    let notes = dest.wait_messages(1, WAIT, "the notification");
    let link = link_in(&notes[0].bytes(), &base);

    // Chromium: log in, reply with an attachment, reply to all, the refusals.
    let attachment = env.etc().join("scan.bin");
    let data: Vec<u8> = (0..150_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&attachment, &data).unwrap();
    let big = env.etc().join("big.bin");
    std::fs::write(&big, vec![7u8; 2 << 20]).unwrap();
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/portal-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let args = serde_json::json!({
        "base": base, "link": link, "mail_dir": dest.dir, "artifacts": artifacts,
        "attachment": attachment, "big": big, "limit": 2, "canary": SSN,
    });
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/portal-reply-browser.py");
    let out = std::process::Command::new("python3")
        .arg(&driver)
        .arg(args.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "browser: {}", describe(&out));
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    eprintln!("browser findings: {findings}");
    assert!(
        findings["first"]
            .as_str()
            .unwrap()
            .contains("alice@acme-health.org"),
        "{findings}"
    );

    // Three copies at the tenant's Postfix: the first reply (alice), reply-all (alice, bob).
    postfix.wait_delivered(3, WAIT);
    let delivered = postfix.delivered_to();
    let mut to: Vec<&str> = delivered.iter().map(|(t, _)| t.as_str()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "alice@acme-health.org",
            "alice@acme-health.org",
            "bob@acme-health.org"
        ],
        "reply-all stays inside the tenant"
    );
    let mut with_file = 0;
    for (_, file) in &delivered {
        let bytes = std::fs::read(file).unwrap();
        let m = parse(file);
        assert_eq!(m["In-Reply-To"], ORIGINAL_ID, "{m}");
        let refs = m["References"].as_str().unwrap();
        assert!(
            refs.contains(EARLIER_ID) && refs.ends_with(ORIGINAL_ID),
            "{m}"
        );
        assert_eq!(m["Subject"], "Re: lab results", "{m}");
        assert_eq!(
            m["From"], "Maria Lopez via Acme Health secure mail <secure-mail@acme-health.org>",
            "{m}"
        );
        let reply_to = m["Reply-To"].as_str().unwrap();
        assert!(
            reply_to.contains("secure-mail@acme-health.org") && !reply_to.contains("maria@"),
            "{m}"
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("maria@dest.test"),
            "the patient's address in: {text}"
        );
        assert!(
            m["Received"].as_str().unwrap().contains("using TLS"),
            "not over TLS: {m}"
        );
        assert_verifies(&pubkeys, &bytes, 0, "rsa2026", "acme-health.org");
        // The gateway's record: the return route, verified TLS, the tenant's DKIM key.
        let mid = m["Message-ID"].as_str().unwrap();
        let reply_id = mid
            .strip_prefix('<')
            .and_then(|m| m.split_once(".reply@"))
            .map(|(id, _)| id)
            .unwrap_or_else(|| panic!("not a portal reply Message-ID: {mid}"));
        let entry = queue::entry(&gw, &env, reply_id).expect("the reply in the queue");
        let last = queue::attempts(&entry).last().unwrap().clone();
        assert_eq!(last["cert_verified"], true, "{last}");
        assert!(
            last["copy"].to_string().contains("d=acme-health.org"),
            "{last}"
        );
        if let Some(a) = m["attachments"].as_array().unwrap().first() {
            with_file += 1;
            // The first reply's text carries an SSN: classified as PHI like any message.
            assert!(m["text"].as_str().unwrap().contains(SSN), "{m}");
            assert_eq!(entry["message"]["decision"]["phi"], true, "{entry}");
            assert_eq!(a["name"], "scan.bin", "{m}");
            assert_eq!(a["sha256"], hex::encode(Sha256::digest(&data)), "{m}");
        }
    }
    assert_eq!(with_file, 1, "one reply carried the attachment");
    assert!(
        !postfix.maillog().contains("eve@outside.example"),
        "eve was offered a reply"
    );
    assert_eq!(
        dest.messages().len(),
        2,
        "only the notification and the code reached the recipient's MX"
    );

    // Counted: two replied events on the escrow and in the metrics.
    let shown = portal_cli(&gw, &["show", &escrow_of(&link)]);
    let kinds = event_kinds(&shown);
    assert_eq!(
        kinds.iter().filter(|k| *k == "replied").count(),
        2,
        "{kinds:?}"
    );
    let metrics = String::from_utf8_lossy(&gw.admin_get(&env, "/metrics").1).to_string();
    assert_eq!(portal_count(&metrics, "acme", "replied"), 2);
    assert!(!metrics.contains(SSN));
    // Neither the original's SSN nor the reply's is in a log line.
    assert!(!gw.log_text().contains(SSN), "the SSN in the gateway's log");
    assert!(files_containing(&env.logs(), SSN.as_bytes()).is_empty());
}
