//! XLSX sheets as tables: shared strings resolved into their cells, one row a line with cells
//! tab-separated, then [`crate::tables::label_columns`] so each value sits next to its column
//! header. Numbers in a column whose header names a date (`DOB`, `Date of service`…) are Excel
//! serial dates and are rendered `m/d/yyyy`, as the spreadsheet shows them.
//!
//! Our own bounded scanner over the XML (no recursion, linear in the input; every row and cell
//! ticks the budget).

use super::{Budget, ExtractFailure};
use crate::html::xml_to_text;

/// Most columns placed by their `r="…"` reference; further ones are appended.
const MAX_COLUMNS: usize = 256;

/// The shared strings table: the text of each `<si>`.
pub fn shared_strings(xml: &str, budget: &Budget) -> Result<Vec<String>, ExtractFailure> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<si") {
        budget.tick()?;
        rest = &rest[i..];
        let end = rest.find("</si>").map_or(rest.len(), |e| e + 5);
        out.push(xml_to_text(&rest[..end]).trim().to_string());
        rest = &rest[end..];
    }
    Ok(out)
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let e = tag[i..].find('"')?;
    Some(&tag[i..i + e])
}

/// Zero-based column of a cell reference (`C7` → 2).
fn column(r: &str) -> Option<usize> {
    let mut n = 0usize;
    let mut any = false;
    for b in r.bytes().take_while(u8::is_ascii_uppercase) {
        n = n * 26 + usize::from(b - b'A' + 1);
        any = true;
    }
    (any && n <= MAX_COLUMNS).then(|| n - 1)
}

fn cell_value(cell: &str, shared: &[String]) -> String {
    let t = attr(cell, "t").unwrap_or("n");
    let inner = |tag: &str| -> Option<&str> {
        let open = format!("<{tag}");
        let i = cell.find(&open)?;
        let s = cell[i..].find('>')? + i + 1;
        let e = cell[s..].find(&format!("</{tag}>"))? + s;
        Some(&cell[s..e])
    };
    match t {
        "s" => inner("v")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .and_then(|k| shared.get(k).cloned())
            .unwrap_or_default(),
        "inlineStr" => inner("is").map(xml_to_text).unwrap_or_default(),
        _ => inner("v").map(xml_to_text).unwrap_or_default(),
    }
}

/// One sheet's rows as lines of tab-separated cells.
pub fn sheet_rows(
    xml: &str,
    shared: &[String],
    budget: &Budget,
) -> Result<Vec<Vec<String>>, ExtractFailure> {
    let mut rows = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<row") {
        budget.tick()?;
        rest = &rest[i..];
        let end = rest.find("</row>").map_or(rest.len(), |e| e + 6);
        let row_xml = &rest[..end];
        rest = &rest[end..];
        let mut row: Vec<String> = Vec::new();
        let mut cells = row_xml;
        while let Some(c) = cells.find("<c") {
            cells = &cells[c..];
            let close = cells.find("</c>").map(|e| e + 4);
            let self_closing = cells.find("/>");
            let end = match (close, self_closing, cells.find('>')) {
                (_, Some(sc), Some(gt)) if sc + 1 == gt => gt + 1,
                (Some(e), _, _) => e,
                _ => cells.len(),
            };
            let cell = &cells[..end];
            cells = &cells[end..];
            let value = cell_value(cell, shared);
            let col = attr(cell, "r").and_then(column).unwrap_or(row.len());
            if col >= row.len() {
                row.resize(col, String::new());
                row.push(value);
            } else {
                row.push(value);
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

const DATE_HEADERS: &[&str] = &[
    "date",
    "dob",
    "birth",
    "born",
    "dos",
    "fecha",
    "admit",
    "discharge",
    "service",
    "visit",
];

/// `m/d/yyyy` of an Excel (1900 system) serial day number.
pub fn serial_date(serial: f64) -> Option<String> {
    if !(1.0..=73_050.0).contains(&serial) {
        return None;
    }
    // Day 60 is Excel's fictitious 29 February 1900; from day 61 on, day 0 is 1899-12-30.
    let days = serial.floor() as i64 - 25_569; // days since 1970-01-01
    let days = if serial < 61.0 { days + 1 } else { days };
    let (y, m, d) = civil_from_days(days);
    Some(format!("{m}/{d}/{y}"))
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A label cell that names a date (`Date of birth`, `DOS`), not a number itself.
fn is_date_label(cell: &str) -> bool {
    let l = cell.to_ascii_lowercase();
    l.len() <= 64
        && !l.bytes().any(|b| b.is_ascii_digit())
        && DATE_HEADERS.iter().any(|d| l.contains(d))
}

/// The sheet as text: serial dates rendered under date headers, rows labelled by the header.
pub fn sheet_text(mut rows: Vec<Vec<String>>) -> String {
    let date_cols: Vec<usize> = rows
        .first()
        .map(|h| {
            h.iter()
                .enumerate()
                .filter(|(_, c)| {
                    let l = c.to_ascii_lowercase();
                    DATE_HEADERS.iter().any(|d| l.contains(d))
                })
                .map(|(i, _)| i)
                .collect()
        })
        .unwrap_or_default();
    for row in rows.iter_mut().skip(1) {
        for &c in &date_cols {
            if let Some(cell) = row.get_mut(c)
                && let Some(date) = cell.trim().parse::<f64>().ok().and_then(serial_date)
            {
                *cell = date;
            }
        }
    }
    // A form laid out down the sheet (`Date of birth | 22719`): the label is the cell before.
    for row in &mut rows {
        for j in 1..row.len() {
            if is_date_label(&row[j - 1])
                && let Some(date) = row[j].trim().parse::<f64>().ok().and_then(serial_date)
            {
                row[j] = date;
            }
        }
    }
    let text: String = rows.iter().map(|r| r.join("\t") + "\n").collect();
    crate::tables::label_columns(&text, b'\t').unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_dates() {
        assert_eq!(serial_date(22_719.0).as_deref(), Some("3/14/1962"));
        assert_eq!(serial_date(45_658.0).as_deref(), Some("1/1/2025"));
        assert_eq!(serial_date(1.0).as_deref(), Some("1/1/1900"));
        assert_eq!(serial_date(0.5), None);
    }

    #[test]
    fn cells_resolve_and_dates_render_under_their_header() {
        let shared = vec![
            "Patient".to_string(),
            "DOB".to_string(),
            "Ann Lee".to_string(),
        ];
        let xml = r#"<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>22719</v></c></row></sheetData>"#;
        let budget = Budget::new(1 << 20, std::time::Duration::from_secs(5));
        let rows = sheet_rows(xml, &shared, &budget).unwrap();
        let text = sheet_text(rows);
        assert!(text.contains("DOB: 3/14/1962"), "{text}");
        assert!(text.contains("Patient: Ann Lee"), "{text}");
    }

    #[test]
    fn a_form_down_the_sheet_renders_the_date_beside_its_label() {
        let rows = vec![
            vec!["Field".to_string(), "Value".to_string()],
            vec!["Date of birth".to_string(), "22719".to_string()],
            vec!["Count".to_string(), "22719".to_string()],
        ];
        let text = sheet_text(rows);
        assert!(text.contains("Date of birth;\tValue: 3/14/1962"), "{text}");
        assert!(
            text.contains("Value: 22719"),
            "a count stays a number: {text}"
        );
    }
}
