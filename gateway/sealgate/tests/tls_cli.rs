//! `sealgate tls status` through the real binary on the store of a stopped gateway: the
//! `[tls.domains]` floor, the pin, the cached MTA-STS policy and the last session's TLS facts,
//! as text and JSON. (The running-gateway path, through `GET /api/v1/tls/{domain}`, is in
//! tests/scenarios/tls_status.rs with a real delivery.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_core::store::{
    Pin, PinStore, StsCache, StsCacheEntry, TlsFacts, TlsStateChanges, TlsStateStore,
};
use sealgate_core::{Clock, Domain, SystemClock};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

fn sealgate(dir: &Path, args: &[&str]) -> Output {
    let config = dir.join("c.toml");
    Command::new(env!("CARGO_BIN_EXE_sealgate"))
        .args(args)
        .args(["--config", config.to_str().unwrap()])
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn tls_status_reads_what_the_stopped_gateway_stored() {
    let dir = tempfile::Builder::new()
        .prefix("tlsst")
        .tempdir_in("/tmp")
        .unwrap();
    let d = dir.path();
    // No gateway listens on port 9 (discard): the command falls back to the store.
    std::fs::write(
        d.join("c.toml"),
        format!(
            "[storage]\ndir = \"{0}/data\"\nmaster_key_file = \"{0}/master.key\"\n\
             [admin]\nlisten = \"127.0.0.1:9\"\ntoken_file = \"{0}/admin.token\"\n\
             [tls.domains]\n\"clinic.example\" = {{ level = \"verify\", on_failure = \"exclusive\" }}\n",
            d.display()
        ),
    )
    .unwrap();
    {
        let keys = MasterKeys::load_or_generate(&d.join("master.key")).unwrap();
        let spool = Spool::open(
            &d.join("data"),
            keys,
            Arc::new(SystemClock),
            Arc::new(OsRandom),
        )
        .unwrap();
        let dom = Domain::parse("clinic.example").unwrap();
        let now = SystemClock.now();
        spool
            .pins()
            .put(
                &dom,
                &Pin {
                    level: "verify".into(),
                    last_seen: now,
                    expires: now.plus(Duration::from_secs(86_400)),
                },
            )
            .unwrap();
        spool
            .sts_cache()
            .put(
                &dom,
                &StsCacheEntry {
                    id: "2026120101".into(),
                    policy: "version: STSv1\r\nmode: enforce\r\nmx: *.clinic.example\r\nmax_age: 86400\r\n"
                        .into(),
                    fetched: now,
                    expires: now.plus(Duration::from_secs(86_400)),
                },
            )
            .unwrap();
        spool
            .tls_state()
            .apply(TlsStateChanges {
                facts: vec![(
                    dom,
                    TlsFacts {
                        at: now,
                        mx_host: "mx1.clinic.example".into(),
                        achieved: "verified".into(),
                        tls_version: Some("TLSv1.3".into()),
                        tls_cipher: Some("TLS13_AES_256_GCM_SHA384".into()),
                        webpki_ok: true,
                        dane_ok: false,
                        failure: None,
                    },
                )],
                ..TlsStateChanges::default()
            })
            .unwrap();
    }
    let text = ok(&sealgate(d, &["tls", "status", "Clinic.Example"]));
    for want in [
        "domain clinic.example",
        "admin floor: verify (on failure: exclusive)",
        "pin: verify (last seen ",
        "mta-sts: id 2026120101 mode enforce mx *.clinic.example max_age 86400",
        "last session: ",
        "to mx1.clinic.example",
        "tls version: TLSv1.3",
        "cipher: TLS13_AES_256_GCM_SHA384",
        "certificate: webpki ok, dane not verified",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    let json: serde_json::Value = serde_json::from_str(&ok(&sealgate(
        d,
        &["tls", "status", "clinic.example", "--json"],
    )))
    .unwrap();
    assert_eq!(json["last"]["tls_version"], "TLSv1.3");
    assert_eq!(json["pin"]["level"], "verify");
    assert_eq!(json["mta_sts"]["mode"], "enforce");
    assert_eq!(json["admin"]["on_failure"], "exclusive");

    // A domain nothing is known about.
    let text = ok(&sealgate(d, &["tls", "status", "other.example"]));
    assert!(
        text.contains("pin: none") && text.contains("last session: none recorded"),
        "{text}"
    );
    // Not a domain.
    assert!(
        !sealgate(d, &["tls", "status", "not a domain"])
            .status
            .success()
    );
}
