//! DNS for the policy: `_mta-sts` and `_smtp._tls` TXT records (plain answers), and
//! DNSSEC-validated MX and TLSA answers for DANE, behind the [`PolicyDns`] trait so tests can
//! answer from a local signed zone (or a fake).
//!
//! Guarantees: a DNSSEC answer is [`Dnssec::Secure`] only when every answer record's proof is
//! Secure under the trust anchors; any Bogus record makes the answer [`Dnssec::Bogus`]; a
//! lookup failure is [`Dnssec::Failed`] — both of which the DANE logic treats as "skip this
//! MX, never plaintext". NODATA / NXDOMAIN is [`Dnssec::NoRecords`].

use crate::dane::Tlsa;
use crate::error::TlsPolicyError;
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::dnssec::{Proof, TrustAnchors};
use hickory_resolver::proto::rr::{RData, Record, RecordType};
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

/// A DNSSEC-validated answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dnssec<T> {
    /// Every record's proof is Secure.
    Secure(T),
    /// Records whose proof is not Secure (unsigned zone, no chain to an anchor).
    Insecure(T),
    /// No such records (NODATA or NXDOMAIN).
    NoRecords,
    /// Validation failed (bad or expired signature, missing proof).
    Bogus(String),
    /// The lookup failed (SERVFAIL, timeout, network).
    Failed(String),
}

/// A boxed DNS future.
pub type DnsFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The lookups the policy needs.
pub trait PolicyDns: Send + Sync {
    /// TXT strings at `name` (each record's strings concatenated); empty when none.
    fn txt<'a>(&'a self, name: &'a str) -> DnsFuture<'a, Result<Vec<String>, TlsPolicyError>>;
    /// MX exchanges of `domain` (lower case, no trailing dot), DNSSEC-validated.
    fn secure_mx<'a>(&'a self, domain: &'a str) -> DnsFuture<'a, Dnssec<Vec<String>>>;
    /// TLSA records at `_PORT._tcp.HOST`, DNSSEC-validated.
    fn tlsa<'a>(&'a self, host: &'a str, port: u16) -> DnsFuture<'a, Dnssec<Vec<Tlsa>>>;
}

/// The hickory implementation: one plain resolver, one validating resolver.
pub struct HickoryPolicyDns {
    plain: TokioResolver,
    secure: TokioResolver,
}

impl std::fmt::Debug for HickoryPolicyDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HickoryPolicyDns")
    }
}

/// The resolver configuration for `nameservers` (UDP and TCP to each, at its port), or the
/// system's (`/etc/resolv.conf`) when empty. Shared with the deliver stage's MX resolver; the
/// error is the text each caller puts in its own configuration error.
pub fn resolver_config(nameservers: &[SocketAddr]) -> Result<ResolverConfig, String> {
    if nameservers.is_empty() {
        let (config, _) = hickory_resolver::system_conf::read_system_conf()
            .map_err(|e| format!("resolv.conf: {e}"))?;
        return Ok(config);
    }
    let servers = nameservers
        .iter()
        .map(|sa| {
            let mut udp = ConnectionConfig::udp();
            udp.port = sa.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = sa.port();
            NameServerConfig::new(sa.ip(), true, vec![udp, tcp])
        })
        .collect();
    Ok(ResolverConfig::from_name_servers(servers))
}

impl HickoryPolicyDns {
    /// Resolvers asking `nameservers` (the system's when empty). The validating one trusts the
    /// DNSKEY records in `trust_anchor` (TEST RIGS ONLY) or the built-in root anchors.
    pub fn new(
        nameservers: &[SocketAddr],
        trust_anchor: Option<&Path>,
    ) -> Result<HickoryPolicyDns, TlsPolicyError> {
        let build = |anchors: Option<Arc<TrustAnchors>>| {
            let mut b = TokioResolver::builder_with_config(
                resolver_config(nameservers).map_err(TlsPolicyError::Config)?,
                TokioRuntimeProvider::default(),
            );
            b.options_mut().cache_size = 1024;
            if let Some(a) = anchors {
                b = b.with_trust_anchor(a);
            }
            b.build()
                .map_err(|e| TlsPolicyError::Config(format!("resolver: {e}")))
        };
        let anchors = match trust_anchor {
            Some(p) => TrustAnchors::from_file(p).map_err(|e| {
                TlsPolicyError::Config(format!("trust anchor {}: {e}", p.display()))
            })?,
            None => TrustAnchors::default(),
        };
        Ok(HickoryPolicyDns {
            plain: build(None)?,
            secure: build(Some(Arc::new(anchors)))?,
        })
    }

