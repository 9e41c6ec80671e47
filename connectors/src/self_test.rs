//! The connector self-test (issue 11, item 5): mail from an attributed tenant user to
//! `connect-test@<gateway domain>` is never delivered; the gateway answers the sender through
//! the tenant's return route with a report of the attribution checks that passed.
//!
//! This module names the address and writes the report's check lines from the tenant's
//! configuration and the session's facts: the platform, the source range that admitted the
//! client, the verified certificate name, the tenant id (m365), that the token matched (never
//! its value), the inbound DKIM result where the platform checks it (google), and the loop
//! stamp. No line carries message content or an envelope address.

use crate::attribute::SessionFacts;
use crate::m365::TENANT_ID_HEADER;
use crate::tenants::Tenant;
use crate::token::TOKEN_HEADER;
use sealgate_config::Platform;
use sealgate_core::{Address, Domain, SelfTest};

/// The local part of the self-test address.
pub const SELF_TEST_LOCAL_PART: &str = "connect-test";

/// `connect-test@<domain>`, the self-test address of a gateway whose mail domain is `domain`.
pub fn self_test_address(domain: &Domain) -> Option<Address> {
    Address::parse(&format!("{SELF_TEST_LOCAL_PART}@{domain}")).ok()
}

impl Tenant {
    /// The report lines of an attribution that passed every check of this tenant's platform
    /// (call only after [`crate::Tenants::attribute`] returned the message).
    pub fn passed_checks(&self, session: &SessionFacts<'_>) -> SelfTest {
        let mut checks = vec![format!(
            "platform: {} ({})",
            self.platform.name(),
            platform_title(&self.platform)
        )];
        checks.push(self.source_line(session));
        if let Some(name) = self.matched_cert_name(session) {
            checks.push(format!(
                "certificate name: {name} (client certificate verified and accepted for this tenant)"
            ));
        }
        let token =
            format!("tenant token: {TOKEN_HEADER} matched this tenant's token (value not shown)");
        let inbound_dkim = match &self.platform {
            Platform::Smtp => {
                "not checked (smtp tenants are attributed by network and certificate)".to_string()
            }
            Platform::M365 { tenant_id } => {
                checks.push(format!("tenant id: {TENANT_ID_HEADER} equals {tenant_id}"));
                checks.push(token);
                "not checked (m365 attribution uses the tenant id and token)".to_string()
            }
            Platform::Google { .. } => {
                checks.push("TLS: the client used STARTTLS".to_string());
                checks.push(token);
                checks
                    .push("DKIM: a signature by one of the tenant's domains verified".to_string());
                "verified for one of the tenant's domains (google attribution check)".to_string()
            }
        };
        checks.push(
            "loop stamp: the message carried no stamp of this gateway; this gateway's stamp was added"
                .to_string(),
        );
        SelfTest {
            checks,
            inbound_dkim,
        }
    }

    fn source_line(&self, session: &SessionFacts<'_>) -> String {
        let ip = crate::tenants::canonical(session.ip);
        match self.networks.iter().find(|n| n.contains(&ip)) {
            Some(net) => format!("source range: {ip} is in {net} (the tenant's admitted networks)"),
            None => format!("source range: {ip} (the tenant has no network restriction)"),
        }
    }

    fn matched_cert_name<'a>(&self, session: &'a SessionFacts<'_>) -> Option<&'a str> {
        session
            .cert_names
            .iter()
            .find(|c| {
                let c = c.trim_end_matches('.').to_ascii_lowercase();
                self.cert_names.contains(&c)
            })
            .map(String::as_str)
    }
}

fn platform_title(p: &Platform) -> &'static str {
    match p {
        Platform::Smtp => "the tenant's own MTA",
        Platform::M365 { .. } => "Microsoft 365 / Exchange Online",
        Platform::Google { .. } => "Google Workspace",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealgate_config::TenantConfig;

    #[test]
    fn an_m365_attribution_lists_every_check_and_no_token_value() {
        let c = TenantConfig {
            name: "a".into(),
            networks: vec!["10.0.0.0/8".parse().unwrap()],
            client_cert_names: vec!["mail.protection.outlook.com".into()],
            sender_domains: vec![Domain::parse("a.org").unwrap()],
            any_sender_domain: false,
            dkim: Vec::new(),
            platform: Platform::M365 {
                tenant_id: "aaaaaaaa-0000-4000-8000-000000000001".into(),
            },
            token_file: None,
            return_route: None,
            return_cert: None,
            verify: None,
        };
        let t = Tenant::from_config(&c);
        let names = ["Mail.Protection.Outlook.com".to_string()];
        let s = SessionFacts {
            ip: "::ffff:10.1.2.3".parse().unwrap(),
            tls: true,
            cert_names: &names,
        };
        let st = t.passed_checks(&s);
        let all = st.checks.join("\n");
        for want in [
            "platform: m365",
            "source range: 10.1.2.3 is in 10.0.0.0/8",
            "certificate name: Mail.Protection.Outlook.com",
            "tenant id: X-MS-Exchange-CrossTenant-Id equals aaaaaaaa-0000-4000-8000-000000000001",
            "tenant token: X-Sealgate-Token matched",
            "loop stamp:",
        ] {
            assert!(all.contains(want), "{want} missing from {all}");
        }
        assert!(st.inbound_dkim.starts_with("not checked"));
        assert_eq!(
            self_test_address(&Domain::parse("GW.Example").unwrap())
                .unwrap()
                .to_string(),
            "connect-test@gw.example"
        );
    }
}
