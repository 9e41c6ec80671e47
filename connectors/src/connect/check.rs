//! `sealgate connect check TENANT`: from the attribution facts of the tenant's recent
//! messages (kept per tenant, `FactLog`; served by the admin API, written to the data
//! directory for a stopped gateway), what is wrong and how to fix it.

use crate::facts::Fact;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// A fact as exchanged (admin API, facts file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactRecord {
    /// Milliseconds since the Unix epoch.
    pub at: u64,
    /// Client address.
    pub source: IpAddr,
    /// Over TLS.
    pub tls: bool,
    /// Verified client-certificate names.
    pub cert_names: Vec<String>,
    /// The failed check's code, or none when the message was attributed.
    pub failed: Option<String>,
}

impl From<&Fact> for FactRecord {
    fn from(f: &Fact) -> Self {
        FactRecord {
            at: f.at.0,
            source: f.source,
            tls: f.tls,
            cert_names: f.cert_names.clone(),
            failed: f.failed.map(str::to_string),
        }
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The refusal code (`SG-…`).
    pub code: String,
    /// Messages refused for it among the facts.
    pub count: usize,
    /// The last one (ms since the epoch).
    pub last_at: u64,
    /// Source addresses seen with it.
    pub sources: Vec<IpAddr>,
    /// What is wrong.
    pub problem: String,
    /// The fix.
    pub fix: String,
}

/// The verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Tenant.
    pub tenant: String,
    /// Facts looked at.
    pub messages: usize,
    /// Of which attributed (accepted).
    pub accepted: usize,
    /// The last message was accepted.
    pub ok: bool,
    /// Problems, the most recent first.
    pub findings: Vec<Finding>,
}

/// What `code` means and its fix, for a tenant on `platform` (`m365`, `google`, `smtp`).
pub fn explain(code: &str, platform: &str) -> (String, String) {
    let (p, f): (&str, &str) = match code {
        "SG-M365-TOKEN-MISSING" | "SG-GOOGLE-TOKEN-MISSING" => (
            "token header missing: the rule is not stamping X-Sealgate-Token",
            if platform == "google" {
                "step 2 of `sealgate connect google` (routing rule, Add custom headers); changes take up to 24 hours"
            } else {
                "step 3 of the script (transport rule): check it exists, is enabled and in Enforce mode; rules take up to 30 minutes to apply"
            },
        ),
        "SG-M365-TOKEN" | "SG-GOOGLE-TOKEN" => (
            "wrong token: the header carries a value that is not this tenant's token (rotated token, or another tenant's script)",
            "rerun the script / routing-rule step with the current token (`sealgate connect m365|google TENANT` prints it)",
        ),
        "SG-M365-TENANT-ID" => (
            "wrong tenant id: X-MS-Exchange-CrossTenant-Id names another Microsoft 365 organisation",
            "compare tenants.NAME.tenant_id with Entra admin center > Overview > Tenant ID; if it is right, another organisation is sending as this tenant's domains",
        ),
        "SG-M365-TENANT-ID-MISSING" | "SG-M365-TENANT-ID-REPEATED" => (
            "no single X-MS-Exchange-CrossTenant-Id: the mail did not come straight from Exchange Online",
            "route the mail through the outbound connector (step 2) only, with nothing in between",
        ),
        "SG-M365-CERT" => (
            "certificate missing: the client did not present a verified certificate for mail.protection.outlook.com",
            "the connector of step 2 must use TLS; the gateway must ask for client certificates and trust the public roots ([smtp.tls] client_ca = \"system\")",
        ),
        "SG-NOT-TENANT" => (
            "source outside the ranges: the client's address is not in the platform's ranges (or the tenant's networks) — the range list may be stale",
            "compare the sources below with the platform's published ranges; update tenants.NAME.networks or upgrade Sealgate",
        ),
        "SG-LOOP" => (
            "loop stamp seen: a message the gateway already processed came back to it (Exchange would end such a loop with 554 5.4.14 Hop count exceeded)",
            "the rule's exception for X-Sealgate-Loop (step 3) is missing, or a forwarding or connector sends the gateway's output back",
        ),
        "SG-GOOGLE-TLS" => (
            "no TLS: Gmail delivered without STARTTLS",
            "step 1: the host route must require TLS and a CA-signed certificate",
        ),
        "SG-GOOGLE-DKIM" => (
            "no DKIM signature verifies for the tenant's domains",
            "step 3: turn on DKIM signing for every sender domain, or list the signing domain in tenants.NAME.dkim_domains",
        ),
        "SG-GOOGLE-DKIM-DNS" => (
            "the DKIM key could not be looked up (temporary)",
            "check the gateway's DNS resolver; Gmail retries",
        ),
        "SG-TOKEN-UNAVAILABLE" => (
            "the gateway has no token for this tenant",
            "create it with `sealgate tenant token NAME --config FILE` and restart the gateway",
        ),
        _ => (
            "refused by a check this version does not explain",
            "see the gateway's log for the code",
        ),
    };
    (p.to_string(), f.to_string())
}

/// The report for `tenant` from its facts (oldest first, as kept).
pub fn diagnose(tenant: &str, platform: &str, facts: &[FactRecord]) -> Report {
    let mut findings: Vec<Finding> = Vec::new();
    for f in facts.iter().rev() {
        let Some(code) = &f.failed else { continue };
        if let Some(x) = findings.iter_mut().find(|x| &x.code == code) {
            x.count += 1;
            if !x.sources.contains(&f.source) {
                x.sources.push(f.source);
            }
            continue;
        }
        let (problem, fix) = explain(code, platform);
        findings.push(Finding {
            code: code.clone(),
            count: 1,
            last_at: f.at,
            sources: vec![f.source],
            problem,
            fix,
        });
    }
    Report {
        tenant: tenant.to_string(),
        messages: facts.len(),
        accepted: facts.iter().filter(|f| f.failed.is_none()).count(),
        ok: facts.last().is_some_and(|f| f.failed.is_none()),
        findings,
    }
}

/// The report as text.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    if r.messages == 0 {
        out.push_str(&format!(
            "tenants.{}: no message from this tenant has reached the gateway yet.\n  Is the connector / host route in place and the rule applied (up to 30 minutes on Exchange Online, 24 hours on Google)? Does the smart-host name resolve to the gateway and port 25 reach it?\n",
            r.tenant
        ));
        return out;
    }
    let state = if r.ok {
        "OK: the last message was accepted"
    } else {
        "FAILING: the last message was refused"
    };
    out.push_str(&format!(
        "tenants.{}: {state} ({} of the last {} accepted)\n",
        r.tenant, r.accepted, r.messages
    ));
    for f in &r.findings {
        let sources: Vec<String> = f.sources.iter().map(ToString::to_string).collect();
        out.push_str(&format!(
            "\n[{}] {}\n  {} message(s), last {} UTC, from {}\n  fix: {}\n",
            f.code,
            f.problem,
            f.count,
            utc(f.last_at),
            sources.join(", "),
            f.fix
        ));
    }
    out
}

/// `YYYY-MM-DD HH:MM:SS` for milliseconds since the epoch (proleptic Gregorian, UTC).
pub fn utc(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Days to civil date (Howard Hinnant's algorithm, for dates after 1970).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
