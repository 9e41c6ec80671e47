//! What to do now with one recipient, from the decision's requirement and its history
//! (DESIGN.md "Protection model").
//!
//! Guarantees: nothing here ever yields a plaintext send for a recipient whose requirement
//! forbids it: `tls-only` sends only with TLS required; `encrypt` never sends from here — it
//! goes to the transform stage's chain walk ([`crate::protect`]) with the chain methods that
//! failed at delivery, which are skipped until an admin `release` restarts the chain.
//! `hold` holds until released. A `deliver` recipient whose domain's TLS floor failed with
//! `forced` (a status event `fallback from deliver: …`) walks the configured fallback chain
//! ([`Plan::Protect`] with `fallback`) and is never sent in plaintext again.

use crate::client::TlsPolicy;
use sealgate_core::event::EventKind;
use sealgate_core::store::RecipientState;
use sealgate_core::{Method, Reply, Requirement, Status};

/// Reason text of the status event an admin `release` records.
pub const RELEASED: &str = "released by admin";
/// Prefix of the reason text recorded when a chain method turns out impossible at delivery.
pub const FALLBACK: &str = "fallback from ";

/// The next step for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Send with this TLS policy; `method` names the chain method used, if any.
    Send {
        /// TLS the next hop must offer.
        tls: TlsPolicy,
        /// The chain method this send fulfils.
        method: Option<Method>,
    },
    /// Hold the copy and notify the sender.
    Hold {
        /// Why (generic).
        reason: String,
    },
    /// Fail permanently (DSN to the sender).
    Bounce(Reply),
    /// Walk the `encrypt` chain in the transform stage ([`crate::protect`]), skipping the
    /// methods that already failed at delivery.
    Protect {
        /// Chain methods that failed at delivery since the chain last (re)started.
        failed: Vec<Method>,
        /// Walk `[tls] fallback_chain` instead of the decision's chain (a `deliver` recipient
        /// whose forced TLS floor could not be met).
        fallback: bool,
    },
}

/// The method name recorded when a `deliver` recipient's forced floor fails.
pub const DELIVER: &str = "deliver";

/// Methods that already failed since the chain last (re)started.
fn failed_methods(state: &RecipientState) -> Vec<String> {
    let mut failed = Vec::new();
    for ev in &state.events {
        if let EventKind::Status { status, reason } = &ev.kind {
            if *status == Status::Scheduled && reason == RELEASED {
                failed.clear();
            } else if let Some(m) = reason.strip_prefix(FALLBACK) {
                failed.push(m.split(':').next().unwrap_or(m).trim().to_string());
            }
        }
    }
    failed
}

/// True when the latest status event is an admin release.
fn released(state: &RecipientState) -> bool {
    state.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Status { status, reason } => {
            Some(*status == Status::Scheduled && reason == RELEASED)
        }
        _ => None,
    }) == Some(true)
}

/// The plan for a recipient that is due.
pub fn plan(requirement: Option<&Requirement>, state: &RecipientState) -> Plan {
    match requirement {
        None | Some(Requirement::Deliver) if failed_methods(state).iter().any(|m| m == DELIVER) => {
            Plan::Protect {
                failed: failed_methods(state)
                    .iter()
                    .filter_map(|m| m.parse().ok())
                    .collect(),
                fallback: true,
            }
        }
        None | Some(Requirement::Deliver) => Plan::Send {
            tls: TlsPolicy::Opportunistic,
            method: None,
        },
        Some(Requirement::TlsOnly) => Plan::Send {
            tls: TlsPolicy::Required,
            method: None,
        },
        Some(Requirement::Hold) if released(state) => Plan::Send {
            tls: TlsPolicy::Opportunistic,
            method: None,
        },
        Some(Requirement::Hold) => Plan::Hold {
            reason: "held by policy".into(),
        },
        Some(Requirement::Reject) => {
            Plan::Bounce(Reply::new(550, [5, 7, 1], "Message refused by policy"))
        }
        Some(Requirement::Encrypt { .. }) => Plan::Protect {
            failed: failed_methods(state)
                .iter()
                .filter_map(|m| m.parse().ok())
                .collect(),
            fallback: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealgate_core::{Address, Event, Timestamp};

    fn state(events: Vec<Event>) -> RecipientState {
        RecipientState {
            index: 0,
            address: Address::parse("a@b.example").unwrap(),
            status: Status::Scheduled,
            next_attempt: None,
            attempts: 0,
            events,
        }
    }

    #[test]
    fn encrypt_never_sends_from_the_plan_and_carries_failed_methods() {
        let req = Requirement::Encrypt {
            chain: vec![Method::TlsVerified, Method::Pgp, Method::BounceWithNotice],
            min_key_trust: sealgate_core::KeyTrust::Discovered,
        };
        assert_eq!(
            plan(Some(&req), &state(vec![])),
            Plan::Protect {
                failed: vec![],
                fallback: false
            }
        );
        let s = state(vec![Event::status(
            Timestamp(1),
            Status::Scheduled,
            format!("{FALLBACK}tls-verified: no verified TLS"),
        )]);
        assert_eq!(
            plan(Some(&req), &s),
            Plan::Protect {
                failed: vec![Method::TlsVerified],
                fallback: false
            }
        );
    }

    #[test]
    fn a_deliver_recipient_whose_forced_floor_failed_walks_the_fallback_chain() {
        let s = state(vec![Event::status(
            Timestamp(1),
            Status::Scheduled,
            format!("{FALLBACK}{DELIVER}: TLS floor encrypt not met"),
        )]);
        assert_eq!(
            plan(Some(&Requirement::Deliver), &s),
            Plan::Protect {
                failed: vec![],
                fallback: true
            }
        );
        assert_eq!(
            plan(None, &s),
            Plan::Protect {
                failed: vec![],
                fallback: true
            }
        );
        assert!(matches!(
            plan(Some(&Requirement::Deliver), &state(vec![])),
            Plan::Send { .. }
        ));
    }

    #[test]
    fn release_restarts_the_chain_and_lets_a_hold_go() {
        let mut events = vec![Event::status(
            Timestamp(1),
            Status::Scheduled,
            format!("{FALLBACK}tls-verified"),
        )];
        events.push(Event::status(Timestamp(2), Status::Held, "held"));
        events.push(Event::status(Timestamp(3), Status::Scheduled, RELEASED));
        let s = state(events);
        let req = Requirement::Encrypt {
            chain: vec![Method::TlsVerified, Method::Hold],
            min_key_trust: sealgate_core::KeyTrust::Discovered,
        };
        assert_eq!(
            plan(Some(&req), &s),
            Plan::Protect {
                failed: vec![],
                fallback: false
            }
        );
        assert!(matches!(
            plan(Some(&Requirement::Hold), &s),
            Plan::Send { .. }
        ));
        assert!(matches!(
            plan(Some(&Requirement::Hold), &state(vec![])),
            Plan::Hold { .. }
        ));
        assert_eq!(
            plan(Some(&Requirement::TlsOnly), &state(vec![])),
            Plan::Send {
                tls: TlsPolicy::Required,
                method: None
            }
        );
    }
}
