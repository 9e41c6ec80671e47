//! The message that flows through the pipeline, its envelope and recipients.
//!
//! [`Message`] is the record every stage reads and extends; its body travels beside it as a
//! cheaply cloned [`Body`] and is stored (encrypted) in its own file by the commit stage, never
//! in the record itself.

use crate::address::Address;
use crate::decision::Decision;
use crate::id::MessageId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::ops::Deref;
use std::sync::Arc;

/// DSN `RET` parameter (RFC 3461 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DsnRet {
    /// Return the full message.
    Full,
    /// Return headers only.
    Hdrs,
}

/// DSN `NOTIFY` parameter (RFC 3461 §4.1): `NEVER`, or any of the three conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Notify {
    /// Notify on success.
    pub success: bool,
    /// Notify on failure.
    pub failure: bool,
    /// Notify on delay.
    pub delay: bool,
    /// `NOTIFY=NEVER` was given.
    pub never: bool,
}

/// Body type declared on MAIL FROM (RFC 6152, RFC 3030).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyType {
    /// `BODY=7BIT` or no parameter.
    #[default]
    SevenBit,
    /// `BODY=8BITMIME`.
    EightBitMime,
    /// `BODY=BINARYMIME`.
    BinaryMime,
}

/// One envelope recipient with its DSN parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// RCPT TO address.
    pub address: Address,
    /// `NOTIFY`, when given.
    pub notify: Option<Notify>,
    /// `ORCPT` as given (addr-type;xtext), when given.
    pub orcpt: Option<String>,
}

impl Recipient {
    /// A recipient without DSN parameters.
    pub fn new(address: Address) -> Self {
        Recipient {
            address,
            notify: None,
            orcpt: None,
        }
    }
}

/// The SMTP envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Reverse path; `None` is the null sender `<>`.
    pub mail_from: Option<Address>,
    /// Forward paths in the order given.
    pub recipients: Vec<Recipient>,
    /// DSN `RET`.
    pub ret: Option<DsnRet>,
    /// DSN `ENVID` (xtext as given).
    pub envid: Option<String>,
    /// Declared body type.
    pub body_type: BodyType,
    /// `SMTPUTF8` was given.
    pub smtputf8: bool,
    /// `REQUIRETLS` was given on MAIL FROM (RFC 8689): every hop must use TLS validated by
    /// MTA-STS or DANE and offer REQUIRETLS itself, or the recipient fails with `5.7.30`.
    #[serde(default)]
    pub require_tls: bool,
    /// The message carries `TLS-Required: No` (RFC 8689 §5): the sender asks that the
    /// recipient domains' discovered TLS policies (MTA-STS, DANE, pins) be ignored. Deliver
    /// honours it only when the rules did not mark the message PHI.
    #[serde(default)]
    pub tls_required_no: bool,
}

/// Facts about the client session that submitted the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInfo {
    /// Client address (behind a trusted PROXY header, the original client's).
    pub ip: IpAddr,
    /// EHLO/HELO name as given.
    pub helo: String,
    /// Negotiated TLS version, e.g. `TLSv1.3`, if STARTTLS was used.
    pub tls_version: Option<String>,
    /// Negotiated cipher suite, if STARTTLS was used.
    pub tls_cipher: Option<String>,
    /// Verified client-certificate name that matched the tenant, if any.
    pub client_cert_name: Option<String>,
}

/// Message body bytes (the whole RFC 5322 message, CRLF line ends), shared cheaply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body(Arc<Vec<u8>>);

impl Body {
    /// Wraps bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Body(Arc::new(bytes))
    }
}

impl Deref for Body {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Self {
        Body::new(v)
    }
}

/// One accepted message: everything the pipeline knows about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Gateway id.
    pub id: MessageId,
    /// Name of the authenticated tenant (a key of `[tenants]`).
    pub tenant: String,
    /// When DATA completed.
    pub received_at: Timestamp,
    /// Submitting client.
    pub client: ClientInfo,
    /// SMTP envelope.
    pub envelope: Envelope,
    /// Body size in octets as received.
    pub size: u64,
    /// The RFC 5322 `Message-ID` header value, for correlation (no PHI).
    pub header_message_id: Option<String>,
    /// The classification decision.
    pub decision: Decision,
    /// The body. Not part of the stored record: the commit stage keeps it in its own
    /// encrypted file, and loads it back on demand.
    #[serde(skip)]
    pub body: Body,
}
