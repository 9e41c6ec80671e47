//! The portal's HTTP side: an axum [`Router`] the gateway serves inside `serve`.
//!
//! Routes: `GET /m/{id}` (the link: shows the reference word and "Email me a code", or the
//! message page once the session passed the code; changes nothing and sends nothing; `?lang=`
//! switches the language, `?step=code` shows the code form), `GET /` (a short page the
//! language switch of error pages leads to),
//! `POST /m/{id}/code` (mails a code), `POST /m/{id}/verify`, `POST /m/{id}/open` (the page
//! posts the link half; the copy is decrypted for that request only and returned as JSON for
//! the sandboxed frame), `POST /m/{id}/a/{n}` (one attachment, always a download),
//! `POST /m/{id}/ask` (withdrawn or expired: ask the sender again), the sender's status page
//! (`GET /s/{token}`: a "Continue" button only; `POST /s/{token}` the page;
//! `POST /s/{token}/revoke|extend|resend`, `web/status.rs`), `POST /logout`, and the
//! static `portal.js` / `portal.css`, and each tenant's `/static/brand/<key>/style.css` and
//! `/static/brand/<key>/logo` (`brand.rs`).
//!
//! Guarantees: every POST needs an `Origin` among the configured portal origins, the live
//! session's cookie and its CSRF token; the session cookie is `__Host-`, `Secure`, `HttpOnly`,
//! `SameSite=Strict`; every response carries a strict CSP (no inline script; the message frame's
//! own style by hash), HSTS, `Referrer-Policy: no-referrer`, `Cache-Control: no-store`,
//! `X-Content-Type-Options: nosniff` and `X-Frame-Options: DENY` / `frame-ancestors 'none'`
//! (the only frame is the page's own `srcdoc` message frame, sandboxed without scripts, with its
//! own CSP allowing nothing but `data:` images). Store calls and decryption run on the blocking
//! pool; the link half is never logged or stored.

mod common;
mod handlers;
pub mod pages;
mod passkey;
mod reply;
mod status;

use crate::error::PortalError;
use crate::login::{CodePolicy, Codes};
use crate::record::EscrowRecord;
use crate::session::Sessions;
use crate::store::EscrowStore;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post};
use base64::Engine;
use hmac::{Hmac, Mac};
use pages::Brand;
use sealgate_core::time::{Clock, Random};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// The future of a [`PortalMail`] call.
pub type MailFuture<'a> = Pin<Box<dyn Future<Output = Result<(), PortalError>> + Send + 'a>>;

/// The mail the portal asks the gateway to originate (committed to the spool and DKIM-signed
/// with the tenant's key by the deliver stage).
pub trait PortalMail: Send + Sync {
    /// Mails `code` to the recipient of `record`: plain text, no link.
    fn send_code<'a>(&'a self, record: &'a EscrowRecord, code: &'a str) -> MailFuture<'a>;
    /// Tells the sender of `record` that its recipient asks for the message again.
    fn ask_sender<'a>(&'a self, record: &'a EscrowRecord) -> MailFuture<'a>;
    /// `key_mode = "server"`: mails the recipient of `record` a fresh notification (the
    /// sender's status page, "Send the notification again"). Not offered by default.
    fn resend<'a>(&'a self, record: &'a EscrowRecord) -> MailFuture<'a> {
        let _ = record;
        Box::pin(async { Err(PortalError::Conflict("resending is not available".into())) })
    }
    /// The expiry an "Extend" on the sender's status page moves `record` to, within the
    /// gateway's bounds; `None` when it can't be extended (further).
    fn extension(&self, record: &EscrowRecord) -> Option<sealgate_core::time::Timestamp> {
        let _ = record;
        None
    }
}

/// What the portal's HTTP side needs to know.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The origins the portal is served at (`https://portal.clinic.example`); a POST whose
    /// `Origin` is not one of them is refused.
    pub origins: Vec<String>,
    /// Per-tenant page text, by tenant name.
    pub brands: HashMap<String, Brand>,
    /// Page text when the tenant is unknown (a link that is not valid).
    pub default_brand: Brand,
    /// Idle logoff (15 minutes).
    pub idle: Duration,
    /// The code step's limits.
    pub codes: CodePolicy,
}

/// The style of the message frame's document; allowed in the page CSP by its hash.
pub(crate) const FRAME_STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:8px;color:#1a1a1a;background:#fff;overflow-wrap:anywhere}img{max-width:100%;height:auto}";

pub(crate) struct Inner {
    pub store: Arc<EscrowStore>,
    pub mail: Arc<dyn PortalMail>,
    pub config: WebConfig,
    pub codes: Codes,
    pub sessions: Sessions,
    pub clock: Arc<dyn Clock>,
    pub reply: Option<crate::reply::ReplyService>,
    pub passkeys: passkey::PasskeyWeb,
    pseudonym_key: Zeroizing<[u8; 32]>,
    csp: HeaderValue,
}

