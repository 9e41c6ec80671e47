//! Acceptance: the canary, end to end through the binary. A known, valid-looking SSN is planted
//! in the body, the Subject, the From and To display names, an attachment's file name (and its
//! content) and an `X-` header — once in plain header text, once in RFC 2047 / RFC 2231 encoded
//! form with a quoted-printable body — and sent to a gateway in `mx` mode (logging at `debug`)
//! whose only route is a closed loopback port, so both messages are classified as PHI, tried
//! once, and stay queued. After the gateway has acted on them and stopped, no form of the
//! canary — in clear, with or without separators, quoted-printable (soft line breaks anywhere),
//! base64 at each of the 3 alignments (also across line breaks), hex — is found anywhere under
//! the data directory (the redb file included), the gateway's TMPDIR, its logs and stdout, its
//! `/metrics`, or the SMTP replies the client got. A planted patient name (one the untitled
//! name detector finds) and date of birth travel with it and are searched for the same way,
//! in `sealgate explain` output too (issue 14: a person's name is PHI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_commit::{BodyLocation, MasterKeys, OsRandom, Spool};
use sealgate_core::{MessageId, SystemClock};
use sealgate_tests::gateway::find_by_message_id;
use sealgate_tests::load::held_mx_config;
use sealgate_tests::mail::unique_message_id;
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tools::http_get;
use sealgate_tests::{Env, Gateway, GatewayConfig, Smtp};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A valid-looking SSN (area, group and serial in range; not an advertised number).
const CANARY: &str = "536-22-8147";
/// A planted patient name (both words in the Census name lists the detector uses).
const CANARY_NAME: &str = "Maribel Quintero";
/// A planted date of birth.
const CANARY_DOB: &str = "07/19/1958";

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(input: &[u8]) -> String {
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The base64 characters that depend on `text` alone, when it starts `offset` bytes into a
/// 3-byte group: whatever precedes or follows it in the encoded stream, these appear.
fn base64_core(text: &str, offset: usize) -> String {
    let mut padded = vec![0u8; offset];
    padded.extend_from_slice(text.as_bytes());
    let enc = base64(&padded);
    // Groups lying wholly inside the text: from the first group starting at or after `offset`
    // to the last group ending at or before the end of the text.
    let first = offset.div_ceil(3);
    let last = padded.len() / 3;
    enc[first * 4..last * 4].to_string()
}

/// Every form of one planted value to look for: clear, digits only and spaced (numbers),
/// lower and upper case (names), hex, base64 at each alignment, quoted-printable breaks.
fn forms(label: &str, value: &str) -> Vec<(String, String)> {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let mut out = vec![
        (format!("{label} clear"), value.to_string()),
        (
            format!("{label} hex"),
            value.bytes().map(|b| format!("{b:02x}")).collect(),
        ),
    ];
    let mut plain = vec![value.to_string()];
    if digits.is_empty() {
        plain.push(value.to_lowercase());
        plain.push(value.to_uppercase());
        out.push((format!("{label} lower case"), value.to_lowercase()));
        out.push((format!("{label} upper case"), value.to_uppercase()));
    } else {
        out.push((format!("{label} digits"), digits.clone()));
        out.push((format!("{label} spaced"), value.replace(['-', '/'], " ")));
        plain.push(digits);
    }
    for form in &plain {
        for offset in 0..3 {
            out.push((
                format!("{label}: base64 of {form:?} at offset {offset}"),
                base64_core(form, offset),
            ));
        }
    }
    // Quoted-printable leaves digits and '-' as they are, but may break the line anywhere.
    for p in 1..value.len() {
        for brk in ["=\r\n", "=\n"] {
            out.push((
                format!("{label}: quoted-printable broken after {p} characters"),
                format!("{}{brk}{}", &value[..p], &value[p..]),
            ));
        }
    }
    out
}

/// Every form of the canary (SSN, name, date of birth) to look for.
fn needles() -> Vec<(String, String)> {
    let mut out = forms("ssn", CANARY);
    out.extend(forms("name", CANARY_NAME));
    out.extend(forms("dob", CANARY_DOB));
    out
}

/// The forms of the canary found in `hay` (also with CR and LF removed, for wrapped base64).
fn find_canary(hay: &[u8], needles: &[(String, String)]) -> Vec<String> {
    let unwrapped: Vec<u8> = hay
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    let has = |h: &[u8], n: &[u8]| h.windows(n.len()).any(|w| w == n);
    needles
        .iter()
        .filter(|(_, n)| has(hay, n.as_bytes()) || has(&unwrapped, n.as_bytes()))
        .map(|(what, _)| what.clone())
        .collect()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap_or_else(|e| panic!("list {}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn encoded_word(text: &str) -> String {
    format!("=?utf-8?B?{}?=", base64(text.as_bytes()))
}

/// The two canary messages: plain header text, and encoded forms.
fn canary_messages() -> Vec<(String, String)> {
    let attachment = base64(
        format!("Patient record\r\n{CANARY_NAME}, DOB {CANARY_DOB}\r\nSSN {CANARY}\r\n").as_bytes(),
    );
    let plain_id = unique_message_id("canary-plain");
    let plain = format!(
        "From: \"Pat {CANARY}\" <alice@acme-health.org>\r\n\
         To: \"Bob {CANARY}\" <bob@example.com>\r\n\
         Subject: Patient SSN {CANARY}\r\n\
         Message-ID: {plain_id}\r\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n\
         X-Patient-Id: {CANARY}\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
         \r\n\
         --b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         The patient's SSN is {CANARY}.\r\n\
         {CANARY_NAME}'s MRI is back; DOB {CANARY_DOB}.\r\n\
         --b1\r\n\
         Content-Type: text/plain; name=\"{CANARY}.txt\"\r\n\
         Content-Disposition: attachment; filename=\"{CANARY}.txt\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         {attachment}\r\n\
         --b1--\r\n"
    );
    let encoded_id = unique_message_id("canary-encoded");
    let encoded = format!(
        "From: {} <alice@acme-health.org>\r\n\
         To: {} <bob@example.com>\r\n\
         Subject: {}\r\n\
         Message-ID: {encoded_id}\r\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n\
         X-Patient-Id: {}\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b2\"\r\n\
         \r\n\
         --b2\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         \r\n\
         The patient=E2=80=99s SSN is {}=\r\n{}.\r\n\
         {}=\r\n{}'s MRI is back; DOB {}=\r\n{}.\r\n\
         --b2\r\n\
         Content-Type: application/octet-stream\r\n\
         Content-Disposition: attachment; filename*=utf-8''%E2%80%9C{CANARY}%E2%80%9D.bin\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         {attachment}\r\n\
         --b2--\r\n",
        encoded_word(&format!("Pat {CANARY}")),
        encoded_word(&format!("Bob {CANARY}")),
        encoded_word(&format!("Patient SSN {CANARY}")),
        encoded_word(CANARY),
        &CANARY[..5],
        &CANARY[5..],
        &CANARY_NAME[..4],
        &CANARY_NAME[4..],
        &CANARY_DOB[..3],
        &CANARY_DOB[3..],
    );
    vec![(plain_id, plain), (encoded_id, encoded)]
}

/// Waits (each poll is one admin API exchange) until the delivery engine has acted on every
/// recipient of `id` — tried it (deferred) or held it —, at most 60 s.
fn wait_acted_on(gw: &Gateway, env: &Env, id: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = gw.admin_get(env, &format!("/api/v1/queue/{id}"));
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let entry: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let rcpts = entry["recipients"].as_array().unwrap();
        if !rcpts.is_empty() && rcpts.iter().all(|r| r["status"] != "scheduled") {
            return entry;
        }
        assert!(
            Instant::now() < deadline,
            "{id} still scheduled after 60 s: {entry}"
        );
    }
}

#[test]
fn base64_cores_are_found_in_any_encoding_of_the_canary() {
    let needles = needles();
    for prefix in ["", "a", "ab", "abc", "abcd"] {
        let enc = base64(format!("{prefix}SSN {CANARY} and {prefix}").as_bytes());
        assert!(
            find_canary(enc.as_bytes(), &needles)
                .iter()
                .any(|w| w.starts_with("ssn: base64")),
            "base64 {enc} of the canary after {prefix:?} not recognised"
        );
        let wrapped = format!("{}\r\n{}", &enc[..9], &enc[9..]);
        assert!(!find_canary(wrapped.as_bytes(), &needles).is_empty());
    }
    assert!(!find_canary(b"SSN 536-22=\r\n-8147", &needles).is_empty());
    assert!(find_canary(b"SSN 536-22-8148 and 123-45-6789", &needles).is_empty());
    assert_eq!(base64(b"Man"), "TWFu");
    assert_eq!(base64(b"Ma"), "TWE=");
}

/// `sealgate explain` (text and JSON) of both canary messages; checks it names the detectors.
fn explain_outputs(env: &Env) -> String {
    let mut all = String::new();
    for (i, (_, text)) in canary_messages().iter().enumerate() {
        let eml = env.root().join(format!("canary-{i}.eml"));
        fs::write(&eml, text).unwrap();
        for json in [false, true] {
            let mut args = vec!["explain", eml.to_str().unwrap()];
            if json {
                args.push("--json");
            }
            let out = sealgate_tests::tools::sealgate(&args);
            assert!(out.status.success(), "explain {args:?}: {:?}", out.status);
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                stdout.contains("person-name") && stdout.contains("date-of-birth"),
                "explain names no person-name / date-of-birth detector:\n{stdout}"
            );
            all.push_str(&stdout);
            all.push_str(&String::from_utf8_lossy(&out.stderr));
        }
    }
    all
}

#[test]
fn planted_ssn_is_nowhere_at_rest_nor_in_logs() {
    let env = Env::new();
    let base = GatewayConfig {
        log: vec!["level = \"debug\"".into()],
        ..GatewayConfig::default()
    };
    let config = held_mx_config(&env, &base);
    let gw = Gateway::start_file(&env, &config, &[]);
    let mut replies = String::new();
    let mut ids = Vec::new();
    let mut smtp = Smtp::ready(gw.smtp);
    let needles = needles();
    for (msgid, text) in canary_messages() {
        // Positive control: the search sees the canary in what was sent.
        assert!(
            !find_canary(text.as_bytes(), &needles).is_empty(),
            "the search does not see the canary in the message sent"
        );
        let r = smtp.send_mail("alice@acme-health.org", &["bob@example.com"], &text);
        r.expect(250, "2.0.0", "end of data");
        replies.push_str(&format!("{r}\n"));
        ids.push((msgid, queued_id(&r).unwrap()));
    }
    replies.push_str(&format!("{}\n", smtp.cmd("QUIT")));

    let entries = gw.queue_list();
    for (msgid, id) in &ids {
        let entry = wait_acted_on(&gw, &env, id);
        let statuses: Vec<String> = entry["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].to_string())
            .collect();
        eprintln!("{id}: recipients {}", statuses.join(", "));
        let e = find_by_message_id(&entries, msgid).expect("canary message queued");
        assert_eq!(e["message"]["id"], id.as_str());
        let decision = &entry["message"]["decision"];
        assert_eq!(
            decision["phi"], true,
            "{msgid}: the canary was not classified as PHI: {decision}"
        );
        for detector in ["us-ssn", "person-name", "date-of-birth"] {
            assert!(
                decision.to_string().contains(detector),
                "{msgid}: no {detector} finding in {decision}"
            );
        }
    }
    let explained = explain_outputs(&env);
    let (status, metrics) = http_get(gw.admin, "/metrics", None, Duration::from_secs(10)).unwrap();
    assert_eq!(status, 200);
    let stdout = gw.stdout_lines().join("\n");
    assert!(gw.terminate().success(), "gateway did not exit 0");

    let mut files = Vec::new();
    files_under(&env.data(), &mut files);
    files_under(&env.tmp(), &mut files);
    files_under(&env.logs(), &mut files);
    assert!(
        files.iter().any(|f| f.ends_with("queue.redb")),
        "no queue.redb among {files:?}"
    );
    // Not a vacuous search: each queued body is at rest in a searched file — a row of
    // `queue.redb` (a body under `INLINE_BODY_MAX`) or its own `.body` file — and, opened with
    // the master key, it is the message that carried the canary.
    queued_bodies_hold_the_canary(&env, &ids, &needles, &files);
    let mut leaks = Vec::new();
    for f in &files {
        let bytes = fs::read(f).unwrap_or_else(|e| panic!("read {}: {e}", f.display()));
        for what in find_canary(&bytes, &needles) {
            leaks.push(format!("{}: {what}", f.display()));
        }
    }
    for (name, text) in [
        ("stdout", stdout.as_bytes()),
        ("/metrics", metrics.as_slice()),
        ("SMTP replies", replies.as_bytes()),
        ("sealgate explain", explained.as_bytes()),
    ] {
        for what in find_canary(text, &needles) {
            leaks.push(format!("{name}: {what}"));
        }
    }
    assert!(
        leaks.is_empty(),
        "the canary {CANARY} leaked ({} files searched):\n{}\nlogs:\n{}",
        files.len(),
        leaks.join("\n"),
        env.all_logs()
    );
    eprintln!(
        "{} files ({} octets) and the outputs searched for {} forms of the canary: none found",
        files.len(),
        files
            .iter()
            .map(|f| fs::metadata(f).map_or(0, |m| m.len()))
            .sum::<u64>(),
        needles.len()
    );
    let log = env.all_logs();
    if std::env::var_os("CANARY_SHOW").is_some() {
        eprintln!("files: {files:#?}\nlog:\n{log}");
    }
    assert!(
        log.contains(&ids[0].1) && log.contains("DEBUG"),
        "the log has neither the message id nor debug lines — did logging work?\n{log}"
    );
}

/// Each queued message's body, read back from the stopped spool, holds the canary, and the file it
/// is stored in (the database or its own body file) is among `files`.
fn queued_bodies_hold_the_canary(
    env: &Env,
    ids: &[(String, String)],
    needles: &[(String, String)],
    files: &[PathBuf],
) {
    let keys = MasterKeys::load(&env.data().join("master.key")).expect("master key");
    let spool = Spool::open(
        &env.data(),
        keys,
        Arc::new(SystemClock),
        Arc::new(OsRandom::checked().expect("randomness")),
    )
    .expect("open the stopped spool");
    for (msgid, id) in ids {
        let id: MessageId = id.parse().expect("queue id");
        let stored_in = match spool.body_location(id).expect("body location") {
            Some(BodyLocation::Database) => env.data().join("queue.redb"),
            Some(BodyLocation::File) => spool.body_path(id),
            None => panic!("{msgid}: no queued body"),
        };
        assert!(
            files.contains(&stored_in),
            "{} not searched",
            stored_in.display()
        );
        let body = spool.read_body(id).expect("queued body");
        assert!(
            !find_canary(&body, needles).is_empty(),
            "{msgid}: the queued body does not carry the canary"
        );
    }
}
