//! The classify hook: before the final reply to DATA, a [`Classifier`] fixes the message's
//! [`Decision`]. The rules engine implements it; until rules are configured, [`Uniform`] gives
//! every recipient the configured default requirement.

use sealgate_core::{Decision, Message, Requirement};

/// Decides how a message is protected. Called on a blocking thread; must be bounded in time.
pub trait Classifier: Send + Sync {
    /// The decision for `message` (its body holds the raw bytes as received).
    fn classify(&self, message: &Message) -> Decision;
}

/// Every recipient gets the same requirement; no rule matched.
#[derive(Debug, Clone)]
pub struct Uniform(pub Requirement);

impl Classifier for Uniform {
    fn classify(&self, message: &Message) -> Decision {
        Decision::uniform(self.0.clone(), message.envelope.recipients.len())
    }
}
