//! The Prometheus metrics of the gateway. Label values are fixed reason classes.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

/// Why a message or transaction was refused (the `reason` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// Client is no tenant.
    NotTenant,
    /// Sender domain (envelope or header) not the tenant's.
    SenderDomain,
    /// TLS required and not used.
    TlsRequired,
    /// Over the size limit.
    Size,
    /// Too many recipients.
    Recipients,
    /// Protocol syntax or sequence error.
    Syntax,
    /// Bare CR/LF, overlong line or missing From in the content.
    Content,
    /// Refused by a rule.
    Policy,
    /// Storage failed (temporary).
    Storage,
    /// Connection limits.
    Limits,
    /// Timeouts.
    Timeout,
    /// A tenant's platform identity check failed, or a loop (the connector's own label, e.g.
    /// `m365_tenant_id_wrong`, `loop`).
    Attribution(&'static str),
}

impl RejectReason {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::NotTenant => "not_tenant",
            RejectReason::SenderDomain => "sender_domain",
            RejectReason::TlsRequired => "tls_required",
            RejectReason::Size => "size",
            RejectReason::Recipients => "recipients",
            RejectReason::Syntax => "syntax",
            RejectReason::Content => "content",
            RejectReason::Policy => "policy",
            RejectReason::Storage => "storage",
            RejectReason::Limits => "limits",
            RejectReason::Timeout => "timeout",
            RejectReason::Attribution(label) => label,
        }
    }
}

