//! Acceptance (issue 11, item 5): the connector self-test. Mail from an attributed tenant user
//! to `connect-test@<gateway domain>` is never delivered; the sender gets a report through the
//! tenant's return route, listing the attribution checks, the inbound TLS version and cipher
//! and the DKIM facts. The test address from an unattributed client is refused.
//!
//! Rig (as `return_route.rs`): an `m365` tenant with a return route and a client certificate;
//! swaks presenting `mail.protection.outlook.com` from a test CA; a hickory DNS server for the
//! tenant's `…mail.protection.outlook.com` host; Postfix as that host, requiring a client
//! certificate from the test CA; an aiosmtpd receiver for the tenant's ordinary route (which
//! must see nothing); the gateway's DKIM key, checked by dkimpy on the report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::tools::toml_path as q;

use sealgate_tests::Gateway;
use sealgate_tests::certs::TestCa;
use sealgate_tests::connect::{Client, make_token, send};
use sealgate_tests::crypto::{dkim_key, dkimpy, public_keys};
use sealgate_tests::dns::{DnsServer, Zone};
use sealgate_tests::postfix::{Options, Postfix, Tls};
use sealgate_tests::queue;
use sealgate_tests::receiver::{Receiver, test_cert};
use sealgate_tests::tools::{describe, sealgate};
use sealgate_tests::{Env, GatewayConfig, Mode};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const ACME_ID: &str = "0a1b2c3d-1111-4111-8111-aaaaaaaaaaaa";
const RETURN_HOST: &str = "acme-health-org.mail.protection.outlook.com";
const GW_CLIENT: &str = "gw-acme.sealgate.test";
const TEST_ADDRESS: &str = "connect-test@gw.sealgate.test";

fn message(token: Option<&str>, msgid: &str) -> Vec<u8> {
    let token = token.map_or(String::new(), |t| format!("X-Sealgate-Token: {t}\r\n"));
    format!(
        "From: Alice <alice@acme-health.org>\r\nTo: {TEST_ADDRESS}\r\nSubject: secret subject line\r\n\
         Message-ID: {msgid}\r\nX-MS-Exchange-CrossTenant-Id: {ACME_ID}\r\n{token}\r\n\
         canary body text 078-05-1120\r\n"
    )
    .into_bytes()
}

fn postfix_requiring_client_cert(ca: &TestCa, host: &sealgate_tests::certs::CertFiles) -> Postfix {
    Postfix::start_opts(&Options {
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
    })
}

