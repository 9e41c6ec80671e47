//! Acceptance (issue 5 part 6, RFC 8689 outbound): REQUIRETLS and `TLS-Required: No` end to
//! end, against real peers — a DNSSEC-signed zone (nsd), an MTA-STS policy server with the
//! test CA, a Postfix with one listener per certificate, and a **second sealgate** as a
//! receiving MTA that offers REQUIRETLS after STARTTLS (outbox mode, inbound certificate for
//! its MX names from the test CA).
//!
//! One message per case, each submitted to the sending gateway as the case says
//! (`MAIL FROM:<…> REQUIRETLS` over STARTTLS through the raw client; a `TLS-Required: No`
//! header; a body with an SSN-like value for the shipped rules' PHI detection). The expected
//! outcomes are the table in [`cases`], derived from RFC 8689 and issue 5 — not from the code:
//!
//! - REQUIRETLS goes only to a host that offers REQUIRETLS after STARTTLS, over TLS validated
//!   by DANE or by WebPKI under an MTA-STS policy listing the host (§4.2.1, issue 5: "with
//!   MTA-STS- or DANE-validated TLS, else 5.7.30"); the MAIL command carries REQUIRETLS on, so
//!   the receiving sealgate queues the message with `require_tls: true`. No such host →
//!   permanent failure `5.7.30` and a DSN to the sender (§4.2.1, §5), which returns headers
//!   only (§5: "MUST behave as if RET=HDRS was present").
//! - `TLS-Required: No` (without REQUIRETLS) asks that recipient-side policies (MTA-STS, DANE)
//!   be ignored (§4.2.2): a non-PHI message to an MTA-STS `enforce` domain whose MX shows a
//!   self-signed certificate is delivered (over TLS, unverified). The same header on a message
//!   the rules marked PHI is ignored (issue 5): the PHI chain `tls-verified → pgp → smime →
//!   hold` finds no verified TLS and no key, so the message is held — nothing reaches the MX.
//!   A control message without the header to the same domain is deferred by the `enforce`
//!   policy (RFC 8461 §5), so the header really lifted something.
//!
//! `a_bounced_requiretls_message_comes_back_headers_only` checks §5's RET=HDRS rule on its
//! own. It fails against the gateway as of this commit: `gateway/deliver/src/dsn.rs` returns
//! the whole message unless the message is PHI or RET=HDRS was given — reported to the lead,
//! not fitted to the code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::gateway::find_by_message_id;
use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::mtasts::{StsServer, policy};
use sealgate_tests::nsd::{Nsd, SignedZone};
use sealgate_tests::receiver::{parse_dsn, pause};
use sealgate_tests::smtp::{dot_stuff, queued_id, tls_trusting};
use sealgate_tests::tlsrig::{
    Peer, Peers, Rig, SENDER, attempts, notice_receiver, received_with_tls, recipient,
    status_reasons, wait_settled,
};
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::collections::HashMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

#[path = "requiretls_out/check.rs"]
mod check;

const ZONE: &str = "rtls.test";
const SSN: &str = "123-45-6789";
/// The body of the non-PHI messages.
const NON_PHI_BODY: &str = "Appointment reminder: nothing confidential in here.";

/// Where a case's MX points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Host {
    /// The second sealgate, with a TLSA `3 1 1` record for its key.
    SealgateDane,
    /// The second sealgate, valid certificate (test CA, MX name), no TLSA, no MTA-STS.
    SealgateWebPki,
    /// Postfix, valid certificate, MTA-STS `enforce` listing the MX. No REQUIRETLS.
    PostfixStsValid,
    /// Postfix, self-signed certificate, MTA-STS `enforce` listing the MX.
    PostfixStsSelfSigned,
}

