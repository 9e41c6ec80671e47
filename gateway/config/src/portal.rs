//! `[portal]`: the secure portal served inside `sealgate serve`, and `[portal.tenants.NAME]`,
//! each tenant's public base URL, key mode and template (name, help line, intro, logo file,
//! colours), its mail language and text overrides (`portal_texts.rs`).
//!
//! Colours are `#rrggbb` (or `#rgb`); `colour` is the header and button background and
//! `colour_text` the text on it (default white): the pair must reach the WCAG 2.2 AA contrast
//! for normal text (4.5:1) or the key is refused. The logo file's content is checked when the
//! portal starts (and by `config check`), not here.
//!
//! Absent section → no portal: the `portal` chain method is passed over ("not available") and
//! the chain goes on to its next method. Every problem names its key.

use crate::reader::{Section, parse_socket};
use ipnet::IpNet;
use sealgate_core::{Address, Domain};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Default expiry of an escrowed copy: 30 days.
pub const DEFAULT_PORTAL_EXPIRY: Duration = Duration::from_secs(30 * 86_400);
/// Default shortest expiry a message may ask for: one minute.
pub const DEFAULT_PORTAL_MIN_EXPIRY: Duration = Duration::from_secs(60);
/// Default longest expiry (and the longest `extend`): 365 days.
pub const DEFAULT_PORTAL_MAX_EXPIRY: Duration = Duration::from_secs(365 * 86_400);
/// Default attachment size limit: 25 MiB.
pub const DEFAULT_PORTAL_MAX_ATTACHMENT: u64 = 25 << 20;

/// `[portal]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalConfig {
    /// `listen`: the portal's HTTP(S) address.
    pub listen: SocketAddr,
    /// `tls_cert` and `tls_key` (PEM): serve HTTPS with rustls; absent → plain HTTP, for a
    /// reverse proxy in front (see `trusted_proxies`) or `localhost` tests.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// `trusted_proxies`: peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
    /// `default_expiry`.
    pub default_expiry: Duration,
    /// `min_expiry`.
    pub min_expiry: Duration,
    /// `max_expiry`.
    pub max_expiry: Duration,
    /// `max_attachment_size`.
    pub max_attachment: u64,
    /// `[portal.tenants.NAME]`, sorted by name.
    pub tenants: Vec<PortalTenant>,
    /// `sweep_interval`, `reminder_after`, `expiry_warning` (`portal_notices.rs`).
    pub notices: crate::portal_notices::PortalNotices,
    /// `reply_max_size` / `reply_daily_limit` (the secure reply, `portal_reply.rs`).
    pub reply: crate::ReplyLimits,
}

/// `[portal.tenants.NAME]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalTenant {
    /// The tenant's name (a `[tenants.NAME]`).
    pub name: String,
    /// `base_url`: `https://portal.clinic.example` (no trailing slash kept).
    pub base_url: String,
    /// `key_mode`: `"link"` (default) or `"server"`.
    pub key_mode_server: bool,
    /// `organisation`: the name in notifications and pages.
    pub organisation: String,
    /// `help`: the help line in notifications and pages.
    pub help: String,
    /// `from`: the notification's address, at a domain the tenant signs for.
    pub from: Option<Address>,
    /// `intro`: a sentence shown above the link page's text and in the notification.
    pub intro: String,
    /// `logo`: a PNG or SVG file shown in the portal pages' header.
    pub logo: Option<PathBuf>,
    /// `colour` / `colour_text`: the header and button colours.
    pub colours: Option<BrandColours>,
    /// `default_expiry` / `min_expiry` / `max_expiry` of this tenant, each defaulting to
    /// `[portal]`'s (a tenant's `max_expiry` may not exceed `[portal] max_expiry`, which also
    /// caps `extend`).
    pub expiry: Option<ExpiryBounds>,
    /// `language`: the recipient mails' language, `"en"` (default), `"es"` or `"en+es"`.
    pub language: crate::portal_texts::MailLanguage,
    /// `[portal.tenants.NAME.texts.en|es]`: the tenant's own wording (`portal_texts.rs`).
    pub texts: Vec<crate::portal_texts::TextOverride>,
    /// `read_receipt`: mail the sender when a recipient first reads the message.
    pub read_receipt: bool,
    /// `reply_max_size` / `reply_daily_limit`, each defaulting to `[portal]`'s.
    pub reply: crate::ReplyLimits,
}

/// A tenant's own expiry bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryBounds {
    /// `default_expiry`.
    pub default: Duration,
    /// `min_expiry`.
    pub min: Duration,
    /// `max_expiry`.
    pub max: Duration,
}

/// A colour, `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub [u8; 3]);

/// The minimum contrast of normal text (WCAG 2.2 AA, success criterion 1.4.3).
pub const AA_CONTRAST: f64 = 4.5;