#[test]
fn the_self_test_is_answered_through_the_return_route_and_never_delivered() {
    let env = Env::new();
    let ca = TestCa::new(&env.etc(), "rig");
    let exo = ca.leaf(&env.etc(), "exo", &["mail.protection.outlook.com"], false);
    let host = ca.leaf(&env.etc(), "return-host", &[RETURN_HOST], false);
    let gw_cert = ca.leaf(&env.etc(), "gw-acme", &[GW_CLIENT], false);
    let postfix = postfix_requiring_client_cert(&ca, &host);
    let rcv_cert = test_cert(&env.etc(), "receiver.test");
    let mut acme_mx = Receiver::start(LOOPBACK, 0, &env.root().join("acme-mx"), Some(&rcv_cert));
    let dns = DnsServer::start(&[
        Zone::new("mail.protection.outlook.com").a(RETURN_HOST, Ipv4Addr::LOCALHOST)
    ]);
    let gw_key = dkim_key(&env.etc(), "gw-dkim", false);
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
"#,
        acme_token = q(&env.etc().join("acme.token")),
        gw_crt = q(&gw_cert.cert),
        gw_key = q(&gw_cert.key),
    );
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        tls: vec![format!("client_ca = {}", q(&ca.pem_file))],
        tenants,
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[gateway]\ndkim_selector = \"gw1\"\ndkim_key = {}\n\n\
             [delivery.routes]\n\"acme-health.org\" = \"{}\"\n\"gw.sealgate.test\" = \"{}\"\n\n\
             [delivery.testing]\n{}\nmx_host_ports = [\"{RETURN_HOST}:{}\"]\n\n\
             [tls.testing]\nmx_ca = {}\n",
            q(&gw_key.path),
            acme_mx.addr,
            acme_mx.addr,
            dns.nameservers_line(),
            postfix.addr.port(),
            q(&ca.pem_file)
        ),
        ..GatewayConfig::default()
    };
    let path = cfg.write(&env, "sealgate.toml");
    let acme = make_token(&path, "acme");
    let gw = Gateway::start_file(&env, &path, &[]);
    let exchange = Client {
        tls: true,
        cert: Some(&exo),
    };

    // Unattributed: no token (the transport rule is not stamping) → the normal refusal.
    let sent = send(
        gw.smtp,
        &exchange,
        "alice@acme-health.org",
        TEST_ADDRESS,
        &message(None, "<st0@acme-health.org>"),
    );
    sent.assert_refused("self-test without token", "550", "SG-M365-TOKEN-MISSING");
    // Unattributed: a sender domain no tenant has → refused before content.
    let sent = send(
        gw.smtp,
        &exchange,
        "mallory@elsewhere.example",
        TEST_ADDRESS,
        &message(Some(&acme), "<st1@elsewhere.example>"),
    );
    assert!(
        sent.queued().is_none() && sent.last_reply().starts_with("550"),
        "an outsider's self-test was not refused:\n{}",
        sent.transcript
    );
    // The test address shares a transaction with no one.
    let sent = send(
        gw.smtp,
        &exchange,
        "alice@acme-health.org",
        &format!("bob@acme-health.org,{TEST_ADDRESS}"),
        &message(Some(&acme), "<st2@acme-health.org>"),
    );
    assert!(
        sent.transcript.contains("550 5.5.3"),
        "mixed recipients not refused:\n{}",
        sent.transcript
    );

    // Attributed: accepted, answered, never delivered.
    let sent = send(
        gw.smtp,
        &exchange,
        "alice@acme-health.org",
        TEST_ADDRESS,
        &message(Some(&acme), "<st3@acme-health.org>"),
    );
    let id = sent
        .queued()
        .unwrap_or_else(|| panic!("self-test refused:\n{}", sent.transcript));
    let delivered = postfix.wait_delivered(1, Duration::from_secs(60));
    let report = std::fs::read(&delivered[0]).unwrap();
    let text = String::from_utf8_lossy(&report).to_string();
    for want in [
        "Subject: Sealgate connector self-test: passed for tenant acme",
        "To: <alice@acme-health.org>",
        "platform: m365",
        "source range: 127.0.0.1 is in 127.0.0.0/8",
        "certificate name: mail.protection.outlook.com",
        &format!("tenant id: X-MS-Exchange-CrossTenant-Id equals {ACME_ID}"),
        "tenant token: X-Sealgate-Token matched",
        "loop stamp: the message carried no stamp of this gateway",
        "TLS version: TLSv1.3",
        "TLS cipher: TLS13_",
        "your message: not checked (m365 attribution",
        "this report: DKIM-signed by the gateway (d=gw.sealgate.test s=gw1)",
        &format!("Gateway queue id of your test message: {id}"),
    ] {
        assert!(text.contains(want), "report lacks `{want}`:\n{text}");
    }
    for never in [
        &acme as &str,
        "secret subject line",
        "canary body",
        "078-05-1120",
    ] {
        assert!(!text.contains(never), "report carries `{never}`:\n{text}");
    }
    // Over TLS with the gateway's per-tenant client certificate, as Postfix saw it.
    assert!(
        text.contains(&format!("Client CN \"{GW_CLIENT}\"")),
        "Postfix did not see the client certificate:\n{text}"
    );
    // Signed with the gateway's key (dkimpy against the published key).
    let keys = env.etc().join("keys.txt");
    public_keys(&keys, &[("gw1", "gw.sealgate.test", &gw_key)]);
    let (ok, why) = dkimpy(&keys, &report, 0);
    assert!(ok, "the report's signature does not verify: {why}");

    // The test message itself: recorded, terminal, explained — and delivered nowhere.
    let entry = queue::wait_all(&gw, &env, &id, "delivered", Duration::from_secs(30));
    assert!(
        entry
            .to_string()
            .contains("connector self-test: not delivered"),
        "{entry}"
    );
    let (config, admin) = (
        gw.config.to_string_lossy().to_string(),
        gw.admin.to_string(),
    );
    let out = sealgate(&["queue", "show", &id, "--config", &config, "--admin", &admin]);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && shown.contains("connector self-test"),
        "queue show does not explain the self-test: {}",
        describe(&out)
    );
    // The tenant's ordinary route saw only bob's copy from the mixed transaction (bob's
    // RCPT was accepted, the test address's refused, and swaks went on with bob alone).
    let got = acme_mx.wait_messages(1, Duration::from_secs(30), "bob's copy");
    assert_eq!(got[0].message_id, "<st2@acme-health.org>");
    assert_eq!(acme_mx.messages().len(), 1, "more reached the tenant's MX");
    assert_eq!(postfix.delivered().len(), 1, "more than the report arrived");
}