impl Host {
    fn label(self) -> &'static str {
        match self {
            Host::SealgateDane => "dane",
            Host::SealgateWebPki => "webpki",
            Host::PostfixStsValid => "sts-valid",
            Host::PostfixStsSelfSigned => "sts-selfsigned",
        }
    }
    fn domain(self) -> String {
        format!("{}.{ZONE}", self.label())
    }
    fn mx(self) -> String {
        format!("mx.{}", self.domain())
    }
    fn sealgate(self) -> bool {
        matches!(self, Host::SealgateDane | Host::SealgateWebPki)
    }
    fn sts(self) -> bool {
        matches!(self, Host::PostfixStsValid | Host::PostfixStsSelfSigned)
    }
    fn peer(self) -> Option<Peer> {
        match self {
            Host::PostfixStsValid => Some(Peer::Valid),
            Host::PostfixStsSelfSigned => Some(Peer::SelfSigned),
            _ => None,
        }
    }
    const ALL: [Host; 4] = [
        Host::SealgateDane,
        Host::SealgateWebPki,
        Host::PostfixStsValid,
        Host::PostfixStsSelfSigned,
    ];
}

/// What the case's recipient must end as.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Want {
    /// Delivered over TLS; the last attempt records `cert_verified` and `dane` as given.
    Delivered { verified: bool, dane: bool },
    /// Bounced `550 5.7.30`, a DSN to the sender saying `Status: 5.7.30`.
    Bounced5730,
    /// Deferred (temporary failure), to be retried.
    Deferred,
    /// Held (the chain walked to `hold`).
    Held,
}

impl fmt::Display for Want {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Want::Delivered { verified, dane } => {
                write!(f, "delivered(verified={verified},dane={dane})")
            }
            Want::Bounced5730 => f.write_str("bounced-5.7.30"),
            Want::Deferred => f.write_str("deferred"),
            Want::Held => f.write_str("held"),
        }
    }
}

struct Case {
    label: &'static str,
    host: Host,
    /// `MAIL FROM:<…> REQUIRETLS` (over STARTTLS).
    requiretls: bool,
    /// A top-level `TLS-Required: No` header field.
    tls_required_no: bool,
    /// The body carries an SSN (the shipped rules' `phi-identifier`).
    phi: bool,
    want: Want,
}

impl Case {
    fn address(&self) -> String {
        format!("{}@{}", self.label, self.host.domain())
    }
}

/// The expected outcomes (RFC 8689, issue 5, DESIGN.md "Protection model"), one row per case.
///
/// - `rtls-dane`: §4.2.1 — the host offers REQUIRETLS after STARTTLS and its certificate is
///   authenticated by DANE (RFC 7672): delivered, REQUIRETLS passed on.
/// - `rtls-nooffer`: §4.2.1 — the host (Postfix) does not offer REQUIRETLS, though its TLS
///   validates under MTA-STS `enforce`: 5.7.30, DSN to the sender.
/// - `rtls-webpki`: issue 5 — WebPKI alone, neither MTA-STS nor DANE vouches for the host:
///   5.7.30. (RFC 8689 §4.2.1 asks MTA-STS only when the MX answer is not DNSSEC-signed, then
///   an RFC 6125 check; this zone is signed, so the RFC alone would let the valid certificate
///   carry the message. Issue 5 is stricter, failing closed is allowed: the row follows it.)
/// - `sts-control`: RFC 8461 §5 — `enforce`, a self-signed certificate: not delivered,
///   deferred (a discovered demand). The control for the next two rows.
/// - `trn-plain`: §4.2.2 — `TLS-Required: No` lifts MTA-STS: delivered, TLS still used,
///   unverified.
/// - `trn-phi`: issue 5 — the header is ignored for PHI; the PHI chain's `tls-verified` is
///   unmet (self-signed), `pgp` and `smime` have no key → `hold`.
#[rustfmt::skip]
fn cases() -> Vec<Case> {
    use Host::{PostfixStsSelfSigned as SelfSigned, PostfixStsValid as Postfix};
    use Host::{SealgateDane as Dane, SealgateWebPki as WebPki};
    use Want::{Bounced5730 as B5730, Deferred, Held};
    const DANE: Want = Want::Delivered { verified: true, dane: true };
    const UNVERIFIED: Want = Want::Delivered { verified: false, dane: false };
    let case = |label, host, requiretls, tls_required_no, phi, want| Case {
        label, host, requiretls, tls_required_no, phi, want,
    };
    vec![
        //    label           MX host     REQUIRETLS  TLS-Required: No  PHI    want
        case("rtls-dane",    Dane,       true,       false,            false, DANE),
        case("rtls-nooffer", Postfix,    true,       false,            false, B5730),
        case("rtls-webpki",  WebPki,     true,       false,            false, B5730),
        case("sts-control",  SelfSigned, false,      false,            false, Deferred),
        case("trn-plain",    SelfSigned, false,      true,             false, UNVERIFIED),
        case("trn-phi",      SelfSigned, false,      true,             true,  Held),
    ]
}

