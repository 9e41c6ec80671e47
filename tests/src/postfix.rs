//! A private Postfix instance as the receiving MTA: its own `config_directory`,
//! `queue_directory` and `data_directory` in a temporary directory, `smtpd` on a loopback port
//! with STARTTLS and a test certificate, and every recipient of `postfix.test` delivered by
//! the `virtual` agent into one Maildir (one file per message, written to `tmp/` and renamed
//! into `new/`, so a file seen there is complete).
//!
//! Postfix commands print nothing without a terminal, so they run under `script -qec`. Postfix
//! cannot bind port 0: the port comes from [`free_port`] (bound, released, passed on).
//!
//! [`Options`] choose the certificate (files) smtpd presents, no STARTTLS at all
//! (`smtpd_tls_security_level = none`), more receiving domains, and more smtpd listeners on
//! their own ports, each with its own certificate or none (`master.cf` `-o` overrides) — one
//! instance, one Maildir, several TLS personalities for the TLS tests. `Delivered-To:` (added
//! by `virtual`) names the recipient of each file ([`Postfix::delivered_to`]).
//!
//! Guarantees: nothing but 127.0.0.1 is listened on, `/etc/postfix` is never used, every wait
//! has a deadline, and the instance is stopped when its handle is dropped.

use crate::OrDie;
use crate::receiver::{free_port, pause, test_cert};
use crate::tools::{describe, require_tool, run};
use std::fs;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The domain the instance receives for.
pub const DOMAIN: &str = "postfix.test";
/// Its host name (and the test certificate's name).
pub const HOSTNAME: &str = "mx.postfix.test";
/// uid/gid the `virtual` agent delivers as (`nobody`).
const MAIL_UID: u32 = 65534;

/// What an smtpd listener offers.
#[derive(Debug, Clone)]
pub enum Tls {
    /// No STARTTLS (`smtpd_tls_security_level = none`).
    None,
    /// STARTTLS with this certificate chain (PEM, leaf first) and key.
    Chain {
        /// Certificate file.
        cert: PathBuf,
        /// Key file.
        key: PathBuf,
    },
}

/// A further smtpd listener, on its own free port.
#[derive(Debug, Clone)]
pub struct Listener {
    /// Name for [`Postfix::listener`].
    pub name: String,
    /// Its TLS.
    pub tls: Tls,
}

/// How to configure an instance; `Options::default()` is [`Postfix::start`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The main listener's TLS; `None`: STARTTLS with a fresh self-signed test certificate.
    pub tls: Option<Tls>,
    /// More listeners.
    pub listeners: Vec<Listener>,
    /// Domains received into the Maildir besides `postfix.test`.
    pub domains: Vec<String>,
    /// Extra `main.cf` settings (`name=value`), applied last.
    pub settings: Vec<String>,
}

/// A running private Postfix.
pub struct Postfix {
    base: tempfile::TempDir,
    /// Where smtpd listens.
    pub addr: SocketAddr,
    /// The certificate the main listener presents (the generated one unless set by options).
    pub cert: PathBuf,
    /// The further listeners, by name.
    pub listeners: Vec<(String, SocketAddr)>,
    running: bool,
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
}

/// `master.cf` service for an smtpd on `127.0.0.1:PORT` with `-o` overrides for `tls`.
fn service(port: u16, tls: Option<&Tls>) -> String {
    let mut line = format!("127.0.0.1:{port}/inet=127.0.0.1:{port} inet n - n - - smtpd");
    match tls {
        None => {}
        Some(Tls::None) => line.push_str(" -o smtpd_tls_security_level=none"),
        Some(Tls::Chain { cert, key }) => line.push_str(&format!(
            " -o smtpd_tls_security_level=may -o smtpd_tls_chain_files={},{}",
            key.display(),
            cert.display()
        )),
    }
    line
}

fn postconf(etc: &Path, args: &[&str]) {
    let out = run(
        Command::new("postconf").arg("-c").arg(etc).args(args),
        Duration::from_secs(60),
    );
    assert!(
        out.status.success(),
        "postconf {args:?}: {}",
        describe(&out)
    );
}

impl Postfix {
    /// Configures and starts an instance on a free loopback port.
    pub fn start() -> Postfix {
        Postfix::start_with(&[])
    }

