//! DNS for routing, behind the [`Dns`] trait so tests can answer from a local server (or a
//! fake). [`HickoryDns`] asks the system resolvers, or the nameservers given in
//! `[delivery.testing]`.
//!
//! Guarantees: an MX answer of one record with preference 0 and exchange `.` is reported as
//! [`MxAnswer::Null`] (RFC 7505); a domain that exists without MX records is
//! [`MxAnswer::NoMx`] (the caller uses the implicit MX, RFC 5321 §5.1); NXDOMAIN is a permanent
//! failure, anything else that fails is temporary.

use crate::error::DeliverError;
use hickory_resolver::TokioResolver;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use sealgate_core::Domain;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;

/// One MX record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxHost {
    /// Preference (lower first).
    pub preference: u16,
    /// Exchange host name, without the trailing dot.
    pub name: String,
}

/// What an MX lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MxAnswer {
    /// MX records.
    Hosts(Vec<MxHost>),
    /// The null MX: the domain accepts no mail.
    Null,
    /// The domain exists but has no MX records.
    NoMx,
}

/// A boxed DNS future.
pub type DnsFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, DeliverError>> + Send + 'a>>;

/// DNS lookups the router needs.
pub trait Dns: Send + Sync {
    /// MX records of a domain.
    fn mx<'a>(&'a self, domain: &'a Domain) -> DnsFuture<'a, MxAnswer>;
    /// A and AAAA addresses of a host (empty when it has none).
    fn ips<'a>(&'a self, host: &'a str) -> DnsFuture<'a, Vec<IpAddr>>;
}

/// The hickory resolver.
pub struct HickoryDns {
    resolver: TokioResolver,
}

impl HickoryDns {
    /// A resolver asking `nameservers`, or the system's (`/etc/resolv.conf`) when empty.
    pub fn new(nameservers: &[SocketAddr]) -> Result<HickoryDns, DeliverError> {
        let config =
            sealgate_tlspolicy::dns::resolver_config(nameservers).map_err(DeliverError::Config)?;
        let mut builder =
            TokioResolver::builder_with_config(config, TokioRuntimeProvider::default());
        // Mail routing wants fresh answers in tests and production alike; keep the cache small.
        builder.options_mut().cache_size = 1024;
        let resolver = builder
            .build()
            .map_err(|e| DeliverError::Config(format!("resolver: {e}")))?;
        Ok(HickoryDns { resolver })
    }
}

fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

/// Maps a resolver error: "no records" becomes `Ok(None)`, NXDOMAIN permanent, else temporary.
fn classify(e: hickory_resolver::net::NetError, what: &str) -> Result<Option<bool>, DeliverError> {
    if e.is_no_records_found() {
        // `true` when the name itself does not exist (NXDOMAIN), `false` for NODATA.
        return Ok(Some(e.is_nx_domain()));
    }
    Err(DeliverError::Dns {
        detail: format!("{what}: {e}"),
        permanent: false,
    })
}

impl Dns for HickoryDns {
    fn mx<'a>(&'a self, domain: &'a Domain) -> DnsFuture<'a, MxAnswer> {
        Box::pin(async move {
            let answer = self.mx_answer(domain).await;
            if let Err(e) = &answer {
                // One line of ours per failed lookup (the library's own warnings are off).
                tracing::warn!(domain = %domain, error = %e, "MX lookup failed");
            }
            answer
        })
    }

    fn ips<'a>(&'a self, host: &'a str) -> DnsFuture<'a, Vec<IpAddr>> {
        self.ips_of(host)
    }
}

impl HickoryDns {
    async fn mx_answer(&self, domain: &Domain) -> Result<MxAnswer, DeliverError> {
        {
            let lookup = match self.resolver.mx_lookup(fqdn(domain.as_str())).await {
                Ok(l) => l,
                Err(e) => {
                    return match classify(e, &format!("MX {domain}"))? {
                        Some(true) => Err(DeliverError::Dns {
                            detail: format!("MX {domain}: no such domain"),
                            permanent: true,
                        }),
                        _ => Ok(MxAnswer::NoMx),
                    };
                }
            };
            let mut hosts = Vec::new();
            for record in lookup.answers() {
                if let RData::MX(mx) = &record.data {
                    let name = mx.exchange.to_ascii();
                    hosts.push(MxHost {
                        preference: mx.preference,
                        name: name.trim_end_matches('.').to_ascii_lowercase(),
                    });
                }
            }
            if hosts.len() == 1 && hosts[0].name.is_empty() && hosts[0].preference == 0 {
                return Ok(MxAnswer::Null);
            }
            hosts.retain(|h| !h.name.is_empty());
            if hosts.is_empty() {
                return Ok(MxAnswer::NoMx);
            }
            Ok(MxAnswer::Hosts(hosts))
        }
    }

    fn ips_of<'a>(&'a self, host: &'a str) -> DnsFuture<'a, Vec<IpAddr>> {
        Box::pin(async move {
            match self.resolver.lookup_ip(fqdn(host)).await {
                Ok(l) => Ok(l.iter().collect()),
                Err(e) => match classify(e, &format!("A/AAAA {host}"))? {
                    Some(_) => Ok(Vec::new()),
                    None => Ok(Vec::new()),
                },
            }
        })
    }
}
