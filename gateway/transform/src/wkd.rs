//! OpenPGP Web Key Directory discovery (draft-koch-openpgp-webkey-service): the advanced
//! method (`openpgpkey.DOMAIN`) first, then the direct one, over HTTPS with the caller's
//! `reqwest::Client`; keys found are filed in the [`KeyStore`] with trust `discovered`, which is
//! also the cache.
//!
//! Guarantees: a fetched key is stored only if it parses as a public OpenPGP certificate with a
//! policy-valid user id (self-signed, unexpired, unrevoked) for exactly the looked-up address; a recipient with a key of higher trust on file is
//! never looked up; a positive answer is reused for `ttl`, a miss is remembered for `miss_ttl`
//! (in memory, at most [`MAX_MISSES`] addresses: expired misses are dropped first, then the
//! oldest). This is the only async code in the crate (network I/O); parsing is cheap.

use crate::keys::lookup_name;
use crate::pgp::PgpCert;
use crate::trust::TrustLevel;
use openssl::sha::sha1;
use sealgate_core::store::{KeyKind, KeyRecord, KeyStore, StoreError};
use sealgate_core::{Address, Timestamp};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Largest key accepted from a directory.
const MAX_KEY: usize = 256 * 1024;
/// Most misses remembered at once.
pub const MAX_MISSES: usize = 10_000;
/// Longest a directory may take to answer one request, body included.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// A discovery that could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum WkdError {
    /// The key store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovery {
    /// Fetched now and filed (trust `discovered`).
    Found {
        /// Primary key fingerprint.
        fingerprint: String,
    },
    /// A discovered key filed less than `ttl` ago; nothing fetched.
    Cached {
        /// Primary key fingerprint.
        fingerprint: String,
    },
    /// A key above `discovered` is on file; discovery is not needed.
    NotNeeded,
    /// No directory answered with a usable key (or one was missed less than `miss_ttl` ago).
    NotFound,
}

/// The WKD client.
pub struct Wkd {
    client: reqwest::Client,
    port: Option<u16>,
    ttl: Duration,
    miss_ttl: Duration,
    misses: Mutex<HashMap<String, Timestamp>>,
    max_misses: usize,
}

impl std::fmt::Debug for Wkd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wkd")
    }
}

