//! Acceptance (issue 6, method chain): a PHI message (the shipped rules' chain `tls-verified →
//! pgp → smime → hold`) to recipients behind a **plaintext-only** next hop (no STARTTLS):
//!
//! - with a gpg-generated key on file (`sealgate keys import`, gateway stopped) → `tls-verified`
//!   fails at delivery, the recipient goes back to the chain, and a PGP/MIME copy arrives that
//!   `pgpmime-decrypt.py` (gpg --batch) decrypts to the original text;
//! - with no key but a certificate from a test CA → S/MIME that `openssl cms -decrypt` opens
//!   (and, the hop now known to be plaintext, `tls-verified` passed over at once: one session);
//! - with neither → `held`, the sender gets a notice, and no byte the receiver stored contains
//!   the planted SSN canary;
//! - an already-encrypted (`multipart/encrypted`) input arrives unchanged apart from DKIM.
//!
//! Every copy — PGP/MIME, S/MIME, passthrough — verifies with dkimpy and `opendkim -t`, the
//! notice with the gateway's key; `sealgate queue show` names the method chosen, the methods
//! skipped with reasons, the key fingerprint or certificate serial.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::crypto::{
    GpgHome, Pki, assert_verifies, dkim_key, public_keys, with_stdin, without_leading_signatures,
};
use sealgate_tests::queue;
use sealgate_tests::receiver::{Receiver, test_cert};
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, sealgate};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

#[path = "encrypt/limits.rs"]
mod limits;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(120);
const SSN: &str = "123-45-6789";

fn phi_message(to: &str, msgid: &str) -> String {
    [
        "From: Alice <alice@acme-health.org>",
        &format!("To: <{to}>"),
        "Subject: lab results",
        &format!("Message-ID: {msgid}"),
        "Date: Tue, 01 Dec 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        &format!("Patient SSN {SSN}, results attached."),
        "",
    ]
    .join("\r\n")
}

/// A real armored OpenPGP message, encrypted by gpg to a fresh key of `uid` (CRLF line ends).
fn gpg_armor(uid: &str) -> String {
    let home = GpgHome::generate(uid);
    let out = with_stdin(
        &mut home.gpg(&["--armor", "--trust-model", "always", "-r", uid, "--encrypt"]),
        b"already encrypted by the sender\r\n",
    );
    assert!(out.status.success(), "gpg --encrypt: {}", describe(&out));
    String::from_utf8(out.stdout)
        .unwrap()
        .replace("\r\n", "\n")
        .replace('\n', "\r\n")
}

/// An input that is already PGP/MIME — `armor` is a real OpenPGP message (made by gpg to a key
/// the gateway does not have; "already encrypted" is judged by content, not the label) — tagged
/// `[secure]` so the chain applies; nobody has a key on file for the recipient.
fn encrypted_message(to: &str, msgid: &str, armor: &str) -> String {
    [
        "From: Alice <alice@acme-health.org>",
        &format!("To: <{to}>"),
        "Subject: [secure] already encrypted",
        &format!("Message-ID: {msgid}"),
        "Date: Tue, 01 Dec 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b1\"",
        "",
        "--b1",
        "Content-Type: application/pgp-encrypted",
        "",
        "Version: 1",
        "",
        "--b1",
        "Content-Type: application/octet-stream",
        "",
        armor.trim_end(),
        "",
        "--b1--",
        "",
    ]
    .join("\r\n")
}

fn send(gw: &Gateway, to: &str, message: &str) -> String {
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("EHLO client.test");
    let reply = s.send_mail("alice@acme-health.org", &[to], message);
    reply.expect(250, "2.0.0", "end of data");
    queued_id(&reply).unwrap()
}

/// The `copy` facts of the recipient's last attempt.
fn copy_facts(e: &serde_json::Value) -> serde_json::Value {
    queue::attempts(e)
        .last()
        .map(|a| a["copy"].clone())
        .unwrap_or_default()
}

struct Rig {
    env: Env,
    pat: GpgHome,
    pki: Pki,
    serial: String,
    pubkeys: std::path::PathBuf,
    dest: Receiver,
    tenant: Receiver,
    gw: Gateway,
}

