//! The loop stamp: a keyed MAC over a message's Message-ID and its tenant, added to every
//! message the gateway accepts as `X-Sealgate-Loop: v=1; s=HEX`. A message arriving with a
//! stamp that verifies under this gateway's key for one of its tenants has been through this
//! gateway before and is refused as a loop. Stamps of other gateways (other keys) and forged
//! stamps verify for nothing and are simply removed with the other `X-Sealgate-*` fields.
//!
//! The key is the gateway's own secret (`<data>/loop-stamp.key`, created 0600 by `serve`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header field name of the stamp.
pub const STAMP_HEADER: &str = "X-Sealgate-Loop";

/// A loop-stamp key.
#[derive(Clone)]
pub struct LoopStamp {
    key: [u8; 32],
}

impl std::fmt::Debug for LoopStamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoopStamp(..)")
    }
}

impl LoopStamp {
    /// A stamp with this key.
    pub fn new(key: [u8; 32]) -> Self {
        LoopStamp { key }
    }

    fn mac(&self, message_id: &[u8], tenant: &str) -> Hmac<Sha256> {
        // HMAC accepts keys of any length: `new_from_slice` cannot fail for it.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        };
        mac.update(b"sealgate-loop-v1\0");
        mac.update(message_id);
        mac.update(b"\0");
        mac.update(tenant.as_bytes());
        mac
    }

    /// The header field (with CRLF) to add to a message of `tenant`.
    pub fn field(&self, message_id: &[u8], tenant: &str) -> String {
        let tag = self.mac(message_id, tenant).finalize().into_bytes();
        format!("{STAMP_HEADER}: v=1; s={}\r\n", hex::encode(tag))
    }

    /// True when `value` (a stamp field's value) verifies for `message_id` and one of
    /// `tenants` (constant-time comparison).
    pub fn verifies<'a>(
        &self,
        value: &[u8],
        message_id: &[u8],
        tenants: impl IntoIterator<Item = &'a str>,
    ) -> bool {
        let Some(tag) = parse(value) else {
            return false;
        };
        tenants
            .into_iter()
            .any(|t| self.mac(message_id, t).verify_slice(&tag).is_ok())
    }
}

/// The `s=` tag of a `v=1` stamp.
fn parse(value: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(value).ok()?;
    let mut version_ok = false;
    let mut tag = None;
    for part in text.split(';') {
        match part.trim().split_once('=') {
            Some(("v", "1")) => version_ok = true,
            Some(("s", hex_tag)) => tag = hex::decode(hex_tag.trim()).ok(),
            _ => {}
        }
    }
    tag.filter(|_| version_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_verifies_only_for_its_message_tenant_and_key() {
        let s = LoopStamp::new([7; 32]);
        let field = s.field(b"<a@b.org>", "acme");
        let value = field
            .trim_end()
            .split_once(':')
            .map(|(_, v)| v.trim())
            .unwrap();
        assert!(s.verifies(value.as_bytes(), b"<a@b.org>", ["globex", "acme"]));
        assert!(!s.verifies(value.as_bytes(), b"<other@b.org>", ["acme"]));
        assert!(!s.verifies(value.as_bytes(), b"<a@b.org>", ["globex"]));
        assert!(!LoopStamp::new([8; 32]).verifies(value.as_bytes(), b"<a@b.org>", ["acme"]));
        assert!(!s.verifies(b"v=1; s=zz", b"<a@b.org>", ["acme"]));
    }
}
