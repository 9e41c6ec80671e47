//! Passkeys (issue 13 item 1) through the real `sealgate serve`: the admin passkey routes are
//! merged beside the portal's, `sealgate portal passkeys list|remove` reaches them (filters by
//! tenant and by address, an unknown credential refused by name), the link page of a tenant
//! whose recipient has no passkey shows only the code step, and every tenant's
//! `passkey-registered` / `passkey-used` / `passkey-removed` series start at zero in
//! `sealgate_portal_events_total`. Registering and using passkeys is shown in Chromium by
//! `gateway/portal/tests/passkey.rs` and over HTTP by `gateway/admin/tests/passkeys.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::portal::{portal_cli, portal_count};
use sealgate_tests::receiver::free_port;
use sealgate_tests::tools::{describe, http_get, sealgate};
use sealgate_tests::{Env, Gateway, GatewayConfig};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(60);

#[test]
fn passkey_admin_cli_and_counters_through_serve() {
    let env = Env::new();
    let port = free_port(LOOPBACK);
    let cfg = GatewayConfig {
        extra: format!(
            "[portal]\nlisten = \"127.0.0.1:{port}\"\n\n[portal.tenants.acme]\n\
base_url = \"http://localhost:{port}\"\norganisation = \"Acme Health\"\nhelp = \"Call 555-0100.\"\n"
        ),
        ..GatewayConfig::default()
    };
    let gw = Gateway::start(&env, &cfg);

    assert_eq!(
        portal_cli(&gw, &["passkeys", "list"]),
        serde_json::json!([])
    );
    let filtered = portal_cli(
        &gw,
        &[
            "passkeys",
            "list",
            "--tenant",
            "acme",
            "--address",
            "pat+1@home.example",
        ],
    );
    assert_eq!(filtered, serde_json::json!([]));

    let (config, admin) = (
        gw.config.to_string_lossy().to_string(),
        gw.admin.to_string(),
    );
    let out = sealgate(&[
        "portal", "passkeys", "remove", "AAAA", "--config", &config, "--admin", &admin,
    ]);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no such passkey"),
        "{}",
        describe(&out)
    );
    let out = sealgate(&[
        "portal",
        "passkeys",
        "list",
        "--address",
        "not an address",
        "--config",
        &config,
        "--admin",
        &admin,
    ]);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("address: not an email address"),
        "{}",
        describe(&out)
    );

    let (status, metrics) = http_get(gw.admin, "/metrics", None, WAIT).unwrap();
    assert_eq!(status, 200);
    let metrics = String::from_utf8_lossy(&metrics);
    for event in ["passkey-registered", "passkey-used", "passkey-removed"] {
        assert_eq!(portal_count(&metrics, "acme", event), 0, "{event}");
    }
}
