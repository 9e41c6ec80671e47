//! `sealgate backup` / `sealgate restore` with the secure portal's escrow store, end to end
//! through the real `sealgate serve`:
//!
//! - two keyless recipients behind an MX without STARTTLS get a portal copy each (the shipped
//!   chain); one is withdrawn with `sealgate portal revoke`;
//! - `sealgate backup` runs against the live gateway (admin API): it reports both copies, one
//!   active; then the live gateway withdraws the other copy too (its stored half destroyed);
//! - the gateway stops; an offline `sealgate backup` opens the store itself (both copies
//!   withdrawn by then); `sealgate restore` of the online backup fills a new data directory and checks the escrow
//!   store (one active copy, none unreadable);
//! - the restored store, opened with the master key, opens the copy withdrawn after the backup
//!   with its link (subject, text and the PDF attachment byte-identical) — accepted mail is not
//!   lost by a restore — and the copy withdrawn before the backup stays withdrawn.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::SystemClock;
use sealgate_portal::{EscrowId, EscrowStore, Half};
use sealgate_tests::crypto::dkim_key;
use sealgate_tests::portal::{escrow_of, link_in, portal_cli};
use sealgate_tests::receiver::{Receiver, free_port};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, sealgate};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(120);
const PDF: &[u8] = b"%PDF-1.4\n%backup-check\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
const PDF_B64: &str =
    "JVBERi0xLjQKJWJhY2t1cC1jaGVjawoxIDAgb2JqCjw8Pj4KZW5kb2JqCnRyYWlsZXIKPDw+Pgol\r\nJUVPRgo=\r\n";

fn message(to: &str) -> String {
    format!(
        "From: Dr Avery <alice@acme-health.org>\r\nTo: <{to}>\r\nSubject: scan results\r\n\
Message-ID: <{to}.backup@t>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nPatient SSN 123-45-6789, scan attached.\r\n\
--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{PDF_B64}--b1--\r\n"
    )
}

fn gateway(env: &Env, dest: &Receiver, base: &str, port: u16) -> Gateway {
    let (rsa, gwk) = (
        dkim_key(&env.etc(), "acme-rsa", false),
        dkim_key(&env.etc(), "gw", false),
    );
    let q = |p: &Path| serde_json::to_string(&p.to_string_lossy()).unwrap();
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        tenants: format!(
            "[tenants.acme]\nnetworks = [\"127.0.0.1/32\"]\nsender_domains = [\"acme-health.org\"]\n\n[[tenants.acme.dkim]]\ndomain = \"acme-health.org\"\nselector = \"rsa2026\"\nkey = {}\n",
            q(&rsa.path)
        ),
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[gateway]\ndkim_selector = \"gw2026\"\ndkim_key = {}\n\n[delivery.routes]\n\"dest.test\" = \"{}\"\n\n\
[portal]\nlisten = \"127.0.0.1:{port}\"\n\n[portal.tenants.acme]\nbase_url = \"{base}\"\n\
organisation = \"Acme Health\"\nhelp = \"Questions? Call 555-0100.\"\n",
            q(&gwk.path),
            dest.addr,
        ),
        ..GatewayConfig::default()
    };
    Gateway::start(env, &cfg)
}

fn run(args: &[&str]) -> String {
    let out = sealgate(args);
    assert!(
        out.status.success(),
        "sealgate {args:?}: {}",
        describe(&out)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn backup_while_serving_keeps_escrowed_copies_and_restore_opens_them() {
    let env = Env::new();
    let mut dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
    let port = free_port(LOOPBACK);
    let base = format!("http://localhost:{port}");
    let gw = gateway(&env, &dest, &base, port);
    for to in ["pat@dest.test", "sam@dest.test"] {
        let mut s = Smtp::ready(gw.smtp);
        s.cmd("EHLO client.test");
        let reply = s.send_mail("alice@acme-health.org", &[to], &message(to));
        reply.expect(250, "2.0.0", "end of data");
        queued_id(&reply).unwrap();
    }
    let got = dest.wait_messages(2, WAIT, "the notifications");
    let link = |to: &str| {
        let m = got.iter().find(|m| m.rcpt_tos[0] == to).unwrap();
        link_in(&m.bytes(), &base)
    };
    let (pat_link, sam_link) = (link("pat@dest.test"), link("sam@dest.test"));
    portal_cli(&gw, &["revoke", &escrow_of(&pat_link)]);

    // Online backup, while the portal serves.
    let backup = env.root().join("backup");
    let (cfg, admin) = (gw.config.clone(), gw.admin.to_string());
    let cfg_s = cfg.to_str().unwrap();
    let said = run(&[
        "backup",
        backup.to_str().unwrap(),
        "--config",
        cfg_s,
        "--admin",
        &admin,
    ]);
    assert!(said.contains("(online)"), "{said}");
    assert!(
        said.contains("escrow store: 2 escrowed copies, 1 active, 2 files"),
        "{said}"
    );
    let sam: EscrowId = escrow_of(&sam_link).parse().unwrap();
    let pat: EscrowId = escrow_of(&pat_link).parse().unwrap();
    for (dir, ext) in [("sealed", "sealed"), ("halves", "half")] {
        let f = backup.join(format!("spool/portal/{dir}/{sam}.{ext}"));
        assert!(f.is_file(), "{} missing from the backup", f.display());
        let f = backup.join(format!("spool/portal/{dir}/{pat}.{ext}"));
        assert!(!f.exists(), "a withdrawn copy's file in the backup");
    }
    // After the backup the live store withdraws the other copy as well.
    portal_cli(&gw, &["revoke", &escrow_of(&sam_link)]);
    assert!(gw.terminate().success(), "the gateway did not stop cleanly");
    // With no gateway running, backup opens the escrow store itself: both copies withdrawn now.
    let offline = env.root().join("backup-offline");
    let said = run(&["backup", offline.to_str().unwrap(), "--config", cfg_s]);
    assert!(said.contains("(offline)"), "{said}");
    assert!(
        said.contains("escrow store: 2 escrowed copies, 0 active, 0 files"),
        "{said}"
    );
    assert!(offline.join("spool/portal/escrow.redb").is_file());

    let restored = env.root().join("restored");
    let said = run(&[
        "restore",
        backup.to_str().unwrap(),
        "--data-dir",
        restored.to_str().unwrap(),
        "--config",
        cfg_s,
    ]);
    assert!(
        said.contains("escrow store: 1 active escrowed copies, 0 unreadable"),
        "{said}"
    );

    let key = env.data().join("master.key");
    let open = |dir: &Path| {
        EscrowStore::open(
            dir,
            Arc::new(MasterKeys::load(&key).unwrap()),
            Arc::new(SystemClock),
            Arc::new(OsRandom),
        )
        .unwrap()
    };
    let half = |l: &str| Half::from_fragment(l.split('#').nth(1).unwrap()).unwrap();
    let live = open(&env.data());
    assert!(
        live.read(sam, Some(&half(&sam_link))).is_err(),
        "the live store still opens the copy withdrawn after the backup"
    );
    drop(live);
    let store = open(&restored);
    let doc = store.read(sam, Some(&half(&sam_link))).unwrap();
    assert_eq!(doc.subject, "scan results");
    assert!(doc.html.contains("scan attached"), "{}", doc.html);
    assert_eq!(doc.attachments.len(), 1);
    assert_eq!(doc.attachments[0].data, PDF, "the attachment changed");
    assert!(
        store.read(pat, Some(&half(&pat_link))).is_err(),
        "the copy withdrawn before the backup opened"
    );
    assert!(store.read(sam, None).is_err(), "opened without the link");
}
