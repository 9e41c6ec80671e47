//! Whether an MX host's name was authenticated, and what an unauthenticated name means for
//! verified TLS when the domain requires authenticated names (`mx = "authenticated"`, issue 16
//! item 3): a WebPKI check only proves the peer owns the name it was asked for, so a name from
//! a forged DNS answer makes `tls-verified` verify the attacker's host.
//!
//! Guarantees: a name is authenticated when the DNSSEC-secure MX answer lists it, when the
//! domain's MTA-STS policy (`enforce` or `testing`; fetched over verified HTTPS) lists it, when
//! it is the recipient domain itself (implicit MX), or when the route is configured (a static
//! route, a tenant's return route). With the requirement on, an unauthenticated host is never
//! used for a configured demand of `verify` or above (the rule's `tls-verified`, an admin
//! level): the outcome is that demand's `on_failure` — the next method of the chain (`forced`)
//! or a drop with notice (`exclusive`); never plaintext, never a weaker check. Demands below
//! `verify` (opportunistic, `tls-only`) check no name and are not affected.

use super::{DomainPlan, RouteKind};
use crate::floor::{Achieved, Floor, FloorPart, Unmet, Verdict};
use crate::mtasts::cache::StsLookup;
use crate::mtasts::policy::Mode;
use sealgate_core::{MxAuth, TlsLevel};

impl DomainPlan {
    /// How `host` (lower case, no trailing dot) was authenticated as a next hop of this domain.
    pub fn mx_auth(&self, host: &str, route: RouteKind) -> MxAuth {
        if route == RouteKind::Static || self.configured {
            return MxAuth::Configured;
        }
        if host == self.domain.as_str() {
            return MxAuth::Domain;
        }
        if self.secure_mx.iter().any(|h| h == host) {
            return MxAuth::Dnssec;
        }
        match &self.sts {
            StsLookup::Policy { policy, .. }
                if policy.mode != Mode::None && policy.matches(host) =>
            {
                MxAuth::MtaSts
            }
            _ => MxAuth::Unauthenticated,
        }
    }

