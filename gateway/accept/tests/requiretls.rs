//! In-process tests of REQUIRETLS (RFC 8689) at the listener: offered only after STARTTLS,
//! refused `530 5.7.10` without TLS, `501 5.5.4` when repeated or given a value, recorded on
//! the envelope over TLS; and `TLS-Required: No` recorded only from the message's own header
//! section and only when MAIL FROM had no REQUIRETLS. The end-to-end suite
//! (`tests/scenarios/requiretls.rs`) does the same with swaks against the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rustls_pki_types::ServerName;
use sealgate_accept::tls::{ClientRoots, acceptor};
use sealgate_accept::{Pipeline, Server, Settings, ShutdownHandle, Uniform};
use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_config::Config;
use sealgate_connectors::Tenants;
use sealgate_core::store::QueueStore;
use sealgate_core::{Envelope, MessageId, Requirement, SystemClock};
use sealgate_report::{Metrics, Pseudonymiser};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const HOST: &str = "gw.test";

struct Gateway {
    addr: SocketAddr,
    store: Arc<Spool>,
    client_tls: Arc<rustls::ClientConfig>,
    _shutdown: ShutdownHandle,
    _dir: tempfile::TempDir,
}

async fn start() -> Gateway {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec![HOST.to_string()]).unwrap();
    let cert_path = dir.path().join("gw.crt");
    let key_path = dir.path().join("gw.key");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let client_tls = Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );

    let toml = format!(
        "[smtp]\nlisten = [\"127.0.0.1:0\"]\nhostname = \"{HOST}\"\n\
         [tenants.acme]\nnetworks = [\"127.0.0.1/32\"]\nsender_domains = [\"acme-health.org\"]\n"
    );
    let config = Config::from_toml(&toml).unwrap();
    let keys = MasterKeys::new("k1", [9; 32]).unwrap();
    let rng = Arc::new(OsRandom::checked().unwrap());
    let store =
        Arc::new(Spool::open(dir.path(), keys, Arc::new(SystemClock), rng.clone()).unwrap());
    let settings = Settings {
        smtp: config.smtp.clone(),
        tenants: Tenants::from_config(&config.tenants),
        cert_names: Vec::new(),
        tls: Some(acceptor(&cert_path, &key_path, ClientRoots::None).unwrap()),
        classifier: Arc::new(Uniform(Requirement::Deliver)),
    };
    let pipeline = Pipeline {
        store: store.clone(),
        metrics: Metrics::new().unwrap(),
        pseudonyms: Pseudonymiser::new([1; 32], true),
        clock: Arc::new(SystemClock),
        rng,
        on_commit: Arc::new(|_| {}),
    };
    let server = Server::bind(settings, pipeline).await.unwrap();
    let addr = server.local_addrs()[0];
    let shutdown = server.shutdown_handle();
    tokio::spawn(server.run(Duration::from_secs(5)));
    Gateway {
        addr,
        store,
        client_tls,
        _shutdown: shutdown,
        _dir: dir,
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

struct Client {
    io: BufReader<Box<dyn Io>>,
}

/// One reply: its code and every line's text after `NNN-` / `NNN `.
struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    fn first(&self) -> String {
        format!("{} {}", self.code, self.lines[0])
    }
}

impl Client {
    async fn connect(addr: SocketAddr) -> Client {
        let tcp = TcpStream::connect(addr).await.unwrap();
        let mut c = Client {
            io: BufReader::new(Box::new(tcp)),
        };
        assert_eq!(c.reply().await.code, 220);
        c
    }

    async fn reply(&mut self) -> Reply {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(Duration::from_secs(10), self.io.read_line(&mut line))
                .await
                .expect("reply within 10 s")
                .unwrap();
            assert!(n > 0, "connection closed; had {lines:?}");
            let code = line[..3].parse().unwrap();
            lines.push(line.get(4..).unwrap_or("").trim_end().to_string());
            if line.as_bytes()[3] != b'-' {
                return Reply { code, lines };
            }
        }
    }

    async fn cmd(&mut self, line: &str) -> Reply {
        self.io
            .get_mut()
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .unwrap();
        self.reply().await
    }

    async fn ehlo(&mut self) -> Vec<String> {
        let r = self.cmd("EHLO client.test").await;
        assert_eq!(r.code, 250);
        r.lines
    }

    async fn starttls(self, config: Arc<rustls::ClientConfig>) -> Client {
        let mut c = self;
        assert_eq!(c.cmd("STARTTLS").await.code, 220);
        assert!(c.io.buffer().is_empty());
        let tcp = c.io.into_inner();
        let tls = tokio_rustls::TlsConnector::from(config)
            .connect(ServerName::try_from(HOST).unwrap(), tcp)
            .await
            .unwrap();
        Client {
            io: BufReader::new(Box::new(tls)),
        }
    }

    /// RCPT, DATA and `message`; the queued id.
    async fn deliver(&mut self, message: &str) -> MessageId {
        assert!(
            self.cmd("RCPT TO:<p@example.org>")
                .await
                .first()
                .starts_with("250 2.1.5")
        );
        assert_eq!(self.cmd("DATA").await.code, 354);
        let done = self.cmd(&format!("{message}.")).await.first();
        assert!(done.starts_with("250 2.0.0 Ok: queued as "), "{done}");
        done.rsplit(' ').next().unwrap().parse().unwrap()
    }
}

fn message(extra_header: &str) -> String {
    format!(
        "From: a@acme-health.org\r\nSubject: t\r\n{extra_header}Message-ID: <m@acme-health.org>\r\n\r\nhello\r\n"
    )
}