/// Keys on file for pat (gpg) and sam (test-CA certificate), none for nel; the recipients'
/// next hop offers no STARTTLS; the tenant's return route does (for notices).
fn rig() -> Rig {
    let env = Env::new();
    // Recipient keys: gpg for pat, a test-CA certificate for sam, nothing for nel.
    let pat = GpgHome::generate("Pat <pat@dest.test>");
    let pat_key = env.write_etc("pat.asc", &String::from_utf8(pat.export()).unwrap());
    let pki = Pki::new();
    pki.issue("sam", "sam@dest.test");
    let serial = pki.serial("sam");

    // DKIM: the tenant's RSA key and Ed25519 key, the gateway's key for the notice.
    let (rsa, ed, gwk) = (
        dkim_key(&env.etc(), "acme-rsa", false),
        dkim_key(&env.etc(), "acme-ed", true),
        dkim_key(&env.etc(), "gw", false),
    );
    let pubkeys = env.etc().join("keys.txt");
    public_keys(
        &pubkeys,
        &[
            ("rsa2026", "acme-health.org", &rsa),
            ("ed2026", "acme-health.org", &ed),
            ("gw2026", "gw.sealgate.test", &gwk),
        ],
    );
    let q = |p: &std::path::Path| serde_json::to_string(&p.to_string_lossy()).unwrap();
    let cert = test_cert(&env.etc(), "return.acme-health.org");
    // The recipients' next hop offers no STARTTLS at all.
    let dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
    let tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), Some(&cert));
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        tenants: format!(
            "[tenants.acme]\nnetworks = [\"127.0.0.1/32\"]\nsender_domains = [\"acme-health.org\"]\n\n[[tenants.acme.dkim]]\ndomain = \"acme-health.org\"\nselector = \"rsa2026\"\nkey = {}\n\n[[tenants.acme.dkim]]\ndomain = \"acme-health.org\"\nselector = \"ed2026\"\nkey = {}\n",
            q(&rsa.path),
            q(&ed.path)
        ),
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[gateway]\ndkim_selector = \"gw2026\"\ndkim_key = {}\n\n[delivery.routes]\n\"dest.test\" = \"{}\"\n\"acme-health.org\" = \"{}\"\n",
            q(&gwk.path),
            dest.addr,
            tenant.addr
        ),
        ..GatewayConfig::default()
    };
    let config = cfg.write(&env, "sealgate.toml");
    // Keys go into the stopped store.
    for file in [pat_key, pki.path("sam.pem")] {
        let out = sealgate(&[
            "keys",
            "import",
            "--config",
            config.to_str().unwrap(),
            file.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "keys import: {}", describe(&out));
    }
    // The S/MIME roots are the system's (OpenSSL default paths): here, the test CA only.
    // A shell that stays the gateway's parent (the harness signals the wrapper's child).
    let wrapper = vec![
        "sh".to_string(),
        "-c".to_string(),
        format!(
            "SSL_CERT_FILE='{}' \"$0\" \"$@\"; exit $?",
            pki.path("ca.pem").display()
        ),
    ];
    let gw = Gateway::start_file(&env, &config, &wrapper);

    Rig {
        env,
        pat,
        pki,
        serial,
        pubkeys,
        dest,
        tenant,
        gw,
    }
}

