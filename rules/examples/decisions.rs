//! Writes one line per message of a generated corpus directory (`labels.tsv` and its `.eml`
//! files): the file name and the shipped rule set's whole explanation as JSON — decision,
//! requirements, matched rules, detector names, counts and confidences, attachments, unscannable
//! parts and every rule's condition tree with its counts. Never a matched value: the explanation
//! holds none.
//!
//! A before/after check of a change that must not change what is decided (issue 14's speed
//! work): run it on the same corpus before and after and `diff` the outputs.
//!
//! ```sh
//! cargo run -p sealgate-rules --example decisions -- CORPUS_DIR > after.jsonl
//! ```

use anyhow::{Context, Result, bail};
use sealgate_rules::{RuleSet, envelope_from_headers};
use std::io::Write;
use std::path::{Path, PathBuf};

fn main() -> Result<()> {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        bail!("usage: decisions CORPUS_DIR (a directory with labels.tsv)");
    };
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/rules");
    let set = match RuleSet::load_dir(&rules) {
        Ok(s) => s,
        Err(e) => bail!("deploy/rules: {e:?}"),
    };
    let labels = std::fs::read_to_string(dir.join("labels.tsv")).context("labels.tsv")?;
    let mut out = std::io::stdout().lock();
    for line in labels.lines().filter(|l| !l.trim().is_empty()) {
        let name = line.split('\t').next().unwrap_or(line);
        let file = if name.ends_with(".eml") {
            name.to_string()
        } else {
            format!("{name}.eml")
        };
        let raw = std::fs::read(dir.join(&file)).with_context(|| file.clone())?;
        let (sender, rcpts) = envelope_from_headers(&raw);
        let rcpts: Vec<_> = rcpts.iter().collect();
        let e = set.explain_raw(&raw, sender.as_ref(), &rcpts);
        // The decision `classify` returns must be the explanation's.
        let d = set.classify_raw(&raw, sender.as_ref(), &rcpts);
        let (a, b) = (serde_json::to_string(&e)?, serde_json::to_string(&d)?);
        writeln!(out, "{file}\t{b}\t{a}")?;
    }
    Ok(())
}