impl Rgb {
    /// White, the page background.
    pub const WHITE: Rgb = Rgb([255, 255, 255]);

    /// `#rrggbb` or `#rgb`.
    pub fn parse(text: &str) -> Result<Rgb, String> {
        let bad = || format!("`{text}` is not a colour like \"#1d4f91\"");
        let hex = text.strip_prefix('#').ok_or_else(bad)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let digit = |i: usize, n: usize| u8::from_str_radix(&hex[i..i + n], 16).map_err(|_| bad());
        match hex.len() {
            6 => Ok(Rgb([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?])),
            3 => Ok(Rgb([
                digit(0, 1)? * 17,
                digit(1, 1)? * 17,
                digit(2, 1)? * 17,
            ])),
            _ => Err(bad()),
        }
    }

    /// `#rrggbb`.
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0[0], self.0[1], self.0[2])
    }

    /// Relative luminance (WCAG 2.x definition, sRGB).
    fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.0[0]) + 0.7152 * lin(self.0[1]) + 0.0722 * lin(self.0[2])
    }

    /// The contrast ratio with `other`, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

/// `colour` (header and button background) and `colour_text` (text on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrandColours {
    /// `colour`.
    pub background: Rgb,
    /// `colour_text` (default white).
    pub text: Rgb,
}

impl PortalConfig {
    /// The settings of `tenant`, if it has a portal.
    pub fn tenant(&self, tenant: &str) -> Option<&PortalTenant> {
        self.tenants.iter().find(|t| t.name == tenant)
    }

    /// `wanted` (or the default) within `[min_expiry, max_expiry]`.
    pub fn bound_expiry(&self, wanted: Option<Duration>) -> Duration {
        wanted
            .unwrap_or(self.default_expiry)
            .clamp(self.min_expiry, self.max_expiry.max(self.min_expiry))
    }

    /// `wanted` (or the default) within `tenant`'s bounds (its own, else `[portal]`'s).
    pub fn bound_expiry_for(&self, tenant: &str, wanted: Option<Duration>) -> Duration {
        match self.tenant(tenant).and_then(|t| t.expiry) {
            Some(b) => wanted.unwrap_or(b.default).clamp(b.min, b.max.max(b.min)),
            None => self.bound_expiry(wanted),
        }
    }
}

/// Reads `[portal]` (`None` when the section is absent).
pub(crate) fn read_portal(
    mut s: Section<'_>,
    present: bool,
    names: &[&str],
) -> Option<PortalConfig> {
    if !present {
        s.finish();
        return None;
    }
    let listen = s.parsed("listen", parse_socket);
    if listen.is_none() && !s.had_issue("listen") {
        s.issue(
            "listen",
            "the portal needs a listen address like \"127.0.0.1:8443\"",
        );
    }
    let (cert, key) = (s.path("tls_cert"), s.path("tls_key"));
    let tls = match (cert, key) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        (Some(_), None) => {
            s.issue("tls_key", "tls_cert needs tls_key");
            None
        }
        (None, Some(_)) => {
            s.issue("tls_cert", "tls_key needs tls_cert");
            None
        }
    };
    let trusted_proxies = s
        .parsed_list("trusted_proxies", |t| {
            t.parse::<IpNet>()
                .or_else(|_| t.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| format!("`{t}` is not a network like \"10.0.0.0/8\""))
        })
        .unwrap_or_default();
    let default_expiry = s
        .duration("default_expiry")
        .unwrap_or(DEFAULT_PORTAL_EXPIRY);
    let min_expiry = s
        .duration("min_expiry")
        .unwrap_or(DEFAULT_PORTAL_MIN_EXPIRY);
    let max_expiry = s
        .duration("max_expiry")
        .unwrap_or(DEFAULT_PORTAL_MAX_EXPIRY);
    if min_expiry.is_zero() {
        s.issue("min_expiry", "must be more than zero");
    }
    if !(min_expiry..=max_expiry).contains(&default_expiry) {
        s.issue(
            "default_expiry",
            "must lie between min_expiry and max_expiry",
        );
    }
    let max_attachment = s
        .size("max_attachment_size")
        .unwrap_or(DEFAULT_PORTAL_MAX_ATTACHMENT);
    let global = ExpiryBounds {
        default: default_expiry,
        min: min_expiry,
        max: max_expiry,
    };
    let notices = crate::portal_notices::read_portal_notices(&mut s);
    let reply = crate::portal_reply::read_reply_limits(&mut s, crate::ReplyLimits::default());
    let tenants = read_portal_tenants(s.section("tenants"), names, global, reply);
    s.finish();
    Some(PortalConfig {
        listen: listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8443))),
        tls,
        trusted_proxies,
        default_expiry,
        min_expiry,
        max_expiry,
        max_attachment,
        tenants,
        notices,
        reply,
    })
}

