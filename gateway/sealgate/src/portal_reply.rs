//! Wiring of the portal's secure reply inside `sealgate serve`: the reply is classified by the
//! rules the SMTP sessions use at that moment (a reload applies to replies too, once the SMTP
//! listener is bound; before that, the start-up rules), addressed only inside the tenant's
//! `sender_domains`, and committed by `sealgate_deliver::portal_reply`. The limits are
//! `[portal] reply_max_size` / `reply_daily_limit` (per tenant in `[portal.tenants.NAME]`).

use sealgate_accept::{Settings, SettingsHandle};
use sealgate_config::Config;
use sealgate_core::{Decision, Domain, Message};
use sealgate_deliver::escrow::PortalEscrow;
use sealgate_deliver::portal_reply::{Classify, PortalReplier};
use sealgate_deliver::portal_send::Wake;
use sealgate_portal::{ReplyLimits, ReplyService};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// What the portal needs from `serve` for replies.
pub struct Wiring {
    /// The rules engine.
    pub classify: Classify,
    /// Each tenant's `sender_domains`.
    pub domains: HashMap<String, Vec<Domain>>,
}

/// The running rules: the accept stage's current classifier once `live` is set, else the
/// classifier of `initial`.
pub fn classifier(initial: &Settings, live: &Arc<OnceLock<SettingsHandle>>) -> Classify {
    let (first, live) = (Arc::clone(&initial.classifier), Arc::clone(live));
    Arc::new(move |m: &Message| -> Decision {
        match live.get().and_then(SettingsHandle::current) {
            Some(s) => s.classifier.classify(m),
            None => first.classify(m),
        }
    })
}

/// Each tenant's `sender_domains`.
pub fn domains(config: &Config) -> HashMap<String, Vec<Domain>> {
    config
        .tenants
        .iter()
        .map(|t| (t.name.clone(), t.sender_domains.clone()))
        .collect()
}

impl Wiring {
    /// The router's reply service: the replier and each portal tenant's limits.
    pub fn service(self, escrow: &Arc<PortalEscrow>, wake: &Wake) -> ReplyService {
        let limits = escrow
            .config
            .tenants
            .iter()
            .map(|t| {
                let l = ReplyLimits {
                    max_size: t.reply.max_size,
                    daily_limit: t.reply.daily_limit,
                };
                (t.name.clone(), l)
            })
            .collect();
        let replier = PortalReplier {
            escrow: Arc::clone(escrow),
            wake: Arc::clone(wake),
            classify: self.classify,
            domains: Arc::new(self.domains),
        };
        ReplyService {
            mail: Arc::new(replier),
            limits,
        }
    }
}
