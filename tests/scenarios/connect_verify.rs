//! Acceptance (issue 11, item 6): `sealgate connect verify TENANT` against a local HTTPS
//! stand-in (`tests/support/oauth-standin.py`, test CA, 127.0.0.1 port 0) for the Microsoft
//! identity platform + Graph and Google OAuth + Admin SDK — the real services are unreachable
//! here. The stand-in checks every request (form fields, scope, grant type, the RS256 JWT's
//! signature against the service account's public key and its claims, the bearer token) and
//! answers with the documented shapes and error JSON.
//! - m365: a sender domain the tenant does not have and one it has unverified are reported
//!   (text and `--json`, exit 1); a wrong client secret is a clear error naming the key.
//! - google: the JWT-bearer grant succeeds and every sender domain is verified (exit 0); an
//!   administrator the account may not impersonate is a clear error naming `verify.admin`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sealgate_tests::tools::toml_path as q;

use sealgate_tests::certs::TestCa;
use sealgate_tests::tools::{describe, require_tool, sealgate};
use sealgate_tests::{Env, GatewayConfig};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const TENANT_ID: &str = "0a1b2c3d-1111-4111-8111-aaaaaaaaaaaa";

struct StandIn {
    child: Child,
    port: u16,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn stand_in(env: &Env, config: serde_json::Value) -> StandIn {
    let file = env.etc().join("standin.json");
    std::fs::write(&file, config.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/oauth-standin.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(&file)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the stand-in");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .strip_prefix("READY ")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("stand-in did not start: {line:?}"));
    StandIn { child, port }
}

fn secret(path: &Path, value: &str) -> PathBuf {
    std::fs::write(path, value).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path.to_path_buf()
}

fn verify(config: &Path, tenant: &str, json: bool) -> std::process::Output {
    let c = config.to_string_lossy().to_string();
    let mut args = vec!["connect", "verify", tenant, "--config", &c];
    if json {
        args.push("--json");
    }
    sealgate(&args)
}

fn config(env: &Env, name: &str, tenants: String) -> PathBuf {
    GatewayConfig {
        tenants,
        ..GatewayConfig::default()
    }
    .write(env, name)
}

#[test]
fn m365_missing_and_unverified_domains_and_a_wrong_secret() {
    require_tool("python3");
    let env = Env::new();
    let ca = TestCa::new(&env.etc(), "standin");
    let cert = ca.leaf(&env.etc(), "standin", &["127.0.0.1"], false);
    let s = stand_in(
        &env,
        serde_json::json!({"cert": cert.cert, "key": cert.key, "m365": {
            "tenant_id": TENANT_ID, "client_id": "11111111-2222-3333-4444-555555555555",
            "client_secret": "right~secret",
            "domains": [["acme-health.org", true], ["acme-lab.org", false], ["acme.onmicrosoft.com", true]]}}),
    );
    let tenant = |secret_file: &Path| {
        format!(
            r#"
[tenants.acme]
platform = "m365"
tenant_id = "{TENANT_ID}"
networks = ["127.0.0.0/8"]
sender_domains = ["acme-health.org", "acme-lab.org", "other.example"]
token_file = {token}

[tenants.acme.verify]
client_id = "11111111-2222-3333-4444-555555555555"
client_secret_file = {secret}
token_url = "https://127.0.0.1:{port}/{TENANT_ID}/oauth2/v2.0/token"
api_url = "https://127.0.0.1:{port}/v1.0/domains"
ca_file = {ca}
"#,
            token = q(&env.etc().join("acme.token")),
            secret = q(secret_file),
            port = s.port,
            ca = q(&ca.pem_file),
        )
    };
    let good = secret(&env.etc().join("good.secret"), "right~secret\n");
    let path = config(&env, "good.toml", tenant(&good));

    let out = verify(&path, "acme", false);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text.contains("ok          acme-health.org"), "{text}");
    assert!(text.contains("UNVERIFIED  acme-lab.org"), "{text}");
    assert!(text.contains("MISSING     other.example"), "{text}");
    let out = verify(&path, "acme", true);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["ok"], false);
    assert_eq!(j["verified"], serde_json::json!(["acme-health.org"]));
    assert_eq!(j["unverified"], serde_json::json!(["acme-lab.org"]));
    assert_eq!(j["missing"], serde_json::json!(["other.example"]));

    // Auth failure: the documented AADSTS7000215 answer, explained with the key to fix.
    let bad = secret(&env.etc().join("bad.secret"), "expired-secret");
    let path = config(&env, "bad.toml", tenant(&bad));
    let out = verify(&path, "acme", false);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        err.contains("HTTP 401 invalid_client: AADSTS7000215")
            && err.contains("verify.client_secret_file")
            && !err.contains("expired-secret"),
        "{}",
        describe(&out)
    );
}

#[test]
fn google_jwt_bearer_grant_and_a_wrong_admin() {
    require_tool("python3");
    require_tool("openssl");
    let env = Env::new();
    let ca = TestCa::new(&env.etc(), "standin");
    let cert = ca.leaf(&env.etc(), "standin", &["127.0.0.1"], false);
    let key = env.etc().join("sa.pem");
    let public = env.etc().join("sa.pub.pem");
    for args in [
        vec![
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ],
        vec!["pkey", "-pubout", "-in", key.to_str().unwrap(), "-out"],
    ] {
        let target = if args[0] == "genpkey" { &key } else { &public };
        let st = Command::new("openssl")
            .args(&args)
            .arg(target)
            .status()
            .unwrap();
        assert!(st.success());
    }
    let email = "sealgate-verify@clinic-project.iam.gserviceaccount.com";
    let s = stand_in(
        &env,
        serde_json::json!({"cert": cert.cert, "key": cert.key, "google": {
            "client_email": email, "public_key": public, "admin": "admin@clinic.example",
            "domains": [["clinic.example", true], ["clinic-lab.example", false]]}}),
    );
    // The JSON key file as Google's console gives it (fields the grant needs, and more).
    let sa = serde_json::json!({"type": "service_account", "project_id": "clinic-project",
        "private_key_id": "0123abcd", "private_key": std::fs::read_to_string(&key).unwrap(),
        "client_email": email, "client_id": "123456789012345678901",
        "token_uri": "https://oauth2.googleapis.com/token"});
    let sa_file = secret(&env.etc().join("sa.json"), &sa.to_string());
    let tenant = |admin: &str| {
        format!(
            r#"
[tenants.clinic]
platform = "google"
primary_domain = "clinic.example"
sender_domains = ["clinic.example"]
token_file = {token}

[tenants.clinic.verify]
service_account_file = {sa}
admin = "{admin}"
token_url = "https://127.0.0.1:{port}/token"
api_url = "https://127.0.0.1:{port}/admin/directory/v1/customer/my_customer/domains"
ca_file = {ca}
"#,
            token = q(&env.etc().join("clinic.token")),
            sa = q(&sa_file),
            port = s.port,
            ca = q(&ca.pem_file),
        )
    };
    let path = config(&env, "good.toml", tenant("admin@clinic.example"));
    let out = verify(&path, "clinic", false);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        text.contains("ok          clinic.example") && text.contains("every sender domain"),
        "{text}"
    );

    let path = config(&env, "bad.toml", tenant("nurse@clinic.example"));
    let out = verify(&path, "clinic", false);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        err.contains("HTTP 400 invalid_grant") && err.contains("verify.admin"),
        "{}",
        describe(&out)
    );
}
