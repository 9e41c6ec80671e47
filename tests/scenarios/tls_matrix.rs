//! Acceptance (issue 5): the outbound TLS matrix against a real Postfix, end to end.
//!
//! Rows: {no STARTTLS, self-signed, expired, wrong name, valid} × {may, encrypt, verify, dane,
//! MTA-STS enforce, MTA-STS testing} × {forced, exclusive} — one recipient domain per row in a
//! DNSSEC-signed zone (nsd, ldns-signzone, test trust anchor), each domain's MX a Postfix
//! smtpd listener with that row's certificate. Level columns come from `[tls.domains]`; the
//! `dane` column is `level = "dane"` plus a TLSA `3 1 1` record matching the key its MX
//! presents (a key nobody presents for the host without STARTTLS); the MTA-STS columns publish
//! `_mta-sts` TXT and a policy (`mode: enforce|testing`, `mx:` the row's MX) on a local HTTPS
//! server with a test CA, and put `level = "may"` with the row's `on_failure` in the table —
//! the on_failure column is there and, honestly, has no effect.
//!
//! One message to all 60 recipients (a `deliver` requirement: nothing in it is PHI); every
//! recipient is waited for, then the whole table is compared at once and the differences
//! printed as a table. Delivered rows also have their TLS facts checked (version, certificate
//! verified) and their copy found in Postfix's Maildir (Postfix's `Received:` saying TLS or
//! not); dropped rows must have a notice to the sender; held rows a "fallback from" event.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::mtasts::{StsServer, policy};
use sealgate_tests::nsd::{Nsd, SignedZone};
use sealgate_tests::receiver::pause;
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tlsrig::{
    Outcome, Peer, Peers, Rig, SENDER, attempts, notice_receiver, outcome, received_with_tls,
    recipient, status_reasons, wait_notices, wait_settled,
};
use sealgate_tests::{Env, Gateway, Smtp};
use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

const ZONE: &str = "matrix.test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    May,
    Encrypt,
    Verify,
    Dane,
    StsEnforce,
    StsTesting,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::May => "may",
            Column::Encrypt => "encrypt",
            Column::Verify => "verify",
            Column::Dane => "dane",
            Column::StsEnforce => "sts-enforce",
            Column::StsTesting => "sts-testing",
        }
    }

    /// The level the row's `[tls.domains]` entry gives.
    fn admin_level(self) -> &'static str {
        match self {
            Column::May | Column::StsEnforce | Column::StsTesting => "may",
            Column::Encrypt => "encrypt",
            Column::Verify => "verify",
            Column::Dane => "dane",
        }
    }

    fn sts_mode(self) -> Option<&'static str> {
        match self {
            Column::StsEnforce => Some("enforce"),
            Column::StsTesting => Some("testing"),
            _ => None,
        }
    }
}

/// The expected outcomes, cells in the order of [`Peer::ALL`]:
/// no STARTTLS, self-signed, expired, wrong name, valid.
///
/// - `may`: opportunistic — any certificate is TLS, no STARTTLS is plaintext.
/// - `encrypt`: any certificate; without STARTTLS the admin's demand is unmet → its
///   on_failure: `forced` walks the fallback chain (`["hold"]` → held), `exclusive` drops
///   with a notice.
/// - `verify`: only the valid certificate (test CA = `mx_ca`, MX name) passes; the others are
///   unmet admin demands → held / dropped.
/// - `dane`: TLSA 3 1 1 matches the key each MX presents, and DANE-EE checks neither name nor
///   expiry nor issuer (RFC 7672 §3.1.1) → TLS for every certificate. Without STARTTLS the
///   TLSA record makes TLS mandatory (RFC 7672 §2.2: never plaintext); the admin's `dane`
///   demand is unmet too, so its on_failure decides → held / dropped.
/// - MTA-STS `enforce`: only a session that validates (WebPKI, MX name) may carry the mail
///   (RFC 8461 §4.2, §5); the demand comes from MTA-STS alone (the table says `may`) →
///   deferred, whatever on_failure says.
/// - MTA-STS `testing`: never blocks (RFC 8461 §5) — delivered as with `may`.
fn expected() -> Vec<(Column, &'static str, [Outcome; 5])> {
    use Outcome::{Deferred as F, Dropped as D, Held as H, Plain as P, Tls as T};
    vec![
        // column              on_failure    none self  exp  wrong valid
        (Column::May, "forced", [P, T, T, T, T]),
        (Column::May, "exclusive", [P, T, T, T, T]),
        (Column::Encrypt, "forced", [H, T, T, T, T]),
        (Column::Encrypt, "exclusive", [D, T, T, T, T]),
        (Column::Verify, "forced", [H, H, H, H, T]),
        (Column::Verify, "exclusive", [D, D, D, D, T]),
        (Column::Dane, "forced", [H, T, T, T, T]),
        (Column::Dane, "exclusive", [D, T, T, T, T]),
        (Column::StsEnforce, "forced", [F, F, F, F, T]),
        (Column::StsEnforce, "exclusive", [F, F, F, F, T]),
        (Column::StsTesting, "forced", [P, T, T, T, T]),
        (Column::StsTesting, "exclusive", [P, T, T, T, T]),
    ]
}