fn message(c: &Case, msgid: &str) -> String {
    let body = if c.phi {
        format!("Patient SSN {SSN}, results attached.")
    } else {
        NON_PHI_BODY.to_string()
    };
    let m = simple(SENDER, &c.address(), "requiretls out", msgid, &body);
    if c.tls_required_no {
        m.replacen("\r\n", "\r\nTLS-Required: No\r\n", 1)
    } else {
        m
    }
}

/// Submits one case's message to the sending gateway over STARTTLS; returns its queue id.
fn submit(env: &Env, gw: &Gateway, c: &Case, msgid: &str) -> String {
    let mut s = Smtp::ready(gw.smtp);
    s.cmd("STARTTLS").expect(220, "2.0.0", "STARTTLS");
    s.starttls(tls_trusting(&env.self_signed_cert()), "gw.sealgate.test")
        .expect("TLS handshake with the sending gateway");
    let ehlo = s.cmd("EHLO client.test");
    ehlo.expect(250, "", "EHLO in TLS");
    assert!(
        ehlo.lines.iter().any(|l| l == "REQUIRETLS"),
        "sending gateway offers no REQUIRETLS: {ehlo}"
    );
    let params = if c.requiretls { " REQUIRETLS" } else { "" };
    s.cmd(&format!("MAIL FROM:<{SENDER}>{params}"))
        .expect(250, "2.1.0", "MAIL");
    s.cmd(&format!("RCPT TO:<{}>", c.address()))
        .expect(250, "2.1.5", "RCPT");
    s.cmd("DATA").expect(354, "", "DATA");
    s.send(&dot_stuff(message(c, msgid).as_bytes()))
        .expect("send data");
    let r = s.reply().expect("end-of-data reply");
    r.expect(250, "2.0.0", &format!("{}: end of data", c.label));
    s.cmd("QUIT");
    queued_id(&r).expect("queue id")
}

/// The receiving sealgate's queued envelope of `msgid`, waiting up to `timeout` for it.
fn received_by_sealgate(gw: &Gateway, msgid: &str, timeout: Duration) -> Option<serde_json::Value> {
    let deadline = Instant::now() + timeout;
    loop {
        let entries = gw.queue_list();
        if let Some(e) = find_by_message_id(&entries, msgid) {
            return Some(e["message"]["envelope"].clone());
        }
        if Instant::now() >= deadline {
            return None;
        }
        pause(Duration::from_millis(100));
    }
}

fn status_code(reply: &serde_json::Value) -> String {
    match reply["status"].as_array() {
        Some(a) => a
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join("."),
        None => String::new(),
    }
}

/// What one run of the rig gave.
struct Run {
    /// The table, one line per case: got / want.
    table: String,
    /// Every difference from the table (outcome, TLS facts, arrival, DSN).
    failures: Vec<String>,
    /// The parsed DSN naming each bounced case's address.
    dsns: HashMap<String, serde_json::Value>,
    /// Each case's Message-ID, by label.
    msgids: HashMap<&'static str, String>,
    /// Both gateways' logs, for failure messages.
    logs: String,
}

