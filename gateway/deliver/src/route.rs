//! Routing: which hosts, in which order, receive a recipient domain's mail.
//!
//! Guarantees: a static route (`[delivery.routes]`, exact domain first, then `"*"`) wins over
//! DNS and is never looked up by MX; otherwise MX records are tried by preference, in random
//! order among equal preferences; a domain without MX records uses its own A/AAAA records (the
//! implicit MX); a null MX is a permanent failure (RFC 7505). Every host's addresses are
//! resolved here, so the result is a flat, ordered list of endpoints to try. Addresses of MX
//! hosts (and of the implicit MX) pass the [`DestinationGuard`]: non-global ones are dropped
//! and counted, and a domain left with none is a temporary failure naming that reason (it
//! bounces when its queue lifetime ends); static routes and tenants' return routes are the
//! administrator's choice and are not filtered.

use crate::dns::{Dns, MxAnswer};
use crate::error::DeliverError;
use sealgate_config::{NextHop, ReturnRoute, StaticRoute};
use sealgate_core::{DestinationGuard, Domain, Purpose, Random};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// Most endpoints tried for one destination in one attempt.
const MAX_TARGETS: usize = 10;

/// One endpoint to try.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// Host name (MX exchange or route host) or IP text; TLS uses it as server name.
    pub host: String,
    /// Address to connect to.
    pub ip: IpAddr,
    /// TCP port.
    pub port: u16,
}

/// Where a domain's mail goes, before address resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A configured next hop.
    Static(NextHop),
    /// MX lookup (the domain's own records).
    Mx,
}

/// The static routes: exact domains and the `"*"` fallback.
#[derive(Debug, Default)]
struct RouteTable {
    routes: HashMap<Domain, NextHop>,
    fallback: Option<NextHop>,
}

impl RouteTable {
    fn of(routes: &[StaticRoute]) -> RouteTable {
        let mut t = RouteTable::default();
        for r in routes {
            match &r.domain {
                Some(d) => {
                    t.routes.insert(d.clone(), r.next_hop.clone());
                }
                None => t.fallback = Some(r.next_hop.clone()),
            }
        }
        t
    }
}

/// Resolves recipient domains to ordered endpoint lists.
pub struct Router {
    /// `[delivery.routes]`; replaced on reload ([`Router::set_routes`]).
    table: std::sync::RwLock<RouteTable>,
    dns: Arc<dyn Dns>,
    mx_port: u16,
    /// TEST RIGS: MX hosts contacted on their own port (`mx_host_ports`).
    host_ports: HashMap<String, u16>,
    rng: Arc<dyn Random>,
    /// The filter for addresses of MX hosts.
    guard: DestinationGuard,
}

impl Router {
    /// A router over the configured static routes; MX hosts are contacted on `mx_port` (25
    /// except in test rigs).
    pub fn new(
        routes: &[StaticRoute],
        dns: Arc<dyn Dns>,
        mx_port: u16,
        rng: Arc<dyn Random>,
    ) -> Router {
        Router {
            table: std::sync::RwLock::new(RouteTable::of(routes)),
            dns,
            mx_port,
            host_ports: HashMap::new(),
            rng,
            guard: DestinationGuard::default(),
        }
    }

    /// TEST RIGS: contact these MX hosts on their own port instead of `mx_port`
    /// (`[delivery.testing] mx_host_ports`).
    pub fn with_host_ports(mut self, ports: &[(String, u16)]) -> Router {
        self.host_ports = ports.iter().cloned().collect();
        self
    }

    /// The filter for MX hosts' addresses (default: refuse non-global ones, uncounted).
    pub fn with_guard(mut self, guard: DestinationGuard) -> Router {
        self.guard = guard;
        self
    }

    fn port_of(&self, host: &str) -> u16 {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.host_ports.get(&host).copied().unwrap_or(self.mx_port)
    }

    /// Replaces the static routes (configuration reload); routing from now on uses them.
    pub fn set_routes(&self, routes: &[StaticRoute]) {
        *self
            .table
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = RouteTable::of(routes);
    }

