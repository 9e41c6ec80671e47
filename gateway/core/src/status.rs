//! Per-recipient status, mirroring the spool (DESIGN.md "Protection model").
//!
//! `Scheduled → (TemporaryFailure → Scheduled)* → Delivered | Escrowed | Bounced |
//! DroppedByPolicy | Deleted`; `Held` is not terminal and expires into a bounce with notice.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where one recipient of one message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Waiting for its next attempt.
    Scheduled,
    /// Last attempt failed temporarily; will be scheduled again.
    TemporaryFailure,
    /// Held by policy or an admin; expires into a bounce with notice.
    Held,
    /// Accepted by the next hop.
    Delivered,
    /// Stored in the secure portal; the recipient was sent a link.
    Escrowed,
    /// Failed permanently; the sender was notified.
    Bounced,
    /// Dropped because the policy forbade every available form (with a notice).
    DroppedByPolicy,
    /// Removed by an administrator.
    Deleted,
}

impl Status {
    /// True for states no recipient leaves.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Delivered
                | Status::Escrowed
                | Status::Bounced
                | Status::DroppedByPolicy
                | Status::Deleted
        )
    }

    /// Kebab-case name, as in the admin API and CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Scheduled => "scheduled",
            Status::TemporaryFailure => "temporary-failure",
            Status::Held => "held",
            Status::Delivered => "delivered",
            Status::Escrowed => "escrowed",
            Status::Bounced => "bounced",
            Status::DroppedByPolicy => "dropped-by-policy",
            Status::Deleted => "deleted",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
