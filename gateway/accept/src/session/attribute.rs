//! End of data, after header From picked the tenant: the tenant's platform identity checks
//! (`sealgate_connectors`), with one log line and a metric per refusal. Returns the content
//! to keep — outside `X-Sealgate-*` fields removed, this gateway's loop stamp on top. A
//! connector self-test gets its decision here: the report's check lines, and `hold` for the
//! recipient as a fail-safe (the deliver stage answers it before any plan is made).

use super::Session;
use sealgate_connectors::{Refusal, SessionFacts, Tenant};
use sealgate_core::{Decision, Requirement};
use sealgate_report::RejectReason;
use std::sync::Arc;

impl Session {
    /// Runs attribution; on refusal replies, logs and returns `None`.
    pub(super) async fn attribute(&mut self, tenant: &Arc<Tenant>, body: &[u8]) -> Option<Vec<u8>> {
        let facts = SessionFacts {
            ip: self.client.ip(),
            tls: self.tls.is_some(),
            cert_names: &self.cert_names,
        };
        let now = self.pipeline.clock.now();
        let settings = Arc::clone(&self.settings);
        match settings.tenants.attribute(tenant, &facts, body, now).await {
            Ok(content) => Some(content),
            Err(refusal) => {
                log_refusal(self, tenant, refusal);
                self.refuse(refusal.reply(), RejectReason::Attribution(refusal.label()));
                None
            }
        }
    }
}

impl Session {
    /// The decision of an attributed connector self-test with `recipients` recipients.
    pub(super) fn self_test_decision(&self, tenant: &Tenant, recipients: usize) -> Decision {
        let facts = SessionFacts {
            ip: self.client.ip(),
            tls: self.tls.is_some(),
            cert_names: &self.cert_names,
        };
        Decision {
            connector_self_test: Some(tenant.passed_checks(&facts)),
            ..Decision::uniform(Requirement::Hold, recipients)
        }
    }
}

/// One line per refusal: the tenant the sender domains named, the client, the failed check.
fn log_refusal(s: &Session, tenant: &Tenant, refusal: Refusal) {
    let platform = tenant.platform().name();
    let client = s.client.ip();
    let code = refusal.code();
    if refusal == Refusal::Loop {
        tracing::warn!(tenant = %tenant.name, %client, code, "mail loop: message carries this gateway's stamp; refused");
    } else {
        tracing::info!(tenant = %tenant.name, platform, %client, reason = refusal.label(), code, "relay refused: tenant identity check failed");
    }
}