#[test]
fn chain_over_a_plaintext_hop_pgp_then_smime_then_hold_and_passthrough() {
    let Rig {
        env,
        pat,
        pki,
        serial,
        pubkeys,
        mut dest,
        mut tenant,
        gw,
    } = rig();
    // 1. pat: PGP/MIME after tls-verified failed at the plaintext hop.
    let pat_id = send(
        &gw,
        "pat@dest.test",
        &phi_message("pat@dest.test", "<pat@t>"),
    );
    let e = queue::wait_all(&gw, &env, &pat_id, "delivered", WAIT);
    assert_eq!(e["message"]["decision"]["phi"], true, "{e}");
    let c = copy_facts(&e);
    assert_eq!(c["protection"], "pgp", "{e}");
    assert!(
        c["key"].as_str().unwrap().contains(&pat.fingerprint()),
        "fingerprint not recorded: {c}"
    );
    assert!(
        c["skipped"][0]
            .as_str()
            .unwrap()
            .starts_with("tls-verified: failed at delivery"),
        "{c}"
    );
    let got = dest.wait_messages(1, WAIT, "pat's copy");
    let pgp = got[0].bytes();
    assert!(!got[0].tls, "the hop was supposed to be plaintext");
    assert!(!String::from_utf8_lossy(&pgp).contains(SSN), "PHI in clear");
    let inner = pat
        .pgpmime_decrypt(without_leading_signatures(&pgp))
        .unwrap_or_else(|e| panic!("gpg could not decrypt: {e}"));
    assert!(
        String::from_utf8_lossy(&inner).contains(&format!("Patient SSN {SSN}")),
        "decrypted text differs:\n{}",
        String::from_utf8_lossy(&inner)
    );
    assert_verifies(&pubkeys, &pgp, 0, "rsa2026", "acme-health.org");
    assert_verifies(&pubkeys, &pgp, 1, "ed2026", "acme-health.org");

    // 2. sam: no OpenPGP key, a certificate → S/MIME.
    let sam_id = send(
        &gw,
        "sam@dest.test",
        &phi_message("sam@dest.test", "<sam@t>"),
    );
    let e = queue::wait_all(&gw, &env, &sam_id, "delivered", WAIT);
    let c = copy_facts(&e);
    assert_eq!(c["protection"], "smime", "{e}");
    let key = c["key"].as_str().unwrap().to_ascii_uppercase();
    assert!(
        key.contains(&serial.trim_start_matches('0').to_ascii_uppercase()),
        "serial {serial} not recorded: {c}"
    );
    let skipped: Vec<&str> = c["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert!(skipped.contains(&"pgp: no key on file"), "{c}");
    // pat's session showed the hop in plaintext: sam's chain passes over tls-verified at once,
    // with that reason, instead of spending a failed session on it.
    assert!(
        skipped.contains(&"tls-verified: next hop TLS not verified (plaintext-only)"),
        "{c}"
    );
    assert_eq!(queue::attempts(&e).len(), 1, "one session only: {e}");
    let got = dest.wait_messages(2, WAIT, "sam's copy");
    let smime = got[1].bytes();
    assert!(
        !String::from_utf8_lossy(&smime).contains(SSN),
        "PHI in clear"
    );
    let inner = pki
        .decrypt("cms", "sam", without_leading_signatures(&smime))
        .unwrap_or_else(|e| panic!("openssl cms could not decrypt: {e}"));
    assert!(
        String::from_utf8_lossy(&inner).contains(&format!("Patient SSN {SSN}")),
        "decrypted text differs"
    );
    let by_smime = pki
        .decrypt("smime", "sam", without_leading_signatures(&smime))
        .unwrap_or_else(|e| panic!("openssl smime could not decrypt: {e}"));
    assert_eq!(by_smime, inner, "openssl smime and cms disagree");
    assert_verifies(&pubkeys, &smime, 0, "rsa2026", "acme-health.org");
    assert_verifies(&pubkeys, &smime, 1, "ed2026", "acme-health.org");

    // 3. nel: neither → held, sender notified, nothing with the canary left.
    let nel_id = send(
        &gw,
        "nel@dest.test",
        &phi_message("nel@dest.test", "<nel@t>"),
    );
    let e = queue::wait_all(&gw, &env, &nel_id, "held", WAIT);
    let held_reason = e["recipients"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ev| ev["kind"]["status"] == "held")
        .filter_map(|ev| ev["kind"]["reason"].as_str())
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        held_reason.contains("pgp: no key on file")
            && held_reason.contains("smime: no key on file"),
        "{held_reason}"
    );
    let notice = tenant.wait_messages(1, WAIT, "the held notice");
    let notice_bytes = notice[0].bytes();
    assert!(!String::from_utf8_lossy(&notice_bytes).contains(SSN));
    assert_verifies(&pubkeys, &notice_bytes, 0, "gw2026", "gw.sealgate.test");

    // 4. Already encrypted: passes through unchanged apart from DKIM (nel has no key, so
    // anything but passthrough would hold it).
    let sent = encrypted_message("nel@dest.test", "<enc@t>", &gpg_armor("nel@home.test"));
    let enc_id = send(&gw, "nel@dest.test", &sent);
    let e = queue::wait_all(&gw, &env, &enc_id, "delivered", WAIT);
    assert_eq!(copy_facts(&e)["protection"], "already-encrypted", "{e}");
    let got = dest.wait_messages(3, WAIT, "the passthrough copy");
    let pass = got[2].bytes();
    assert!(
        without_leading_signatures(&pass).ends_with(sent.as_bytes()),
        "the encrypted input was changed:\n{}",
        String::from_utf8_lossy(&pass)
    );
    assert_verifies(&pubkeys, &pass, 0, "rsa2026", "acme-health.org");

    // `sealgate queue show` (text) names method, key, skipped methods and DKIM.
    let show = |id: &str| {
        let out = sealgate(&[
            "queue",
            "show",
            "--config",
            gw.config.to_str().unwrap(),
            "--admin",
            &gw.admin.to_string(),
            id,
        ]);
        assert!(out.status.success(), "queue show: {}", describe(&out));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let text = show(&pat_id);
    assert!(
        text.contains(&format!("method pgp key openpgp {}", pat.fingerprint())),
        "{text}"
    );
    assert!(
        text.contains("skipped tls-verified: failed at delivery"),
        "{text}"
    );
    assert!(text.contains("dkim d=acme-health.org s=rsa2026"), "{text}");
    let text = show(&sam_id);
    assert!(text.contains("method smime key x509 serial"), "{text}");
    assert!(text.contains("skipped pgp: no key on file"), "{text}");

    assert!(gw.terminate().success());
    // Nothing the receivers stored holds the canary in clear.
    for m in dest.messages().iter().chain(tenant.messages().iter()) {
        let b = m.bytes();
        assert!(
            !String::from_utf8_lossy(&b).contains(SSN),
            "canary in {}",
            m.file.display()
        );
    }
    assert_eq!(dest.messages().len(), 3, "nel's PHI copy left the gateway");
}

#[test]
fn one_message_to_three_recipients_gets_one_copy_each_never_a_shared_encrypted_one() {
    let mut r = rig();
    let to = "pat@dest.test, sam@dest.test, nel@dest.test";
    let mut s = Smtp::ready(r.gw.smtp);
    s.cmd("EHLO client.test");
    let reply = s.send_mail(
        "alice@acme-health.org",
        &["pat@dest.test", "sam@dest.test", "nel@dest.test"],
        &phi_message(to, "<three@t>"),
    );
    reply.expect(250, "2.0.0", "end of data");
    let id = queued_id(&reply).unwrap();
    queue::wait_for(&r.gw, &r.env, &id, WAIT, "settled", |s| {
        s == ["delivered", "delivered", "held"]
    });
    let got = r.dest.wait_messages(2, WAIT, "pat's and sam's copies");
    assert_eq!(got.len(), 2, "{got:?}");
    for m in &got {
        assert_eq!(m.rcpt_tos.len(), 1, "a copy shared by {:?}", m.rcpt_tos);
        let bytes = m.bytes();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SSN),
            "PHI in clear"
        );
        let inner = without_leading_signatures(&bytes);
        let by_gpg = r.pat.pgpmime_decrypt(inner);
        let by_cms = r.pki.decrypt("cms", "sam", inner);
        match m.rcpt_tos[0].trim_matches(['<', '>']) {
            "pat@dest.test" => {
                assert!(by_gpg.is_ok(), "pat cannot read pat's copy");
                assert!(by_cms.is_err(), "pat's copy opens with sam's key");
            }
            "sam@dest.test" => {
                assert!(by_cms.is_ok(), "sam cannot read sam's copy");
                assert!(by_gpg.is_err(), "sam's copy opens with pat's key");
            }
            other => panic!("copy for {other}"),
        }
        assert_verifies(&r.pubkeys, &bytes, 0, "rsa2026", "acme-health.org");
    }
    let notice = r.tenant.wait_messages(1, WAIT, "the held notice");
    assert!(!String::from_utf8_lossy(&notice[0].bytes()).contains(SSN));
    assert!(r.gw.terminate().success());
    assert_eq!(r.dest.messages().len(), 2, "nel's copy left the gateway");
}
