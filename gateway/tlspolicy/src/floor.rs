//! The TLS floor of a recipient domain and what to do when it is not met.
//!
//! Guarantees: the floor is the strictest level of its parts (rule decision, the admin's table,
//! DANE, MTA-STS `enforce`, a pin), so it only ever raises what a rule asked; every part is kept
//! with its source for explain and audit. When the floor is not met by what a connection
//! achieved, [`Floor::judge`] answers with a typed [`Verdict`]: a rule or admin demand follows
//! its `on_failure` (`exclusive` wins over `forced` when both demand), a demand that only
//! DANE, MTA-STS or a pin makes defers (RFC 7672 §2.2, RFC 8461 §5), and plaintext after a
//! failed handshake is allowed only when nothing demands more than `may`.

use sealgate_core::{Method, OnFailure, Requirement, TlsLevel};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a part of the floor comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FloorSource {
    /// The rules' decision for the recipient.
    Rule,
    /// `[tls.domains]` in the configuration.
    Admin,
    /// DNSSEC-secure TLSA records of the MX host (RFC 7672).
    Dane,
    /// The domain's MTA-STS policy in `enforce` mode (RFC 8461).
    MtaSts,
    /// A "once TLS, always TLS" pin.
    Pin,
}

impl FloorSource {
    /// Name for explain output and audit records.
    pub fn as_str(self) -> &'static str {
        match self {
            FloorSource::Rule => "rule",
            FloorSource::Admin => "admin",
            FloorSource::Dane => "dane",
            FloorSource::MtaSts => "mta-sts",
            FloorSource::Pin => "pin",
        }
    }

    /// Configured demands (rule, admin) follow `on_failure`; discovered ones defer.
    pub fn is_configured(self) -> bool {
        matches!(self, FloorSource::Rule | FloorSource::Admin)
    }
}

/// One contribution to a floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorPart {
    /// Where it comes from.
    pub source: FloorSource,
    /// The level it demands.
    pub level: TlsLevel,
    /// What it asks for when unmet (rule and admin parts only).
    pub on_failure: Option<OnFailure>,
    /// Why, for explain (never message content): e.g. `rule requirement encrypt`,
    /// `MTA-STS id 2026120101 enforce`.
    pub detail: String,
}

/// The rule decision's contribution, derived from the recipient's requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFloor {
    /// Level the rule asks.
    pub level: TlsLevel,
    /// What the rule wants when it can't be met.
    pub on_failure: OnFailure,
    /// The requirement's name, for explain.
    pub requirement: &'static str,
}

impl RuleFloor {
    /// The floor a requirement puts on the copy sent now. `method` is the chain method this send
    /// fulfils (`None` for `deliver` / `tls-only`). `deliver` asks `may` (forced: a deliver
    /// recipient whose domain floor fails goes to the global fallback chain); `tls-only` asks
    /// `encrypt`, exclusive ("TLS or drop"); `tls-verified` asks `verify`, forced (next method);
    /// a copy already encrypted by PGP, S/MIME or a portal notice asks `may`. `hold` and
    /// `reject` send nothing (`None`).
    pub fn from_requirement(requirement: &Requirement, method: Option<Method>) -> Option<Self> {
        let (level, on_failure) = match (requirement, method) {
            (Requirement::Deliver, _) => (TlsLevel::May, OnFailure::Forced),
            (Requirement::TlsOnly, _) => (TlsLevel::Encrypt, OnFailure::Exclusive),
            (Requirement::Encrypt { .. }, Some(Method::TlsVerified) | None) => {
                (TlsLevel::Verify, OnFailure::Forced)
            }
            (Requirement::Encrypt { .. }, Some(_)) => (TlsLevel::May, OnFailure::Forced),
            (Requirement::Hold | Requirement::Reject, _) => return None,
        };
        Some(RuleFloor {
            level,
            on_failure,
            requirement: requirement.name(),
        })
    }

    /// As a floor part.
    pub fn part(&self) -> FloorPart {
        FloorPart {
            source: FloorSource::Rule,
            level: self.level,
            on_failure: Some(self.on_failure),
            detail: format!("rule requirement {}", self.requirement),
        }
    }
}

