//! The rule format, evaluation modes, the default set and the decision contents.

mod common;
use common::*;
use sealgate_rules::{HeaderChange, KeyTrust, Location, Method, Requirement, RuleSet, Source};

fn set(files: &[(&str, &str)]) -> Result<RuleSet, Vec<sealgate_rules::RuleError>> {
    let f: Vec<Source<'_>> = files
        .iter()
        .map(|(n, t)| Source { name: n, text: t })
        .collect();
    let d = [Source {
        name: "terms",
        text: "diabetes\nmetformin\n",
    }];
    RuleSet::from_sources(&f, &d, &[], sealgate_rules::PROVIDED_METHODS)
}

fn chain() -> Requirement {
    Requirement::Encrypt {
        chain: vec![
            Method::TlsVerified,
            Method::Pgp,
            Method::Smime,
            Method::Portal,
            Method::Hold,
        ],
        min_key_trust: KeyTrust::Discovered,
    }
}

#[test]
fn embedded_default_compiles_and_loads_from_disk_alike() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/rules");
    let disk = RuleSet::load_dir(&dir).unwrap();
    let emb = RuleSet::embedded_default();
    assert_eq!(disk.rule_ids(), emb.rule_ids());
    assert_eq!(
        emb.rule_ids(),
        [
            "not-phi-veterinary",
            "not-phi-ehr-downtime",
            "not-phi-fhir-directory",
            "not-phi-aggregate",
            "phi-identifier",
            "phi-clinical",
            "phi-person",
            "phi-handoff",
            "phi-report",
            "phi-sensitive-care",
            "phi-addressed-care",
            "phi-care-notice",
            "phi-payment",
            "phi-quoted-voice",
            "phi-lab-result",
            "phi-care-bill",
            "phi-dental-visit",
            "phi-family-care",
            "phi-home-care",
            "phi-vcard",
            "phi-other-language",
            "phi-work-status",
            "phi-school-note",
            "phi-bh-scheduling",
            "phi-terse-reply",
            "phi-record-number",
            "phi-record-merge",
            "phi-calendar-visit",
            "phi-visit-reminder",
            "phi-care-roster",
            "phi-languages",
            "phi-occ-health",
            "phi-own-health",
            "phi-personal-address",
            "phi-labelled-person",
            "phi-dental-plan",
            "phi-record-list",
            "phi-group-roster",
            "phi-dx-dated",
            "phi-texting-handoff",
            "phi-relative-care",
            "phi-subject-record",
            "phi-lab-shorthand",
            "phi-decedent",
            "phi-own-result",
            "phi-records-request",
            "subject-tag"
        ]
    );
}

#[test]
fn fallback_set_encrypts_everything() {
    let s = set(&[(
        "fallback.toml",
        "[settings]\ndefault = { action = \"encrypt\", phi = true }\n",
    )])
    .unwrap();
    let d = classify(&s, &eml("hello", "nothing here"));
    assert_eq!(d.recipients, [chain()]);
}

#[test]
fn default_set_phi_secure_tag_and_plain_mail() {
    let s = RuleSet::embedded_default();
    let d = classify(&s, &eml("Results", "Patient SSN 123-45-6789 please file."));
    assert_eq!(d.recipients, [chain()]);
    assert!(d.phi);
    assert_eq!(d.rules, ["phi-identifier"]);
    assert!(
        d.hits
            .iter()
            .any(|h| h.detector == "us-ssn" && h.location == Location::Body && h.count == 1)
    );

    let d = classify(&s, &eml("[SECURE] lunch", "see you at noon"));
    assert_eq!(d.recipients, [chain()]);
    assert!(!d.phi);
    assert_eq!(
        d.header_changes,
        [HeaderChange::StripSubjectTag {
            tag: "[secure]".into()
        }]
    );

    // A subject that is not ASCII is compared in its Unicode lower case.
    let d = classify(&s, &eml("Résultats [Secure] déjeuner", "see you at noon"));
    assert_eq!(
        d.header_changes,
        [HeaderChange::StripSubjectTag {
            tag: "[secure]".into()
        }]
    );

    let d = classify(
        &s,
        &eml("lunch", "see you at noon, order 112-3456789-1234567"),
    );
    assert_eq!(d.recipients, [Requirement::Deliver]);
    assert!(d.rules.is_empty() && !d.phi);
}

