//! A minimal HTTP/1.1 client for the gateway's own admin API on loopback: one GET per
//! connection, `Connection: close`, bearer token.

use anyhow::{Context, bail};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

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
    let mut s =
        TcpStream::connect_timeout(&addr, Duration::from_secs(3)).map_err(|_| NotRunning(addr))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    )?;
    s.write_all(payload)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)
        .context("reading the admin API's answer")?;
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