    /// Like [`Postfix::start`], with extra `main.cf` settings (`name=value`) applied last.
    pub fn start_with(settings: &[&str]) -> Postfix {
        Postfix::start_opts(&Options {
            settings: settings.iter().map(|s| s.to_string()).collect(),
            ..Options::default()
        })
    }

    /// Configures and starts an instance as `opts` say.
    pub fn start_opts(opts: &Options) -> Postfix {
        for t in ["postfix", "postconf", "script", "openssl"] {
            require_tool(t);
        }
        let base = tempfile::Builder::new()
            .prefix("sealgate-postfix-")
            .tempdir()
            .or_die("postfix temp dir");
        let root = base.path();
        let (etc, spool, data, mail) = (
            root.join("etc"),
            root.join("spool"),
            root.join("data"),
            root.join("mail"),
        );
        for d in [&etc, &spool, &data, &mail] {
            fs::create_dir_all(d).or_die("postfix dirs");
        }
        // Postfix's daemons run as `postfix` and `nobody`: the tree must be traversable.
        for d in [root, &spool, &mail] {
            fs::set_permissions(d, fs::Permissions::from_mode(0o755)).or_die("chmod");
        }
        std::os::unix::fs::chown(&data, Some(uid_of("postfix")), Some(gid_of("postfix")))
            .or_die("chown data_directory");
        std::os::unix::fs::chown(&mail, Some(MAIL_UID), Some(MAIL_UID)).or_die("chown mail");
        fs::copy("/etc/postfix/master.cf", etc.join("master.cf")).or_die("copy master.cf");
        fs::write(etc.join("main.cf"), "").or_die("main.cf");
        let (generated, key) = test_cert(&etc, HOSTNAME);
        fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).or_die("chmod key");
        let (crt, key, level) = match &opts.tls {
            None => (generated, key, "may"),
            Some(Tls::Chain { cert, key }) => (cert.clone(), key.clone(), "may"),
            Some(Tls::None) => (generated, key, "none"),
        };
        let port = free_port(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let mut domains = vec![DOMAIN.to_string()];
        domains.extend(opts.domains.iter().cloned());
        let p = |k: &str, v: &Path| format!("{k}={}", v.display());
        let chain = format!("smtpd_tls_chain_files={},{}", key.display(), crt.display());
        let maillog = root.join("maillog");
        let prefixes = format!("maillog_file_prefixes=/var,/dev/stdout,{}", root.display());
        postconf(
            &etc,
            &[
                "-e",
                "compatibility_level=3.6",
                &p("queue_directory", &spool),
                &p("data_directory", &data),
                "mail_owner=postfix",
                "setgid_group=postdrop",
                &format!("myhostname={HOSTNAME}"),
                &format!("mydomain={DOMAIN}"),
                "myorigin=$mydomain",
                "mydestination=",
                "relay_domains=",
                "inet_interfaces=127.0.0.1",
                "inet_protocols=ipv4",
                "mynetworks=127.0.0.0/8",
                "smtpd_relay_restrictions=permit_mynetworks, reject_unauth_destination",
                "local_header_rewrite_clients=",
                "alias_maps=",
                "alias_database=",
                "local_recipient_maps=",
                "local_transport=error:local delivery disabled",
                &format!("virtual_mailbox_domains={}", domains.join(" ")),
                &p("virtual_mailbox_base", &mail),
                "virtual_mailbox_maps=static:box/",
                &format!("virtual_uid_maps=static:{MAIL_UID}"),
                &format!("virtual_gid_maps=static:{MAIL_UID}"),
                "virtual_minimum_uid=100",
                &format!("smtpd_tls_security_level={level}"),
                &chain,
                "smtpd_tls_loglevel=1",
                "smtp_dns_support_level=disabled",
                "biff=no",
                "append_dot_mydomain=no",
                &p("maillog_file", &maillog),
                &prefixes,
            ],
        );
        if !opts.settings.is_empty() {
            let mut args = vec!["-e"];
            args.extend(opts.settings.iter().map(String::as_str));
            postconf(&etc, &args);
        }
        // smtpd on 127.0.0.1:PORT instead of *:25; no chroot (the queue is private).
        postconf(&etc, &["-MX", "smtp/inet"]);
        postconf(&etc, &["-M", &service(port, None)]);
        let mut listeners = Vec::new();
        for l in &opts.listeners {
            let p = loop {
                let p = free_port(IpAddr::V4(Ipv4Addr::LOCALHOST));
                if p != port
                    && listeners
                        .iter()
                        .all(|(_, a): &(String, SocketAddr)| a.port() != p)
                {
                    break p;
                }
            };
            postconf(&etc, &["-M", &service(p, Some(&l.tls))]);
            listeners.push((l.name.clone(), loopback(p)));
        }
        postconf(&etc, &["-F", "*/*/chroot = n"]);
        let mut pf = Postfix {
            addr: loopback(port),
            cert: crt,
            listeners,
            base,
            running: false,
        };
        let out = pf.command("start");
        assert!(
            out.status.success(),
            "postfix start: {}\n--- maillog\n{}",
            describe(&out),
            pf.maillog()
        );
        pf.running = true;
        let mut all = vec![pf.addr];
        all.extend(pf.listeners.iter().map(|(_, a)| *a));
        for a in all {
            pf.wait_listening(a, Duration::from_secs(30));
        }
        pf
    }

