//! The `_mta-sts.DOMAIN` TXT record (RFC 8461 §3.1): `v=STSv1; id=…;`.
//!
//! Guarantees: `v=STSv1` must come first; `id` is 1–32 letters and digits; other fields are
//! ignored; TXT records not starting with `v=STSv1` are ignored; more than one STS record
//! means no usable record (§3.1: "senders … MUST assume … no policy").

use crate::error::TlsPolicyError;

/// A parsed `_mta-sts` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsRecord {
    /// The policy id; a change means "fetch the policy again".
    pub id: String,
}

impl StsRecord {
    /// Parses one TXT string.
    pub fn parse(txt: &str) -> Result<StsRecord, TlsPolicyError> {
        let mut fields = txt.split(';').map(str::trim).filter(|f| !f.is_empty());
        if fields.next() != Some("v=STSv1") {
            return Err(TlsPolicyError::Invalid(
                "record must start with v=STSv1".into(),
            ));
        }
        let mut id = None;
        for f in fields {
            if let Some(v) = f.strip_prefix("id=") {
                id = Some(v.trim().to_string());
            }
        }
        let id = id.ok_or_else(|| TlsPolicyError::Invalid("record has no id".into()))?;
        if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TlsPolicyError::Invalid(
                "id must be 1-32 letters and digits".into(),
            ));
        }
        Ok(StsRecord { id })
    }

    /// The record among a name's TXT strings: `Ok(None)` when there is none, or more than one.
    pub fn find(txts: &[String]) -> Result<Option<StsRecord>, TlsPolicyError> {
        let sts: Vec<&String> = txts
            .iter()
            .filter(|t| t.trim_start().starts_with("v=STSv1"))
            .collect();
        match sts.as_slice() {
            [one] => StsRecord::parse(one).map(Some),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_parses_per_rfc8461() {
        assert_eq!(
            StsRecord::parse("v=STSv1; id=20160831085700Z;").unwrap().id,
            "20160831085700Z"
        );
        assert_eq!(StsRecord::parse("v=STSv1;id=abc").unwrap().id, "abc");
        assert!(StsRecord::parse("id=abc; v=STSv1").is_err());
        assert!(StsRecord::parse("v=STSv1; id=has-dash").is_err());
        assert!(StsRecord::parse("v=STSv1;").is_err());
        let two = vec!["v=STSv1; id=a".to_string(), "v=STSv1; id=b".to_string()];
        assert_eq!(StsRecord::find(&two).unwrap(), None);
        let other = vec!["spf1".to_string(), "v=STSv1; id=a".to_string()];
        assert_eq!(StsRecord::find(&other).unwrap().unwrap().id, "a");
    }
}
