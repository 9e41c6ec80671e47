//! JSON parts (FHIR resources and bundles, API payloads) rendered as `label: value` lines.
//!
//! Raw JSON keeps a person apart (`"family": "Lopez", "given": ["Maria"]`) and glues labels to
//! their values in camel case (`"birthDate"`), where no name or date detector can see them.
//! [`to_text`] writes every scalar as `key words: value` on its own line (`birth date:
//! 1962-03-14`) and, for FHIR, what the structure says:
//!
//! * a `HumanName` (`family` / `given`) as one name, labelled by its resource: `Patient name:
//!   Maria Lopez` in a `Patient` (or a `RelatedPerson`), `Name:` elsewhere (a `Practitioner`
//!   stays staff);
//! * a patient's `identifier` by its type: `MR` (or an `mrn` system) as `MRN:`, `MB` / `SN` as
//!   `Member ID:`, `SS` (or the SSA's OID) as `SSN:`;
//! * a reference's `display` under `subject` / `patient` / `beneficiary` as `Patient:`.
//!
//! Input that does not parse is left to the caller (scanned as it is). Output is at most a few
//! times the input: every value is written once with a short label.

use serde_json::{Map, Value};

/// Most bytes written; the rest of the document is dropped (the input is already bounded).
const MAX_OUT: usize = 8 << 20;

/// The JSON document as labelled lines; `None` when `text` is not JSON.
pub fn to_text(text: &str) -> Option<String> {
    let v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()?;
    if !matches!(v, Value::Object(_) | Value::Array(_)) {
        return None;
    }
    let mut w = Writer::default();
    w.value("", &v, "");
    Some(w.out)
}

#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    fn line(&mut self, label: &str, value: &str) {
        if self.out.len() + label.len() + value.len() + 3 > MAX_OUT {
            return;
        }
        self.out.push_str(label);
        self.out.push_str(": ");
        self.out.push_str(value);
        self.out.push('\n');
    }

    /// `key` is the member name the value sits under; `rt` the enclosing resource type.
    fn value(&mut self, key: &str, v: &Value, rt: &str) {
        match v {
            Value::Object(m) => self.object(key, m, rt),
            Value::Array(items) => {
                for item in items {
                    self.value(key, item, rt);
                }
            }
            Value::String(s) => self.line(&words(key), s),
            Value::Number(n) => self.line(&words(key), &n.to_string()),
            Value::Bool(_) | Value::Null => {}
        }
    }

    fn object(&mut self, key: &str, m: &Map<String, Value>, rt: &str) {
        let rt = match m.get("resourceType").and_then(Value::as_str) {
            Some(t) => {
                self.out.push_str("\nresource type: ");
                self.out.push_str(t);
                self.out.push('\n');
                t
            }
            None => rt,
        };
        let person = matches!(rt, "Patient" | "RelatedPerson");
        if key == "name" && (m.contains_key("family") || m.contains_key("given")) {
            let label = if person { "Patient name" } else { "Name" };
            self.line(label, &human_name(m));
        }
        let id_value = m.get("value").and_then(Value::as_str);
        if key == "identifier"
            && person
            && let (Some(label), Some(value)) = (identifier_label(m), id_value)
        {
            self.line(label, value);
        }
        if matches!(key, "subject" | "patient" | "beneficiary")
            && let Some(display) = m.get("display").and_then(Value::as_str)
        {
            self.line("Patient", display);
        }
        for (k, v) in m {
            if k != "resourceType" {
                self.value(k, v, rt);
            }
        }
    }
}

/// `given… family`, as a person writes it (`Maria T Lopez`).
fn human_name(m: &Map<String, Value>) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if let Some(Value::Array(given)) = m.get("given") {
        parts.extend(given.iter().filter_map(Value::as_str));
    }
    if let Some(family) = m.get("family").and_then(Value::as_str) {
        parts.push(family);
    }
    parts.join(" ")
}

/// The label a patient identifier's type or system gives it.
fn identifier_label(m: &Map<String, Value>) -> Option<&'static str> {
    let system = m
        .get("system")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    let codes: Vec<&str> = m
        .get("type")
        .and_then(|t| t.get("coding"))
        .and_then(Value::as_array)
        .map(|c| c.iter().filter_map(|x| x.get("code")?.as_str()).collect())
        .unwrap_or_default();
    let has = |c: &str| codes.iter().any(|x| x.eq_ignore_ascii_case(c));
    if has("SS") || system.contains("us-ssn") || system.ends_with("2.16.840.1.113883.4.1") {
        Some("SSN")
    } else if has("MR") || system.contains("mrn") || system.contains("medical-record") {
        Some("MRN")
    } else if has("MB") || has("SN") || system.contains("member") {
        Some("Member ID")
    } else {
        None
    }
}

/// A member name as words: `birthDate` → `birth date`, `postal_code` → `postal code`.
fn words(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut prev_lower = false;
    for c in key.chars() {
        if c == '_' || c == '-' {
            out.push(' ');
            prev_lower = false;
        } else if c.is_ascii_uppercase() && prev_lower {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    if out.is_empty() {
        out.push_str("value");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fhir_patient_is_written_with_its_labels() {
        let j = r#"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient",
            "identifier":[{"type":{"coding":[{"code":"MR"}]},"value":"800412"},
                          {"system":"http://hl7.org/fhir/sid/us-ssn","value":"219-09-9999"}],
            "name":[{"family":"Lopez","given":["Maria","T"]}],"birthDate":"1962-03-14"}},
            {"resource":{"resourceType":"Condition","subject":{"reference":"Patient/1",
            "display":"Maria Lopez"},"code":{"text":"Type 2 diabetes"}}}]}"#;
        let t = to_text(j).unwrap();
        assert!(t.contains("Patient name: Maria T Lopez\n"), "{t}");
        assert!(t.contains("MRN: 800412\n"), "{t}");
        assert!(t.contains("SSN: 219-09-9999\n"), "{t}");
        assert!(t.contains("birth date: 1962-03-14\n"), "{t}");
        assert!(t.contains("Patient: Maria Lopez\n"), "{t}");
        assert!(t.contains("resource type: Condition\n"), "{t}");
    }

    #[test]
    fn a_practitioner_is_not_labelled_a_patient() {
        let j = r#"{"resourceType":"Practitioner","name":[{"family":"Okafor","given":["Ada"]}],
            "identifier":[{"type":{"coding":[{"code":"MR"}]},"value":"1234567893"}]}"#;
        let t = to_text(j).unwrap();
        assert!(t.contains("Name: Ada Okafor\n"), "{t}");
        assert!(!t.contains("Patient"), "{t}");
        assert!(!t.contains("MRN"), "{t}");
    }

    #[test]
    fn not_json_is_left_alone() {
        assert_eq!(to_text("plain words {"), None);
        assert_eq!(to_text("42"), None);
        assert_eq!(words("birthDate"), "birth date");
        assert_eq!(words("postal_code"), "postal code");
        assert_eq!(words("valueQuantity"), "value quantity");
    }

    #[test]
    fn deep_nesting_fails_to_parse_instead_of_recursing() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(to_text(&deep), None);
    }
}
