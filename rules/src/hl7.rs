//! HL7 v2 messages as text: one segment a line, components split into words, and the fields
//! of the patient segments labelled so the detectors see `Date of birth: 19620314` rather
//! than the seventh field of a `PID` line.
//!
//! Linear and allocation-bounded: the output is the input plus a short label per known field.

/// Labels of `PID` fields by position (HL7 v2.5 numbering).
const PID_LABELS: &[(usize, &str)] = &[
    (2, "Patient ID"),
    (3, "Patient identifier list MRN"),
    (4, "Alternate patient ID"),
    (5, "Patient name"),
    (7, "Date of birth"),
    (11, "Patient address"),
    (13, "Home phone"),
    (18, "Patient account number"),
    (19, "SSN"),
];

/// Labels of `IN1` (insurance) fields.
const IN1_LABELS: &[(usize, &str)] = &[(36, "Policy number"), (49, "Member ID")];

/// An HL7 v2 message pasted into a text: a line that starts with `MSH|`.
pub fn pasted(text: &str) -> bool {
    text.starts_with("MSH|") || memchr::memmem::find(text.as_bytes(), b"\nMSH|").is_some()
}

/// The readable text of an HL7 v2 message.
pub fn to_text(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len() * 2);
    for seg in msg.split(['\r', '\n']).filter(|s| !s.is_empty()) {
        let fields: Vec<&str> = seg.split('|').collect();
        let labels = match fields.first().copied() {
            Some("PID") => PID_LABELS,
            Some("IN1") => IN1_LABELS,
            _ => &[],
        };
        for (i, f) in fields.iter().enumerate() {
            if f.is_empty() {
                continue;
            }
            if let Some((_, label)) = labels.iter().find(|(n, _)| *n == i) {
                out.push_str(label);
                out.push_str(": ");
            }
            // Components and repetitions become words; `~` and `&` too.
            for (j, part) in f
                .split(['^', '~', '&'])
                .filter(|p| !p.is_empty())
                .enumerate()
            {
                if j > 0 {
                    out.push(' ');
                }
                out.push_str(part);
            }
            out.push_str(" | ");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_fields_are_labelled() {
        let t = to_text("MSH|^~\\&|LAB|CLINIC\rPID|1||12345678^^^MRN||LOPEZ^MARIA^T||19620314|F\r");
        assert!(t.contains("Date of birth: 19620314"), "{t}");
        assert!(t.contains("Patient name: LOPEZ MARIA T"), "{t}");
        assert!(t.contains("MRN: 12345678"), "{t}");
    }
}
