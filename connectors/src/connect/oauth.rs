//! The request half of `connect verify` (issue 11, item 6), pure: the documented endpoints,
//! the form bodies, the Google service account's RS256 assertion (RFC 7523 §2.1), reading the
//! token and error answers, and what to fix for each documented auth failure. The binary does
//! the HTTP (`gateway/sealgate/src/connect_verify.rs`).
//!
//! - Microsoft identity platform, client credentials:
//!   `POST https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token` with `client_id`,
//!   `client_secret`, `scope=https://graph.microsoft.com/.default`,
//!   `grant_type=client_credentials`; then Graph `GET /v1.0/domains` with the bearer token
//!   (learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow).
//! - Google, service account with domain-wide delegation: a JWT signed RS256 with the
//!   account's key — `iss` the account's `client_email`, `sub` the administrator,
//!   `scope` `admin.directory.domain.readonly`, `aud` the token URI, `iat`, `exp` (at most an
//!   hour) — posted as `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=…`
//!   (developers.google.com/identity/protocols/oauth2/service-account#httprest); then
//!   `GET …/admin/directory/v1/customer/my_customer/domains`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

/// Graph's scope for an app's own (application) permissions.
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
/// Graph's domain list.
pub const GRAPH_DOMAINS_URL: &str = "https://graph.microsoft.com/v1.0/domains";
/// Google's token endpoint (also the assertion's `aud`).
pub const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";
/// The read-only Directory API scope for domains.
pub const GOOGLE_SCOPE: &str = "https://www.googleapis.com/auth/admin.directory.domain.readonly";
/// The Admin SDK's domain list of the administrator's own customer.
pub const GOOGLE_DOMAINS_URL: &str =
    "https://admin.googleapis.com/admin/directory/v1/customer/my_customer/domains";
/// RFC 7523's grant type.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// The assertion's lifetime (Google accepts at most an hour).
pub const ASSERTION_LIFETIME_SECS: u64 = 3600;

/// A failure before or after the HTTP exchange.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// The service account key file is not what Google's console gives.
    #[error("service_account_file: {0}")]
    ServiceAccount(String),
    /// The token endpoint answered 200 without an access token.
    #[error("the token endpoint's answer has no access_token")]
    NoToken,
}

/// Microsoft's token endpoint for the directory `tenant_id`.
pub fn ms_token_url(tenant_id: &str) -> String {
    format!("https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token")
}

/// The client-credentials form body.
pub fn client_credentials_form(client_id: &str, client_secret: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("client_secret", client_secret)
        .append_pair("scope", GRAPH_SCOPE)
        .append_pair("grant_type", "client_credentials")
        .finish()
}

/// The JWT-bearer form body.
pub fn jwt_bearer_form(assertion: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", JWT_BEARER)
        .append_pair("assertion", assertion)
        .finish()
}

/// The fields of a Google service account key file that the grant needs.
#[derive(Debug, Clone, Deserialize)]
pub struct ServiceAccount {
    /// `client_email`: the assertion's `iss`.
    pub client_email: String,
    /// `private_key`: PKCS#8 PEM.
    pub private_key: String,
    /// `token_uri` (Google's token endpoint).
    #[serde(default)]
    pub token_uri: Option<String>,
}

impl ServiceAccount {
    /// Reads the JSON key file's content.
    pub fn parse(json: &[u8]) -> Result<ServiceAccount, OAuthError> {
        serde_json::from_slice(json).map_err(|e| {
            OAuthError::ServiceAccount(format!(
                "not a service account JSON key ({e}); download one under IAM → Service accounts → Keys"
            ))
        })
    }
}

/// The signed assertion for `account` impersonating `admin`, for the token endpoint `aud`,
/// issued at `now` (seconds since the epoch).
pub fn google_assertion(
    account: &ServiceAccount,
    admin: &str,
    aud: &str,
    now: u64,
) -> Result<String, OAuthError> {
    use rustls_pki_types::PrivatePkcs8KeyDer;
    use rustls_pki_types::pem::PemObject;
    let bad = |e: String| OAuthError::ServiceAccount(e);
    let der = PrivatePkcs8KeyDer::from_pem_slice(account.private_key.as_bytes())
        .map_err(|e| bad(format!("private_key is not a PKCS#8 PEM key: {e}")))?;
    let key = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(der.secret_pkcs8_der())
        .map_err(|e| bad(format!("private_key is not an RSA key: {e}")))?;
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
    let claims = serde_json::json!({
        "iss": account.client_email,
        "sub": admin,
        "scope": GOOGLE_SCOPE,
        "aud": aud,
        "iat": now,
        "exp": now + ASSERTION_LIFETIME_SECS,
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    // RSASSA-PKCS1-v1_5 is deterministic: the generator is part of the API, not of the result.
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &rng,
        input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| bad("signing with private_key failed".into()))?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
}

/// The access token of a 200 answer from either token endpoint.
pub fn access_token(body: &[u8]) -> Result<String, OAuthError> {
    serde_json::from_slice::<TokenAnswer>(body)
        .ok()
        .and_then(|t| t.access_token)
        .filter(|t| !t.is_empty())
        .ok_or(OAuthError::NoToken)
}

/// Which service answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Microsoft identity platform (token).
    MicrosoftToken,
    /// Microsoft Graph.
    Graph,
    /// Google's token endpoint.
    GoogleToken,
    /// The Admin SDK.
    AdminSdk,
}