    /// The route for a domain (no DNS).
    pub fn route_of(&self, domain: &Domain) -> Route {
        // A poisoned lock still holds a whole table (it is only ever replaced whole).
        let t = self
            .table
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match t.routes.get(domain).or(t.fallback.as_ref()) {
            Some(hop) => Route::Static(hop.clone()),
            None => Route::Mx,
        }
    }

    /// The endpoints for a domain, in the order to try them.
    pub async fn targets(&self, domain: &Domain) -> Result<Vec<Target>, DeliverError> {
        match self.route_of(domain) {
            Route::Static(hop) => {
                self.resolve(vec![(hop.host, hop.port)], domain.as_str(), None)
                    .await
            }
            Route::Mx => {
                let hosts = self.mx_hosts(domain).await?;
                self.resolve(hosts, domain.as_str(), Some(&self.guard))
                    .await
            }
        }
    }

    /// The endpoints of a tenant's return route (`return_route.rs`): its host (on its port,
    /// or the test rig's `mx_host_ports`), or the MX hosts of its primary domain — never a
    /// `[delivery.routes]` entry.
    pub async fn return_targets(&self, route: &ReturnRoute) -> Result<Vec<Target>, DeliverError> {
        match route {
            ReturnRoute::Host { host, port } => {
                let key = host.to_ascii_lowercase();
                let port = self.host_ports.get(&key).copied().unwrap_or(*port);
                self.resolve(vec![(host.clone(), port)], host, None).await
            }
            ReturnRoute::Mx(domain) => {
                // The tenant's own domain, named by the administrator: its mail hosts are
                // often on private networks (an on-premises relay), so no guard.
                let hosts = self.mx_hosts(domain).await?;
                self.resolve(hosts, domain.as_str(), None).await
            }
        }
    }

    /// A domain's MX hosts with their ports, by preference (random among equals).
    async fn mx_hosts(&self, domain: &Domain) -> Result<Vec<(String, u16)>, DeliverError> {
        Ok(match self.dns.mx(domain).await? {
            MxAnswer::Null => return Err(DeliverError::NullMx),
            MxAnswer::NoMx => vec![(domain.to_string(), self.port_of(domain.as_str()))],
            MxAnswer::Hosts(mut hosts) => {
                // One random key per host, drawn once: a key drawn anew at every
                // comparison is no order at all (and `sort` may panic on one).
                hosts.sort_by_cached_key(|h| (h.preference, self.random_u32()));
                hosts
                    .into_iter()
                    .map(|h| {
                        let port = self.port_of(&h.name);
                        (h.name, port)
                    })
                    .collect()
            }
        })
    }

    /// Every host's addresses, in order, at most [`MAX_TARGETS`]; with a `guard`, only the
    /// addresses it lets through.
    async fn resolve(
        &self,
        hosts: Vec<(String, u16)>,
        what: &str,
        guard: Option<&DestinationGuard>,
    ) -> Result<Vec<Target>, DeliverError> {
        let mut out = Vec::new();
        let mut last_error = None;
        let mut refused = 0usize;
        for (host, port) in hosts {
            let ips = match host.parse::<IpAddr>() {
                Ok(ip) => vec![ip],
                Err(_) => match self.dns.ips(&host).await {
                    Ok(ips) => ips,
                    Err(e) => {
                        last_error = Some(e);
                        continue;
                    }
                },
            };
            let ips = match guard {
                Some(g) => {
                    let (ok, no) = g.filter(Purpose::Mx, &host, ips);
                    refused += no.len();
                    ok
                }
                None => ips,
            };
            for ip in ips {
                out.push(Target {
                    host: host.clone(),
                    ip,
                    port,
                });
                if out.len() >= MAX_TARGETS {
                    return Ok(out);
                }
            }
        }
        if out.is_empty() && refused > 0 {
            return Err(DeliverError::NonGlobalMx(what.to_string()));
        }
        if out.is_empty() {
            return Err(last_error.unwrap_or(DeliverError::Dns {
                detail: format!("no address for the mail hosts of {what}"),
                permanent: false,
            }));
        }
        Ok(out)
    }

