//! Helpers for the connector scenarios (`scenarios/connectors*.rs`, `return_route.rs`):
//! tenant tokens made by `sealgate tenant token`, messages sent by swaks over STARTTLS with
//! or without a client certificate, the reply read back from swaks' transcript, and DKIM
//! signatures made by dkimpy (an Exchange-style signature over `X-MS-Exchange-*` headers, or a
//! Google-style one by a tenant's domain).

use crate::OrDie;
use crate::certs::CertFiles;
use crate::crypto::with_stdin;
use crate::tools::{describe, require_tool, sealgate, swaks};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

/// The token of `tenant`, created by `sealgate tenant token` in the tenant's token file.
pub fn make_token(config: &Path, tenant: &str) -> String {
    let out = sealgate(&[
        "tenant",
        "token",
        tenant,
        "--config",
        &config.to_string_lossy(),
    ]);
    assert!(out.status.success(), "tenant token: {}", describe(&out));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.len() >= 32, "short token {token:?}");
    token
}

/// How swaks connects.
pub struct Client<'a> {
    /// STARTTLS.
    pub tls: bool,
    /// Client certificate presented in the handshake.
    pub cert: Option<&'a CertFiles>,
}

/// What swaks saw.
pub struct Sent {
    /// The whole transcript.
    pub transcript: String,
}

impl Sent {
    /// The last reply line from the server (`550 5.7.1 …`), markers stripped.
    pub fn last_reply(&self) -> String {
        self.transcript
            .lines()
            .filter(|l| l.starts_with('<'))
            .map(|l| l.trim_start_matches(['<', '*', '~', '-', ' ']).to_string())
            .rfind(|l| !l.starts_with("221"))
            .unwrap_or_default()
    }

    /// The queue id of a `250 … queued as ID`.
    pub fn queued(&self) -> Option<String> {
        self.transcript
            .lines()
            .find_map(|l| l.split("queued as ").nth(1))
            .map(|id| id.trim().to_string())
    }

    /// Asserts the message was refused with `code` carrying `[short]`.
    pub fn assert_refused(&self, case: &str, code: &str, short: &str) {
        let last = self.last_reply();
        assert!(
            last.starts_with(code) && last.contains(&format!("[{short}]")),
            "{case}: expected `{code} … [{short}]`, got `{last}`:\n{}",
            self.transcript
        );
        assert!(
            self.queued().is_none(),
            "{case}: queued:\n{}",
            self.transcript
        );
    }
}

/// Sends `message` (headers and body, CRLF) from `from` to `to` through `server` with swaks.
pub fn send(server: SocketAddr, client: &Client<'_>, from: &str, to: &str, message: &[u8]) -> Sent {
    let dir = tempfile::tempdir().or_die("tempdir");
    let file = dir.path().join("message.eml");
    std::fs::write(&file, message).or_die("write message");
    let server = server.to_string();
    let data = format!("@{}", file.display());
    let mut args = vec![
        "--server",
        &server,
        "--helo",
        "client.test",
        "--from",
        from,
        "--to",
        to,
        "--data",
        &data,
    ];
    if client.tls {
        args.push("--tls");
    }
    let (cert, key);
    if let Some(c) = client.cert {
        cert = c.cert.to_string_lossy().to_string();
        key = c.key.to_string_lossy().to_string();
        args.extend(["--tls-cert", &cert, "--tls-key", &key]);
    }
    let out = swaks(&args);
    Sent {
        transcript: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// `message` with a DKIM signature by dkimpy (`d=domain`, `s=selector`, relaxed/relaxed)
/// over `headers` on top.
pub fn dkim_sign(
    message: &[u8],
    key: &Path,
    domain: &str,
    selector: &str,
    headers: &[&str],
) -> Vec<u8> {
    require_tool("python3");
    let list = headers
        .iter()
        .map(|h| format!("b'{}'", h.to_ascii_lowercase()))
        .collect::<Vec<_>>()
        .join(",");
    let script = format!(
        "import sys, dkim\nm = sys.stdin.buffer.read()\nk = open(sys.argv[1], 'rb').read()\n\
         s = dkim.sign(m, b'{selector}', b'{domain}', k, canonicalize=(b'relaxed', b'relaxed'), include_headers=[{list}])\n\
         sys.stdout.buffer.write(s + m)\n"
    );
    let out = with_stdin(
        Command::new("python3").arg("-c").arg(&script).arg(key),
        message,
    );
    assert!(out.status.success(), "dkimpy sign: {}", describe(&out));
    out.stdout
}
