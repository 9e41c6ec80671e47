//! The parts the outbound-TLS scenarios share (`tls_matrix`, `tls_dane`, `tls_downgrade`):
//! the five receiving personalities of one Postfix (no STARTTLS, self-signed, expired, wrong
//! name, valid — one smtpd listener each, one Maildir), a gateway configuration wired to the
//! signed DNS zone, the MTA-STS server and those listeners, and reading a recipient's outcome
//! (delivered with TLS / in plaintext, held, dropped, deferred) from its queue record.
//!
//! Guarantees: every wait has a deadline; nothing here decides what a row *should* do — the
//! scenarios write their expectations as data.

use crate::certs::{CertFiles, TestCa, self_signed};
use crate::nsd::Nsd;
use crate::postfix::{Listener, Options, Postfix, Tls};
use crate::queue;
use crate::receiver::{Receiver, pause, test_cert};
use crate::{Env, Gateway, GatewayConfig, Mode, OrDie};
use serde_json::Value;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::{Duration, Instant};

/// The tenant sender every scenario uses (its notices come back to it).
pub const SENDER: &str = "alice@acme-health.org";

/// A receiving MTA's TLS personality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Peer {
    /// smtpd without STARTTLS.
    NoStarttls,
    /// A self-signed certificate for the right name.
    SelfSigned,
    /// Signed by the test CA, right name, expired in 2020.
    Expired,
    /// Signed by the test CA, valid, for another name.
    WrongName,
    /// Signed by the test CA, valid, right name.
    Valid,
}

impl Peer {
    /// Every personality, in table order.
    pub const ALL: [Peer; 5] = [
        Peer::NoStarttls,
        Peer::SelfSigned,
        Peer::Expired,
        Peer::WrongName,
        Peer::Valid,
    ];

    /// Short name (DNS-label safe).
    pub fn name(self) -> &'static str {
        match self {
            Peer::NoStarttls => "nostarttls",
            Peer::SelfSigned => "selfsigned",
            Peer::Expired => "expired",
            Peer::WrongName => "wrongname",
            Peer::Valid => "valid",
        }
    }
}

/// The test CA and each personality's certificate.
pub struct Peers {
    /// Signs `expired`, `wrongname`, `valid` (and is `mx_ca`, `mta_sts_ca`).
    pub ca: TestCa,
    certs: Vec<(Peer, CertFiles)>,
    unused: CertFiles,
}

impl Peers {
    /// Certificates for MX host names `names(peer)` (the wrong-name one ignores them).
    pub fn new(dir: &Path, names: impl Fn(Peer) -> Vec<String>) -> Peers {
        let ca = TestCa::new(dir, "tls-rig");
        let mut certs = Vec::new();
        for p in Peer::ALL {
            let owned = names(p);
            let n: Vec<&str> = owned.iter().map(String::as_str).collect();
            let c = match p {
                Peer::NoStarttls => continue,
                Peer::SelfSigned => self_signed(dir, p.name(), &n),
                Peer::Expired => ca.leaf(dir, p.name(), &n, true),
                Peer::WrongName => ca.leaf(dir, p.name(), &["elsewhere.invalid"], false),
                Peer::Valid => ca.leaf(dir, p.name(), &n, false),
            };
            certs.push((p, c));
        }
        let unused = self_signed(dir, "never-presented", &["unused.invalid"]);
        Peers { ca, certs, unused }
    }

    /// The certificate `peer` presents (`None` for no STARTTLS).
    pub fn cert(&self, peer: Peer) -> Option<&CertFiles> {
        self.certs.iter().find(|(p, _)| *p == peer).map(|(_, c)| c)
    }

    /// TLSA `3 1 1` data matching what `peer` presents; for no STARTTLS, a key it never shows.
    pub fn spki(&self, peer: Peer) -> String {
        self.cert(peer).unwrap_or(&self.unused).spki_sha256.clone()
    }

    /// A key no peer presents (a TLSA mismatch).
    pub fn unused_spki(&self) -> String {
        self.unused.spki_sha256.clone()
    }

