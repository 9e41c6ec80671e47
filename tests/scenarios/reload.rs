//! SIGHUP reloads the configuration and the rule directory without dropping the listener: a
//! new tenant sender domain and a new rule take effect; a broken rule file or configuration
//! keeps the running one, is logged and counted (`sealgate_config_reloads_total`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::tools::{http_get, signal};
use sealgate_tests::{Env, Gateway, GatewayConfig, Reply, Smtp};
use std::path::Path;
use std::time::{Duration, Instant};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// `sealgate_config_reloads_total{result}` from /metrics (0 before the first reload).
fn reloads(gw: &Gateway, result: &str) -> u64 {
    let (status, body) = http_get(gw.admin, "/metrics", None, Duration::from_secs(10)).unwrap();
    assert_eq!(status, 200);
    let needle = format!("sealgate_config_reloads_total{{result=\"{result}\"}} ");
    String::from_utf8_lossy(&body)
        .lines()
        .find_map(|l| l.strip_prefix(&needle).map(|v| v.trim().parse().unwrap()))
        .unwrap_or(0)
}

/// Sends SIGHUP and waits (each round an HTTP exchange) until the `result` counter moved.
fn hup_and_wait(gw: &Gateway, result: &str) {
    let before = reloads(gw, result);
    signal(gw.pid, "HUP");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reloads(gw, result) == before {
        assert!(
            Instant::now() < deadline,
            "no `{result}` reload counted after SIGHUP:\n{}",
            gw.log_text()
        );
    }
}

fn send(gw: &Gateway, from: &str, probe: bool) -> Reply {
    send_to(gw, from, "bob@partner.example", probe)
}

fn send_to(gw: &Gateway, from: &str, to: &str, probe: bool) -> Reply {
    let mut s = Smtp::ready(gw.smtp);
    let id = unique_message_id("reload");
    let mut msg = simple(from, to, "weekly", &id, "see you");
    if probe {
        msg = format!("X-Reload-Probe: yes\r\n{msg}");
    }
    let m = s.cmd(&format!("MAIL FROM:<{from}>"));
    if m.code != 250 {
        return m;
    }
    let r = s.cmd(&format!("RCPT TO:<{to}>"));
    if r.code != 250 {
        return r;
    }
    s.cmd("DATA").expect(354, "", "DATA");
    s.send(&sealgate_tests::smtp::dot_stuff(msg.as_bytes()))
        .unwrap();
    s.reply().unwrap()
}

#[test]
fn sighup_applies_new_rules_and_tenants_and_keeps_the_old_ones_on_error() {
    let env = Env::new();
    let rules = env.etc().join("rules");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/rules"),
        &rules,
    );
    std::fs::remove_dir_all(rules.join("cases")).unwrap();
    let cfg = GatewayConfig {
        extra: format!("[rules]\ndir = \"{}\"\n", rules.display()),
        ..GatewayConfig::default()
    };
    let path = cfg.write(&env, "sealgate.toml");
    let gw = Gateway::start_file(&env, &path, &[]);

    send(&gw, "alice@acme-health.org", true).expect(250, "2.0.0", "before any reload");
    let refused = send(&gw, "alice@newclinic.example", false);
    assert!(
        refused.is(550, "5.7.1"),
        "unknown sender domain: {refused:?}"
    );

    // A new rule and a new sender domain, then SIGHUP.
    std::fs::write(
        rules.join("70-probe.toml"),
        "[[rule]]\nid = \"reload-probe\"\naction = \"reject\"\n[rule.when]\nheader = \"x-reload-probe\"\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "sender_domains = [\"acme-health.org\"]",
        "sender_domains = [\"acme-health.org\", \"newclinic.example\"]",
    );
    std::fs::write(&path, text).unwrap();
    hup_and_wait(&gw, "ok");
    let r = send(&gw, "alice@acme-health.org", true);
    assert!(r.is(550, "5.7.1"), "the new reject rule applies: {r:?}");
    send(&gw, "alice@newclinic.example", false).expect(250, "2.0.0", "the new sender domain");

    // A broken rule file: the running rules stay (the probe is still refused, mail flows).
    std::fs::write(rules.join("80-broken.toml"), "[[rule]\nid = \n").unwrap();
    hup_and_wait(&gw, "error");
    let r = send(&gw, "alice@acme-health.org", true);
    assert!(r.is(550, "5.7.1"), "the previous rule set is kept: {r:?}");
    send(&gw, "alice@acme-health.org", false).expect(250, "2.0.0", "mail still flows");
    std::fs::remove_file(rules.join("80-broken.toml")).unwrap();

    // A broken configuration: kept too.
    std::fs::write(&path, "[smtp]\nmax_recipients = \"many\"\n").unwrap();
    hup_and_wait(&gw, "error");
    send(&gw, "alice@newclinic.example", false).expect(250, "2.0.0", "old config kept");
    let log = gw.log_text();
    assert!(
        log.matches("reload failed").count() >= 2,
        "each failed reload is logged:\n{log}"
    );
}

