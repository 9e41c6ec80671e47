//! The [`Signer`]: every owner's loaded keys, and signing one message for one owner.
//! Guarantees: a message is signed only with keys of the owner named by the caller whose
//! domain is (or is the nearest parent of) the header From domain; the message bytes are never
//! changed, our header block is only ever prepended.

use crate::error::{KeyProblem, SignError};
use crate::headers::{self, FromProblem};
use crate::key::{self, KeyOwner, KeySpec, KeyType, LoadedKey};
use mail_auth::common::crypto::{Algorithm, DkimKey, Sha256, SigningKey};
use mail_auth::common::headers::{HeaderWriter, Writable};
use mail_auth::dkim::{Canonicalization, DkimSigner};
use sealgate_config::Config;
use sealgate_core::Domain;
use std::collections::BTreeMap;
use std::fmt;

/// Every owner's DKIM keys, loaded and checked. Cheap to share (`Arc<Signer>`); signing takes
/// `&self`.
pub struct Signer {
    keys: BTreeMap<KeyOwner, Vec<LoadedKey>>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (owner, keys) in &self.keys {
            let names: Vec<String> = keys.iter().map(LoadedKey::name).collect();
            m.entry(&owner.to_string(), &names);
        }
        m.finish()
    }
}

/// One signature added to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureInfo {
    /// `d=`.
    pub domain: Domain,
    /// `s=`.
    pub selector: String,
    /// Key algorithm.
    pub key_type: KeyType,
    /// Key size in bits (RSA modulus; 256 for Ed25519).
    pub bits: usize,
}

/// The header block to prepend and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    header: Vec<u8>,
    /// The signatures, topmost first.
    pub signatures: Vec<SignatureInfo>,
}

impl Signed {
    /// The `DKIM-Signature:` fields, CRLF-terminated, to write before the message.
    pub fn header(&self) -> &[u8] {
        &self.header
    }
}

/// Why a message got no signature. Not an error: the caller decides whether unsigned mail may
/// leave (it is the normal case for a tenant that configured no DKIM key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsigned {
    /// The owner has no key for the From domain or any parent of it.
    NoKey {
        /// The header From domain.
        domain: Domain,
    },
    /// The message has no `From` field.
    NoFrom,
    /// The message has more than one `From` field.
    SeveralFromFields,
    /// A `From` address has no valid domain.
    BadFromAddress,
    /// `From` lists addresses in more than one domain.
    SeveralFromDomains,
}

impl fmt::Display for Unsigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsigned::NoKey { domain } => write!(f, "no DKIM key of the sender for {domain}"),
            Unsigned::NoFrom => f.write_str("no From field"),
            Unsigned::SeveralFromFields => f.write_str("several From fields"),
            Unsigned::BadFromAddress => f.write_str("a From address without a valid domain"),
            Unsigned::SeveralFromDomains => f.write_str("From addresses in several domains"),
        }
    }
}

/// The result of [`Signer::sign`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Signed: prepend [`Signed::header`].
    Signed(Signed),
    /// Not signed, and why.
    Unsigned(Unsigned),
}

impl Outcome {
    /// The message to send: our signature fields followed by `message`, unchanged (a copy of
    /// `message` when unsigned).
    pub fn apply(&self, message: &[u8]) -> Vec<u8> {
        let header = self.header();
        let mut out = Vec::with_capacity(header.len() + message.len());
        out.extend_from_slice(header);
        out.extend_from_slice(message);
        out
    }

    /// The header block to prepend (empty when unsigned), for callers that write it and the
    /// message separately.
    pub fn header(&self) -> &[u8] {
        match self {
            Outcome::Signed(s) => &s.header,
            Outcome::Unsigned(_) => &[],
        }
    }

    /// The signatures added (none when unsigned).
    pub fn signatures(&self) -> &[SignatureInfo] {
        match self {
            Outcome::Signed(s) => &s.signatures,
            Outcome::Unsigned(_) => &[],
        }
    }
}

impl Signer {
    /// Loads every key of `specs`. All problems (unreadable or unusable files, bad selectors,
    /// duplicates, a domain under two tenants) are reported together as
    /// [`SignError::Config`]. The gateway may share a domain with a tenant (a single-tenant
    /// install often does); two tenants may not.
    pub fn new(specs: impl IntoIterator<Item = KeySpec>) -> Result<Signer, SignError> {
        let mut keys: BTreeMap<KeyOwner, Vec<LoadedKey>> = BTreeMap::new();
        let mut domain_owner: BTreeMap<Domain, KeyOwner> = BTreeMap::new();
        let mut problems = Vec::new();
        for spec in specs {
            if let Some(p) = check_spec(&spec, &keys, &mut domain_owner) {
                problems.push(p);
                continue;
            }
            match key::load(&spec) {
                Ok(k) => keys.entry(spec.owner).or_default().push(k),
                Err(p) => problems.push(p),
            }
        }
        if problems.is_empty() {
            Ok(Signer { keys })
        } else {
            Err(SignError::Config(problems))
        }
    }

    /// The keys of a configuration: each `[[tenants.NAME.dkim]]` entry, and the gateway's own
    /// key (`[gateway] domain` + `dkim_selector` + `dkim_key`) when set.
    pub fn from_config(config: &Config) -> Result<Signer, SignError> {
        Signer::new(specs_from_config(config))
    }

    /// Number of keys loaded, all owners together.
    pub fn key_count(&self) -> usize {
        self.keys.values().map(Vec::len).sum()
    }

