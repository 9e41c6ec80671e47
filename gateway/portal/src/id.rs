//! Escrow ids and reference words.
//!
//! An [`EscrowId`] is 128 random bits (not time-ordered: it appears in the link, so it must not
//! leak when the message was sent), written as 32 lower-case hex digits. A reference word
//! (`harbor-27`) is shown identically in the notification and on the portal page so the
//! recipient can tell the two belong together; it is not a secret and not unique.

use sealgate_core::time::Random;
use std::fmt;
use std::str::FromStr;

/// The identifier of one escrowed copy (one recipient of one message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EscrowId([u8; 16]);

impl EscrowId {
    /// A fresh random id.
    pub fn generate(rng: &dyn Random) -> Self {
        let mut b = [0u8; 16];
        rng.fill(&mut b);
        EscrowId(b)
    }

    /// The 16 id bytes (store key, AEAD associated data, HKDF info).
    pub fn to_bytes(self) -> [u8; 16] {
        self.0
    }

    /// Rebuilds an id from [`EscrowId::to_bytes`].
    pub fn from_bytes(b: [u8; 16]) -> Self {
        EscrowId(b)
    }

    /// The id as a table key.
    pub(crate) fn key(self) -> u128 {
        u128::from_be_bytes(self.0)
    }
}

impl fmt::Display for EscrowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// The text is not an escrow id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an escrow id")]
pub struct BadEscrowId;

impl FromStr for EscrowId {
    type Err = BadEscrowId;
    fn from_str(s: &str) -> Result<Self, BadEscrowId> {
        if s.len() != 32 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(BadEscrowId);
        }
        let mut b = [0u8; 16];
        hex::decode_to_slice(s, &mut b).map_err(|_| BadEscrowId)?;
        Ok(EscrowId(b))
    }
}

/// Short, unambiguous English words for reference words (no homophones of digits).
const WORDS: [&str; 64] = [
    "amber", "anchor", "apple", "aspen", "badge", "basil", "beacon", "birch", "bloom", "brook",
    "cedar", "chalk", "cliff", "clover", "coral", "crane", "daisy", "delta", "dune", "ember",
    "fern", "field", "flint", "garden", "harbor", "hazel", "heron", "island", "ivory", "jade",
    "juniper", "kettle", "lagoon", "lantern", "lemon", "maple", "meadow", "mint", "nectar", "oak",
    "olive", "orchid", "otter", "pearl", "pebble", "pine", "plum", "prairie", "quartz", "raven",
    "reed", "river", "saffron", "sage", "shell", "spruce", "stone", "thistle", "tulip", "valley",
    "willow", "wren", "yarrow", "zephyr",
];

/// A fresh reference word such as `harbor-27`.
pub fn reference_word(rng: &dyn Random) -> String {
    let mut b = [0u8; 2];
    rng.fill(&mut b);
    let word = WORDS[usize::from(b[0]) % WORDS.len()];
    format!("{word}-{:02}", b[1] % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(u8);
    impl Random for Fixed {
        fn fill(&self, buf: &mut [u8]) {
            buf.fill(self.0);
        }
    }

    #[test]
    fn id_round_trips_and_rejects_other_text() {
        let id = EscrowId::generate(&Fixed(0xab));
        let text = id.to_string();
        assert_eq!(text, "ab".repeat(16));
        assert_eq!(text.parse::<EscrowId>(), Ok(id));
        assert!("AB".repeat(16).parse::<EscrowId>().is_err());
        assert!("ab".repeat(15).parse::<EscrowId>().is_err());
        assert!("../etc/passwd".parse::<EscrowId>().is_err());
    }

    #[test]
    fn reference_word_is_a_word_and_two_digits() {
        let w = reference_word(&Fixed(200));
        let (word, num) = w.split_once('-').unwrap_or_default();
        assert!(WORDS.contains(&word), "{w}");
        assert_eq!(num, "00");
    }
}