    /// With authenticated names required, what using `host` (authenticated as `auth`) for the
    /// configured verified-TLS demands among `parts` would mean: `None` when the host may be
    /// used, else the demand's unmet outcome with the reason.
    pub(crate) fn unauthenticated_mx(
        &self,
        host: &str,
        auth: MxAuth,
        parts: &[FloorPart],
    ) -> Option<Unmet> {
        if !self.mx_required || auth.is_authenticated() {
            return None;
        }
        let demands: Vec<FloorPart> = parts
            .iter()
            .filter(|p| p.source.is_configured() && p.level >= TlsLevel::Verify)
            .cloned()
            .collect();
        if demands.is_empty() {
            return None;
        }
        let sources: Vec<&str> = demands.iter().map(|p| p.source.as_str()).collect();
        let reason = format!(
            "MX host {host} is not authenticated (no DNSSEC-secure MX answer, not listed by an \
             MTA-STS policy) and mx = \"authenticated\" applies to {}: not used for verified \
             TLS (demanded by {})",
            self.domain,
            sources.join(", ")
        );
        let floor = Floor::compute(demands);
        match floor.judge(floor.level, Achieved::Encrypted) {
            Verdict::Send => None,
            Verdict::Unmet(Unmet::Drop { .. }) => Some(Unmet::Drop { reason }),
            Verdict::Unmet(Unmet::NextMethod { .. }) => Some(Unmet::NextMethod { reason }),
            Verdict::Unmet(Unmet::Defer { .. }) => Some(Unmet::Defer { reason }),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::floor::{FloorSource, RuleFloor};
    use crate::mtasts::StsPolicy;
    use crate::mtasts::cache::Origin;
    use crate::verify::{Verifiers, mozilla_roots};
    use sealgate_core::{Domain, Method, OnFailure, Requirement};
    use std::collections::HashMap;
    use std::sync::Arc;

    fn plan(
        secure: &[&str],
        sts: Option<&str>,
        required: bool,
        parts: Vec<FloorPart>,
    ) -> DomainPlan {
        let sts = match sts {
            None => StsLookup::NoPolicy,
            Some(text) => StsLookup::Policy {
                id: "1".into(),
                policy: StsPolicy::parse(text).unwrap(),
                origin: Origin::Fetched,
            },
        };
        DomainPlan {
            domain: Domain::parse("example.net").unwrap(),
            floor: Floor::compute(parts),
            sts,
            dane: HashMap::new(),
            mx_dnssec_failure: None,
            secure_mx: secure.iter().map(|s| s.to_string()).collect(),
            mx_required: required,
            configured: false,
            verifiers: Arc::new(Verifiers::new(mozilla_roots()).unwrap()),
        }
    }

    fn verified() -> FloorPart {
        RuleFloor::from_requirement(
            &Requirement::Encrypt {
                chain: vec![Method::TlsVerified, Method::Pgp, Method::Hold],
                min_key_trust: sealgate_core::KeyTrust::Discovered,
            },
            Some(Method::TlsVerified),
        )
        .unwrap()
        .part()
    }

    fn deliver() -> FloorPart {
        RuleFloor::from_requirement(&Requirement::Deliver, None)
            .unwrap()
            .part()
    }

    fn admin(level: TlsLevel, on_failure: OnFailure) -> FloorPart {
        FloorPart {
            source: FloorSource::Admin,
            level,
            on_failure: Some(on_failure),
            detail: "[tls.domains] \"example.net\"".into(),
        }
    }

    const STS: &str = "version: STSv1\nmode: testing\nmx: *.sts.example.net\nmax_age: 86400\n";

    #[test]
    fn names_are_authenticated_by_dnssec_mta_sts_the_domain_or_configuration() {
        let p = plan(&["mx.example.net"], Some(STS), false, vec![]);
        let auth = |h: &str, r| p.mx_auth(h, r);
        assert_eq!(auth("mx.example.net", RouteKind::Mx), MxAuth::Dnssec);
        assert_eq!(auth("a.sts.example.net", RouteKind::Mx), MxAuth::MtaSts);
        assert_eq!(auth("example.net", RouteKind::Mx), MxAuth::Domain);
        assert_eq!(
            auth("relay.example.org", RouteKind::Static),
            MxAuth::Configured
        );
        assert_eq!(
            auth("evil.example.org", RouteKind::Mx),
            MxAuth::Unauthenticated
        );
        // A policy in mode `none` lists nothing.
        let none = STS.replace("mode: testing", "mode: none");
        let p = plan(&[], Some(&none), false, vec![]);
        assert_eq!(
            p.mx_auth("a.sts.example.net", RouteKind::Mx),
            MxAuth::Unauthenticated
        );
    }

    #[test]
    fn an_unauthenticated_mx_is_refused_for_verified_tls_only_when_required() {
        let unauth = MxAuth::Unauthenticated;
        let host = "mx.example.net";
        // Not required: used.
        let p = plan(&[], None, false, vec![]);
        assert_eq!(p.unauthenticated_mx(host, unauth, &[verified()]), None);
        // Required, authenticated: used.
        let p = plan(&[host], None, true, vec![]);
        assert_eq!(
            p.unauthenticated_mx(host, MxAuth::Dnssec, &[verified()]),
            None
        );
        // Required, unauthenticated, tls-verified (forced): the next method, reason given.
        let p = plan(&[], None, true, vec![]);
        match p.unauthenticated_mx(host, unauth, &[verified()]) {
            Some(Unmet::NextMethod { reason }) => {
                assert!(
                    reason.contains("mx.example.net is not authenticated"),
                    "{reason}"
                );
                assert!(reason.contains("demanded by rule"), "{reason}");
            }
            other => panic!("want next method, got {other:?}"),
        }
        // An admin verify level with on_failure exclusive: dropped with notice.
        let parts = [deliver(), admin(TlsLevel::Verify, OnFailure::Exclusive)];
        assert!(matches!(
            p.unauthenticated_mx(host, unauth, &parts),
            Some(Unmet::Drop { .. })
        ));
        // Demands below verify check no name: opportunistic and tls-only mail goes on.
        let parts = [deliver(), admin(TlsLevel::Encrypt, OnFailure::Exclusive)];
        assert_eq!(p.unauthenticated_mx(host, unauth, &parts), None);
    }

    #[test]
    fn mx_plan_skips_the_unauthenticated_host_and_records_how_each_was_authenticated() {
        let p = plan(&[], Some(STS), true, vec![verified()]);
        let bad = p.mx_plan("mx.example.net", RouteKind::Mx).unwrap();
        assert_eq!(bad.mx_auth, MxAuth::Unauthenticated);
        assert!(
            matches!(bad.skip, Some(Unmet::NextMethod { .. })),
            "{:?}",
            bad.skip
        );
        let good = p.mx_plan("b.sts.example.net", RouteKind::Mx).unwrap();
        assert_eq!(good.mx_auth, MxAuth::MtaSts);
        assert_eq!(good.skip, None);
        let route = p
            .mx_plan("smarthost.example.org", RouteKind::Static)
            .unwrap();
        assert_eq!((route.mx_auth, route.skip), (MxAuth::Configured, None));
        // A tenant's return route (its MX hosts, named by the administrator) likewise.
        let mut ret = p.clone();
        ret.configured = true;
        let mx = ret.mx_plan("mx.example.net", RouteKind::Mx).unwrap();
        assert_eq!((mx.mx_auth, mx.skip), (MxAuth::Configured, None));
        // Not required: the same host is used, and recorded as unauthenticated.
        let p = plan(&[], None, false, vec![verified()]);
        let mx = p.mx_plan("mx.example.net", RouteKind::Mx).unwrap();
        assert_eq!((mx.mx_auth, mx.skip), (MxAuth::Unauthenticated, None));
    }
}
