//! The attribution facts of a running gateway, written to `connect-facts.json` in the data
//! directory (0600, replaced atomically) whenever they change — checked every two seconds —
//! and at shutdown, so `sealgate connect check` works on a stopped gateway too. The facts
//! hold no addresses and no content: times, client IPs, certificate names, refusal codes.

use sealgate_connectors::Tenants;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file's name in the data directory.
pub const FILE: &str = "connect-facts.json";

/// The facts file of data directory `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// Writes the facts now (blocking; call from a blocking context). Returns the text written.
pub fn write(tenants: &Tenants, dir: &Path) -> std::io::Result<String> {
    let text = serde_json::to_string(&tenants.all_fact_records())?;
    let tmp = dir.join(format!("{FILE}.tmp"));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path(dir))?;
    Ok(text)
}

/// Starts the writer: every two seconds, the facts are written when they changed.
pub fn spawn(tenants: Tenants, dir: PathBuf) {
    tokio::spawn(async move {
        let mut last = String::new();
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            let now = serde_json::to_string(&tenants.all_fact_records()).unwrap_or_default();
            if now == last {
                continue;
            }
            let (t, d) = (tenants.clone(), dir.clone());
            match tokio::task::spawn_blocking(move || write(&t, &d)).await {
                Ok(Ok(written)) => last = written,
                Ok(Err(e)) => tracing::warn!(error = %e, "cannot write {FILE}"),
                Err(_) => {}
            }
        }
    });
}