#[test]
fn subject_phi_gets_placeholder_subject() {
    let s = RuleSet::embedded_default();
    let d = classify(&s, &eml("SSN 123-45-6789", "see subject"));
    assert!(
        d.header_changes
            .iter()
            .any(|h| matches!(h, HeaderChange::PlaceholderSubject { .. }))
    );
    assert!(d.hits.iter().any(|h| h.location == Location::Subject));
}

#[test]
fn npi_failing_luhn_is_not_an_npi_even_next_to_the_word() {
    let s = RuleSet::embedded_default();
    let d = classify(
        &s,
        &eml(
            "x",
            "Provider NPI: 1245319598 for diabetes patient: follow-up",
        ),
    );
    assert!(!d.hits.iter().any(|h| h.detector == "npi"));
    let d = classify(&s, &eml("x", "Provider NPI: 1245319599"));
    let npi = d.hits.iter().find(|h| h.detector == "npi").unwrap();
    assert!(npi.confidence >= 0.85, "context raises confidence");
}

#[test]
fn ssn_shaped_invoice_number_with_area_000_is_not_an_ssn() {
    let s = RuleSet::embedded_default();
    let d = classify(
        &s,
        &eml("Invoice", "Invoice 000-12-3456 due, SSN field blank"),
    );
    assert!(!d.hits.iter().any(|h| h.detector == "us-ssn"));
    assert_eq!(d.recipients, [Requirement::Deliver]);
}

const TWO_RULES: &str = r#"
[[rule]]
id = "partner"
action = "tls-only"
[rule.when]
recipient = { domain = ["partner.example"] }

[[rule]]
id = "diabetes"
action = "encrypt"
phi = true
[rule.when]
dictionary = "terms"
"#;

#[test]
fn accumulate_takes_the_strictest_and_first_match_the_first() {
    let acc = set(&[("a.toml", TWO_RULES)]).unwrap();
    let first = set(&[
        ("0.toml", "[settings]\nevaluation = \"first-match\"\n"),
        ("a.toml", TWO_RULES),
    ])
    .unwrap();
    let raw = eml("x", "diabetes follow-up");
    let s = addr("ann@clinic.example");
    let p = addr("bob@partner.example");
    let o = addr("eve@other.example");
    let d = acc.classify_raw(&raw, Some(&s), &[&p, &o]);
    assert_eq!(d.recipients, [chain(), chain()]);
    assert_eq!(d.rules, ["partner", "diabetes"]);
    let d = first.classify_raw(&raw, Some(&s), &[&p, &o]);
    assert_eq!(d.recipients, [Requirement::TlsOnly, chain()]);
}

fn trusting(min_key_trust: KeyTrust) -> Requirement {
    match chain() {
        Requirement::Encrypt { chain, .. } => Requirement::Encrypt {
            chain,
            min_key_trust,
        },
        other => other,
    }
}

const TRUST_RULES: &str = r#"
[[rule]]
id = "any-encrypt"
action = "encrypt"
[rule.when]
dictionary = "terms"

[[rule]]
id = "partner-verified"
action = "encrypt"
chain = ["pgp", "hold"]
min_key_trust = "verified"
[rule.when]
recipient = { domain = ["partner.example"] }

[[rule]]
id = "vip-manual"
action = "encrypt"
min_key_trust = "manual"
[rule.when]
recipient = { address = ["vip@partner.example"] }
"#;