    /// Signs `message` (a whole RFC 5322 message, CRLF line ends) for `owner`, with every key of
    /// that owner for the header From domain (or its nearest parent with keys). Sync and
    /// CPU-bound: call it from `spawn_blocking` in async code.
    pub fn sign(&self, owner: &KeyOwner, message: &[u8]) -> Result<Outcome, SignError> {
        let inspected = headers::inspect(message);
        let domain = match inspected.from {
            Ok(d) => d,
            Err(p) => return Ok(Outcome::Unsigned(unsigned(p))),
        };
        let Some(chosen) = self.keys_for(owner, &domain) else {
            return Ok(Outcome::Unsigned(Unsigned::NoKey { domain }));
        };
        let names = inspected.names;
        let mut header = Vec::with_capacity(chosen.len() * 600);
        let mut signatures = Vec::with_capacity(chosen.len());
        for k in chosen {
            let signature = DkimSigner::from_key(KeyRef(&k.key))
                .domain(k.domain.as_str())
                .selector(k.selector.as_str())
                .headers(names.iter().copied())
                .header_canonicalization(Canonicalization::Relaxed)
                .body_canonicalization(Canonicalization::Simple)
                .sign(message)
                .map_err(|e| SignError::Sign {
                    key: k.name(),
                    reason: e.to_string(),
                })?;
            header.extend_from_slice(signature.to_header().as_bytes());
            signatures.push(SignatureInfo {
                domain: k.domain.clone(),
                selector: k.selector.clone(),
                key_type: k.key_type,
                bits: k.bits,
            });
        }
        Ok(Outcome::Signed(Signed { header, signatures }))
    }

    /// The owner's keys for `domain`, or for its nearest parent (at least two labels) that has
    /// keys.
    fn keys_for(&self, owner: &KeyOwner, domain: &Domain) -> Option<Vec<&LoadedKey>> {
        let owned = self.keys.get(owner)?;
        let mut candidate = domain.as_str();
        loop {
            let found: Vec<&LoadedKey> = owned
                .iter()
                .filter(|k| k.domain.as_str() == candidate)
                .collect();
            if !found.is_empty() {
                return Some(found);
            }
            let (_, parent) = candidate.split_once('.')?;
            if !parent.contains('.') {
                return None;
            }
            candidate = parent;
        }
    }
}

/// The key specs of a configuration, tenants in name order then the gateway.
pub(crate) fn specs_from_config(config: &Config) -> Vec<KeySpec> {
    let mut specs: Vec<KeySpec> = config
        .tenants
        .iter()
        .flat_map(|t| {
            t.dkim.iter().map(|k| KeySpec {
                owner: KeyOwner::Tenant(t.name.clone()),
                domain: k.domain.clone(),
                selector: k.selector.clone(),
                path: k.key.clone(),
            })
        })
        .collect();
    let g = &config.gateway;
    if let (Some(selector), Some(path)) = (&g.dkim_selector, &g.dkim_key) {
        specs.push(KeySpec {
            owner: KeyOwner::Gateway,
            domain: g.domain.clone(),
            selector: selector.clone(),
            path: path.clone(),
        });
    }
    specs
}

fn check_spec(
    spec: &KeySpec,
    keys: &BTreeMap<KeyOwner, Vec<LoadedKey>>,
    domain_owner: &mut BTreeMap<Domain, KeyOwner>,
) -> Option<KeyProblem> {
    let name = spec.name();
    let owner = || spec.owner.clone();
    if !key::is_valid_selector(&spec.selector) {
        return Some(KeyProblem::BadSelector {
            key: name,
            owner: owner(),
        });
    }
    if !spec.domain.as_str().contains('.') {
        return Some(KeyProblem::BadDomain {
            key: name,
            owner: owner(),
        });
    }
    let duplicate = keys.get(&spec.owner).is_some_and(|ks| {
        ks.iter()
            .any(|k| k.domain == spec.domain && k.selector.eq_ignore_ascii_case(&spec.selector))
    });
    if duplicate {
        return Some(KeyProblem::Duplicate {
            key: name,
            owner: owner(),
        });
    }
    if spec.owner != KeyOwner::Gateway {
        match domain_owner.get(&spec.domain) {
            Some(first) if *first != spec.owner => {
                return Some(KeyProblem::SharedDomain {
                    domain: spec.domain.clone(),
                    first: first.clone(),
                    second: owner(),
                });
            }
            Some(_) => {}
            None => {
                domain_owner.insert(spec.domain.clone(), owner());
            }
        }
    }
    None
}

fn unsigned(p: FromProblem) -> Unsigned {
    match p {
        FromProblem::Missing => Unsigned::NoFrom,
        FromProblem::SeveralFields => Unsigned::SeveralFromFields,
        FromProblem::BadAddress => Unsigned::BadFromAddress,
        FromProblem::SeveralDomains => Unsigned::SeveralFromDomains,
    }
}

/// Lets mail-auth's signer borrow a loaded key instead of owning it, so one key signs many
/// messages concurrently.
struct KeyRef<'a>(&'a DkimKey);

impl SigningKey for KeyRef<'_> {
    type Hasher = Sha256;

    fn sign(&self, input: impl Writable) -> mail_auth::Result<Vec<u8>> {
        self.0.sign(input)
    }

    fn algorithm(&self) -> Algorithm {
        self.0.algorithm()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signer_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Signer>();
    }
}
