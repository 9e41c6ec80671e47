//! `sealgate dkim keygen DOMAIN SELECTOR [--algorithm rsa|ed25519] [--out FILE]`: writes a new
//! DKIM private key (mode 0600, never over an existing file) and prints the DNS TXT record to
//! publish and the `[[tenants.NAME.dkim]]` entry that uses it. Also the DKIM part of `sealgate
//! config check`: every configured key file must load.

use anyhow::{Context, Result, bail};
use sealgate_core::Domain;
use sealgate_sign::KeyType;
use sealgate_sign::keygen;
use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// `--algorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Algorithm {
    /// RSA-2048 (`k=rsa`): verified everywhere.
    Rsa,
    /// Ed25519 (`k=ed25519`, RFC 8463): small and fast; not every receiver verifies it yet, so
    /// pair it with an RSA key for the same domain.
    Ed25519,
}

/// Generates the key, writes it to `out` (default `DOMAIN.SELECTOR.pem` in the current folder)
/// and prints the record. Returns the exit code.
pub fn keygen(
    domain: &str,
    selector: &str,
    algorithm: Algorithm,
    out: Option<&Path>,
) -> Result<u8> {
    let key_type = match algorithm {
        Algorithm::Rsa => KeyType::Rsa,
        Algorithm::Ed25519 => KeyType::Ed25519,
    };
    let domain =
        Domain::parse(domain).map_err(|_| anyhow::anyhow!("`{domain}` is not a domain name"))?;
    if !domain.as_str().contains('.') {
        bail!("`{domain}` needs at least two labels to carry DKIM keys");
    }
    if !sealgate_sign::is_valid_selector(selector) {
        bail!("`{selector}` is not a selector (DNS labels: letters, digits, hyphens)");
    }
    let path: PathBuf = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("{domain}.{selector}.pem")));
    let generated = keygen::generate(key_type)?;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| {
            format!(
                "cannot create {} (an existing key is never overwritten)",
                path.display()
            )
        })?;
    file.write_all(generated.private_pem.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "wrote the {key_type} private key to {} (mode 0600)",
        path.display()
    );
    eprintln!("publish this TXT record, then add the key to the tenant:");
    outln!(
        "{}",
        keygen::zone_line(domain.as_str(), selector, &generated.txt)
    );
    eprintln!();
    eprintln!("[[tenants.NAME.dkim]]");
    eprintln!("domain = \"{domain}\"");
    eprintln!("selector = \"{selector}\"");
    eprintln!("key = \"{}\"", path.display());
    Ok(0)
}

/// Loads every DKIM key of `config` (for `config check`): each problem as a line naming the key.
pub fn check_keys(config: &sealgate_config::Config) -> std::result::Result<(), Vec<String>> {
    match sealgate_sign::Signer::from_config(config) {
        Ok(_) => Ok(()),
        Err(sealgate_sign::SignError::Config(problems)) => {
            Err(problems.iter().map(ToString::to_string).collect())
        }
        Err(e) => Err(vec![e.to_string()]),
    }
}
