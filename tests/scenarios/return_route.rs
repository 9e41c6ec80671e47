//! Acceptance (issue 10): the return route carries the mail the gateway originates for a
//! tenant — and only that — and m365 tenants' mail is signed with the tenant's own key.
//!
//! Rig: two `m365` tenants (acme with a return route and a client certificate, globex without),
//! both with DKIM keys; swaks clients presenting `mail.protection.outlook.com` from a test CA;
//! a hickory DNS server on loopback resolving acme's `acme-health-org.mail.protection.outlook.com`;
//! Postfix as that host, requiring a client certificate from the test CA and logging it;
//! aiosmtpd receivers for `dest.test` (refuses `reject-…`) and for acme's ordinary route.
//! - acme's message to `reject-carol@dest.test` and `dan@dest.test`: dan's copy is DKIM-signed
//!   with acme's key only (dkimpy); the DSN for carol reaches Postfix over TLS 1.2+ with the
//!   gateway's per-tenant client certificate (Postfix's log and Received header name it).
//! - globex's mail to `alice@acme-health.org` goes by `[delivery.routes]`, not acme's return
//!   route.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::tools::toml_path as q;

use sealgate_tests::certs::TestCa;
use sealgate_tests::connect::{Client, make_token, send};
use sealgate_tests::crypto::{dkim_key, dkimpy, public_keys};
use sealgate_tests::dns::{DnsServer, Zone};
use sealgate_tests::postfix::{Options, Postfix, Tls};
use sealgate_tests::queue;
use sealgate_tests::receiver::{Receiver, test_cert};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const ACME_ID: &str = "0a1b2c3d-1111-4111-8111-aaaaaaaaaaaa";
const GLOBEX_ID: &str = "0a1b2c3d-2222-4222-8222-bbbbbbbbbbbb";
const RETURN_HOST: &str = "acme-health-org.mail.protection.outlook.com";
const GW_CLIENT: &str = "gw-acme.sealgate.test";

fn message(from: &str, to: &str, id: &str, token: &str, msgid: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: return route test\r\nMessage-ID: {msgid}\r\n\
         X-MS-Exchange-CrossTenant-Id: {id}\r\nX-Sealgate-Token: {token}\r\n\r\nhello\r\n"
    )
    .into_bytes()
}

