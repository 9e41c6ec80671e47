//! WKD key discovery before the chain walk: for each `encrypt` recipient whose chain still has
//! `pgp`, the transform stage's [`Wkd`] looks the address up (or answers from its cache) and
//! files a key it finds in the recipient key store as `discovered`, where the chain walk then
//! finds it.
//!
//! Guarantees: discovery never fails a delivery — an error, a timeout or nothing found is a
//! miss, and the chain walk goes on with the keys on file; the lookups of one round run
//! concurrently, each bounded by [`LOOKUP_TIMEOUT`]; logs name recipients only by pseudonym.
//! Directory host names resolve through the deliver stage's own resolver ([`Dns`], so
//! `[delivery.testing] nameservers` apply), or all to `[delivery.testing] wkd_address`; either
//! way the addresses pass the [`DestinationGuard`] first (non-global ones are refused and
//! counted unless `allow_non_global_destinations`), so no connection is made to them.

use crate::dns::Dns;
use crate::error::DeliverError;
use sealgate_config::DeliveryConfig;
use sealgate_core::store::KeyStore;
use sealgate_core::{Address, DestinationGuard, Message, Method, Purpose, Requirement, Timestamp};
use sealgate_report::Pseudonymiser;
use sealgate_transform::wkd::{Discovery, Wkd};
use std::sync::Arc;
use std::time::Duration;

/// Longest one recipient's discovery may take, both directory URLs together.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(15);
/// TCP connect to a directory.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The WKD client and the key store it files into.
pub struct Discoverer {
    wkd: Wkd,
    keys: Arc<dyn KeyStore>,
}

impl std::fmt::Debug for Discoverer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Discoverer")
    }
}

impl Discoverer {
    /// From `[delivery]`: `None` when `wkd = false`. Reads `testing.wkd_ca` (once, at start).
    /// Directory addresses pass `guard`.
    pub fn from_config(
        c: &DeliveryConfig,
        keys: Arc<dyn KeyStore>,
        dns: Arc<dyn Dns>,
        guard: DestinationGuard,
    ) -> Result<Option<Discoverer>, DeliverError> {
        if !c.wkd {
            return Ok(None);
        }
        let mut b = reqwest::Client::builder()
            .https_only(true)
            // As for MTA-STS: the directory answers itself, no redirect to another host.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .no_proxy()
            .user_agent("sealgate");
        if let Some(path) = &c.testing.wkd_ca {
            // Once, while the engine starts (as the notice templates are read).
            let pem = std::fs::read(path).map_err(|e| {
                DeliverError::Config(format!("delivery.testing.wkd_ca: {}: {e}", path.display()))
            })?;
            let roots = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| DeliverError::Config(format!("delivery.testing.wkd_ca: {e}")))?;
            b = b.tls_certs_merge(roots);
        }
        let client = match c.testing.wkd_address {
            // Every host name resolves to the test address (the domains are only known per
            // recipient, so `resolve` per host cannot be set up front).
            Some(addr) => b.dns_resolver(Arc::new(Fixed(addr, guard))),
            None => b.dns_resolver(Arc::new(ByDns(dns, guard))),
        }
        .build()
        .map_err(|e| DeliverError::Config(format!("WKD HTTP client: {e}")))?;
        Ok(Some(Discoverer {
            wkd: Wkd::new(client),
            keys,
        }))
    }

    /// Looks up every recipient of `encrypt` (index, methods failed at delivery) whose chain
    /// has `pgp` not yet failed. Never fails: a miss leaves the key store as it was.
    pub async fn run(
        self: &Arc<Self>,
        msg: &Message,
        encrypt: &[(u32, Vec<Method>)],
        pseudonyms: &Pseudonymiser,
        now: Timestamp,
    ) {
        let mut lookups = tokio::task::JoinSet::new();
        for (index, failed) in encrypt {
            let wants_pgp = matches!(
                msg.decision.recipients.get(*index as usize),
                Some(Requirement::Encrypt { chain, .. }) if chain.contains(&Method::Pgp)
            ) && !failed.contains(&Method::Pgp);
            let Some(r) = msg.envelope.recipients.get(*index as usize) else {
                continue;
            };
            if !wants_pgp {
                continue;
            }
            let (me, address) = (Arc::clone(self), r.address.clone());
            lookups.spawn(async move {
                let got = me.lookup(&address, now).await;
                (address, got)
            });
        }
        while let Some(done) = lookups.join_next().await {
            let Ok((address, got)) = done else {
                continue;
            };
            let rcpt = pseudonyms.address(&address);
            match got {
                Ok(Discovery::Found { fingerprint }) => {
                    tracing::info!(id = %msg.id, %rcpt, %fingerprint, "WKD: key discovered");
                }
                Ok(Discovery::Cached { fingerprint }) => {
                    tracing::debug!(id = %msg.id, %rcpt, %fingerprint, "WKD: cached key");
                }
                Ok(Discovery::NotNeeded) => {}
                Ok(Discovery::NotFound) => {
                    tracing::debug!(id = %msg.id, %rcpt, "WKD: no key");
                }
                Err(why) => {
                    tracing::info!(id = %msg.id, %rcpt, error = %why, "WKD lookup failed; going on with the keys on file");
                }
            }
        }
    }

    async fn lookup(&self, address: &Address, now: Timestamp) -> Result<Discovery, String> {
        match tokio::time::timeout(
            LOOKUP_TIMEOUT,
            self.wkd.discover(Arc::clone(&self.keys), address, now),
        )
        .await
        {
            Ok(Ok(d)) => Ok(d),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("timed out".into()),
        }
    }
}

