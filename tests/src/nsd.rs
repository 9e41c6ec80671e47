//! A DNSSEC-signed test DNS server: zones signed with `ldns-keygen` / `ldns-signzone` and
//! served by `nsd` on 127.0.0.1, plus the trust-anchor file (the zones' DNSKEY records) that
//! `[tls.testing] trust_anchor` points the gateway at.
//!
//! [`SignedZone`] lists a zone's records (MX, A, TXT, TLSA, or any line of zone-file text).
//! [`SignedZone::expire`] makes one RRset bogus: the zone is signed twice with the same key —
//! once valid, once with an expiration in 2020 (`ldns-signzone -i … -e …`) — and the chosen
//! RRset's RRSIG is taken from the expired signing, so everything else still validates.
//!
//! Guarantees: loopback only, nothing outside the zones given is answered (nsd refuses other
//! names, so no lookup reaches real DNS); `start` returns once nsd answers a query; nsd is
//! killed when the handle is dropped. Missing tools fail the test naming
//! `tests/support/install-tools.sh`.

use crate::OrDie;
use crate::receiver::{free_port, pause};
use crate::tools::{describe, require_tool, run};
use std::collections::{HashMap, HashSet};
use std::fs;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `name` as an absolute, lower-case DNS name (`a.test` → `a.test.`).
pub fn fqdn(name: &str) -> String {
    let n = name.to_ascii_lowercase();
    if n.ends_with('.') { n } else { format!("{n}.") }
}

/// One zone to sign and serve.
#[derive(Debug, Clone)]
pub struct SignedZone {
    origin: String,
    lines: Vec<String>,
    expire: Vec<(String, String)>,
}

impl SignedZone {
    /// A zone for `origin` with its SOA and NS (`ns.ORIGIN`, 127.0.0.1).
    pub fn new(origin: &str) -> SignedZone {
        let o = fqdn(origin);
        SignedZone {
            lines: vec![
                format!("{o} 60 IN SOA ns.{o} hostmaster.{o} 1 3600 600 86400 60"),
                format!("{o} 60 IN NS ns.{o}"),
                format!("ns.{o} 60 IN A 127.0.0.1"),
            ],
            origin: o,
            expire: Vec::new(),
        }
    }

    /// The zone's origin (absolute).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Any record, as zone-file text with an absolute owner (`name. TTL IN TYPE data`).
    pub fn line(mut self, text: &str) -> SignedZone {
        self.lines.push(text.to_string());
        self
    }

    /// `domain MX preference host`.
    pub fn mx(self, domain: &str, preference: u16, host: &str) -> SignedZone {
        let line = format!("{} 60 IN MX {preference} {}", fqdn(domain), fqdn(host));
        self.line(&line)
    }

    /// `host A ip`.
    pub fn a(self, host: &str, ip: Ipv4Addr) -> SignedZone {
        let line = format!("{} 60 IN A {ip}", fqdn(host));
        self.line(&line)
    }

    /// `name TXT "text"` (`text` must not contain `"`).
    pub fn txt(self, name: &str, text: &str) -> SignedZone {
        let line = format!("{} 60 IN TXT \"{text}\"", fqdn(name));
        self.line(&line)
    }

    /// `_PORT._tcp.host TLSA usage selector matching data` (data in hex).
    pub fn tlsa(self, host: &str, port: u16, usage_selector_matching: &str, hex: &str) -> Self {
        let line = format!(
            "_{port}._tcp.{} 60 IN TLSA {usage_selector_matching} {hex}",
            fqdn(host)
        );
        self.line(&line)
    }

    /// Signs the RRset `name`/`rtype` (e.g. `_25._tcp.mx.a.test`, `TLSA`) with an expired
    /// RRSIG: validators see it as bogus.
    pub fn expire(mut self, name: &str, rtype: &str) -> SignedZone {
        self.expire.push((fqdn(name), rtype.to_ascii_uppercase()));
        self
    }

