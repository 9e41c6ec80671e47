//! The secure portal inside `sealgate serve` (one process owns the escrow store): opens the
//! store beside the spool, gives the deliver stage its escrow step, serves the portal's pages
//! on `[portal] listen` (HTTPS with `tls_cert`/`tls_key`, `portal_listen.rs`) and expires due
//! copies and sends the sender's receipts, reminders and warnings every `sweep_interval`
//! (`sweep`). Behind `trusted_proxies`, the
//! client address (rate limits, event pseudonyms) is the rightmost `X-Forwarded-For` entry
//! that is not itself a trusted proxy.

use anyhow::{Context, bail};
use sealgate_commit::MasterKeys;
use sealgate_config::Config;
use sealgate_core::store::QueueStore;
use sealgate_core::{Clock, MessageId, Random};
use sealgate_deliver::escrow::PortalEscrow;
use sealgate_deliver::portal_notices::PortalNotices;
use sealgate_deliver::portal_send::PortalMailer;
use sealgate_deliver::{Identity, Originator};
use sealgate_portal::{Brand, CodePolicy, EscrowStore, Lang, PortalEventKind, Texts, WebConfig};
use sealgate_report::{Metrics, PortalCounters};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Opens the escrow store and builds the escrow step, when `[portal]` is configured.
pub async fn open(
    config: &Config,
    master: MasterKeys,
    store: &Arc<dyn QueueStore>,
    clock: &Arc<dyn Clock>,
    rng: &Arc<dyn Random>,
) -> anyhow::Result<Option<Arc<PortalEscrow>>> {
    let Some(portal) = config.portal.clone() else {
        return Ok(None);
    };
    if let Some(tls) = &portal.tls {
        // Refuse a bad certificate or key at start, naming the keys.
        crate::portal_listen::acceptor(tls)?;
    }
    let escrow_store = {
        let (dir, c, r) = (
            config.storage.dir.clone(),
            Arc::clone(clock),
            Arc::clone(rng),
        );
        tokio::task::spawn_blocking(move || EscrowStore::open(&dir, Arc::new(master), c, r))
            .await?
            .context("storage.dir: cannot open the portal's escrow store")?
    };
    let domains = config
        .tenants
        .iter()
        .filter_map(|t| Some((t.name.clone(), t.sender_domains.first()?.to_string())))
        .collect();
    Ok(Some(Arc::new(PortalEscrow {
        store: Arc::new(escrow_store),
        origin: Originator {
            store: Arc::clone(store),
            clock: Arc::clone(clock),
            rng: Arc::clone(rng),
            identity: Identity {
                hostname: config.smtp.hostname.clone(),
                domain: config.gateway.domain.clone(),
                postmaster: config.gateway.postmaster.clone(),
            },
        },
        config: Arc::new(portal),
        domains,
    })))
}

/// Counts every portal event in `sealgate_portal_events_total{tenant, event}` (call before
/// delivery starts, so no deposit goes uncounted).
pub fn count_events(escrow: &PortalEscrow, metrics: &Metrics) -> anyhow::Result<()> {
    let tenants: Vec<String> = escrow
        .config
        .tenants
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let counters = PortalCounters::register(metrics, &tenants, PortalEventKind::NAMES)
        .context("metrics registry: portal counters")?;
    escrow
        .store
        .set_observer(Arc::new(move |tenant: &str, kind: &PortalEventKind| {
            counters.count(tenant, kind.name());
        }));
    Ok(())
}

/// Binds `[portal] listen` and serves the pages; returns the bound address.
pub async fn start(
    escrow: Arc<PortalEscrow>,
    wake: Arc<dyn Fn(MessageId) + Send + Sync>,
    clock: &Arc<dyn Clock>,
    rng: &Arc<dyn Random>,
    reply: crate::portal_reply::Wiring,
) -> anyhow::Result<SocketAddr> {
    let cfg = Arc::clone(&escrow.config);
    let tls = cfg
        .tls
        .as_ref()
        .map(crate::portal_listen::acceptor)
        .transpose()?;
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .context("portal.listen: cannot bind")?;
    let addr = listener.local_addr()?;
    let mut brands: HashMap<String, Brand> = HashMap::new();
    for t in &cfg.tenants {
        brands.insert(t.name.clone(), brand(t).await?);
    }
    let mut origins: Vec<String> = cfg.tenants.iter().map(|t| t.base_url.clone()).collect();
    if addr.ip().is_loopback() {
        // The bound loopback origin itself (tests and local trials reach it directly).
        let scheme = if tls.is_some() { "https" } else { "http" };
        origins.push(format!("{scheme}://localhost:{}", addr.port()));
        origins.push(format!("{scheme}://{addr}"));
    }
    let web = WebConfig {
        origins,
        brands,
        default_brand: Brand {
            name: "Secure mail".into(),
            ..Brand::default()
        },
        idle: Duration::from_secs(15 * 60),
        codes: CodePolicy::default(),
    };
    let store = Arc::clone(&escrow.store);
    let notices = Arc::new(PortalNotices {
        escrow: Arc::clone(&escrow),
        wake: Arc::clone(&wake),
    });
    let replies = reply.service(&escrow, &wake);
    let mail = Arc::new(PortalMailer { escrow, wake });
    let app = sealgate_portal::router_with(
        Arc::clone(&store),
        mail,
        web,
        Arc::clone(clock),
        Arc::clone(rng),
        sealgate_portal::Features {
            reply: Some(replies),
            relying_parties: relying_parties(&cfg.tenants),
        },
    );
    let trusted = cfg.trusted_proxies.clone();
    let app = app.layer(axum::middleware::map_request(
        move |mut req: axum::extract::Request| {
            let trusted = trusted.clone();
            async move {
                forwarded(&mut req, &trusted);
                req
            }
        },
    ));
    let https = tls.is_some();
    tokio::spawn(crate::portal_listen::serve(listener, app, tls));
    tokio::spawn(sweep(notices, cfg.notices.sweep));
    tracing::info!(%addr, https, "portal listening");
    Ok(addr)
}