/// The TLS floor: the strictest of its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Floor {
    /// The level every delivery must reach.
    pub level: TlsLevel,
    /// `exclusive` when any configured part says so, else `forced`.
    pub on_failure: OnFailure,
    /// Every contribution, in the order given.
    pub parts: Vec<FloorPart>,
}

/// The highest level a connection reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Achieved {
    /// Plaintext (no STARTTLS, or the handshake failed).
    Plaintext,
    /// TLS, certificate not verified.
    Encrypted,
    /// TLS with a WebPKI chain valid for the MX host name.
    Verified,
    /// TLS with the certificate matched by a secure TLSA record.
    DaneVerified,
}

impl Achieved {
    /// True when this meets `level` (a DANE-verified session meets every level).
    pub fn meets(self, level: TlsLevel) -> bool {
        let reached = match self {
            Achieved::Plaintext => TlsLevel::May,
            Achieved::Encrypted => TlsLevel::Encrypt,
            Achieved::Verified => TlsLevel::Verify,
            Achieved::DaneVerified => TlsLevel::DaneOnly,
        };
        reached >= level
    }
}

/// What to do with a recipient after a connection reached some level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The floor is met: send.
    Send,
    /// What was reached does not meet the floor.
    Unmet(Unmet),
}

/// The typed outcome of an unmet floor (DESIGN.md "Protection model").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmet {
    /// Try this MX / domain again later (a DANE, MTA-STS or pin demand; or no MX allowed by an
    /// MTA-STS `enforce` policy). Temporary: the queue's retry schedule and lifetime apply.
    Defer {
        /// Why (generic, for the attempt record).
        reason: String,
    },
    /// `forced`: back to transform for the next method of the chain (then through sign again),
    /// or to the global fallback chain when the decision had none.
    NextMethod {
        /// Why.
        reason: String,
    },
    /// `exclusive`: drop the recipient with a sender notice and an audit event.
    Drop {
        /// Why.
        reason: String,
    },
}

impl Unmet {
    /// Why the floor was not met (hosts, levels, policy sources — never content).
    pub fn reason(&self) -> &str {
        match self {
            Unmet::Defer { reason } | Unmet::NextMethod { reason } | Unmet::Drop { reason } => {
                reason
            }
        }
    }
}

impl Floor {
    /// The floor of these parts; with no parts, `may`.
    pub fn compute(parts: Vec<FloorPart>) -> Floor {
        let level = parts.iter().map(|p| p.level).max().unwrap_or(TlsLevel::May);
        let on_failure = if parts
            .iter()
            .any(|p| p.on_failure == Some(OnFailure::Exclusive))
        {
            OnFailure::Exclusive
        } else {
            OnFailure::Forced
        };
        Floor {
            level,
            on_failure,
            parts,
        }
    }

    /// The parts that set the floor (those at its level).
    pub fn deciding(&self) -> impl Iterator<Item = &FloorPart> {
        self.parts.iter().filter(move |p| p.level == self.level)
    }

    /// Whether plaintext may follow a failed handshake: only when nothing demands more than
    /// `may`.
    pub fn allows_plaintext(&self) -> bool {
        self.level <= TlsLevel::May
    }

    /// The verdict for a connection that reached `achieved` against `required` (the floor's
    /// level, or the MX's effective level once DANE is known, see `MxPlan::level`).
    pub fn judge(&self, required: TlsLevel, achieved: Achieved) -> Verdict {
        if achieved.meets(required) {
            return Verdict::Send;
        }
        let demanding: Vec<&FloorPart> = self
            .parts
            .iter()
            .filter(|p| !achieved.meets(p.level))
            .collect();
        let configured: Vec<&&FloorPart> = demanding
            .iter()
            .filter(|p| p.source.is_configured())
            .collect();
        let names: Vec<&str> = demanding.iter().map(|p| p.source.as_str()).collect();
        let reason = format!(
            "TLS floor {required} not met ({achieved:?} reached; demanded by {})",
            if names.is_empty() {
                "dane".to_string()
            } else {
                names.join(", ")
            }
        );
        if configured.is_empty() {
            return Verdict::Unmet(Unmet::Defer { reason });
        }
        if configured
            .iter()
            .any(|p| p.on_failure == Some(OnFailure::Exclusive))
        {
            Verdict::Unmet(Unmet::Drop { reason })
        } else {
            Verdict::Unmet(Unmet::NextMethod { reason })
        }
    }

