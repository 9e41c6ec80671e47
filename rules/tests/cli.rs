//! The binary's `rules check`, `rules test` and `explain` (the module is compiled here as it is
//! into the binary), the shipped golden cases, and the canary: planted values appear nowhere.

mod common;
#[path = "../../gateway/sealgate/src/out.rs"]
#[macro_use]
mod out;
#[path = "../../gateway/sealgate/src/rules_cmd.rs"]
#[allow(dead_code)]
mod rules_cmd;

/// `explain --keys` walks the gateway's key store (the binary's crates); these tests never ask
/// for it, so `rules_cmd` gets a stand-in that refuses.
mod explain_keys {
    #[derive(serde::Serialize)]
    pub struct Walk;

    pub fn walk(
        _config: Option<&std::path::Path>,
        _raw: &[u8],
        _decision: &sealgate_rules::Decision,
        _rcpts: &[sealgate_core::Address],
    ) -> anyhow::Result<Vec<Walk>> {
        anyhow::bail!("no key store in the rules tests")
    }

    pub fn print(_walks: &[Walk]) {}
}

use common::*;
use sealgate_rules::RuleSet;
use std::path::{Path, PathBuf};

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/rules")
}

#[test]
fn check_accepts_the_default_and_reports_errors() {
    assert_eq!(rules_cmd::check(&deploy()).unwrap(), 0);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), "[[rule]]\nid = \"x\"\naction = \"encrypt\"\nchain = [\"carrier-pigeon\", \"hold\"]\n[rule.when]\nalways = true\n").unwrap();
    assert_eq!(rules_cmd::check(dir.path()).unwrap(), 1);
}

#[test]
fn golden_cases_pass() {
    assert_eq!(
        rules_cmd::test(&deploy(), &deploy().join("cases")).unwrap(),
        0
    );
}

#[test]
fn explain_runs_on_every_case() {
    for e in std::fs::read_dir(deploy().join("cases")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "eml") {
            assert_eq!(
                rules_cmd::explain(&rules_cmd::ExplainRequest::new(&p, None, false)).unwrap(),
                0
            );
            assert_eq!(
                rules_cmd::explain(&rules_cmd::ExplainRequest::new(&p, Some(&deploy()), true))
                    .unwrap(),
                0
            );
        }
    }
}

const SSN: &str = "219-45-6781";
const NPI: &str = "1245319599";

fn forms(v: &str) -> Vec<String> {
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    vec![
        v.to_string(),
        digits.clone(),
        base64(v.as_bytes()),
        base64(digits.as_bytes()),
    ]
}

/// The canary message: SSN and NPI in the subject, a display name, the body and an
/// attachment's name and content.
fn canary_message() -> Vec<u8> {
    let body = format!("Patient SSN {SSN}, provider NPI {NPI}, diabetes follow-up");
    let mut raw = with_attachment(
        &body,
        "text/plain",
        &format!("ssn-{SSN}.txt"),
        body.as_bytes(),
    );
    let header =
        format!("From: \"SSN {SSN}\" <ann@clinic.example>\r\nSubject: NPI {NPI} SSN {SSN}\r\n");
    raw.splice(0..0, header.bytes());
    raw
}

/// The printed `sealgate explain` (text and `--json`) of the canary message. `explain`
/// writes to stdout, so the test runs itself as a child in "print" mode and reads its output.
#[test]
fn explain_output_carries_no_canary() {
    const MODE: &str = "SEALGATE_RULES_TEST_EXPLAIN_EML";
    if let Some(path) = std::env::var_os(MODE) {
        let path = PathBuf::from(path);
        assert_eq!(
            rules_cmd::explain(&rules_cmd::ExplainRequest::new(&path, None, false)).unwrap(),
            0
        );
        assert_eq!(
            rules_cmd::explain(&rules_cmd::ExplainRequest::new(
                &path,
                Some(&deploy()),
                true
            ))
            .unwrap(),
            0
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("canary.eml");
    std::fs::write(&eml, canary_message()).unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "explain_output_carries_no_canary", "--nocapture"])
        .args(["--test-threads", "1"])
        .env(MODE, &eml)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("Findings (names and counts only)"), "{text}");
    assert!(text.contains("\"detector\": \"us-ssn\""), "{text}");
    let hay = text + &String::from_utf8_lossy(&out.stderr);
    for v in forms(SSN).into_iter().chain(forms(NPI)) {
        assert!(!hay.contains(&v), "planted value leaked in explain output");
    }
}

/// Plants an SSN and an NPI in the subject, a display name, the body and an attachment's
/// name and content, then checks the decision, the explanation (text and JSON) and the
/// errors for any form of the values.
#[test]
fn canary_values_appear_nowhere() {
    let set = RuleSet::embedded_default();
    let raw = canary_message();
    let s = addr("ann@clinic.example");
    let r = addr("pat@mail.example");
    let d = set.classify_raw(&raw, Some(&s), &[&r]);
    assert!(d.hits.iter().any(|h| h.detector == "us-ssn"));
    let e = set.explain_raw(&raw, Some(&s), &[&r]);
    let outputs = [
        serde_json::to_string(&d).unwrap(),
        format!("{d:?}"),
        serde_json::to_string(&e).unwrap(),
        format!("{e:?}"),
    ];
    for out in &outputs {
        for v in forms(SSN).into_iter().chain(forms(NPI)) {
            assert!(!out.contains(&v), "planted value leaked in an output form");
        }
    }
}
