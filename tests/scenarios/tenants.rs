//! Acceptance: only tenants relay, and only for their own sender domains.
//!
//! - From 127.0.0.2 (not the tenant's 127.0.0.1/32) every transaction swaks tries — plain,
//!   STARTTLS, null sender, the tenant's own domain — is refused with `550 5.7.1`.
//! - From the tenant's address, a set of sender-spoofing probes (envelope and header From) is
//!   refused with `550 5.7.1`, while the tenant's own domains in upper case, as U-label and as
//!   A-label, and `<>` with the tenant's header From, are accepted.
//! - Nothing refused reaches the spool; everything accepted does (by Message-ID).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::gateway::find_by_message_id;
use sealgate_tests::mail::unique_message_id;
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::{describe, require_tool, swaks};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};

const TENANT: &str = r#"
[tenants.acme]
networks = ["127.0.0.1/32"]
sender_domains = ["acme-health.org", "bücher.example"]
"#;

fn gateway(env: &Env) -> Gateway {
    Gateway::start(
        env,
        &GatewayConfig {
            tenants: TENANT.into(),
            mode: Mode::Mx,
            ..GatewayConfig::default()
        },
    )
}

#[test]
fn a_client_outside_every_tenant_network_is_refused_every_transaction() {
    require_tool("swaks");
    let env = Env::new();
    let gw = gateway(&env);
    let server = gw.smtp.to_string();
    let cases: [(&str, &[&str]); 5] = [
        ("own domain", &["--from", "alice@acme-health.org"]),
        (
            "own domain over TLS",
            &["--from", "alice@acme-health.org", "--tls"],
        ),
        ("IDN own domain", &["--from", "alice@xn--bcher-kva.example"]),
        (
            "null sender",
            &["--from", "<>", "--h-From", "alice@acme-health.org"],
        ),
        ("foreign domain", &["--from", "mallory@evil.test"]),
    ];
    for (name, extra) in cases {
        let mut args = vec![
            "--server",
            &server,
            "--local-interface",
            "127.0.0.2",
            "--helo",
            "outsider.test",
            "--to",
            "bob@example.com",
        ];
        args.extend_from_slice(extra);
        let out = swaks(&args);
        let t = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            t.contains("Connected to 127.0.0.1") || t.contains("Connected to"),
            "{name}: swaks did not connect:\n{}",
            describe(&out)
        );
        // swaks prints a refused reply as `<** 550 …` (or `<~* ` under TLS).
        let refused = t.lines().any(|l| {
            let l = l.trim_start_matches(['<', '*', '~', '-', ' ']);
            l.starts_with("550 5.7.1")
        });
        assert!(refused, "{name}: no `550 5.7.1` in the dialogue:\n{t}");
        assert!(
            !t.contains("queued as"),
            "{name}: a message was queued:\n{t}"
        );
        assert!(
            !out.status.success(),
            "{name}: swaks reported success:\n{t}"
        );
    }
    assert!(gw.queue_list().is_empty(), "the spool is not empty");
}

/// One spoofing probe: MAIL argument and header From; refused either at MAIL (envelope) or
/// at the end of data (header), always `550 5.7.1`.
struct Probe {
    name: &'static str,
    mail: &'static str,
    header_from: &'static str,
    at_mail: bool,
}

const fn envelope(name: &'static str, mail: &'static str) -> Probe {
    Probe {
        name,
        mail,
        header_from: "alice@acme-health.org",
        at_mail: true,
    }
}

const fn header(name: &'static str, mail: &'static str, header_from: &'static str) -> Probe {
    Probe {
        name,
        mail,
        header_from,
        at_mail: false,
    }
}

const SPOOFS: &[Probe] = &[
    envelope("foreign domain", "<mallory@evil.test>"),
    envelope("source route", "<@acme-health.org:x@evil.test>"),
    envelope(
        "source route, two hops",
        "<@acme-health.org,@relay.test:x@evil.test>",
    ),
    envelope(
        "quoted local part with @",
        "<\"x@acme-health.org\"@evil.test>",
    ),
    envelope("percent hack", "<x%acme-health.org@evil.test>"),
    envelope(
        "look-alike IDN (Cyrillic a)",
        "<x@acme-he\u{430}lth.org> SMTPUTF8",
    ),
    envelope("look-alike IDN without umlaut", "<x@bucher.example>"),
    envelope("look-alike digit", "<x@acme-hea1th.org>"),
    envelope("suffix trick", "<x@evil.acme-health.org.evil.test>"),
    envelope("tenant domain as prefix", "<x@acme-health.org.evil.test>"),
    envelope("subdomain of the tenant", "<x@mail.acme-health.org>"),
    envelope("tenant domain glued", "<x@evilacme-health.org>"),
    header(
        "header From foreign",
        "<alice@acme-health.org>",
        "Mallory <mallory@evil.test>",
    ),
    header(
        "null sender, header From foreign",
        "<>",
        "mallory@evil.test",
    ),
    header(
        "header From list with one foreign address",
        "<alice@acme-health.org>",
        "alice@acme-health.org, mallory@evil.test",
    ),
    header(
        "display name that looks like the tenant",
        "<alice@acme-health.org>",
        "\"alice@acme-health.org\" <mallory@evil.test>",
    ),
    header(
        "header From look-alike IDN",
        "<alice@acme-health.org>",
        "alice@acme-he\u{430}lth.org",
    ),
];

