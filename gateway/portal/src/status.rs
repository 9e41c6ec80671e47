//! The sender's side of an escrowed message (issue 13 item 3): who sent it, and the token of
//! its status page.
//!
//! One [`SenderStatus`] row per spool message that has at least one escrowed copy, registered
//! by the escrow step (`register_sender`). The status page's token is 256 random bits
//! (unpadded base64url) handed out once, for the receipt mail; the store keeps only its keyed
//! hash (HMAC-SHA256 under a random key that is itself wrapped under the master key), so the
//! database (or a backup of it) does not open any status page. A token names one message:
//! the page lists that message's copies and nothing else.
//!
//! Guarantees: rows hold the sender's address, the tenant and times — never a subject, body
//! or recipient value beyond what the escrow records already keep; tables live in
//! `portal/escrow.redb` beside the escrow records (one backup covers both). All calls block.

use crate::error::PortalError;
use crate::record::EscrowRecord;
use crate::store::{BY_MESSAGE, EscrowStore, decode, encode, message_key};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use sealgate_commit::DataKey;
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Message key → [`SenderStatus`].
const SENDERS: TableDefinition<u128, &[u8]> = TableDefinition::new("status_senders");
/// Keyed hash of a status token → message key.
const TOKENS: TableDefinition<&[u8], u128> = TableDefinition::new("status_tokens");
/// Settings of the status side (the wrapped token-hash key).
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("status_meta");
const TOKEN_KEY: &str = "token-key";
/// The AEAD context of the wrapped token-hash key.
const TOKEN_KEY_CONTEXT: &[u8] = b"portal-status-token-key";

/// The sender of one message with escrowed copies, and the state of its receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderStatus {
    /// The spool message.
    pub message_id: MessageId,
    /// The sending tenant.
    pub tenant: String,
    /// The envelope sender (receipts, reminders and read receipts go here).
    pub sender: Address,
    /// When the first copy was escrowed.
    pub created: Timestamp,
    /// The keyed hash of the current status token (hex), once a receipt was prepared.
    #[serde(default)]
    pub token_hash: Option<String>,
    /// The receipt mail was committed to the spool.
    #[serde(default)]
    pub receipt_sent: bool,
}

/// Creates the status tables (called by [`EscrowStore::open`]).
pub(crate) fn create_tables(txn: &redb::WriteTransaction) -> Result<(), PortalError> {
    txn.open_table(SENDERS)?;
    txn.open_table(TOKENS)?;
    txn.open_table(META)?;
    Ok(())
}

/// Copies this module's tables from `view` into `txn` (a snapshot, `snapshot.rs`).
pub(crate) fn copy_tables(
    view: &redb::ReadTransaction,
    txn: &redb::WriteTransaction,
) -> Result<u64, PortalError> {
    use crate::snapshot::copy;
    Ok(copy(view, txn, SENDERS)? + copy(view, txn, TOKENS)? + copy(view, txn, META)?)
}

#[derive(Serialize, Deserialize)]
struct WrappedTokenKey {
    key_id: String,
    wrapped: String,
}