#[test]
fn min_key_trust_is_parsed_defaults_to_discovered_and_the_strictest_wins() {
    let s = set(&[("t.toml", TRUST_RULES)]).unwrap();
    let raw = eml("x", "diabetes follow-up");
    let other = addr("eve@other.example");
    let partner = addr("bob@partner.example");
    let vip = addr("vip@partner.example");
    let d = s.classify_raw(&raw, None, &[&other, &partner, &vip]);
    // Between encrypt rules the first one's chain stays; the minimum is the strictest of all
    // the rules that matched for that recipient.
    assert_eq!(
        d.recipients,
        [
            trusting(KeyTrust::Discovered),
            trusting(KeyTrust::Verified),
            trusting(KeyTrust::Manual),
        ]
    );
    // Alone, the partner rule gives its own chain and minimum.
    let d = s.classify_raw(&eml("x", "nothing"), None, &[&partner]);
    assert_eq!(
        d.recipients,
        [Requirement::Encrypt {
            chain: vec![Method::Pgp, Method::Hold],
            min_key_trust: KeyTrust::Verified,
        }]
    );
    // A stricter requirement (hold) still wins over encrypt; the minimum goes with encrypt.
    let hold = format!(
        "{TRUST_RULES}\n[[rule]]\nid = \"hold-vip\"\naction = \"hold\"\n[rule.when]\nrecipient = {{ address = [\"vip@partner.example\"] }}\n"
    );
    let s = set(&[("t.toml", &hold)]).unwrap();
    let d = s.classify_raw(&raw, None, &[&vip]);
    assert_eq!(d.recipients, [Requirement::Hold]);
    // Settings actions take it too (fail-closed / default).
    let s = set(&[(
        "s.toml",
        "[settings]\ndefault = { action = \"encrypt\", min_key_trust = \"manual\" }\n",
    )])
    .unwrap();
    let d = classify(&s, &eml("hello", "nothing here"));
    assert_eq!(d.recipients, [trusting(KeyTrust::Manual)]);
}

#[test]
fn a_bad_min_key_trust_is_refused_with_file_and_line() {
    let bad = "[[rule]]\nid = \"a\"\naction = \"encrypt\"\nmin_key_trust = \"trusted\"\n[rule.when]\nalways = true\n\n[[rule]]\nid = \"b\"\naction = \"deliver\"\nmin_key_trust = \"manual\"\n[rule.when]\nalways = true\n";
    let errs = set(&[("trust.toml", bad)]).unwrap_err();
    let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|e| e.starts_with("trust.toml:4:") && e.contains("min_key_trust")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|e| e.starts_with("trust.toml:11:") && e.contains("only for action")),
        "{text:?}"
    );
    assert_eq!(text.len(), 2, "{text:?}");
}

#[test]
fn stop_ends_evaluation_for_that_recipient() {
    let rules = TWO_RULES.replace(
        "action = \"tls-only\"",
        "action = \"tls-only\"\nstop = true",
    );
    let s = set(&[("a.toml", &rules)]).unwrap();
    let raw = eml("x", "diabetes");
    let p = addr("bob@partner.example");
    let d = s.classify_raw(&raw, None, &[&p]);
    assert_eq!(d.recipients, [Requirement::TlsOnly]);
}

#[test]
fn reject_gives_a_generic_550() {
    let s = set(&[(
        "r.toml",
        "[[rule]]\nid = \"no\"\naction = \"reject\"\n[rule.when]\nheader = \"x-bad\"\n",
    )])
    .unwrap();
    let raw = b"From: a@b.example\r\nX-Bad: 1\r\nSubject: s\r\n\r\nbody\r\n";
    let d = s.classify_raw(raw, None, &[&addr("x@y.example")]);
    let r = d.reject_reply().unwrap();
    assert_eq!(r.code, 550);
    assert_eq!(r.text, "Message refused by policy");
}

