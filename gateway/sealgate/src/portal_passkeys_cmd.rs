//! `sealgate portal passkeys list|remove`: the secure portal's registered passkeys, through the
//! running gateway's admin API (`/api/v1/passkeys`). Shows tenant, owner pseudonym, credential
//! id, relying party and dates — never a key, and no address (one given on the command line is
//! only used to filter, as its pseudonym).

use crate::admin_client;
use crate::portal_cmd::date;
use crate::queue_cmd::Target;
use crate::settings::load_config;
use anyhow::{Context, bail};

fn api(target: &Target) -> anyhow::Result<(std::net::SocketAddr, String)> {
    let config = load_config(target.config.as_deref())?;
    if config.portal.is_none() {
        bail!("no [portal] in the configuration");
    }
    let addr = target.admin.unwrap_or(config.admin.listen);
    let token =
        crate::secrets::read_secret(&config.admin.token_file).context("admin.token_file")?;
    Ok((addr, String::from_utf8_lossy(&token).trim().to_string()))
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn answer(status: u16, body: &[u8]) -> anyhow::Result<serde_json::Value> {
    match status {
        200 => serde_json::from_slice(body).context("admin API answer"),
        404 => bail!("no such passkey"),
        s => bail!("admin API answered {s}: {}", String::from_utf8_lossy(body)),
    }
}

fn line(p: &serde_json::Value) -> String {
    let used = match &p["last_used"] {
        serde_json::Value::Null => "never used".to_string(),
        v => format!("last used {}", date(v)),
    };
    format!(
        "{}  {:<10}  {}  rp {}  created {}  {used}",
        p["id"].as_str().unwrap_or_default(),
        p["tenant"].as_str().unwrap_or_default(),
        p["owner"].as_str().unwrap_or_default(),
        p["rp_id"].as_str().unwrap_or_default(),
        date(&p["created"]),
    )
}

/// `portal passkeys list [--tenant NAME] [--address ADDR]`.
pub fn list(target: &Target, tenant: Option<&str>, address: Option<&str>) -> anyhow::Result<u8> {
    let (addr, token) = api(target)?;
    let mut query: Vec<String> = Vec::new();
    if let Some(t) = tenant {
        query.push(format!("tenant={}", encode(t)));
    }
    if let Some(a) = address {
        query.push(format!("address={}", encode(a)));
    }
    let path = format!("/api/v1/passkeys?{}", query.join("&"));
    let (status, body) = admin_client::get(addr, &token, &path)?;
    let v = answer(status, &body)?;
    if target.json {
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    for p in v.as_array().into_iter().flatten() {
        outln!("{}", line(p));
    }
    Ok(0)
}

/// `portal passkeys remove ID`.
pub fn remove(target: &Target, id: &str) -> anyhow::Result<u8> {
    let (addr, token) = api(target)?;
    let path = format!("/api/v1/passkeys/{}/remove", encode(id));
    let (status, body) = admin_client::post(addr, &token, &path)?;
    let v = answer(status, &body)?;
    if target.json {
        outln!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        outln!("removed: {}", line(&v));
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            super::encode("pat+x@home.example"),
            "pat%2Bx%40home.example"
        );
    }
}