impl EscrowStore {
    /// Records the sender of `message` (first call wins; later copies of the same message
    /// find the row).
    pub fn register_sender(
        &self,
        message: MessageId,
        tenant: &str,
        sender: &Address,
    ) -> Result<(), PortalError> {
        let key = message_key(message);
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(SENDERS)?;
            if table.get(key)?.is_none() {
                let row = SenderStatus {
                    message_id: message,
                    tenant: tenant.to_string(),
                    sender: sender.clone(),
                    created: self.clock.now(),
                    token_hash: None,
                    receipt_sent: false,
                };
                table.insert(key, encode(&row)?.as_slice())?;
            }
        }
        txn.commit()?;
        Ok(())
    }

    /// The sender row of `message`, if it has escrowed copies.
    pub fn sender_status(&self, message: MessageId) -> Result<Option<SenderStatus>, PortalError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(SENDERS)?;
        let row = table.get(message_key(message))?;
        row.map(|r| decode(r.value())).transpose()
    }

    /// Every sender row whose receipt has not been sent yet.
    pub fn pending_receipts(&self) -> Result<Vec<SenderStatus>, PortalError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(SENDERS)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let s: SenderStatus = decode(row?.1.value())?;
            if !s.receipt_sent {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// The escrowed copies of `message` (the latest escrow of each recipient), by position.
    pub fn copies(&self, message: MessageId) -> Result<Vec<EscrowRecord>, PortalError> {
        let key = message_key(message);
        let ids: Vec<u128> = {
            let txn = self.db.begin_read()?;
            let idx = txn.open_table(BY_MESSAGE)?;
            let mut ids = Vec::new();
            for row in idx.range((key, 0)..=(key, u32::MAX))? {
                ids.push(row?.1.value());
            }
            ids
        };
        ids.into_iter()
            .map(|k| self.record(crate::id::EscrowId::from_bytes(k.to_be_bytes())))
            .collect()
    }

    /// A new status token for `message` (the old one, if any, stops working). Only its keyed
    /// hash is stored; the token itself goes into the receipt mail.
    pub fn issue_status_token(&self, message: MessageId) -> Result<Zeroizing<String>, PortalError> {
        let mut raw = Zeroizing::new([0u8; 32]);
        self.rng.fill(&mut raw[..]);
        let token = Zeroizing::new(URL_SAFE_NO_PAD.encode(raw.as_slice()));
        let hash = self.token_hash(&token)?;
        let key = message_key(message);
        let txn = self.db.begin_write()?;
        {
            let mut senders = txn.open_table(SENDERS)?;
            let mut row: SenderStatus = match senders.get(key)? {
                Some(r) => decode(r.value())?,
                None => return Err(PortalError::NotFound),
            };
            let mut tokens = txn.open_table(TOKENS)?;
            if let Some(old) = row.token_hash.as_deref().and_then(|h| hex::decode(h).ok()) {
                tokens.remove(old.as_slice())?;
            }
            tokens.insert(hash.as_slice(), key)?;
            row.token_hash = Some(hex::encode(hash));
            senders.insert(key, encode(&row)?.as_slice())?;
        }
        txn.commit()?;
        Ok(token)
    }

    /// Marks the receipt of `message` as committed to the spool.
    pub fn mark_receipt_sent(&self, message: MessageId) -> Result<(), PortalError> {
        let key = message_key(message);
        let txn = self.db.begin_write()?;
        {
            let mut senders = txn.open_table(SENDERS)?;
            let mut row: SenderStatus = match senders.get(key)? {
                Some(r) => decode(r.value())?,
                None => return Err(PortalError::NotFound),
            };
            row.receipt_sent = true;
            senders.insert(key, encode(&row)?.as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }

    /// The message a status token opens; `NotFound` for any other string.
    pub fn status_by_token(&self, token: &str) -> Result<SenderStatus, PortalError> {
        if token.len() != 43 || URL_SAFE_NO_PAD.decode(token).is_err() {
            return Err(PortalError::NotFound);
        }
        let hash = self.token_hash(token)?;
        let txn = self.db.begin_read()?;
        let key = txn
            .open_table(TOKENS)?
            .get(hash.as_slice())?
            .map(|v| v.value())
            .ok_or(PortalError::NotFound)?;
        let row = txn
            .open_table(SENDERS)?
            .get(key)?
            .ok_or(PortalError::NotFound)?
            .value()
            .to_vec();
        decode(&row)
    }

    /// HMAC-SHA256 of `token` under the store's token key.
    fn token_hash(&self, token: &str) -> Result<[u8; 32], PortalError> {
        let key = self.token_key()?;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes())
            .map_err(|_| PortalError::Crypto("token key".into()))?;
        mac.update(token.as_bytes());
        Ok(mac.finalize().into_bytes().into())
    }

    /// The token-hash key, created (random, wrapped under the master key) on first use.
    fn token_key(&self) -> Result<DataKey, PortalError> {
        let stored: Option<WrappedTokenKey> = {
            let txn = self.db.begin_read()?;
            let meta = txn.open_table(META)?;
            let row = meta.get(TOKEN_KEY)?;
            row.map(|r| decode(r.value())).transpose()?
        };
        if let Some(w) = stored {
            let bytes = hex::decode(&w.wrapped)
                .map_err(|_| PortalError::Corrupt("status token key".into()))?;
            return Ok(self.wrapper.unwrap(&w.key_id, &bytes, TOKEN_KEY_CONTEXT)?);
        }
        let mut fresh = Zeroizing::new([0u8; 32]);
        self.rng.fill(&mut fresh[..]);
        let key = DataKey::from_bytes(*fresh);
        let w = self.wrapper.wrap(&key, TOKEN_KEY_CONTEXT, &*self.rng)?;
        let row = WrappedTokenKey {
            key_id: w.key_id,
            wrapped: hex::encode(w.bytes),
        };
        let txn = self.db.begin_write()?;
        {
            let mut meta = txn.open_table(META)?;
            // Another caller may have won the race: keep the first key.
            if meta.get(TOKEN_KEY)?.is_some() {
                drop(meta);
                drop(txn);
                return self.token_key();
            }
            meta.insert(TOKEN_KEY, encode(&row)?.as_slice())?;
        }
        txn.commit()?;
        Ok(key)
    }
}