    /// Writes, keys and signs the zone in `dir`; returns the signed file and the DNSKEY line.
    fn sign(&self, dir: &Path) -> (PathBuf, String) {
        let stem = self.origin.trim_end_matches('.');
        let unsigned = dir.join(format!("{stem}.zone"));
        let mut text = format!("$ORIGIN {}\n$TTL 60\n", self.origin);
        for l in &self.lines {
            text.push_str(l);
            text.push('\n');
        }
        fs::write(&unsigned, text).or_die("write zone");
        let key = tool(dir, "ldns-keygen", &["-a", "ECDSAP256SHA256", "-k", stem]);
        let valid = dir.join(format!("{stem}.valid"));
        let zone = unsigned.to_string_lossy().to_string();
        let out = |p: &Path| p.to_string_lossy().to_string();
        tool(dir, "ldns-signzone", &["-f", &out(&valid), &zone, &key]);
        let signed = dir.join(format!("{stem}.signed"));
        let mut text = fs::read_to_string(&valid).or_die("read signed zone");
        if !self.expire.is_empty() {
            let old = dir.join(format!("{stem}.expired"));
            let dates = ["-i", "20200101000000", "-e", "20200201000000"];
            let mut args: Vec<&str> = dates.to_vec();
            let old_s = out(&old);
            args.extend(["-f", &old_s, &zone, &key]);
            tool(dir, "ldns-signzone", &args);
            let expired = fs::read_to_string(&old).or_die("read expired zone");
            text = splice(&text, &expired, &self.expire);
        }
        fs::write(&signed, text).or_die("write served zone");
        // The zone is what it claims: valid as signed, and invalid once RRSIGs were expired.
        let verify = run(
            Command::new("ldns-verify-zone")
                .arg(&signed)
                .current_dir(dir),
            Duration::from_secs(60),
        );
        assert_eq!(
            verify.status.success(),
            self.expire.is_empty(),
            "ldns-verify-zone {} (expired RRsets: {:?}): {}",
            signed.display(),
            self.expire,
            describe(&verify)
        );
        let dnskey = fs::read_to_string(dir.join(format!("{key}.key"))).or_die("read DNSKEY");
        (signed, dnskey)
    }
}

/// The owner and covered type of an RRSIG line, lower/upper-cased.
fn rrsig_of(line: &str) -> Option<(String, String)> {
    let f: Vec<&str> = line.split_whitespace().collect();
    let at = f.iter().position(|t| t.eq_ignore_ascii_case("RRSIG"))?;
    Some((
        f.first()?.to_ascii_lowercase(),
        f.get(at + 1)?.to_ascii_uppercase(),
    ))
}

/// `valid` with the RRSIGs of `which` RRsets replaced by those of `expired`.
fn splice(valid: &str, expired: &str, which: &[(String, String)]) -> String {
    let want: HashSet<&(String, String)> = which.iter().collect();
    let mut old: HashMap<(String, String), Vec<&str>> = HashMap::new();
    for l in expired.lines() {
        if let Some(k) = rrsig_of(l).filter(|k| want.contains(k)) {
            old.entry(k).or_default().push(l);
        }
    }
    for k in which {
        assert!(
            old.contains_key(k),
            "no RRSIG for {} {} to expire",
            k.0,
            k.1
        );
    }
    let mut out = String::new();
    for l in valid.lines() {
        match rrsig_of(l).filter(|k| want.contains(k)) {
            None => {
                out.push_str(l);
                out.push('\n');
            }
            Some(k) => {
                if let Some(lines) = old.remove(&k) {
                    for o in lines {
                        out.push_str(o);
                        out.push('\n');
                    }
                }
            }
        }
    }
    out
}

