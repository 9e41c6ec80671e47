//! Secrets the gateway creates on first start: the admin token, the log-pseudonym key and a
//! self-signed certificate. Each is written once with mode 0600 inside a 0700 directory and
//! read back on later starts; a secret readable by group or others is refused.

use anyhow::{Context, bail};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Creates `dir` (and parents) with mode 0700 if missing.
pub fn private_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Reads a secret file, refusing one that group or others can read.
pub fn read_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    let meta = fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.permissions().mode() & 0o077 != 0 {
        bail!(
            "{} is readable by group or others; chmod 600 it",
            path.display()
        );
    }
    fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Reads the secret at `path`, or creates it with `make()` (mode 0600) when it does not exist.
pub fn load_or_create(
    path: &Path,
    make: impl FnOnce() -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<Vec<u8>> {
    if path.exists() {
        return read_secret(path);
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        private_dir(parent)?;
    }
    let data = make()?;
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(&data)?;
    f.sync_all()?;
    Ok(data)
}

/// Random bytes as lowercase hex.
pub fn random_hex(n: usize) -> anyhow::Result<String> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(hex::encode(b))
}

/// The admin bearer token (32 random bytes, hex), created on first use.
pub fn admin_token(path: &Path) -> anyhow::Result<String> {
    let bytes = load_or_create(path, || Ok(format!("{}\n", random_hex(32)?).into_bytes()))?;
    let token = String::from_utf8(bytes)
        .with_context(|| format!("{} is not text", path.display()))?
        .trim()
        .to_string();
    if token.len() < 16 {
        bail!(
            "{}: admin token is shorter than 16 characters",
            path.display()
        );
    }
    Ok(token)
}

/// The key for log pseudonyms, created on first use.
pub fn pseudonym_key(data_dir: &Path) -> anyhow::Result<[u8; 32]> {
    let path = data_dir.join("log-pseudonym.key");
    let text = load_or_create(&path, || Ok(random_hex(32)?.into_bytes()))?;
    let raw = hex::decode(String::from_utf8_lossy(&text).trim())
        .with_context(|| format!("{} is not hex", path.display()))?;
    raw.try_into()
        .map_err(|_| anyhow::anyhow!("{} must hold 32 bytes of hex", path.display()))
}

/// The loop-stamp key (`<data>/loop-stamp.key`, 32 bytes hex), created on first use.
pub fn loop_stamp_key(data_dir: &Path) -> anyhow::Result<[u8; 32]> {
    let path = data_dir.join("loop-stamp.key");
    let text = load_or_create(&path, || Ok(random_hex(32)?.into_bytes()))?;
    let raw = hex::decode(String::from_utf8_lossy(&text).trim())
        .with_context(|| format!("{} is not hex", path.display()))?;
    raw.try_into()
        .map_err(|_| anyhow::anyhow!("{} must hold 32 bytes of hex", path.display()))
}

/// A tenant's token (32 random bytes, hex) written to `path` (0600) unless it exists;
/// returns the token.
pub fn tenant_token(path: &Path) -> anyhow::Result<String> {
    let bytes = load_or_create(path, || Ok(format!("{}\n", random_hex(32)?).into_bytes()))?;
    Ok(String::from_utf8_lossy(&bytes).trim().to_string())
}

/// A self-signed certificate for `hostname` under `<data>/tls/`, generated on first use.
/// Returns the (certificate, key) paths.
pub fn self_signed(data_dir: &Path, hostname: &str) -> anyhow::Result<(PathBuf, PathBuf)> {
    let dir = data_dir.join("tls");
    private_dir(&dir)?;
    let (cert, key) = (dir.join("self-signed.crt"), dir.join("self-signed.key"));
    if !cert.exists() || !key.exists() {
        let _ = fs::remove_file(&cert);
        let _ = fs::remove_file(&key);
        let generated = rcgen::generate_simple_self_signed(vec![hostname.to_string()])
            .context("cannot generate a self-signed certificate")?;
        load_or_create(&key, || {
            Ok(generated.signing_key.serialize_pem().into_bytes())
        })?;
        fs::write(&cert, generated.cert.pem())?;
        tracing::warn!(
            cert = %cert.display(),
            "no [smtp.tls] cert/key configured: generated a self-signed certificate (fine for trying Sealgate, not for production)"
        );
    }
    Ok((cert, key))
}