#[test]
fn dsn_goes_by_the_tenants_return_route_with_its_client_certificate_and_only_it() {
    let env = Env::new();
    let ca = TestCa::new(&env.etc(), "rig");
    let exo = ca.leaf(&env.etc(), "exo", &["mail.protection.outlook.com"], false);
    let host = ca.leaf(&env.etc(), "return-host", &[RETURN_HOST], false);
    let gw_cert = ca.leaf(&env.etc(), "gw-acme", &[GW_CLIENT], false);
    let postfix = Postfix::start_opts(&Options {
        tls: Some(Tls::Chain {
            cert: host.cert.clone(),
            key: host.key.clone(),
        }),
        domains: vec!["acme-health.org".into()],
        settings: vec![
            "smtpd_tls_security_level=encrypt".into(),
            "smtpd_tls_ask_ccert=yes".into(),
            "smtpd_tls_req_ccert=yes".into(),
            format!("smtpd_tls_CAfile={}", ca.pem_file.display()),
            "smtpd_tls_loglevel=2".into(),
            "smtpd_tls_received_header=yes".into(),
        ],
        ..Options::default()
    });
    let rcv_cert = test_cert(&env.etc(), "receiver.test");
    let mut dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), Some(&rcv_cert));
    let mut acme_mx = Receiver::start(LOOPBACK, 0, &env.root().join("acme-mx"), Some(&rcv_cert));
    let dns = DnsServer::start(&[
        Zone::new("mail.protection.outlook.com").a(RETURN_HOST, Ipv4Addr::LOCALHOST)
    ]);
    let acme_key = dkim_key(&env.etc(), "acme-dkim", false);
    let globex_key = dkim_key(&env.etc(), "globex-dkim", false);
    let tenants = format!(
        r#"
[tenants.acme]
platform = "m365"
tenant_id = "{ACME_ID}"
networks = ["127.0.0.0/8"]
sender_domains = ["acme-health.org"]
token_file = {acme_token}

[tenants.acme.return_route]
host = "{RETURN_HOST}"
client_cert = {gw_crt}
client_key = {gw_key}

[[tenants.acme.dkim]]
domain = "acme-health.org"
selector = "s1"
key = {acme_key}

[tenants.globex]
platform = "m365"
tenant_id = "{GLOBEX_ID}"
networks = ["127.0.0.0/8"]
sender_domains = ["globex.example"]
token_file = {globex_token}

[[tenants.globex.dkim]]
domain = "globex.example"
selector = "s1"
key = {globex_key}
"#,
        acme_token = q(&env.etc().join("acme.token")),
        globex_token = q(&env.etc().join("globex.token")),
        gw_crt = q(&gw_cert.cert),
        gw_key = q(&gw_cert.key),
        acme_key = q(&acme_key.path),
        globex_key = q(&globex_key.path),
    );
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        tls: vec![format!("client_ca = {}", q(&ca.pem_file))],
        tenants,
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[delivery.routes]\n\"dest.test\" = \"{}\"\n\"acme-health.org\" = \"{}\"\n\n\
             [delivery.testing]\n{}\nmx_host_ports = [\"{RETURN_HOST}:{}\"]\n\n\
             [tls.testing]\nmx_ca = {}\n",
            dest.addr,
            acme_mx.addr,
            dns.nameservers_line(),
            postfix.addr.port(),
            q(&ca.pem_file)
        ),
        ..GatewayConfig::default()
    };
    let path = cfg.write(&env, "sealgate.toml");
    let acme = make_token(&path, "acme");
    let globex = make_token(&path, "globex");
    let gw = Gateway::start_file(&env, &path, &[]);
    let client = Client {
        tls: true,
        cert: Some(&exo),
    };

    let sent = send(
        gw.smtp,
        &client,
        "alice@acme-health.org",
        "reject-carol@dest.test,dan@dest.test",
        &message(
            "Alice <alice@acme-health.org>",
            "carol@dest.test, dan@dest.test",
            ACME_ID,
            &acme,
            "<rr1@acme-health.org>",
        ),
    );
    assert!(
        sent.queued().is_some(),
        "acme refused:\n{}",
        sent.transcript
    );

    // Dan's copy: signed with acme's key, and with no other tenant's.
    let got = dest.wait_messages(1, Duration::from_secs(60), "dan's copy");
    let bytes = got[0].bytes();
    let keys = env.etc().join("keys.txt");
    public_keys(
        &keys,
        &[
            ("s1", "acme-health.org", &acme_key),
            ("s1", "globex.example", &globex_key),
        ],
    );
    let (ok, why) = dkimpy(&keys, &bytes, 0);
    assert!(ok, "acme's signature does not verify: {why}");
    let text = String::from_utf8_lossy(&bytes).to_string();
    let header = &text[..text.find("\r\n\r\n").unwrap()];
    let sigs: Vec<&str> = header
        .split("\r\n")
        .filter(|l| l.to_ascii_lowercase().starts_with("dkim-signature:"))
        .collect();
    assert_eq!(sigs.len(), 1, "signatures: {sigs:?}");
    assert!(header.contains("d=acme-health.org") && !header.contains("d=globex.example"));

    // The DSN for carol: at acme's return host, with the gateway's client certificate.
    let delivered = postfix.wait_delivered(1, Duration::from_secs(60));
    let dsn = std::fs::read_to_string(&delivered[0]).unwrap();
    assert!(dsn.contains("multipart/report"), "not a DSN:\n{dsn}");
    assert!(
        dsn.contains(&format!("Client CN \"{GW_CLIENT}\"")),
        "Postfix did not see the client certificate:\n{dsn}"
    );
    assert!(
        dsn.contains("TLSv1.3") || dsn.contains("TLSv1.2"),
        "not over TLS 1.2+:\n{dsn}"
    );
    let log = postfix.maillog();
    assert!(
        log.contains(GW_CLIENT),
        "maillog does not name the client certificate:\n{log}"
    );

    // globex's mail to acme's domain: by [delivery.routes], never acme's return route.
    let sent = send(
        gw.smtp,
        &client,
        "bob@globex.example",
        "alice@acme-health.org",
        &message(
            "Bob <bob@globex.example>",
            "alice@acme-health.org",
            GLOBEX_ID,
            &globex,
            "<rr2@globex.example>",
        ),
    );
    let id = sent
        .queued()
        .unwrap_or_else(|| panic!("globex refused:\n{}", sent.transcript));
    // Regression: the verified return-route session for the DSN must not pin acme's domain
    // (its ordinary route here offers only a self-signed certificate).
    queue::wait_all(&gw, &env, &id, "delivered", Duration::from_secs(60));
    let got = acme_mx.wait_messages(1, Duration::from_secs(60), "globex's mail to acme");
    assert_eq!(got[0].message_id, "<rr2@globex.example>");
    assert_eq!(
        postfix.delivered().len(),
        1,
        "tenant mail used the return route"
    );
}
