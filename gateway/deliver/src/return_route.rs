//! Return routes: where mail the gateway originates for a tenant (DSNs, sender notices, portal
//! replies — `portal_reply.rs` — and connector self-test reports) goes — and only that mail. Tenant mail to
//! any domain, the tenant's own included, still goes by `[delivery.routes]` and MX.
//!
//! A message is the gateway's own for tenant T when it has the null reverse path and its
//! Message-ID is the one [`crate::Originator`] gives (`<ID.gw@GATEWAY-DOMAIN>` with the
//! message's own gateway id, which no client can know before its message is accepted). Its
//! route is T's `[tenants.T.return_route]`: `m365` — the tenant's
//! `*.mail.protection.outlook.com` host, `smtp` — host:port, `google` — the MX hosts of the
//! primary domain; always with TLS verified (WebPKI and the host name), and presenting the
//! tenant's client certificate when one is configured (m365 requires one: the tenant's inbound
//! connector checks its name, `TlsSenderCertificateName`).

use crate::error::DeliverError;
use crate::route::Route;
use rustls::ClientConfig;
use rustls::client::danger::ServerCertVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sealgate_config::NextHop;
use sealgate_config::{ReturnRoute, TenantConfig};
use sealgate_core::{Domain, Message};
use sealgate_tlspolicy::MxPlan;
use std::collections::HashMap;
use std::sync::Arc;

/// A tenant's client certificate, loaded.
#[derive(Debug)]
pub struct ClientIdentity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl ClientIdentity {
    /// A client configuration presenting this identity, verifying the server with `verifier`
    /// (TLS 1.2+).
    pub fn client_config(
        &self,
        verifier: Arc<dyn ServerCertVerifier>,
    ) -> Result<Arc<ClientConfig>, DeliverError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| DeliverError::Config(format!("TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_client_auth_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| DeliverError::Config(format!("return route client certificate: {e}")))?;
        Ok(Arc::new(config))
    }
}

/// One tenant's return route.
#[derive(Debug)]
pub struct TenantReturn {
    /// The tenant.
    pub tenant: String,
    /// Where.
    pub route: ReturnRoute,
    /// The client certificate to present, if any.
    pub identity: Option<ClientIdentity>,
}

impl TenantReturn {
    /// The route in the router's terms (the kind decides which TLS policies are discovered).
    pub fn route(&self) -> Route {
        match &self.route {
            ReturnRoute::Host { host, port } => Route::Static(NextHop {
                host: host.clone(),
                port: *port,
            }),
            ReturnRoute::Mx(_) => Route::Mx,
        }
    }

    /// The domain whose MX hosts the route uses (google), else `None`.
    pub fn mx_domain(&self) -> Option<&Domain> {
        match &self.route {
            ReturnRoute::Mx(d) => Some(d),
            ReturnRoute::Host { .. } => None,
        }
    }
}

/// The host's plan, presenting the tenant's client certificate (if any) with the same
/// verifier.
pub fn present(ret: Option<&TenantReturn>, mut mx: MxPlan) -> Result<MxPlan, DeliverError> {
    if let Some(identity) = ret.and_then(|r| r.identity.as_ref()) {
        mx.tls = identity.client_config(Arc::clone(&mx.verifier))?;
    }
    Ok(mx)
}

/// Every tenant's return route.
#[derive(Debug, Default)]
pub struct ReturnRoutes(HashMap<String, Arc<TenantReturn>>);

impl ReturnRoutes {
    /// Loads the return routes (and client certificates) of `tenants`.
    pub fn load(tenants: &[TenantConfig]) -> Result<ReturnRoutes, DeliverError> {
        let mut map = HashMap::new();
        for t in tenants {
            let Some(route) = &t.return_route else {
                continue;
            };
            let identity = match &t.return_cert {
                None => None,
                Some(c) => Some(load_identity(&c.cert, &c.key).map_err(|e| {
                    DeliverError::Config(format!("tenants.{}.return_route: {e}", t.name))
                })?),
            };
            let r = TenantReturn {
                tenant: t.name.clone(),
                route: route.clone(),
                identity,
            };
            map.insert(t.name.clone(), Arc::new(r));
        }
        Ok(ReturnRoutes(map))
    }

    /// The return route `msg` takes: only for mail the gateway originated for its tenant.
    pub fn for_message(&self, msg: &Message, gateway_domain: &Domain) -> Option<Arc<TenantReturn>> {
        if msg.envelope.mail_from.is_some() {
            return None;
        }
        let own = format!("<{}.gw@{}>", msg.id, gateway_domain);
        if msg.header_message_id.as_deref() != Some(own.as_str())
            && !crate::portal_reply::is_reply(msg, gateway_domain)
        {
            return None;
        }
        self.0.get(&msg.tenant).cloned()
    }
}

fn load_identity(cert: &std::path::Path, key: &std::path::Path) -> Result<ClientIdentity, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{}: no certificate", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    Ok(ClientIdentity { chain, key })
}
