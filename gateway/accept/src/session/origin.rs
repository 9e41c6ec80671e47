//! Replies for refused originator headers and for content the memory budget could not hold.
//!
//! Every originator problem is permanent and named: a missing From is `5.6.0`, a malformed or
//! ambiguous originator field `5.6.x` (the client's message is broken, not its permission), a
//! well-formed address of another domain `5.7.1` (see `finish.rs`).

use sealgate_connectors::HeaderFromError;
use sealgate_core::Reply;
use sealgate_report::RejectReason;

/// The reply for a header From / Sender / Resent-* problem.
pub(super) fn refusal(e: HeaderFromError) -> (Reply, RejectReason) {
    let content = |text: &'static str| (Reply::new(550, [5, 6, 0], text), RejectReason::Content);
    match e {
        HeaderFromError::Missing => content("Message must have a From header"),
        HeaderFromError::Duplicate => content("Message must have exactly one From header"),
        HeaderFromError::DuplicateOther => {
            content("Message must have at most one Sender header per block")
        }
        HeaderFromError::Ambiguous => content("Ambiguous originator address (more than one @)"),
        HeaderFromError::ControlCharacter => {
            content("Control character (NUL) in an originator header")
        }
        HeaderFromError::MalformedFieldName => content("Malformed header field name"),
        HeaderFromError::Invalid => content("Originator header address is not valid"),
    }
}

/// The reply when the content outgrew the memory budget.
pub(super) fn over_budget() -> (Reply, RejectReason) {
    (
        Reply::new(
            452,
            [4, 3, 1],
            "Insufficient system resources, try again later",
        ),
        RejectReason::Limits,
    )
}
