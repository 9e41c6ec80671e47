//! The end of an escrowed copy: withdrawal (revoke), expiry, and moving the expiry (extend).
//!
//! Destroying a copy commits its revoked/expired record first, then shreds its stored half and
//! removes its sealed file; both wait while a snapshot copies files (`snapshot.rs`).

use crate::error::PortalError;
use crate::id::EscrowId;
use crate::record::{Actor, EscrowRecord, EscrowState, PortalEventKind};
use crate::store::EscrowStore;
use crate::store_batch::Change;
use sealgate_core::time::Timestamp;

impl EscrowStore {
    /// Withdraws an escrow: destroys its stored half and removes the sealed file.
    pub fn revoke(&self, id: EscrowId, actor: Actor) -> Result<EscrowRecord, PortalError> {
        let record = self.record(id)?;
        match record.state {
            EscrowState::Active => self.destroy(record, true, actor),
            _ => Ok(record),
        }
    }

    /// Moves the expiry of an active escrow to `until` (the caller applies the bounds).
    pub fn extend(
        &self,
        id: EscrowId,
        until: Timestamp,
        actor: Actor,
    ) -> Result<EscrowRecord, PortalError> {
        let mut record = self.check(id)?;
        if until <= self.clock.now() {
            return Err(PortalError::Conflict(
                "the new expiry is in the past".into(),
            ));
        }
        record.expires = until;
        let key = id.key();
        let change = Change::Replace(Box::new(record));
        self.write(key, change, PortalEventKind::Extended { until }, actor)
    }

    /// Expires every active escrow whose time has come; returns their ids.
    pub fn expire_due(&self) -> Result<Vec<EscrowId>, PortalError> {
        let now = self.clock.now();
        let mut done = Vec::new();
        for record in self.list()? {
            if record.is_active() && now >= record.expires {
                let id = self.id_of(&record)?;
                self.destroy(record, false, Actor::System)?;
                done.push(id);
            }
        }
        Ok(done)
    }

    pub(crate) fn destroy(
        &self,
        mut record: EscrowRecord,
        revoke: bool,
        actor: Actor,
    ) -> Result<EscrowRecord, PortalError> {
        let id = self.id_of(&record)?;
        // A snapshot copying files waits for no destruction and no destruction for it.
        let _gate = self
            .destruction
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let at = self.clock.now();
        let kind = if revoke {
            record.state = EscrowState::Revoked { at };
            PortalEventKind::Revoked
        } else {
            record.state = EscrowState::Expired { at };
            PortalEventKind::Expired
        };
        let record = self.write(id.key(), Change::Replace(Box::new(record)), kind, actor)?;
        // The record says revoked/expired from here on; a failure below leaves files that
        // `recover` shreds at the next start (it keeps files of active escrows only).
        self.halves.shred(id)?;
        self.files.remove(id)?;
        Ok(record)
    }
}
