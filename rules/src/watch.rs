//! Noticing that a rule directory changed, for hot reload on file change (besides SIGHUP).
//!
//! A [`DirFingerprint`] is the name, size and modification time of everything
//! [`crate::RuleSet::load_dir`] reads (`*.toml`, `dictionaries/*.txt`, `lists/*.txt`). The
//! gateway polls it; when it differs from the last one it reloads exactly as on SIGHUP (a bad set
//! keeps the running one). Reading metadata is the only I/O here; contents are not read.

use std::path::Path;
use std::time::SystemTime;

/// What a rule directory looked like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirFingerprint(Vec<(String, u64, Option<SystemTime>)>);

fn add(dir: &Path, prefix: &str, ext: &str, out: &mut Vec<(String, u64, Option<SystemTime>)>) {
    // A missing sub-directory is part of the picture (it may appear later), not an error.
    let Ok(entries) = std::fs::read_dir(dir) else {
        out.push((format!("{prefix}<absent>"), 0, None));
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().and_then(|x| x.to_str()) != Some(ext) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        out.push((name, meta.len(), meta.modified().ok()));
    }
}

impl DirFingerprint {
    /// The fingerprint of `dir` now. Fails only when `dir` itself cannot be listed.
    pub fn of(dir: &Path) -> std::io::Result<DirFingerprint> {
        std::fs::read_dir(dir)?;
        let mut v = Vec::new();
        add(dir, "", "toml", &mut v);
        add(&dir.join("dictionaries"), "dictionaries/", "txt", &mut v);
        add(&dir.join("lists"), "lists/", "txt", &mut v);
        v.sort();
        Ok(DirFingerprint(v))
    }

    /// Number of files it covers.
    pub fn files(&self) -> usize {
        self.0.iter().filter(|(_, _, t)| t.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_to_rules_dictionaries_and_lists_are_seen() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.toml"), "x").unwrap();
        std::fs::write(d.join("notes.md"), "ignored").unwrap();
        let first = DirFingerprint::of(d).unwrap();
        assert_eq!(first.files(), 1);
        assert_eq!(
            DirFingerprint::of(d).unwrap(),
            first,
            "stable when nothing changed"
        );
        std::fs::write(d.join("notes.md"), "still ignored").unwrap();
        assert_eq!(DirFingerprint::of(d).unwrap(), first);

        std::fs::write(d.join("a.toml"), "xy").unwrap();
        let second = DirFingerprint::of(d).unwrap();
        assert_ne!(second, first, "an edited rule file");
        std::fs::create_dir(d.join("dictionaries")).unwrap();
        std::fs::write(d.join("dictionaries/terms.txt"), "flu").unwrap();
        let third = DirFingerprint::of(d).unwrap();
        assert_ne!(third, second, "a new dictionary");
        std::fs::create_dir(d.join("lists")).unwrap();
        std::fs::write(d.join("lists/partners.txt"), "a.example").unwrap();
        assert_ne!(DirFingerprint::of(d).unwrap(), third, "a new list");
        std::fs::remove_file(d.join("a.toml")).unwrap();
        assert_eq!(DirFingerprint::of(d).unwrap().files(), 2, "a removed file");
        assert!(DirFingerprint::of(&d.join("missing")).is_err());
    }
}
