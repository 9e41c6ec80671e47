//! Transform, then sign: each due recipient's copy as it will leave (DESIGN.md "Protection
//! model", invariants 2 and 5).
//!
//! Guarantees:
//! - An `encrypt` recipient gets only what [`Transformer::protect`] allows for its chain, given
//!   the methods that already failed at delivery: a plain copy sent with verified TLS
//!   (`tls-verified`), a PGP/MIME or S/MIME copy to that recipient's key alone, the unchanged
//!   input when it is already encrypted, or hold / bounce-with-notice — never plaintext the
//!   chain forbids.
//! - Copies are shared only where safe: every plain copy of a message is the same bytes (tag
//!   stripped, headers added as the decision says); an already-encrypted input is shared as it
//!   came; an encrypted copy belongs to its one recipient ([`CopyKey::Own`]).
//! - DKIM is the last change: [`sign`] runs on the final bytes of each copy, with the tenant's
//!   keys — or the gateway's for mail the gateway originated (DSNs, notices) — and nothing in
//!   the deliver stage changes a body after it.
//! - All of it runs on the blocking pool; records carry methods, reasons, fingerprints, serials
//!   and DKIM domains/selectors — never content.

use crate::client::TlsPolicy;
use crate::escrow::{Escrow, EscrowError, escrowed};
use sealgate_core::{Body, Message, Method, Reply, Requirement, Timestamp};
use sealgate_transform::{
    Hop, Outcome, Protection, Request, Skip, Skipped, TlsCapability, TransformError, Transformer,
    TrustLevel,
};
use std::collections::{BTreeMap, BTreeSet};

mod dkim;

pub use dkim::{owner, sign};

/// Which copy of the message a recipient gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CopyKey {
    /// The plain copy (the same bytes for every plain recipient of the message).
    Plain,
    /// The input as it came (already encrypted end to end).
    Original,
    /// An encrypted copy for envelope recipient `index` only.
    Own(u32),
}

/// What the per-recipient record keeps of how a copy was protected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Note {
    /// `tls-verified`, `pgp`, `smime`, `already-encrypted`, `opportunistic`, `tls-required`.
    pub protection: String,
    /// Fingerprint or certificate serial of the key used.
    pub key: Option<String>,
    /// Methods passed over, `method: reason`.
    pub skipped: Vec<String>,
}

/// The step for one `encrypt` recipient.
#[derive(Debug)]
pub enum Step {
    /// Send `copy` with this TLS policy.
    Send {
        /// TLS the next hop must offer.
        tls: TlsPolicy,
        /// The chain method this send fulfils (a TLS failure sends the recipient back for the
        /// next method).
        method: Option<Method>,
        /// Which copy.
        copy: CopyKey,
        /// For the record.
        note: Note,
    },
    /// Hold with a sender notice; the reason names the skipped methods.
    Hold(String),
    /// Bounce with a DSN (the chain's `bounce-with-notice`).
    Bounce(Reply),
    /// The key store failed: retry later.
    Defer(String),
}

/// The copies and steps of one round.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Unsigned copies by key.
    pub copies: BTreeMap<CopyKey, Body>,
    /// Each `encrypt` recipient's step.
    pub steps: Vec<(u32, Step)>,
}

/// One `encrypt` recipient to protect: its index and the chain methods that already failed at
/// delivery.
pub type ToProtect = (u32, Vec<Method>);

/// The chain walked instead of the decision's by the recipients in `recipients` (`deliver`
/// recipients whose forced TLS floor could not be met: `[tls] fallback_chain`).
#[derive(Debug, Clone, Default)]
pub struct Fallback {
    /// Envelope indexes.
    pub recipients: BTreeSet<u32>,
    /// The chain.
    pub chain: Vec<Method>,
}

/// Runs the chain for each of `encrypt` and builds the plain copy when `plain` is set; `known`
/// is what recent sessions showed of a recipient's next hop (see [`known_hop`]); `escrow`
/// takes the copies whose chain reached `portal`. Sync and CPU-bound (PGP, S/MIME, sealing):
/// call it on the blocking pool.
#[allow(clippy::too_many_arguments)] // one call site; each is a distinct input of the round
pub fn prepare(
    transformer: &Transformer,
    escrow: Option<&dyn Escrow>,
    msg: &Message,
    plain: bool,
    encrypt: &[ToProtect],
    fallback: &Fallback,
    known: &BTreeMap<u32, TlsCapability>,
    now: Timestamp,
) -> Prepared {
    let fallback_requirement = Requirement::Encrypt {
        chain: fallback.chain.clone(),
        min_key_trust: sealgate_core::KeyTrust::Discovered,
    };
    let mut out = Prepared::default();
    if plain {
        out.copies
            .insert(CopyKey::Plain, plain_copy(transformer, msg, now));
    }
    for (index, failed) in encrypt {
        // The rules' minimum for this recipient (`discovered` when the decision has none).
        let min_trust = msg
            .decision
            .recipients
            .get(*index as usize)
            .map_or(TrustLevel::Discovered, |r| r.min_key_trust().into());
        let Some(mut req) = Request::for_recipient(msg, *index as usize, min_trust, now) else {
            continue;
        };
        if fallback.recipients.contains(index) {
            req.requirement = Some(&fallback_requirement);
        }
        let mut hop = Hop {
            failed: failed.clone(),
            tls: known.get(index).copied().unwrap_or(TlsCapability::Unknown),
            ..Hop::unknown()
        };
        let step = loop {
            let p = match transformer.protect(&req, &hop) {
                Ok(p) => p,
                Err(TransformError::Rejected) => break Step::Bounce(refused()),
                Err(e) if e.is_temporary() => break Step::Defer(e.to_string()),
                Err(_) => break Step::Bounce(refused()),
            };
            match escrowed(escrow, msg, *index, p) {
                Ok((p, escrow_id)) => {
                    let mut step = step_of(&mut out, msg, *index, p.outcome, &p.skipped);
                    if let (Step::Send { note, .. }, Some(e)) = (&mut step, escrow_id) {
                        note.key = Some(format!("escrow {e}"));
                    }
                    break step;
                }
                Err(EscrowError::Temporary(why)) => break Step::Defer(why),
                // This copy can't be escrowed: the chain goes on past `portal`.
                Err(EscrowError::Permanent(_)) => hop.failed.push(Method::Portal),
            }
        };
        out.steps.push((*index, step));
    }
    out
}

