//! Registered passkeys, durable in the escrow store's database (`portal/escrow.redb`).
//!
//! Guarantees: a recipient's passkeys are keyed by tenant and the recipient's *passkey owner*
//! pseudonym — HMAC-SHA256 over the lower-cased address under a 32-byte secret made at first
//! use and kept wrapped under the master key in the same database — so the passkey rows hold
//! no address, and the pseudonym is the same after a restart. A passkey registered for one
//! tenant is never found for another. Registering or using one commits the passkey row and the
//! escrowed copy's event (`passkey-registered` / `passkey-used`) in one transaction; removal by
//! the recipient does the same (`passkey-removed`), removal by an administrator commits the row
//! alone and tells the observer (metrics). All calls block: async callers use a blocking pool.

use crate::error::PortalError;
use crate::id::EscrowId;
use crate::passkey::{PublicKey, b64};
use crate::record::{Actor, PortalEventKind, StoredKey};
use crate::store::EscrowStore;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use sealgate_commit::DataKey;
use sealgate_core::address::Address;
use sealgate_core::time::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::HashSet;

/// `tenant \0 owner` → JSON list of [`StoredPasskey`].
const PASSKEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("passkeys");
/// `"owner-secret"` → the wrapped pseudonym secret ([`StoredKey`] as JSON).
const PASSKEY_META: TableDefinition<&str, &[u8]> = TableDefinition::new("passkey_meta");
const OWNER_SECRET: &str = "owner-secret";
const OWNER_CONTEXT: &[u8] = b"portal-passkey-owner";

/// Copies this module's tables from `view` into `txn` (a snapshot, `snapshot.rs`).
pub(crate) fn copy_tables(
    view: &redb::ReadTransaction,
    txn: &redb::WriteTransaction,
) -> Result<u64, PortalError> {
    use crate::snapshot::copy;
    Ok(copy(view, txn, PASSKEYS)? + copy(view, txn, PASSKEY_META)?)
}

/// One registered passkey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPasskey {
    /// The credential id.
    #[serde(with = "b64")]
    pub id: Vec<u8>,
    /// Its public key.
    pub key: PublicKey,
    /// The last signature counter seen.
    pub count: u32,
    /// The relying party (the tenant's portal host) it belongs to.
    pub rp_id: String,
    /// When it was registered.
    pub created: Timestamp,
    /// When it last opened a copy.
    #[serde(default)]
    pub last_used: Option<Timestamp>,
}

impl StoredPasskey {
    /// The credential id as base64url, as listed and as removed.
    pub fn id_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.id)
    }
}

/// A passkey as an administrator sees it: no key, no address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyListing {
    /// The tenant.
    pub tenant: String,
    /// The recipient's passkey owner pseudonym (`pk:…`).
    pub owner: String,
    /// The credential id (base64url).
    pub id: String,
    /// The relying party.
    pub rp_id: String,
    /// When it was registered.
    pub created: Timestamp,
    /// When it last opened a copy.
    pub last_used: Option<Timestamp>,
}

/// `pk:` and the first 8 bytes of HMAC-SHA256(secret, lower-cased address), in hex.
pub(crate) fn owner_of(secret: &DataKey, recipient: &Address) -> Result<String, PortalError> {
    // HMAC takes keys of any length: `new_from_slice` cannot fail for 32 bytes.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .map_err(|_| PortalError::Crypto("passkey owner key".into()))?;
    mac.update(recipient.to_string().to_lowercase().as_bytes());
    Ok(format!(
        "pk:{}",
        hex::encode(&mac.finalize().into_bytes()[..8])
    ))
}

pub(crate) fn row_key(tenant: &str, owner: &str) -> String {
    format!("{tenant}\0{owner}")
}

fn listing(row: &str, p: &StoredPasskey) -> PasskeyListing {
    let (tenant, owner) = row.split_once('\0').unwrap_or((row, ""));
    PasskeyListing {
        tenant: tenant.to_string(),
        owner: owner.to_string(),
        id: p.id_text(),
        rp_id: p.rp_id.clone(),
        created: p.created,
        last_used: p.last_used,
    }
}

