//! Golden outputs and the documented-parameter check.

use super::*;

fn m365_setup() -> Setup {
    Setup {
        tenant: "acme".into(),
        gateway_host: "gw.sealgate.example".into(),
        gateway_domain: "sealgate.example".into(),
        token: "acme-0123456789abcdef0123456789abcdef".into(),
        return_cert_name: Some("acme.return.sealgate.example".into()),
        return_host: Some("acme-org.mail.protection.outlook.com".into()),
        sender_domains: vec!["acme.org".into()],
        dkim: vec![DkimKey {
            domain: "acme.org".into(),
            selector: "s2026".into(),
            txt: Some("v=DKIM1; k=ed25519; p=AAAA".into()),
        }],
        platform: PlatformSetup::M365 {
            tenant_id: "8c2f1a3e-0b6d-4f1e-9a2b-3c4d5e6f7a8b".into(),
        },
    }
}

fn google_setup() -> Setup {
    Setup {
        tenant: "clinic".into(),
        return_cert_name: None,
        return_host: None,
        sender_domains: vec!["clinic.example".into()],
        dkim: Vec::new(),
        token: "clinic-0123456789abcdef0123456789abcdef".into(),
        platform: PlatformSetup::Google {
            primary_domain: "clinic.example".into(),
        },
        ..m365_setup()
    }
}

/// Compares with `tests/golden/NAME` (rewritten when `SEALGATE_UPDATE_GOLDEN` is set).
fn golden(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("SEALGATE_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "golden {name} differs (SEALGATE_UPDATE_GOLDEN=1 rewrites)"
    );
}

#[test]
fn m365_script_golden() {
    let s = m365_setup();
    golden("m365-acme.ps1", &m365::script(&s).unwrap());
    golden("m365-acme-dns.txt", &dns::text(&dns::records(&s)));
    let out = M365Output::new(&s, vec!["a warning".into()]).unwrap();
    golden("m365-acme-output.txt", &out.text());
    golden(
        "m365-acme.json",
        &format!("{:#}\n", serde_json::to_value(&out).unwrap()),
    );
    // The text form is still a script: the DNS records are comments.
    assert!(
        out.text()
            .lines()
            .skip_while(|l| !l.starts_with("# DNS records"))
            .all(|l| l.starts_with('#'))
    );
    assert!(m365::script(&google_setup()).is_err());
}

#[test]
fn every_cmdlet_and_parameter_is_documented() {
    for s in [
        m365_setup(),
        Setup {
            return_cert_name: None,
            ..m365_setup()
        },
    ] {
        let script = m365::script(&s).unwrap();
        let uses = m365::cmdlet_uses(&script);
        let names: Vec<&str> = uses.iter().map(|(c, _)| c.as_str()).collect();
        for (cmdlet, params) in &uses {
            assert!(
                ps_params::lookup(cmdlet).is_some(),
                "{cmdlet} is not in the table"
            );
            for p in params {
                assert!(
                    ps_params::documented(cmdlet, p),
                    "{cmdlet} -{p} is not documented"
                );
            }
        }
        // The parser sees what the issue asks for.
        for c in [
            "Export-Clixml",
            "Get-OutboundConnector",
            "Set-TransportRule",
            "New-TransportRule",
        ] {
            assert!(names.contains(&c), "{c} missing from {names:?}");
        }
        let new_out = &uses
            .iter()
            .find(|(c, _)| c == "New-OutboundConnector")
            .unwrap()
            .1;
        for p in [
            "ConnectorType",
            "SmartHosts",
            "UseMXRecord",
            "TlsSettings",
            "TlsDomain",
            "IsTransportRuleScoped",
            "WhatIf",
        ] {
            assert!(
                new_out.iter().any(|x| x == p),
                "New-OutboundConnector lacks -{p}"
            );
        }
        // Every change is under -WhatIf in a dry run.
        for (c, p) in &uses {
            if c.starts_with("New-") || c.starts_with("Set-") {
                assert!(p.iter().any(|x| x == "WhatIf"), "{c} without -WhatIf");
            }
        }
        assert_eq!(
            names.contains(&"New-InboundConnector"),
            s.return_cert_name.is_some()
        );
    }
    // The check itself catches an undocumented parameter.
    let bad = m365::cmdlet_uses("New-TransportRule -Name x -SetHeaderNam y\n");
    assert!(!ps_params::documented(&bad[0].0, &bad[0].1[1]));
}

#[test]
fn quoting_keeps_values_literal() {
    assert_eq!(ps_quote("it's $x"), "'it''s $x'");
}

#[test]
fn google_steps_golden() {
    let s = google_setup();
    let steps = workspace::steps(&s).unwrap();
    golden("google-clinic.txt", &workspace::text(&steps));
    golden("google-clinic-dns.txt", &dns::text(&dns::records(&s)));
    let out = GoogleOutput::new(&s, Vec::new()).unwrap();
    golden("google-clinic-output.txt", &out.text());
    golden(
        "google-clinic.json",
        &format!("{:#}\n", serde_json::to_value(&out).unwrap()),
    );
    assert!(workspace::steps(&m365_setup()).is_err());
}

#[test]
fn check_names_each_fault() {
    use check::{FactRecord, diagnose};
    let fact = |at: u64, failed: Option<&str>| FactRecord {
        at,
        source: "40.92.0.1".parse().unwrap(),
        tls: true,
        cert_names: vec![],
        failed: failed.map(str::to_string),
    };
    let codes = [
        "SG-M365-TOKEN-MISSING",
        "SG-M365-TOKEN",
        "SG-M365-TENANT-ID",
        "SG-M365-CERT",
        "SG-NOT-TENANT",
        "SG-LOOP",
    ];
    let mut facts: Vec<FactRecord> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| fact(i as u64 * 1000, Some(c)))
        .collect();
    let r = diagnose("acme", "m365", &facts);
    assert!(!r.ok);
    assert_eq!(r.findings.len(), 6);
    assert_eq!(r.findings[0].code, "SG-LOOP");
    let text = check::text(&r);
    for needle in [
        "token header missing",
        "step 3 of the script",
        "wrong token",
        "wrong tenant id",
        "certificate missing",
        "source outside the ranges",
        "loop stamp seen",
    ] {
        assert!(text.contains(needle), "{needle} not in:\n{text}");
    }
    facts.push(fact(86_400_000 * 365, None));
    let r = diagnose("acme", "m365", &facts);
    assert!(r.ok && r.accepted == 1);
    assert!(check::text(&r).contains("OK: the last message was accepted"));
    assert!(check::text(&diagnose("acme", "m365", &[])).contains("no message from this tenant"));
    assert_eq!(check::utc(1_764_763_200_000), "2025-12-03 12:00:00");
}