/// Waits (each round an HTTP exchange) until the `result` counter is above `before`.
fn wait_reloads_above(gw: &Gateway, result: &str, before: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while reloads(gw, result) <= before {
        assert!(
            Instant::now() < deadline,
            "no `{result}` reload counted after the rule files changed:\n{}",
            gw.log_text()
        );
    }
}

#[test]
fn a_changed_rule_file_reloads_without_sighup() {
    let env = Env::new();
    let rules = env.etc().join("rules");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/rules"),
        &rules,
    );
    std::fs::remove_dir_all(rules.join("cases")).unwrap();
    let cfg = GatewayConfig {
        extra: format!(
            "[rules]\ndir = \"{}\"\nwatch_interval = \"100ms\"\n",
            rules.display()
        ),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);
    send(&gw, "alice@acme-health.org", true).expect(250, "2.0.0", "before the change");

    std::fs::write(
        rules.join("70-probe.toml"),
        "[[rule]]\nid = \"reload-probe\"\naction = \"reject\"\n[rule.when]\nheader = \"x-reload-probe\"\n",
    )
    .unwrap();
    wait_reloads_above(&gw, "ok", 0);
    let r = send(&gw, "alice@acme-health.org", true);
    assert!(r.is(550, "5.7.1"), "the new rule applies: {r:?}");

    // A broken file is noticed too, and the running rules stay.
    std::fs::write(rules.join("80-broken.toml"), "[[rule]\n").unwrap();
    wait_reloads_above(&gw, "error", 0);
    let r = send(&gw, "alice@acme-health.org", true);
    assert!(r.is(550, "5.7.1"), "the previous rule set is kept: {r:?}");
    assert!(gw.log_text().contains("rule files changed"));
}