fn read_row(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<Vec<StoredPasskey>, PortalError> {
    match table.get(key)? {
        Some(v) => Ok(serde_json::from_slice(v.value())?),
        None => Ok(Vec::new()),
    }
}

fn write_row(
    txn: &redb::WriteTransaction,
    key: &str,
    rows: &[StoredPasskey],
) -> Result<(), PortalError> {
    let mut table = txn.open_table(PASSKEYS)?;
    if rows.is_empty() {
        table.remove(key)?;
    } else {
        table.insert(key, serde_json::to_vec(rows)?.as_slice())?;
    }
    Ok(())
}

impl EscrowStore {
    /// The passkey owner pseudonym of `recipient` (`pk:` and 16 hex digits), stable across
    /// restarts; the secret behind it is made on first use.
    pub fn passkey_owner(&self, recipient: &Address) -> Result<String, PortalError> {
        if let Some(secret) = self.cached_owner_secret() {
            return owner_of(secret, recipient);
        }
        let secret = self.make_owner_secret()?;
        owner_of(self.passkeys.set_secret(secret), recipient)
    }

    /// The passkeys of `recipient` on `tenant`, reading only (no secret yet: none).
    pub fn passkeys_of(
        &self,
        tenant: &str,
        recipient: &Address,
    ) -> Result<Vec<StoredPasskey>, PortalError> {
        match self.cached_owner_secret() {
            Some(secret) => self.passkeys(tenant, &owner_of(secret, recipient)?),
            None => Ok(Vec::new()),
        }
    }

    fn unwrap_owner_secret(&self, bytes: &[u8]) -> Result<DataKey, PortalError> {
        let (wrapper, _, _) = self.keys();
        let k: StoredKey = serde_json::from_slice(bytes)?;
        let wrapped =
            hex::decode(&k.wrapped).map_err(|_| PortalError::Corrupt("owner secret".into()))?;
        Ok(wrapper.unwrap(&k.key_id, &wrapped, OWNER_CONTEXT)?)
    }

    pub(crate) fn read_owner_secret(&self) -> Result<Option<DataKey>, PortalError> {
        let read = self.database().begin_read()?;
        let existing = match read.open_table(PASSKEY_META) {
            Ok(t) => t.get(OWNER_SECRET)?.map(|v| v.value().to_vec()),
            Err(redb::TableError::TableDoesNotExist(_)) => None,
            Err(e) => return Err(e.into()),
        };
        existing
            .map(|bytes| self.unwrap_owner_secret(&bytes))
            .transpose()
    }

    /// First use: makes the secret, unless another request did meanwhile (writes are
    /// serialised).
    fn make_owner_secret(&self) -> Result<DataKey, PortalError> {
        let (wrapper, rng, _) = self.keys();
        let txn = self.database().begin_write()?;
        let secret = {
            let mut table = txn.open_table(PASSKEY_META)?;
            let existing = table.get(OWNER_SECRET)?.map(|v| v.value().to_vec());
            match existing {
                Some(bytes) => self.unwrap_owner_secret(&bytes)?,
                None => {
                    let key = DataKey::generate(rng);
                    let stored = StoredKey::new(wrapper.wrap(&key, OWNER_CONTEXT, rng)?);
                    table.insert(OWNER_SECRET, serde_json::to_vec(&stored)?.as_slice())?;
                    key
                }
            }
        };
        txn.commit()?;
        Ok(secret)
    }

    /// The passkeys of `owner` on `tenant`.
    pub fn passkeys(&self, tenant: &str, owner: &str) -> Result<Vec<StoredPasskey>, PortalError> {
        let txn = self.database().begin_read()?;
        match txn.open_table(PASSKEYS) {
            Ok(table) => read_row(&table, &row_key(tenant, owner)),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }

    /// Changes the passkeys of `owner` on `tenant` and records `kind` on escrowed copy `id`,
    /// in one transaction. `change` refuses with an error to leave everything as it was.
    pub(crate) fn change_passkeys(
        &self,
        (tenant, owner): (&str, &str),
        id: EscrowId,
        kind: PortalEventKind,
        actor: Actor,
        change: impl FnOnce(&mut Vec<StoredPasskey>) -> Result<(), PortalError>,
    ) -> Result<(), PortalError> {
        let record = self.record(id)?;
        if record.tenant != tenant {
            return Err(PortalError::Conflict("another tenant's copy".into()));
        }
        let key = row_key(tenant, owner);
        let mut left = false;
        self.write_with(id.key(), kind, actor, |txn| {
            let mut rows = read_row(&txn.open_table(PASSKEYS)?, &key)?;
            change(&mut rows)?;
            left = !rows.is_empty();
            write_row(txn, &key, &rows)
        })?;
        self.passkeys.set(&key, left);
        Ok(())
    }

    /// The `tenant \0 owner` keys of every row holding passkeys (for the in-memory index).
    pub(crate) fn passkey_rows(&self) -> Result<HashSet<String>, PortalError> {
        let txn = self.database().begin_read()?;
        let table = match txn.open_table(PASSKEYS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(HashSet::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = HashSet::new();
        for row in table.iter()? {
            let (k, v) = row?;
            let rows: Vec<StoredPasskey> = serde_json::from_slice(v.value())?;
            if !rows.is_empty() {
                out.insert(k.value().to_string());
            }
        }
        Ok(out)
    }

    /// Every passkey, optionally of one tenant and/or one owner.
    pub fn list_passkeys(
        &self,
        tenant: Option<&str>,
        owner: Option<&str>,
    ) -> Result<Vec<PasskeyListing>, PortalError> {
        let txn = self.database().begin_read()?;
        let table = match txn.open_table(PASSKEYS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for row in table.iter()? {
            let (k, v) = row?;
            let rows: Vec<StoredPasskey> = serde_json::from_slice(v.value())?;
            out.extend(rows.iter().map(|p| listing(k.value(), p)));
        }
        out.retain(|l| tenant.is_none_or(|t| l.tenant == t) && owner.is_none_or(|o| l.owner == o));
        Ok(out)
    }

    /// An administrator removes passkey `id` (base64url); the observer counts
    /// `passkey-removed` for its tenant. `NotFound` when no passkey has that id.
    pub fn remove_passkey_admin(&self, id: &str) -> Result<PasskeyListing, PortalError> {
        let txn = self.database().begin_write()?;
        let removed = {
            let mut found = None;
            let table = txn.open_table(PASSKEYS)?;
            for row in table.iter()? {
                let (k, v) = row?;
                let rows: Vec<StoredPasskey> = serde_json::from_slice(v.value())?;
                if let Some(p) = rows.iter().find(|p| p.id_text() == id) {
                    found = Some((k.value().to_string(), rows.clone(), listing(k.value(), p)));
                    break;
                }
            }
            drop(table);
            let (key, mut rows, shown) = found.ok_or(PortalError::NotFound)?;
            rows.retain(|p| p.id_text() != id);
            write_row(&txn, &key, &rows)?;
            (key, !rows.is_empty(), shown)
        };
        txn.commit()?;
        let (key, left, removed) = removed;
        self.passkeys.set(&key, left);
        self.observe(&removed.tenant, &PortalEventKind::PasskeyRemoved);
        Ok(removed)
    }
}
