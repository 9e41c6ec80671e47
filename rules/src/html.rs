//! Markup to text: HTML bodies and the XML inside OOXML documents.
//!
//! Tags are dropped (block-level ones become line breaks so words do not run together),
//! `<script>`/`<style>` contents are skipped, and character references are decoded. The output is
//! never longer than the input plus one byte per tag, and the work is one linear pass.

/// Text of an HTML document. A table cell starts with a tab (` \t`), one per cell, so
/// [`crate::tables::label_columns`] sees each row's cells.
pub fn html_to_text(html: &str) -> String {
    markup_to_text(html, Mode::Html)
}

/// Text of an XML document (OOXML parts): elements that end a paragraph, cell or row become a
/// line break or a tab; runs inside a paragraph join without a space, as Word shows them.
pub fn xml_to_text(xml: &str) -> String {
    markup_to_text(xml, Mode::Office)
}

/// Text of a data XML document (C-CDA, FHIR XML, anything `+xml`): every element boundary
/// separates words (`<given>Ann</given><family>Lee</family>` is `Ann Lee`), and the values
/// such documents keep in attributes are written out with their element's name as a label
/// (`<birthTime value="19620314"/>` → `birth Time: 19620314`, `displayName`, `extension`).
pub fn data_xml_to_text(xml: &str) -> String {
    markup_to_text(xml, Mode::Data)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Html,
    Office,
    Data,
}

/// Attributes whose values are content in data XML.
const VALUE_ATTRIBUTES: [&str; 4] = ["value", "extension", "displayName", "originalText"];

/// Writes `label: value` for each value attribute of a data-XML start tag; the label is the
/// element's local name with its camel case split (`birthTime` → `birth Time`).
fn push_attributes(out: &mut String, name: &str, tag: &str) {
    let local = name.rsplit(':').next().unwrap_or(name);
    // A label is repeated per attribute: a long one would let a hostile tag multiply output.
    let local = if local.len() > 48 { "" } else { local };
    let mut rest = &tag[name.len().min(tag.len())..];
    while let Some(eq) = find_byte(rest, b'=') {
        let attr = rest[..eq].trim();
        let attr = attr.rsplit(':').next().unwrap_or(attr);
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            return;
        };
        let Some(end) = after[1..].find(q) else {
            return;
        };
        let value = &after[1..1 + end];
        if VALUE_ATTRIBUTES.contains(&attr) && !value.is_empty() {
            out.push('\n');
            for (i, c) in local.char_indices() {
                if i > 0 && c.is_ascii_uppercase() {
                    out.push(' ');
                }
                out.push(c);
            }
            out.push_str(": ");
            push_text(out, value);
            out.push('\n');
        }
        rest = &after[1 + end + 1..];
    }
}

