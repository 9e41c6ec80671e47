//! Walks a parsed TOML table section by section, collecting every problem with its full key
//! instead of stopping at the first (what serde's `deny_unknown_fields` would do).

use std::cell::RefCell;
use std::net::SocketAddr;
use std::path::PathBuf;
use toml::{Table, Value};

/// One problem found in the configuration, named by its dotted key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Dotted key, e.g. `smtp.max_recipients`.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// Shared list of issues.
#[derive(Debug, Default)]
pub struct Issues(RefCell<Vec<Issue>>);

impl Issues {
    /// Records a problem.
    pub fn push(&self, key: impl Into<String>, message: impl Into<String>) {
        self.0.borrow_mut().push(Issue {
            key: key.into(),
            message: message.into(),
        });
    }

    /// All problems, in the order found.
    pub fn into_vec(self) -> Vec<Issue> {
        self.0.into_inner()
    }
}

/// One table being read; keys are removed as they are read so the rest are unknown.
pub struct Section<'a> {
    path: String,
    table: Table,
    issues: &'a Issues,
    /// Keys asked for, for "did you mean" on the unknown ones.
    known: Vec<String>,
}

impl<'a> Section<'a> {
    /// Wraps a table found at `path` (empty for the root).
    pub fn new(path: impl Into<String>, table: Table, issues: &'a Issues) -> Self {
        Section {
            path: path.into(),
            table,
            issues,
            known: Vec::new(),
        }
    }

    /// The dotted name of `key` within this section.
    pub fn key(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Records a problem with `key`.
    pub fn issue(&self, key: &str, message: impl Into<String>) {
        self.issues.push(self.key(key), message);
    }

    /// True when `key` is present (not yet taken).
    pub fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    /// Removes and returns a raw value.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.known.push(key.to_string());
        self.table.remove(key)
    }