const ZBASE32: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// z-base-32 of the SHA-1 of the lower-cased local part: the WKD hash.
pub fn wkd_hash(local: &str) -> String {
    let digest = sha1(local.to_lowercase().as_bytes());
    let mut out = String::with_capacity(32);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in &digest {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ZBASE32[((acc >> bits) & 31) as usize] as char);
        }
    }
    out
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Wkd {
    /// A client with a one-day cache and a one-hour memory of misses.
    pub fn new(client: reqwest::Client) -> Self {
        Wkd {
            client,
            port: None,
            ttl: Duration::from_secs(86_400),
            miss_ttl: Duration::from_secs(3_600),
            misses: Mutex::new(HashMap::new()),
            max_misses: MAX_MISSES,
        }
    }

    /// Connects to this port instead of 443 (tests run the directory on 127.0.0.1:port).
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// How long a discovered key is reused before it is fetched again.
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The advanced and direct URLs for an address.
    pub fn urls(&self, address: &Address) -> [String; 2] {
        let domain = address.domain().as_str();
        let hash = wkd_hash(address.local());
        let l = percent(address.local());
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        [
            format!(
                "https://openpgpkey.{domain}{port}/.well-known/openpgpkey/{domain}/hu/{hash}?l={l}"
            ),
            format!("https://{domain}{port}/.well-known/openpgpkey/hu/{hash}?l={l}"),
        ]
    }

    /// Looks the address up unless a key of higher trust is on file or the cache answers,
    /// and files what it finds in `store` (blocking store calls run on the blocking pool).
    pub async fn discover(
        &self,
        store: Arc<dyn KeyStore>,
        address: &Address,
        now: Timestamp,
    ) -> Result<Discovery, WkdError> {
        let name = lookup_name(address);
        let (s, n) = (store.clone(), name.clone());
        let on_file = tokio::task::spawn_blocking(move || s.find(KeyKind::OpenPgp, &n))
            .await
            .map_err(|e| StoreError::Io(e.to_string()))??;
        if on_file
            .iter()
            .any(|r| TrustLevel::from_stored(&r.trust) > TrustLevel::Discovered)
        {
            return Ok(Discovery::NotNeeded);
        }
        if let Some(r) = on_file.iter().find(|r| r.added_at.plus(self.ttl) > now) {
            return Ok(Discovery::Cached {
                fingerprint: r.fingerprint.clone(),
            });
        }
        if self.missed_recently(&name, now) {
            return Ok(Discovery::NotFound);
        }
        for url in self.urls(address) {
            let Some(bytes) = self.fetch(&url).await else {
                continue;
            };
            let Some(cert) = PgpCert::parse(&bytes).ok() else {
                continue;
            };
            if cert.is_secret() || !cert.addresses(now).contains(&name) {
                continue;
            }
            let fingerprint = cert.fingerprint();
            let record = KeyRecord {
                kind: KeyKind::OpenPgp,
                name: name.clone(),
                fingerprint: fingerprint.clone(),
                trust: TrustLevel::Discovered.as_str().to_string(),
                material: bytes,
                added_at: now,
            };
            let stale: Vec<KeyRecord> = on_file
                .into_iter()
                .filter(|r| r.fingerprint != fingerprint)
                .collect();
            tokio::task::spawn_blocking(move || -> Result<(), StoreError> {
                store.put(&record)?;
                for r in stale {
                    store.remove(r.kind, &r.name, &r.fingerprint)?;
                }
                Ok(())
            })
            .await
            .map_err(|e| StoreError::Io(e.to_string()))??;
            return Ok(Discovery::Found { fingerprint });
        }
        self.remember_miss(name, now);
        Ok(Discovery::NotFound)
    }

    /// Remembers a miss, keeping the memory within `max_misses`: expired entries go first,
    /// then the oldest.
    fn remember_miss(&self, name: String, now: Timestamp) {
        let Ok(mut m) = self.misses.lock() else {
            return;
        };
        if m.len() >= self.max_misses && !m.contains_key(&name) {
            let ttl = self.miss_ttl;
            m.retain(|_, t| t.plus(ttl) > now);
        }
        while m.len() >= self.max_misses && !m.contains_key(&name) {
            let Some(oldest) = m.iter().min_by_key(|(_, t)| **t).map(|(k, _)| k.clone()) else {
                break;
            };
            m.remove(&oldest);
        }
        m.insert(name, now);
    }

    fn missed_recently(&self, name: &str, now: Timestamp) -> bool {
        self.misses
            .lock()
            .map(|m| m.get(name).is_some_and(|t| t.plus(self.miss_ttl) > now))
            .unwrap_or(false)
    }

    /// The body of a 200 answer no larger than [`MAX_KEY`], read within [`FETCH_TIMEOUT`];
    /// `None` for anything else (a larger body is abandoned as soon as it exceeds the limit).
    async fn fetch(&self, url: &str) -> Option<Vec<u8>> {
        let mut resp = self
            .client
            .get(url)
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .ok()?;
        // Only an HTTPS answer counts, even if the caller's client follows redirects to http.
        if resp.url().scheme() != "https"
            || !resp.status().is_success()
            || resp.content_length().unwrap_or(0) > MAX_KEY as u64
        {
            return None;
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.ok()? {
            if body.len() + chunk.len() > MAX_KEY {
                return None;
            }
            body.extend_from_slice(&chunk);
        }
        Some(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: every address ever missed stayed in memory for good.
    #[test]
    fn the_miss_memory_is_bounded() {
        let mut wkd = Wkd::new(reqwest::Client::new());
        wkd.max_misses = 3;
        let hour = 3_600_000;
        for i in 0..10u64 {
            wkd.remember_miss(format!("user{i}@x.example"), Timestamp(i * 1000));
        }
        assert_eq!(wkd.misses.lock().unwrap().len(), 3);
        // The newest are kept and still answer.
        assert!(wkd.missed_recently("user9@x.example", Timestamp(9000)));
        assert!(!wkd.missed_recently("user0@x.example", Timestamp(9000)));
        // Once expired, all make room at once.
        wkd.remember_miss("late@x.example".into(), Timestamp(10_000 + hour));
        assert_eq!(wkd.misses.lock().unwrap().len(), 1);
    }

    #[test]
    fn hash_matches_the_draft_example() {
        // draft-koch-openpgp-webkey-service §3.1: "Joe.Doe" → iy9q119eutrkn8s1mk4r39qejnbu3n5q
        assert_eq!(wkd_hash("Joe.Doe"), "iy9q119eutrkn8s1mk4r39qejnbu3n5q");
    }
}
