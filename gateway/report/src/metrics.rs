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
        let r = Register(&registry);
        let seconds_buckets = vec![
            0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ];
        let delivery_buckets = vec![
            0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0, 300.0, 3600.0, 86_400.0,
        ];
        Ok(Metrics {
            sessions: r.counter(&Self::SESSIONS)?,
            sessions_active: r.gauge(&Self::SESSIONS_ACTIVE)?,
            accepted: r.counter(&Self::ACCEPTED)?,
            rejected: r.counters(&Self::REJECTED)?,
            bytes: r.counter(&Self::BYTES)?,
            spool_depth: r.gauges(&Self::SPOOL_DEPTH)?,
            commit_seconds: r.histogram(&Self::COMMIT_SECONDS, seconds_buckets)?,
            config_reloads: r.counters(&Self::CONFIG_RELOADS)?,
            delivered: r.counters(&Self::DELIVERED)?,
            deferred: r.counters(&Self::DEFERRED)?,
            bounced: r.counters(&Self::BOUNCED)?,
            dropped: r.counters(&Self::DROPPED)?,
            delivery_seconds: r.histogram(&Self::DELIVERY_SECONDS, delivery_buckets)?,
            outbound_tls: r.counters(&Self::OUTBOUND_TLS)?,
            tls_floor_unmet: r.counters(&Self::TLS_FLOOR_UNMET)?,
            protected: r.counters(&Self::PROTECTED)?,
            rule_matches: r.counters(&Self::RULE_MATCHES)?,
            detector_hits: r.counters(&Self::DETECTOR_HITS)?,
            destinations_refused: r.counters(&Self::DESTINATIONS_REFUSED)?,
            registry,
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

/// A metric's name, help text and label names.
struct Def {
    name: &'static str,
    help: &'static str,
    labels: &'static [&'static str],
}

/// The gateway's metrics, one definition each (the stages' own register elsewhere).
impl Metrics {
    /// `sealgate_smtp_sessions_total`.
    const SESSIONS: Def = Def {
        name: "sealgate_smtp_sessions_total",
        help: "Inbound SMTP sessions opened",
        labels: &[],
    };
    /// `sealgate_smtp_sessions_active`.
    const SESSIONS_ACTIVE: Def = Def {
        name: "sealgate_smtp_sessions_active",
        help: "Inbound SMTP sessions open now",
        labels: &[],
    };
    /// `sealgate_messages_accepted_total`.
    const ACCEPTED: Def = Def {
        name: "sealgate_messages_accepted_total",
        help: "Messages accepted after durable commit",
        labels: &[],
    };
    /// `sealgate_smtp_rejected_total`.
    const REJECTED: Def = Def {
        name: "sealgate_smtp_rejected_total",
        help: "SMTP refusals by reason class",
        labels: &["reason"],
    };
    /// `sealgate_received_bytes_total`.
    const BYTES: Def = Def {
        name: "sealgate_received_bytes_total",
        help: "Message octets accepted",
        labels: &[],
    };
    /// `sealgate_spool_recipients`.
    const SPOOL_DEPTH: Def = Def {
        name: "sealgate_spool_recipients",
        help: "Recipients in the spool by status",
        labels: &["status"],
    };
    /// `sealgate_commit_seconds`.
    const COMMIT_SECONDS: Def = Def {
        name: "sealgate_commit_seconds",
        help: "End of DATA to durable commit",
        labels: &[],
    };
    /// `sealgate_config_reloads_total`.
    const CONFIG_RELOADS: Def = Def {
        name: "sealgate_config_reloads_total",
        help: "Configuration reloads by result",
        labels: &["result"],
    };
    /// `sealgate_delivered_total`.
    const DELIVERED: Def = Def {
        name: "sealgate_delivered_total",
        help: "Recipients delivered by target",
        labels: &["target"],
    };
    /// `sealgate_deferred_total`.
    const DEFERRED: Def = Def {
        name: "sealgate_deferred_total",
        help: "Recipients deferred by reason class",
        labels: &["reason"],
    };
    /// `sealgate_bounced_total`.
    const BOUNCED: Def = Def {
        name: "sealgate_bounced_total",
        help: "Recipients bounced by reason class",
        labels: &["reason"],
    };
    /// `sealgate_dropped_total`.
    const DROPPED: Def = Def {
        name: "sealgate_dropped_total",
        help: "Recipients dropped by policy by reason class",
        labels: &["reason"],
    };
    /// `sealgate_delivery_seconds`.
    const DELIVERY_SECONDS: Def = Def {
        name: "sealgate_delivery_seconds",
        help: "Acceptance to delivery",
        labels: &[],
    };
    /// `sealgate_outbound_tls_total`.
    const OUTBOUND_TLS: Def = Def {
        name: "sealgate_outbound_tls_total",
        help: "Outbound SMTP transactions by TLS version and floor source",
        labels: &["version", "floor_source"],
    };
    /// `sealgate_tls_floor_unmet_total`.
    const TLS_FLOOR_UNMET: Def = Def {
        name: "sealgate_tls_floor_unmet_total",
        help: "Outbound next hops below the recipient domain's TLS floor",
        labels: &["outcome", "source"],
    };
    /// `sealgate_protected_recipients_total`.
    const PROTECTED: Def = Def {
        name: "sealgate_protected_recipients_total",
        help: "Recipients delivered by the protection method of their copy",
        labels: &["method"],
    };
    /// `sealgate_rule_matches_total`.
    const RULE_MATCHES: Def = Def {
        name: "sealgate_rule_matches_total",
        help: "Messages matched by each rule of the rule files",
        labels: &["rule"],
    };
    /// `sealgate_detector_hits_total`.
    const DETECTOR_HITS: Def = Def {
        name: "sealgate_detector_hits_total",
        help: "DLP detector findings by detector (counts, never values)",
        labels: &["detector"],
    };
    /// `sealgate_destinations_refused_total`.
    const DESTINATIONS_REFUSED: Def = Def {
        name: "sealgate_destinations_refused_total",
        help: "Connections refused because a remote domain named a non-global address",
        labels: &["purpose", "class"],
    };
}

/// Creates metrics and registers each in the registry.
struct Register<'a>(&'a Registry);

impl Register<'_> {
    /// Registers `m` and returns it (a clone shares the same series).
    fn add<M: prometheus::core::Collector + Clone + 'static>(
        &self,
        m: M,
    ) -> Result<M, prometheus::Error> {
        self.0.register(Box::new(m.clone()))?;
        Ok(m)
    }

    fn counter(&self, d: &Def) -> Result<IntCounter, prometheus::Error> {
        self.add(IntCounter::new(d.name, d.help)?)
    }

    fn gauge(&self, d: &Def) -> Result<IntGauge, prometheus::Error> {
        self.add(IntGauge::new(d.name, d.help)?)
    }

    fn counters(&self, d: &Def) -> Result<IntCounterVec, prometheus::Error> {
        self.add(IntCounterVec::new(Opts::new(d.name, d.help), d.labels)?)
    }

    fn gauges(&self, d: &Def) -> Result<IntGaugeVec, prometheus::Error> {
        self.add(IntGaugeVec::new(Opts::new(d.name, d.help), d.labels)?)
    }

    fn histogram(&self, d: &Def, buckets: Vec<f64>) -> Result<Histogram, prometheus::Error> {
        let opts = HistogramOpts::new(d.name, d.help).buckets(buckets);
        self.add(Histogram::with_opts(opts)?)
    }
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