    /// A sub-table as a section (empty when absent; an issue when not a table).
    pub fn section(&mut self, key: &str) -> Section<'a> {
        let path = self.key(key);
        let table = match self.take(key) {
            None => Table::new(),
            Some(Value::Table(t)) => t,
            Some(_) => {
                self.issues.push(path.clone(), "must be a table");
                Table::new()
            }
        };
        Section::new(path, table, self.issues)
    }

    /// An array of tables (`[[tenants.NAME.dkim]]`), each as a section named `key[i]`; empty
    /// when absent, an issue when not a list of tables (a single table is taken as a list of
    /// one).
    pub fn tables(&mut self, key: &str) -> Vec<Section<'a>> {
        let path = self.key(key);
        let items = match self.take(key) {
            None => return Vec::new(),
            Some(Value::Array(items)) => items,
            Some(Value::Table(t)) => vec![Value::Table(t)],
            Some(_) => {
                self.issues
                    .push(path, "must be a list of tables ([[…]] entries)");
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, v) in items.into_iter().enumerate() {
            match v {
                Value::Table(t) => out.push(Section::new(format!("{path}[{i}]"), t, self.issues)),
                _ => self.issues.push(format!("{path}[{i}]"), "must be a table"),
            }
        }
        out
    }

    /// True when an issue was already recorded for `key` of this section (so a missing-value
    /// check does not repeat a type error).
    pub fn had_issue(&self, key: &str) -> bool {
        let full = self.key(key);
        self.issues.0.borrow().iter().any(|i| i.key == full)
    }

    /// Remaining keys with their tables, for maps like `[tenants.NAME]`.
    pub fn drain_tables(&mut self) -> Vec<(String, Section<'a>)> {
        let keys: Vec<String> = self.table.keys().cloned().collect();
        keys.into_iter()
            .map(|k| {
                let s = self.section(&k);
                (k, s)
            })
            .collect()
    }

    /// Remaining keys with string values, for maps like `[delivery.routes]` (a non-string
    /// value is an issue and skipped).
    pub fn drain_strings(&mut self) -> Vec<(String, String)> {
        let keys: Vec<String> = self.table.keys().cloned().collect();
        keys.into_iter()
            .filter_map(|k| self.string(&k).map(|v| (k, v)))
            .collect()
    }

    /// A list of durations (each a string like `"5m"` or a number of seconds).
    pub fn durations(&mut self, key: &str) -> Option<Vec<std::time::Duration>> {
        let items = match self.take(key)? {
            Value::Array(items) => items,
            _ => {
                self.issue(key, "must be a list of durations like [\"5m\", 600]");
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, v) in items.into_iter().enumerate() {
            let parsed = match v {
                Value::Integer(n) if n >= 0 => Ok(std::time::Duration::from_secs(n as u64)),
                Value::String(s) => crate::units::parse_duration(&s),
                _ => Err("must be a duration like \"30s\"".to_string()),
            };
            match parsed {
                Ok(d) => out.push(d),
                Err(e) => self.issue(&format!("{key}[{i}]"), e),
            }
        }
        Some(out)
    }

    /// A string value.
    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.take(key)? {
            Value::String(s) => Some(s),
            _ => {
                self.issue(key, "must be a string");
                None
            }
        }
    }

    /// A boolean value.
    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.take(key)? {
            Value::Boolean(b) => Some(b),
            _ => {
                self.issue(key, "must be true or false");
                None
            }
        }
    }

    /// A non-negative integer value.
    pub fn integer(&mut self, key: &str) -> Option<u64> {
        match self.take(key)? {
            Value::Integer(i) if i >= 0 => Some(i as u64),
            _ => {
                self.issue(key, "must be a non-negative integer");
                None
            }
        }
    }

    /// A list of strings (a single string is taken as a list of one).
    pub fn strings(&mut self, key: &str) -> Option<Vec<String>> {
        match self.take(key)? {
            Value::String(s) => Some(vec![s]),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.into_iter().enumerate() {
                    match v {
                        Value::String(s) => out.push(s),
                        _ => self.issue(&format!("{key}[{i}]"), "must be a string"),
                    }
                }
                Some(out)
            }
            _ => {
                self.issue(key, "must be a list of strings");
                None
            }
        }
    }

    /// A string parsed by `parse`, whose error message is recorded against the key.
    pub fn parsed<T>(&mut self, key: &str, parse: impl Fn(&str) -> Result<T, String>) -> Option<T> {
        let s = self.string(key)?;
        match parse(&s) {
            Ok(v) => Some(v),
            Err(e) => {
                self.issue(key, e);
                None
            }
        }
    }

    /// A list of strings each parsed by `parse`.
    pub fn parsed_list<T>(
        &mut self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<Vec<T>> {
        let items = self.strings(key)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, s) in items.iter().enumerate() {
            match parse(s) {
                Ok(v) => out.push(v),
                Err(e) => self.issue(&format!("{key}[{i}]"), e),
            }
        }
        Some(out)
    }

    /// A size (`"50MiB"`) given as a string or a bare integer.
    pub fn size(&mut self, key: &str) -> Option<u64> {
        match self.take(key)? {
            Value::Integer(i) if i >= 0 => Some(i as u64),
            Value::String(s) => match crate::units::parse_size(&s) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.issue(key, e);
                    None
                }
            },
            _ => {
                self.issue(key, "must be a size like \"50MiB\"");
                None
            }
        }
    }

    /// A duration (`"30s"`) given as a string or a bare number of seconds.
    pub fn duration(&mut self, key: &str) -> Option<std::time::Duration> {
        match self.take(key)? {
            Value::Integer(i) if i >= 0 => Some(std::time::Duration::from_secs(i as u64)),
            Value::String(s) => match crate::units::parse_duration(&s) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.issue(key, e);
                    None
                }
            },
            _ => {
                self.issue(key, "must be a duration like \"30s\"");
                None
            }
        }
    }

    /// A positive integer: 0 is recorded as an issue and read as absent.
    pub fn positive_integer(&mut self, key: &str) -> Option<u64> {
        let v = self.integer(key);
        self.nonzero(key, v, |v| v == 0)
    }

    /// A positive size: 0 is recorded as an issue and read as absent.
    pub fn positive_size(&mut self, key: &str) -> Option<u64> {
        let v = self.size(key);
        self.nonzero(key, v, |v| v == 0)
    }

    /// A positive duration: 0 is recorded as an issue and read as absent.
    pub fn positive_duration(&mut self, key: &str) -> Option<std::time::Duration> {
        let v = self.duration(key);
        self.nonzero(key, v, |v| v.is_zero())
    }

    fn nonzero<T: Copy>(&self, key: &str, v: Option<T>, is_zero: impl Fn(T) -> bool) -> Option<T> {
        match v {
            Some(v) if is_zero(v) => {
                self.issue(key, "must be greater than 0");
                None
            }
            v => v,
        }
    }

    /// A path.
    pub fn path(&mut self, key: &str) -> Option<PathBuf> {
        self.string(key).map(PathBuf::from)
    }

    /// A socket address `ip:port`.
    pub fn socket(&mut self, key: &str) -> Option<SocketAddr> {
        self.parsed(key, parse_socket)
    }

    /// Records every key not read as unknown. Call when done with the section.
    pub fn finish(self) {
        for k in self.table.keys() {
            self.issues.push(
                if self.path.is_empty() {
                    k.clone()
                } else {
                    format!("{}.{k}", self.path)
                },
                match closest(k, &self.known) {
                    Some(m) => format!("unknown key (did you mean `{m}`?)"),
                    None => "unknown key".to_string(),
                },
            );
        }
    }
}

/// The known key nearest to `key` (edit distance at most 2, or 3 for long keys), if any.
fn closest<'k>(key: &str, known: &'k [String]) -> Option<&'k str> {
    let limit = if key.len() > 10 { 3 } else { 2 };
    known
        .iter()
        .map(|k| (edit_distance(key, k), k.as_str()))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance with transpositions counted as one edit (optimal string alignment).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// Parses `ip:port` (IPv6 in brackets).
pub fn parse_socket(s: &str) -> Result<SocketAddr, String> {
    s.parse()
        .map_err(|_| format!("`{s}` is not an address like \"127.0.0.1:25\" or \"[::1]:25\""))
}
