//! Attribution at the end of data: the tenant picked by sender domain must pass every check
//! of its platform; then the message is cleaned and stamped.
//!
//! Order: loop stamp (a message carrying this gateway's valid stamp is refused as a loop),
//! then the platform's checks (`m365.rs`, `google.rs`, `smtp.rs`). Each outcome is recorded
//! in the tenant's fact ring. On success every `X-Sealgate-*` header field from outside
//! (the token, stamps of any gateway, anything else under that prefix) is removed — never a
//! reason to refuse — and this gateway's stamp for the tenant is put on top. Other fields are
//! left byte for byte (Exchange Online's DKIM signature covers some of its own headers).

use crate::facts::Fact;
use crate::google::{self, GoogleTenant};
use crate::headers;
use crate::m365;
use crate::refusal::Refusal;
use crate::stamp::STAMP_HEADER;
use crate::tenants::{Tenant, Tenants};
use sealgate_config::Platform;
use sealgate_core::time::Timestamp;
use std::net::IpAddr;

/// What attribution knows of the session.
#[derive(Debug, Clone, Copy)]
pub struct SessionFacts<'a> {
    /// Client address.
    pub ip: IpAddr,
    /// STARTTLS was used.
    pub tls: bool,
    /// Verified client-certificate names (of those some tenant accepts).
    pub cert_names: &'a [String],
}

impl Tenants {
    /// Attributes `message` to `tenant` (picked by sender domain): every check of its platform
    /// must hold. Returns the message to keep (cleaned and stamped) or the refusal.
    pub async fn attribute(
        &self,
        tenant: &Tenant,
        session: &SessionFacts<'_>,
        message: &[u8],
        now: Timestamp,
    ) -> Result<Vec<u8>, Refusal> {
        let result = self.checks(tenant, session, message).await;
        self.facts.record(
            &tenant.name,
            Fact {
                at: now,
                source: session.ip,
                tls: session.tls,
                cert_names: session.cert_names.to_vec(),
                failed: result.err().map(Refusal::code),
            },
        );
        result.map(|()| self.clean_and_stamp(tenant, message))
    }

    async fn checks(
        &self,
        tenant: &Tenant,
        session: &SessionFacts<'_>,
        message: &[u8],
    ) -> Result<(), Refusal> {
        if self.is_loop(message) {
            return Err(Refusal::Loop);
        }
        match &tenant.platform {
            Platform::Smtp => Ok(()),
            Platform::M365 { tenant_id } => m365::check(
                tenant_id,
                &tenant.cert_names,
                tenant.token.as_ref(),
                session,
                message,
            ),
            Platform::Google { dkim_domains, .. } => {
                let g = GoogleTenant {
                    sender_domains: &tenant.domains,
                    dkim_domains,
                    token: tenant.token.as_ref(),
                };
                google::check(&g, self.dkim.as_deref(), session, message).await
            }
        }
    }

    /// True when a stamp field verifies under this gateway's key for the message's Message-ID
    /// and one of the configured tenants.
    fn is_loop(&self, message: &[u8]) -> bool {
        let Some(stamp) = &self.stamp else {
            return false;
        };
        let stamps = headers::values(message, STAMP_HEADER);
        if stamps.is_empty() {
            return false;
        }
        let id = message_id(message);
        stamps.iter().any(|s| stamp.verifies(s, &id, self.names()))
    }

    /// The message without outside `X-Sealgate-*` fields, with this gateway's stamp on top.
    fn clean_and_stamp(&self, tenant: &Tenant, message: &[u8]) -> Vec<u8> {
        let (clean, _removed) = headers::strip_sealgate(message);
        let Some(stamp) = &self.stamp else {
            return clean;
        };
        let field = stamp.field(&message_id(message), &tenant.name);
        let mut out = Vec::with_capacity(field.len() + clean.len());
        out.extend_from_slice(field.as_bytes());
        out.extend_from_slice(&clean);
        out
    }
}

