//! DOCX, XLSX and PPTX (Office Open XML) through the ZIP reader and the markup stripper (XLSX
//! sheets as labelled tables, [`super::xlsx`]); other archives yield the text of their text, CSV,
//! PDF, RTF and nested OOXML members.

use super::xlsx;
use super::zip::{self, Entry};
use super::{Budget, DocKind, ExtractFailure, MAX_NESTED_ARCHIVES};
use crate::html::xml_to_text;
use crate::textlike::{render, text_kind};

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

/// The shared strings of a spreadsheet (`None` when the package is not one).
fn spreadsheet_strings(
    bytes: &[u8],
    entries: &[Entry],
    budget: &mut Budget,
) -> Result<Option<Vec<String>>, ExtractFailure> {
    if !entries
        .iter()
        .any(|e| e.name == "xl/workbook.xml" || e.name.starts_with("xl/worksheets/"))
    {
        return Ok(None);
    }
    match entries.iter().find(|e| e.name == "xl/sharedStrings.xml") {
        Some(e) => {
            let raw = zip::read(bytes, e, budget)?;
            xlsx::shared_strings(&String::from_utf8_lossy(&raw), budget).map(Some)
        }
        None => Ok(Some(Vec::new())),
    }
}

/// Text of a ZIP-based document.
pub fn text(bytes: &[u8], budget: &mut Budget, depth: u32) -> Result<String, ExtractFailure> {
    if depth > MAX_NESTED_ARCHIVES {
        return Err(ExtractFailure::Limit);
    }
    let entries = zip::entries(bytes)?;
    let ooxml = is_ooxml(&entries);
    let mut out = String::new();
    let shared = if ooxml {
        spreadsheet_strings(bytes, &entries, budget)?
    } else {
        None
    };
    for e in &entries {
        budget.tick()?;
        if e.name.ends_with('/') {
            continue;
        }
        if let Some(shared) = &shared
            && (e.name.starts_with("xl/worksheets/sheet") || e.name == "xl/sharedStrings.xml")
        {
            if e.name != "xl/sharedStrings.xml" {
                let raw = zip::read(bytes, e, budget)?;
                let rows = xlsx::sheet_rows(&String::from_utf8_lossy(&raw), shared, budget)?;
                let text = xlsx::sheet_text(rows);
                budget.spend(text.len())?;
                out.push_str(&text);
                out.push('\n');
            }
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
        // The member's name is text too (`Lopez_Maria_DOB.csv`).
        out.push_str(&e.name.replace('/', " "));
        out.push('\n');
        let raw = zip::read(bytes, e, budget)?;
        if let Some(kind) = DocKind::sniff(&raw) {
            let inner = match kind {
                DocKind::Zip => text(&raw, budget, depth + 1)?,
                other => super::extract_nested(other, &raw, budget, depth + 1)?,
            };
            out.push_str(&inner);
        } else if let Some(kind) = text_kind("", &lower, &raw) {
            out.push_str(&render(kind, &String::from_utf8_lossy(&raw)));
        } else {
            // A member that is neither text nor a document (`.gz`, an image): fail closed.
            return Err(ExtractFailure::Unrecognised);
        }
        out.push('\n');
        budget.spend(0)?;
    }
    if out.len() > budget.max_bytes {
        return Err(ExtractFailure::Limit);
    }
    Ok(out)
}
