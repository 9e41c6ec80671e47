//! The editor schema `rules/schema/rules.schema.json` matches the rule-file format: every key
//! `rules/src/format.rs` accepts is in the schema and nothing else is, every table refuses
//! unknown keys as serde does, the shipped `deploy/rules/*.toml` validate against it (PyPI
//! `jsonschema`, installed by tests/support/install-tools.sh), and files the loader refuses for
//! their shape are refused by the schema too.

// Test helpers outside `#[test]` functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn schema() -> Value {
    let text = std::fs::read_to_string(root().join("schema/rules.schema.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Struct name in format.rs → where its keys live in the schema.
const TABLES: &[(&str, &str)] = &[
    ("FileRaw", ""),
    ("SettingsRaw", "settings"),
    ("LimitsRaw", "limits"),
    ("ActionRaw", "action"),
    ("DetectorRaw", "detector"),
    ("RuleRaw", "rule"),
    ("HeaderRaw", "header"),
    ("CondRaw", "condition"),
    ("NearRaw", "near"),
    ("AddrRaw", "addresses"),
    ("AttachRaw", "attachment"),
];

/// The serde field names of each `pub struct …Raw` in format.rs (with `rename`).
fn format_keys() -> Vec<(String, BTreeSet<String>)> {
    let src = std::fs::read_to_string(root().join("src/format.rs")).unwrap();
    let mut out: Vec<(String, BTreeSet<String>)> = Vec::new();
    let mut rename: Option<String> = None;
    for line in src.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("pub struct ") {
            let name = rest.split([' ', '{']).next().unwrap().to_string();
            out.push((name, BTreeSet::new()));
            continue;
        }
        if let Some(r) = line.strip_prefix("#[serde(rename = \"") {
            rename = Some(r.split('"').next().unwrap().to_string());
            continue;
        }
        if let (Some(field), Some((_, keys))) = (line.strip_prefix("pub "), out.last_mut())
            && let Some((name, _)) = field.split_once(':')
        {
            keys.insert(rename.take().unwrap_or_else(|| name.to_string()));
        }
    }
    out
}

#[test]
fn schema_has_exactly_the_keys_the_format_accepts() {
    let schema = schema();
    let structs = format_keys();
    assert_eq!(
        structs
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<BTreeSet<_>>(),
        TABLES.iter().map(|(n, _)| *n).collect::<BTreeSet<_>>(),
        "a table was added to format.rs: map it here and describe it in the schema"
    );
    for (name, keys) in &structs {
        let def = TABLES.iter().find(|(n, _)| n == name).unwrap().1;
        let node = if def.is_empty() {
            &schema
        } else {
            &schema["$defs"][def]
        };
        let props: BTreeSet<String> = node["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("schema has no properties for {name}"))
            .keys()
            .cloned()
            .collect();
        assert_eq!(&props, keys, "{name} vs schema {def:?}");
        assert_eq!(
            node["additionalProperties"],
            Value::Bool(false),
            "{name} denies unknown fields; the schema must too"
        );
    }
    assert!(structs.iter().map(|(_, k)| k.len()).sum::<usize>() > 50);
}

/// Validates TOML texts with Python's tomllib + jsonschema; one verdict line per text.
fn validate(texts: &[String]) -> Vec<String> {
    const CHECK: &str = r#"
import json, sys, tomllib
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for text in json.load(sys.stdin):
    errors = sorted(v.iter_errors(tomllib.loads(text)), key=lambda e: list(e.absolute_path))
    print("ok" if not errors else "invalid at " + "/".join(str(p) for p in errors[0].absolute_path))
"#;
    let mut child = Command::new("python3")
        .args(["-c", CHECK])
        .arg(root().join("schema/rules.schema.json"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is required (tests/support/install-tools.sh installs jsonschema)");
    let input = serde_json::to_vec(texts).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "schema check failed (is PyPI jsonschema installed?)"
    );
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), texts.len());
    lines
}

#[test]
fn shipped_rule_files_validate_and_malformed_ones_do_not() {
    let dir = root().join("../deploy/rules");
    let mut names = Vec::new();
    let mut texts = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            names.push(p.file_name().unwrap().to_string_lossy().into_owned());
            texts.push(std::fs::read_to_string(&p).unwrap());
        }
    }
    assert!(names.len() >= 4, "{names:?}");
    let shipped = texts.len();
    let bad = [
        "[[rule]]\nid = \"a\"\naction = \"deliver\"\ncolour = \"red\"\n[rule.when]\nalways = true\n",
        "[[rule]]\nid = \"a\"\naction = \"deliver\"\n[rule.when]\nalways = true\nsubject_tag = true\n",
        "[[rule]]\nid = \"a\"\naction = \"deliver\"\n[rule.when]\nsubject_tag = false\n",
        "[[rule]]\nid = \"a\"\naction = \"encrypt\"\nchain = [\"carrier-pigeon\", \"hold\"]\n[rule.when]\nalways = true\n",
        "[[rule]]\nid = \"a\"\naction = \"deliver\"\n[rule.when]\ndetector = \"npi\"\nconfidence = \"very\"\n",
        "[[rule]]\nid = \"a\"\naction = \"deliver\"\n[rule.when]\nkeywords = [\"x\"]\nnear = { within = 3 }\n",
        "[settings]\nevaluation = \"random\"\n",
        "[settings.limits]\nmax_depth = -1\n",
        "[[detector]]\nname = \"x\"\n",
    ];
    texts.extend(bad.iter().map(|s| s.to_string()));
    let verdicts = validate(&texts);
    for (name, v) in names.iter().zip(&verdicts[..shipped]) {
        assert_eq!(v, "ok", "deploy/rules/{name}");
    }
    for (text, v) in bad.iter().zip(&verdicts[shipped..]) {
        assert_ne!(v, "ok", "the schema accepts a malformed file:\n{text}");
    }
    // The loader refuses each of them too (the schema is no stricter than the format).
    for text in bad {
        let files = [sealgate_rules::Source {
            name: "bad.toml",
            text,
        }];
        assert!(
            sealgate_rules::RuleSet::from_sources(
                &files,
                &[],
                &[],
                sealgate_rules::PROVIDED_METHODS
            )
            .is_err(),
            "{text}"
        );
    }
}
