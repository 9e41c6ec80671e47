//! Acceptance (issue 16 item 3): `tls-verified` checks the certificate against the MX host's
//! name, so the name must be trustworthy. Each attempt records how the name was authenticated,
//! `queue show` prints it, and `[tls.domains] mx = "authenticated"` refuses unauthenticated
//! names for verified TLS — against a DNSSEC-signed zone served by nsd (ldns-signzone, test
//! trust anchor), an HTTPS MTA-STS server and a real Postfix presenting a certificate of the
//! test CA that is valid for every MX name (so only the name's provenance differs).
//!
//! One `[secure]` message (chain `tls-verified → pgp → smime → portal → hold`, no keys on
//! file, no portal) to four domains:
//! - `secure`: DNSSEC-secure MX answer → delivered over verified TLS, `mx_auth` `dnssec`,
//!   `queue show`: `mx: mx-secure.mxauth.test (authenticated: dnssec)`.
//! - `forged`, `mx = "authenticated"`: its MX RRset's RRSIG expired (bogus: what a forged,
//!   unvalidatable answer looks like) → the host is never contacted for tls-verified; the
//!   chain walks on to `hold`, and the reason (`… is not authenticated …`) is recorded and
//!   shown; `queue show`: `(unauthenticated)`.
//! - `open`: the same bogus MX without the requirement (off by default) → delivered over
//!   verified TLS, recorded `unauthenticated`.
//! - `sts`, `mx = "authenticated"`: bogus MX, but its MTA-STS policy (mode `testing`) lists the
//!   host → delivered, `mx_auth` `mta-sts`.
//!
//! `[tls] dane = false` here: with DANE on, a bogus MX answer defers the domain outright
//! (`tls_dane.rs`); with it off the DNSSEC-validated MX lookup still runs, for this record.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::mtasts::{StsServer, policy};
use sealgate_tests::nsd::{Nsd, SignedZone};
use sealgate_tests::receiver::pause;
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tlsrig::{
    Outcome, Peer, Peers, Rig, SENDER, attempts, notice_receiver, outcome, received_with_tls,
    recipient, status_reasons, wait_settled,
};
use sealgate_tests::tools::{describe, sealgate};
use sealgate_tests::{Env, Gateway, Smtp};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

const ZONE: &str = "mxauth.test";

struct Case {
    label: &'static str,
    /// The MX RRset's RRSIG expired (bogus): the name is not DNSSEC-authenticated.
    bogus_mx: bool,
    /// An MTA-STS policy (mode `testing`) lists the MX host.
    sts: bool,
    /// `[tls.domains] mx = "authenticated"`.
    required: bool,
    want: Outcome,
    /// The recorded `mx_auth` of the last attempt.
    auth: &'static str,
    /// What `queue show` prints for the host.
    shown: &'static str,
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
    vec![
        Case {
            label: "secure",
            bogus_mx: false,
            sts: false,
            required: true,
            want: Outcome::Tls,
            auth: "dnssec",
            shown: "(authenticated: dnssec)",
        },
        Case {
            label: "forged",
            bogus_mx: true,
            sts: false,
            required: true,
            want: Outcome::Held,
            auth: "unauthenticated",
            shown: "(unauthenticated)",
        },
        Case {
            label: "open",
            bogus_mx: true,
            sts: false,
            required: false,
            want: Outcome::Tls,
            auth: "unauthenticated",
            shown: "(unauthenticated)",
        },
        Case {
            label: "sts",
            bogus_mx: true,
            sts: true,
            required: true,
            want: Outcome::Tls,
            auth: "mta-sts",
            shown: "(authenticated: mta-sts)",
        },
    ]
}

/// The rig's configuration with DANE off and the cases' `mx` entries added.
fn config(rig: &Rig<'_>, cases: &[Case]) -> sealgate_tests::GatewayConfig {
    let mut cfg = rig.config();
    let mut entries = String::from("[tls.domains]\n");
    for c in cases.iter().filter(|c| c.required) {
        entries.push_str(&format!(
            "\"{}\" = {{ mx = \"authenticated\" }}\n",
            c.domain()
        ));
    }
    assert!(cfg.extra.contains("dane = true") && cfg.extra.contains("[tls.domains]\n"));
    cfg.extra = cfg
        .extra
        .replace("dane = true", "dane = false")
        .replace("[tls.domains]\n", &entries);
    cfg
}

