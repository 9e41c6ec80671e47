//! Message identifiers: 128 bits, time-ordered (48-bit milliseconds then 80 random bits), written
//! as 26 characters of Crockford base32 so they sort by arrival and are safe in file names.

use crate::time::{Random, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The gateway's identifier for one accepted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageId(u128);

impl MessageId {
    /// A new id for a message received at `now`.
    pub fn generate(now: Timestamp, rng: &dyn Random) -> Self {
        let mut r = [0u8; 10];
        rng.fill(&mut r);
        let mut v = u128::from(now.millis() & 0xFFFF_FFFF_FFFF) << 80;
        for (i, b) in r.iter().enumerate() {
            v |= u128::from(*b) << (8 * (9 - i));
        }
        MessageId(v)
    }

    /// The id as 16 big-endian bytes (used as a store key and as AEAD associated data).
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_be_bytes()
    }

    /// Rebuilds an id from [`MessageId::to_bytes`].
    pub fn from_bytes(b: [u8; 16]) -> Self {
        MessageId(u128::from_be_bytes(b))
    }

    /// Arrival time encoded in the id.
    pub fn timestamp(self) -> Timestamp {
        Timestamp((self.0 >> 80) as u64)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0u8; 26];
        for (i, c) in out.iter_mut().enumerate() {
            let shift = 5 * (25 - i);
            *c = ALPHABET[((self.0 >> shift) & 0x1F) as usize];
        }
        // ALPHABET is ASCII, so every byte written is a valid one-byte UTF-8 character.
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

/// The text is not a message id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a message id")]
pub struct BadMessageId;

impl FromStr for MessageId {
    type Err = BadMessageId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 26 {
            return Err(BadMessageId);
        }
        let mut v: u128 = 0;
        for (i, c) in s.bytes().enumerate() {
            let c = c.to_ascii_uppercase();
            let d = ALPHABET.iter().position(|&a| a == c).ok_or(BadMessageId)? as u128;
            if i == 0 && d > 7 {
                return Err(BadMessageId);
            }
            v = (v << 5) | d;
        }
        Ok(MessageId(v))
    }
}

impl TryFrom<String> for MessageId {
    type Error = BadMessageId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<MessageId> for String {
    fn from(id: MessageId) -> String {
        id.to_string()
    }
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
    fn round_trips_and_sorts_by_time() {
        let a = MessageId::generate(Timestamp(1_000), &Fixed(0xFF));
        let b = MessageId::generate(Timestamp(2_000), &Fixed(0x00));
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
        assert_eq!(a.to_string().parse::<MessageId>().unwrap(), a);
        assert_eq!(a.timestamp(), Timestamp(1_000));
        assert_eq!(MessageId::from_bytes(b.to_bytes()), b);
        assert!("short".parse::<MessageId>().is_err());
        assert!("ZZZZZZZZZZZZZZZZZZZZZZZZZZ".parse::<MessageId>().is_err());
    }
}
