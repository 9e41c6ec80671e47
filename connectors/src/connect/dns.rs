//! The DNS records of a tenant's setup: what the tenant publishes (SPF for the gateway's
//! sending addresses, its DKIM keys) and what the gateway operator publishes once (the SPF
//! record the tenants include, the smart-host name, the return route's certificate name).

use super::{PlatformSetup, Setup};
use serde::Serialize;

/// One record to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsRecord {
    /// Who publishes it: `tenant` or `gateway operator`.
    pub who: &'static str,
    /// Owner name.
    pub name: String,
    /// Record type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Value (for TXT, the text without quotes).
    pub value: String,
    /// Why.
    pub note: String,
}

/// The name of the SPF record the gateway operator publishes and tenants include.
pub fn spf_name(gateway_domain: &str) -> String {
    format!("_spf.{gateway_domain}")
}

/// The records for `s`.
pub fn records(s: &Setup) -> Vec<DnsRecord> {
    let mut out = Vec::new();
    let platform_include = match &s.platform {
        PlatformSetup::M365 { .. } => "spf.protection.outlook.com",
        PlatformSetup::Google { .. } => "_spf.google.com",
    };
    let spf = spf_name(&s.gateway_domain);
    for d in &s.sender_domains {
        out.push(DnsRecord {
            who: "tenant",
            name: d.clone(),
            kind: "TXT",
            value: format!("v=spf1 include:{platform_include} include:{spf} -all"),
            note: format!(
                "SPF: mail of {d} now leaves through the gateway; add include:{spf} to the one existing SPF record (keep its other mechanisms), or DMARC fails after rerouting"
            ),
        });
    }
    for k in &s.dkim {
        out.push(DnsRecord {
            who: "tenant",
            name: format!("{}._domainkey.{}", k.selector, k.domain),
            kind: "TXT",
            value: k.txt.clone().unwrap_or_else(|| {
                "(the public key could not be read; `sealgate dkim keygen` prints it)".into()
            }),
            note: format!(
                "DKIM: the gateway signs {}'s mail with this key (selector {}) after it changes the message",
                k.domain, k.selector
            ),
        });
    }
    out.push(DnsRecord {
        who: "gateway operator",
        name: spf,
        kind: "TXT",
        value: format!("v=spf1 a:{} -all", s.gateway_host),
        note: "once for all tenants: the gateway's sending addresses (list every sending address or host if there are several)".into(),
    });
    out.push(DnsRecord {
        who: "gateway operator",
        name: s.gateway_host.clone(),
        kind: "A/AAAA",
        value: "(the gateway's public address)".into(),
        note: "the smart host the tenant's platform delivers to; its certificate must be CA-signed for this name".into(),
    });
    if let Some(cert) = &s.return_cert_name {
        out.push(DnsRecord {
            who: "gateway operator",
            name: cert.clone(),
            kind: "CERT",
            value: "(a name in a domain the operator controls)".into(),
            note: "the name of the client certificate the gateway presents on this tenant's return route; the CA validates it the usual way (no record is needed by the tenant)".into(),
        });
    }
    out
}

/// The records as text, one block each.
pub fn text(records: &[DnsRecord]) -> String {
    let mut out = String::from("DNS records\n");
    for r in records {
        let value = if r.kind == "TXT" {
            format!("\"{}\"", r.value)
        } else {
            r.value.clone()
        };
        out.push_str(&format!(
            "  [{}] {} {} {}\n      {}\n",
            r.who, r.name, r.kind, value, r.note
        ));
    }
    out
}
