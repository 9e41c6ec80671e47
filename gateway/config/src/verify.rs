//! `[tenants.NAME.verify]`: the credentials `sealgate connect verify NAME` uses to ask the
//! tenant's platform for its domains (issue 11, item 6). Secrets live in files, never inline.
//!
//! - m365: `client_id` (the app registration's application id) and `client_secret_file` (its
//!   client secret), OAuth2 client credentials against Microsoft identity platform; the app
//!   needs the Microsoft Graph application permission `Domain.Read.All`.
//! - google: `service_account_file` (the service account's JSON key) and `admin` (a Workspace
//!   administrator the account impersonates by domain-wide delegation, scope
//!   `https://www.googleapis.com/auth/admin.directory.domain.readonly`).
//! - both: `token_url` and `api_url` replace the documented endpoints, `ca_file` adds a trust
//!   root (a proxy in between, or a local stand-in in tests).

use crate::Platform;
use crate::reader::Section;
use std::path::PathBuf;

/// The platform credentials of `[tenants.NAME.verify]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyCredentials {
    /// Microsoft Entra app: client credentials.
    M365 {
        /// `client_id`.
        client_id: String,
        /// `client_secret_file`.
        client_secret_file: PathBuf,
    },
    /// Google service account with domain-wide delegation.
    Google {
        /// `service_account_file`: the JSON key Google Cloud console gives.
        service_account_file: PathBuf,
        /// `admin`: the administrator to impersonate (JWT `sub`).
        admin: String,
    },
}

/// `[tenants.NAME.verify]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyConfig {
    /// The credentials.
    pub credentials: VerifyCredentials,
    /// `token_url`: replaces the documented token endpoint.
    pub token_url: Option<String>,
    /// `api_url`: replaces the documented domain-list URL.
    pub api_url: Option<String>,
    /// `ca_file`: an extra trust root (PEM) for both endpoints.
    pub ca_file: Option<PathBuf>,
}

/// Reads `[tenants.NAME.verify]`, if present.
pub(crate) fn read_verify(t: &mut Section<'_>, platform: &Platform) -> Option<VerifyConfig> {
    if !t.has("verify") {
        return None;
    }
    let mut v = t.section("verify");
    let need = |v: &mut Section<'_>, key: &str, what: &str| {
        if !v.has(key) {
            v.issue(
                key,
                format!("needed for a {} tenant: {what}", platform.name()),
            );
        }
    };
    let credentials = match platform {
        Platform::M365 { .. } => {
            need(
                &mut v,
                "client_id",
                "the app registration's application (client) id",
            );
            need(
                &mut v,
                "client_secret_file",
                "a file holding the app's client secret",
            );
            VerifyCredentials::M365 {
                client_id: v.string("client_id").unwrap_or_default(),
                client_secret_file: v.path("client_secret_file").unwrap_or_default(),
            }
        }
        Platform::Google { .. } => {
            need(
                &mut v,
                "service_account_file",
                "the service account's JSON key file",
            );
            need(
                &mut v,
                "admin",
                "a Workspace administrator's address to impersonate",
            );
            VerifyCredentials::Google {
                service_account_file: v.path("service_account_file").unwrap_or_default(),
                admin: v.string("admin").unwrap_or_default(),
            }
        }
        Platform::Smtp => {
            v.issue(
                "client_id",
                "connect verify asks Microsoft 365 or Google Workspace: only m365 and google tenants have [verify]",
            );
            return None;
        }
    };
    let token_url = v.string("token_url");
    let api_url = v.string("api_url");
    for (key, url) in [("token_url", &token_url), ("api_url", &api_url)] {
        if url.as_ref().is_some_and(|u| !u.starts_with("https://")) {
            v.issue(key, "must be an https:// URL");
        }
    }
    let ca_file = v.path("ca_file");
    v.finish();
    Some(VerifyConfig {
        credentials,
        token_url,
        api_url,
        ca_file,
    })
}

#[cfg(test)]
mod tests {
    use crate::{Config, VerifyCredentials};

    fn issues(text: &str) -> Vec<String> {
        match Config::from_toml(text) {
            Ok(_) => Vec::new(),
            Err(e) => e.issues.into_iter().map(|i| i.key).collect(),
        }
    }

    const M365: &str = "[tenants.a]\nplatform = \"m365\"\ntenant_id = \"8c2f1a3e-0b6d-4f1e-9a2b-3c4d5e6f7a8b\"\n\
                        token_file = \"/t\"\nsender_domains = [\"a.org\"]\n";

    #[test]
    fn verify_keys_are_named_when_missing_or_wrong() {
        let got = issues(&format!(
            "{M365}[tenants.a.verify]\nclient_id = \"c\"\ntoken_url = \"http://x\"\n"
        ));
        assert!(
            got.contains(&"tenants.a.verify.client_secret_file".to_string()),
            "{got:?}"
        );
        assert!(
            got.contains(&"tenants.a.verify.token_url".to_string()),
            "{got:?}"
        );
        let smtp = "[tenants.s]\nnetworks = [\"10.0.0.0/8\"]\nsender_domains = [\"s.org\"]\n\
                    [tenants.s.verify]\nclient_id = \"c\"\n";
        assert!(
            issues(smtp)
                .iter()
                .any(|k| k.starts_with("tenants.s.verify"))
        );
        let ok = Config::from_toml(&format!(
            "{M365}[tenants.a.verify]\nclient_id = \"c\"\nclient_secret_file = \"/s\"\n"
        ))
        .unwrap();
        let v = ok.tenants[0].verify.as_ref().unwrap();
        assert!(
            matches!(&v.credentials, VerifyCredentials::M365 { client_id, .. } if client_id == "c")
        );
    }
}
