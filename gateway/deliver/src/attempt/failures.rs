//! How the hosts of one destination group failed, and the group's outcome when none took the
//! transaction: a TLS outcome (next method, drop) only when every host failed on the TLS floor;
//! the strongest unmet floor wins (drop > next method > defer); otherwise the last failure,
//! temporary or permanent by its class.

use super::outcome::{Outcome, TlsFailure, split, with_reply};
use crate::engine::Inner;
use crate::error::DeliverError;
use sealgate_core::event::AttemptFacts;
use sealgate_tlspolicy::{MxPlan, Unmet};

/// How the hosts of a group failed so far.
#[derive(Default)]
pub(super) struct Failures {
    /// The last failure, with its facts.
    last: Option<(AttemptFacts, DeliverError)>,
    /// The strongest unmet floor seen (drop > next method > defer).
    unmet: Option<Unmet>,
    /// Every host failed on the TLS floor (skipped, or a session below its level).
    only_tls: bool,
    /// Every host failed on REQUIRETLS.
    only_requiretls: bool,
}

impl Failures {
    pub(super) fn new() -> Failures {
        Failures {
            only_tls: true,
            only_requiretls: true,
            ..Failures::default()
        }
    }

    pub(super) fn other(&mut self, facts: AttemptFacts, e: DeliverError) {
        self.only_tls = false;
        self.only_requiretls = false;
        self.last = Some((facts, e));
    }

    pub(super) fn tls(&mut self, inner: &Inner, mx: &MxPlan, facts: AttemptFacts, unmet: Unmet) {
        self.only_requiretls = false;
        let outcome = match &unmet {
            Unmet::Defer { .. } => "defer",
            Unmet::NextMethod { .. } => "next_method",
            Unmet::Drop { .. } => "drop",
        };
        let source = mx
            .floor
            .deciding()
            .next()
            .map_or("dane", |p| p.source.as_str());
        inner
            .metrics
            .tls_floor_unmet
            .with_label_values(&[outcome, source])
            .inc();
        let rank = |u: &Unmet| match u {
            Unmet::Defer { .. } => 0,
            Unmet::NextMethod { .. } => 1,
            Unmet::Drop { .. } => 2,
        };
        let reason = unmet.reason().to_string();
        if self.unmet.as_ref().is_none_or(|u| rank(&unmet) > rank(u)) {
            self.unmet = Some(unmet);
        }
        let e = DeliverError::TlsRequired(reason);
        self.last = Some((with_reply(facts, &e.reply()), e));
    }

    pub(super) fn requiretls(&mut self, facts: AttemptFacts, why: &str) {
        self.only_tls = false;
        let e = DeliverError::RequireTls(why.to_string());
        self.last = Some((with_reply(facts, &e.reply()), e));
    }

    /// The group's outcome when no host took the transaction.
    pub(super) fn outcome(self, local: AttemptFacts) -> Outcome {
        let (facts, err) = self.last.unwrap_or_else(|| {
            let e = DeliverError::Connect("no next hop".into());
            (with_reply(local, &e.reply()), e)
        });
        match self.unmet {
            Some(Unmet::NextMethod { .. }) if self.only_tls => {
                Outcome::TlsUnmet(facts, err, TlsFailure::NextMethod)
            }
            Some(Unmet::Drop { .. }) if self.only_tls => {
                Outcome::TlsUnmet(facts, err, TlsFailure::Drop)
            }
            _ if self.only_requiretls && matches!(err, DeliverError::RequireTls(_)) => {
                Outcome::Failed(facts, err)
            }
            _ => split(facts, err),
        }
    }
}