/// `sealgate queue show ID` (text) through the running gateway.
fn queue_show_text(gw: &Gateway, id: &str) -> String {
    let config = gw.config.to_string_lossy().to_string();
    let admin = gw.admin.to_string();
    let out = sealgate(&["queue", "show", id, "--config", &config, "--admin", &admin]);
    assert!(out.status.success(), "queue show: {}", describe(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn mx_names_are_recorded_and_unauthenticated_ones_refused_for_tls_verified_when_required() {
    let started = Instant::now();
    let env = Env::new();
    let cases = cases();
    let peers = Peers::new(&env.etc(), |p| match p {
        Peer::Valid => cases.iter().map(Case::mx).collect(),
        _ => vec!["unused.invalid".into()],
    });
    let mut zone = SignedZone::new(ZONE);
    let mut policies = Vec::new();
    for c in &cases {
        zone = zone
            .mx(&c.domain(), 10, &c.mx())
            .a(&c.mx(), Ipv4Addr::LOCALHOST);
        if c.bogus_mx {
            zone = zone.expire(&c.domain(), "MX");
        }
        if c.sts {
            zone = zone.txt(&format!("_mta-sts.{}", c.domain()), "v=STSv1; id=mxauth1");
            policies.push((c.domain(), policy("testing", &[&c.mx()], 86_400)));
        }
    }
    let nsd = Nsd::start(&[zone]);
    let sts_names: Vec<String> = policies
        .iter()
        .map(|(d, _)| format!("mta-sts.{d}"))
        .collect();
    let sts_refs: Vec<&str> = sts_names.iter().map(String::as_str).collect();
    let sts_cert = peers.ca.leaf(&env.etc(), "mta-sts", &sts_refs, false);
    let sts = StsServer::start(&sts_cert, &policies);
    let domains: Vec<String> = cases.iter().map(Case::domain).collect();
    let pf = peers.postfix(&domains);
    let notices = notice_receiver(&env);
    let rig = Rig {
        nsd: &nsd,
        mx_host_ports: cases
            .iter()
            .map(|c| (c.mx(), pf.listener(Peer::Valid.name()).port()))
            .collect(),
        domains: Vec::new(),
        sts: Some(sts.addr),
        ca: &peers.ca,
        notices: notices.addr,
    };
    let gw = Gateway::start(&env, &config(&rig, &cases));

    let addresses: Vec<String> = cases.iter().map(Case::address).collect();
    let refs: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let msgid = unique_message_id("tls-mx-auth");
    let m = simple(
        SENDER,
        "undisclosed-recipients:;",
        "[secure] mx names",
        &msgid,
        "Which MX names may tls-verified trust?",
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
    let shown = queue_show_text(&gw, &id);

    let mut failures = Vec::new();
    for c in &cases {
        let r = recipient(&entry, &c.address());
        let got = outcome(r);
        let all = attempts(r);
        let last = all.last().cloned().unwrap_or_default();
        let arrived = maildir.iter().find(|(to, _)| *to == c.address());
        let mut why = Vec::new();
        if got != c.want {
            why.push(format!("got {got}, want {}", c.want));
        }
        match (&c.want, arrived) {
            (Outcome::Tls, None) => why.push("not in Postfix's Maildir".into()),
            (Outcome::Tls, Some((_, f))) if !received_with_tls(f) => {
                why.push("Postfix received it without TLS".into())
            }
            (Outcome::Tls, Some(_)) => {
                if last["cert_verified"] != true {
                    why.push(format!("cert_verified {}", last["cert_verified"]));
                }
            }
            (_, Some(_)) => why.push("reached Postfix's Maildir".into()),
            (_, None) => {}
        }
        if last["mx_auth"] != c.auth {
            why.push(format!("mx_auth {} (want {:?})", last["mx_auth"], c.auth));
        }
        let line = format!("mx: {} {}", c.mx(), c.shown);
        if !shown.contains(&line) {
            why.push(format!("queue show lacks {line:?}"));
        }
        if c.want == Outcome::Held {
            // The host was never contacted: the refusal names the reason, in the attempt's
            // reply and in the fallback status.
            if all.iter().any(|a| a["tls_version"].is_string()) {
                why.push("a TLS session was opened to the unauthenticated host".into());
            }
            let reasons = status_reasons(r).join(" | ");
            if !reasons.contains("is not authenticated") {
                why.push(format!("no reason in the statuses: {reasons}"));
            }
            if !shown.contains("is not authenticated") {
                why.push("queue show does not say why".into());
            }
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
    eprintln!("tls_mx_auth in {:?}:\n{shown}", started.elapsed());
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}\n--- queue show\n{shown}\n--- gateway log\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n"),
        gw.log_text()
    );
    assert!(gw.terminate().success());
}