fn markup_to_text(src: &str, mode: Mode) -> String {
    let html = mode == Mode::Html;
    let mut out = String::with_capacity(src.len() / 2);
    let mut rest = src;
    while let Some(lt) = find_byte(rest, b'<') {
        let text = &rest[..lt];
        // Source line breaks between HTML tags (`</td>\n<td>`) are white space, not lines:
        // rows stay on one line for the table labeller.
        if html && text.contains('\n') && text.trim().is_empty() {
            out.push(' ');
        } else {
            push_text(&mut out, text);
        }
        rest = &rest[lt..];
        let Some(gt) = find_byte(rest, b'>') else {
            rest = "";
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let name = tag_name(tag);
        if html
            && !tag.starts_with('/')
            && (name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style"))
        {
            let close = format!("</{}", name.to_ascii_lowercase());
            match find_ci(rest, &close) {
                Some(p) => rest = &rest[p..],
                None => rest = "",
            }
            continue;
        }
        if mode == Mode::Data {
            out.push_str(if out.ends_with(['\n', ' ']) { "" } else { " " });
            if !tag.starts_with(['/', '?', '!']) {
                push_attributes(&mut out, name, tag);
            }
        } else {
            out.push_str(separator(name, tag.starts_with('/'), html));
        }
    }
    push_text(&mut out, rest);
    out
}

/// Offset of an ASCII byte in `s` (always a char boundary). Markup has a `<` every few bytes,
/// where a plain loop beats `str::find`'s memchr-and-verify per call.
fn find_byte(s: &str, b: u8) -> Option<usize> {
    s.as_bytes().iter().position(|&c| c == b)
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn tag_name(tag: &str) -> &str {
    let t = tag.trim_start_matches('/');
    let end = t
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(t.len());
    &t[..end]
}

const HTML_BREAKS: [&str; 17] = [
    "br",
    "p",
    "div",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "hr",
];

fn separator(name: &str, closing: bool, html: bool) -> &'static str {
    let local = match name.as_bytes().iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    let is = |names: &[&str]| names.iter().any(|n| local.eq_ignore_ascii_case(n));
    if html {
        return if is(&HTML_BREAKS) || is(&["title"]) {
            "\n"
        } else if is(&["td", "th"]) && !closing {
            " \t"
        } else {
            ""
        };
    }
    if (closing && is(&["p", "row", "si", "tr", "br", "cr"])) || (!closing && is(&["br", "cr"])) {
        "\n"
    } else if (closing && is(&["c", "tc", "tab"])) || (!closing && is(&["tab"])) {
        "\t"
    } else {
        ""
    }
}

fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = find_byte(rest, b'&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // An entity name is short: look for its `;` in the first 12 octets, cut at a char
        // boundary (a multi-byte character there once panicked: fuzz regression mime-walker).
        let cut = (0..=rest.len().min(12))
            .rev()
            .find(|&i| rest.is_char_boundary(i))
            .unwrap_or(0);
        let end = rest[..cut].find(';');
        match end.and_then(|e| decode_entity(&rest[1..e]).map(|c| (e, c))) {
            Some((e, c)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

fn decode_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let v = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(v).map(|c| if c == '\u{a0}' { ' ' } else { c });
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "ndash" => '-',
        "mdash" => '-',
        "minus" => '-',
        "shy" | "zwj" | "zwnj" => return Some('\u{200b}'),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_scripts_and_entities() {
        let t = html_to_text(
            "<p>SSN&#58; 123&#x2d;45&ndash;6789</p><script>var x='<p>';</script><div>a&amp;b&nbsp;c</div>",
        );
        assert!(t.contains("SSN: 123-45-6789"), "{t}");
        assert!(t.contains("a&b c"));
        assert!(!t.contains("var x"));
    }

    #[test]
    fn table_cells_are_tab_separated_once() {
        let t = html_to_text("<table><tr><th>DOB</th><th>Pt</th></tr></table>");
        assert_eq!(t.trim_matches('\n'), " \tDOB \tPt");
    }

    #[test]
    fn source_line_breaks_between_cells_keep_a_row_on_one_line() {
        let t = html_to_text("<table><tr>\n<td>Lee</td>\n<td>DOB</td>\n</tr></table>");
        assert!(t.contains("\tLee  \tDOB"), "{t:?}");
    }

    #[test]
    fn data_xml_separates_elements_and_writes_value_attributes() {
        let t = data_xml_to_text(
            "<patient><name><given>Ann</given><family>Lee</family></name>\
             <birthTime value=\"19620314\"/><code code=\"E11\" displayName=\"Type 2 diabetes\"/></patient>",
        );
        assert!(t.contains("Ann Lee"), "{t}");
        assert!(t.contains("birth Time: 19620314"), "{t}");
        assert!(t.contains("code: Type 2 diabetes"), "{t}");
        assert!(!t.contains("E11\""), "{t}");
    }

    #[test]
    fn word_runs_join_and_paragraphs_break() {
        let t = xml_to_text(
            "<w:p><w:r><w:t>123-45-</w:t></w:r><w:r><w:t>6789</w:t></w:r></w:p><w:p><w:t>x</w:t></w:p>",
        );
        assert_eq!(t, "123-45-6789\nx\n");
    }
}