impl Inner {
    /// The keyed pseudonym of a client address, for rate limits and event actors.
    pub fn client(&self, ip: Option<IpAddr>) -> String {
        let Some(ip) = ip else {
            return "ip:unknown".into();
        };
        // HMAC takes keys of any length: `new_from_slice` cannot fail for 32 bytes.
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.pseudonym_key[..]) else {
            return "ip:unavailable".into();
        };
        mac.update(ip.to_string().as_bytes());
        format!("ip:{}", hex::encode(&mac.finalize().into_bytes()[..6]))
    }

    /// The keyed pseudonym of the recipient of `record`.
    pub fn recipient(&self, record: &EscrowRecord) -> String {
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.pseudonym_key[..]) else {
            return "addr:unavailable".into();
        };
        mac.update(record.recipient.to_string().to_lowercase().as_bytes());
        format!("addr:{}", hex::encode(&mac.finalize().into_bytes()[..6]))
    }

    /// The page text of a tenant.
    pub fn brand(&self, tenant: Option<&str>) -> &Brand {
        tenant
            .and_then(|t| self.config.brands.get(t))
            .unwrap_or(&self.config.default_brand)
    }
}

fn csp() -> HeaderValue {
    let hash =
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(FRAME_STYLE.as_bytes()));
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src 'self' 'sha256-{hash}'; img-src 'self' data:; \
connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    // Built only from ASCII literals and base64: always a valid header value.
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

/// The portal router. `clock` and `rng` drive codes, sessions and expiry checks.
pub fn router(
    store: Arc<EscrowStore>,
    mail: Arc<dyn PortalMail>,
    config: WebConfig,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
) -> Router {
    router_with(store, mail, config, clock, rng, Features::default())
}

/// What the portal offers beyond reading: the secure reply and passkeys.
#[derive(Default)]
pub struct Features {
    /// The secure reply (`GET`/`POST /m/{id}/reply`), when given.
    pub reply: Option<crate::reply::ReplyService>,
    /// Passkeys for the tenants named (tenant name → its portal host and origin; see
    /// `passkey.rs`). Tenants not named there log in by code only.
    pub relying_parties: HashMap<String, crate::passkey::RelyingParty>,
}

/// [`router`] with the secure reply when `reply` is given.
pub fn router_with_reply(
    store: Arc<EscrowStore>,
    mail: Arc<dyn PortalMail>,
    config: WebConfig,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
    reply: Option<crate::reply::ReplyService>,
) -> Router {
    let features = Features {
        reply,
        ..Features::default()
    };
    router_with(store, mail, config, clock, rng, features)
}

/// [`router`] with passkeys for the tenants in `relying_parties`.
pub fn router_with_passkeys(
    store: Arc<EscrowStore>,
    mail: Arc<dyn PortalMail>,
    config: WebConfig,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
    relying_parties: HashMap<String, crate::passkey::RelyingParty>,
) -> Router {
    let features = Features {
        relying_parties,
        ..Features::default()
    };
    router_with(store, mail, config, clock, rng, features)
}

/// The portal router with `features`.
pub fn router_with(
    store: Arc<EscrowStore>,
    mail: Arc<dyn PortalMail>,
    config: WebConfig,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
    features: Features,
) -> Router {
    let mut config = config;
    for (tenant, brand) in config.brands.iter_mut() {
        brand.key = hex::encode(tenant.as_bytes());
    }
    let mut pseudonym_key = Zeroizing::new([0u8; 32]);
    rng.fill(&mut pseudonym_key[..]);
    let inner = Arc::new(Inner {
        store,
        mail,
        codes: Codes::new(config.codes.clone(), clock.clone(), rng.clone()),
        passkeys: passkey::PasskeyWeb {
            rps: features.relying_parties,
            challenges: crate::passkey::Challenges::new(clock.clone(), rng.clone()),
        },
        sessions: Sessions::new(config.idle, clock.clone(), rng),
        config,
        clock,
        reply: features.reply,
        pseudonym_key,
        csp: csp(),
    });
    let csp = inner.csp.clone();
    Router::new()
        .route("/", get(handlers::home))
        .route("/m/{id}", get(handlers::link))
        .route("/m/{id}/code", post(handlers::code))
        .route("/m/{id}/verify", post(handlers::verify))
        .route("/m/{id}/open", post(handlers::open))
        .route("/m/{id}/a/{n}", post(handlers::attachment))
        .route("/m/{id}/ask", post(handlers::ask))
        .route("/s/{token}", get(status::start).post(status::page))
        .route("/s/{token}/revoke", post(status::revoke))
        .route("/s/{token}/extend", post(status::extend))
        .route("/s/{token}/resend", post(status::resend))
        .route("/m/{id}/reply", get(reply::form).post(reply::send))
        .route("/static/reply.js", get(reply::script))
        .route("/static/reply.css", get(reply::style))
        .route("/logout", post(handlers::logout))
        .route("/static/portal.js", get(handlers::script))
        .route("/static/portal.css", get(handlers::style))
        .route("/static/brand/{key}/style.css", get(handlers::brand_style))
        .route("/static/brand/{key}/logo", get(handlers::brand_logo))
        .merge(passkey::routes())
        .fallback(handlers::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024))
        .layer(axum::middleware::map_response(move |r| {
            security_headers(r, csp.clone())
        }))
        .with_state(inner)
}

async fn security_headers(mut response: Response, csp: HeaderValue) -> Response {
    let h = response.headers_mut();
    // A handler's own policy stays: only the logo sets one, stricter (`sandbox`, no script).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000; includeSubDomains"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    response
}
