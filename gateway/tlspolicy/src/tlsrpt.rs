//! SMTP TLS reporting (RFC 8460): per-session results aggregated per policy domain and UTC day
//! ([`Collector`]), the JSON report, the report mail ([`mail`]) and the daily run that sends it
//! ([`schedule`]).
//!
//! Guarantees: the JSON follows RFC 8460 §4.4 (`organization-name`, `date-range`,
//! `contact-info`, `report-id`, `policies[]` with `policy` {`policy-type` sts / tlsa /
//! no-policy-found, `policy-string`, `policy-domain`, `mx-host`}, `summary` and
//! `failure-details`); the mail (§5.3) is `multipart/report; report-type="tlsrpt"` with a
//! `text/plain` part and an `application/tlsrpt+gzip` attachment named
//! `submitter!policy-domain!begin!end!id.json.gz`, headers `TLS-Report-Domain`,
//! `TLS-Report-Submitter`, `TLS-Required: No` and subject `Report Domain: D Submitter: S
//! Report-ID: <ID>` ([`mail`]); it is built with mail-builder 2 from parsed addresses and a
//! valid [`Domain`], so nothing taken from DNS can inject a header. Reports carry host names,
//! IPs and counts — never recipients or content.

pub(crate) mod collect;
pub mod mail;
pub mod schedule;

pub use collect::Collector;
pub(crate) use collect::Counts;
pub use mail::{Rua, rua};
pub use schedule::{ReportSink, Schedule, SentSummary};

use crate::error::TlsPolicyError;
use sealgate_core::Domain;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `policy-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    /// MTA-STS.
    Sts,
    /// DANE TLSA.
    Tlsa,
    /// Neither.
    NoPolicyFound,
}

/// The policy a session was made under.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ReportPolicy {
    /// `policy-type`.
    pub kind: PolicyKind,
    /// `policy-domain`.
    pub domain: String,
    /// `policy-string`: the MTA-STS lines or TLSA records.
    pub strings: Vec<String>,
    /// `mx-host`: MTA-STS patterns, or the MX host of a TLSA policy.
    pub mx_hosts: Vec<String>,
}

/// `result-type` values (RFC 8460 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The receiver did not offer STARTTLS.
    StarttlsNotSupported,
    /// The certificate does not name the host.
    CertificateHostMismatch,
    /// The certificate has expired.
    CertificateExpired,
    /// The chain does not lead to a trusted root.
    CertificateNotTrusted,
    /// Any other validation failure (handshake failure included).
    ValidationFailure,
    /// No TLSA record matched.
    TlsaInvalid,
    /// DNSSEC validation failed (bogus).
    DnssecInvalid,
    /// DANE was required but not available.
    DaneRequired,
    /// The MTA-STS policy could not be fetched.
    StsPolicyFetchError,
    /// The MTA-STS policy was malformed.
    StsPolicyInvalid,
    /// The MX host did not pass WebPKI as an MTA-STS policy required.
    StsWebpkiInvalid,
}

impl FailureKind {
    /// The RFC's name.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::StarttlsNotSupported => "starttls-not-supported",
            FailureKind::CertificateHostMismatch => "certificate-host-mismatch",
            FailureKind::CertificateExpired => "certificate-expired",
            FailureKind::CertificateNotTrusted => "certificate-not-trusted",
            FailureKind::ValidationFailure => "validation-failure",
            FailureKind::TlsaInvalid => "tlsa-invalid",
            FailureKind::DnssecInvalid => "dnssec-invalid",
            FailureKind::DaneRequired => "dane-required",
            FailureKind::StsPolicyFetchError => "sts-policy-fetch-error",
            FailureKind::StsPolicyInvalid => "sts-policy-invalid",
            FailureKind::StsWebpkiInvalid => "sts-webpki-invalid",
        }
    }

    /// The result type of a failed handshake under a policy of kind `kind`.
    pub fn from_rustls(e: &rustls::Error, kind: PolicyKind) -> FailureKind {
        use rustls::CertificateError as C;
        match (e, kind) {
            (rustls::Error::InvalidCertificate(_), PolicyKind::Tlsa) => FailureKind::TlsaInvalid,
            (rustls::Error::InvalidCertificate(_), PolicyKind::Sts) => {
                FailureKind::StsWebpkiInvalid
            }
            (rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }), _) => {
                FailureKind::CertificateExpired
            }
            (
                rustls::Error::InvalidCertificate(
                    C::NotValidForName | C::NotValidForNameContext { .. },
                ),
                _,
            ) => FailureKind::CertificateHostMismatch,
            (rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature), _) => {
                FailureKind::CertificateNotTrusted
            }
            _ => FailureKind::ValidationFailure,
        }
    }
}

/// Who submits the reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitter {
    /// `organization-name`.
    pub organization: String,
    /// `contact-info` (an address or URI).
    pub contact: String,
    /// The submitter's domain (`TLS-Report-Submitter`; the gateway's domain).
    pub domain: Domain,
}

pub(crate) const DAY_SECS: u64 = 86_400;

/// `date-range`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// `start-datetime`.
    #[serde(rename = "start-datetime")]
    pub start: String,
    /// `end-datetime`.
    #[serde(rename = "end-datetime")]
    pub end: String,
}

/// `policy` inside a policy entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyJson {
    /// `policy-type`.
    #[serde(rename = "policy-type")]
    pub kind: PolicyKind,
    /// `policy-string`.
    #[serde(
        rename = "policy-string",
        skip_serializing_if = "Vec::is_empty",
        default
    )]
    pub strings: Vec<String>,
    /// `policy-domain`.
    #[serde(rename = "policy-domain")]
    pub domain: String,
    /// `mx-host`.
    #[serde(rename = "mx-host", skip_serializing_if = "Vec::is_empty", default)]
    pub mx_hosts: Vec<String>,
}

/// `summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// `total-successful-session-count`.
    #[serde(rename = "total-successful-session-count")]
    pub successful: u64,
    /// `total-failure-session-count`.
    #[serde(rename = "total-failure-session-count")]
    pub failed: u64,
}

