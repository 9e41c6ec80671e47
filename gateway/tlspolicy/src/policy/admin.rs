//! The administrator's part of the policy, replaced whole on reload: the `[tls.domains]`
//! floors and which domains' MX names must be authenticated (`[tls.domains] mx`, default
//! `[tls] mx`).

use crate::floor::{FloorPart, FloorSource};
use sealgate_config::{MxNames, TlsPolicyConfig};
use sealgate_core::Domain;
use std::collections::HashMap;

/// `[tls.domains]` and `[tls] mx`, as the policy reads them.
#[derive(Debug, Clone, Default)]
pub(crate) struct AdminTable {
    floors: HashMap<Domain, FloorPart>,
    mx: HashMap<Domain, MxNames>,
    mx_default: MxNames,
}

impl AdminTable {
    /// The table of `config`.
    pub(crate) fn from_config(config: &TlsPolicyConfig) -> AdminTable {
        AdminTable {
            floors: admin_table(config),
            mx: config
                .domains
                .iter()
                .filter_map(|r| r.mx.map(|m| (r.domain.clone(), m)))
                .collect(),
            mx_default: config.mx,
        }
    }

    /// The admin floor part of `domain`, if it has one.
    pub(crate) fn part(&self, domain: &Domain) -> Option<FloorPart> {
        self.floors.get(domain).cloned()
    }

    /// Whether verified TLS to `domain` may use only authenticated MX names.
    pub(crate) fn mx_required(&self, domain: &Domain) -> bool {
        self.mx.get(domain).copied().unwrap_or(self.mx_default) == MxNames::Authenticated
    }
}

/// The admin's `[tls.domains]` levels as floor parts (entries with only `mx` have none).
pub(crate) fn admin_table(config: &TlsPolicyConfig) -> HashMap<Domain, FloorPart> {
    config
        .domains
        .iter()
        .filter_map(|r| {
            let level = r.level?;
            Some((
                r.domain.clone(),
                FloorPart {
                    source: FloorSource::Admin,
                    level,
                    on_failure: Some(r.on_failure),
                    detail: format!("[tls.domains] \"{}\"", r.domain),
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sealgate_config::Config;

    #[test]
    fn a_domain_entry_overrides_the_global_mx_setting_both_ways() {
        let c = Config::from_toml(
            "[tls]\nmx = \"authenticated\"\n[tls.domains]\n\"open.example\" = { mx = \"any\" }\n",
        )
        .unwrap();
        let t = AdminTable::from_config(&c.tls);
        let d = |s: &str| Domain::parse(s).unwrap();
        assert!(t.mx_required(&d("other.example")));
        assert!(!t.mx_required(&d("open.example")));
        assert!(
            t.part(&d("open.example")).is_none(),
            "an mx-only entry sets no floor"
        );

        let c = Config::from_toml(
            "[tls.domains]\n\"strict.example\" = { level = \"verify\", mx = \"authenticated\" }\n",
        )
        .unwrap();
        let t = AdminTable::from_config(&c.tls);
        assert!(!t.mx_required(&d("other.example")), "off by default");
        assert!(t.mx_required(&d("strict.example")));
        assert!(t.part(&d("strict.example")).is_some());
    }
}
