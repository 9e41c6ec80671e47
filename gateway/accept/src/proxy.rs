//! PROXY protocol version 2 (binary header), accepted only from configured load balancers.
//!
//! From a trusted balancer the header is required: the session then sees the original client's
//! address, which is what tenant networks are matched against. `LOCAL` (health checks) keeps
//! the balancer's own address. From anyone else no header is read, so a forged one is just
//! garbage in the command stream.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

const SIGNATURE: &[u8; 12] = b"\r\n\r\n\0\r\nQUIT\n";

/// Why a PROXY header was refused.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// Not a version-2 header.
    #[error("missing or invalid PROXY v2 header")]
    Invalid,
    /// The header did not arrive in time or the connection failed.
    #[error("PROXY header not received")]
    Io,
}

/// Reads the header; returns the original client address (or `peer` for `LOCAL`) and any
/// bytes read past the header.
pub async fn read_v2(
    stream: &mut TcpStream,
    peer: SocketAddr,
    deadline: Instant,
) -> Result<(SocketAddr, Vec<u8>), ProxyError> {
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 512];
    while buf.len() < 16 || buf.len() < 16 + header_len(&buf) {
        let n = timeout_at(deadline, stream.read(&mut chunk))
            .await
            .map_err(|_| ProxyError::Io)?
            .map_err(|_| ProxyError::Io)?;
        if n == 0 {
            return Err(ProxyError::Io);
        }
        buf.extend_from_slice(&chunk[..n]);
        let seen = buf.len().min(SIGNATURE.len());
        if buf[..seen] != SIGNATURE[..seen] {
            return Err(ProxyError::Invalid);
        }
    }
    let total = 16 + header_len(&buf);
    let addr = parse(&buf[..total], peer)?;
    Ok((addr, buf[total..].to_vec()))
}

fn header_len(buf: &[u8]) -> usize {
    if buf.len() < 16 {
        return 0;
    }
    usize::from(u16::from_be_bytes([buf[14], buf[15]]))
}

/// Parses a complete header.
pub fn parse(h: &[u8], peer: SocketAddr) -> Result<SocketAddr, ProxyError> {
    if h.len() < 16 || &h[..12] != SIGNATURE || h[12] >> 4 != 2 {
        return Err(ProxyError::Invalid);
    }
    let body = &h[16..];
    match (h[12] & 0x0F, h[13]) {
        (0x0, _) => Ok(peer),
        (0x1, 0x11) if body.len() >= 12 => {
            let ip = Ipv4Addr::new(body[0], body[1], body[2], body[3]);
            Ok(SocketAddr::new(
                IpAddr::V4(ip),
                u16::from_be_bytes([body[8], body[9]]),
            ))
        }
        (0x1, 0x21) if body.len() >= 36 => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&body[..16]);
            let port = u16::from_be_bytes([body[32], body[33]]);
            Ok(SocketAddr::new(IpAddr::V6(Ipv6Addr::from(octets)), port))
        }
        _ => Err(ProxyError::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4_header() -> Vec<u8> {
        let mut h = SIGNATURE.to_vec();
        h.extend_from_slice(&[
            0x21, 0x11, 0, 12, 40, 92, 1, 2, 10, 0, 0, 1, 0x30, 0x39, 0, 25,
        ]);
        h
    }

    #[test]
    fn parses_ipv4_proxy_and_local() {
        let peer: SocketAddr = "10.0.0.9:1000".parse().unwrap();
        let a = parse(&v4_header(), peer).unwrap();
        assert_eq!(a, "40.92.1.2:12345".parse().unwrap());
        let mut local = SIGNATURE.to_vec();
        local.extend_from_slice(&[0x20, 0x00, 0, 0]);
        assert_eq!(parse(&local, peer).unwrap(), peer);
    }

    #[test]
    fn refuses_garbage_and_v1() {
        let peer: SocketAddr = "10.0.0.9:1000".parse().unwrap();
        assert!(parse(b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n", peer).is_err());
        let mut h = v4_header();
        h[12] = 0x11;
        assert!(parse(&h, peer).is_err());
        h = v4_header();
        h[15] = 4;
        assert!(parse(&h[..20], peer).is_err());
    }
}
