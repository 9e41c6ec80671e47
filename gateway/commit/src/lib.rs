//! Commit stage: the durable encrypted spool (redb + one fsync'd file per body) and the other embedded stores.
#![forbid(unsafe_code)]
