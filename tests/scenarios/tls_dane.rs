//! Acceptance (issue 5): DANE (RFC 7672) end to end, against a DNSSEC-signed zone served by
//! nsd (ldns-signzone, test trust anchor) and a real Postfix.
//!
//! - TLSA `3 1 1` matching the key the MX presents → delivered, TLS facts recorded
//!   (version, cipher, certificate verified), the copy in Postfix's Maildir. One MX presents
//!   the valid certificate, one a self-signed one that only DANE can vouch for (DANE-EE checks
//!   neither issuer nor name, §3.1.1).
//! - TLSA that matches nothing → never delivered: deferred, nothing in the Maildir — also for
//!   a domain whose `[tls.domains]` level is `may` (no plaintext retry after the refused
//!   handshake: the TLSA record alone makes TLS mandatory, §2.2).
//! - Bogus DNSSEC (an expired RRSIG) on the TLSA RRset, and on the domain's MX RRset → never
//!   delivered in plaintext: both MX hosts are Postfix listeners *without* STARTTLS, so any
//!   plaintext fallback would land in the Maildir; they must be deferred instead. (The MX
//!   with the bogus MX RRset has no TLSA record, so only refusing the bogus answer — not a
//!   TLSA demand — can keep it from plaintext; the rig checks with `ldns-verify-zone` that
//!   the served zone really is invalid.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::nsd::{Nsd, SignedZone};
use sealgate_tests::receiver::pause;
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tlsrig::{
    Outcome, Peer, Peers, Rig, SENDER, attempts, notice_receiver, outcome, received_with_tls,
    recipient, status_reasons, wait_settled,
};
use sealgate_tests::{Env, Gateway, Smtp};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

const ZONE: &str = "dane.test";

/// What the TLSA record of a case's MX says.
#[derive(Clone, Copy)]
enum Tlsa {
    /// `3 1 1` of the key the MX presents.
    Match,
    /// `3 1 1` of a key nobody presents.
    Mismatch,
    /// `3 1 1` of the presented key, but its RRSIG expired (bogus).
    Bogus,
    /// No TLSA record.
    None,
}

struct Case {
    label: &'static str,
    peer: Peer,
    tlsa: Tlsa,
    /// The MX RRset's RRSIG expired (bogus).
    bogus_mx: bool,
    /// `[tls.domains]` level with on_failure `forced`, if any.
    level: Option<&'static str>,
    want: Outcome,
}

impl Case {
    fn domain(&self) -> String {
        format!("{}.{ZONE}", self.label)
    }
    fn mx(&self) -> String {
        format!("mx-{}.{ZONE}", self.label)
    }
    fn address(&self) -> String {
        format!("rcpt@{}", self.domain())
    }
}

fn cases() -> Vec<Case> {
    let case = |label, peer, tlsa, bogus_mx, level, want| Case {
        label,
        peer,
        tlsa,
        bogus_mx,
        level,
        want,
    };
    vec![
        case("match", Peer::Valid, Tlsa::Match, false, None, Outcome::Tls),
        case(
            "match-selfsigned",
            Peer::SelfSigned,
            Tlsa::Match,
            false,
            None,
            Outcome::Tls,
        ),
        case(
            "mismatch",
            Peer::Valid,
            Tlsa::Mismatch,
            false,
            None,
            Outcome::Deferred,
        ),
        case(
            "mismatch-may",
            Peer::Valid,
            Tlsa::Mismatch,
            false,
            Some("may"),
            Outcome::Deferred,
        ),
        case(
            "bogus-tlsa",
            Peer::NoStarttls,
            Tlsa::Bogus,
            false,
            None,
            Outcome::Deferred,
        ),
        // No TLSA at all: whether a bogus MX answer were taken as insecure or as secure,
        // nothing would demand TLS — only refusing the bogus answer keeps it from plaintext.
        case(
            "bogus-mx",
            Peer::NoStarttls,
            Tlsa::None,
            true,
            None,
            Outcome::Deferred,
        ),
    ]
}