    async fn validated(&self, name: String, rtype: RecordType) -> Dnssec<Vec<Record>> {
        match self.secure.lookup(name.as_str(), rtype).await {
            Ok(lookup) => {
                let records: Vec<Record> = lookup
                    .answers()
                    .iter()
                    .filter(|r| r.record_type() == rtype)
                    .cloned()
                    .collect();
                if records.is_empty() {
                    return Dnssec::NoRecords;
                }
                if records.iter().any(|r| r.proof == Proof::Bogus) {
                    return Dnssec::Bogus(format!("{rtype} {name}: bogus signature"));
                }
                if records.iter().all(|r| r.proof == Proof::Secure) {
                    Dnssec::Secure(records)
                } else {
                    Dnssec::Insecure(records)
                }
            }
            Err(e) if e.is_no_records_found() => Dnssec::NoRecords,
            Err(e) => {
                let text = e.to_string();
                if text.to_ascii_lowercase().contains("bogus") || text.contains("rrsig") {
                    Dnssec::Bogus(format!("{rtype} {name}: {text}"))
                } else {
                    Dnssec::Failed(format!("{rtype} {name}: {text}"))
                }
            }
        }
    }
}

fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

fn map<T, U>(a: Dnssec<T>, f: impl Fn(T) -> U) -> Dnssec<U> {
    match a {
        Dnssec::Secure(t) => Dnssec::Secure(f(t)),
        Dnssec::Insecure(t) => Dnssec::Insecure(f(t)),
        Dnssec::NoRecords => Dnssec::NoRecords,
        Dnssec::Bogus(s) => Dnssec::Bogus(s),
        Dnssec::Failed(s) => Dnssec::Failed(s),
    }
}

impl PolicyDns for HickoryPolicyDns {
    fn txt<'a>(&'a self, name: &'a str) -> DnsFuture<'a, Result<Vec<String>, TlsPolicyError>> {
        Box::pin(async move {
            match self.plain.txt_lookup(fqdn(name)).await {
                Ok(l) => Ok(l
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::TXT(t) => Some(
                            t.txt_data
                                .iter()
                                .map(|s| String::from_utf8_lossy(s).into_owned())
                                .collect::<String>(),
                        ),
                        _ => None,
                    })
                    .collect()),
                Err(e) if e.is_no_records_found() => Ok(Vec::new()),
                Err(e) => Err(TlsPolicyError::Dns(format!("TXT {name}: {e}"))),
            }
        })
    }

    fn secure_mx<'a>(&'a self, domain: &'a str) -> DnsFuture<'a, Dnssec<Vec<String>>> {
        Box::pin(async move {
            let a = self.validated(fqdn(domain), RecordType::MX).await;
            map(a, |records| {
                records
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::MX(mx) => Some(
                            mx.exchange
                                .to_ascii()
                                .trim_end_matches('.')
                                .to_ascii_lowercase(),
                        ),
                        _ => None,
                    })
                    .collect()
            })
        })
    }

    fn tlsa<'a>(&'a self, host: &'a str, port: u16) -> DnsFuture<'a, Dnssec<Vec<Tlsa>>> {
        Box::pin(async move {
            let name = fqdn(&format!("_{port}._tcp.{host}"));
            let a = self.validated(name, RecordType::TLSA).await;
            map(a, |records| {
                records
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::TLSA(t) => Some(Tlsa {
                            usage: u8::from(t.cert_usage),
                            selector: u8::from(t.selector),
                            matching: u8::from(t.matching),
                            data: t.cert_data.clone(),
                        }),
                        _ => None,
                    })
                    .collect()
            })
        })
    }
}
