//! TLS-RPT "send now" end to end (issue 5, part 5; RFC 8460): a real gateway in MX mode
//! delivers to `rpt.test`, whose MTA-STS `enforce` policy lists two MX hosts — `mx1`
//! (preference 10) presents a self-signed certificate, so WebPKI fails and the session counts
//! as a failure (`sts-webpki-invalid`, RFC 8460 §4.3.2.2: "the MTA-STS PKIX certificate could
//! not be validated"), `mx2` (preference 20) a certificate of the test CA, so the message is
//! delivered there. Then `sealgate tls report --json` (today, through the admin API) makes
//! the day's report and mails it to the `rua` of `_smtp._tls.rpt.test`, a statically routed
//! aiosmtpd receiver. The report mail is checked against §5.3 (headers, Subject, media types,
//! §5.1 file name), its DKIM signature with the gateway's key (dkimpy and `opendkim -t`), its
//! JSON with parsedmarc (counts, result type, receiving MX) and Python's `json` (the `mx-host`
//! list, which parsedmarc 11 does not read: it looks for a non-RFC `mx-host-pattern`), and its
//! queue record (`TLS-Required: No`, null sender, the gateway as tenant).
//!
//! One message per connection (`connection_reuse_limit = 1`): RFC 8460 counts sessions, not
//! messages, so N messages make N sessions at each MX only when no connection is reused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::crypto::{assert_verifies, dkim_key, public_keys};
use sealgate_tests::mail::{simple, unique_message_id};
use sealgate_tests::mtasts::{StsServer, policy};
use sealgate_tests::nsd::{Nsd, SignedZone};
use sealgate_tests::receiver::Receiver;
use sealgate_tests::smtp::queued_id;
use sealgate_tests::tlsrig::{
    Outcome, Peer, Peers, Rig, SENDER, notice_receiver, outcome, recipient, wait_settled,
};
use sealgate_tests::tools::{describe, sealgate};
use sealgate_tests::{Env, Gateway, Smtp};
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DOMAIN: &str = "rpt.test";
const MX1: &str = "mx1.rpt.test";
const MX2: &str = "mx2.rpt.test";
const RUA: &str = "tlsrpt@reports.test";
const GW_DOMAIN: &str = "gw.sealgate.test";
const N: u64 = 3;

/// parsedmarc on the whole mail, Python's `email` on its headers and parts, and the
/// attachment gunzipped: the raw JSON and parsedmarc's reading of it.
const READ: &str = r#"
import email, email.policy, gzip, json, sys
import parsedmarc
raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
att = [p for p in msg.walk() if p.get_filename()]
report = gzip.decompress(att[0].get_payload(decode=True))
print(json.dumps({
    "mail": parsedmarc.parse_report_email(raw, offline=True),
    "json": json.loads(report),
    "parsed_json": parsedmarc.parse_smtp_tls_report_json(report),
    "subject": str(msg["Subject"]),
    "from": str(msg["From"]),
    "domain": msg["TLS-Report-Domain"],
    "submitter": msg["TLS-Report-Submitter"],
    "tls_required": msg["TLS-Required"],
    "content_type": msg.get_content_type(),
    "report_type": msg.get_param("report-type"),
    "parts": [p.get_content_type() for p in msg.walk()],
    "filenames": [p.get_filename() for p in att],
    "att_type": att[0].get_content_type(),
}, default=str))
"#;