/// All gateway metrics, registered in one registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// SMTP sessions opened.
    pub sessions: IntCounter,
    /// SMTP sessions open now.
    pub sessions_active: IntGauge,
    /// Messages accepted (250 after commit).
    pub accepted: IntCounter,
    /// Refusals by reason.
    pub rejected: IntCounterVec,
    /// Message octets accepted.
    pub bytes: IntCounter,
    /// Recipients in the spool by status.
    pub spool_depth: IntGaugeVec,
    /// Time from end of DATA to durable commit.
    pub commit_seconds: Histogram,
    /// Configuration reloads by result (`ok`, `error`).
    pub config_reloads: IntCounterVec,
    /// Messages delivered by the deliver stage, by target.
    pub delivered: IntCounterVec,
    /// Recipients deferred (temporary failure), by reason class.
    pub deferred: IntCounterVec,
    /// Recipients bounced (permanent failure, expiry, policy), by reason class.
    pub bounced: IntCounterVec,
    /// Recipients dropped by policy (with a sender notice), by reason class.
    pub dropped: IntCounterVec,
    /// Time from acceptance to delivery.
    pub delivery_seconds: Histogram,
    /// Outbound transactions by TLS version (`none` in clear) and the source of the
    /// strongest floor they were judged against (`none` when no floor applied).
    pub outbound_tls: IntCounterVec,
    /// Outbound sessions (or skipped hosts) that did not meet the TLS floor, by what the
    /// floor then asked (`defer`, `next_method`, `drop`) and what set it (`rule`, `admin`,
    /// `mta-sts`, `dane`, `pin`).
    pub tls_floor_unmet: IntCounterVec,
    /// Recipients delivered, by the protection of their copy (`plain`, `tls-verified`,
    /// `pgp`, `smime`, `portal`).
    pub protected: IntCounterVec,
    /// Messages matched by each rule (rule ids from the administrator's rule files).
    pub rule_matches: IntCounterVec,
    /// Detector findings by detector name (counts of findings, never values).
    pub detector_hits: IntCounterVec,
    /// Connections not made because a remote domain named a non-global address, by purpose
    /// (`mx`, `mta-sts`, `wkd`, `tls-rpt`) and address class (`loopback`, `private`, …).
    pub destinations_refused: IntCounterVec,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let counter = |name: &str, help: &str| IntCounter::new(name, help);
        let sessions = counter(
            "sealgate_smtp_sessions_total",
            "Inbound SMTP sessions opened",
        )?;
        let sessions_active = IntGauge::new(
            "sealgate_smtp_sessions_active",
            "Inbound SMTP sessions open now",
        )?;
        let accepted = counter(
            "sealgate_messages_accepted_total",
            "Messages accepted after durable commit",
        )?;
        let rejected = IntCounterVec::new(
            Opts::new(
                "sealgate_smtp_rejected_total",
                "SMTP refusals by reason class",
            ),
            &["reason"],
        )?;
        let bytes = counter("sealgate_received_bytes_total", "Message octets accepted")?;
        let spool_depth = IntGaugeVec::new(
            Opts::new(
                "sealgate_spool_recipients",
                "Recipients in the spool by status",
            ),
            &["status"],
        )?;
        let commit_seconds = Histogram::with_opts(
            HistogramOpts::new("sealgate_commit_seconds", "End of DATA to durable commit").buckets(
                vec![
                    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ],
            ),
        )?;
        let config_reloads = IntCounterVec::new(
            Opts::new(
                "sealgate_config_reloads_total",
                "Configuration reloads by result",
            ),
            &["result"],
        )?;
        let delivered = IntCounterVec::new(
            Opts::new("sealgate_delivered_total", "Recipients delivered by target"),
            &["target"],
        )?;
        registry.register(Box::new(sessions.clone()))?;
        registry.register(Box::new(sessions_active.clone()))?;
        registry.register(Box::new(accepted.clone()))?;
        registry.register(Box::new(rejected.clone()))?;
        registry.register(Box::new(bytes.clone()))?;
        registry.register(Box::new(spool_depth.clone()))?;
        registry.register(Box::new(commit_seconds.clone()))?;
        registry.register(Box::new(config_reloads.clone()))?;
        let by_reason =
            |name: &str, help: &str| IntCounterVec::new(Opts::new(name, help), &["reason"]);
        let deferred = by_reason(
            "sealgate_deferred_total",
            "Recipients deferred by reason class",
        )?;
        let bounced = by_reason(
            "sealgate_bounced_total",
            "Recipients bounced by reason class",
        )?;
        let dropped = by_reason(
            "sealgate_dropped_total",
            "Recipients dropped by policy by reason class",
        )?;
        let delivery_seconds = Histogram::with_opts(
            HistogramOpts::new("sealgate_delivery_seconds", "Acceptance to delivery").buckets(
                vec![
                    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0, 300.0, 3600.0, 86_400.0,
                ],
            ),
        )?;
        let outbound_tls = IntCounterVec::new(
            Opts::new(
                "sealgate_outbound_tls_total",
                "Outbound SMTP transactions by TLS version and floor source",
            ),
            &["version", "floor_source"],
        )?;
        let tls_floor_unmet = IntCounterVec::new(
            Opts::new(
                "sealgate_tls_floor_unmet_total",
                "Outbound next hops below the recipient domain's TLS floor",
            ),
            &["outcome", "source"],
        )?;
        registry.register(Box::new(tls_floor_unmet.clone()))?;
        registry.register(Box::new(delivered.clone()))?;
        registry.register(Box::new(deferred.clone()))?;
        registry.register(Box::new(bounced.clone()))?;
        registry.register(Box::new(dropped.clone()))?;
        registry.register(Box::new(delivery_seconds.clone()))?;
        registry.register(Box::new(outbound_tls.clone()))?;
        let destinations_refused = IntCounterVec::new(
            Opts::new(
                "sealgate_destinations_refused_total",
                "Connections refused because a remote domain named a non-global address",
            ),
            &["purpose", "class"],
        )?;
        registry.register(Box::new(destinations_refused.clone()))?;
        let (protected, rule_matches, detector_hits) = dlp_and_protection(&registry)?;
        Ok(Metrics {
            registry,
            sessions,
            sessions_active,
            accepted,
            rejected,
            bytes,
            spool_depth,
            commit_seconds,
            config_reloads,
            delivered,
            deferred,
            bounced,
            dropped,
            delivery_seconds,
            outbound_tls,
            tls_floor_unmet,
            protected,
            rule_matches,
            detector_hits,
            destinations_refused,
        })
    }

    /// Counts a classification's matched rules and detector findings (names and counts).
    pub fn decision(&self, decision: &sealgate_core::Decision) {
        for rule in &decision.rules {
            self.rule_matches.with_label_values(&[rule.as_str()]).inc();
        }
        for hit in &decision.hits {
            self.detector_hits
                .with_label_values(&[hit.detector.as_str()])
                .inc_by(u64::from(hit.count));
        }
    }

    /// Registers `sealgate_build_info{version, commit} 1` (the Prometheus build-info idiom:
    /// join it to any series to see which build produced it). Call once at start.
    pub fn set_build_info(&self, version: &str, commit: &str) -> Result<(), prometheus::Error> {
        let info = IntGaugeVec::new(
            Opts::new(
                "sealgate_build_info",
                "Build of the running gateway (value 1; version and commit as labels)",
            ),
            &["version", "commit"],
        )?;
        info.with_label_values(&[version, commit]).set(1);
        self.registry.register(Box::new(info))
    }

    /// Registers another collector (a stage's own metrics) in the gateway's registry.
    pub fn register(
        &self,
        collector: Box<dyn prometheus::core::Collector>,
    ) -> Result<(), prometheus::Error> {
        self.registry.register(collector)
    }

    /// Counts one refusal.
    pub fn reject(&self, reason: RejectReason) {
        self.rejected.with_label_values(&[reason.as_str()]).inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        if TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .is_err()
        {
            return String::new();
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// The protection-method and DLP counters.
fn dlp_and_protection(
    registry: &Registry,
) -> Result<(IntCounterVec, IntCounterVec, IntCounterVec), prometheus::Error> {
    let protected = IntCounterVec::new(
        Opts::new(
            "sealgate_protected_recipients_total",
            "Recipients delivered by the protection method of their copy",
        ),
        &["method"],
    )?;
    let rule_matches = IntCounterVec::new(
        Opts::new(
            "sealgate_rule_matches_total",
            "Messages matched by each rule of the rule files",
        ),
        &["rule"],
    )?;
    let detector_hits = IntCounterVec::new(
        Opts::new(
            "sealgate_detector_hits_total",
            "DLP detector findings by detector (counts, never values)",
        ),
        &["detector"],
    )?;
    registry.register(Box::new(protected.clone()))?;
    registry.register(Box::new(rule_matches.clone()))?;
    registry.register(Box::new(detector_hits.clone()))?;
    Ok((protected, rule_matches, detector_hits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_with_reason_labels() {
        let m = Metrics::new().unwrap();
        m.accepted.inc();
        m.reject(RejectReason::SenderDomain);
        let text = m.render();
        assert!(text.contains("sealgate_messages_accepted_total 1"));
        assert!(text.contains("sealgate_smtp_rejected_total{reason=\"sender_domain\"} 1"));
    }

    #[test]
    fn build_info_names_version_and_commit() {
        let m = Metrics::new().unwrap();
        m.set_build_info("0.1.0", "0123456789ab").unwrap();
        assert!(
            m.render()
                .contains("sealgate_build_info{commit=\"0123456789ab\",version=\"0.1.0\"} 1")
        );
    }
}