    fn random_u32(&self) -> u32 {
        let mut b = [0u8; 4];
        self.rng.fill(&mut b);
        u32::from_le_bytes(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{DnsFuture, MxHost};
    use std::sync::atomic::{AtomicU32, Ordering};

    struct FakeDns(MxAnswer);
    impl Dns for FakeDns {
        fn mx<'a>(&'a self, _: &'a Domain) -> DnsFuture<'a, MxAnswer> {
            let a = self.0.clone();
            Box::pin(async move { Ok(a) })
        }
        fn ips<'a>(&'a self, host: &'a str) -> DnsFuture<'a, Vec<IpAddr>> {
            let ip: IpAddr = match host {
                "mx1.example" => "127.0.0.1".parse().unwrap(),
                "mx2.example" => "127.0.0.2".parse().unwrap(),
                "mx3.example" => "127.0.0.3".parse().unwrap(),
                _ => "127.0.0.9".parse().unwrap(),
            };
            Box::pin(async move { Ok(vec![ip]) })
        }
    }
    struct Counter(AtomicU32);
    impl Random for Counter {
        fn fill(&self, buf: &mut [u8]) {
            let v = self.0.fetch_add(1, Ordering::Relaxed).to_le_bytes();
            for (i, b) in buf.iter_mut().enumerate() {
                *b = v[i % 4];
            }
        }
    }

    fn router(answer: MxAnswer, routes: &[StaticRoute]) -> Router {
        Router::new(
            routes,
            Arc::new(FakeDns(answer)),
            25,
            Arc::new(Counter(AtomicU32::new(0))),
        )
        .with_guard(DestinationGuard::permissive())
    }

    fn d(s: &str) -> Domain {
        Domain::parse(s).unwrap()
    }

    #[tokio::test]
    async fn mx_hosts_come_in_preference_order() {
        let r = router(
            MxAnswer::Hosts(vec![
                MxHost {
                    preference: 20,
                    name: "mx2.example".into(),
                },
                MxHost {
                    preference: 10,
                    name: "mx1.example".into(),
                },
                MxHost {
                    preference: 30,
                    name: "mx3.example".into(),
                },
            ]),
            &[],
        );
        let t = r.targets(&d("dest.example")).await.unwrap();
        let hosts: Vec<&str> = t.iter().map(|t| t.host.as_str()).collect();
        assert_eq!(hosts, ["mx1.example", "mx2.example", "mx3.example"]);
        assert_eq!(t[0].port, 25);
        let r = r.with_host_ports(&[("mx2.example".into(), 2526)]);
        let t = r.targets(&d("dest.example")).await.unwrap();
        let ports: Vec<u16> = t.iter().map(|t| t.port).collect();
        assert_eq!(ports, [25, 2526, 25]);
    }

    /// Regression: the shuffle key was drawn at every comparison of the sort, not once per
    /// host, so equal preferences were not a random order (and the sort could panic).
    #[tokio::test]
    async fn equal_preferences_get_one_random_key_each() {
        let hosts: Vec<MxHost> = (0..8)
            .map(|i| MxHost {
                preference: 10,
                name: format!("mx{i}.example"),
            })
            .collect();
        let rng = Arc::new(Counter(AtomicU32::new(0)));
        let r = Router::new(
            &[],
            Arc::new(FakeDns(MxAnswer::Hosts(hosts))),
            25,
            rng.clone(),
        )
        .with_guard(DestinationGuard::permissive());
        let t = r.targets(&d("dest.example")).await.unwrap();
        assert_eq!(t.len(), 8);
        assert_eq!(rng.0.load(Ordering::Relaxed), 8, "one draw per host");
    }

    #[tokio::test]
    async fn null_mx_is_permanent_and_no_mx_means_implicit() {
        let r = router(MxAnswer::Null, &[]);
        let e = r.targets(&d("dest.example")).await.unwrap_err();
        assert!(matches!(e, DeliverError::NullMx));
        assert_eq!(e.severity(), sealgate_core::Severity::Permanent);
        let r = router(MxAnswer::NoMx, &[]);
        let t = r.targets(&d("dest.example")).await.unwrap();
        assert_eq!(t[0].host, "dest.example");
    }

    #[tokio::test]
    async fn static_routes_win_over_mx() {
        let routes = vec![
            StaticRoute {
                domain: Some(d("partner.example")),
                next_hop: NextHop::parse("10.1.2.3:2525").unwrap(),
            },
            StaticRoute {
                domain: None,
                next_hop: NextHop::parse("smarthost.example").unwrap(),
            },
        ];
        let r = router(MxAnswer::Null, &routes);
        let t = r.targets(&d("partner.example")).await.unwrap();
        assert_eq!(
            (t[0].ip.to_string().as_str(), t[0].port),
            ("10.1.2.3", 2525)
        );
        let t = r.targets(&d("other.example")).await.unwrap();
        assert_eq!(t[0].host, "smarthost.example");
    }

    /// MX hosts of a hostile domain: loopback, RFC 1918, link-local, an IPv4-mapped loopback,
    /// and one public host.
    struct Hostile;
    impl Dns for Hostile {
        fn mx<'a>(&'a self, _: &'a Domain) -> DnsFuture<'a, MxAnswer> {
            let hosts = ["lo", "ten", "ll", "mapped", "public"]
                .iter()
                .enumerate()
                .map(|(i, h)| MxHost {
                    preference: i as u16,
                    name: format!("{h}.hostile.example"),
                })
                .collect();
            Box::pin(async move { Ok(MxAnswer::Hosts(hosts)) })
        }
        fn ips<'a>(&'a self, host: &'a str) -> DnsFuture<'a, Vec<IpAddr>> {
            let ip = match host {
                "lo.hostile.example" => "127.0.0.1",
                "ten.hostile.example" => "10.0.0.8",
                "ll.hostile.example" => "169.254.169.254",
                "mapped.hostile.example" => "::ffff:127.0.0.1",
                _ => "192.0.2.1",
            };
            Box::pin(async move { Ok(vec![ip.parse().unwrap()]) })
        }
    }

    #[derive(Default)]
    struct Refusals(std::sync::Mutex<Vec<String>>);
    impl sealgate_core::RefusalSink for Refusals {
        fn refused(&self, p: Purpose, host: &str, _: IpAddr, why: sealgate_core::NonGlobal) {
            let line = format!("{} {host} {}", p.as_str(), why.as_str());
            self.0.lock().unwrap().push(line);
        }
    }

    #[tokio::test]
    async fn non_global_mx_addresses_are_refused_and_counted() {
        let seen = Arc::new(Refusals::default());
        let r = Router::new(
            &[],
            Arc::new(Hostile),
            25,
            Arc::new(Counter(AtomicU32::new(0))),
        )
        .with_guard(DestinationGuard::new(false, Some(seen.clone())));
        // Every address non-global (192.0.2.1 is a documentation address): a temporary
        // failure naming the reason, and no endpoint at all.
        let e = r.targets(&d("hostile.example")).await.unwrap_err();
        assert_eq!(e.severity(), sealgate_core::Severity::Temporary);
        assert!(e.to_string().contains("non-global"), "{e}");
        let seen = seen.0.lock().unwrap().clone();
        assert_eq!(
            seen,
            [
                "mx lo.hostile.example loopback",
                "mx ten.hostile.example private",
                "mx ll.hostile.example link-local",
                "mx mapped.hostile.example loopback",
                "mx public.hostile.example documentation",
            ]
        );
        // A static route to a private address is the administrator's choice.
        let routes = vec![StaticRoute {
            domain: Some(d("hostile.example")),
            next_hop: NextHop::parse("10.1.2.3:2525").unwrap(),
        }];
        let r = Router::new(
            &routes,
            Arc::new(Hostile),
            25,
            Arc::new(Counter(AtomicU32::new(0))),
        );
        assert_eq!(r.targets(&d("hostile.example")).await.unwrap().len(), 1);
    }
}
