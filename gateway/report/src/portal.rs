//! The secure portal's per-event counters: `sealgate_portal_events_total{tenant, event}`.
//!
//! Guarantees: labels are a configured tenant name and one of the fixed event names of the
//! portal's event log (`escrowed` = deposits, `code-sent`, `code-passed` = logins ok,
//! `code-failed` = logins failed, `code-locked` = lockouts, `viewed` = reads,
//! `attachment-downloaded`, `revoked`, `expired`, `resend-asked` = "ask the sender", …) —
//! never an address, a reference word, an escrow id or anything from the message.

use crate::Metrics;
use prometheus::{IntCounterVec, Opts};

/// The portal's event counters, registered in the gateway's registry.
#[derive(Clone, Debug)]
pub struct PortalCounters {
    events: IntCounterVec,
}

impl PortalCounters {
    /// Registers the counter in `metrics`' registry and starts every (tenant, event) pair of
    /// `tenants` × `events` at zero, so dashboards and alerts see the series before the first
    /// event.
    pub fn register(
        metrics: &Metrics,
        tenants: &[String],
        events: &[&str],
    ) -> Result<Self, prometheus::Error> {
        let events_total = IntCounterVec::new(
            Opts::new(
                "sealgate_portal_events_total",
                "Secure portal events by tenant and event (deposits, codes, logins, reads, \
                 downloads, revokes, expiries, resend requests)",
            ),
            &["tenant", "event"],
        )?;
        metrics.register(Box::new(events_total.clone()))?;
        for tenant in tenants {
            for event in events {
                events_total.with_label_values(&[tenant.as_str(), event]);
            }
        }
        Ok(PortalCounters {
            events: events_total,
        })
    }

    /// Counts one event of `tenant`.
    pub fn count(&self, tenant: &str, event: &str) {
        self.events.with_label_values(&[tenant, event]).inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_counted_by_tenant_and_event_from_zero() {
        let m = Metrics::new().unwrap();
        let c = PortalCounters::register(&m, &["acme".into()], &["escrowed", "viewed"]).unwrap();
        let text = m.render();
        assert!(
            text.contains("sealgate_portal_events_total{event=\"viewed\",tenant=\"acme\"} 0"),
            "{text}"
        );
        c.count("acme", "viewed");
        c.count("acme", "viewed");
        c.count("acme", "escrowed");
        let text = m.render();
        assert!(text.contains("sealgate_portal_events_total{event=\"viewed\",tenant=\"acme\"} 2"));
        assert!(
            text.contains("sealgate_portal_events_total{event=\"escrowed\",tenant=\"acme\"} 1")
        );
        // Registering twice in one registry is refused (one owner of the series).
        assert!(PortalCounters::register(&m, &[], &[]).is_err());
    }
}