/// The certificate-verified flag a delivered-with-TLS row must record (`None`: not asserted —
/// a valid certificate at a level that does not ask for verification).
fn expected_verified(column: Column, peer: Peer) -> Option<bool> {
    match (column, peer) {
        (Column::Dane, _) => Some(true),
        (Column::Verify | Column::StsEnforce, Peer::Valid) => Some(true),
        (_, Peer::Valid) => None,
        _ => Some(false),
    }
}

struct Row {
    column: Column,
    on_failure: &'static str,
    peer: Peer,
    want: Outcome,
}

impl Row {
    fn domain(&self) -> String {
        format!(
            "{}-{}-{}.{ZONE}",
            self.peer.name(),
            self.column.name(),
            self.on_failure
        )
    }
    fn address(&self) -> String {
        format!("rcpt@{}", self.domain())
    }
    fn mx(&self) -> String {
        mx_host(self.column == Column::Dane, self.peer)
    }
}

fn mx_host(dane: bool, peer: Peer) -> String {
    let d = if dane { "dane-" } else { "" };
    format!("mx-{d}{}.{ZONE}", peer.name())
}

fn rows() -> Vec<Row> {
    let mut v = Vec::new();
    for (column, on_failure, cells) in expected() {
        for (peer, want) in Peer::ALL.into_iter().zip(cells) {
            v.push(Row {
                column,
                on_failure,
                peer,
                want,
            });
        }
    }
    v
}

/// What went wrong with a row beyond its outcome (TLS facts, Maildir, events).
fn row_problems(row: &Row, r: &serde_json::Value, maildir: &HashMap<String, bool>) -> Vec<String> {
    let mut p = Vec::new();
    let got = outcome(r);
    let arrived = maildir.get(&row.address());
    match got {
        Outcome::Tls | Outcome::Plain => {
            let last = attempts(r).last().cloned().unwrap_or_default();
            match arrived {
                None => p.push("delivered, but not in Postfix's Maildir".into()),
                Some(tls) if *tls != (got == Outcome::Tls) => p.push(format!(
                    "Postfix's Received says TLS={tls}, the record says {got}"
                )),
                Some(_) => {}
            }
            if got == Outcome::Tls {
                let v = last["tls_version"].as_str().unwrap_or("");
                if v != "TLSv1.3" && v != "TLSv1.2" {
                    p.push(format!("tls_version {v:?}"));
                }
                if !last["tls_cipher"].is_string() {
                    p.push("no tls_cipher recorded".into());
                }
                if let Some(want) = expected_verified(row.column, row.peer)
                    && last["cert_verified"].as_bool() != Some(want)
                {
                    p.push(format!(
                        "cert_verified {} (want {want})",
                        last["cert_verified"]
                    ));
                }
            }
        }
        Outcome::Held => {
            if arrived.is_some() {
                p.push("held, yet in Postfix's Maildir".into());
            }
            if !status_reasons(r)
                .iter()
                .any(|s| s.contains("fallback from"))
            {
                p.push(format!("no `fallback from` event: {:?}", status_reasons(r)));
            }
        }
        Outcome::Dropped | Outcome::Deferred | Outcome::Other(_) => {
            if arrived.is_some() {
                p.push(format!("{got}, yet in Postfix's Maildir"));
            }
        }
    }
    p
}