fn message(header_from: &str, msgid: &str) -> String {
    sealgate_tests::mail::simple(header_from, "bob@example.com", "probe", msgid, "probe body")
}

#[test]
fn sender_spoofing_probes_from_the_tenant_network_are_refused_with_5_7_1() {
    let env = Env::new();
    let gw = gateway(&env);
    let mut failures = Vec::new();
    let mut msgids = Vec::new();
    for p in SPOOFS {
        let msgid = unique_message_id("spoof");
        msgids.push(msgid.clone());
        // A fresh session per probe: refusals count towards max_errors.
        let mut s = Smtp::ready(gw.smtp);
        let r = s.cmd(&format!("MAIL FROM:{}", p.mail));
        if p.at_mail {
            if !r.is(550, "5.7.1") {
                failures.push(format!("{}: MAIL FROM:{} → {r}", p.name, p.mail));
            }
            continue;
        }
        if !r.is(250, "2.1.0") {
            failures.push(format!(
                "{}: MAIL FROM:{} → {r} (expected 250 2.1.0)",
                p.name, p.mail
            ));
            continue;
        }
        s.cmd("RCPT TO:<bob@example.com>")
            .expect(250, "2.1.5", p.name);
        s.cmd("DATA").expect(354, "", p.name);
        s.send(&sealgate_tests::smtp::dot_stuff(
            message(p.header_from, &msgid).as_bytes(),
        ))
        .unwrap();
        let r = s.reply().unwrap();
        if !r.is(550, "5.7.1") {
            failures.push(format!("{}: From: {} → {r}", p.name, p.header_from));
        }
    }
    assert!(
        failures.is_empty(),
        "probes not refused with 550 5.7.1:\n{}",
        failures.join("\n")
    );
    assert!(SPOOFS.len() >= 10);
    let entries = gw.queue_list();
    for id in &msgids {
        assert!(
            find_by_message_id(&entries, id).is_none(),
            "refused message {id} is in the spool"
        );
    }
}

/// Accepted forms of the tenant's own domains: (MAIL argument, header From).
const OWN: &[(&str, &str, &str)] = &[
    (
        "lower case",
        "<alice@acme-health.org>",
        "alice@acme-health.org",
    ),
    (
        "upper case",
        "<ALICE@ACME-HEALTH.ORG>",
        "Alice <Alice@ACME-Health.Org>",
    ),
    (
        "U-label",
        "<anna@bücher.example> SMTPUTF8",
        "Anna <anna@bücher.example>",
    ),
    (
        "A-label",
        "<anna@xn--bcher-kva.example>",
        "anna@xn--bcher-kva.example",
    ),
    (
        "A-label envelope, U-label header",
        "<anna@XN--BCHER-KVA.example> SMTPUTF8",
        "anna@Bücher.example",
    ),
    (
        "null sender, own header From",
        "<>",
        "postmaster@acme-health.org",
    ),
];

#[test]
fn the_tenants_own_domains_in_any_case_and_idn_form_are_accepted() {
    let env = Env::new();
    let gw = gateway(&env);
    let mut failures = Vec::new();
    let mut accepted = Vec::new();
    for (name, mail, from) in OWN {
        let msgid = unique_message_id("own");
        let mut s = Smtp::ready(gw.smtp);
        let r = s.cmd(&format!("MAIL FROM:{mail}"));
        if !r.is(250, "2.1.0") {
            failures.push(format!("{name}: MAIL FROM:{mail} → {r}"));
            continue;
        }
        s.cmd("RCPT TO:<bob@example.com>")
            .expect(250, "2.1.5", name);
        s.cmd("DATA").expect(354, "", name);
        s.send(&sealgate_tests::smtp::dot_stuff(
            message(from, &msgid).as_bytes(),
        ))
        .unwrap();
        let r = s.reply().unwrap();
        match queued_id(&r) {
            Some(id) if r.is(250, "2.0.0") => accepted.push((msgid, id)),
            _ => failures.push(format!("{name}: From: {from} → {r}")),
        }
        s.cmd("QUIT").expect(221, "2.0.0", name);
    }
    assert!(
        failures.is_empty(),
        "own-domain forms refused:\n{}",
        failures.join("\n")
    );
    let entries = gw.queue_list();
    for (msgid, id) in &accepted {
        let e = find_by_message_id(&entries, msgid)
            .unwrap_or_else(|| panic!("accepted {msgid} not in the spool"));
        assert_eq!(e["message"]["id"], id.as_str());
        assert_eq!(e["message"]["tenant"], "acme");
    }
}
