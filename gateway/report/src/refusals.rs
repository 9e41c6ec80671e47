//! The metrics registry as the [`RefusalSink`] of destination guards: each refused address is
//! counted by purpose and address class and logged with the host name that led to it (a
//! remote domain's host, never a recipient address).

use crate::Metrics;
use sealgate_core::{NonGlobal, Purpose, RefusalSink};
use std::net::IpAddr;

impl RefusalSink for Metrics {
    fn refused(&self, purpose: Purpose, host: &str, ip: IpAddr, why: NonGlobal) {
        self.destinations_refused
            .with_label_values(&[purpose.as_str(), why.as_str()])
            .inc();
        tracing::warn!(
            purpose = purpose.as_str(),
            %host,
            %ip,
            class = why.as_str(),
            "destination refused: not a global address (delivery.allow_non_global_destinations is off)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_counted_by_purpose_and_class() {
        let m = Metrics::new().unwrap();
        m.refused(
            Purpose::Wkd,
            "openpgpkey.example.org",
            "169.254.1.1".parse().unwrap(),
            NonGlobal::LinkLocal,
        );
        let text = m.render();
        assert!(
            text.contains(
                "sealgate_destinations_refused_total{class=\"link-local\",purpose=\"wkd\"} 1"
            ),
            "{text}"
        );
    }
}