fn tool(dir: &Path, name: &str, args: &[&str]) -> String {
    require_tool(name);
    let out = run(
        Command::new(name).args(args).current_dir(dir),
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{name} {args:?}: {}", describe(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A running nsd serving signed zones.
pub struct Nsd {
    child: Child,
    /// Where it answers (UDP and TCP).
    pub addr: SocketAddr,
    /// DNSKEY records of every zone served: `[tls.testing] trust_anchor`.
    pub trust_anchor: PathBuf,
    dir: tempfile::TempDir,
}

impl Nsd {
    /// Signs `zones` and serves them on a free loopback port.
    pub fn start(zones: &[SignedZone]) -> Nsd {
        for t in ["nsd", "ldns-keygen", "ldns-signzone", "ldns-verify-zone"] {
            require_tool(t);
        }
        let dir = tempfile::Builder::new()
            .prefix("sealgate-nsd-")
            .tempdir()
            .or_die("nsd temp dir");
        let d = dir.path();
        let port = free_port(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let mut conf = format!(
            "server:\n  ip-address: 127.0.0.1\n  port: {port}\n  username: \"\"\n  chroot: \"\"\n  \
             zonesdir: \"{0}\"\n  database: \"\"\n  pidfile: \"{0}/nsd.pid\"\n  \
             xfrdfile: \"{0}/xfrd.state\"\n  zonelistfile: \"{0}/zone.list\"\n  \
             logfile: \"{0}/nsd.log\"\n  server-count: 1\n  verbosity: 1\n\
             remote-control:\n  control-enable: no\n",
            d.display()
        );
        let mut anchors = String::new();
        for z in zones {
            let (signed, dnskey) = z.sign(d);
            anchors.push_str(dnskey.trim());
            anchors.push('\n');
            conf.push_str(&format!(
                "zone:\n  name: {}\n  zonefile: \"{}\"\n",
                z.origin,
                signed.display()
            ));
        }
        let trust_anchor = d.join("trust-anchor.key");
        fs::write(&trust_anchor, anchors).or_die("write trust anchor");
        fs::write(d.join("nsd.conf"), conf).or_die("write nsd.conf");
        // Debian installs nsd in /usr/sbin, which a test's PATH may lack.
        let sbin = Path::new("/usr/sbin/nsd");
        let program = if sbin.is_file() {
            sbin
        } else {
            Path::new("nsd")
        };
        let child = Command::new(program)
            .arg("-d")
            .arg("-c")
            .arg(d.join("nsd.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .or_die("start nsd (tests/support/install-tools.sh installs it)");
        let nsd = Nsd {
            child,
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            trust_anchor,
            dir,
        };
        let first = zones.first().map(|z| z.origin.clone()).or_die("no zones");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !answers(nsd.addr, &first) {
            assert!(
                Instant::now() < deadline,
                "nsd did not answer on {} within 30 s:\n{}",
                nsd.addr,
                nsd.log()
            );
            pause(Duration::from_millis(50));
        }
        nsd
    }

    /// nsd's log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("nsd.log")).unwrap_or_default()
    }

    /// The `[delivery.testing]` line pointing the gateway at this server.
    pub fn nameservers_line(&self) -> String {
        format!("nameservers = [\"{}\"]", self.addr)
    }

    /// The `[tls.testing]` line naming the trust anchor.
    pub fn trust_anchor_line(&self) -> String {
        let p = serde_json::to_string(&self.trust_anchor.to_string_lossy()).or_die("quote");
        format!("trust_anchor = {p}")
    }
}

impl Drop for Nsd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// True once a SOA query for `zone` gets an answer with our id (waits 200 ms at most).
fn answers(addr: SocketAddr, zone: &str) -> bool {
    let Ok(sock) = UdpSocket::bind("127.0.0.1:0") else {
        return false;
    };
    let _ = sock.set_read_timeout(Some(Duration::from_millis(200)));
    let mut q = vec![0x5e, 0xa1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in zone.trim_end_matches('.').split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 6, 0, 1]);
    if sock.send_to(&q, addr).is_err() {
        return false;
    }
    let mut buf = [0u8; 512];
    matches!(sock.recv_from(&mut buf), Ok((n, _)) if n > 12 && buf[..2] == [0x5e, 0xa1])
}
