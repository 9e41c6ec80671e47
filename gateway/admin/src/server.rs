//! Serving the admin API: plain HTTP/1.1 or TLS (rustls), with a header-read timeout.
//!
//! Guarantees: a connection that has not sent a whole request head within
//! `[admin] header_read_timeout` is closed (a TLS handshake gets the same time), so a client
//! that opens connections and sends half a request cannot hold them; on stop, the listener
//! closes and open connections finish the request in hand.

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// How the admin API is served.
#[derive(Clone)]
pub struct ServeOptions {
    /// Close a connection whose request head is not complete within this long.
    pub header_read_timeout: Duration,
    /// TLS (`[admin] tls_cert`/`tls_key`), or plain HTTP.
    pub tls: Option<TlsAcceptor>,
}

/// The warning for an admin API reachable beyond loopback without TLS, if that is the case.
pub fn exposure_warning(listen: SocketAddr, tls: bool) -> Option<String> {
    if tls || listen.ip().is_loopback() {
        return None;
    }
    Some(format!(
        "admin.listen {listen} is reachable beyond loopback WITHOUT TLS: the admin token and \
         queue data (addresses in clear) cross the network unencrypted. Set [admin] tls_cert \
         and tls_key, or listen on 127.0.0.1"
    ))
}

/// Serves `app` on `listener` until `stop` changes.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    options: ServeOptions,
    mut stop: watch::Receiver<bool>,
) {
    let service = TowerToHyperService::new(app);
    loop {
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    tracing::warn!(error = %e, "admin API: accept failed");
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let (service, options, stop) = (service.clone(), options.clone(), stop.clone());
        tokio::spawn(async move {
            let limit = options.header_read_timeout;
            match options.tls {
                None => connection(TokioIo::new(tcp), service, limit, stop).await,
                Some(tls) => match tokio::time::timeout(limit, tls.accept(tcp)).await {
                    Ok(Ok(stream)) => connection(TokioIo::new(stream), service, limit, stop).await,
                    Ok(Err(e)) => tracing::debug!(error = %e, "admin API: TLS handshake failed"),
                    Err(_) => tracing::debug!("admin API: TLS handshake timed out"),
                },
            }
        });
    }
}

/// One HTTP/1.1 connection, closed when its request head is late or on stop (gracefully).
async fn connection<I>(
    io: I,
    service: TowerToHyperService<Router>,
    header_read_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn warns_only_beyond_loopback_without_tls() {
        let any: SocketAddr = "0.0.0.0:9925".parse().unwrap();
        let lo: SocketAddr = "127.0.0.1:9925".parse().unwrap();
        assert!(
            exposure_warning(any, false)
                .unwrap()
                .contains("WITHOUT TLS")
        );
        assert!(exposure_warning(any, true).is_none());
        assert!(exposure_warning(lo, false).is_none());
    }

    #[tokio::test]
    async fn a_partial_request_is_closed_and_a_whole_one_answered() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().route("/healthz", axum::routing::get(|| async { "ok\n" }));
        let (_stop_tx, stop) = watch::channel(false);
        let options = ServeOptions {
            header_read_timeout: Duration::from_millis(300),
            tls: None,
        };
        tokio::spawn(serve(listener, app, options, stop));

        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let mut buf = Vec::new();
        // Closed by the server (EOF, or a 408 then EOF) long before this deadline.
        let read = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "a partial request stayed open");

        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"));
    }
}
