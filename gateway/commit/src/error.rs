//! The crate's error type and its mapping into the core [`StoreError`].
//!
//! Messages carry paths (which hold only message ids), table names and reasons — never bodies,
//! subjects, addresses or key material — so they are safe to log.

use sealgate_core::store::StoreError;
use std::path::PathBuf;

/// Everything that can go wrong in the spool and the embedded stores.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// A file system operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done (`write body`, `fsync directory`, …).
        op: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The database failed (open, transaction, table or commit).
    #[error("database: {0}")]
    Database(String),
    /// A stored record or body failed to parse or its integrity check.
    #[error("corrupt: {0}")]
    Corrupt(String),
    /// Encryption, decryption or key unwrapping failed.
    #[error("crypto: {0}")]
    Crypto(String),
    /// The master key file is unusable.
    #[error("master key file {path}: {reason}")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// Why (never the key material).
        reason: String,
    },
    /// No such message, recipient or key.
    #[error("not found")]
    NotFound,
    /// The operation is not allowed in the item's current state.
    #[error("not allowed: {0}")]
    Conflict(String),
}

impl CommitError {
    /// An I/O error with its operation and path.
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CommitError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    /// A copy for every caller of a failed group commit (the original is not `Clone`).
    pub(crate) fn duplicate(&self) -> Self {
        match self {
            CommitError::Io { op, path, source } => CommitError::Io {
                op,
                path: path.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            CommitError::Database(s) => CommitError::Database(s.clone()),
            CommitError::Corrupt(s) => CommitError::Corrupt(s.clone()),
            CommitError::Crypto(s) => CommitError::Crypto(s.clone()),
            CommitError::KeyFile { path, reason } => CommitError::KeyFile {
                path: path.clone(),
                reason: reason.clone(),
            },
            CommitError::NotFound => CommitError::NotFound,
            CommitError::Conflict(s) => CommitError::Conflict(s.clone()),
        }
    }
}

macro_rules! database_error {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for CommitError {
            fn from(e: $t) -> Self {
                CommitError::Database(e.to_string())
            }
        })*
    };
}

database_error!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError,
);

impl From<serde_json::Error> for CommitError {
    fn from(e: serde_json::Error) -> Self {
        // Only the class and position: serde's own text may quote stored values (addresses).
        CommitError::Corrupt(format!(
            "record does not parse ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    }
}

impl From<CommitError> for StoreError {
    fn from(e: CommitError) -> Self {
        match e {
            CommitError::Io { .. } | CommitError::Database(_) | CommitError::KeyFile { .. } => {
                StoreError::Io(e.to_string())
            }
            CommitError::Corrupt(s) => StoreError::Corrupt(s),
            CommitError::Crypto(s) => StoreError::Crypto(s),
            CommitError::NotFound => StoreError::NotFound,
            CommitError::Conflict(s) => StoreError::Conflict(s),
        }
    }
}
