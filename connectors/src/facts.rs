//! The facts of recent attributions, per tenant, kept in memory for diagnosis (part 2's
//! `connect check` reads them): when, from which address, over TLS or not, which verified
//! certificate names, and which check failed. Never a sender or recipient address, never
//! content.

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

    /// The facts kept for `tenant`, oldest first.
    pub fn recent(&self, tenant: &str) -> Vec<Fact> {
        self.0
            .lock()
            .ok()
            .and_then(|m| m.get(tenant).map(|r| r.iter().cloned().collect()))
            .unwrap_or_default()
    }
}