    /// The address of the further listener `name`.
    pub fn listener(&self, name: &str) -> SocketAddr {
        self.listeners
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| *a)
            .or_die(&format!("postfix listener {name}"))
    }

    /// `postfix -c ETC VERB` under `script` (Postfix reports errors only to a terminal).
    fn command(&self, verb: &str) -> Output {
        let etc = self.base.path().join("etc");
        run(
            Command::new("script")
                .arg("-qec")
                .arg(format!("postfix -c {} {verb}", etc.display()))
                .arg("/dev/null"),
            Duration::from_secs(60),
        )
    }

    fn wait_listening(&self, addr: SocketAddr, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err() {
            assert!(
                Instant::now() < deadline,
                "postfix smtpd not listening on {addr} after {timeout:?}; maillog:\n{}",
                self.maillog()
            );
            pause(Duration::from_millis(50));
        }
    }

    /// The instance's log so far.
    pub fn maillog(&self) -> String {
        fs::read_to_string(self.base.path().join("maillog")).unwrap_or_default()
    }

    /// The Maildir's `new/` folder: one file per delivered message.
    pub fn new_dir(&self) -> PathBuf {
        self.base.path().join("mail").join("box").join("new")
    }

    /// The delivered messages so far, oldest first by name.
    pub fn delivered(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = fs::read_dir(self.new_dir())
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Each delivered file with its recipient (the `Delivered-To:` header, lower-cased).
    pub fn delivered_to(&self) -> Vec<(String, PathBuf)> {
        self.delivered()
            .into_iter()
            .filter_map(|p| {
                let text = fs::read_to_string(&p).ok()?;
                let to = text
                    .lines()
                    .take_while(|l| !l.is_empty())
                    .find_map(|l| l.strip_prefix("Delivered-To:"))?
                    .trim()
                    .to_ascii_lowercase();
                Some((to, p))
            })
            .collect()
    }

    /// Waits until at least `n` messages were delivered, at most `timeout` (each look at the
    /// Maildir is followed by a short pause: the Maildir has no event to wait on).
    pub fn wait_delivered(&self, n: usize, timeout: Duration) -> Vec<PathBuf> {
        let deadline = Instant::now() + timeout;
        loop {
            let have = self.delivered();
            if have.len() >= n {
                return have;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {n} messages delivered by postfix within {timeout:?}; maillog:\n{}",
                have.len(),
                self.maillog()
            );
            pause(Duration::from_millis(100));
        }
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        if self.running {
            let _ = self.command("abort");
        }
    }
}

fn id_field(name: &str, file: &str) -> u32 {
    let text = fs::read_to_string(file).or_die(&format!("read {file}"));
    text.lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.first() == Some(&name))
                .then(|| f.get(2).and_then(|v| v.parse().ok()))
                .flatten()
        })
        .or_die(&format!("{name} in {file}"))
}

fn uid_of(user: &str) -> u32 {
    id_field(user, "/etc/passwd")
}

fn gid_of(group: &str) -> u32 {
    id_field(group, "/etc/group")
}
