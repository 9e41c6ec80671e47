//! `MessageParser::parse` without its slow UTF-8 check of a plain single-part body.
//!
//! For a text part with no transfer encoding and no charset decoder (UTF-8, or no charset),
//! mail-parser takes the body as `String::from_utf8_lossy` of the raw bytes: a byte-at-a-time
//! loop, three quarters of its parse of a 10 KiB message. [`parse`] parses only the header
//! section of such a message (up to and including its blank line), checks that mail-parser saw
//! it as one text part without an encoding, and puts the body in itself — `std::str::from_utf8`
//! (word-at-a-time on ASCII) and, should that fail, the same `from_utf8_lossy` — with the end
//! offset and raw message the full parse sets. The result is equal (`==`) to
//! `MessageParser::parse`'s (`tests` check it on edge cases and corpus messages); anything else
//! (multipart, even without a boundary; nested message, base64, quoted-printable, a charset with a decoder, a header
//! section the parser ends elsewhere) goes to the full parse.

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::{Encoding, HeaderName, Message, MessageParser, PartType};
use std::borrow::Cow;

/// `parser.parse(raw)`, faster for a plain single-part text message.
pub(crate) fn parse<'x>(parser: &MessageParser, raw: &'x [u8]) -> Option<Message<'x>> {
    plain_single(parser, raw).or_else(|| parser.parse(raw))
}

/// The end of the first empty line (`\n\n` or `\n\r\n`): where the header section ends if the
/// parser agrees (checked by the caller).
fn header_end(raw: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\n', raw).find_map(|i| match raw.get(i + 1..) {
        Some([b'\n', ..]) => Some(i + 2),
        Some([b'\r', b'\n', ..]) => Some(i + 3),
        _ => None,
    })
}

/// The fast path of [`parse`], or `None` when it does not apply.
fn plain_single<'x>(parser: &MessageParser, raw: &'x [u8]) -> Option<Message<'x>> {
    let end = header_end(raw)?;
    let (head, body) = raw.split_at(end);
    let mut m = parser.parse(head)?;
    // The parser must have ended the header section at `end` (it reads forward only and its
    // last look was at byte `end - 1`, so the full parse reads the same headers) and made one
    // text part of it with no transfer encoding.
    let [part] = m.parts.as_mut_slice() else {
        return None;
    };
    if part.offset_body as usize != end
        || part.encoding != Encoding::None
        || part.is_encoding_problem
    {
        return None;
    }
    // The content type the parser goes by (the last one). A multipart type's boundary is not
    // in the header section, so the parser took it as text: only the full parse can tell.
    let ct = part
        .headers
        .iter()
        .rev()
        .find(|h| h.name == HeaderName::ContentType)
        .and_then(|h| h.value.as_content_type());
    if ct.is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("multipart")) {
        return None;
    }
    // The parser's own test for a charset decoder (its `charset_decoder` branch).
    let decoded = ct
        .and_then(|ct| ct.attribute("charset"))
        .is_some_and(|c| charset_decoder(c.as_bytes()).is_some());
    if decoded {
        return None;
    }
    let text = match std::str::from_utf8(body) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(body),
    };
    part.body = match &part.body {
        PartType::Text(t) if t.is_empty() => PartType::Text(text),
        PartType::Html(t) if t.is_empty() => PartType::Html(text),
        _ => return None,
    };
    // As the full parse sets them: the top part ends at the end of the message.
    part.offset_end = raw.len() as u32;
    m.raw_message = Cow::Borrowed(raw);
    Some(m)
}

#[cfg(test)]
mod tests;
