//! Gauges of the gateway's state, set by a periodic task rather than at an event: spool disk
//! space, the age of the oldest waiting message, certificate expiry and DKIM key age.
//!
//! Labels: `certificate` is a fixed name (`smtp`: the gateway's server certificate;
//! `return_route_client`: the client certificate presented on a tenant's return route), `tenant`
//! a configured tenant name (or `gateway` for the gateway's own certificate and key), `kind` a
//! fixed durability point (`body`, `directory`, `database`). Timestamps are Unix seconds, so a dashboard or alert
//! computes the age or time left with `time() - x` / `x - time()`.

use crate::Metrics;
use prometheus::{Gauge, GaugeVec, HistogramOpts, HistogramVec, IntGauge, Opts};

/// The state gauges, registered in the gateway's [`Metrics`] registry.
#[derive(Clone)]
pub struct StateGauges {
    /// `sealgate_spool_filesystem_free_bytes`: bytes available to the gateway on the
    /// spool's file system.
    pub spool_free_bytes: IntGauge,
    /// `sealgate_spool_filesystem_size_bytes`: size of that file system.
    pub spool_size_bytes: IntGauge,
    /// `sealgate_queue_oldest_message_age_seconds`: how long the oldest message with a
    /// recipient not yet final has waited (0 with none).
    pub oldest_age_seconds: Gauge,
    /// `sealgate_certificate_expiry_timestamp_seconds{certificate, tenant}`.
    pub cert_expiry: GaugeVec,
    /// `sealgate_fsync_seconds{kind}`: duration of each durability point of the spool.
    pub fsync_seconds: HistogramVec,
    /// `sealgate_dkim_key_oldest_timestamp_seconds{tenant}`: when the oldest DKIM key file in
    /// use by the tenant was last written (the age of the key in rotation terms).
    pub dkim_key_oldest: GaugeVec,
}

impl std::fmt::Debug for StateGauges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateGauges")
    }
}

impl StateGauges {
    /// Creates the gauges and registers them with `metrics`.
    pub fn register(metrics: &Metrics) -> Result<StateGauges, prometheus::Error> {
        let g = StateGauges {
            spool_free_bytes: IntGauge::new(
                "sealgate_spool_filesystem_free_bytes",
                "Bytes available to the gateway on the spool's file system",
            )?,
            spool_size_bytes: IntGauge::new(
                "sealgate_spool_filesystem_size_bytes",
                "Size of the spool's file system in bytes",
            )?,
            oldest_age_seconds: Gauge::new(
                "sealgate_queue_oldest_message_age_seconds",
                "Age of the oldest message with a recipient not yet final",
            )?,
            cert_expiry: GaugeVec::new(
                Opts::new(
                    "sealgate_certificate_expiry_timestamp_seconds",
                    "Expiry (notAfter) of the gateway's certificates, Unix time",
                ),
                &["certificate", "tenant"],
            )?,
            fsync_seconds: HistogramVec::new(
                HistogramOpts::new(
                    "sealgate_fsync_seconds",
                    "Duration of the spool's durability points (file and directory fsync, database commit)",
                )
                .buckets(vec![
                    0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0,
                ]),
                &["kind"],
            )?,
            dkim_key_oldest: GaugeVec::new(
                Opts::new(
                    "sealgate_dkim_key_oldest_timestamp_seconds",
                    "Write time of the oldest DKIM key file in use, per tenant, Unix time",
                ),
                &["tenant"],
            )?,
        };
        metrics.register(Box::new(g.spool_free_bytes.clone()))?;
        metrics.register(Box::new(g.spool_size_bytes.clone()))?;
        metrics.register(Box::new(g.oldest_age_seconds.clone()))?;
        metrics.register(Box::new(g.cert_expiry.clone()))?;
        metrics.register(Box::new(g.fsync_seconds.clone()))?;
        metrics.register(Box::new(g.dkim_key_oldest.clone()))?;
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
    use super::*;

    #[test]
    fn gauges_render_with_fixed_labels() {
        let m = Metrics::new().unwrap();
        let g = StateGauges::register(&m).unwrap();
        g.spool_free_bytes.set(1024);
        g.cert_expiry
            .with_label_values(&["smtp", "gateway"])
            .set(1_900_000_000.0);
        g.fsync_seconds.with_label_values(&["body"]).observe(0.003);
        let text = m.render();
        assert!(text.contains("sealgate_spool_filesystem_free_bytes 1024"));
        assert!(text.contains(
            "sealgate_certificate_expiry_timestamp_seconds{certificate=\"smtp\",tenant=\"gateway\"} 1900000000"
        ));
        assert!(text.contains("sealgate_fsync_seconds_count{kind=\"body\"} 1"));
    }
}
