//! The later steps of the receipt-status scenario (part of `portal_status.rs`, split for length):
//! reminders, extending a copy, a restart with replies on, and each notice sent once.

use super::*;

/// Unread: one reminder to each (no link in `link` mode), one note to the sender per copy;
/// sam's copy (1 minute) gets its expiry warning.
pub(super) fn reminders(r: &mut Rig, pat: &Copy, sam: &Copy) {
    for c in [pat, sam] {
        let rem = wait_for(&mut r.dest, "Reminder: a secure message", Some(c.to), 1);
        let t = text(&rem[0]);
        assert!(t.contains(&c.reference) && !t.contains("http"), "{t}");
        assert!(
            t.contains("\"Secure message from Acme Health\"") && !t.contains(SSN),
            "{t}"
        );
    }
    let warn = wait_for(&mut r.dest, "expires soon", Some(sam.to), 1);
    assert!(text(&warn[0]).contains(&sam.reference) && !text(&warn[0]).contains("http"));
    for n in wait_for(&mut r.tenant, "has not been read yet", Some(SENDER), 2) {
        let t = text(&n);
        assert!(!t.contains("@dest.test") && !t.contains(SSN) && !t.contains("lab results"));
    }
}

/// "Extend" on sam's page (after its warning): a week more, recorded; no resend in link mode.
pub(super) fn extend(r: &Rig, sam: &Copy, (cookie, form, own): &(String, String, String)) {
    let shown = |gw: &Gateway| portal_cli(gw, &["show", &escrow_of(&sam.link)]);
    let was = shown(&r.gw)["record"]["expires"].as_u64().unwrap();
    let url = format!("{}/extend", sam.status);
    let (status, body) = post(&url, cookie, &[own], &format!("{form}&copy=0"));
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("Extended: it can now be read until"),
        "{body}"
    );
    assert!(
        !body.contains("Send the notification again"),
        "resend offered in link mode"
    );
    let after = shown(&r.gw);
    let until = after["record"]["expires"].as_u64().unwrap();
    assert!(until >= was + 7 * 86_400_000 - 60_000, "{was} -> {until}");
    assert!(event_kinds(&after).contains(&"extended".to_string()));
}

/// Stops the gateway, appends a `replied` event to `copy` through the store API (the reply
/// feature appends it when a reply lands), starts it again on the same configuration.
pub(super) fn restart_with_reply(r: Rig, copy: &Copy) -> Rig {
    let config = r.gw.config.clone();
    r.gw.terminate();
    let store = EscrowStore::open(
        &r.env.data(),
        Arc::new(MasterKeys::load(&r.env.data().join("master.key")).unwrap()),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
    )
    .unwrap();
    let id = escrow_of(&copy.link).parse().unwrap();
    let who = Actor::Client("ip:test".into());
    store.append(id, PortalEventKind::Replied, who).unwrap();
    drop(store);
    let gw = Gateway::start_file(&r.env, &config, &[]);
    Rig { gw, ..r }
}

/// Each mail once, across the restart and many sweeps: the event logs and the receivers.
pub(super) fn sent_once(r: &mut Rig, pat: &Copy, sam: &Copy) {
    let kinds = |c: &Copy| event_kinds(&portal_cli(&r.gw, &["show", &escrow_of(&c.link)]));
    let (pat_events, sam_events) = (kinds(pat), kinds(sam));
    for (kinds, kind, n) in [
        (&pat_events, "reminded", 1),
        (&pat_events, "sender-reminded", 1),
        (&pat_events, "read-receipt-sent", 1),
        (&pat_events, "expiry-warned", 0),
        (&pat_events, "replied", 1),
        (&sam_events, "reminded", 1),
        (&sam_events, "sender-reminded", 1),
        (&sam_events, "expiry-warned", 1),
        (&sam_events, "read-receipt-sent", 0),
    ] {
        assert_eq!(count(kinds, kind), n, "{kind}: {kinds:?}");
    }
    for (needle, to, n) in [
        ("Reminder: a secure message", pat.to, 1),
        ("Reminder: a secure message", sam.to, 1),
        ("expires soon", sam.to, 1),
        ("expires soon", pat.to, 0),
    ] {
        assert_eq!(
            matching(&mut r.dest, needle, Some(to)).len(),
            n,
            "{needle} to {to}"
        );
    }
    for (needle, n) in [
        ("Secure message sent", 2),
        ("has not been read yet", 2),
        ("Your secure message was read", 1),
    ] {
        assert_eq!(
            matching(&mut r.tenant, needle, Some(SENDER)).len(),
            n,
            "{needle}"
        );
    }
}
