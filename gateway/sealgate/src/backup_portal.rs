//! The secure portal's part of `sealgate backup` / `sealgate restore`: its escrow store
//! (`<storage.dir>/portal/`: escrowed copies, passkeys, status tokens) is accepted mail and goes
//! into every backup as `spool/portal/`, in the live layout.
//!
//! While a gateway with a portal runs, the admin API's backup route snapshots the store it has
//! open ([`EscrowStore::snapshot`]) into the same directory as the spool's snapshot. When no
//! gateway runs — or one runs without `[portal]`, so nobody has the store open — it is opened
//! here and snapshotted the same way. Either way after the spool's snapshot, never before (see
//! the admin route: so no escrowed copy falls between the two). Restore opens the restored store with the master key and
//! checks every active copy has its sealed file and a stored half that unwraps.

use anyhow::Context;
use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::SystemClock;
use sealgate_portal::{CopiesCheck, EscrowSnapshot, EscrowStore};
use std::path::Path;
use std::sync::Arc;

/// Whether `data_dir` holds an escrow store.
pub fn present(data_dir: &Path) -> bool {
    data_dir.join("portal").join("escrow.redb").is_file()
}

fn open(data_dir: &Path, master_key_file: &Path) -> anyhow::Result<EscrowStore> {
    let keys = MasterKeys::load(master_key_file).context("storage.master_key_file")?;
    EscrowStore::open(
        data_dir,
        Arc::new(keys),
        Arc::new(SystemClock),
        Arc::new(OsRandom::checked()?),
    )
    .with_context(|| {
        format!(
            "cannot open the portal's escrow store in {}",
            data_dir.display()
        )
    })
}

/// Snapshots the escrow store of `data_dir` (not open in any running gateway) into
/// `dest/portal/`; `None` when there is none.
pub fn snapshot_offline(
    data_dir: &Path,
    master_key_file: &Path,
    dest: &Path,
) -> anyhow::Result<Option<EscrowSnapshot>> {
    if !present(data_dir) {
        return Ok(None);
    }
    let store = open(data_dir, master_key_file)?;
    Ok(Some(store.snapshot(dest).context("escrow store snapshot")?))
}

/// Checks the restored escrow store of `data_dir`; `None` when the backup had none.
pub fn check_restored(
    data_dir: &Path,
    master_key_file: &Path,
) -> anyhow::Result<Option<CopiesCheck>> {
    if !present(data_dir) {
        return Ok(None);
    }
    let store = open(data_dir, master_key_file)?;
    Ok(Some(store.check_copies().context("restored escrow store")?))
}
