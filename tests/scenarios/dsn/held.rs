//! Held copies and the DSN's own safety (part of `dsn.rs`, split for length): hold and release,
//! a bounced DSN is never bounced again, a DSN never travels back to the tenant in plaintext.

use super::*;

#[test]
fn hold_and_release_deliver_a_plain_message_but_never_unprotected_phi() {
    let mut r = rig(&[]);
    // Plain: deferred once, held by the admin, released → delivered.
    let (id, msgid) = send(
        &r.gw,
        "alice@acme-health.org",
        &["defer1-ike@dest.test"],
        "hold me",
        "hold",
    );
    queue::wait_all(
        &r.gw,
        &r.env,
        &id,
        "temporary-failure",
        Duration::from_secs(30),
    );
    queue::hold(&r.gw, &id);
    queue::wait_all(&r.gw, &r.env, &id, "held", Duration::from_secs(30));
    queue::retry(&r.gw, &id);
    let e = queue::entry(&r.gw, &r.env, &id).unwrap();
    assert_eq!(
        queue::statuses(&e),
        ["held"],
        "retry moved a held message: {e}"
    );
    queue::release(&r.gw, &id);
    queue::wait_all(&r.gw, &r.env, &id, "delivered", Duration::from_secs(30));
    let got = r
        .dest
        .wait_messages(1, Duration::from_secs(30), "released copy");
    assert_eq!(got[0].message_id, msgid);

    // PHI: the chain holds it (tls-verified impossible here); a release re-runs the chain,
    // which holds it again — it never goes out in a form the decision forbids.
    let (phi, _) = send(
        &r.gw,
        "alice@acme-health.org",
        &["jan@dest.test"],
        "Patient SSN 123-45-6789",
        "hold-phi",
    );
    let held_events = |r: &Rig| {
        let e = queue::entry(&r.gw, &r.env, &phi).unwrap();
        e["recipients"][0]["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|ev| ev["kind"]["status"] == "held")
            .count()
    };
    queue::wait_all(&r.gw, &r.env, &phi, "held", Duration::from_secs(30));
    assert_eq!(held_events(&r), 1);
    queue::release(&r.gw, &phi);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while held_events(&r) < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "not held again after release"
        );
        sealgate_tests::receiver::pause(Duration::from_millis(50));
    }
    let e = queue::entry(&r.gw, &r.env, &phi).unwrap();
    assert_eq!(queue::statuses(&e), ["held"], "{e}");
    assert!(r.gw.terminate().success());
    assert_eq!(
        r.dest.messages().len(),
        1,
        "the PHI message reached a receiver without verified TLS"
    );
}

#[test]
fn a_bounced_dsn_is_never_bounced_again() {
    let mut r = rig(&[]);
    // The tenant's own server refuses this sender: the DSN to it bounces in turn.
    let sender = "reject-alice@acme-health.org";
    let (id, _) = send(
        &r.gw,
        sender,
        &["reject-kai@dest.test"],
        "loop?",
        "dsn-loop",
    );
    queue::wait_all(&r.gw, &r.env, &id, "bounced", Duration::from_secs(60));
    r.tenant.wait_refused(sender, 550, Duration::from_secs(60));
    let entries = settle(&r.gw, &r.env);
    assert_eq!(entries.len(), 2, "original and one DSN only: {entries:?}");
    let dsn = entries
        .iter()
        .find(|e| e["message"]["envelope"]["mail_from"].is_null())
        .expect("the DSN");
    let dsn_id = dsn["message"]["id"].as_str().unwrap();
    let e = queue::entry(&r.gw, &r.env, dsn_id).unwrap();
    assert_eq!(queue::statuses(&e), ["bounced"], "{e}");
    assert!(r.gw.terminate().success());
    assert!(r.tenant.messages().is_empty());
}

#[test]
fn a_dsn_never_travels_back_to_the_tenant_in_plaintext() {
    let env = Env::new();
    let dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
    // The tenant's return route offers no STARTTLS.
    let mut tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), None);
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[delivery.routes]\n\"dest.test\" = \"{}\"\n\"acme-health.org\" = \"{}\"\n",
            dest.addr, tenant.addr
        ),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);
    let (id, _) = send(
        &gw,
        "alice@acme-health.org",
        &["reject-lia@dest.test"],
        "plain return route",
        "dsn-plain",
    );
    queue::wait_all(&gw, &env, &id, "bounced", Duration::from_secs(60));
    let entries = settle(&gw, &env);
    let dsn = entries
        .iter()
        .find(|e| e["message"]["envelope"]["mail_from"].is_null())
        .expect("a DSN was queued");
    let dsn_id = dsn["message"]["id"].as_str().unwrap();
    let e = queue::entry(&gw, &env, dsn_id).unwrap();
    assert_eq!(queue::statuses(&e), ["dropped-by-policy"], "{e}");
    assert!(gw.terminate().success());
    assert!(
        tenant.messages().is_empty(),
        "the DSN went back without TLS"
    );
}
