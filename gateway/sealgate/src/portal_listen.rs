//! The portal's listener: HTTP/1.1, over TLS (rustls, `[portal] tls_cert`/`tls_key`, TLS 1.2+
//! with the SMTP listener's settings) or plain behind a reverse proxy.
//!
//! Guarantees: each connection's peer address reaches the handlers as `ConnectInfo` (the
//! `trusted_proxies` rewrite runs after it, unchanged); a TLS handshake and a request head each
//! get [`HEAD_TIMEOUT`], so a client that opens connections and stalls holds none for long; a
//! failed handshake is logged at debug level with no client data, and the listener goes on.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// Time for a TLS handshake, and for a request head once connected.
const HEAD_TIMEOUT: Duration = Duration::from_secs(15);

/// Builds the acceptor for `[portal] tls_cert`/`tls_key` (errors name the keys).
pub fn acceptor(tls: &(std::path::PathBuf, std::path::PathBuf)) -> anyhow::Result<TlsAcceptor> {
    use anyhow::Context;
    sealgate_accept::tls::acceptor(&tls.0, &tls.1, sealgate_accept::tls::ClientRoots::None)
        .context("portal.tls_cert / portal.tls_key")
}

/// Serves `app` on `listener` for as long as the process runs.
pub async fn serve(listener: TcpListener, app: Router, tls: Option<TlsAcceptor>) {
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "portal: accept failed");
                // Out of descriptors and the like: give the process a moment, not a busy loop.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (app, tls) = (app.clone(), tls.clone());
        tokio::spawn(async move {
            match tls {
                None => connection(TokioIo::new(tcp), app, peer).await,
                Some(tls) => match tokio::time::timeout(HEAD_TIMEOUT, tls.accept(tcp)).await {
                    Ok(Ok(stream)) => connection(TokioIo::new(stream), app, peer).await,
                    Ok(Err(e)) => tracing::debug!(error = %e, "portal: TLS handshake failed"),
                    Err(_) => tracing::debug!("portal: TLS handshake timed out"),
                },
            }
        });
    }
}

/// One HTTP/1.1 connection; the handlers see `peer` as `ConnectInfo`.
async fn connection<I>(io: I, app: Router, peer: SocketAddr)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = TowerToHyperService::new(app);
    let with_peer = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        hyper::service::Service::call(&service, req)
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT);
    if let Err(e) = builder.serve_connection(io, with_peer).await {
        tracing::debug!(error = %e, "portal: connection ended with an error");
    }
}