#[test]
fn every_error_names_file_and_line() {
    let bad = "[[rule]]\nid = \"a\"\naction = \"encrypt\"\nchain = [\"tls-verified\", \"carrier-pigeon\", \"hold\"]\n[rule.when]\ndetector = \"no-such\"\n\n[[rule]]\nid = \"b\"\naction = \"encrypt\"\nchain = [\"pgp\"]\n[rule.when]\nalways = true\n";
    let errs = set(&[("bad.toml", bad), ("syntax.toml", "[[rule]\n")]).unwrap_err();
    let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|e| e.starts_with("bad.toml:4:") && e.contains("carrier-pigeon")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|e| e.starts_with("bad.toml:6:") && e.contains("unknown detector")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|e| e.starts_with("bad.toml:10:") && e.contains("hold")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|e| e.starts_with("syntax.toml:1:")),
        "{text:?}"
    );
}

#[test]
fn unknown_keys_and_two_kinds_in_one_condition_are_errors() {
    let e = set(&[(
        "a.toml",
        "[[rule]]\nid = \"a\"\naction = \"deliver\"\ncolour = 1\n[rule.when]\nalways = true\n",
    )])
    .unwrap_err();
    assert_eq!(e[0].line, 4, "{e:?}");
    let e = set(&[("a.toml", "[[rule]]\nid = \"a\"\naction = \"deliver\"\n[rule.when]\nalways = true\nencrypted = true\n")]).unwrap_err();
    assert!(e[0].message.contains("exactly one"), "{e:?}");
}

#[test]
fn proximity_and_min_count() {
    let rules = r#"
[[rule]]
id = "icd-near"
action = "encrypt"
[rule.when]
detector = "icd10-cm"
confidence = "low"
min_count = 2
near = { keywords = ["diagnosis"], within = 30 }
"#;
    let s = set(&[("a.toml", rules)]).unwrap();
    let near = eml("x", "Diagnosis: E11.9 and I10.");
    let far = eml(
        "x",
        &format!(
            "Diagnosis: see below.{}E11.9 and I10.",
            " filler".repeat(20)
        ),
    );
    let one = eml("x", "Diagnosis: E11.9.");
    let r = addr("p@x.example");
    assert_eq!(s.classify_raw(&near, None, &[&r]).recipients, [chain()]);
    assert_eq!(
        s.classify_raw(&far, None, &[&r]).recipients,
        [Requirement::Deliver]
    );
    assert_eq!(
        s.classify_raw(&one, None, &[&r]).recipients,
        [Requirement::Deliver]
    );
}

/// `only_with`: a custom detector runs on a text only when one of its words is there — no hit
/// (and nothing in the decision's hits) in a text without one, every hit in a text with one.
#[test]
fn only_with_runs_a_detector_only_on_texts_holding_its_words() {
    let rules = r#"
[[detector]]
name = "long-number"
pattern = '\b[0-9]{7}\b'
only_with = ["merge", "duplicate"]

[[rule]]
id = "numbers"
action = "encrypt"
[rule.when]
detector = "long-number"
confidence = "low"
min_count = 2
"#;
    let s = set(&[("a.toml", rules)]).unwrap();
    let r = addr("p@x.example");
    let with = eml("x", "Please merge 4065877 into 6775592 today.");
    let without = eml("x", "Invoices 4065877 and 6775592 are paid.");
    let d = s.classify_raw(&with, None, &[&r]);
    assert_eq!(d.recipients, [chain()]);
    assert!(
        d.hits
            .iter()
            .any(|h| h.detector == "long-number" && h.count == 2)
    );
    let d = s.classify_raw(&without, None, &[&r]);
    assert_eq!(d.recipients, [Requirement::Deliver]);
    assert!(
        d.hits.iter().all(|h| h.detector != "long-number"),
        "{:?}",
        d.hits
    );
}

