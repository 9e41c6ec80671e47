//! A tenant's template on the portal pages: organisation name, help line, intro, logo and
//! colours.
//!
//! Guarantees: the logo is served from the portal's own origin (`/static/brand/<key>/logo`,
//! allowed by the pages' `img-src 'self'`), at most [`MAX_LOGO`] bytes, and only a real PNG
//! (signature and `IHDR` chunk) or an SVG with no script, event handler, `foreignObject`,
//! entity declaration or outside reference is accepted; it is served with its own CSP
//! (`sandbox`, no scripts) so that even opened directly it runs nothing. Colours are RGB
//! triples formatted here (no text from the configuration reaches the style sheet), so the
//! per-tenant style sheet (`/static/brand/<key>/style.css`) cannot carry anything else.

/// The largest logo accepted: 128 KiB.
pub const MAX_LOGO: usize = 128 * 1024;

/// Per-tenant text and look on every page.
#[derive(Debug, Clone, Default)]
pub struct Brand {
    /// The organisation's name ("Riverside Clinic").
    pub name: String,
    /// The help line ("Questions? Call 555-0100, Monday to Friday").
    pub help: String,
    /// A sentence under the header ("Riverside Clinic sends results through secure mail.").
    pub intro: String,
    /// The logo, checked by [`Logo::from_bytes`].
    pub logo: Option<Logo>,
    /// Header and button background, and the text on it (contrast checked by the config).
    pub colours: Option<([u8; 3], [u8; 3])>,
    /// The path segment of this brand's assets; the router sets it (hex of the tenant name).
    pub key: String,
    /// The tenant's texts: the catalogue with its overrides (`[portal.tenants.NAME.texts]`).
    pub texts: crate::i18n::Texts,
    /// The pages' language when the browser asks for neither English nor Spanish (the
    /// tenant's first mail language).
    pub lang: crate::i18n::Lang,
}

/// What a logo file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoKind {
    /// PNG.
    Png,
    /// SVG, served as an image only.
    Svg,
}

/// A checked logo.
#[derive(Debug, Clone)]
pub struct Logo {
    /// The file's bytes.
    pub bytes: std::sync::Arc<[u8]>,
    /// PNG or SVG.
    pub kind: LogoKind,
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Lower-cased markers an accepted SVG must not contain.
const SVG_REFUSED: &[&str] = &[
    "<script",
    "<foreignobject",
    "<!entity",
    "<!doctype",
    "javascript:",
    "data:",
    "http:",
    "https:",
    "//",
    "<iframe",
    "<embed",
    "<object",
    "<use",
    "@import",
    "url(",
];

impl Logo {
    /// Checks `bytes` as a logo; the error says why it is refused.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Logo, String> {
        if bytes.len() > MAX_LOGO {
            return Err(format!(
                "the logo is {} bytes; at most {MAX_LOGO} are accepted",
                bytes.len()
            ));
        }
        let kind = if bytes.starts_with(PNG_SIGNATURE) {
            if bytes.get(12..16) != Some(b"IHDR") {
                return Err("the PNG has no IHDR chunk first".into());
            }
            LogoKind::Png
        } else {
            check_svg(&bytes)?;
            LogoKind::Svg
        };
        Ok(Logo {
            bytes: bytes.into(),
            kind,
        })
    }

    /// Its media type.
    pub fn content_type(&self) -> &'static str {
        match self.kind {
            LogoKind::Png => "image/png",
            LogoKind::Svg => "image/svg+xml",
        }
    }
}

fn check_svg(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| "the logo is neither a PNG nor an SVG (UTF-8 text)".to_string())?;
    let lower = text.to_ascii_lowercase();
    let start = lower.trim_start_matches('\u{feff}').trim_start();
    if !(start.starts_with("<svg") || start.starts_with("<?xml")) || !lower.contains("<svg") {
        return Err("the logo is neither a PNG nor an SVG".into());
    }
    // The SVG namespace itself is the one outside reference allowed.
    let lower = lower.replace("http://www.w3.org/2000/svg", "");
    if let Some(bad) = SVG_REFUSED.iter().find(|m| lower.contains(*m)) {
        return Err(format!(
            "the SVG logo contains `{bad}`; only plain shapes and text are accepted"
        ));
    }
    if has_event_handler(&lower) {
        return Err("the SVG logo has an event handler attribute (on…=)".into());
    }
    Ok(())
}

/// An attribute named `on…` (`onload=`, `onclick =`).
fn has_event_handler(lower: &str) -> bool {
    let b = lower.as_bytes();
    lower.match_indices("on").any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| b[j]);
        if !before.is_some_and(|c| c.is_ascii_whitespace() || c == b'/' || c == b'"' || c == b'\'')
        {
            return false;
        }
        let rest = &lower[i + 2..];
        let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        name_len > 0 && rest[name_len..].trim_start().starts_with('=')
    })
}