#[test]
fn tls_matrix_against_postfix() {
    let started = Instant::now();
    let env = Env::new();
    let rows = rows();
    let peers = Peers::new(&env.etc(), |p| vec![mx_host(false, p), mx_host(true, p)]);

    // The signed zone: an MX per row domain, the MX hosts, TLSA for the `dane` hosts, and
    // `_mta-sts` TXT for the MTA-STS rows.
    let mut zone = SignedZone::new(ZONE);
    for p in Peer::ALL {
        for dane in [false, true] {
            zone = zone.a(&mx_host(dane, p), Ipv4Addr::LOCALHOST);
        }
        zone = zone.tlsa(&mx_host(true, p), 25, "3 1 1", &peers.spki(p));
    }
    let mut policies = Vec::new();
    for row in &rows {
        zone = zone.mx(&row.domain(), 10, &row.mx());
        if let Some(mode) = row.column.sts_mode() {
            zone = zone.txt(&format!("_mta-sts.{}", row.domain()), "v=STSv1; id=matrix1");
            policies.push((row.domain(), policy(mode, &[&row.mx()], 86_400)));
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

    let domains: Vec<String> = rows.iter().map(Row::domain).collect();
    let pf = peers.postfix(&domains);
    let mut notices = notice_receiver(&env);
    let mut mx_host_ports = Vec::new();
    for p in Peer::ALL {
        for dane in [false, true] {
            mx_host_ports.push((mx_host(dane, p), pf.listener(p.name()).port()));
        }
    }
    let rig = Rig {
        nsd: &nsd,
        mx_host_ports,
        domains: rows
            .iter()
            .map(|r| {
                let level = r.column.admin_level().to_string();
                (r.domain(), level, r.on_failure.to_string())
            })
            .collect(),
        sts: Some(sts.addr),
        ca: &peers.ca,
        notices: notices.addr,
    };
    let gw = Gateway::start(&env, &rig.config());

    let addresses: Vec<String> = rows.iter().map(Row::address).collect();
    let refs: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let msgid = unique_message_id("tls-matrix");
    let body = "Matrix row message: nothing confidential in here.";
    let m = simple(
        SENDER,
        "undisclosed-recipients:;",
        "tls matrix",
        &msgid,
        body,
    );
    let reply = Smtp::ready(gw.smtp).send_mail(SENDER, &refs, &m);
    reply.expect(250, "2.0.0", "end of data");
    let id = queued_id(&reply).expect("queue id");

    let entry = wait_settled(&gw, &env, &id, Duration::from_secs(90));
    let want_delivered = rows
        .iter()
        .filter(|r| matches!(r.want, Outcome::Tls | Outcome::Plain))
        .count();
    // The Maildir fills after Postfix's 250 (its own queue, then `virtual`).
    let deadline = Instant::now() + Duration::from_secs(30);
    while pf.delivered_to().len() < want_delivered && Instant::now() < deadline {
        pause(Duration::from_millis(100));
    }
    let maildir: HashMap<String, bool> = pf
        .delivered_to()
        .into_iter()
        .map(|(to, f)| (to, received_with_tls(&f)))
        .collect();

    let mut mismatches = Vec::new();
    let mut problems = Vec::new();
    let mut table = String::new();
    let mut dropped = Vec::new();
    table.push_str(&format!("{:<24}", "column/on_failure"));
    for p in Peer::ALL {
        table.push_str(&format!("{:<30}", p.name()));
    }
    for (i, row) in rows.iter().enumerate() {
        if i % 5 == 0 {
            table.push_str(&format!(
                "\n{:<24}",
                format!("{}/{}", row.column.name(), row.on_failure)
            ));
        }
        let r = recipient(&entry, &row.address());
        let got = outcome(r);
        let cell = if got == row.want {
            got.to_string()
        } else {
            mismatches.push(format!(
                "{}: got {got}, want {}\n    events: {:?}\n    last attempt: {}",
                row.domain(),
                row.want,
                status_reasons(r),
                attempts(r).last().cloned().unwrap_or_default()
            ));
            format!("{got} (want {})", row.want)
        };
        table.push_str(&format!("{cell:<30}"));
        if got == Outcome::Dropped {
            dropped.push(row.address());
        }
        for pr in row_problems(row, r, &maildir) {
            problems.push(format!("{}: {pr}", row.domain()));
        }
    }
    let missing = wait_notices(
        &mut notices,
        &dropped,
        "not delivered",
        Duration::from_secs(30),
    );
    for a in missing {
        problems.push(format!("{a}: dropped, but no notice to {SENDER} names it"));
    }
    let requested: Vec<String> = sts.requests().into_iter().map(|(h, _)| h).collect();
    for (d, _) in &policies {
        if !requested.contains(&format!("mta-sts.{d}")) {
            problems.push(format!("{d}: its MTA-STS policy was never fetched"));
        }
    }
    eprintln!(
        "TLS matrix (got; `want` where different), {:?}:\n{table}\n",
        started.elapsed()
    );
    assert!(
        mismatches.is_empty() && problems.is_empty(),
        "{} of {} rows differ from the expected table (outcomes):\n{table}\n\n{}\n\n\
         other problems (TLS facts, Maildir, notices, events, policy fetches):\n{}\n\n\
         --- gateway log (tail)\n{}",
        mismatches.len(),
        rows.len(),
        mismatches.join("\n"),
        problems.join("\n"),
        tail(&gw.log_text(), 60)
    );
    assert!(gw.terminate().success());
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
