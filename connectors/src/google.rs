//! The `google` platform: Google Workspace.
//!
//! - *Is this client this platform?* Its source is in Google's outbound ranges
//!   (`defaults::GOOGLE_NETWORKS`, published under `_spf.google.com`, or the tenant's
//!   `networks`) — checked when it becomes a candidate — and it used STARTTLS.
//! - *Which tenant?* Google's customers share those ranges and certificates, so the tenant is
//!   told by its secret token in `X-Sealgate-Token` (the routing rule's "Add custom headers")
//!   *and* a DKIM signature on the message that verifies for one of the tenant's sender
//!   domains or its `dkim_domains` (e.g. the Google-hosted signing domain). The sender domains
//!   must be the tenant's too (checked by the caller). A DNS failure while verifying is a
//!   temporary refusal (`451 4.7.5`), never a permanent one.
//! - *Return route:* the MX hosts of the tenant's primary domain, TLS verified
//!   (`gateway/deliver`).

use crate::attribute::SessionFacts;
use crate::m365::check_token;
use crate::refusal::Refusal;
use crate::token::Token;
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator};
use sealgate_core::Domain;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

/// What DKIM verification of a message found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DkimReport {
    /// The `d=` domains of the signatures that verified (lower case).
    pub passed: Vec<String>,
    /// Some signature could not be checked for a temporary reason (DNS).
    pub temporary: bool,
}

/// A boxed verification future.
pub type DkimFuture<'a> = Pin<Box<dyn Future<Output = DkimReport> + Send + 'a>>;

/// DKIM verification (DNS through the configured resolver).
pub trait DkimVerifier: Send + Sync {
    /// Verifies every DKIM signature of `message`.
    fn verify<'a>(&'a self, message: &'a [u8]) -> DkimFuture<'a>;
}

/// Why the DKIM verifier could not be built.
#[derive(Debug, thiserror::Error)]
#[error("DKIM resolver: {0}")]
pub struct ResolverError(String);

/// mail-auth's verifier over a hickory resolver.
pub struct MailAuthDkim(MessageAuthenticator);

impl MailAuthDkim {
    /// A verifier asking `nameservers` (test rigs), or the system's resolvers when empty.
    pub fn new(nameservers: &[SocketAddr]) -> Result<MailAuthDkim, ResolverError> {
        let config = if nameservers.is_empty() {
            hickory_resolver::system_conf::read_system_conf()
                .map_err(|e| ResolverError(e.to_string()))?
                .0
        } else {
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
            ResolverConfig::from_name_servers(servers)
        };
        let resolver = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
            .build()
            .map_err(|e| ResolverError(e.to_string()))?;
        Ok(MailAuthDkim(MessageAuthenticator(resolver)))
    }
}

impl DkimVerifier for MailAuthDkim {
    fn verify<'a>(&'a self, message: &'a [u8]) -> DkimFuture<'a> {
        Box::pin(async move {
            let Some(parsed) = AuthenticatedMessage::parse(message) else {
                return DkimReport::default();
            };
            let mut report = DkimReport::default();
            for out in self.0.verify_dkim(&parsed).await {
                match out.result() {
                    DkimResult::Pass => {
                        if let Some(sig) = out.signature() {
                            report
                                .passed
                                .push(sig.d.trim_end_matches('.').to_ascii_lowercase());
                        }
                    }
                    DkimResult::TempError(_) => report.temporary = true,
                    _ => {}
                }
            }
            report
        })
    }
}

/// What a google tenant is checked against.
pub struct GoogleTenant<'a> {
    /// Sender domains (a DKIM signature by one of them counts).
    pub sender_domains: &'a [Domain],
    /// Further accepted DKIM domains.
    pub dkim_domains: &'a [Domain],
    /// The tenant's token.
    pub token: Option<&'a Token>,
}

/// Every check of a google tenant, in order: TLS, token, DKIM.
pub async fn check(
    tenant: &GoogleTenant<'_>,
    dkim: Option<&dyn DkimVerifier>,
    session: &SessionFacts<'_>,
    message: &[u8],
) -> Result<(), Refusal> {
    if !session.tls {
        return Err(Refusal::GoogleTls);
    }
    check_token(
        tenant.token,
        message,
        Refusal::GoogleTokenMissing,
        Refusal::GoogleTokenWrong,
    )?;
    let Some(dkim) = dkim else {
        return Err(Refusal::GoogleDkimDns);
    };
    let report = dkim.verify(message).await;
    let ours = |d: &String| {
        tenant
            .sender_domains
            .iter()
            .chain(tenant.dkim_domains)
            .any(|t| t.as_str() == d)
    };
    if report.passed.iter().any(ours) {
        Ok(())
    } else if report.temporary {
        Err(Refusal::GoogleDkimDns)
    } else {
        Err(Refusal::GoogleDkim)
    }
}