/// The Message-ID field's value as written (empty when there is none).
fn message_id(message: &[u8]) -> Vec<u8> {
    headers::values(message, "Message-ID")
        .into_iter()
        .next()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LoopStamp;
    use sealgate_config::TenantConfig;
    use sealgate_core::Domain;

    const A_ID: &str = "aaaaaaaa-0000-4000-8000-000000000001";
    const B_ID: &str = "bbbbbbbb-0000-4000-8000-000000000002";
    const A_TOKEN: &str = "A-token-0123456789abcdef0123456789abcdef";
    const B_TOKEN: &str = "B-token-0123456789abcdef0123456789abcdef";
    const CERT: &str = "mail.protection.outlook.com";

    fn m365(name: &str, id: &str, domain: &str) -> TenantConfig {
        TenantConfig {
            name: name.into(),
            networks: vec!["10.0.0.0/8".parse().unwrap()],
            client_cert_names: vec![CERT.into()],
            sender_domains: vec![Domain::parse(domain).unwrap()],
            any_sender_domain: false,
            dkim: Vec::new(),
            platform: Platform::M365 {
                tenant_id: id.into(),
            },
            token_file: Some(format!("/{name}.token").into()),
            return_route: None,
            return_cert: None,
            verify: None,
        }
    }

    fn tenants() -> Tenants {
        let configs = [m365("a", A_ID, "a.org"), m365("b", B_ID, "b.org")];
        Tenants::load(&configs, |p| {
            Ok::<_, String>(if p.to_str() == Some("/a.token") {
                A_TOKEN.into()
            } else {
                B_TOKEN.into()
            })
        })
        .unwrap()
        .with_stamp(LoopStamp::new([3; 32]))
    }

    fn message(ids: &[&str], token: Option<&str>) -> Vec<u8> {
        let mut m = String::from("From: x@a.org\r\nMessage-ID: <m1@a.org>\r\n");
        for id in ids {
            m.push_str(&format!("X-MS-Exchange-CrossTenant-Id: {id}\r\n"));
        }
        if let Some(t) = token {
            m.push_str(&format!("X-Sealgate-Token: {t}\r\n"));
        }
        m.push_str("X-Sealgate-Other: from outside\r\nSubject: s\r\n\r\nbody\r\n");
        m.into_bytes()
    }

    async fn run(ts: &Tenants, name: &str, certs: &[String], m: &[u8]) -> Result<Vec<u8>, Refusal> {
        let candidates = ts.candidates("10.1.1.1".parse().unwrap(), certs);
        let t = candidates.iter().find(|t| t.name == name).unwrap().clone();
        let s = SessionFacts {
            ip: "10.1.1.1".parse().unwrap(),
            tls: true,
            cert_names: certs,
        };
        ts.attribute(&t, &s, m, Timestamp(1)).await
    }

    #[tokio::test]
    async fn m365_spoofing_matrix() {
        let ts = tenants();
        let cert = [CERT.to_string()];
        // B's client (B's id, B's token) sending as A's domain: tenant A by domain, B's id.
        let r = run(&ts, "a", &cert, &message(&[B_ID], Some(B_TOKEN))).await;
        assert_eq!(r, Err(Refusal::M365TenantIdWrong));
        let r = run(&ts, "a", &cert, &message(&[A_ID], Some(B_TOKEN))).await;
        assert_eq!(r, Err(Refusal::M365TokenWrong));
        let r = run(&ts, "a", &[], &message(&[A_ID], Some(A_TOKEN))).await;
        assert_eq!(r, Err(Refusal::M365Certificate));
        let r = run(&ts, "a", &cert, &message(&[A_ID], None)).await;
        assert_eq!(r, Err(Refusal::M365TokenMissing));
        let r = run(&ts, "a", &cert, &message(&[A_ID, A_ID], Some(A_TOKEN))).await;
        assert_eq!(r, Err(Refusal::M365TenantIdRepeated));
        let r = run(&ts, "a", &cert, &message(&[], Some(A_TOKEN))).await;
        assert_eq!(r, Err(Refusal::M365TenantIdMissing));
        let ok = run(&ts, "a", &cert, &message(&[A_ID], Some(A_TOKEN)))
            .await
            .unwrap();
        let text = String::from_utf8(ok.clone()).unwrap();
        assert!(text.starts_with("X-Sealgate-Loop: v=1; s="), "{text}");
        assert!(!text.contains("X-Sealgate-Token") && !text.contains("X-Sealgate-Other"));
        assert!(text.contains(&format!("X-MS-Exchange-CrossTenant-Id: {A_ID}\r\n")));
        // The facts: six failures and one success, with the failed check's code.
        let facts = ts.recent_facts("a");
        assert_eq!(facts.len(), 7);
        assert_eq!(facts[0].failed, Some("SG-M365-TENANT-ID"));
        assert_eq!(facts[6].failed, None);
        // The stamped message sent back in is a loop, whatever else it carries.
        let r = run(&ts, "a", &cert, &ok).await;
        assert_eq!(r, Err(Refusal::Loop));
        // A stamp from another gateway (other key) is removed, not refused.
        let other = LoopStamp::new([9; 32]).field(b"<m1@a.org>", "a");
        let mut foreign = other.into_bytes();
        foreign.extend_from_slice(&message(&[A_ID], Some(A_TOKEN)));
        assert!(run(&ts, "a", &cert, &foreign).await.is_ok());
    }

    #[tokio::test]
    async fn without_token_file_nothing_is_admitted() {
        let ts = Tenants::from_config(&[m365("a", A_ID, "a.org")]);
        let cert = [CERT.to_string()];
        let r = run(&ts, "a", &cert, &message(&[A_ID], Some(A_TOKEN))).await;
        assert_eq!(r, Err(Refusal::TokenUnavailable));
    }
}
