//! `[admin]`: the admin API's address, bearer token file, header timeout and optional TLS (and
//! what the CLI trusts when it calls the API).

use crate::defaults;
use crate::reader::{Section, parse_socket};
use std::net::SocketAddr;
use std::path::PathBuf;

/// `[admin]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminConfig {
    /// `listen`: admin HTTP address.
    pub listen: SocketAddr,
    /// `token_file`: bearer token file (created 0600 if missing).
    pub token_file: PathBuf,
    /// `header_read_timeout`: a connection that has not sent a whole request head within this
    /// long is closed (default 10 s).
    pub header_read_timeout: std::time::Duration,
    /// `tls_cert` + `tls_key`: serve the admin API over TLS (PEM files); plain HTTP without.
    pub tls: Option<AdminTls>,
    /// `tls_ca`: the CA (PEM) the CLI trusts for the admin API's certificate (default: the
    /// `tls_cert` file itself, for a self-signed certificate).
    pub tls_ca: Option<PathBuf>,
    /// `tls_server_name`: the name the CLI checks in that certificate (default: the IP
    /// address it connects to).
    pub tls_server_name: Option<String>,
}

/// `[admin] tls_cert` and `tls_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminTls {
    /// Certificate chain (PEM).
    pub cert: PathBuf,
    /// Private key (PEM).
    pub key: PathBuf,
}

pub(crate) fn read_admin(mut s: Section<'_>) -> AdminConfig {
    let listen = s.socket("listen").unwrap_or_else(|| {
        parse_socket(defaults::ADMIN_LISTEN).unwrap_or(SocketAddr::from(([127, 0, 0, 1], 9925)))
    });
    let token_file = s
        .path("token_file")
        .unwrap_or_else(|| PathBuf::from("/etc/sealgate/admin.token"));
    let header_read_timeout = s
        .duration("header_read_timeout")
        .unwrap_or(std::time::Duration::from_secs(10));
    if header_read_timeout.is_zero() {
        s.issue("header_read_timeout", "must be above 0s (e.g. \"10s\")");
    }
    let tls = match (s.path("tls_cert"), s.path("tls_key")) {
        (Some(cert), Some(key)) => Some(AdminTls { cert, key }),
        (None, None) => None,
        (Some(_), None) => {
            s.issue(
                "tls_key",
                "tls_cert is set: add tls_key (the certificate's private key, PEM)",
            );
            None
        }
        (None, Some(_)) => {
            s.issue(
                "tls_cert",
                "tls_key is set: add tls_cert (the certificate chain, PEM)",
            );
            None
        }
    };
    let tls_ca = s.path("tls_ca");
    let tls_server_name = s.string("tls_server_name");
    s.finish();
    AdminConfig {
        listen,
        token_file,
        header_read_timeout,
        tls,
        tls_ca,
        tls_server_name,
    }
}
