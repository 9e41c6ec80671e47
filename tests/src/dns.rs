//! An authoritative DNS server on 127.0.0.1 (hickory-server, in process) for MX tests.
//!
//! [`Zone`] lists a zone's records (MX, null MX, A, TXT — DKIM keys); [`DnsServer::start`] serves them over UDP
//! and TCP on one loopback port picked by the system, on its own thread and Tokio runtime.
//! The gateway is pointed at it with `[delivery.testing] nameservers`. Names outside the zones
//! are refused, so nothing a test does can reach real DNS.
//!
//! Guarantees: loopback only; `start` returns once both sockets are bound; the server stops
//! when its handle is dropped.

use crate::OrDie;
use hickory_server::Server;
use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::proto::rr::rdata::{A, MX, SOA, TXT};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// One zone's records.
#[derive(Debug, Clone)]
pub struct Zone {
    origin: Name,
    records: Vec<Record>,
}

fn name(text: &str) -> Name {
    let fq = if text.ends_with('.') {
        text.to_string()
    } else {
        format!("{text}.")
    };
    Name::from_ascii(&fq).or_die(&format!("DNS name {text}"))
}

impl Zone {
    /// A zone for `origin` (e.g. `mx.test`) with its SOA record.
    pub fn new(origin: &str) -> Zone {
        let origin = name(origin);
        let soa = SOA::new(
            name("ns.invalid"),
            name("hostmaster.invalid"),
            1,
            3600,
            600,
            86_400,
            1,
        );
        Zone {
            records: vec![Record::from_rdata(origin.clone(), 60, RData::SOA(soa))],
            origin,
        }
    }

    /// `domain MX preference exchange`.
    pub fn mx(mut self, domain: &str, preference: u16, exchange: &str) -> Zone {
        let rdata = RData::MX(MX::new(preference, name(exchange)));
        self.records
            .push(Record::from_rdata(name(domain), 1, rdata));
        self
    }

    /// The null MX of RFC 7505: `domain MX 0 .`.
    pub fn null_mx(mut self, domain: &str) -> Zone {
        let rdata = RData::MX(MX::new(0, Name::root()));
        self.records
            .push(Record::from_rdata(name(domain), 1, rdata));
        self
    }

    /// `host A ip`.
    pub fn a(mut self, host: &str, ip: Ipv4Addr) -> Zone {
        self.records
            .push(Record::from_rdata(name(host), 1, RData::A(A(ip))));
        self
    }

    /// A TXT record (split into 255-octet strings, as a DKIM key must be).
    pub fn txt(mut self, host: &str, text: &str) -> Zone {
        let chunks: Vec<String> = text
            .as_bytes()
            .chunks(255)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        self.records.push(Record::from_rdata(
            name(host),
            1,
            RData::TXT(TXT::new(chunks)),
        ));
        self
    }

    fn handler(&self) -> InMemoryZoneHandler<TokioRuntimeProvider> {
        let mut h = InMemoryZoneHandler::<TokioRuntimeProvider>::empty(
            self.origin.clone(),
            ZoneType::Primary,
            AxfrPolicy::Deny,
        );
        for r in &self.records {
            h.upsert_mut(r.clone(), 1);
        }
        h
    }
}

/// A running DNS server.
pub struct DnsServer {
    /// Where it answers (UDP and TCP).
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl DnsServer {
    /// Serves `zones` on 127.0.0.1 (UDP and TCP on the same free port).
    pub fn start(zones: &[Zone]) -> DnsServer {
        let mut catalog = Catalog::new();
        for z in zones {
            let handler: Arc<dyn ZoneHandler> = Arc::new(z.handler());
            catalog.upsert(LowerName::new(&z.origin), vec![handler]);
        }
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .or_die("DNS server runtime");
            rt.block_on(async move {
                let (udp, tcp) = bind_pair().await;
                let addr = udp.local_addr().or_die("DNS UDP address");
                let mut server = Server::new(catalog);
                server.register_socket(udp);
                server.register_listener(tcp, Duration::from_secs(10), 4096);
                let _ = ready_tx.send(addr);
                let _ = stop_rx.await;
                let _ = server.shutdown_gracefully().await;
            });
        });
        let addr = ready_rx
            .recv_timeout(Duration::from_secs(30))
            .or_die("DNS server did not start");
        DnsServer {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// The `[delivery.testing]` line pointing the gateway at this server.
    pub fn nameservers_line(&self) -> String {
        format!("nameservers = [\"{}\"]", self.addr)
    }
}

/// A UDP socket and a TCP listener on the same free loopback port.
async fn bind_pair() -> (tokio::net::UdpSocket, tokio::net::TcpListener) {
    for _ in 0..50 {
        let udp = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .or_die("bind DNS UDP");
        let port = udp.local_addr().or_die("UDP address").port();
        if let Ok(tcp) = tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
            return (udp, tcp);
        }
    }
    panic!("no loopback port free for both UDP and TCP");
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
