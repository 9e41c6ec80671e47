//! A minimal HTTP/1.1 client for the gateway's own admin API: one request per connection,
//! `Connection: close`, bearer token — over TLS (rustls) when the configuration's `[admin]`
//! has `tls_cert`, trusting `tls_ca` (or that certificate itself) and checking
//! `tls_server_name` (or the IP address connected to).
//!
//! [`configure`] is called by `settings::load_config`, so every command that reads a
//! configuration talks to its admin API the way that configuration serves it.

use anyhow::{Context, bail};
use rustls::ClientConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use sealgate_config::AdminConfig;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How to reach the admin API: TLS settings, or an error to report on first use.
type ClientTls = Result<Option<(Arc<ClientConfig>, Option<String>)>, String>;

static TLS: OnceLock<ClientTls> = OnceLock::new();

/// Takes the TLS settings of `[admin]` (the first configuration loaded wins).
pub fn configure(admin: &AdminConfig) {
    let _ = TLS.set(client_tls(admin));
}

fn client_tls(admin: &AdminConfig) -> ClientTls {
    let Some(tls) = &admin.tls else {
        return Ok(None);
    };
    let ca = admin.tls_ca.as_ref().unwrap_or(&tls.cert);
    let what = if admin.tls_ca.is_some() {
        "admin.tls_ca"
    } else {
        "admin.tls_cert (trusted as its own CA: set admin.tls_ca for a CA-issued one)"
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(ca)
        .and_then(Iterator::collect)
        .map_err(|e| format!("{what} \"{}\": {e}", ca.display()))?;
    let mut roots = rustls::RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(format!("{what} \"{}\": no certificate in it", ca.display()));
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("admin TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Some((Arc::new(config), admin.tls_server_name.clone())))
}

/// The admin API did not answer at all (no gateway running there).
#[derive(Debug, thiserror::Error)]
#[error("no gateway answers at {0}")]
pub struct NotRunning(pub SocketAddr);

/// GETs `path`; returns (status, body).
pub fn get(addr: SocketAddr, token: &str, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
    request(addr, token, "GET", path)
}

/// POSTs to `path` with an empty body; returns (status, body).
pub fn post(addr: SocketAddr, token: &str, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
    request_with(addr, token, "POST", path, &[])
}

/// POSTs `body` (octets) to `path`; returns (status, body).
pub fn post_body(
    addr: SocketAddr,
    token: &str,
    path: &str,
    body: &[u8],
) -> anyhow::Result<(u16, Vec<u8>)> {
    request_with(addr, token, "POST", path, body)
}

fn request(
    addr: SocketAddr,
    token: &str,
    method: &str,
    path: &str,
) -> anyhow::Result<(u16, Vec<u8>)> {
    request_with(addr, token, method, path, &[])
}

fn request_with(
    addr: SocketAddr,
    token: &str,
    method: &str,
    path: &str,
    payload: &[u8],
) -> anyhow::Result<(u16, Vec<u8>)> {
    let s =
        TcpStream::connect_timeout(&addr, Duration::from_secs(3)).map_err(|_| NotRunning(addr))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    );
    let tls = match TLS.get() {
        Some(Err(e)) => bail!("{e}"),
        Some(Ok(t)) => t.clone(),
        None => None,
    };
    let raw = match tls {
        None => exchange(s, head.as_bytes(), payload)?,
        Some((config, name)) => {
            let name = match name {
                Some(n) => ServerName::try_from(n.clone())
                    .map_err(|_| anyhow::anyhow!("admin.tls_server_name \"{n}\": not a name"))?,
                None => ServerName::IpAddress(addr.ip().into()),
            };
            let conn =
                rustls::ClientConnection::new(config, name).context("admin API: TLS session")?;
            exchange(rustls::StreamOwned::new(conn, s), head.as_bytes(), payload)
                .context("admin API over TLS (admin.tls_ca / admin.tls_server_name)")?
        }
    };
    parse_answer(&raw)
}

/// Sends the request, reads the answer to its end.
fn exchange<S: Read + Write>(mut s: S, head: &[u8], payload: &[u8]) -> anyhow::Result<Vec<u8>> {
    s.write_all(head)?;
    s.write_all(payload)?;
    s.flush()?;
    let mut raw = Vec::new();
    match s.read_to_end(&mut raw) {
        Ok(_) => {}
        // A TLS peer that closes without close_notify after a whole answer.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => {}
        Err(e) => return Err(e).context("reading the admin API's answer"),
    }
    Ok(raw)
}

fn parse_answer(raw: &[u8]) -> anyhow::Result<(u16, Vec<u8>)> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("malformed HTTP answer")?;
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .context("malformed HTTP status line")?;
    let body = raw[end + 4..].to_vec();
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase().starts_with("transfer-encoding:")
            && l.to_ascii_lowercase().contains("chunked")
    });
    Ok((status, if chunked { dechunk(&body)? } else { body }))
}

fn dechunk(mut data: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            bail!("malformed chunked body");
        };
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .context("malformed chunk size")?;
        data = &data[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size + 2 {
            bail!("truncated chunked body");
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dechunks() {
        assert_eq!(
            super::dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap(),
            b"abcde"
        );
        assert!(super::dechunk(b"5\r\nab").is_err());
    }
}