/// Builds the peers, runs `cases` through a sending gateway and compares with their `want`.
fn run(cases: &[Case]) -> Run {
    let started = Instant::now();
    let env = Env::new();

    // Certificates: Postfix's personalities (test CA), and the second sealgate's inbound
    // certificate for both of its MX names from the same CA.
    let peers = Peers::new(&env.etc(), |p| {
        Host::ALL
            .iter()
            .filter(|h| h.peer() == Some(p))
            .map(|h| h.mx())
            .collect()
    });
    let mx_names = [Host::SealgateDane.mx(), Host::SealgateWebPki.mx()];
    let mx_refs: Vec<&str> = mx_names.iter().map(String::as_str).collect();
    let mx_cert = peers.ca.leaf(&env.etc(), "sealgate-mx", &mx_refs, false);

    // The signed zone: an MX per host domain, the hosts, TLSA only for the DANE host,
    // `_mta-sts` TXT only for the Postfix hosts.
    let mut zone = SignedZone::new(ZONE);
    let mut policies = Vec::new();
    for h in Host::ALL {
        zone = zone
            .mx(&h.domain(), 10, &h.mx())
            .a(&h.mx(), Ipv4Addr::LOCALHOST);
        if h == Host::SealgateDane {
            zone = zone.tlsa(&h.mx(), 25, "3 1 1", &mx_cert.spki_sha256);
        }
        if h.sts() {
            zone = zone.txt(&format!("_mta-sts.{}", h.domain()), "v=STSv1; id=rtls1");
            policies.push((h.domain(), policy("enforce", &[&h.mx()], 86_400)));
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

    let pf_domains: Vec<String> = Host::ALL
        .iter()
        .filter(|h| !h.sealgate())
        .map(|h| h.domain())
        .collect();
    let pf = peers.postfix(&pf_domains);

    // The receiving sealgate: its accept stage offers REQUIRETLS after STARTTLS.
    let rx_env = Env::new();
    let q = |p: &std::path::Path| serde_json::to_string(&p.to_string_lossy()).unwrap();
    let rx = Gateway::start(
        &rx_env,
        &GatewayConfig {
            hostname: Host::SealgateDane.mx(),
            tls: vec![
                format!("cert = {}", q(&mx_cert.cert)),
                format!("key = {}", q(&mx_cert.key)),
            ],
            mode: Mode::Outbox,
            ..GatewayConfig::default()
        },
    );

    let mut notices = notice_receiver(&env);
    let mx_host_ports = Host::ALL
        .iter()
        .map(|h| {
            let port = match h.peer() {
                Some(p) => pf.listener(p.name()).port(),
                None => rx.smtp.port(),
            };
            (h.mx(), port)
        })
        .collect();
    let rig = Rig {
        nsd: &nsd,
        mx_host_ports,
        domains: Vec::new(),
        sts: Some(sts.addr),
        ca: &peers.ca,
        notices: notices.addr,
    };
    let gw = Gateway::start(&env, &rig.config());

    // One message per case, each waited for until it leaves `scheduled`.
    let mut ids = HashMap::new();
    for c in cases {
        let msgid = unique_message_id(c.label);
        let id = submit(&env, &gw, c, &msgid);
        ids.insert(c.label, (id, msgid));
    }
    let entries: HashMap<&str, serde_json::Value> = cases
        .iter()
        .map(|c| {
            let (id, _) = &ids[c.label];
            (
                c.label,
                wait_settled(&gw, &env, id, Duration::from_secs(90)),
            )
        })
        .collect();
    let want_in_postfix = cases
        .iter()
        .filter(|c| !c.host.sealgate() && matches!(c.want, Want::Delivered { .. }))
        .count();
    let deadline = Instant::now() + Duration::from_secs(30);
    while pf.delivered_to().len() < want_in_postfix && Instant::now() < deadline {
        pause(Duration::from_millis(100));
    }
    let maildir: HashMap<String, bool> = pf
        .delivered_to()
        .into_iter()
        .map(|(to, f)| (to, received_with_tls(&f)))
        .collect();

    // DSNs to the sender for the bounced cases.
    let bounced: Vec<String> = cases
        .iter()
        .filter(|c| c.want == Want::Bounced5730)
        .map(Case::address)
        .collect();
    let dsns = check::collect_dsns(&mut notices, &bounced);

    let mut failures = Vec::new();
    let mut table = String::new();
    for c in cases {
        let (_, msgid) = &ids[c.label];
        let at_sealgate = if c.host.sealgate() {
            // A delivered case must be there; for the others, a short look that it is not.
            let wait = if matches!(c.want, Want::Delivered { .. }) {
                Duration::from_secs(30)
            } else {
                Duration::from_millis(200)
            };
            received_by_sealgate(&rx, msgid, wait)
        } else {
            None
        };
        let seen = check::Seen {
            entry: &entries[c.label],
            at_sealgate,
            in_maildir: maildir.get(&c.address().to_ascii_lowercase()).copied(),
            dsn: dsns.get(&c.address()),
        };
        let (line, failure) = check::case(c, &seen);
        table.push_str(&line);
        failures.extend(failure);
    }
    // The MTA-STS policies were really in play.
    let requested: Vec<String> = sts.requests().into_iter().map(|(h, _)| h).collect();
    if !requested.contains(&format!("mta-sts.{}", Host::PostfixStsValid.domain())) {
        failures.push("the sts-valid domain's MTA-STS policy was never fetched".into());
    }
    eprintln!("requiretls_out in {:?}:\n{table}", started.elapsed());
    let logs = format!(
        "--- sending gateway log\n{}\n--- receiving sealgate log\n{}",
        gw.log_text(),
        rx.log_text()
    );
    assert!(gw.terminate().success());
    assert!(rx.terminate().success());
    Run {
        table,
        failures,
        dsns,
        msgids: ids.into_iter().map(|(l, (_, m))| (l, m)).collect(),
        logs,
    }
}

#[test]
fn requiretls_is_honoured_outbound_and_tls_required_no_never_weakens_phi() {
    let r = run(&cases());
    assert!(
        r.failures.is_empty(),
        "{} case(s) differ from the expected table:\n{}\n{}\n{}",
        r.failures.len(),
        r.table,
        r.failures.join("\n"),
        r.logs
    );
}

/// RFC 8689 §5: "If a REQUIRETLS message is bounced, the server MUST behave as if RET=HDRS
/// was present" — the DSN for each bounced case returns the original's headers (its
/// Message-ID), never its body, though the sender asked no RET.
#[test]
fn a_bounced_requiretls_message_comes_back_headers_only() {
    let bounced: Vec<Case> = cases()
        .into_iter()
        .filter(|c| c.want == Want::Bounced5730)
        .collect();
    assert!(!bounced.is_empty());
    let r = run(&bounced);
    assert!(
        r.failures.is_empty(),
        "{}\n{}\n{}",
        r.table,
        r.failures.join("\n"),
        r.logs
    );
    let mut wrong = Vec::new();
    for c in &bounced {
        let d = &r.dsns[&c.address()];
        let msgid = &r.msgids[c.label];
        if !d["returned_message"].is_null() {
            wrong.push(format!(
                "{}: the DSN returns the whole message (message/rfc822), not headers only",
                c.label
            ));
        }
        match d["returned_headers"].as_str() {
            Some(h) if h.contains(msgid.as_str()) && !h.contains(NON_PHI_BODY) => {}
            other => wrong.push(format!(
                "{}: returned headers {other:?} (want the original's, with {msgid})",
                c.label
            )),
        }
    }
    assert!(wrong.is_empty(), "{}\n{}", wrong.join("\n"), r.logs);
}
