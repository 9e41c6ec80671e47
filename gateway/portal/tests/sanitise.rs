//! Hostile mail through the sanitiser: what survives is inert and local.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_portal::{PortalError, safe_name, sanitise_message};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake-image-bytes";

fn hostile() -> Vec<u8> {
    let png_b64 = base64_std(PNG);
    format!(
        "From: x@clinic.example\r\nTo: pat@home.example\r\nSubject: hi\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
--outer\r\nContent-Type: multipart/related; boundary=\"rel\"\r\n\r\n\
--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<html><head><style>body {{ background: url(https://evil.example/css) }}</style>\
<script>alert(1)</script></head><body>\
<p style=\"background:url(https://evil.example/inline)\" onclick=\"alert(2)\">Hello</p>\
<img src=x onerror=\"alert(3)\">\
<img src=\"https://evil.example/pixel.gif\">\
<img src=\"data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDQpPC9zY3JpcHQ+PC9zdmc+\">\
<img src=\"cid:logo@clinic\" alt=\"logo\">\
<svg><script>alert(5)</script><image href=\"https://evil.example/svg\"/></svg>\
<a href=\"javascript:alert(6)\">j</a><a href=\"jav&#x09;ascript:alert(7)\">k</a>\
<a href=\"data:text/html,<script>alert(8)</script>\">d</a>\
<a href=\"https://clinic.example/info\">ok</a><a href=\"/relative\">rel</a>\
<form action=\"https://evil.example/f\"><input name=q></form>\
<iframe src=\"https://evil.example/frame\"></iframe>\
<object data=\"https://evil.example/o\"></object>\
<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/m\">\
<base href=\"https://evil.example/\">\
</body></html>\r\n\
--rel\r\nContent-Type: image/png\r\nContent-ID: <logo@clinic>\r\nContent-Transfer-Encoding: base64\r\n\r\n{png_b64}\r\n\
--rel--\r\n\
--outer\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=\"../../evil\\\".html\"\r\n\r\n\
<script>alert(9)</script>\r\n\
--outer--\r\n"
    )
    .into_bytes()
}

fn base64_std(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[test]
fn scripts_handlers_styles_and_remote_references_are_removed() {
    let doc = sanitise_message(&hostile(), 1 << 20).unwrap();
    let html = doc.html.to_lowercase();
    for bad in [
        "<script",
        "alert(",
        "onerror",
        "onclick",
        "javascript",
        "evil.example",
        "url(",
        "<style",
        "<svg",
        "<form",
        "<iframe",
        "<object",
        "<meta",
        "<base",
        "data:text",
        "svg+xml",
        "/relative",
    ] {
        assert!(!html.contains(bad), "{bad:?} survived in {html}");
    }
    assert!(html.contains("hello"));
    assert!(html.contains("href=\"https://clinic.example/info\""));
    assert!(html.contains("rel=\"noopener noreferrer\""));
    let inlined = format!("src=\"data:image/png;base64,{}\"", base64_std(PNG)).to_lowercase();
    assert!(html.contains(&inlined), "the cid: image is inlined: {html}");
}

#[test]
fn an_html_attachment_stays_an_attachment_with_a_safe_name() {
    let doc = sanitise_message(&hostile(), 1 << 20).unwrap();
    assert_eq!(
        doc.attachments.len(),
        1,
        "the inlined image is not also an attachment"
    );
    let a = &doc.attachments[0];
    assert_eq!(a.content_type, "text/html");
    assert!(
        a.data.starts_with(b"<script>"),
        "kept byte for byte, only ever downloaded"
    );
    assert!(
        !a.name.contains('/') && !a.name.contains('"') && !a.name.starts_with('.'),
        "{}",
        a.name
    );
    assert!(a.name.ends_with(".html"));
}

#[test]
fn text_bodies_are_escaped() {
    let raw =
        b"From: a@b.example\r\nSubject: t\r\n\r\nDose <b>2</b> & <script>alert(1)</script>\r\n";
    let doc = sanitise_message(raw, 1 << 20).unwrap();
    assert!(!doc.html.contains("<script"), "{}", doc.html);
    assert!(!doc.html.contains("<b>"), "{}", doc.html);
    assert!(doc.html.contains("Dose"));
    assert!(doc.attachments.is_empty());
}

#[test]
fn an_attachment_over_the_limit_is_refused_permanently() {
    let err = sanitise_message(&hostile(), 10).unwrap_err();
    assert!(matches!(err, PortalError::TooLarge { size, limit: 10, .. } if size > 10));
    assert!(!err.is_temporary());
    assert_eq!(err.reply().status_text().as_deref(), Some("5.6.0"));
}

#[test]
fn safe_names() {
    assert_eq!(safe_name(Some("a\"b\\c/d;e\r\n.pdf"), 0), "abcde.pdf");
    assert_eq!(safe_name(Some("..."), 2), "attachment-3");
    assert_eq!(safe_name(None, 0), "attachment-1");
}