    /// One Postfix with a listener per personality (named [`Peer::name`]) receiving `domains`
    /// into its Maildir; its own `Received:` header says whether TLS was used.
    pub fn postfix(&self, domains: &[String]) -> Postfix {
        let listeners = Peer::ALL
            .iter()
            .map(|p| Listener {
                name: p.name().to_string(),
                tls: match self.cert(*p) {
                    None => Tls::None,
                    Some(c) => Tls::Chain {
                        cert: c.cert.clone(),
                        key: c.key.clone(),
                    },
                },
            })
            .collect();
        Postfix::start_opts(&Options {
            listeners,
            domains: domains.to_vec(),
            settings: vec![
                "smtpd_tls_received_header=yes".into(),
                "virtual_destination_recipient_limit=1".into(),
            ],
            ..Options::default()
        })
    }
}

/// The aiosmtpd receiver standing for the tenant's return route (STARTTLS, self-signed):
/// notices to [`SENDER`] arrive there.
pub fn notice_receiver(env: &Env) -> Receiver {
    let cert = test_cert(&env.etc(), "return.acme-health.org");
    let dir = env.root().join("notices");
    Receiver::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, &dir, Some(&cert))
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).or_die("quote")
}

/// What a TLS scenario's gateway is wired to.
pub struct Rig<'a> {
    /// The signed zone's server (nameservers, trust anchor).
    pub nsd: &'a Nsd,
    /// `mx_host_ports`: MX host → port.
    pub mx_host_ports: Vec<(String, u16)>,
    /// `[tls.domains]`: (domain, level, on_failure).
    pub domains: Vec<(String, String, String)>,
    /// `mta_sts_address`, when MTA-STS policies are served.
    pub sts: Option<SocketAddr>,
    /// `mx_ca` and `mta_sts_ca`.
    pub ca: &'a TestCa,
    /// The return route for notices to the tenant.
    pub notices: SocketAddr,
}

impl Rig<'_> {
    /// The gateway configuration: MX mode, `retry_schedule = ["1h"]` (a deferral stays one),
    /// MTA-STS and DANE on, `fallback_chain = ["hold"]`.
    pub fn config(&self) -> GatewayConfig {
        let ports: Vec<String> = self
            .mx_host_ports
            .iter()
            .map(|(h, p)| quoted(&format!("{h}:{p}")))
            .collect();
        let mut extra = format!(
            "[delivery.routes]\n\"acme-health.org\" = \"{}\"\n\n\
             [delivery.testing]\n{}\nmx_host_ports = [{}]\n\n\
             [tls]\nmta_sts = true\ndane = true\npin_lifetime = \"30d\"\nfallback_chain = [\"hold\"]\n\n\
             [tls.domains]\n",
            self.notices,
            self.nsd.nameservers_line(),
            ports.join(", ")
        );
        for (d, level, on_failure) in &self.domains {
            extra.push_str(&format!(
                "{} = {{ level = \"{level}\", on_failure = \"{on_failure}\" }}\n",
                quoted(d)
            ));
        }
        let ca = quoted(&self.ca.pem_file.to_string_lossy());
        extra.push_str(&format!(
            "\n[tls.testing]\n{}\nmx_ca = {ca}\nmta_sts_ca = {ca}\n",
            self.nsd.trust_anchor_line()
        ));
        if let Some(a) = self.sts {
            extra.push_str(&format!("mta_sts_address = \"{a}\"\n"));
        }
        GatewayConfig {
            mode: Mode::Mx,
            delivery: vec!["retry_schedule = [\"1h\"]".into()],
            extra,
            ..GatewayConfig::default()
        }
    }
}

