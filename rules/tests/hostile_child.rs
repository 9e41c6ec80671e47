//! Hostile inputs for the new parsers through the real extraction child (issue 14): the test
//! binary re-enters itself as the child ([`sealgate_rules::extractor_main`], with its
//! `RLIMIT_AS`/`RLIMIT_CPU` limits), as the gateway does with `sealgate __extract`. A legacy
//! Office file of 20 MiB of text runs, a PNG that decodes to 900 megapixels (the OCR input), a
//! large XLSX and ZIPs nested beyond the limit each get a decision within a bound, what cannot
//! be read fails closed, and the parent's own peak memory stays small. An HL7 v2 message is
//! rendered in the parent (no child): its bound is in `hostile.rs`.
//!
//! `harness = false`: libtest would print into the child's stdout, which is its answer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod common;
use common::*;
use sealgate_rules::{ChildProcess, Decision, Requirement, RuleSet};
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CHILD_ARG: &str = "--sealgate-extract-child";
/// The child's address-space limit, as the gateway sets it (`extract_memory_mib`).
const CHILD_MEMORY_MIB: u64 = 512;

fn fail_closed(d: &Decision) -> bool {
    matches!(d.recipients[0], Requirement::Encrypt { .. })
        && d.phi
        && d.rules.iter().any(|r| r == "fail-closed")
        && d.hits.iter().any(|h| h.detector == "unscannable")
}

/// A grayscale PNG declaring `side`×`side` pixels whose IDAT is deflated zeros: a few hundred
/// KiB that decode to `side²` bytes. Written by Python's zlib, streaming.
fn png_bomb(side: u32) -> Vec<u8> {
    let script = format!(
        "import sys, zlib, struct\n\
         side = {side}\n\
         c = zlib.compressobj(9)\n\
         row = b'\\0' * (side + 1)\n\
         data = b''.join(c.compress(row) for _ in range(side)) + c.flush()\n\
         def chunk(t, d):\n\
         \x20   return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)\n\
         ihdr = struct.pack('>IIBBBBB', side, side, 8, 0, 0, 0, 0)\n\
         sys.stdout.buffer.write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', data) + chunk(b'IEND', b''))\n"
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
        .expect("python3 (tests/support/install-tools.sh)");
    assert!(out.status.success(), "png bomb: {:?}", out.status);
    out.stdout
}

fn ole2_text_runs() -> Vec<u8> {
    let mut ole = vec![0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
    ole.extend(std::iter::repeat_n(*b"word ", 4 << 20).flatten());
    ole
}

fn large_xlsx() -> Vec<u8> {
    let mut sheet = String::from("<worksheet><sheetData>");
    for r in 1..=100_000 {
        sheet.push_str(&format!(
            "<row r=\"{r}\"><c r=\"A{r}\"><v>{r}</v></c><c r=\"B{r}\" t=\"inlineStr\"><is><t>cell text {r}</t></is></c><c r=\"C{r}\"><v>4{r}</v></c></row>"
        ));
    }
    sheet.push_str("</sheetData></worksheet>");
    zip_stored(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}

fn zip_in_zip() -> Vec<u8> {
    let mut z = zip_stored(&[("note.txt", b"hello")]);
    for i in 0..4 {
        z = zip_stored(&[(&format!("layer{i}.zip"), &z)]);
    }
    z
}

/// Peak resident memory of this process (Linux `VmHWM`), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Case {
    name: &'static str,
    raw: Vec<u8>,
    /// Must fail closed (unreadable); otherwise it only has to be decided in time.
    must_fail_closed: bool,
    bound: Duration,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "ole2 with 20 MiB of text runs",
            raw: with_attachment("x", "application/msword", "old.doc", &ole2_text_runs()),
            must_fail_closed: true,
            bound: Duration::from_secs(30),
        },
        Case {
            name: "png of 30000x30000 pixels (OCR input)",
            raw: with_attachment("x", "image/png", "scan.png", &png_bomb(30_000)),
            must_fail_closed: true,
            bound: Duration::from_secs(30),
        },
        Case {
            name: "xlsx of 100,000 rows",
            raw: with_attachment(
                "x",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "big.xlsx",
                &large_xlsx(),
            ),
            must_fail_closed: false,
            bound: Duration::from_secs(60),
        },
        Case {
            name: "zip in zip, five deep",
            raw: with_attachment("x", "application/zip", "nested.zip", &zip_in_zip()),
            must_fail_closed: true,
            bound: Duration::from_secs(30),
        },
    ]
}

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some(CHILD_ARG) {
        std::process::exit(sealgate_rules::extractor_main());
    }
    let exe = std::env::current_exe().expect("own path");
    let child = ChildProcess::new(exe, vec![CHILD_ARG.to_string()], CHILD_MEMORY_MIB);
    let set = RuleSet::embedded_default().with_extractor(Arc::new(child));
    let mut failed = 0;
    for case in cases() {
        let t = Instant::now();
        let d = classify(&set, &case.raw);
        let took = t.elapsed();
        let closed = fail_closed(&d);
        let ok = took < case.bound && (closed || !case.must_fail_closed);
        println!(
            "{} {}: {took:.1?} (bound {:?}), rules {:?}",
            if ok { "ok" } else { "FAILED" },
            case.name,
            case.bound,
            d.rules
        );
        failed += usize::from(!ok);
    }
    // The child holds the documents' decoded forms; the parent only the raw messages (tens of
    // MiB) and texts within `max_scan_bytes`.
    let peak = peak_rss_kib();
    println!("parent peak RSS: {peak:?} KiB");
    if peak.is_some_and(|k| k > 1 << 20) {
        println!("FAILED parent peak RSS over 1 GiB");
        failed += 1;
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
