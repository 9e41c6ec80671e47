//! The in-process listener harness shared by the accept tests: a server on a spool in a
//! temporary directory, and a line-reading client.
#![allow(dead_code)]

use sealgate_accept::{Pipeline, Server, Settings, ShutdownHandle, Uniform};
use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_config::Config;
use sealgate_connectors::Tenants;
use sealgate_core::{Requirement, SystemClock};
use sealgate_report::{Metrics, Pseudonymiser};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;

pub struct Gateway {
    pub addr: SocketAddr,
    pub store: Arc<Spool>,
    pub shutdown: ShutdownHandle,
    pub task: tokio::task::JoinHandle<()>,
    pub _dir: tempfile::TempDir,
}

pub async fn start(extra_smtp: &str, tenant_networks: &str) -> Gateway {
    start_on("127.0.0.1:0", extra_smtp, tenant_networks).await
}

/// A server listening on `listen` (e.g. `[::]:0` for a dual-stack listener).
pub async fn start_on(listen: &str, extra_smtp: &str, tenant_networks: &str) -> Gateway {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[smtp]\nlisten = [\"{listen}\"]\nhostname = \"gw.test\"\n{extra_smtp}\n\
         [tenants.acme]\nnetworks = [{tenant_networks}]\nsender_domains = [\"acme-health.org\"]\n"
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
        tls: None,
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
    let task = tokio::spawn(server.run(Duration::from_secs(5)));
    Gateway {
        addr,
        store,
        shutdown,
        task,
        _dir: dir,
    }
}

pub struct Client {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Client {
        let (r, w) = TcpStream::connect(addr).await.unwrap().into_split();
        Client {
            reader: BufReader::new(r),
            writer: w,
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
    }

    /// The last line of the next reply, or "" at end of stream.
    pub async fn reply(&mut self) -> String {
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await.unwrap() == 0 {
                return String::new();
            }
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return line.trim_end().to_string();
            }
        }
    }
}

pub const MESSAGE: &[u8] =
    b"From: a@acme-health.org\r\nSubject: t\r\nMessage-ID: <m1@acme-health.org>\r\n\r\nhello\r\n";
