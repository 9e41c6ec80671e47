//! Acceptance: a malformed-input table. Each case runs on a fresh connection to one gateway
//! and checks the exact reply (code and enhanced status) it must get, or that the server
//! closes; after every case a new connection still gets `220` and the process is alive.
//!
//! The gateway runs with `command_timeout = "3s"` (slow-drip and idle cases) and
//! `max_message_size = "64KiB"` (oversize cases); every other case finishes well inside that.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::smtp::tls_trusting;
use sealgate_tests::{Env, Gateway, GatewayConfig, Mode, Smtp};
use std::io::ErrorKind;
use std::time::{Duration, Instant};

#[path = "malformed/later.rs"]
mod later;

/// One step of a case.
enum Step {
    /// Write these bytes.
    Send(Vec<u8>),
    /// Read one reply: code and enhanced status (`""`: the code alone is checked).
    Expect(u16, &'static str),
    /// Read `n` replies, each this code and enhanced status.
    ExpectN(usize, u16, &'static str),
    /// The server closes the connection (anything it sends first is ignored: a TLS alert).
    Closed,
    /// Handshake after `220` to STARTTLS.
    Tls,
    /// Write `bytes` one at a time, waiting up to `gap` for a reply after each; the server
    /// must answer `code enhanced` before the bytes run out, then close.
    Drip(Vec<u8>, Duration, u16, &'static str),
    /// Read one reply within this time (a reply that must come at once, not at a timeout).
    ExpectWithin(u16, &'static str, Duration),
    /// Drop the connection.
    Hangup,
}

use Step::*;

fn send(s: impl AsRef<[u8]>) -> Step {
    Send(s.as_ref().to_vec())
}

const EHLO: &str = "EHLO client.test\r\n";
const MAIL: &str = "MAIL FROM:<alice@acme-health.org>\r\n";
const RCPT: &str = "RCPT TO:<bob@example.com>\r\n";
const HEADERS: &str = "From: alice@acme-health.org\r\nTo: bob@example.com\r\nSubject: t\r\n\r\n";

/// EHLO + MAIL + RCPT, each answered.
fn envelope() -> Vec<Step> {
    vec![
        send(EHLO),
        Expect(250, ""),
        send(MAIL),
        Expect(250, "2.1.0"),
        send(RCPT),
        Expect(250, "2.1.5"),
    ]
}

/// EHLO + MAIL + RCPT + DATA (354) + `content` + end of data, expecting `code enhanced`.
fn data(content: &[u8], code: u16, enhanced: &'static str) -> Vec<Step> {
    let mut v = envelope();
    v.extend([send("DATA\r\n"), Expect(354, "")]);
    let mut c = content.to_vec();
    c.extend_from_slice(b"\r\n.\r\n");
    v.extend([Send(c), Expect(code, enhanced)]);
    v
}

fn with(mut a: Vec<Step>, b: impl IntoIterator<Item = Step>) -> Vec<Step> {
    a.extend(b);
    a
}

fn cases() -> Vec<(&'static str, Vec<Step>)> {
    let long = "x".repeat(10_000);
    let many_rcpts: Vec<u8> = (0..1000)
        .flat_map(|i| format!("RCPT TO:<r{i}@example.com>\r\n").into_bytes())
        .collect();
    let big_body: String = format!(
        "{HEADERS}{}",
        format!("{}\r\n", "z".repeat(76)).repeat(1200)
    );
    let mut v = vec![
        (
            "bare LF ends no command",
            vec![send("NOOP\nNOOP\r\n"), Expect(500, "5.5.2")],
        ),
        (
            "bare CR ends no command",
            vec![send("NOOP\rNOOP\r\n"), Expect(500, "5.5.2")],
        ),
        (
            "bare LF smuggles a MAIL",
            vec![
                send("EHLO a\nMAIL FROM:<alice@acme-health.org>\r\n"),
                Expect(500, "5.5.2"),
                // The EHLO was refused, so the MAIL after it has no session to start in.
                Expect(503, "5.5.1"),
                send("NOOP\r\n"),
                Expect(250, "2.0.0"),
            ],
        ),
        (
            "NUL in a command",
            vec![send("NO\0OP\r\n"), Expect(500, "5.5.2")],
        ),
        (
            "NUL in the EHLO name",
            vec![send("EHLO cli\0ent\r\n"), Expect(500, "5.5.2")],
        ),
        (
            "10k-character command line",
            vec![
                send(format!("NOOP {long}\r\n")),
                Expect(500, "5.5.2"),
                Closed,
            ],
        ),
        (
            "bare-LF command answered at once (not at command_timeout)",
            vec![
                send("EHLO x\n"),
                ExpectWithin(500, "5.5.2", Duration::from_secs(1)),
            ],
        ),
        (
            "100 KB without a line end: reply and close",
            vec![
                Send(vec![b'x'; 100 * 1024]),
                ExpectWithin(500, "5.5.2", Duration::from_secs(2)),
                Closed,
            ],
        ),
        (
            "150 NOOPs end in 421 before the last",
            vec![
                send("NOOP\r\n".repeat(150)),
                ExpectN(101, 250, "2.0.0"),
                Expect(421, "4.7.0"),
                Closed,
            ],
        ),
        (
            "10k-character MAIL line",
            vec![
                send(EHLO),
                Expect(250, ""),
                send(format!("MAIL FROM:<{long}@acme-health.org>\r\n")),
                Expect(500, "5.5.2"),
            ],
        ),
        (
            "10k-character line in the body",
            data(format!("{HEADERS}{long}").as_bytes(), 550, "5.5.2"),
        ),
        (
            "10k-character header line",
            data(
                format!("From: alice@acme-health.org\r\nX-Long: {long}\r\n\r\nbody").as_bytes(),
                550,
                "5.5.2",
            ),
        ),
        (
            "bare LF in the body",
            data(format!("{HEADERS}one\ntwo").as_bytes(), 550, "5.5.2"),
        ),
        (
            "bare CR in the body",
            data(format!("{HEADERS}one\rtwo").as_bytes(), 550, "5.5.2"),
        ),
        (
            "LF.LF does not end DATA",
            data(format!("{HEADERS}one\n.\ntwo").as_bytes(), 550, "5.5.2"),
        ),
        (
            "header From missing",
            data(
                b"To: bob@example.com\r\nSubject: no from\r\n\r\nbody",
                550,
                "5.6.0",
            ),
        ),
        (
            "message over max_message_size",
            data(big_body.as_bytes(), 552, "5.3.4"),
        ),
        (
            "1,000 recipients: 500 accepted, the rest 452 4.5.3",
            with(
                vec![
                    send(EHLO),
                    Expect(250, ""),
                    send(MAIL),
                    Expect(250, "2.1.0"),
                    Send(many_rcpts),
                ],
                [
                    ExpectN(500, 250, "2.1.5"),
                    ExpectN(500, 452, "4.5.3"),
                    send("RSET\r\n"),
                    Expect(250, "2.0.0"),
                ],
            ),
        ),
        (
            "DATA without RCPT",
            vec![
                send(EHLO),
                Expect(250, ""),
                send(MAIL),
                Expect(250, "2.1.0"),
                send("DATA\r\n"),
                Expect(503, "5.5.1"),
            ],
        ),
        (
            "DATA without MAIL",
            vec![
                send(EHLO),
                Expect(250, ""),
                send("DATA\r\n"),
                Expect(503, "5.5.1"),
            ],
        ),
        (
            "RCPT before MAIL",
            vec![
                send(EHLO),
                Expect(250, ""),
                send(RCPT),
                Expect(503, "5.5.1"),
            ],
        ),
        ("MAIL before EHLO", vec![send(MAIL), Expect(503, "5.5.1")]),
        (
            "nested MAIL",
            vec![
                send(EHLO),
                Expect(250, ""),
                send(MAIL),
                Expect(250, "2.1.0"),
                send(MAIL),
                Expect(503, "5.5.1"),
            ],
        ),
        (
            "BDAT without RCPT",
            vec![
                send(EHLO),
                Expect(250, ""),
                send(MAIL),
                Expect(250, "2.1.0"),
                send("BDAT 5 LAST\r\nhello"),
                Expect(503, "5.5.1"),
                send("NOOP\r\n"),
                Expect(250, "2.0.0"),
            ],
        ),
    ];
    v.extend(later::cases());
    v
}

fn run_case(gw: &Gateway, env: &Env, steps: Vec<Step>) -> Result<(), String> {
    let mut s = Smtp::connect(gw.smtp);
    s.timeout = Duration::from_secs(15);
    let g = s.reply().map_err(|e| format!("greeting: {e}"))?;
    if g.code != 220 {
        return Err(format!("greeting {g}"));
    }
    for (i, step) in steps.into_iter().enumerate() {
        match step {
            Send(b) => match s.send(&b) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::BrokenPipe => {
                    return Err(format!("step {i}: connection closed while sending"));
                }
                Err(e) => return Err(format!("step {i}: send: {e}")),
            },
            Expect(code, enh) => {
                let r = s
                    .reply()
                    .map_err(|e| format!("step {i}: no reply ({e}), expected {code} {enh}"))?;
                if !r.is(code, enh) {
                    return Err(format!("step {i}: expected {code} {enh}, got {r}"));
                }
            }
            ExpectN(n, code, enh) => {
                for k in 0..n {
                    let r = s.reply().map_err(|e| format!("step {i}, reply {k}: {e}"))?;
                    if !r.is(code, enh) {
                        return Err(format!(
                            "step {i}, reply {k}: expected {code} {enh}, got {r}"
                        ));
                    }
                }
            }
            ExpectWithin(code, enh, within) => {
                s.timeout = within;
                let r = s.reply();
                s.timeout = Duration::from_secs(15);
                let r = r.map_err(|e| format!("step {i}: no reply within {within:?} ({e})"))?;
                if !r.is(code, enh) {
                    return Err(format!("step {i}: expected {code} {enh}, got {r}"));
                }
            }
            Closed => {
                s.closed()
                    .map_err(|e| format!("step {i}: connection not closed: {e}"))?;
            }
            Tls => s
                .starttls(tls_trusting(&env.self_signed_cert()), "gw.sealgate.test")
                .map_err(|e| format!("step {i}: handshake: {e}"))?,
            Drip(bytes, gap, code, enh) => {
                let start = Instant::now();
                s.timeout = gap;
                let mut answered = None;
                for b in bytes {
                    if s.send(&[b]).is_err() {
                        break;
                    }
                    match s.reply() {
                        Ok(r) => {
                            answered = Some(r);
                            break;
                        }
                        Err(e) if e.kind() == ErrorKind::TimedOut => {}
                        Err(e) => return Err(format!("step {i}: drip: {e}")),
                    }
                }
                s.timeout = Duration::from_secs(15);
                let r = answered.ok_or(format!(
                    "step {i}: no reply during {:?} of drip",
                    start.elapsed()
                ))?;
                if !r.is(code, enh) {
                    return Err(format!(
                        "step {i}: drip answered {r}, expected {code} {enh}"
                    ));
                }
            }
            Hangup => return Ok(()),
        }
    }
    Ok(())
}

#[test]
fn malformed_input_table_gets_the_expected_replies_and_the_process_survives() {
    let env = Env::new();
    let mut gw = Gateway::start(
        &env,
        &GatewayConfig {
            smtp: vec![
                "command_timeout = \"3s\"".into(),
                "max_message_size = \"64KiB\"".into(),
            ],
            mode: Mode::Mx,
            ..GatewayConfig::default()
        },
    );
    let cases = cases();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, steps) in cases {
        if let Err(e) = run_case(&gw, &env, steps) {
            failures.push(format!("{name}: {e}"));
        }
        // Alive: the process runs and a fresh connection is greeted.
        assert!(
            gw.alive(),
            "gateway died after case {name:?}:\n{}",
            gw.log_text()
        );
        let mut s = Smtp::open(gw.smtp);
        s.cmd("NOOP")
            .expect(250, "2.0.0", &format!("NOOP after {name}"));
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}\n--- gateway log (tail)\n{}",
        failures.len(),
        failures.join("\n"),
        gw.log_text()
            .lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Nothing malformed was queued.
    assert!(gw.queue_list().is_empty(), "a malformed message was queued");
}
