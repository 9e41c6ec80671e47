//! DKIM, the last change to each copy: whose keys sign it (the gateway's for mail it
//! originated, the tenant's otherwise) and the signing itself, with the record's `d=`/`s=`
//! lines. Sync: runs on the blocking pool with the transform.

use super::CopyKey;
use sealgate_core::{Body, Message};
use sealgate_sign::{KeyOwner, Outcome as Signing, SignError, Signer};
use std::collections::{BTreeMap, BTreeSet};

/// Whose keys sign `msg`: the gateway's for mail it originated (null reverse path and the
/// gateway's own Message-ID, which no tenant can predict), the tenant's otherwise.
pub fn owner(msg: &Message, gateway_message_id: &str) -> KeyOwner {
    let originated = msg.envelope.mail_from.is_none()
        && msg.header_message_id.as_deref() == Some(gateway_message_id);
    if originated {
        KeyOwner::Gateway
    } else {
        KeyOwner::Tenant(msg.tenant.clone())
    }
}

/// Signs each copy in `keys` (the last change to its body). Returns the bytes to send and the
/// record's DKIM lines per copy. Sync: call it on the blocking pool.
pub fn sign(
    signer: &Signer,
    owner: &KeyOwner,
    copies: &BTreeMap<CopyKey, Body>,
    keys: &BTreeSet<CopyKey>,
) -> Result<BTreeMap<CopyKey, (Body, Vec<String>)>, SignError> {
    let mut out = BTreeMap::new();
    for key in keys {
        let Some(body) = copies.get(key) else {
            continue;
        };
        let outcome = signer.sign(owner, body)?;
        let lines = match &outcome {
            Signing::Signed(s) => s
                .signatures
                .iter()
                .map(|i| format!("d={} s={} {}-{}", i.domain, i.selector, i.key_type, i.bits))
                .collect(),
            Signing::Unsigned(why) => vec![format!("unsigned: {why}")],
        };
        let signed = match outcome {
            Signing::Signed(_) => Body::new(outcome.apply(body)),
            Signing::Unsigned(_) => body.clone(),
        };
        out.insert(*key, (signed, lines));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealgate_core::time::Timestamp;
    use sealgate_core::{
        Address, BodyType, ClientInfo, Decision, Envelope, MessageId, Recipient, Requirement,
    };
    use std::net::{IpAddr, Ipv4Addr};

    fn message(mail_from: Option<&str>, message_id: &str) -> Message {
        Message {
            id: "01M8S76EGETCENP7K9RTPMSKVH".parse::<MessageId>().unwrap(),
            tenant: "acme".into(),
            received_at: Timestamp(1),
            client: ClientInfo {
                ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
                helo: "c".into(),
                tls_version: None,
                tls_cipher: None,
                client_cert_name: None,
            },
            envelope: Envelope {
                mail_from: mail_from.map(|a| Address::parse(a).unwrap()),
                recipients: vec![Recipient::new(Address::parse("b@dest.test").unwrap())],
                ret: None,
                envid: None,
                body_type: BodyType::SevenBit,
                smtputf8: false,
                require_tls: false,
                tls_required_no: false,
            },
            size: 0,
            header_message_id: Some(message_id.into()),
            decision: Decision::uniform(Requirement::Deliver, 1),
            body: Body::default(),
        }
    }

    #[test]
    fn only_mail_the_gateway_made_is_signed_with_its_key() {
        let ours = "<01M8S76EGETCENP7K9RTPMSKVH.gw@gw.example>";
        assert_eq!(owner(&message(None, ours), ours), KeyOwner::Gateway);
        // A tenant's null-sender mail (an NDR it relays) with a look-alike Message-ID.
        assert_eq!(
            owner(&message(None, "<other.gw@gw.example>"), ours),
            KeyOwner::Tenant("acme".into())
        );
        // The gateway's Message-ID under a real reverse path is not originated mail.
        assert_eq!(
            owner(&message(Some("a@acme.example"), ours), ours),
            KeyOwner::Tenant("acme".into())
        );
    }
}