#[derive(Deserialize, Default)]
struct OAuthErrorBody {
    #[serde(default)]
    error: serde_json::Value,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u64>,
}

/// A refused request in words: the service, the status, the documented error code and its
/// description, then what to fix (naming the config key or the admin-console step).
pub fn explain_failure(service: Service, status: u16, body: &[u8]) -> String {
    let e: OAuthErrorBody = serde_json::from_slice(body).unwrap_or_default();
    // OAuth token endpoints: `{"error": "invalid_client", "error_description": …}`; Graph and
    // Google APIs: `{"error": {"code": …, "message": …}}`.
    let (code, text) = match &e.error {
        serde_json::Value::String(s) => (s.clone(), e.error_description.clone()),
        serde_json::Value::Object(o) => (
            o.get("code")
                .or_else(|| o.get("status"))
                .map(|c| c.as_str().map_or(c.to_string(), str::to_string))
                .unwrap_or_default(),
            o.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string),
        ),
        _ => (String::new(), None),
    };
    let first_line = text
        .as_deref()
        .and_then(|t| t.lines().next())
        .unwrap_or("(no description)");
    format!(
        "{} answered HTTP {status} {code}: {first_line}\n  fix: {}",
        service_name(service),
        fix(service, status, &code, &e.error_codes)
    )
}

fn service_name(s: Service) -> &'static str {
    match s {
        Service::MicrosoftToken => "Microsoft identity platform (token)",
        Service::Graph => "Microsoft Graph (GET /v1.0/domains)",
        Service::GoogleToken => "Google OAuth (token)",
        Service::AdminSdk => "Google Admin SDK (domains.list)",
    }
}

fn fix(service: Service, status: u16, code: &str, ms_codes: &[u64]) -> &'static str {
    match (service, code) {
        (Service::MicrosoftToken, "invalid_client") if ms_codes.contains(&700016) => {
            "verify.client_id is not an application in this directory: copy the Application (client) id of the app registration in this tenant (Entra admin center → App registrations)"
        }
        (Service::MicrosoftToken, "invalid_client") => {
            "verify.client_secret_file holds a wrong or expired client secret: create a new secret (App registrations → the app → Certificates & secrets) and write its Value to the file"
        }
        (Service::MicrosoftToken, "invalid_request") if ms_codes.contains(&90002) => {
            "tenant_id names no directory: copy the Tenant ID from Entra admin center → Overview"
        }
        (Service::MicrosoftToken, _) => {
            "check tenant_id, verify.client_id and verify.client_secret_file against the app registration"
        }
        (Service::Graph, _) if status == 401 || status == 403 => {
            "the app lacks the Microsoft Graph application permission Domain.Read.All with admin consent (App registrations → API permissions → Grant admin consent)"
        }
        (Service::GoogleToken, "unauthorized_client") => {
            "domain-wide delegation is missing: in the Admin console → Security → Access and data control → API controls → Manage domain-wide delegation, add the service account's client id with scope https://www.googleapis.com/auth/admin.directory.domain.readonly"
        }
        (Service::GoogleToken, "invalid_grant") => {
            "verify.admin must be an existing administrator of the Workspace (and this machine's clock right); or the key in verify.service_account_file was deleted"
        }
        (Service::GoogleToken, _) => {
            "check verify.service_account_file (a current JSON key of the service account)"
        }
        (Service::AdminSdk, _) if status == 401 || status == 403 => {
            "verify.admin must be a Workspace administrator allowed to read domains, and the Admin SDK API must be enabled in the service account's Cloud project"
        }
        _ => "see the service's answer above",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_documented_errors() {
        let f = client_credentials_form("cid", "s&=cret");
        assert!(f.contains("client_secret=s%26%3Dcret"), "{f}");
        assert!(
            f.contains("scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"),
            "{f}"
        );
        assert!(f.ends_with("grant_type=client_credentials"));
        let g = jwt_bearer_form("a.b.c");
        assert_eq!(
            g,
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c"
        );
        let ms = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x","error_codes":[7000215]}"#;
        let text = explain_failure(Service::MicrosoftToken, 401, ms);
        assert!(
            text.contains("HTTP 401 invalid_client: AADSTS7000215"),
            "{text}"
        );
        assert!(text.contains("verify.client_secret_file") && !text.contains("Trace ID"));
        let gg = br#"{"error":"unauthorized_client","error_description":"Client is unauthorized to retrieve access tokens using this method."}"#;
        assert!(explain_failure(Service::GoogleToken, 401, gg).contains("domain-wide delegation"));
        let graph = br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#;
        let text = explain_failure(Service::Graph, 403, graph);
        assert!(text.contains("Authorization_RequestDenied") && text.contains("Domain.Read.All"));
        assert_eq!(
            access_token(br#"{"access_token":"t","expires_in":3599}"#).unwrap(),
            "t"
        );
        assert_eq!(access_token(b"{}"), Err(OAuthError::NoToken));
    }
}
