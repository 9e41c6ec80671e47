//! DOCX, XLSX and PPTX (Office Open XML) through the ZIP reader and the markup stripper; other
//! archives yield the text of their text, CSV, PDF, RTF and nested OOXML members.

use super::zip::{self, Entry};
use super::{Budget, DocKind, ExtractFailure, MAX_NESTED_ARCHIVES};
use crate::html::xml_to_text;

/// Which members of an OOXML package hold the document's text.
fn text_part(name: &str) -> bool {
    let xml = name.ends_with(".xml");
    let in_dir = |d: &str| name.starts_with(d) && xml;
    name == "word/document.xml"
        || in_dir("word/header")
        || in_dir("word/footer")
        || name == "word/footnotes.xml"
        || name == "word/endnotes.xml"
        || name == "word/comments.xml"
        || name == "xl/sharedStrings.xml"
        || in_dir("xl/worksheets/sheet")
        || in_dir("xl/comments")
        || in_dir("ppt/slides/slide")
        || in_dir("ppt/notesSlides/")
        || in_dir("docProps/core")
}

fn is_ooxml(entries: &[Entry]) -> bool {
    entries.iter().any(|e| e.name == "[Content_Types].xml")
}

fn plain_member(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".txt", ".csv", ".tsv", ".xml", ".html", ".htm", ".json"]
        .iter()
        .any(|x| lower.ends_with(x))
}

/// Text of a ZIP-based document.
pub fn text(bytes: &[u8], budget: &mut Budget, depth: u32) -> Result<String, ExtractFailure> {
    if depth > MAX_NESTED_ARCHIVES {
        return Err(ExtractFailure::Limit);
    }
    let entries = zip::entries(bytes)?;
    let ooxml = is_ooxml(&entries);
    let mut out = String::new();
    for e in &entries {
        budget.tick()?;
        if e.name.ends_with('/') {
            continue;
        }
        if ooxml {
            if text_part(&e.name) {
                let raw = zip::read(bytes, e, budget)?;
                out.push_str(&xml_to_text(&String::from_utf8_lossy(&raw)));
                out.push('\n');
            }
            continue;
        }
        let lower = e.name.to_ascii_lowercase();
        if plain_member(&lower) {
            let raw = zip::read(bytes, e, budget)?;
            let s = String::from_utf8_lossy(&raw);
            if lower.ends_with(".html") || lower.ends_with(".htm") || lower.ends_with(".xml") {
                out.push_str(&xml_to_text(&s));
            } else {
                out.push_str(&s);
            }
        } else {
            let raw = zip::read(bytes, e, budget)?;
            if let Some(kind) = DocKind::sniff(&raw) {
                let inner = match kind {
                    DocKind::Zip => text(&raw, budget, depth + 1)?,
                    other => super::extract_nested(other, &raw, budget, depth + 1)?,
                };
                out.push_str(&inner);
            }
        }
        out.push('\n');
        budget.spend(0)?;
    }
    if out.len() > budget.max_bytes {
        return Err(ExtractFailure::Limit);
    }
    Ok(out)
}