fn envelope(gw: &Gateway, id: MessageId) -> Envelope {
    gw.store.get(id).unwrap().unwrap().message.envelope
}

#[tokio::test]
async fn requiretls_is_offered_only_after_starttls() {
    let gw = start().await;
    let mut c = Client::connect(gw.addr).await;
    let plain = c.ehlo().await;
    assert!(plain.iter().any(|l| l == "STARTTLS"), "{plain:?}");
    assert!(!plain.iter().any(|l| l == "REQUIRETLS"), "{plain:?}");
    let mut c = c.starttls(gw.client_tls.clone()).await;
    let tls = c.ehlo().await;
    assert!(tls.iter().any(|l| l == "REQUIRETLS"), "{tls:?}");
    assert!(!tls.iter().any(|l| l == "STARTTLS"), "{tls:?}");
}

#[tokio::test]
async fn requiretls_without_tls_is_refused_530_5_7_10() {
    let gw = start().await;
    let mut c = Client::connect(gw.addr).await;
    c.ehlo().await;
    for mail in [
        "MAIL FROM:<a@acme-health.org> REQUIRETLS",
        "MAIL FROM:<a@acme-health.org> BODY=8BITMIME requiretls",
        "MAIL FROM:<> REQUIRETLS",
    ] {
        let r = c.cmd(mail).await.first();
        assert!(r.starts_with("530 5.7.10 "), "{mail}: {r}");
    }
    // No transaction was started: a plain MAIL is taken.
    let r = c.cmd("MAIL FROM:<a@acme-health.org>").await.first();
    assert!(r.starts_with("250 2.1.0"), "{r}");
}

#[tokio::test]
async fn requiretls_twice_or_with_a_value_is_a_syntax_error() {
    let gw = start().await;
    let c = Client::connect(gw.addr).await;
    let mut c = c.starttls(gw.client_tls.clone()).await;
    c.ehlo().await;
    for mail in [
        "MAIL FROM:<a@acme-health.org> REQUIRETLS REQUIRETLS",
        "MAIL FROM:<a@acme-health.org> REQUIRETLS=YES",
        "MAIL FROM:<a@acme-health.org> RequireTLS SIZE=100 REQUIRETLS",
    ] {
        let r = c.cmd(mail).await.first();
        assert!(r.starts_with("501 5.5.4 "), "{mail}: {r}");
    }
    let r = c
        .cmd("MAIL FROM:<a@acme-health.org> REQUIRETLS")
        .await
        .first();
    assert!(r.starts_with("250 2.1.0"), "{r}");
}

#[tokio::test]
async fn requiretls_over_tls_is_recorded_and_wins_over_tls_required_no() {
    let gw = start().await;
    let c = Client::connect(gw.addr).await;
    let mut c = c.starttls(gw.client_tls.clone()).await;
    c.ehlo().await;
    let r = c
        .cmd("MAIL FROM:<a@acme-health.org> REQUIRETLS")
        .await
        .first();
    assert!(r.starts_with("250 2.1.0"), "{r}");
    let id = c.deliver(&message("")).await;
    let env = envelope(&gw, id);
    assert!(env.require_tls && !env.tls_required_no, "{env:?}");

    // RFC 8689 §4.2.1: with REQUIRETLS, a TLS-Required header field is ignored.
    c.cmd("MAIL FROM:<a@acme-health.org> REQUIRETLS").await;
    let id = c.deliver(&message("TLS-Required: No\r\n")).await;
    let env = envelope(&gw, id);
    assert!(env.require_tls && !env.tls_required_no, "{env:?}");
}

#[tokio::test]
async fn tls_required_no_is_recorded_from_the_header_section_only() {
    let gw = start().await;
    let mut c = Client::connect(gw.addr).await;
    c.ehlo().await;
    c.cmd("MAIL FROM:<a@acme-health.org>").await;
    let id = c.deliver(&message("tls-required:  NO \r\n")).await;
    let env = envelope(&gw, id);
    assert!(env.tls_required_no && !env.require_tls, "{env:?}");

    c.cmd("MAIL FROM:<a@acme-health.org>").await;
    let id = c
        .deliver(&format!("{}TLS-Required: No\r\n", message("")))
        .await;
    let env = envelope(&gw, id);
    assert!(!env.tls_required_no && !env.require_tls, "{env:?}");

    c.cmd("MAIL FROM:<a@acme-health.org>").await;
    let id = c.deliver(&message("TLS-Required: Yes\r\n")).await;
    assert!(!envelope(&gw, id).tls_required_no);
}

#[tokio::test]
async fn bdat_content_is_checked_for_tls_required_no_too() {
    let gw = start().await;
    let c = Client::connect(gw.addr).await;
    let mut c = c.starttls(gw.client_tls.clone()).await;
    c.ehlo().await;
    let body = message("TLS-Required: No\r\n");
    let (head, tail) = body.split_at(20);
    c.cmd("MAIL FROM:<a@acme-health.org>").await;
    c.cmd("RCPT TO:<p@example.org>").await;
    for chunk in [
        format!("BDAT {}\r\n{head}", head.len()),
        format!("BDAT {} LAST\r\n{tail}", tail.len()),
    ] {
        c.io.get_mut().write_all(chunk.as_bytes()).await.unwrap();
    }
    assert_eq!(c.reply().await.code, 250);
    let done = c.reply().await.first();
    assert!(done.starts_with("250 2.0.0 Ok: queued as "), "{done}");
    let id = done.rsplit(' ').next().unwrap().parse().unwrap();
    let env = envelope(&gw, id);
    assert!(env.tls_required_no && !env.require_tls, "{env:?}");
}