/// One `failure-details` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureDetail {
    /// `result-type`.
    #[serde(rename = "result-type")]
    pub result_type: FailureKind,
    /// `sending-mta-ip`.
    #[serde(rename = "sending-mta-ip", skip_serializing_if = "Option::is_none")]
    pub sending_ip: Option<String>,
    /// `receiving-mx-hostname`.
    #[serde(rename = "receiving-mx-hostname")]
    pub receiving_host: String,
    /// `receiving-ip`.
    #[serde(rename = "receiving-ip", skip_serializing_if = "Option::is_none")]
    pub receiving_ip: Option<String>,
    /// `failed-session-count`.
    #[serde(rename = "failed-session-count")]
    pub count: u64,
}

/// One `policies[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyEntry {
    /// `policy`.
    pub policy: PolicyJson,
    /// `summary`.
    pub summary: Summary,
    /// `failure-details`.
    #[serde(
        rename = "failure-details",
        skip_serializing_if = "Vec::is_empty",
        default
    )]
    pub failures: Vec<FailureDetail>,
}

/// One report: one policy domain, one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// `organization-name`.
    #[serde(rename = "organization-name")]
    pub organization: String,
    /// `date-range`.
    #[serde(rename = "date-range")]
    pub date_range: DateRange,
    /// `contact-info`.
    #[serde(rename = "contact-info")]
    pub contact: String,
    /// `report-id`.
    #[serde(rename = "report-id")]
    pub report_id: String,
    /// `policies`.
    pub policies: Vec<PolicyEntry>,
    /// The policy domain (not part of the JSON).
    #[serde(skip)]
    pub policy_domain: Option<Domain>,
    /// The submitter's domain (not part of the JSON).
    #[serde(skip)]
    pub submitter: Option<Domain>,
    /// The UTC day, days since the epoch (not part of the JSON).
    #[serde(skip)]
    pub day: u64,
}

/// `(year, month, day)` of a day count since 1970-01-01 (proleptic Gregorian, UTC).
pub fn civil(days: u64) -> (i64, u32, u32) {
    // Howard Hinnant's `civil_from_days`.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

impl Report {
    /// The report of `day`; `until` (seconds into the day) cuts it short: a report made before
    /// the day ended (an admin's "send now") covers only up to then, and its `report-id`
    /// carries that time so the day's later report has an id of its own (RFC 8460 §4.4).
    pub(crate) fn new(
        day: u64,
        domain: Domain,
        submitter: &Submitter,
        policies: BTreeMap<ReportPolicy, Counts>,
        until: Option<u64>,
    ) -> Report {
        let (y, m, d) = civil(day);
        let date = format!("{y:04}-{m:02}-{d:02}");
        let hms = |s: u64| format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
        let (end, id_date) = match until {
            Some(s) if s < DAY_SECS => (
                format!("{date}T{}Z", hms(s)),
                format!("{date}T{}Z", hms(s).replace(':', "")),
            ),
            _ => (format!("{date}T23:59:59Z"), date.clone()),
        };
        let entries = policies
            .into_iter()
            .map(|(p, c)| PolicyEntry {
                summary: Summary {
                    successful: c.success,
                    failed: c.failures.values().sum(),
                },
                failures: c
                    .failures
                    .into_iter()
                    .map(|(k, n)| FailureDetail {
                        result_type: k.kind,
                        sending_ip: k.sending_ip.map(|i| i.to_string()),
                        receiving_host: k.receiving_host,
                        receiving_ip: k.receiving_ip.map(|i| i.to_string()),
                        count: n,
                    })
                    .collect(),
                policy: PolicyJson {
                    kind: p.kind,
                    strings: p.strings,
                    domain: p.domain,
                    mx_hosts: p.mx_hosts,
                },
            })
            .collect();
        Report {
            organization: submitter.organization.clone(),
            date_range: DateRange {
                start: format!("{date}T00:00:00Z"),
                end,
            },
            contact: submitter.contact.clone(),
            report_id: format!("{id_date}.{domain}@{}", submitter.domain),
            policies: entries,
            policy_domain: Some(domain),
            submitter: Some(submitter.domain.clone()),
            day,
        }
    }

    /// The report as JSON.
    pub fn to_json(&self) -> Result<Vec<u8>, TlsPolicyError> {
        serde_json::to_vec(self).map_err(|e| TlsPolicyError::Report(format!("JSON: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_and_rua() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(19_358), (2023, 1, 1));
        assert_eq!(civil(11_016), (2000, 2, 29));
        let r = rua(&["v=TLSRPTv1; rua=mailto:tls@ex.example,https://r.ex.example/x".into()]);
        assert_eq!(r.len(), 2);
        assert!(matches!(&r[0], Rua::Mail(a) if a.to_string() == "tls@ex.example"));
        assert!(rua(&["v=TLSRPTv1; rua=mailto:bad\r\nBcc: x@y".into()]).is_empty());
    }
}
