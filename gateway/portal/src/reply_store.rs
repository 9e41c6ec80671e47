//! The daily reply cap: replies per recipient address per UTC day, in the escrow database
//! (table `replies_per_day`, keyed by SHA-256 of the lower-cased address and the day number,
//! so the table adds no address in clear). A reply reserves its place before it is committed
//! to the spool and gives it back if that commit fails, so two replies at once can't pass the
//! cap together and a failed reply doesn't count.

use crate::error::PortalError;
use crate::store::EscrowStore;
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use sealgate_core::address::Address;
use sealgate_core::time::Timestamp;
use sha2::{Digest, Sha256};

const REPLIES: TableDefinition<(&[u8], u64), u32> = TableDefinition::new("replies_per_day");

/// Copies this module's table from `view` into `txn` (a snapshot, `snapshot.rs`).
pub(crate) fn copy_tables(
    view: &redb::ReadTransaction,
    txn: &redb::WriteTransaction,
) -> Result<u64, PortalError> {
    crate::snapshot::copy(view, txn, REPLIES)
}

fn who(recipient: &Address) -> Vec<u8> {
    Sha256::digest(recipient.to_string().to_lowercase().as_bytes()).to_vec()
}

fn day(now: Timestamp) -> u64 {
    now.secs() / 86_400
}

impl EscrowStore {
    /// Replies `recipient` sent on the UTC day of `now`.
    pub fn replies_on(&self, recipient: &Address, now: Timestamp) -> Result<u32, PortalError> {
        let txn = self.database().begin_read()?;
        let table = match txn.open_table(REPLIES) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        let key = who(recipient);
        Ok(table
            .get((key.as_slice(), day(now)))?
            .map(|v| v.value())
            .unwrap_or(0))
    }

    /// Takes one of `recipient`'s `limit` replies of the day; `false` (nothing written) when
    /// none is left.
    pub fn reserve_reply(
        &self,
        recipient: &Address,
        now: Timestamp,
        limit: u32,
    ) -> Result<bool, PortalError> {
        let key = who(recipient);
        let txn = self.database().begin_write()?;
        {
            let mut table = txn.open_table(REPLIES)?;
            let k = (key.as_slice(), day(now));
            let used = table.get(k)?.map(|v| v.value()).unwrap_or(0);
            if used >= limit {
                return Ok(false);
            }
            table.insert(k, used + 1)?;
        }
        txn.commit()?;
        Ok(true)
    }

    /// Gives back a reservation whose reply was not committed.
    pub fn release_reply(&self, recipient: &Address, now: Timestamp) -> Result<(), PortalError> {
        let key = who(recipient);
        let txn = self.database().begin_write()?;
        {
            let mut table = txn.open_table(REPLIES)?;
            let k = (key.as_slice(), day(now));
            let used = table.get(k)?.map(|v| v.value()).unwrap_or(0);
            table.insert(k, used.saturating_sub(1))?;
        }
        txn.commit()?;
        Ok(())
    }
}
