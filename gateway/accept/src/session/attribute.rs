//! End of data, after header From picked the tenant: the tenant's platform identity checks
//! (`sealgate_connectors`), with one log line and a metric per refusal. Returns the content
//! to keep — outside `X-Sealgate-*` fields removed, this gateway's loop stamp on top.

use super::Session;
use sealgate_connectors::{Refusal, SessionFacts, Tenant};
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
