//! What the pages ask on every request — "has this recipient any passkey on this tenant?" —
//! answered from memory, so the message and link pages make no database read and no blocking
//! pool trip for it.
//!
//! The index holds the passkey owner secret (unwrapped once) and the set of `tenant \0 owner`
//! rows that hold at least one passkey. It is loaded when the store opens and changed only
//! after a commit of the passkey table (registration, removal by the recipient or by an
//! administrator), all of which go through [`EscrowStore`]. The index only decides which box a
//! page shows (the passkey sign-in or the offer): every passkey sign-in still reads and checks
//! the stored credential, so a stale answer could never let anyone in.

use crate::error::PortalError;
use crate::store::EscrowStore;
use sealgate_commit::DataKey;
use sealgate_core::address::Address;
use std::collections::HashSet;
use std::sync::{OnceLock, PoisonError, RwLock};

/// The in-memory passkey index of one store.
#[derive(Default)]
pub(crate) struct PasskeyIndex {
    secret: OnceLock<DataKey>,
    rows: RwLock<HashSet<String>>,
}

impl PasskeyIndex {
    /// The owner secret, once it exists.
    pub(crate) fn secret(&self) -> Option<&DataKey> {
        self.secret.get()
    }

    /// Remembers the owner secret (made or read); the first one stays (it is only ever made
    /// once, under the database's write lock).
    pub(crate) fn set_secret(&self, secret: DataKey) -> &DataKey {
        self.secret.get_or_init(|| secret)
    }

    /// Whether the row `key` (`tenant \0 owner`) holds passkeys.
    pub(crate) fn has(&self, key: &str) -> bool {
        // A set of strings: nothing a panic could leave half-changed.
        let rows = self.rows.read().unwrap_or_else(PoisonError::into_inner);
        rows.contains(key)
    }

    /// Records the committed state of row `key`.
    pub(crate) fn set(&self, key: &str, has_passkeys: bool) {
        let mut rows = self.rows.write().unwrap_or_else(PoisonError::into_inner);
        if has_passkeys {
            rows.insert(key.to_string());
        } else {
            rows.remove(key);
        }
    }

    /// Replaces the set of rows (at open).
    pub(crate) fn load(&self, keys: HashSet<String>) {
        *self.rows.write().unwrap_or_else(PoisonError::into_inner) = keys;
    }
}

impl EscrowStore {
    /// Whether `recipient` has any passkey on `tenant`, from memory (never blocks on I/O).
    pub fn has_passkeys(&self, tenant: &str, recipient: &Address) -> bool {
        let Some(secret) = self.passkeys.secret() else {
            return false;
        };
        match crate::passkey_store::owner_of(secret, recipient) {
            Ok(owner) => self
                .passkeys
                .has(&crate::passkey_store::row_key(tenant, &owner)),
            Err(_) => false,
        }
    }

    /// Whether an owner secret exists yet, from memory.
    pub(crate) fn cached_owner_secret(&self) -> Option<&DataKey> {
        self.passkeys.secret()
    }

    /// Loads the index from the database (at open).
    pub(crate) fn load_passkey_index(&self) -> Result<(), PortalError> {
        if let Some(secret) = self.read_owner_secret()? {
            self.passkeys.set_secret(secret);
        }
        self.passkeys.load(self.passkey_rows()?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
    use super::*;
    use crate::passkey::PublicKey;
    use crate::passkey_store::StoredPasskey;
    use crate::record::{Actor, KeyMode, PortalEventKind};
    use crate::store::NewEscrow;
    use sealgate_commit::{MasterKeys, OsRandom};
    use sealgate_core::id::MessageId;
    use sealgate_core::time::{Clock, SystemClock};
    use std::sync::Arc;
    use std::time::Duration;

    fn open(dir: &std::path::Path, keys: &Arc<MasterKeys>) -> EscrowStore {
        EscrowStore::open(dir, keys.clone(), Arc::new(SystemClock), Arc::new(OsRandom)).unwrap()
    }

    #[test]
    fn the_index_follows_registration_removal_and_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let keys = Arc::new(MasterKeys::generate("k1", &OsRandom).unwrap());
        let store = open(dir.path(), &keys);
        let pat = Address::parse("Pat@Home.example").unwrap();
        let deposit = store
            .deposit(NewEscrow {
                message_id: MessageId::from_bytes([7; 16]),
                recipient_index: 0,
                recipient: pat.clone(),
                tenant: "clinic",
                key_mode: KeyMode::Link,
                expires: SystemClock.now().plus(Duration::from_secs(3600)),
                raw: b"From: a@clinic.example\r\nSubject: x\r\n\r\nhello\r\n",
                max_attachment: 1 << 20,
            })
            .unwrap();
        assert!(!store.has_passkeys("clinic", &pat), "no secret yet");
        let owner = store.passkey_owner(&pat).unwrap();
        let row = StoredPasskey {
            id: vec![1, 2, 3],
            key: PublicKey {
                alg: crate::passkey::ES256,
                key: vec![4; 65],
            },
            count: 0,
            rp_id: "portal.clinic.example".into(),
            created: SystemClock.now(),
            last_used: None,
        };
        let kind = PortalEventKind::PasskeyRegistered;
        store
            .change_passkeys(
                ("clinic", &owner),
                deposit.id,
                kind,
                Actor::System,
                |rows| {
                    rows.push(row);
                    Ok(())
                },
            )
            .unwrap();
        let other = Address::parse("sam@home.example").unwrap();
        assert!(store.has_passkeys("clinic", &pat));
        assert!(store.has_passkeys("clinic", &Address::parse("pat@home.example").unwrap()));
        assert!(!store.has_passkeys("other-tenant", &pat));
        assert!(!store.has_passkeys("clinic", &other));
        // A refused change leaves the index as the database is.
        let refused = store.change_passkeys(
            ("clinic", &owner),
            deposit.id,
            PortalEventKind::PasskeyRemoved,
            Actor::System,
            |rows| {
                rows.clear();
                Err(PortalError::Conflict("no".into()))
            },
        );
        assert!(refused.is_err() && store.has_passkeys("clinic", &pat));
        drop(store);
        let store = open(dir.path(), &keys);
        assert!(store.has_passkeys("clinic", &pat), "loaded at open");
        let listed = store.list_passkeys(Some("clinic"), None).unwrap();
        store.remove_passkey_admin(&listed[0].id).unwrap();
        assert!(
            !store.has_passkeys("clinic", &pat),
            "removed by an administrator"
        );
        drop(store);
        assert!(!open(dir.path(), &keys).has_passkeys("clinic", &pat));
    }
}