/// Resolves directory hosts with the deliver stage's [`Dns`] (A and AAAA), keeping only
/// the addresses the guard lets through.
struct ByDns(Arc<dyn Dns>, DestinationGuard);

impl reqwest::dns::Resolve for ByDns {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let (dns, host) = (Arc::clone(&self.0), name.as_str().to_string());
        let guard = self.1.clone();
        Box::pin(async move {
            let ips = dns.ips(&host).await?;
            let (ips, refused) = guard.filter(Purpose::Wkd, &host, ips);
            if ips.is_empty() && !refused.is_empty() {
                return Err(format!("{host}: only non-global addresses (refused)").into());
            }
            if ips.is_empty() {
                return Err(format!("{host}: no address").into());
            }
            // Port 0: reqwest uses the URL's (443).
            let addrs: reqwest::dns::Addrs = Box::new(
                ips.into_iter()
                    .map(|ip| std::net::SocketAddr::new(ip, 0))
                    .collect::<Vec<_>>()
                    .into_iter(),
            );
            Ok(addrs)
        })
    }
}

/// A resolver that answers every name with one address (`testing.wkd_address`), if the
/// guard lets it through.
struct Fixed(std::net::SocketAddr, DestinationGuard);

impl reqwest::dns::Resolve for Fixed {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let addr = self.0;
        let checked = self.1.check(Purpose::Wkd, name.as_str(), addr.ip());
        Box::pin(async move {
            if checked.is_err() {
                return Err(format!("{addr}: not a global address (refused)").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(std::iter::once(addr));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{DnsFuture, MxAnswer};
    use sealgate_core::Domain;
    use sealgate_core::store::{KeyKind, KeyRecord, StoreError};
    use std::sync::Mutex;

    /// A resolver that knows no host and remembers what it was asked.
    #[derive(Default)]
    struct NoHosts(Mutex<Vec<String>>);

    impl Dns for NoHosts {
        fn mx<'a>(&'a self, domain: &'a Domain) -> DnsFuture<'a, MxAnswer> {
            Box::pin(async move {
                Err(DeliverError::Dns {
                    detail: format!("{domain} MX"),
                    permanent: true,
                })
            })
        }
        fn ips<'a>(&'a self, host: &'a str) -> DnsFuture<'a, Vec<std::net::IpAddr>> {
            Box::pin(async move {
                self.0.lock().unwrap().push(host.to_string());
                Ok(Vec::new())
            })
        }
    }

    /// A key store that is down.
    struct Down;

    impl KeyStore for Down {
        fn put(&self, _: &KeyRecord) -> Result<(), StoreError> {
            Err(StoreError::Io("down".into()))
        }
        fn find(&self, _: KeyKind, _: &str) -> Result<Vec<KeyRecord>, StoreError> {
            Err(StoreError::Io("down".into()))
        }
        fn list(&self, _: KeyKind) -> Result<Vec<KeyRecord>, StoreError> {
            Err(StoreError::Io("down".into()))
        }
        fn remove(&self, _: KeyKind, _: &str, _: &str) -> Result<(), StoreError> {
            Err(StoreError::Io("down".into()))
        }
    }

    /// No keys, and nothing filed.
    struct Empty;

    impl KeyStore for Empty {
        fn put(&self, _: &KeyRecord) -> Result<(), StoreError> {
            Ok(())
        }
        fn find(&self, _: KeyKind, _: &str) -> Result<Vec<KeyRecord>, StoreError> {
            Ok(Vec::new())
        }
        fn list(&self, _: KeyKind) -> Result<Vec<KeyRecord>, StoreError> {
            Ok(Vec::new())
        }
        fn remove(&self, _: KeyKind, _: &str, _: &str) -> Result<(), StoreError> {
            Ok(())
        }
    }

    fn open() -> DestinationGuard {
        DestinationGuard::permissive()
    }

    fn config(toml: &str) -> DeliveryConfig {
        sealgate_config::Config::from_toml(toml)
            .unwrap_or_else(|e| panic!("{e}"))
            .delivery
    }

    #[test]
    fn off_when_configured_off_and_a_bad_ca_is_named() {
        let off = config("[delivery]\nwkd = false\n");
        assert!(
            Discoverer::from_config(&off, Arc::new(Empty), Arc::new(NoHosts::default()), open())
                .unwrap()
                .is_none()
        );
        let bad = config("[delivery.testing]\nwkd_ca = \"/nonexistent/ca.pem\"\n");
        let err =
            Discoverer::from_config(&bad, Arc::new(Empty), Arc::new(NoHosts::default()), open())
                .unwrap_err();
        assert!(err.to_string().contains("delivery.testing.wkd_ca"), "{err}");
    }

    #[tokio::test]
    async fn an_unreachable_directory_or_a_failed_store_is_a_miss() {
        // A loopback port where nothing listens: connections are refused at once.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = closed.local_addr().unwrap();
        drop(closed);
        let c = config(&format!("[delivery.testing]\nwkd_address = \"{addr}\"\n"));
        let address = Address::parse("pat@dest.test").unwrap();
        let d = Discoverer::from_config(&c, Arc::new(Empty), Arc::new(NoHosts::default()), open())
            .unwrap()
            .unwrap();
        assert_eq!(
            d.lookup(&address, Timestamp(1)).await,
            Ok(Discovery::NotFound)
        );
        let d = Discoverer::from_config(&c, Arc::new(Down), Arc::new(NoHosts::default()), open())
            .unwrap()
            .unwrap();
        assert!(d.lookup(&address, Timestamp(1)).await.is_err());
    }

    #[tokio::test]
    async fn directory_hosts_resolve_through_the_delivery_resolver() {
        let dns = Arc::new(NoHosts::default());
        let d = Discoverer::from_config(
            &config("[delivery]\nwkd = true\n"),
            Arc::new(Empty),
            dns.clone(),
            open(),
        )
        .unwrap()
        .unwrap();
        let address = Address::parse("pat@dest.test").unwrap();
        assert_eq!(
            d.lookup(&address, Timestamp(1)).await,
            Ok(Discovery::NotFound)
        );
        let mut asked = dns.0.lock().unwrap().clone();
        asked.sort();
        assert_eq!(asked, ["dest.test", "openpgpkey.dest.test"]);
    }

    /// Answers every host with one address.
    struct AllAt(std::net::IpAddr);

    impl Dns for AllAt {
        fn mx<'a>(&'a self, _: &'a Domain) -> DnsFuture<'a, MxAnswer> {
            Box::pin(async move { Ok(MxAnswer::NoMx) })
        }
        fn ips<'a>(&'a self, _: &'a str) -> DnsFuture<'a, Vec<std::net::IpAddr>> {
            let ip = self.0;
            Box::pin(async move { Ok(vec![ip]) })
        }
    }

    #[derive(Default)]
    struct Refusals(Mutex<Vec<String>>);

    impl sealgate_core::RefusalSink for Refusals {
        fn refused(
            &self,
            p: Purpose,
            host: &str,
            _: std::net::IpAddr,
            why: sealgate_core::NonGlobal,
        ) {
            let line = format!("{} {host} {}", p.as_str(), why.as_str());
            self.0.lock().unwrap().push(line);
        }
    }

    #[tokio::test]
    async fn non_global_directory_addresses_are_refused_before_connecting() {
        // A directory listening on loopback, reached through the test override: refused, so
        // the listener never sees a connection.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Refusals::default());
        let guard = || DestinationGuard::new(false, Some(seen.clone()));
        let c = config(&format!("[delivery.testing]\nwkd_address = \"{addr}\"\n"));
        let d = Discoverer::from_config(&c, Arc::new(Empty), Arc::new(NoHosts::default()), guard())
            .unwrap()
            .unwrap();
        let address = Address::parse("pat@dest.test").unwrap();
        assert_eq!(
            d.lookup(&address, Timestamp(1)).await,
            Ok(Discovery::NotFound)
        );
        assert!(listener.accept().is_err(), "a connection was made");
        // Host names resolving to link-local (the cloud metadata address) by DNS.
        let dns = Arc::new(AllAt("169.254.169.254".parse().unwrap()));
        let d = Discoverer::from_config(&config("[delivery]\n"), Arc::new(Empty), dns, guard())
            .unwrap()
            .unwrap();
        let other = Address::parse("pat@other.test").unwrap();
        assert_eq!(
            d.lookup(&other, Timestamp(1)).await,
            Ok(Discovery::NotFound)
        );
        let mut seen = seen.0.lock().unwrap().clone();
        seen.sort();
        assert_eq!(
            seen,
            [
                "wkd dest.test loopback",
                "wkd openpgpkey.dest.test loopback",
                "wkd openpgpkey.other.test link-local",
                "wkd other.test link-local",
            ]
        );
    }
}
