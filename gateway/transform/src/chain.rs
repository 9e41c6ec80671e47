//! The per-recipient method chain: take the first method of the recipient's chain that is
//! possible now, produce that recipient's copy, and say why each earlier method was passed over.
//!
//! Guarantees (DESIGN.md invariant 2): for an `encrypt` requirement the only copies produced are
//! a `tls-verified` copy (the deliver stage then enforces verified TLS), a PGP/MIME or S/MIME copy
//! to that one recipient's key, or the unchanged input when it is already encrypted; otherwise the
//! outcome is `Hold` or `BounceWithNotice` and no body leaves. A chain that runs out without a
//! terminal method ends in `Hold`. `portal` is taken only when the gateway has a portal
//! ([`Transformer::with_portal`]): its copy is the plain copy *to escrow* (the deliver stage
//! sanitises and seals it and sends a notification instead); without a portal it is recorded
//! as not available and the chain goes on to its next method.

use crate::TransformError;
use crate::keys::lookup_name;
use crate::mime::{self, Parsed};
use crate::outcome::{ContentCipher, Outcome, Protected, Protection};
use crate::pgp::{self, PgpCert};
use crate::skip::{KeyProblem, Problem, Skip, Skipped, TlsCapability};
use crate::smime::{self, SmimeCert, SmimeTrust};
use crate::trust::TrustLevel;
use sealgate_core::store::{KeyKind, KeyRecord, KeyStore};
use sealgate_core::{
    Address, Body, Decision, HeaderChange, Message, Method, Requirement, Timestamp,
};
use sequoia_openpgp::policy::StandardPolicy;
use std::sync::Arc;

/// What the deliver stage knows about the recipient's next hop right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// TLS of the next hop, as far as known.
    pub tls: TlsCapability,
    /// The hop's advertised SIZE limit in octets, when known.
    pub size_limit: Option<u64>,
    /// Chain methods that already failed at delivery since the chain last (re)started; they are
    /// skipped with [`Skip::FailedAtDelivery`].
    pub failed: Vec<Method>,
}

impl Hop {
    /// Nothing known yet.
    pub fn unknown() -> Self {
        Hop {
            tls: TlsCapability::Unknown,
            size_limit: None,
            failed: Vec::new(),
        }
    }
}

/// One recipient's copy to produce.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The whole message as accepted (CRLF line ends).
    pub body: &'a Body,
    /// The message's decision (header changes, placeholder subject).
    pub decision: &'a Decision,
    /// The recipient (its keys are looked up by this address).
    pub recipient: &'a Address,
    /// The recipient's requirement (`None` is `deliver`, as in the deliver stage's plan).
    pub requirement: Option<&'a Requirement>,
    /// The lowest key trust the rule accepts.
    pub min_trust: TrustLevel,
    /// Now, for key and certificate validity.
    pub now: Timestamp,
}

impl<'a> Request<'a> {
    /// The request for envelope recipient `index` of a stored message (its body, decision and
    /// requirement; a missing requirement is `deliver`, as in the deliver stage's plan), or
    /// `None` when the message has no such recipient.
    pub fn for_recipient(
        message: &'a Message,
        index: usize,
        min_trust: TrustLevel,
        now: Timestamp,
    ) -> Option<Self> {
        let recipient = &message.envelope.recipients.get(index)?.address;
        Some(Request {
            body: &message.body,
            decision: &message.decision,
            recipient,
            requirement: message.decision.recipients.get(index),
            min_trust,
            now,
        })
    }
}

/// The transform stage: key lookup and the encryptors. Cheap to share (`Arc`); every method
/// is synchronous CPU work — async callers run it on a blocking pool.
pub struct Transformer {
    keys: Arc<dyn KeyStore>,
    smime: SmimeTrust,
    policy: StandardPolicy<'static>,
    portal: bool,
}

impl std::fmt::Debug for Transformer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transformer")
    }
}

/// Encrypted size estimate: base64 (4/3) with line ends, plus packet/header overhead.
fn estimate(len: usize, line: u64) -> u64 {
    let len = len as u64;
    len * 4 / 3 * (line + 2) / line + 2048
}

impl Transformer {
    /// A transformer over `keys`, checking S/MIME certificates against `smime` roots.
    pub fn new(keys: Arc<dyn KeyStore>, smime: SmimeTrust) -> Self {
        Transformer {
            keys,
            smime,
            policy: pgp::policy(),
            portal: false,
        }
    }

    /// The same transformer with the `portal` method available (the gateway serves a portal
    /// and the deliver stage escrows).
    pub fn with_portal(mut self, available: bool) -> Self {
        self.portal = available;
        self
    }

