//! The Google Admin console steps of `sealgate connect google TENANT`, with the tenant's exact
//! values. (Google offers no supported script for Gmail routing settings, so these are steps
//! to click through; the labels are the Admin console's.)

use super::{ConnectError, PlatformSetup, Setup};
use crate::token::TOKEN_HEADER;
use serde::Serialize;

/// One step: where in the console, then what to set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Title.
    pub title: String,
    /// Console path.
    pub path: String,
    /// (setting, value) pairs in the order of the form.
    pub settings: Vec<(String, String)>,
    /// What the step does.
    pub note: String,
}

/// The host route's name for `tenant`.
pub fn route_name(tenant: &str) -> String {
    format!("Sealgate ({tenant})")
}

/// The steps for a google tenant.
pub fn steps(s: &Setup) -> Result<Vec<Step>, ConnectError> {
    let PlatformSetup::Google { primary_domain } = &s.platform else {
        return Err(ConnectError::WrongPlatform {
            tenant: s.tenant.clone(),
            actual: "m365".into(),
            wanted: "google".into(),
        });
    };
    let route = route_name(&s.tenant);
    let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
    Ok(vec![
        Step {
            title: "1. The host route to the gateway".into(),
            path: "Admin console > Apps > Google Workspace > Gmail > Hosts > Add route".into(),
            settings: vec![
                kv("Name", &route),
                kv("Specify email server", "Single host"),
                kv("Host", &s.gateway_host),
                kv("Port", "25"),
                kv("Require secure transport (TLS)", "on"),
                kv("Require CA signed certificate", "on"),
                kv("Validate certificate hostname", "on"),
            ],
            note: "Gmail delivers to the gateway only over TLS, to a certificate that is CA-signed and names the host.".into(),
        },
        Step {
            title: "2. The routing rule for outbound mail".into(),
            path: "Admin console > Apps > Google Workspace > Gmail > Routing > Routing > Configure".into(),
            settings: vec![
                kv("Description", &format!("Sealgate route external mail ({})", s.tenant)),
                kv("Email messages to affect", "Outbound"),
                kv("Add custom headers", "on"),
                kv("Custom header key", TOKEN_HEADER),
                kv("Custom header value", &s.token),
                kv("Change route", "on"),
                kv("Normal routing", &route),
            ],
            note: format!(
                "Mail to outside recipients goes to the gateway with this tenant's secret token in {TOKEN_HEADER} (keep the value like a password). Changes take up to 24 hours to apply."
            ),
        },
        Step {
            title: "3. DKIM signing by Gmail".into(),
            path: "Admin console > Apps > Google Workspace > Gmail > Authenticate email".into(),
            settings: s
                .sender_domains
                .iter()
                .map(|d| kv(d, "Generate new record, publish it, then Start authentication"))
                .collect(),
            note: "The gateway accepts this tenant's mail only with a DKIM signature that verifies for one of its domains.".into(),
        },
        Step {
            title: "4. The return route".into(),
            path: "(nothing to configure)".into(),
            settings: vec![kv("Delivered to", &format!("the MX hosts of {primary_domain}, TLS verified"))],
            note: format!(
                "Delivery reports and sender notices come from {} to the MX of {primary_domain}; allow that sender if your spam settings are strict (Gmail > Spam, Phishing and Malware > Email allowlist: the gateway's addresses).",
                s.gateway_domain
            ),
        },
    ])
}

/// The steps as text.
pub fn text(steps: &[Step]) -> String {
    let mut out = String::new();
    for st in steps {
        out.push_str(&format!("{}\n   {}\n", st.title, st.path));
        for (k, v) in &st.settings {
            out.push_str(&format!("   - {k}: {v}\n"));
        }
        out.push_str(&format!("   {}\n\n", st.note));
    }
    out
}