fn read_portal_tenants(
    mut s: Section<'_>,
    names: &[&str],
    global: ExpiryBounds,
    reply: crate::ReplyLimits,
) -> Vec<PortalTenant> {
    let mut out = Vec::new();
    for (name, mut t) in s.drain_tables() {
        if !names.contains(&name.as_str()) {
            s.issue(&name, "no [tenants.NAME] of that name");
        }
        let base_url = t.parsed("base_url", parse_base_url);
        if base_url.is_none() && !t.had_issue("base_url") {
            t.issue("base_url", "each portal tenant needs its public base URL");
        }
        let key_mode_server = match t.string("key_mode").as_deref() {
            None | Some("link") => false,
            Some("server") => true,
            Some(other) => {
                t.issue(
                    "key_mode",
                    format!("`{other}` is not \"link\" or \"server\""),
                );
                false
            }
        };
        let organisation = t.string("organisation").unwrap_or_else(|| name.clone());
        let help = t.string("help").unwrap_or_default();
        let from = t.parsed("from", |a| {
            Address::parse(a).map_err(|_| format!("`{a}` is not an address"))
        });
        let intro = t.string("intro").unwrap_or_default();
        let logo = t.path("logo");
        let colours = read_colours(&mut t);
        let expiry = read_tenant_expiry(&mut t, global);
        let language = crate::portal_texts::read_language(&mut t);
        let texts = crate::portal_texts::read_texts(&mut t);
        let read_receipt = t.boolean("read_receipt").unwrap_or(false);
        let reply = crate::portal_reply::read_reply_limits(&mut t, reply);
        t.finish();
        out.push(PortalTenant {
            name,
            base_url: base_url.unwrap_or_default(),
            key_mode_server,
            organisation,
            help,
            from,
            intro,
            logo,
            colours,
            expiry,
            language,
            texts,
            read_receipt,
            reply,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// A tenant's `default_expiry`/`min_expiry`/`max_expiry` (`None` when it sets none).
fn read_tenant_expiry(t: &mut Section<'_>, global: ExpiryBounds) -> Option<ExpiryBounds> {
    let (default, min, max) = (
        t.duration("default_expiry"),
        t.duration("min_expiry"),
        t.duration("max_expiry"),
    );
    if default.is_none() && min.is_none() && max.is_none() {
        return None;
    }
    let b = ExpiryBounds {
        default: default.unwrap_or(global.default),
        min: min.unwrap_or(global.min),
        max: max.unwrap_or(global.max),
    };
    if b.min.is_zero() {
        t.issue("min_expiry", "must be more than zero");
    }
    if b.max > global.max {
        t.issue(
            "max_expiry",
            "may not exceed [portal] max_expiry (which also caps `portal extend`)",
        );
    }
    if !(b.min..=b.max).contains(&b.default) {
        let key = if default.is_some() {
            "default_expiry"
        } else {
            "min_expiry"
        };
        t.issue(
            key,
            "the tenant's default_expiry must lie between its min_expiry and max_expiry",
        );
    }
    Some(b)
}

/// `colour` and `colour_text`, refused (naming the key) unless they contrast at AA level.
fn read_colours(t: &mut Section<'_>) -> Option<BrandColours> {
    let background = t.parsed("colour", Rgb::parse);
    let text = t.parsed("colour_text", Rgb::parse);
    if background.is_none() && text.is_some() && !t.had_issue("colour") {
        t.issue("colour_text", "colour_text needs colour");
    }
    let colours = BrandColours {
        background: background?,
        text: text.unwrap_or(Rgb::WHITE),
    };
    let ratio = colours.background.contrast(colours.text);
    if ratio < AA_CONTRAST {
        let key = if text.is_some() {
            "colour_text"
        } else {
            "colour"
        };
        t.issue(
            key,
            format!(
                "{} on {} has a contrast of {ratio:.2}:1; WCAG AA needs at least {AA_CONTRAST}:1",
                colours.text.css(),
                colours.background.css()
            ),
        );
        return None;
    }
    Some(colours)
}

/// `https://host[:port]` (or `http://localhost[:port]` / `http://127.0.0.1[:port]` for tests).
fn parse_base_url(text: &str) -> Result<String, String> {
    let url = text.trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| {
            url.strip_prefix("http://")
                .filter(|r| r.starts_with("localhost") || r.starts_with("127.0.0.1"))
        })
        .ok_or_else(|| format!("`{text}` must start with https:// (http:// only for localhost)"))?;
    let host = rest.split(':').next().unwrap_or_default();
    if rest.contains('/')
        || Domain::parse(host).is_err() && host.parse::<std::net::IpAddr>().is_err()
    {
        return Err(format!(
            "`{text}` must be a scheme and host name only, like \"https://portal.clinic.example\""
        ));
    }
    Ok(url.to_string())
}
