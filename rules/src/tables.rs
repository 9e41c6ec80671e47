//! Tables with their headers: a header cell gives context to its column.
//!
//! A label and its value are often far apart in a table (`DOB` at the top, `03/14/1962` ten rows
//! down), out of reach of the detectors' context windows. [`label_columns`] finds blocks of lines
//! with the same number of cells whose first line looks like a header (mostly cells without
//! digits) and rewrites each following row as `header: value; header: value`, so every value
//! sits next to its label. Used for CSV/TSV attachments, HTML tables (cells are tab-separated by
//! [`crate::html`]) and XLSX sheets. Output grows by at most the header per row and is capped.

/// Most cells in a header; wider tables are left as they are.
const MAX_COLUMNS: usize = 64;
/// Most bytes of a header line.
const MAX_HEADER: usize = 1024;

/// Cells of one line split at `sep` (double quotes respected for commas), trimmed, with a
/// leading empty cell dropped (HTML rows start with a cell separator).
fn cells(line: &str, sep: u8) -> Vec<&str> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, &c) in b.iter().enumerate() {
        if c == b'"' && sep == b',' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            out.push(line[start..i].trim().trim_matches('"').trim());
            start = i + 1;
        }
    }
    out.push(line[start..].trim().trim_matches('"').trim());
    if out.first().is_some_and(|c| c.is_empty()) && out.len() > 1 {
        out.remove(0);
    }
    out
}

fn is_header(cells: &[&str]) -> bool {
    let named = cells
        .iter()
        .filter(|c| !c.is_empty() && !c.bytes().any(|b| b.is_ascii_digit()))
        .count();
    cells.len() >= 2 && cells.len() <= MAX_COLUMNS && named * 2 > cells.len()
}

/// The text with table rows labelled by their headers; `None` when there is no table.
pub fn label_columns(text: &str, sep: u8) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut found = false;
    let cap = text.len().saturating_mul(8).saturating_add(4096);
    let mut i = 0;
    // Markup often puts blank lines between rows (`</tr>\n<tr>`): they do not end a table.
    let next_row = |from: usize| (from..lines.len()).find(|&j| !lines[j].trim().is_empty());
    while i < lines.len() {
        let head = cells(lines[i], sep);
        // Only a header looks ahead (past blank lines): the scan stays linear.
        let table = lines[i].len() <= MAX_HEADER
            && is_header(&head)
            && next_row(i + 1).map(|j| cells(lines[j], sep).len()) == Some(head.len());
        if !table {
            out.push_str(lines[i]);
            out.push('\n');
            i += 1;
            continue;
        }
        found = true;
        out.push_str(lines[i]);
        out.push('\n');
        i += 1;
        while let Some(j) = next_row(i) {
            let row = cells(lines[j], sep);
            if row.len() != head.len() {
                break;
            }
            for (h, v) in head.iter().zip(&row) {
                if !v.is_empty() {
                    out.push_str(h);
                    out.push_str(": ");
                    out.push_str(v);
                    out.push_str(";\t");
                }
            }
            out.push('\n');
            i = j + 1;
            if out.len() > cap {
                return None;
            }
        }
    }
    found.then_some(out)
}

/// Plain text whose tables may be tab-separated or laid out with spaces (fixed-width columns,
/// `Name      Member ID`): rows labelled as by [`label_columns`], a run of two or more spaces
/// counting as a cell break when tabs find no table. `None` when there is no table.
pub fn label_plain(text: &str) -> Option<String> {
    // `memchr`'s searches: `str::contains` took a byte loop's time over a long body.
    if memchr::memchr(b'\t', text.as_bytes()).is_some()
        && let Some(t) = label_columns(text, b'\t')
    {
        return Some(t);
    }
    // Columns laid out with spaces need a run of two somewhere.
    memchr::memmem::find(text.as_bytes(), b"  ")?;
    let mut spaced = String::with_capacity(text.len());
    let mut run = 0;
    for c in text.chars() {
        if c == ' ' {
            run += 1;
            continue;
        }
        match run {
            0 => {}
            1 => spaced.push(' '),
            _ => spaced.push('\t'),
        }
        run = 0;
        spaced.push(c);
    }
    label_columns(&spaced, b'\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_get_their_headers() {
        let t = label_columns("Name,DOB,Member ID\nAnn Lee,03/14/1962,\"XYZ 123\"\n", b',');
        let t = t.unwrap();
        assert!(t.contains("DOB: 03/14/1962;"), "{t}");
        assert!(t.contains("Member ID: XYZ 123;"), "{t}");
    }

    #[test]
    fn fixed_width_columns() {
        let t = label_plain(
            "Denials:\n\nPatient          Member ID       DOS\nAnn Lee          XKW123456789    11/02/2026\n",
        )
        .unwrap();
        assert!(t.contains("Member ID: XKW123456789;"), "{t}");
        assert!(label_plain("One sentence.  Two sentences.\n").is_none());
    }

    #[test]
    fn html_cells_and_non_tables() {
        let t = label_columns("\n \tPatient \tDOB\n \tAnn Lee \t1962-03-14\n", b'\t').unwrap();
        assert!(t.contains("DOB: 1962-03-14"), "{t}");
        let t = label_columns("x\n \tPt \tDOB\n\n \tAnn Lee \t1962-03-14\n\n", b'\t').unwrap();
        assert!(
            t.contains("DOB: 1962-03-14"),
            "blank lines between rows: {t}"
        );
        assert!(label_columns("just, some prose, with commas\n", b',').is_none());
        assert!(label_columns("1,2,3\n4,5,6\n", b',').is_none(), "no header");
    }
}
