//! Keyed pseudonyms for addresses in logs (HMAC-SHA-256, truncated).

use hmac::{Hmac, Mac};
use sealgate_core::{Address, Domain};
use sha2::Sha256;

/// Turns addresses into stable, keyed pseudonyms such as `addr:3f9a0c1b2d4e` for logs.
#[derive(Clone)]
pub struct Pseudonymiser {
    key: [u8; 32],
    enabled: bool,
}

impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pseudonymiser")
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

impl Pseudonymiser {
    /// `enabled = false` logs addresses in clear (`[log] pseudonymise_addresses = false`).
    pub fn new(key: [u8; 32], enabled: bool) -> Self {
        Pseudonymiser { key, enabled }
    }

    /// The log form of an address (case-insensitive: the same mailbox, the same pseudonym).
    pub fn address(&self, address: &Address) -> String {
        if !self.enabled {
            return address.to_string();
        }
        format!(
            "addr:{}",
            self.tag(address.to_string().to_lowercase().as_bytes())
        )
    }

    /// The log form of a reverse path; `<>` stays `<>`.
    pub fn sender(&self, sender: Option<&Address>) -> String {
        sender.map_or_else(|| "<>".to_string(), |a| self.address(a))
    }

    /// Domains are not personal data; they are logged in clear (routing needs them).
    pub fn domain(&self, domain: &Domain) -> String {
        domain.to_string()
    }

    fn tag(&self, data: &[u8]) -> String {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail for 32 bytes.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return "unavailable".into();
        };
        mac.update(data);
        hex::encode(&mac.finalize().into_bytes()[..6])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_keyed_and_case_insensitive() {
        let p = Pseudonymiser::new([7; 32], true);
        let a = Address::parse("Patient.Name@example.org").unwrap();
        let b = Address::parse("patient.name@EXAMPLE.org").unwrap();
        let s = p.address(&a);
        assert!(s.starts_with("addr:") && !s.contains("Patient") && !s.contains("example"));
        assert_eq!(s, p.address(&b));
        assert_ne!(s, Pseudonymiser::new([8; 32], true).address(&a));
        assert_eq!(
            Pseudonymiser::new([7; 32], false).address(&a),
            a.to_string()
        );
        assert_eq!(p.sender(None), "<>");
    }
}