#[test]
fn sender_attachment_and_encrypted_conditions() {
    let rules = r#"
[[rule]]
id = "xlsx"
action = "hold"
[rule.when]
all = [ { sender = { domain = ["clinic.example"] } }, { attachment = { extension = ["xlsx"] } } ]

[[rule]]
id = "already"
action = "deliver"
stop = true
[rule.when]
encrypted = true
"#;
    let s = set(&[("a.toml", rules)]).unwrap();
    let raw = with_attachment(
        "see",
        "application/octet-stream",
        "list.xlsx",
        b"not really",
    );
    let d = s.classify_raw(
        &raw,
        Some(&addr("ann@mail.clinic.example")),
        &[&addr("p@x.example")],
    );
    assert_eq!(d.rules, ["xlsx"]);
    let enc = b"From: a@b.example\r\nSubject: s\r\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=x\r\n\r\n--x\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--x--\r\n";
    // A label is not encryption (issue 14): the content decides (real messages: tests/parts.rs).
    let d = s.classify_raw(enc, None, &[&addr("p@x.example")]);
    assert!(d.rules.is_empty(), "{:?}", d.rules);
}

#[test]
fn html_body_and_charsets_are_scanned() {
    let s = RuleSet::embedded_default();
    let html = b"From: a@b.example\r\nTo: p@x.example\r\nSubject: s\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<p>Soci\xe9t\xe9 SSN&#58;&nbsp;123&#x2d;45-6789</p>\r\n";
    let d = classify(&s, html);
    assert!(
        d.hits.iter().any(|h| h.detector == "us-ssn"),
        "{:?}",
        d.hits
    );
    let qp = b"From: a@b.example\r\nTo: p@x.example\r\nSubject: =?utf-8?B?U1NOIDEyMy00NS02Nzg5?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nhello\r\n";
    let d = classify(&s, qp);
    assert!(
        d.hits
            .iter()
            .any(|h| h.detector == "us-ssn" && h.location == Location::Subject)
    );
}

#[test]
fn docx_xlsx_rtf_csv_and_nested_message_attachments() {
    let s = RuleSet::embedded_default();
    let docx = zip_stored(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document><w:p><w:r><w:t>MBI 1EG4-</w:t></w:r><w:r><w:t>TE5-MK73</w:t></w:r></w:p></w:document>"),
    ]);
    let d = classify(
        &s,
        &with_attachment(
            "see attached",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "a.docx",
            &docx,
        ),
    );
    assert!(
        d.hits.iter().any(
            |h| h.detector == "medicare-mbi" && h.location == Location::Attachment { index: 0 }
        ),
        "{:?}",
        d.hits
    );
    let xlsx = zip_stored(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/sharedStrings.xml", b"<sst><si><t>SSN</t></si></sst>"),
        (
            "xl/worksheets/sheet1.xml",
            b"<worksheet><row><c><v>123-45-6789</v></c></row></worksheet>",
        ),
    ]);
    let d = classify(
        &s,
        &with_attachment("see attached", "application/vnd.ms-excel", "a.xlsx", &xlsx),
    );
    assert!(
        d.hits.iter().any(|h| h.detector == "us-ssn"),
        "{:?}",
        d.hits
    );
    let rtf = br"{\rtf1 Patient SSN 123-45-6789\par}";
    let d = classify(&s, &with_attachment("x", "application/rtf", "a.rtf", rtf));
    assert!(d.hits.iter().any(|h| h.detector == "us-ssn"));
    let csv = b"name,ssn\nJ Doe,123-45-6789\n";
    let d = classify(&s, &with_attachment("x", "text/csv", "a.csv", csv));
    assert!(d.hits.iter().any(|h| h.detector == "us-ssn"));
    let inner = eml("fwd", "SSN 123-45-6789");
    let d = classify(
        &s,
        &with_attachment("fwd", "message/rfc822", "fwd.eml", &inner),
    );
    assert!(
        d.hits
            .iter()
            .any(|h| h.detector == "us-ssn" && h.location == Location::Attachment { index: 0 }),
        "{:?}",
        d.hits
    );
}

