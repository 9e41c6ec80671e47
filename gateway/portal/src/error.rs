//! The portal's error type. Messages name ids, kinds and counts only — never a body, subject,
//! address, link half or code.

use sealgate_core::Reply;

/// What went wrong in the escrow store or while preparing a copy for it.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// File system or database I/O failed (temporary).
    #[error("portal storage I/O failed: {0}")]
    Io(String),
    /// A stored record or sealed file failed its integrity check.
    #[error("portal data is corrupt: {0}")]
    Corrupt(String),
    /// Sealing, unwrapping or opening failed (wrong link half, tampered or moved file).
    #[error("portal crypto failed: {0}")]
    Crypto(String),
    /// No escrow with this id.
    #[error("no such escrowed message")]
    NotFound,
    /// The escrow was withdrawn; its stored half is gone.
    #[error("the escrowed message was withdrawn")]
    Revoked,
    /// The escrow expired; its stored half is gone.
    #[error("the escrowed message expired")]
    Expired,
    /// The message could not be read as MIME (permanent for this copy).
    #[error("the message could not be prepared for the portal: {0}")]
    Unreadable(String),
    /// An attachment is larger than the portal accepts (permanent for this copy).
    #[error("attachment {index} is {size} bytes, over the portal limit of {limit}")]
    TooLarge {
        /// Position of the attachment.
        index: usize,
        /// Its size.
        size: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The request is not allowed in the escrow's state (e.g. an expiry outside the bounds).
    #[error("not allowed: {0}")]
    Conflict(String),
}

impl PortalError {
    /// True when trying again later may succeed (I/O), false for everything about the copy.
    pub fn is_temporary(&self) -> bool {
        matches!(self, PortalError::Io(_))
    }

    /// The SMTP-style reply for this failure, classified where it happens.
    pub fn reply(&self) -> Reply {
        if self.is_temporary() {
            Reply::local_error()
        } else {
            Reply::new(554, [5, 6, 0], "message cannot be escrowed")
        }
    }
}

macro_rules! redb_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for PortalError {
            fn from(e: $t) -> Self {
                PortalError::Io(e.to_string())
            }
        }
    )*};
}
redb_errors!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

impl From<serde_json::Error> for PortalError {
    fn from(e: serde_json::Error) -> Self {
        PortalError::Corrupt(format!("record: {e}"))
    }
}

impl From<sealgate_commit::CommitError> for PortalError {
    fn from(e: sealgate_commit::CommitError) -> Self {
        PortalError::Crypto(e.to_string())
    }
}