/// Every `[portal] sweep_interval` (default a minute): expires due copies (reading also
/// checks expiry first), then sends the receipts, reminders, expiry warnings and read
/// receipts that are due (`portal_notices.rs`; each once, recorded in the store).
async fn sweep(notices: Arc<PortalNotices>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let n = Arc::clone(&notices);
        match tokio::task::spawn_blocking(move || n.sweep()).await {
            Ok(Ok(done)) if done.expired + done.mailed > 0 => {
                tracing::info!(expired = done.expired, mailed = done.mailed, "portal sweep");
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "portal sweep failed"),
            _ => {}
        }
    }
}

/// Each tenant's passkey relying party: its `base_url`'s host (a tenant whose base URL names
/// an IP address gets none: WebAuthn needs a host name; its recipients use the code).
fn relying_parties(
    tenants: &[sealgate_config::PortalTenant],
) -> HashMap<String, sealgate_portal::passkey::RelyingParty> {
    tenants
        .iter()
        .filter_map(|t| {
            let rp = sealgate_portal::passkey::RelyingParty::from_base_url(&t.base_url);
            if rp.is_none() {
                tracing::warn!(tenant = %t.name, "portal base_url names no host: no passkeys for this tenant");
            }
            Some((t.name.clone(), rp?))
        })
        .collect()
}

/// A tenant's page template; its logo file is read and checked (errors name the key).
async fn brand(t: &sealgate_config::PortalTenant) -> anyhow::Result<Brand> {
    let logo = match &t.logo {
        Some(path) => Some(
            read_logo(path)
                .await
                .with_context(|| format!("portal.tenants.{}.logo: {}", t.name, path.display()))?,
        ),
        None => None,
    };
    Ok(Brand {
        name: t.organisation.clone(),
        help: t.help.clone(),
        intro: t.intro.clone(),
        logo,
        colours: t.colours.map(|c| (c.background.0, c.text.0)),
        texts: tenant_texts(t)?,
        lang: t
            .language
            .codes()
            .first()
            .and_then(|c| Lang::from_code(c))
            .unwrap_or_default(),
        ..Brand::default()
    })
}

/// A tenant's texts: the catalogue with its `[portal.tenants.NAME.texts]` (errors name the key).
pub fn tenant_texts(t: &sealgate_config::PortalTenant) -> anyhow::Result<Texts> {
    let overrides = t.texts.iter().map(|o| {
        (
            Lang::from_code(&o.lang).unwrap_or_default(),
            o.key.clone(),
            o.text.clone(),
        )
    });
    Texts::new(overrides).map_err(|e| anyhow::anyhow!("portal.tenants.{}.texts.{e}", t.name))
}

/// Reads and checks a logo file (PNG, or SVG without script; at most 128 KiB).
pub async fn read_logo(path: &std::path::Path) -> anyhow::Result<sealgate_portal::Logo> {
    let meta = tokio::fs::metadata(path).await?;
    if meta.len() > sealgate_portal::MAX_LOGO as u64 {
        bail!(
            "the logo is {} bytes; at most {} are accepted",
            meta.len(),
            sealgate_portal::MAX_LOGO
        );
    }
    let bytes = tokio::fs::read(path).await?;
    sealgate_portal::Logo::from_bytes(bytes).map_err(anyhow::Error::msg)
}

/// Replaces the peer address with the forwarded client's when the peer is a trusted proxy.
fn forwarded(req: &mut axum::extract::Request, trusted: &[ipnet::IpNet]) {
    use axum::extract::ConnectInfo;
    let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() else {
        return;
    };
    let xff = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(ip) = client_behind(peer.ip(), xff, trusted) {
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(ip, peer.port())));
    }
}

/// The client behind a chain of trusted proxies, or `None` when `peer` is not trusted or the
/// header names no address.
fn client_behind(
    peer: std::net::IpAddr,
    xff: &str,
    trusted: &[ipnet::IpNet],
) -> Option<std::net::IpAddr> {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return None;
    }
    let hops: Vec<std::net::IpAddr> = xff
        .split(',')
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(hops.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::client_behind;

    #[test]
    fn only_a_trusted_proxy_may_name_the_client() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse().unwrap();
        // A trusted proxy: the rightmost untrusted hop (a client can prepend anything).
        assert_eq!(
            client_behind(ip("10.0.0.2"), "6.6.6.6, 203.0.113.9, 10.0.0.7", &trusted),
            Some(ip("203.0.113.9"))
        );
        // Anyone else's header is ignored.
        assert_eq!(
            client_behind(ip("198.51.100.1"), "203.0.113.9", &trusted),
            None
        );
        assert_eq!(client_behind(ip("10.0.0.2"), "garbage", &trusted), None);
    }
}