#[test]
fn portal_expiry_comes_from_the_subject_tag_and_rules_and_the_shortest_wins() {
    let s = RuleSet::embedded_default();
    // The tag alone: recognised without a rule, stripped from every copy.
    let d = classify(&s, &eml("[secure] Results [Expire=7d]", "see you at noon"));
    assert_eq!(d.portal_expiry, Some(7 * 86_400));
    assert!(d.header_changes.contains(&HeaderChange::StripSubjectTag {
        tag: "[Expire=7d]".into()
    }));
    // No tag, or a malformed one: nothing asked, nothing stripped.
    for subject in ["Results", "Results [expire=soon]"] {
        let d = classify(&s, &eml(subject, "see you at noon"));
        assert_eq!(d.portal_expiry, None, "{subject}");
        assert!(d.header_changes.is_empty(), "{subject}");
    }

    let rules = "[[rule]]\nid = \"short\"\naction = \"encrypt\"\nportal_expiry = \"2d\"\n\
                 [rule.when]\nheader = \"X-Retention\"\n";
    let s = set(&[("r.toml", rules)]).unwrap();
    let with_header = |subject: &str| {
        format!(
            "X-Retention: short\r\n{}",
            String::from_utf8(eml(subject, "hi")).unwrap()
        )
    };
    let d = classify(&s, with_header("Results").as_bytes());
    assert_eq!(d.portal_expiry, Some(2 * 86_400));
    // The shorter of the rule's and the tag's; a longer tag does not lengthen the rule's.
    let d = classify(&s, with_header("Results [expire=1m]").as_bytes());
    assert_eq!(d.portal_expiry, Some(60));
    let d = classify(&s, with_header("Results [expire=9d]").as_bytes());
    assert_eq!(d.portal_expiry, Some(2 * 86_400));
    // Rule did not match: only the tag.
    let d = classify(&s, &eml("Results [expire=9d]", "hi"));
    assert_eq!(d.portal_expiry, Some(9 * 86_400));
}

#[test]
fn a_malformed_portal_expiry_is_refused_naming_its_line() {
    let rules = "[[rule]]\nid = \"short\"\naction = \"encrypt\"\nportal_expiry = \"soon\"\n\
                 [rule.when]\nalways = true\n";
    let errors = set(&[("r.toml", rules)]).err().unwrap();
    let text = errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains("r.toml:4") && text.contains("portal_expiry"),
        "{text}"
    );
}

/// Header conditions are answered once per message for each name and expression: the same
/// expression under another header name is its own question, a repeated one the same answer,
/// for every recipient.
#[test]
fn one_header_expression_under_two_names_and_in_two_rules() {
    let rules = "[[rule]]\nid = \"to-list\"\naction = \"encrypt\"\n\
                 [rule.when]\nheader = \"To\"\nmatches = \"(?i)@lists\\\\.\"\n\
                 [[rule]]\nid = \"cc-list\"\naction = \"encrypt\"\n\
                 [rule.when]\nheader = \"Cc\"\nmatches = \"(?i)@lists\\\\.\"\n\
                 [[rule]]\nid = \"to-list-again\"\naction = \"encrypt\"\n\
                 [rule.when]\nheader = \"To\"\nmatches = \"(?i)@lists\\\\.\"\n";
    let s = set(&[("r.toml", rules)]).unwrap();
    let rcpts = [addr("a@y.example"), addr("b@y.example")];
    let rcpts: Vec<_> = rcpts.iter().collect();
    let raw = b"From: a@b.example\r\nTo: x@lists.example\r\nCc: y@mail.example\r\n\
                Subject: s\r\n\r\nbody\r\n";
    let d = s.classify_raw(raw, None, &rcpts);
    assert_eq!(d.rules, ["to-list", "to-list-again"]);
    assert_eq!(d.recipients, [chain(), chain()]);
    let raw = b"From: a@b.example\r\nTo: y@mail.example\r\nCc: x@lists.example\r\n\
                Subject: s\r\n\r\nbody\r\n";
    let d = s.classify_raw(raw, None, &rcpts);
    assert_eq!(d.rules, ["cc-list"]);
    let raw = b"From: a@b.example\r\nTo: y@mail.example\r\nSubject: s\r\n\r\nbody\r\n";
    assert!(s.classify_raw(raw, None, &rcpts).rules.is_empty());
}
