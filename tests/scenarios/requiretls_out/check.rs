//! Judging one case of `requiretls_out.rs` against its `want` (split for length): what the
//! sending gateway recorded, where the message arrived, and the DSN for a bounce.

use super::*;

/// What was observed for one case.
pub(super) struct Seen<'a> {
    /// The sending gateway's queue entry for the case's message.
    pub entry: &'a serde_json::Value,
    /// The receiving sealgate's envelope, if the message arrived there.
    pub at_sealgate: Option<serde_json::Value>,
    /// Postfix's maildir: `Some(with TLS?)` if the message arrived there.
    pub in_maildir: Option<bool>,
    /// The DSN naming the case's address, if one came.
    pub dsn: Option<&'a serde_json::Value>,
}

/// Waits (up to a minute) for a DSN naming each of `bounced`; returns them by address.
pub(super) fn collect_dsns(
    notices: &mut sealgate_tests::receiver::Receiver,
    bounced: &[String],
) -> HashMap<String, serde_json::Value> {
    let mut dsns: HashMap<String, serde_json::Value> = HashMap::new();
    let mut parsed = std::collections::HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while dsns.len() < bounced.len() && Instant::now() < deadline {
        for m in notices.messages() {
            if !parsed.insert(m.file.clone()) {
                continue;
            }
            let d = parse_dsn(&m.file);
            if d["content_type"] != "multipart/report" {
                continue;
            }
            for r in d["per_recipient"].as_array().cloned().unwrap_or_default() {
                let fr = r["Final-Recipient"].as_str().unwrap_or("").to_string();
                if let Some(a) = bounced.iter().find(|a| fr.ends_with(a.as_str())) {
                    dsns.insert(a.clone(), d.clone());
                }
            }
        }
        if dsns.len() < bounced.len() {
            notices.next_event(Duration::from_millis(500));
        }
    }
    dsns
}

/// One case judged: its table line, and a failure line if anything differs from `want`.
pub(super) fn case(c: &Case, seen: &Seen) -> (String, Option<String>) {
    let r = recipient(seen.entry, &c.address());
    let status = r["status"].as_str().unwrap_or("?").to_string();
    let all = attempts(r);
    let last = all.last().cloned().unwrap_or_default();
    let arrived = seen.at_sealgate.is_some() || seen.in_maildir.is_some();
    let got = match status.as_str() {
        "delivered" => format!(
            "delivered(verified={},dane={})",
            last["cert_verified"].as_bool().unwrap_or(false),
            last["dane"].as_bool().unwrap_or(false)
        ),
        "bounced" => format!("bounced-{}", status_code(&last["reply"])),
        "temporary-failure" => "deferred".into(),
        s => s.to_string(),
    };
    let mut why = Vec::new();
    if got != c.want.to_string() {
        why.push(format!("got {got}, want {}", c.want));
    }
    match &c.want {
        Want::Delivered { .. } => delivered(c, seen, &last, arrived, &mut why),
        Want::Bounced5730 => bounced(c, seen.dsn, &last, arrived, &mut why),
        Want::Deferred | Want::Held => {
            if arrived {
                why.push(format!("{got}, yet it reached the receiving MTA"));
            }
        }
    }
    // Whatever the case: nothing went out over a session below what it asked.
    for a in &all {
        let accepted = a["reply"]["code"] == 250;
        if accepted && c.phi && a["cert_verified"] != true {
            why.push(format!("PHI accepted over unverified TLS: {a}"));
        }
        if accepted && a["tls_version"].is_null() {
            why.push(format!("accepted in plaintext: {a}"));
        }
    }
    let line = format!(
        "{:<14} {:<16} rtls={:<5} trn={:<5} phi={:<5} got {got:<34} want {}\n",
        c.label,
        c.host.label(),
        c.requiretls,
        c.tls_required_no,
        c.phi,
        c.want
    );
    let failure = (!why.is_empty()).then(|| {
        format!(
            "{}: {}\n    events: {:?}\n    last attempt: {last}",
            c.label,
            why.join("; "),
            status_reasons(r)
        )
    });
    (line, failure)
}

/// A delivered case: over TLS, at the receiving MTA, REQUIRETLS passed on exactly when asked.
fn delivered(
    c: &Case,
    seen: &Seen,
    last: &serde_json::Value,
    arrived: bool,
    why: &mut Vec<String>,
) {
    if !last["tls_version"].is_string() {
        why.push("delivered without TLS".into());
    }
    if !arrived {
        why.push("not at the receiving MTA".into());
    }
    if seen.in_maildir == Some(false) {
        why.push("Postfix received it without TLS".into());
    }
    if let Some(envelope) = &seen.at_sealgate
        && envelope["require_tls"].as_bool() != Some(c.requiretls)
    {
        why.push(format!(
            "receiving sealgate queued require_tls={} (REQUIRETLS {}passed on)",
            envelope["require_tls"],
            if c.requiretls { "not " } else { "" }
        ));
    }
}

/// A bounced case: refused with 550 after a good TLS session, never arrived, one DSN saying
/// `failed` with status 5.7.30.
fn bounced(
    c: &Case,
    dsn: Option<&serde_json::Value>,
    last: &serde_json::Value,
    arrived: bool,
    why: &mut Vec<String>,
) {
    if arrived {
        why.push("bounced, yet it reached the receiving MTA".into());
    }
    if last["reply"]["code"] != 550 {
        why.push(format!("last reply {}", last["reply"]));
    }
    if !last["tls_version"].is_string() {
        why.push("the refused session was not TLS".into());
    }
    // The refusal is REQUIRETLS's, after a good TLS session: under `enforce` the
    // certificate verified (WebPKI), so only the missing REQUIRETLS failed.
    if c.host == Host::PostfixStsValid && last["cert_verified"] != true {
        why.push(format!(
            "the refused session's cert_verified is {} (want true)",
            last["cert_verified"]
        ));
    }
    let Some(d) = dsn else {
        why.push(format!("no DSN to {SENDER} names it"));
        return;
    };
    let per = d["per_recipient"].as_array().cloned().unwrap_or_default();
    let mine = per.iter().find(|p| {
        p["Final-Recipient"]
            .as_str()
            .is_some_and(|f| f.ends_with(&c.address()))
    });
    let st = mine.map(|p| p["Status"].clone()).unwrap_or_default();
    if st != "5.7.30" {
        why.push(format!("DSN Status {st} (want 5.7.30): {d}"));
    }
    if mine.map(|p| p["Action"].clone()).unwrap_or_default() != "failed" {
        why.push(format!("DSN Action is not failed: {d}"));
    }
}