#[test]
fn dane_match_delivers_and_mismatch_or_bogus_never_goes_plaintext() {
    let started = Instant::now();
    let env = Env::new();
    let cases = cases();
    let peers = Peers::new(&env.etc(), |p| {
        cases.iter().filter(|c| c.peer == p).map(Case::mx).collect()
    });
    let mut zone = SignedZone::new(ZONE);
    for c in &cases {
        zone = zone
            .mx(&c.domain(), 10, &c.mx())
            .a(&c.mx(), Ipv4Addr::LOCALHOST);
        let hash = match c.tlsa {
            Tlsa::Match | Tlsa::Bogus => Some(peers.spki(c.peer)),
            Tlsa::Mismatch => Some(peers.unused_spki()),
            Tlsa::None => None,
        };
        if let Some(h) = hash {
            zone = zone.tlsa(&c.mx(), 25, "3 1 1", &h);
        }
        if matches!(c.tlsa, Tlsa::Bogus) {
            zone = zone.expire(&format!("_25._tcp.{}", c.mx()), "TLSA");
        }
        if c.bogus_mx {
            zone = zone.expire(&c.domain(), "MX");
        }
    }
    let nsd = Nsd::start(&[zone]);
    let domains: Vec<String> = cases.iter().map(Case::domain).collect();
    let pf = peers.postfix(&domains);
    let notices = notice_receiver(&env);
    let rig = Rig {
        nsd: &nsd,
        mx_host_ports: cases
            .iter()
            .map(|c| (c.mx(), pf.listener(c.peer.name()).port()))
            .collect(),
        domains: cases
            .iter()
            .filter_map(|c| c.level.map(|l| (c.domain(), l.into(), "forced".into())))
            .collect(),
        sts: None,
        ca: &peers.ca,
        notices: notices.addr,
    };
    let gw = Gateway::start(&env, &rig.config());

    let addresses: Vec<String> = cases.iter().map(Case::address).collect();
    let refs: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let msgid = unique_message_id("tls-dane");
    let m = simple(
        SENDER,
        "undisclosed-recipients:;",
        "dane",
        &msgid,
        "DANE test.",
    );
    let reply = Smtp::ready(gw.smtp).send_mail(SENDER, &refs, &m);
    reply.expect(250, "2.0.0", "end of data");
    let id = queued_id(&reply).expect("queue id");
    let entry = wait_settled(&gw, &env, &id, Duration::from_secs(60));
    let want_delivered = cases.iter().filter(|c| c.want == Outcome::Tls).count();
    let deadline = Instant::now() + Duration::from_secs(30);
    while pf.delivered_to().len() < want_delivered && Instant::now() < deadline {
        pause(Duration::from_millis(100));
    }
    let maildir = pf.delivered_to();

    let mut failures = Vec::new();
    let mut table = String::new();
    for c in &cases {
        let r = recipient(&entry, &c.address());
        let got = outcome(r);
        let last = attempts(r).last().cloned().unwrap_or_default();
        let arrived = maildir.iter().find(|(to, _)| *to == c.address());
        let mut why = Vec::new();
        table.push_str(&format!(
            "{:<28} got {got:<16} want {:<16} {:?}\n",
            c.domain(),
            c.want,
            status_reasons(r)
        ));
        if got != c.want {
            why.push(format!("got {got}, want {}", c.want));
        }
        match (&c.want, arrived) {
            (Outcome::Tls, None) => why.push("not in Postfix's Maildir".into()),
            (Outcome::Tls, Some((_, f))) if !received_with_tls(f) => {
                why.push("Postfix received it without TLS".into())
            }
            (Outcome::Tls, Some(_)) => {}
            (_, Some(_)) => why.push("reached Postfix's Maildir".into()),
            (_, None) => {}
        }
        if c.want == Outcome::Tls && got == Outcome::Tls {
            let v = last["tls_version"].as_str().unwrap_or("");
            if v != "TLSv1.3" && v != "TLSv1.2" {
                why.push(format!("tls_version {v:?}"));
            }
            if !last["tls_cipher"].is_string() {
                why.push("no tls_cipher".into());
            }
            if last["cert_verified"] != true {
                why.push(format!("cert_verified {}", last["cert_verified"]));
            }
        }
        if c.want != Outcome::Tls
            && attempts(r)
                .iter()
                .any(|a| a["tls_version"].is_null() && a["reply"]["code"] == 250)
        {
            why.push("an attempt was accepted without TLS".into());
        }
        if !why.is_empty() {
            failures.push(format!(
                "{}: {}\n    events: {:?}\n    last attempt: {last}",
                c.domain(),
                why.join("; "),
                status_reasons(r)
            ));
        }
    }
    eprintln!("tls_dane in {:?}:\n{table}", started.elapsed());
    assert!(
        failures.is_empty(),
        "{} of {} DANE cases wrong:\n{table}\n{}\n--- gateway log\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n"),
        gw.log_text()
    );
    assert!(gw.terminate().success());
}
