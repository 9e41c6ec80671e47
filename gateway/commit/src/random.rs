//! Operating-system randomness for data keys, nonces and message ids.
//!
//! Guarantees: bytes come from the kernel CSPRNG (`getrandom`); there is no fallback to a weaker
//! source.

use sealgate_core::time::Random;

/// The kernel's CSPRNG through `getrandom(2)`.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl OsRandom {
    /// Checks once that the OS source works, so a broken one fails start-up, not a session.
    pub fn checked() -> Result<OsRandom, crate::CommitError> {
        let mut probe = [0u8; 16];
        getrandom::fill(&mut probe)
            .map_err(|e| crate::CommitError::Crypto(format!("OS random source failed: {e}")))?;
        Ok(OsRandom)
    }
}

impl Random for OsRandom {
    fn fill(&self, buf: &mut [u8]) {
        if let Err(e) = getrandom::fill(buf) {
            // The trait cannot report failure, and continuing with predictable keys or nonces
            // would silently break encryption at rest; getrandom(2) only fails on a kernel
            // without a usable CSPRNG, which `OsRandom::checked` rejects at start-up.
            panic!("OS random source failed: {e}");
        }
    }
}