    /// Walks the recipient's chain and produces its copy. Errors only when the key store fails
    /// (temporary) or the requirement is `reject` (never reaches this stage).
    pub fn protect(&self, req: &Request<'_>, hop: &Hop) -> Result<Protected, TransformError> {
        let parsed = mime::split(req.body);
        let plain = |protection| -> Protected {
            Protected {
                outcome: Outcome::Send {
                    body: plain_copy(req, &parsed),
                    protection,
                },
                skipped: Vec::new(),
            }
        };
        let chain = match req.requirement {
            None | Some(Requirement::Deliver) => return Ok(plain(Protection::Opportunistic)),
            Some(Requirement::TlsOnly) => return Ok(plain(Protection::TlsRequired)),
            Some(Requirement::Hold) => return Ok(held(Vec::new())),
            Some(Requirement::Reject) => return Err(TransformError::Rejected),
            Some(Requirement::Encrypt { chain, .. }) => chain,
        };
        // Judged by content (a real OpenPGP message / CMS EnvelopedData), as classify judges it.
        if sealgate_core::encrypted::is_encrypted_message(req.body) {
            return Ok(Protected {
                outcome: Outcome::Send {
                    body: req.body.clone(),
                    protection: Protection::AlreadyEncrypted,
                },
                skipped: Vec::new(),
            });
        }
        let mut skipped = Vec::new();
        for &method in chain {
            if hop.failed.contains(&method) {
                skipped.push(Skipped {
                    method,
                    reason: Skip::FailedAtDelivery,
                });
                continue;
            }
            let tried = match method {
                Method::Hold => return Ok(held(skipped)),
                Method::BounceWithNotice => {
                    return Ok(Protected {
                        outcome: Outcome::BounceWithNotice,
                        skipped,
                    });
                }
                Method::Portal if self.portal => Ok((plain_copy(req, &parsed), Protection::Portal)),
                Method::Portal => Err(Skip::NotAvailable),
                Method::TlsVerified => self.tls_verified(req, &parsed, hop),
                Method::Pgp => self.pgp(req, &parsed, hop)?,
                Method::Smime => self.smime(req, &parsed, hop)?,
            };
            match tried {
                Ok((body, protection)) => {
                    return Ok(Protected {
                        outcome: Outcome::Send { body, protection },
                        skipped,
                    });
                }
                Err(reason) => skipped.push(Skipped { method, reason }),
            }
        }
        Ok(held(skipped))
    }

    fn tls_verified(
        &self,
        req: &Request<'_>,
        p: &Parsed<'_>,
        hop: &Hop,
    ) -> Result<(Body, Protection), Skip> {
        if matches!(
            hop.tls,
            TlsCapability::Unverified | TlsCapability::PlaintextOnly
        ) {
            return Err(Skip::TlsNotVerified { known: hop.tls });
        }
        let body = plain_copy(req, p);
        fits(body.len() as u64, hop)?;
        Ok((body, Protection::TlsVerified))
    }

    /// The recipient's records of `kind`, best first (trust, then newest), or why none.
    fn records(&self, kind: KeyKind, req: &Request<'_>) -> Result<Vec<KeyRecord>, TransformError> {
        let mut recs = self.keys.find(kind, &lookup_name(req.recipient))?;
        recs.sort_by(|a, b| {
            let (ta, tb) = (
                TrustLevel::from_stored(&a.trust),
                TrustLevel::from_stored(&b.trust),
            );
            tb.cmp(&ta).then(b.added_at.cmp(&a.added_at))
        });
        Ok(recs)
    }

    /// The copy made with the first of the recipient's `kind` records that is trusted enough
    /// and encrypts (`seal` turns one record and the inner entity into the body and its
    /// protection, or says what is wrong with that key), if it fits the hop; otherwise why the
    /// method is skipped. The inner entity is built only when there are keys; `line` is the
    /// encoding's line length, for the size estimate made before any encryption.
    fn first_usable(
        &self,
        kind: KeyKind,
        req: &Request<'_>,
        hop: &Hop,
        inner: impl FnOnce() -> Vec<u8>,
        line: u64,
        seal: impl Fn(
            &KeyRecord,
            &[u8],
        ) -> Result<Result<(Vec<u8>, Protection), Problem>, TransformError>,
    ) -> Result<Result<(Body, Protection), Skip>, TransformError> {
        let recs = self.records(kind, req)?;
        if recs.is_empty() {
            return Ok(Err(Skip::NoKey));
        }
        let inner = inner();
        if let Err(s) = fits(estimate(inner.len(), line), hop) {
            return Ok(Err(s));
        }
        let mut problems = Vec::new();
        for rec in &recs {
            let sealed = match trusted(rec, req.min_trust) {
                Ok(()) => seal(rec, &inner)?,
                Err(pr) => Err(pr),
            };
            let (body, protection) = match sealed {
                Ok(x) => x,
                Err(problem) => {
                    problems.push(KeyProblem {
                        fingerprint: rec.fingerprint.clone(),
                        problem,
                    });
                    continue;
                }
            };
            if let Err(s) = fits(body.len() as u64, hop) {
                return Ok(Err(s));
            }
            return Ok(Ok((body.into(), protection)));
        }
        Ok(Err(Skip::NoUsableKey { keys: problems }))
    }