fn css(rgb: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

/// Relative luminance (WCAG) of an sRGB colour.
fn luminance(rgb: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])
}

/// True when `rgb` as text on white reaches WCAG AA (4.5:1).
pub fn readable_on_white(rgb: [u8; 3]) -> bool {
    1.05 / (luminance(rgb) + 0.05) >= 4.5
}

impl Brand {
    /// The per-tenant style sheet (empty without colours): header bar and buttons in the
    /// tenant's colours; secondary buttons and links keep the default blue unless the tenant's
    /// colour is itself readable on white.
    pub fn style_sheet(&self) -> String {
        let Some((bg, fg)) = self.colours else {
            return String::new();
        };
        let (bg_css, fg_css) = (css(bg), css(fg));
        let mut out = format!(
            "header{{background:{bg_css};color:{fg_css};margin:-1rem -1rem 1rem;padding:0.75rem 1rem}}\n\
header .org{{color:{fg_css};margin:0}}\n\
header nav.lang a{{color:{fg_css}}}\n\
button{{background:{bg_css};border-color:{bg_css};color:{fg_css}}}\n"
        );
        if readable_on_white(bg) {
            out.push_str(&format!(
                "button.secondary{{background:#ffffff;color:{bg_css}}}\n"
            ));
        } else {
            out.push_str(
                "button.secondary{background:#ffffff;color:#1d4f91;border-color:#1d4f91}\n",
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(body: &str) -> Vec<u8> {
        format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">{body}</svg>")
            .into_bytes()
    }

    #[test]
    fn png_and_plain_svg_are_accepted() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(b"\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0");
        assert_eq!(Logo::from_bytes(png).unwrap().kind, LogoKind::Png);
        let plain = svg(
            "<rect width=\"10\" height=\"10\" fill=\"#0b5394\"/><text x=\"1\" y=\"8\">R</text>",
        );
        let logo = Logo::from_bytes(plain).unwrap();
        assert_eq!(logo.content_type(), "image/svg+xml");
        let with_decl = format!(
            "<?xml version=\"1.0\"?>\n{}",
            String::from_utf8(svg("")).unwrap()
        );
        assert!(Logo::from_bytes(with_decl.into_bytes()).is_ok());
    }

    #[test]
    fn hostile_or_oversized_logos_are_refused_saying_why() {
        for (bytes, why) in [
            (svg("<script>alert(1)</script>"), "<script"),
            (svg("<rect onload=\"alert(1)\"/>"), "event handler"),
            (svg("<rect\nONCLICK = 'x'/>"), "event handler"),
            (
                svg("<image href=\"https://evil.example/p.png\"/>"),
                "https:",
            ),
            (
                svg("<a href=\"javascript:alert(1)\"><rect/></a>"),
                "javascript:",
            ),
            (
                svg("<foreignObject><p>x</p></foreignObject>"),
                "<foreignobject",
            ),
            (svg("<rect style=\"fill:url(#g)\"/>"), "url("),
            (svg("<use href=\"#a\"/>"), "<use"),
            (
                b"<html><body>hi</body></html>".to_vec(),
                "neither a PNG nor an SVG",
            ),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rJUNK".to_vec(), "IHDR"),
            (vec![b' '; MAX_LOGO + 1], "at most"),
            (vec![0xff, 0xfe, 0x00], "neither"),
        ] {
            let e = Logo::from_bytes(bytes).unwrap_err();
            assert!(e.contains(why), "{why}: {e}");
        }
        // Words that merely contain "on" are not handlers.
        assert!(
            Logo::from_bytes(svg("<text font-family=\"Verdana\">Clinic on call</text>")).is_ok()
        );
    }

    #[test]
    fn the_style_sheet_uses_the_colours_and_keeps_secondary_buttons_readable() {
        let mut b = Brand {
            colours: Some(([0x0b, 0x53, 0x94], [0xff, 0xff, 0xff])),
            ..Brand::default()
        };
        let css = b.style_sheet();
        assert!(
            css.contains("header{background:#0b5394;color:#ffffff"),
            "{css}"
        );
        assert!(
            css.contains("button.secondary{background:#ffffff;color:#0b5394}"),
            "{css}"
        );
        assert!(css.contains("header nav.lang a{color:#ffffff}"), "{css}");
        b.colours = Some(([0xff, 0xd7, 0x00], [0x1a, 0x1a, 0x1a]));
        assert!(
            b.style_sheet()
                .contains("button.secondary{background:#ffffff;color:#1d4f91")
        );
        assert!(Brand::default().style_sheet().is_empty());
        assert!(readable_on_white([0x76, 0x76, 0x76]) && !readable_on_white([0x77, 0x77, 0x77]));
    }
}
