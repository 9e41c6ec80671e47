//! The facts of recent attributions, per tenant, kept in memory for diagnosis (part 2's
//! `connect check` reads them): when, from which address, over TLS or not, which verified
//! certificate names, and which check failed. Never a sender or recipient address, never
//! content. `connect::check` reads them (admin API while the gateway runs, the facts file in
//! the data directory when it is stopped).

use sealgate_core::time::Timestamp;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

/// Attributions kept per tenant.
pub const KEPT_PER_TENANT: usize = 32;

/// One attribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// When (end of data).
    pub at: Timestamp,
    /// The client's address.
    pub source: IpAddr,
    /// The session was over TLS.
    pub tls: bool,
    /// Verified client-certificate names the session presented.
    pub cert_names: Vec<String>,
    /// The failed check's code (`SG-…`), or `None` when the tenant was attributed.
    pub failed: Option<&'static str>,
}

/// A small ring of facts per tenant.
#[derive(Debug, Default)]
pub struct FactLog(Mutex<HashMap<String, VecDeque<Fact>>>);

impl FactLog {
    /// Records a fact for `tenant`, dropping the oldest beyond [`KEPT_PER_TENANT`].
    pub fn record(&self, tenant: &str, fact: Fact) {
        let Ok(mut map) = self.0.lock() else {
            return;
        };
        let ring = map.entry(tenant.to_string()).or_default();
        if ring.len() >= KEPT_PER_TENANT {
            ring.pop_front();
        }
        ring.push_back(fact);
    }

    /// Every tenant's facts, by tenant name (sorted), oldest first.
    pub fn all(&self) -> Vec<(String, Vec<Fact>)> {
        let Ok(map) = self.0.lock() else {
            return Vec::new();
        };
        let mut all: Vec<(String, Vec<Fact>)> = map
            .iter()
            .map(|(t, r)| (t.clone(), r.iter().cloned().collect()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// The facts kept for `tenant`, oldest first.
    pub fn recent(&self, tenant: &str) -> Vec<Fact> {
        self.0
            .lock()
            .ok()
            .and_then(|m| m.get(tenant).map(|r| r.iter().cloned().collect()))
            .unwrap_or_default()
    }
}