/// How long what a session showed of a domain's TLS counts as known for the chain walk.
pub const HOP_KNOWLEDGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// What the last session to a domain (within [`HOP_KNOWLEDGE`] of `now`) showed: `Verified`
/// when its certificate passed WebPKI or DANE, `Unverified` for other TLS or a handshake the
/// verifier refused, `PlaintextOnly` without STARTTLS — so `tls-verified` is passed over at once for a hop known not to verify
/// (recorded as `next hop TLS not verified (…)`) instead of costing a failed session per
/// message. Every session over STARTTLS refreshes it, so a fixed hop is seen again.
pub fn known_hop(facts: &sealgate_core::store::TlsFacts, now: Timestamp) -> TlsCapability {
    if now.millis().saturating_sub(facts.at.millis()) > HOP_KNOWLEDGE.as_millis() as u64 {
        return TlsCapability::Unknown;
    }
    let no_starttls = facts.failure.as_deref() == Some("starttls-not-supported");
    if facts.webpki_ok || facts.dane_ok {
        TlsCapability::Verified
    } else if facts.tls_version.is_some() || (facts.failure.is_some() && !no_starttls) {
        // TLS without a verified certificate, or a handshake the verifier refused.
        TlsCapability::Unverified
    } else {
        TlsCapability::PlaintextOnly
    }
}

fn refused() -> Reply {
    Reply::new(550, [5, 7, 1], "Message refused by policy")
}

/// The plain copy: what `deliver` recipients get (tag stripped, headers added).
fn plain_copy(transformer: &Transformer, msg: &Message, now: Timestamp) -> Body {
    let Some(recipient) = msg.envelope.recipients.first() else {
        return msg.body.clone();
    };
    let req = Request {
        body: &msg.body,
        decision: &msg.decision,
        recipient: &recipient.address,
        requirement: None,
        min_trust: TrustLevel::Discovered,
        now,
    };
    match transformer.protect(&req, &Hop::unknown()) {
        Ok(sealgate_transform::Protected {
            outcome: Outcome::Send { body, .. },
            ..
        }) => body,
        // `deliver` never holds, bounces or reads the key store; the input as it came is the
        // copy that changes nothing.
        _ => msg.body.clone(),
    }
}

fn step_of(
    out: &mut Prepared,
    msg: &Message,
    index: u32,
    outcome: Outcome,
    skipped: &[Skipped],
) -> Step {
    let skipped_text: Vec<String> = skipped.iter().map(describe).collect();
    match outcome {
        Outcome::Hold => Step::Hold(if skipped_text.is_empty() {
            "held by policy".into()
        } else {
            format!(
                "no protection method available ({}); held",
                skipped_text.join("; ")
            )
        }),
        Outcome::BounceWithNotice => Step::Bounce(Reply::new(
            550,
            [5, 7, 1],
            "No protection method the policy allows is available for this recipient",
        )),
        Outcome::Send { body, protection } => {
            let method = protection.method();
            let (tls, copy, key) = match &protection {
                Protection::TlsVerified => (TlsPolicy::Verified, CopyKey::Plain, None),
                Protection::Opportunistic => (TlsPolicy::Opportunistic, CopyKey::Plain, None),
                Protection::TlsRequired => (TlsPolicy::Required, CopyKey::Plain, None),
                Protection::AlreadyEncrypted => (TlsPolicy::Opportunistic, CopyKey::Original, None),
                Protection::Pgp { fingerprint, .. } => (
                    TlsPolicy::Opportunistic,
                    CopyKey::Own(index),
                    Some(format!("openpgp {fingerprint}")),
                ),
                Protection::Smime {
                    fingerprint,
                    serial,
                    ..
                } => (
                    TlsPolicy::Opportunistic,
                    CopyKey::Own(index),
                    Some(format!("x509 serial {serial} sha256 {fingerprint}")),
                ),
                // The notification: no content, so opportunistic TLS like a `deliver` copy.
                Protection::Portal => (TlsPolicy::Opportunistic, CopyKey::Own(index), None),
            };
            match copy {
                CopyKey::Plain => {
                    out.copies.entry(CopyKey::Plain).or_insert(body);
                }
                CopyKey::Original => {
                    out.copies.insert(CopyKey::Original, msg.body.clone());
                }
                CopyKey::Own(_) => {
                    out.copies.insert(copy, body);
                }
            }
            Step::Send {
                tls,
                method,
                copy,
                note: Note {
                    protection: protection_name(&protection).into(),
                    key,
                    skipped: skipped_text,
                },
            }
        }
    }
}