fn read_report(env: &Env, mail: &[u8]) -> Value {
    let path = env.root().join("report.eml");
    std::fs::write(&path, mail).unwrap();
    let out = Command::new("python3")
        .args(["-c", READ])
        .arg(&path)
        .output()
        .expect("python3 (tests/support/install-tools.sh installs parsedmarc)");
    assert!(
        out.status.success(),
        "parsedmarc / email failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn today() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400
}

/// `sealgate tls report ARGS --config … [--admin …]`.
fn tls_report(
    gw_config: &std::path::Path,
    admin: Option<&str>,
    args: &[&str],
) -> std::process::Output {
    let cfg = gw_config.to_string_lossy().to_string();
    let mut all = vec!["tls", "report", "--config", &cfg];
    if let Some(a) = admin {
        all.extend(["--admin", a]);
    }
    all.extend(args);
    sealgate(&all)
}

#[test]
fn tls_report_send_now_mails_an_rfc8460_report_that_parsedmarc_reads() {
    let env = Env::new();
    let peers = Peers::new(&env.etc(), |p| match p {
        Peer::SelfSigned => vec![MX1.to_string()],
        Peer::Valid => vec![MX2.to_string()],
        _ => Vec::new(),
    });
    let zone = SignedZone::new(DOMAIN)
        .mx(DOMAIN, 10, MX1)
        .mx(DOMAIN, 20, MX2)
        .a(MX1, Ipv4Addr::LOCALHOST)
        .a(MX2, Ipv4Addr::LOCALHOST)
        .txt(&format!("_mta-sts.{DOMAIN}"), "v=STSv1; id=rpt1")
        .txt(
            &format!("_smtp._tls.{DOMAIN}"),
            &format!("v=TLSRPTv1; rua=mailto:{RUA}"),
        );
    let nsd = Nsd::start(&[zone]);
    let sts_policy = policy("enforce", &[MX1, MX2], 86_400);
    let sts_cert = peers.ca.leaf(
        &env.etc(),
        "mta-sts",
        &[&format!("mta-sts.{DOMAIN}")],
        false,
    );
    let sts = StsServer::start(&sts_cert, &[(DOMAIN.to_string(), sts_policy.clone())]);
    let pf = peers.postfix(&[DOMAIN.to_string()]);
    let notices = notice_receiver(&env);
    let mut reports = Receiver::start(
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        0,
        &env.root().join("reports"),
        None,
    );
    let gw_key = dkim_key(&env.etc(), "gw", false);
    let pubkeys = env.etc().join("dkim-keys.txt");
    public_keys(&pubkeys, &[("gw2026", GW_DOMAIN, &gw_key)]);

    let rig = Rig {
        nsd: &nsd,
        mx_host_ports: vec![
            (MX1.to_string(), pf.listener(Peer::SelfSigned.name()).port()),
            (MX2.to_string(), pf.listener(Peer::Valid.name()).port()),
        ],
        domains: Vec::new(),
        sts: Some(sts.addr),
        ca: &peers.ca,
        notices: notices.addr,
    };
    let mut cfg = rig.config();
    cfg.delivery.push("connection_reuse_limit = 1".into());
    assert!(cfg.extra.contains("[delivery.routes]\n"), "{}", cfg.extra);
    cfg.extra = cfg.extra.replacen(
        "[delivery.routes]\n",
        &format!(
            "[delivery.routes]\n\"reports.test\" = \"{}\"\n",
            reports.addr
        ),
        1,
    );
    cfg.extra.push_str(&format!(
        "\n[gateway]\ndkim_selector = \"gw2026\"\ndkim_key = {}\n",
        serde_json::to_string(&gw_key.path.to_string_lossy()).unwrap()
    ));
    let gw = Gateway::start(&env, &cfg);
    let admin = gw.admin.to_string();

    // N messages to rpt.test, each delivered at mx2 after mx1 failed WebPKI.
    let mut ids = Vec::new();
    for i in 0..N {
        let rcpt = format!("rcpt{i}@{DOMAIN}");
        let msg = simple(
            SENDER,
            &rcpt,
            "tls report",
            &unique_message_id("tls-report"),
            "Report test.",
        );
        let reply = Smtp::ready(gw.smtp).send_mail(SENDER, &[&rcpt], &msg);
        reply.expect(250, "2.0.0", "end of data");
        ids.push((queued_id(&reply).expect("queue id"), rcpt));
    }
    for (id, rcpt) in &ids {
        let entry = wait_settled(&gw, &env, id, Duration::from_secs(60));
        let r = recipient(&entry, rcpt);
        assert_eq!(outcome(r), Outcome::Tls, "{entry}\n{}", gw.log_text());
        let last = sealgate_tests::tlsrig::attempts(r).last().cloned().unwrap();
        assert_eq!(last["next_hop"], MX2, "{entry}");
    }
    let delivered = pf.wait_delivered(N as usize, Duration::from_secs(30));
    assert_eq!(delivered.len(), N as usize);
    // Postfix's side: N handshakes our client broke off with `unknown_ca` (mx1's self-signed
    // certificate), then N sessions that carried one message each (mx2).
    let log = pf.maillog();
    let count = |needle: &str| log.lines().filter(|l| l.contains(needle)).count() as u64;
    assert_eq!(count("SSL alert number 48"), N, "{log}");
    assert_eq!(count("starttls=1 mail=1 rcpt=1 data=1"), N, "{log}");

    // A bad day is refused before anything is asked; a future one by the gateway.
    let out = tls_report(&gw.config, Some(&admin), &["--day", "2026-02-30"]);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no such date"),
        "{}",
        describe(&out)
    );
    let out = tls_report(&gw.config, Some(&admin), &["--day", "2999-01-01"]);
    assert!(!out.status.success(), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("400") && err.contains("future"),
        "{}",
        describe(&out)
    );

    // Send now (today, the counts so far).
    let day = today();
    let out = tls_report(&gw.config, Some(&admin), &["--json"]);
    assert!(
        out.status.success(),
        "{}\n{}",
        describe(&out),
        gw.log_text()
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["made"], 1, "{summary}");
    let outcomes = summary["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 1, "{summary}");
    assert_eq!(outcomes[0]["domain"], DOMAIN, "{summary}");
    assert_eq!(outcomes[0]["rua"], format!("mailto:{RUA}"), "{summary}");
    assert_eq!(outcomes[0]["day"], day, "{summary}");
    assert!(outcomes[0]["error"].is_null(), "{summary}");

    let got = reports.wait_messages(1, Duration::from_secs(60), "report mail");
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.rcpt_tos, [RUA]);
    assert_eq!(m.mail_from, "<>", "reports go from the null sender");
    let mail = m.bytes();

    // DKIM with the gateway's own key.
    assert_verifies(&pubkeys, &mail, 0, "gw2026", GW_DOMAIN);

    // RFC 8460 §5.3 headers and parts, §5.1 file name, §4.4 JSON.
    let v = read_report(&env, &mail);
    // Sent before the day ended, the report covers up to then: its id names that time
    // (`DATE`T`HHMMSS`Z), so the day's later report gets an id of its own (RFC 8460 §4.4).
    let report_id = v["json"]["report-id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (stamp, rest) = report_id.split_once('.').unwrap_or_default();
    assert_eq!(rest, format!("{DOMAIN}@{GW_DOMAIN}"), "{report_id}");
    let hhmmss = stamp
        .strip_prefix(&format!("{}T", day_string(day)))
        .and_then(|t| t.strip_suffix('Z'))
        .filter(|t| t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| panic!("report-id {report_id} does not name the cut-off time"));
    let secs: u64 = hhmmss[..2].parse::<u64>().unwrap() * 3600
        + hhmmss[2..4].parse::<u64>().unwrap() * 60
        + hhmmss[4..].parse::<u64>().unwrap();
    assert_eq!(
        v["json"]["date-range"]["end-datetime"],
        format!(
            "{}T{}:{}:{}Z",
            day_string(day),
            &hhmmss[..2],
            &hhmmss[2..4],
            &hhmmss[4..]
        ),
        "{v}"
    );
    assert_eq!(v["domain"], DOMAIN, "{v}");
    assert_eq!(v["submitter"], GW_DOMAIN, "{v}");
    assert_eq!(v["tls_required"], "No", "{v}");
    assert_eq!(
        v["subject"],
        format!("Report Domain: {DOMAIN} Submitter: {GW_DOMAIN} Report-ID: <{report_id}>"),
        "{v}"
    );
    assert_eq!(v["content_type"], "multipart/report", "{v}");
    assert_eq!(v["report_type"], "tlsrpt", "{v}");
    assert_eq!(v["att_type"], "application/tlsrpt+gzip", "{v}");
    assert!(
        v["parts"]
            .as_array()
            .unwrap()
            .contains(&"text/plain".into()),
        "§5.3: a human-readable part: {v}"
    );
    let begin = day * 86_400;
    assert_eq!(
        v["filenames"],
        serde_json::json!([format!(
            "{GW_DOMAIN}!{DOMAIN}!{begin}!{}!{}T{hhmmss}.json.gz",
            begin + secs,
            day_string(day).replace('-', "")
        )]),
        "{v}"
    );

    let policy_lines: Vec<String> = sts_policy.lines().map(str::to_string).collect();
    let raw = &v["json"];
    assert_eq!(raw["report-id"], report_id, "{raw}");
    let raw_policies = raw["policies"].as_array().unwrap();
    assert_eq!(raw_policies.len(), 1, "one policy applied: {raw}");
    let p = &raw_policies[0]["policy"];
    assert_eq!(p["policy-type"], "sts", "{raw}");
    assert_eq!(p["policy-domain"], DOMAIN, "{raw}");
    assert_eq!(p["policy-string"], serde_json::json!(policy_lines), "{raw}");
    assert_eq!(p["mx-host"], serde_json::json!([MX1, MX2]), "{raw}");

    for (what, r) in [
        ("mail", &v["mail"]["report"]),
        ("gunzipped JSON", &v["parsed_json"]),
    ] {
        assert_eq!(v["mail"]["report_type"], "smtp_tls", "{v}");
        assert_eq!(r["report_id"], report_id, "{what}: {r}");
        assert_eq!(
            r["begin_date"],
            format!("{}T00:00:00Z", day_string(day)),
            "{what}: {r}"
        );
        let pols = r["policies"].as_array().unwrap();
        assert_eq!(pols.len(), 1, "{what}: {r}");
        let pol = &pols[0];
        assert_eq!(pol["policy_type"], "sts", "{what}: {r}");
        assert_eq!(pol["policy_domain"], DOMAIN, "{what}: {r}");
        assert_eq!(
            pol["policy_strings"],
            serde_json::json!(policy_lines),
            "{what}: {r}"
        );
        assert_eq!(pol["successful_session_count"], N, "{what}: {r}");
        assert_eq!(pol["failed_session_count"], N, "{what}: {r}");
        let details = pol["failure_details"].as_array().unwrap();
        assert_eq!(details.len(), 1, "{what}: {r}");
        let d = &details[0];
        assert_eq!(d["result_type"], "sts-webpki-invalid", "{what}: {r}");
        assert_eq!(d["receiving_mx_hostname"], MX1, "{what}: {r}");
        assert_eq!(d["receiving_ip"], "127.0.0.1", "{what}: {r}");
        assert_eq!(d["failed_session_count"], N, "{what}: {r}");
    }

    // The report's queue record: gateway mail, null sender, TLS-Required: No, delivered.
    let entries = gw.queue_list();
    let rec = entries
        .iter()
        .find(|e| {
            e["recipients"]
                .as_array()
                .is_some_and(|rs| rs.iter().any(|r| r["address"] == RUA))
        })
        .unwrap_or_else(|| panic!("no queue record for {RUA}: {entries:?}"));
    let env_json = &rec["message"]["envelope"];
    assert_eq!(env_json["tls_required_no"], true, "{rec}");
    assert!(env_json["mail_from"].is_null(), "{rec}");
    assert_eq!(rec["message"]["tenant"], "gateway", "{rec}");
    assert_eq!(recipient(rec, RUA)["status"], "delivered", "{rec}");

    // Sent: a second send now has nothing to report — not rpt.test again, and not the report
    // mail's own session to reports.test (RFC 8460 §5.3: a report's delivery is not counted).
    let out = tls_report(&gw.config, Some(&admin), &["--json"]);
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(again["outcomes"].as_array().unwrap().is_empty(), "{again}");
    assert_eq!(again["made"], 0, "{again}");
    println!("second send now: {again}");
    let text = tls_report(&gw.config, Some(&admin), &[]);
    println!("as text:\n{}", describe(&text));

    // Stopped: the command needs the running gateway.
    let config = gw.config.clone();
    assert!(gw.terminate().success());
    let out = tls_report(&config, None, &[]);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("running gateway"),
        "{}",
        describe(&out)
    );
}

fn day_string(day: u64) -> String {
    // Howard Hinnant's `civil_from_days`, independent of the gateway's own.
    let z = day as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