/// Issue 16 item 9: a reload applies a new `[delivery.routes]` entry (before the fix the next
/// message did an MX lookup and was deferred), a changed `[tls.domains]` table, and a changed
/// tenant; a change that needs a restart is named in the log.
#[test]
fn sighup_applies_new_routes_tls_domains_and_tenants_and_names_what_needs_a_restart() {
    use sealgate_tests::Mode;
    use sealgate_tests::certs::TestCa;
    use sealgate_tests::dns::{DnsServer, Zone};
    use sealgate_tests::receiver::Receiver;
    let env = Env::new();
    let dest = Receiver::start(
        std::net::Ipv4Addr::LOCALHOST.into(),
        0,
        &env.root().join("dest"),
        None,
    );
    let mut dest = dest;
    // The return route added by the reload: a TLS receiver with a certificate of the test CA
    // for `return.test`, which the hickory server resolves to 127.0.0.1.
    let ca = TestCa::new(&env.etc(), "reload-rig");
    let ret_cert = ca.leaf(&env.etc(), "return", &["return.test"], false);
    let mut ret = Receiver::start(
        std::net::Ipv4Addr::LOCALHOST.into(),
        0,
        &env.root().join("return"),
        Some(&(ret_cert.cert.clone(), ret_cert.key.clone())),
    );
    let dns = DnsServer::start(&[
        Zone::new("return.test").a("return.test", std::net::Ipv4Addr::LOCALHOST)
    ]);
    let q = |p: &Path| serde_json::to_string(&p.to_string_lossy()).unwrap();
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[delivery.testing]\n{}\n\n[tls.testing]\nmx_ca = {}\n",
            dns.nameservers_line(),
            q(&ca.pem_file)
        ),
        ..GatewayConfig::default()
    };
    let path = cfg.write(&env, "sealgate.toml");
    let gw = Gateway::start_file(&env, &path, &[]);
    let tls_status = || {
        let out = sealgate_tests::tools::sealgate(&[
            "tls",
            "status",
            "bank.example",
            "--config",
            path.to_str().unwrap(),
            "--admin",
            &gw.admin.to_string(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            sealgate_tests::tools::describe(&out)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert!(
        tls_status().contains("admin floor: none"),
        "no admin floor yet"
    );

    // A route, a TLS table entry, a tenant's new sender domain and return route, its
    // `[delivery.tenants]` entry, and a restart-only change.
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace(
            "sender_domains = [\"acme-health.org\"]",
            "sender_domains = [\"acme-health.org\", \"newclinic.example\"]",
        )
        .replace(
            "retry_schedule = [3600]",
            "retry_schedule = [3600]\nmax_deliveries = 7",
        )
        + &format!(
            "\n[delivery.routes]\n\"partner.example\" = \"{}\"\n\n[tls.domains]\n\"bank.example\" = {{ level = \"encrypt\", on_failure = \"exclusive\", mx = \"authenticated\" }}\n\n\
             [tenants.acme.return_route]\nhost = \"return.test\"\nport = {}\n\n\
             [delivery.tenants.acme]\nhelo = \"reloaded.acme-health.org\"\n",
            dest.addr,
            ret.addr.port()
        );
    std::fs::write(&path, text).unwrap();
    hup_and_wait(&gw, "ok");

    assert!(
        tls_status().contains("admin floor: encrypt (on failure: exclusive)"),
        "the new [tls.domains] entry is in the running policy:\n{}",
        tls_status()
    );
    assert!(
        tls_status().contains("mx names: authenticated only"),
        "the entry's mx requirement is in the running policy:\n{}",
        tls_status()
    );
    send(&gw, "alice@newclinic.example", false).expect(250, "2.0.0", "the changed tenant");
    let r = send(&gw, "alice@acme-health.org", false);
    r.expect(250, "2.0.0", "queued");
    let got = dest.wait_messages(1, Duration::from_secs(60), "mail by the new route");
    assert!(!got.is_empty());
    // A refused recipient's DSN goes by the return route the reload added, over verified TLS.
    send_to(
        &gw,
        "alice@acme-health.org",
        "reject-1@partner.example",
        false,
    )
    .expect(250, "2.0.0", "queued");
    let dsn = ret.wait_messages(
        1,
        Duration::from_secs(60),
        "the DSN by the new return route",
    );
    assert!(
        dsn.iter()
            .any(|m| m.mail_from == "<>" && m.tls && m.rcpt_tos == ["alice@acme-health.org"]),
        "the DSN came by the reloaded return route with TLS: {dsn:?}"
    );
    let log = gw.log_text();
    assert!(
        log.contains(
            "applied only after a restart: [delivery] (other than [delivery.routes] and \
             [delivery.tenants])"
        ),
        "the log names what needs a restart:\n{log}"
    );
    assert!(
        !log.contains("tenants.*.return_route"),
        "the return route is not named as needing a restart:\n{log}"
    );
    assert!(
        !log.contains("MX lookup failed"),
        "no MX lookup for a routed domain:\n{log}"
    );
}
