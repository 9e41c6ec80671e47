//! `sealgate connect verify TENANT [--json]` (issue 11, item 6): asks the tenant's platform
//! for its domains and compares them with the tenant's `sender_domains` — a sender domain the
//! platform does not list (not this tenant's) or lists unverified is reported, exit 1.
//!
//! m365: OAuth2 client credentials (`[tenants.NAME.verify] client_id`, `client_secret_file`),
//! then Microsoft Graph `GET /v1.0/domains`. google: the RFC 7523 JWT-bearer grant signed
//! with the service account's key (`service_account_file`, impersonating `admin`), then the
//! Admin SDK `domains.list`. The requests and the reading of answers are
//! `sealgate_connectors::connect::oauth` / `verify`; this module does the HTTPS (reqwest over
//! rustls, TLS 1.2+, the Mozilla roots plus `ca_file`, no redirects, 30 s per request). The
//! endpoints are the administrator's configuration (or the documented ones), not names a
//! remote party chose, so the destination guard of WKD / MTA-STS does not apply. An auth
//! failure is an error naming what to fix (`oauth::explain_failure`); secrets never appear in
//! output.

use crate::settings::load_config;
use anyhow::{Context, bail};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use sealgate_config::{Platform, TenantConfig, VerifyConfig, VerifyCredentials};
use sealgate_connectors::connect::oauth::{self, Service, ServiceAccount};
use sealgate_connectors::connect::verify::{self, PlatformDomain, Verdict};
use sealgate_core::{Clock, SystemClock};
use std::time::Duration;

/// `connect verify NAME`: exit 0 when every sender domain is a verified domain of the tenant.
pub fn run(config: Option<&std::path::Path>, name: &str, json: bool) -> anyhow::Result<u8> {
    let config = load_config(config)?;
    let tenant = config
        .tenants
        .iter()
        .find(|t| t.name == name)
        .with_context(|| format!("no [tenants.{name}] in the configuration"))?;
    let Some(v) = &tenant.verify else {
        bail!(
            "tenants.{name}.verify: not configured — add [tenants.{name}.verify] with client_id and client_secret_file (m365) or service_account_file and admin (google); see the guide's \"Verify the tenant's domains\" step"
        );
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let domains = rt.block_on(fetch(tenant, v))?;
    let senders: Vec<String> = tenant
        .sender_domains
        .iter()
        .map(ToString::to_string)
        .collect();
    let verdict = verify::compare(&senders, &domains);
    print(name, tenant.platform.name(), &verdict, json)?;
    Ok(if verdict.ok() { 0 } else { 1 })
}

fn print(name: &str, platform: &str, v: &Verdict, json: bool) -> anyhow::Result<()> {
    if json {
        let out = serde_json::json!({"tenant": name, "platform": platform, "ok": v.ok(),
            "verified": v.verified, "unverified": v.unverified, "missing": v.missing});
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    for d in &v.verified {
        outln!("ok          {d}: a verified domain of the tenant");
    }
    for d in &v.unverified {
        outln!(
            "UNVERIFIED  {d}: the tenant lists it but has not verified it — finish the domain's verification on the platform before mail from it is routed here"
        );
    }
    for d in &v.missing {
        outln!(
            "MISSING     {d}: not a domain of this tenant on the platform — remove it from tenants.{name}.sender_domains or add and verify it in the tenant"
        );
    }
    if v.ok() {
        outln!("tenants.{name}: every sender domain is a verified domain of the tenant");
    }
    Ok(())
}

async fn fetch(t: &TenantConfig, v: &VerifyConfig) -> anyhow::Result<Vec<PlatformDomain>> {
    let client = client(v)?;
    match (&t.platform, &v.credentials) {
        (
            Platform::M365 { tenant_id },
            VerifyCredentials::M365 {
                client_id,
                client_secret_file,
            },
        ) => {
            let secret = crate::secrets::read_secret(client_secret_file)
                .with_context(|| format!("tenants.{}.verify.client_secret_file", t.name))?;
            let secret = String::from_utf8_lossy(&secret).trim().to_string();
            let url = v
                .token_url
                .clone()
                .unwrap_or_else(|| oauth::ms_token_url(tenant_id));
            let form = oauth::client_credentials_form(client_id, &secret);
            let token = token(&client, &url, form, Service::MicrosoftToken).await?;
            let api = v.api_url.as_deref().unwrap_or(oauth::GRAPH_DOMAINS_URL);
            let body = get(&client, api, &token, Service::Graph).await?;
            Ok(verify::graph_domains(&body)?)
        }
        (
            Platform::Google { .. },
            VerifyCredentials::Google {
                service_account_file,
                admin,
            },
        ) => {
            let key = crate::secrets::read_secret(service_account_file)
                .with_context(|| format!("tenants.{}.verify.service_account_file", t.name))?;
            let account = ServiceAccount::parse(&key)?;
            let url = v
                .token_url
                .clone()
                .or_else(|| account.token_uri.clone())
                .unwrap_or_else(|| oauth::GOOGLE_TOKEN_URL.to_string());
            let now = SystemClock.now().secs();
            let assertion = oauth::google_assertion(&account, admin, &url, now)?;
            let form = oauth::jwt_bearer_form(&assertion);
            let token = token(&client, &url, form, Service::GoogleToken).await?;
            let api = v.api_url.as_deref().unwrap_or(oauth::GOOGLE_DOMAINS_URL);
            let body = get(&client, api, &token, Service::AdminSdk).await?;
            Ok(verify::google_domains(&body)?)
        }
        _ => bail!(
            "tenants.{}.verify: credentials do not fit the platform",
            t.name
        ),
    }
}

async fn token(
    client: &reqwest::Client,
    url: &str,
    form: String,
    service: Service,
) -> anyhow::Result<String> {
    let resp = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .with_context(|| format!("cannot reach the token endpoint {url}"))?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.context("reading the token answer")?;
    if status != 200 {
        bail!("{}", oauth::explain_failure(service, status, &body));
    }
    Ok(oauth::access_token(&body)?)
}

async fn get(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    service: Service,
) -> anyhow::Result<Vec<u8>> {
    let resp = client
        .get(url)
        .bearer_auth(token)
        .header("accept", "application/json")
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.context("reading the domain list")?;
    if status != 200 {
        bail!("{}", oauth::explain_failure(service, status, &body));
    }
    Ok(body.to_vec())
}

/// HTTPS with the Mozilla roots (plus `ca_file`), TLS 1.2+, no redirects, 30 s per request.
fn client(v: &VerifyConfig) -> anyhow::Result<reqwest::Client> {
    let mut roots =
        rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(ca) = &v.ca_file {
        for cert in CertificateDer::pem_file_iter(ca)
            .with_context(|| format!("verify.ca_file {}", ca.display()))?
        {
            let cert = cert.with_context(|| format!("verify.ca_file {}", ca.display()))?;
            roots
                .add(cert)
                .with_context(|| format!("verify.ca_file {}", ca.display()))?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()?)
}
