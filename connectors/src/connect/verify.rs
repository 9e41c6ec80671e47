//! The comparison half of `connect verify` (issue 11, item 6): the tenant's domains as its
//! platform lists them against the tenant's `sender_domains`. Only the documented response
//! shapes are read — Microsoft Graph `GET /v1.0/domains` (`{"value": [{"id", "isVerified"}]}`,
//! learn.microsoft.com/graph/api/domain-list) and the Admin SDK `domains.list`
//! (`{"domains": [{"domainName", "verified"}]}`, developers.google.com/workspace/admin/directory/
//! reference/rest/v1/domains). Fetching them (OAuth2 client credentials, the RFC 7523 JWT-bearer
//! grant) is `oauth.rs` and the binary's `connect_verify.rs`.

use serde::{Deserialize, Serialize};

/// One domain as the platform lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformDomain {
    /// The domain name (lower case).
    pub name: String,
    /// The platform has verified the tenant owns it.
    pub verified: bool,
}

/// Why a response could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {0} domain list: {1}")]
pub struct ShapeError(&'static str, String);

#[derive(Deserialize)]
struct GraphList {
    value: Vec<GraphDomain>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphDomain {
    id: String,
    is_verified: bool,
}

#[derive(Deserialize)]
struct GoogleList {
    #[serde(default)]
    domains: Vec<GoogleDomain>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GoogleDomain {
    domain_name: String,
    #[serde(default)]
    verified: bool,
}

/// Reads a Microsoft Graph `GET /v1.0/domains` answer.
pub fn graph_domains(body: &[u8]) -> Result<Vec<PlatformDomain>, ShapeError> {
    let list: GraphList = parse(body, "Microsoft Graph")?;
    Ok(list
        .value
        .into_iter()
        .map(|d| PlatformDomain {
            name: d.id.to_ascii_lowercase(),
            verified: d.is_verified,
        })
        .collect())
}

/// Reads an Admin SDK `domains.list` answer.
pub fn google_domains(body: &[u8]) -> Result<Vec<PlatformDomain>, ShapeError> {
    let list: GoogleList = parse(body, "Admin SDK")?;
    Ok(list
        .domains
        .into_iter()
        .map(|d| PlatformDomain {
            name: d.domain_name.to_ascii_lowercase(),
            verified: d.verified,
        })
        .collect())
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8], what: &'static str) -> Result<T, ShapeError> {
    serde_json::from_slice(body).map_err(|e| ShapeError(what, e.to_string()))
}

/// What the comparison found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Sender domains the platform lists as verified.
    pub verified: Vec<String>,
    /// Sender domains the platform lists but has not verified.
    pub unverified: Vec<String>,
    /// Sender domains the platform does not list at all (not this tenant's).
    pub missing: Vec<String>,
}

impl Verdict {
    /// True when every sender domain is a verified domain of the tenant.
    pub fn ok(&self) -> bool {
        self.unverified.is_empty() && self.missing.is_empty()
    }
}

/// Compares `sender_domains` with the platform's list.
pub fn compare(sender_domains: &[String], platform: &[PlatformDomain]) -> Verdict {
    let mut v = Verdict::default();
    for d in sender_domains {
        let d = d.to_ascii_lowercase();
        match platform.iter().find(|p| p.name == d) {
            Some(p) if p.verified => v.verified.push(d),
            Some(_) => v.unverified.push(d),
            None => v.missing.push(d),
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_unverified_domains_are_reported() {
        let graph = br#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#domains",
            "value":[{"id":"Acme.org","isVerified":true,"isDefault":true},
                     {"id":"acme-lab.org","isVerified":false}]}"#;
        let list = graph_domains(graph).unwrap();
        let senders = ["acme.org", "acme-lab.org", "other.org"].map(String::from);
        let v = compare(&senders, &list);
        assert_eq!(v.verified, ["acme.org"]);
        assert_eq!(v.unverified, ["acme-lab.org"]);
        assert_eq!(v.missing, ["other.org"]);
        assert!(!v.ok());
        let google = br#"{"kind":"admin#directory#domainsList","domains":[
            {"domainName":"clinic.example","verified":true,"isPrimary":true}]}"#;
        let v = compare(&["clinic.example".into()], &google_domains(google).unwrap());
        assert!(v.ok());
        assert!(graph_domains(br#"{"error":{"code":"InvalidAuthenticationToken"}}"#).is_err());
    }
}
