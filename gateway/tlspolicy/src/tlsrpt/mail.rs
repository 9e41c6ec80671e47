//! The report mail (RFC 8460 §5.3) and the `rua` of `_smtp._tls` (§3).

use super::{DAY_SECS, Report, civil};
use crate::error::TlsPolicyError;
use flate2::Compression;
use flate2::write::GzEncoder;
use mail_builder::MessageBuilder;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::{BodyPart, MimePart};
use sealgate_core::{Address, Domain, Timestamp};
use std::io::Write;

impl Report {
    /// The JSON, gzipped.
    pub fn gzip(&self) -> Result<Vec<u8>, TlsPolicyError> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&self.to_json()?)
            .map_err(|e| TlsPolicyError::Report(format!("gzip: {e}")))?;
        gz.finish()
            .map_err(|e| TlsPolicyError::Report(format!("gzip: {e}")))
    }

    fn domains(&self) -> Result<(&Domain, &Domain), TlsPolicyError> {
        match (&self.policy_domain, &self.submitter) {
            (Some(p), Some(s)) => Ok((p, s)),
            _ => Err(TlsPolicyError::Report("report lacks its domains".into())),
        }
    }

    /// `submitter!policy-domain!begin!end!id.json.gz` (RFC 8460 §5.1), times in epoch seconds;
    /// a report cut short before the day ended ends then, and its id names that time.
    pub fn file_name(&self) -> Result<String, TlsPolicyError> {
        let (domain, submitter) = self.domains()?;
        let begin = self.day * DAY_SECS;
        let (y, m, d) = civil(self.day);
        let end = self.end_seconds();
        let id = if end == DAY_SECS - 1 {
            format!("{y:04}{m:02}{d:02}")
        } else {
            format!(
                "{y:04}{m:02}{d:02}T{:02}{:02}{:02}",
                end / 3600,
                end / 60 % 60,
                end % 60
            )
        };
        Ok(format!(
            "{submitter}!{domain}!{begin}!{}!{id}.json.gz",
            begin + end
        ))
    }

    /// Seconds into the day at which the date range ends (`…THH:MM:SSZ`).
    fn end_seconds(&self) -> u64 {
        let hms = self.date_range.end.get(11..19).unwrap_or("23:59:59");
        let mut parts = hms.split(':').map(|p| p.parse::<u64>().ok());
        match (parts.next(), parts.next(), parts.next()) {
            (Some(Some(h)), Some(Some(m)), Some(Some(s))) if h < 24 && m < 60 && s < 60 => {
                h * 3600 + m * 60 + s
            }
            _ => DAY_SECS - 1,
        }
    }

    /// The report mail (RFC 8460 §5.3) from `from` to `to`, dated `now`. Sign it with the
    /// gateway's DKIM key before sending; send with `TLS-Required: No` semantics (exempt from
    /// pins and TLS floors).
    pub fn compose_mail(
        &self,
        from: &Address,
        to: &Address,
        now: Timestamp,
    ) -> Result<Vec<u8>, TlsPolicyError> {
        let (domain, submitter) = self.domains()?;
        let gz = self.gzip()?;
        let text = format!(
            "This is an aggregate TLS report (RFC 8460) from {submitter} for {domain}, \
             covering {} to {}.\r\n",
            self.date_range.start, self.date_range.end
        );
        let body = MimePart::new(
            ContentType::new("multipart/report").attribute("report-type", "tlsrpt"),
            BodyPart::Multipart(vec![
                MimePart::new("text/plain", BodyPart::Text(text.into())),
                MimePart::new("application/tlsrpt+gzip", BodyPart::Binary(gz.into()))
                    .attachment(self.file_name()?),
            ]),
        );
        let msg = MessageBuilder::new()
            .from(from.to_string())
            .to(to.to_string())
            // Plain ASCII as the RFC shows it (mail-builder's Text would RFC 2047-encode the
            // `<…>`); every part is a validated domain or built from them, so no CR or LF.
            .header(
                "Subject",
                Raw::new(format!(
                    "Report Domain: {domain} Submitter: {submitter} Report-ID: <{}>",
                    self.report_id
                )),
            )
            .date(now.secs() as i64)
            .message_id(format!("tlsrpt.{}", self.report_id))
            .header("TLS-Report-Domain", Raw::new(domain.to_string()))
            .header("TLS-Report-Submitter", Raw::new(submitter.to_string()))
            .header("TLS-Required", Raw::new("No"))
            .body(body);
        msg.write_to_vec()
            .map_err(|e| TlsPolicyError::Report(format!("mail: {e}")))
    }
}

/// Where a domain wants its reports (`_smtp._tls.DOMAIN` TXT, RFC 8460 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rua {
    /// `mailto:` address.
    Mail(Address),
    /// `https:` URL (POST, `application/tlsrpt+gzip`).
    Https(String),
}

/// The `rua` destinations of a `v=TLSRPTv1` record among TXT strings (none when the record
/// is missing, duplicated or malformed; unusable entries are skipped).
pub fn rua(txts: &[String]) -> Vec<Rua> {
    let recs: Vec<&String> = txts
        .iter()
        .filter(|t| t.trim_start().starts_with("v=TLSRPTv1"))
        .collect();
    let [rec] = recs.as_slice() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for field in rec.split(';').map(str::trim) {
        let Some(list) = field.strip_prefix("rua=") else {
            continue;
        };
        for uri in list.split(',').map(str::trim) {
            if let Some(addr) = uri.strip_prefix("mailto:") {
                if let Ok(a) = Address::parse(addr) {
                    out.push(Rua::Mail(a));
                }
            } else if uri.starts_with("https://") && !uri.contains(char::is_whitespace) {
                out.push(Rua::Https(uri.to_string()));
            }
        }
    }
    out
}

/// POSTs a report to an `https:` `rua` (RFC 8460 §5.2): `application/tlsrpt+gzip`, no
/// redirects, the fetcher's roots, time limit and test-only address override. Any 2xx is
/// success; anything else is a temporary failure (try again later).
pub async fn post(
    config: &crate::mtasts::FetcherConfig,
    url: &str,
    report: &Report,
) -> Result<(), TlsPolicyError> {
    let fail = |m: String| TlsPolicyError::Fetch(format!("TLS-RPT POST: {m}"));
    url.strip_prefix("https://")
        .and_then(|r| r.split(['/', ':', '?']).next())
        .filter(|h| !h.is_empty())
        .ok_or_else(|| fail("not an https URL".into()))?;
    // An address literal never reaches the resolver: judge it here.
    let literal = reqwest::Url::parse(url).ok().and_then(|u| {
        let h = u.host_str()?.trim_start_matches('[').trim_end_matches(']');
        h.parse::<std::net::IpAddr>().ok()
    });
    if let Some(ip) = literal {
        config
            .guard
            .check(sealgate_core::Purpose::TlsRpt, &ip.to_string(), ip)
            .map_err(|why| fail(format!("{ip}: {} address refused", why.as_str())))?;
    }
    let client = crate::mtasts::fetch::client(config, sealgate_core::Purpose::TlsRpt)?;
    let resp = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/tlsrpt+gzip")
        .body(report.gzip()?)
        .send()
        .await
        .map_err(|e| fail(e.to_string()))?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(fail(format!("HTTP status {}", resp.status())))
    }
}