    fn pgp(
        &self,
        req: &Request<'_>,
        p: &Parsed<'_>,
        hop: &Hop,
    ) -> Result<Result<(Body, Protection), Skip>, TransformError> {
        let entity = || inner(req, p);
        self.first_usable(KeyKind::OpenPgp, req, hop, entity, 64, |rec, inner| {
            let attempt = PgpCert::parse(&rec.material).and_then(|c| {
                let subkeys = c.usable(&self.policy, req.now)?;
                let armored = c.encrypt(&self.policy, req.now, inner)?;
                Ok((c.fingerprint(), subkeys, armored))
            });
            let (fingerprint, subkeys, armored) = match attempt {
                Ok(x) => x,
                Err(pr) => return Ok(Err(pr)),
            };
            let body = pgp::pgp_mime(outer(req, p), &armored, &boundary()?);
            Ok(Ok((
                body,
                Protection::Pgp {
                    fingerprint,
                    subkeys,
                },
            )))
        })
    }

    fn smime(
        &self,
        req: &Request<'_>,
        p: &Parsed<'_>,
        hop: &Hop,
    ) -> Result<Result<(Body, Protection), Skip>, TransformError> {
        let entity = || inner(req, p);
        self.first_usable(KeyKind::Smime, req, hop, entity, 76, |rec, inner| {
            let attempt = SmimeCert::parse(&rec.material).and_then(|c| {
                c.check(&self.smime, req.now)?;
                let gcm = c.lists_gcm();
                let der = c.encrypt(inner, gcm)?;
                Ok((c, gcm, der))
            });
            let (cert, gcm, der) = match attempt {
                Ok(x) => x,
                Err(pr) => return Ok(Err(pr)),
            };
            let cipher = if gcm {
                ContentCipher::Aes256Gcm
            } else {
                ContentCipher::Aes256Cbc
            };
            let protection = Protection::Smime {
                fingerprint: cert.fingerprint(),
                serial: cert.serial(),
                cipher,
            };
            Ok(Ok((
                smime::smime_body(outer(req, p), &der, gcm),
                protection,
            )))
        })
    }
}

fn held(skipped: Vec<Skipped>) -> Protected {
    Protected {
        outcome: Outcome::Hold,
        skipped,
    }
}

fn fits(size: u64, hop: &Hop) -> Result<(), Skip> {
    match hop.size_limit {
        Some(limit) if size > limit => Err(Skip::TooLarge { size, limit }),
        _ => Ok(()),
    }
}

fn trusted(rec: &KeyRecord, need: TrustLevel) -> Result<(), Problem> {
    let have = TrustLevel::from_stored(&rec.trust);
    if have < need {
        return Err(Problem::BelowTrust { have, need });
    }
    Ok(())
}

/// A random MIME boundary (cannot occur in armor, whose lines never start with `--=`).
fn boundary() -> Result<String, TransformError> {
    let mut b = [0u8; 18];
    openssl::rand::rand_bytes(&mut b).map_err(|e| TransformError::Crypto(e.to_string()))?;
    Ok(format!("=-sealgate-{}", hex::encode(b)))
}

/// The tag-stripped subject, when the message has one.
fn stripped_subject(decision: &Decision, p: &Parsed<'_>) -> Option<String> {
    let mut s = p.subject()?;
    for change in &decision.header_changes {
        if let HeaderChange::StripSubjectTag { tag } = change {
            s = mime::strip_tag(&s, tag);
        }
    }
    Some(s)
}

fn extra_headers(decision: &Decision) -> Vec<(String, String)> {
    decision
        .header_changes
        .iter()
        .filter_map(|c| match c {
            HeaderChange::AddHeader { name, value } => Some((name.clone(), value.clone())),
            _ => None,
        })
        .collect()
}

/// A copy sent as it is: tag stripped and headers added when the decision says so.
fn plain_copy(req: &Request<'_>, p: &Parsed<'_>) -> Body {
    let strips = req
        .decision
        .header_changes
        .iter()
        .any(|c| matches!(c, HeaderChange::StripSubjectTag { .. }));
    let extra = extra_headers(req.decision);
    if !strips && extra.is_empty() {
        return req.body.clone();
    }
    let subject = if strips {
        stripped_subject(req.decision, p)
    } else {
        None
    };
    mime::rewrite_plain(p, subject.as_deref(), &extra).into()
}

/// The entity to encrypt, with the real (tag-stripped) Subject protected inside.
fn inner(req: &Request<'_>, p: &Parsed<'_>) -> Vec<u8> {
    mime::inner_entity(p, stripped_subject(req.decision, p).as_deref())
}

/// Outer headers of an encrypted copy: the placeholder Subject when the subject carried PHI.
fn outer(req: &Request<'_>, p: &Parsed<'_>) -> Vec<u8> {
    let placeholder = req.decision.header_changes.iter().find_map(|c| match c {
        HeaderChange::PlaceholderSubject { subject } => Some(subject.clone()),
        _ => None,
    });
    let subject = placeholder.or_else(|| stripped_subject(req.decision, p));
    mime::outer_headers(p, subject.as_deref(), &extra_headers(req.decision))
}