/// The record's name of a protection.
pub fn protection_name(p: &Protection) -> &'static str {
    match p {
        Protection::Opportunistic => "opportunistic",
        Protection::TlsRequired => "tls-required",
        Protection::TlsVerified => "tls-verified",
        Protection::AlreadyEncrypted => "already-encrypted",
        Protection::Pgp { .. } => "pgp",
        Protection::Smime { .. } => "smime",
        Protection::Portal => "portal",
    }
}

/// `method: reason`, in words, with fingerprints where keys were looked at.
pub fn describe(s: &Skipped) -> String {
    let kebab = |v: serde_json::Value, tag: &str| -> String {
        match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Object(m) => m
                .get(tag)
                .and_then(|t| t.as_str())
                .unwrap_or("unknown")
                .to_string(),
            _ => "unknown".into(),
        }
    };
    let reason = match &s.reason {
        Skip::TlsNotVerified { known } => format!(
            "next hop TLS not verified ({})",
            kebab(serde_json::to_value(known).unwrap_or_default(), "")
        ),
        Skip::FailedAtDelivery => "failed at delivery".into(),
        Skip::NoKey => "no key on file".into(),
        Skip::NoUsableKey { keys } => {
            let each: Vec<String> = keys
                .iter()
                .map(|k| {
                    format!(
                        "{} {}",
                        k.fingerprint,
                        kebab(
                            serde_json::to_value(&k.problem).unwrap_or_default(),
                            "problem"
                        )
                    )
                })
                .collect();
            format!("no usable key ({})", each.join(", "))
        }
        Skip::TooLarge { size, limit } => {
            format!("too large for the next hop ({size} > {limit} octets)")
        }
        Skip::NotAvailable => "not available (no [portal] configured)".into(),
    };
    format!("{}: {reason}", s.method)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealgate_transform::TlsCapability;

    #[test]
    fn recent_sessions_tell_the_chain_what_the_hop_can_do() {
        let facts = |tls: Option<&str>, webpki: bool, dane: bool| sealgate_core::store::TlsFacts {
            at: Timestamp(1_000_000),
            mx_host: "mx.dest.test".into(),
            achieved: "encrypted".into(),
            tls_version: tls.map(str::to_string),
            tls_cipher: None,
            webpki_ok: webpki,
            dane_ok: dane,
            failure: None,
        };
        let soon = Timestamp(1_000_000 + 60_000);
        let late = Timestamp(1_000_000 + HOP_KNOWLEDGE.as_millis() as u64 + 1);
        assert_eq!(
            known_hop(&facts(None, false, false), soon),
            TlsCapability::PlaintextOnly
        );
        assert_eq!(
            known_hop(&facts(Some("TLSv1.3"), false, false), soon),
            TlsCapability::Unverified
        );
        assert_eq!(
            known_hop(&facts(Some("TLSv1.3"), true, false), soon),
            TlsCapability::Verified
        );
        assert_eq!(
            known_hop(&facts(Some("TLSv1.2"), false, true), soon),
            TlsCapability::Verified
        );
        let refused = sealgate_core::store::TlsFacts {
            failure: Some("certificate-not-trusted".into()),
            ..facts(None, false, false)
        };
        assert_eq!(known_hop(&refused, soon), TlsCapability::Unverified);
        let no_tls = sealgate_core::store::TlsFacts {
            failure: Some("starttls-not-supported".into()),
            ..facts(None, false, false)
        };
        assert_eq!(known_hop(&no_tls, soon), TlsCapability::PlaintextOnly);
        assert_eq!(
            known_hop(&facts(None, false, false), late),
            TlsCapability::Unknown,
            "stale knowledge is no knowledge"
        );
    }

    #[test]
    fn skip_reasons_read_as_words() {
        let s = Skipped {
            method: Method::TlsVerified,
            reason: Skip::TlsNotVerified {
                known: TlsCapability::PlaintextOnly,
            },
        };
        assert_eq!(
            describe(&s),
            "tls-verified: next hop TLS not verified (plaintext-only)"
        );
        let s = Skipped {
            method: Method::Pgp,
            reason: Skip::NoUsableKey {
                keys: vec![sealgate_transform::KeyProblem {
                    fingerprint: "AB12".into(),
                    problem: sealgate_transform::Problem::Expired,
                }],
            },
        };
        assert_eq!(describe(&s), "pgp: no usable key (AB12 expired)");
    }
}
