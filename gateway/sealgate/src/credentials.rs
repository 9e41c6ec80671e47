//! The master key as a systemd credential.
//!
//! With `LoadCredential=master.key:/etc/sealgate/master.key` systemd places a copy, readable
//! only by the service, in `$CREDENTIALS_DIRECTORY`; the gateway then reads that copy instead
//! of `storage.master_key_file` (which it could not read or create under
//! `ProtectSystem=strict` and an unprivileged user). A credential is never generated: it must
//! exist (`sealgate master-key init` makes the file it is loaded from).

use anyhow::Context;
use sealgate_commit::MasterKeys;
use std::path::{Path, PathBuf};

/// The credential name the unit loads the master key under.
pub const MASTER_KEY: &str = "master.key";

/// `$CREDENTIALS_DIRECTORY/master.key` when systemd passed such a credential.
pub fn master_key_credential() -> Option<PathBuf> {
    let dir = std::env::var_os("CREDENTIALS_DIRECTORY").filter(|d| !d.is_empty())?;
    let path = Path::new(&dir).join(MASTER_KEY);
    path.exists().then_some(path)
}

/// The master keys: from the credential when there is one, otherwise from `configured`
/// (created on first start).
pub fn load_master_keys(configured: &Path) -> anyhow::Result<MasterKeys> {
    match master_key_credential() {
        Some(path) => {
            tracing::info!("master key from the service credential `{MASTER_KEY}`");
            MasterKeys::load(&path).context("credential master.key")
        }
        None => MasterKeys::load_or_generate(configured).context("storage.master_key_file"),
    }
}

/// `sealgate master-key init`: creates the configured key file (0600, in a 0700 directory)
/// unless it exists; prints its path and key ids.
pub fn init(configured: &Path) -> anyhow::Result<u8> {
    let existed = configured.exists();
    let keys = MasterKeys::load_or_generate(configured).context("storage.master_key_file")?;
    let ids: Vec<&str> = keys.ids().collect();
    let what = if existed { "exists" } else { "created" };
    outln!("{} {what} (keys: {})", configured.display(), ids.join(", "));
    Ok(0)
}