    /// One line per part, deciding parts marked, for `explain` and `tls status`.
    pub fn explain(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Floor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "floor {} (on failure: {})", self.level, self.on_failure)?;
        for p in &self.parts {
            let mark = if p.level == self.level { '*' } else { ' ' };
            write!(
                f,
                " {mark} {:<7} {:<9} {}",
                p.source.as_str(),
                p.level.as_str(),
                p.detail
            )?;
            if let Some(o) = p.on_failure {
                write!(f, " [{o}]")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(source: FloorSource, level: TlsLevel, on: Option<OnFailure>) -> FloorPart {
        FloorPart {
            source,
            level,
            on_failure: on,
            detail: String::new(),
        }
    }

    #[test]
    fn floor_is_the_strictest_part_and_never_lowers_the_rule() {
        let rule = RuleFloor::from_requirement(
            &Requirement::Encrypt {
                chain: vec![Method::TlsVerified, Method::Pgp, Method::Hold],
                min_key_trust: sealgate_core::KeyTrust::Discovered,
            },
            Some(Method::TlsVerified),
        )
        .unwrap();
        let f = Floor::compute(vec![
            rule.part(),
            part(
                FloorSource::Admin,
                TlsLevel::Encrypt,
                Some(OnFailure::Forced),
            ),
            part(FloorSource::Pin, TlsLevel::Encrypt, None),
        ]);
        assert_eq!(f.level, TlsLevel::Verify);
        assert_eq!(f.deciding().count(), 1);
        assert!(f.explain().contains("* rule"));
        let f = Floor::compute(vec![
            part(FloorSource::Rule, TlsLevel::May, Some(OnFailure::Forced)),
            part(FloorSource::MtaSts, TlsLevel::Verify, None),
        ]);
        assert_eq!(f.level, TlsLevel::Verify);
        assert!(!f.allows_plaintext());
        assert!(Floor::compute(vec![]).allows_plaintext());
    }

    #[test]
    fn unmet_floor_follows_on_failure_or_defers() {
        let deliver = part(FloorSource::Rule, TlsLevel::May, Some(OnFailure::Forced));
        let sts = part(FloorSource::MtaSts, TlsLevel::Verify, None);
        let bank = part(
            FloorSource::Admin,
            TlsLevel::Verify,
            Some(OnFailure::Exclusive),
        );
        let verified = part(FloorSource::Rule, TlsLevel::Verify, Some(OnFailure::Forced));

        let f = Floor::compute(vec![deliver.clone(), sts.clone()]);
        assert!(matches!(
            f.judge(f.level, Achieved::Encrypted),
            Verdict::Unmet(Unmet::Defer { .. })
        ));
        assert_eq!(f.judge(f.level, Achieved::Verified), Verdict::Send);
        assert_eq!(f.judge(f.level, Achieved::DaneVerified), Verdict::Send);

        let f = Floor::compute(vec![verified.clone(), sts]);
        assert!(matches!(
            f.judge(f.level, Achieved::Plaintext),
            Verdict::Unmet(Unmet::NextMethod { .. })
        ));
        let f = Floor::compute(vec![verified, bank]);
        assert_eq!(f.on_failure, OnFailure::Exclusive);
        assert!(matches!(
            f.judge(f.level, Achieved::Encrypted),
            Verdict::Unmet(Unmet::Drop { .. })
        ));
        let tls_only = RuleFloor::from_requirement(&Requirement::TlsOnly, None).unwrap();
        let f = Floor::compute(vec![tls_only.part()]);
        assert!(matches!(
            f.judge(f.level, Achieved::Plaintext),
            Verdict::Unmet(Unmet::Drop { .. })
        ));
        assert_eq!(f.judge(f.level, Achieved::Encrypted), Verdict::Send);
        // `may`: plaintext meets it.
        let f = Floor::compute(vec![deliver]);
        assert_eq!(f.judge(f.level, Achieved::Plaintext), Verdict::Send);
        assert!(RuleFloor::from_requirement(&Requirement::Hold, None).is_none());
    }
}