/// What happened to a recipient, as the scenarios' tables write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `delivered`, the last attempt with a TLS version.
    Tls,
    /// `delivered` without TLS.
    Plain,
    /// `held` (a `forced` floor walked the fallback chain to `hold`).
    Held,
    /// `dropped-by-policy` (an `exclusive` floor).
    Dropped,
    /// `temporary-failure`: deferred, to be retried.
    Deferred,
    /// Anything else (still `scheduled`, `bounced`, …).
    Other(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Tls => f.write_str("delivered-tls"),
            Outcome::Plain => f.write_str("delivered-plain"),
            Outcome::Held => f.write_str("held"),
            Outcome::Dropped => f.write_str("dropped"),
            Outcome::Deferred => f.write_str("deferred"),
            Outcome::Other(s) => write!(f, "{s}"),
        }
    }
}

/// The recipient record of `address` in a queue entry.
pub fn recipient<'a>(entry: &'a Value, address: &str) -> &'a Value {
    entry["recipients"]
        .as_array()
        .or_die("recipients")
        .iter()
        .find(|r| r["address"].as_str() == Some(address))
        .or_die(&format!("recipient {address} in {entry}"))
}

/// The recipient's `attempt` events (their facts), oldest first.
pub fn attempts(r: &Value) -> Vec<Value> {
    r["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|e| e["kind"].clone())
        .filter(|k| k["event"] == "attempt")
        .collect()
}

/// The reasons of the recipient's `status` events, oldest first.
pub fn status_reasons(r: &Value) -> Vec<String> {
    r["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|e| e["kind"].clone())
        .filter(|k| k["event"] == "status")
        .map(|k| format!("{}: {}", k["status"].as_str().unwrap_or("?"), k["reason"]))
        .collect()
}

/// The recipient's outcome.
pub fn outcome(r: &Value) -> Outcome {
    match r["status"].as_str().unwrap_or("?") {
        "delivered" => {
            let tls = attempts(r)
                .last()
                .is_some_and(|a| a["tls_version"].is_string());
            if tls { Outcome::Tls } else { Outcome::Plain }
        }
        "held" => Outcome::Held,
        "dropped-by-policy" => Outcome::Dropped,
        "temporary-failure" => Outcome::Deferred,
        s => Outcome::Other(s.to_string()),
    }
}

/// Polls `id` until no recipient is `scheduled` any more, at most `timeout`; returns the last
/// entry either way (the caller compares it with its table and reports every difference).
pub fn wait_settled(gw: &Gateway, env: &Env, id: &str, timeout: Duration) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let e = queue::entry(gw, env, id).or_die(&format!("queue entry {id}"));
        let settled = queue::statuses(&e).iter().all(|s| s != "scheduled");
        if settled || Instant::now() >= deadline {
            return e;
        }
        pause(Duration::from_millis(100));
    }
}

/// Whether Postfix's own `Received:` header (the first) says the session used TLS.
pub fn received_with_tls(file: &Path) -> bool {
    let text = std::fs::read_to_string(file).or_die("read delivered message");
    let head = text.split("\n\n").next().unwrap_or("");
    let mut first = String::new();
    for line in head.lines() {
        if first.is_empty() {
            if line.starts_with("Received:") {
                first.push_str(line);
            }
        } else if line.starts_with([' ', '\t']) {
            first.push_str(line);
        } else {
            break;
        }
    }
    first.contains("using TLSv")
}

/// Waits until notices to [`SENDER`] mention every address of `want`, at most `timeout`;
/// returns the addresses no notice mentioned. `marker` must be in a notice (its subject).
pub fn wait_notices(
    rx: &mut Receiver,
    want: &[String],
    marker: &str,
    timeout: Duration,
) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    loop {
        let texts: Vec<String> = rx
            .messages()
            .iter()
            .filter(|m| m.rcpt_tos.iter().any(|t| t == SENDER))
            .map(|m| String::from_utf8_lossy(&m.bytes()).to_string())
            .filter(|t| t.contains(marker))
            .collect();
        let missing: Vec<String> = want
            .iter()
            .filter(|a| !texts.iter().any(|t| t.contains(a.as_str())))
            .cloned()
            .collect();
        let left = deadline.saturating_duration_since(Instant::now());
        if missing.is_empty() || left.is_zero() {
            return missing;
        }
        rx.next_event(left.min(Duration::from_millis(500)));
    }
}
