//! The outbound SMTP client: one connection to one endpoint, reusable for several transactions.
//!
//! Guarantees: STARTTLS is used whenever offered and a TLS configuration is given (its verifier
//! enforces the host's level, built by the TLS policy); the client never decides whether
//! plaintext is acceptable — it reports what it reached ([`Connection::tls`]) and the deliver
//! stage judges that against the floor before any MAIL command; a failed handshake is an error,
//! never a silent fall back; bytes buffered before the TLS handshake are refused (STARTTLS
//! injection); REQUIRETLS is passed on when the transaction asks; PIPELINING is used
//! when offered; SIZE is checked against the final body before MAIL; a body with 8-bit octets
//! is not sent to a next hop without 8BITMIME, nor an SMTPUTF8 envelope to one without
//! SMTPUTF8 (the recipient fails clearly: there is no conversion, which would need re-signing);
//! each recipient gets its own outcome (one refused RCPT does not fail the others); every
//! wait has the RFC 5321 §4.5.3.2 timeout.

mod io;
pub mod reply;
pub mod tls;

use crate::error::DeliverError;
use crate::route::Target;
use io::Io;
use reply::{RawReply, read_reply};
use rustls::pki_types::{CertificateDer, ServerName};
use sealgate_core::event::AttemptFacts;
use sealgate_core::{Address, BodyType, DsnRet, Notify, Reply};
use sealgate_tlspolicy::MxPlan;
use sealgate_tlspolicy::tlsrpt::{FailureKind, PolicyKind};
use sealgate_tlspolicy::{OnFailure, RuleFloor, TlsLevel};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpSocket;
use tokio::time::timeout;

/// How much TLS the rule decision asks for a recipient's copy (the rule's part of the floor;
/// the TLS policy adds the admin table, MTA-STS, DANE and pins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TlsPolicy {
    /// STARTTLS when offered, any certificate; plaintext otherwise (RFC 7435).
    Opportunistic,
    /// TLS with any certificate, or no delivery.
    Required,
    /// TLS with a certificate valid for the host name, or no delivery.
    Verified,
}

impl TlsPolicy {
    /// Name for logs and attempt records.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsPolicy::Opportunistic => "opportunistic",
            TlsPolicy::Required => "required",
            TlsPolicy::Verified => "verified",
        }
    }

    /// The rule's floor part: `may` / forced (a `deliver` copy, or one already encrypted),
    /// `encrypt` / exclusive (`tls-only`: TLS or drop), `verify` / forced (`tls-verified`: the
    /// chain's next method when unmet).
    pub fn rule_floor(self, requirement: &'static str) -> RuleFloor {
        let (level, on_failure) = match self {
            TlsPolicy::Opportunistic => (TlsLevel::May, OnFailure::Forced),
            TlsPolicy::Required => (TlsLevel::Encrypt, OnFailure::Exclusive),
            TlsPolicy::Verified => (TlsLevel::Verify, OnFailure::Forced),
        };
        RuleFloor {
            level,
            on_failure,
            requirement,
        }
    }
}

/// What TLS a pooled connection was opened for: the host's level and whether its verifier was
/// DANE's (connections are reused only under the same verifier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TlsKey {
    /// The host's effective level.
    pub level: TlsLevel,
    /// The DANE verifier was used.
    pub dane: bool,
}

/// What a connection's TLS negotiation reached.
#[derive(Debug, Clone, Default)]
pub struct TlsSeen {
    /// The chain the server presented in a handshake that passed the verifier; `None` when
    /// the session is in plaintext.
    pub chain: Option<Vec<CertificateDer<'static>>>,
    /// The server offered STARTTLS.
    pub offered: bool,
    /// The chain also passed WebPKI for the host name (recorded whatever the level).
    pub webpki_ok: bool,
}

/// How the client presents itself and what TLS it insists on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionParams {
    /// EHLO name.
    pub helo: String,
    /// Local address to bind.
    pub source: Option<IpAddr>,
    /// TLS the connection was opened for.
    pub tls: TlsKey,
    /// The tenant whose client certificate the connection presents (return routes).
    pub client_cert: Option<String>,
}

/// Client timeouts (RFC 5321 §4.5.3.2 defaults, except connect).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// TCP connect.
    pub connect: Duration,
    /// Greeting, EHLO, STARTTLS, MAIL, RCPT, RSET (5 minutes).
    pub command: Duration,
    /// Reply to DATA (2 minutes).
    pub data_init: Duration,
    /// Writing the body (3 minutes per block; applied to the whole write).
    pub data_block: Duration,
    /// Reply to the final dot (10 minutes).
    pub data_done: Duration,
}

impl Timeouts {
    /// RFC 5321 values with the given connect timeout.
    pub fn rfc5321(connect: Duration) -> Self {
        Timeouts {
            connect,
            command: Duration::from_secs(300),
            data_init: Duration::from_secs(120),
            data_block: Duration::from_secs(180),
            data_done: Duration::from_secs(600),
        }
    }
}

/// Extensions the next hop announced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// PIPELINING.
    pub pipelining: bool,
    /// STARTTLS.
    pub starttls: bool,
    /// 8BITMIME.
    pub eight_bit: bool,
    /// SMTPUTF8.
    pub smtputf8: bool,
    /// DSN.
    pub dsn: bool,
    /// SIZE, with its limit (0 = no fixed limit).
    pub size: Option<u64>,
    /// REQUIRETLS (RFC 8689).
    pub requiretls: bool,
}

impl Capabilities {
    fn parse(lines: &[String]) -> Capabilities {
        let mut c = Capabilities::default();
        for line in lines.iter().skip(1) {
            let mut words = line.split_ascii_whitespace();
            let kw = words.next().unwrap_or("").to_ascii_uppercase();
            match kw.as_str() {
                "PIPELINING" => c.pipelining = true,
                "STARTTLS" => c.starttls = true,
                "8BITMIME" => c.eight_bit = true,
                "SMTPUTF8" => c.smtputf8 = true,
                "DSN" => c.dsn = true,
                "REQUIRETLS" => c.requiretls = true,
                "SIZE" => c.size = Some(words.next().and_then(|n| n.parse().ok()).unwrap_or(0)),
                _ => {}
            }
        }
        c
    }
}

/// One recipient of a transaction.
#[derive(Debug, Clone)]
pub struct RcptTo<'a> {
    /// Address.
    pub address: &'a Address,
    /// DSN NOTIFY to pass on.
    pub notify: Option<Notify>,
    /// DSN ORCPT to pass on: the original recipient as the accept stage keeps it (the
    /// xtext-decoded rfc822 address, or `type;value` if it already names its type).
    pub orcpt: Option<&'a str>,
}

/// One mail transaction.
#[derive(Debug, Clone)]
pub struct Transaction<'a> {
    /// Reverse path (`None` is `<>`).
    pub mail_from: Option<&'a Address>,
    /// DSN RET to pass on.
    pub ret: Option<DsnRet>,
    /// DSN ENVID to pass on (xtext-decoded; encoded again on the wire).
    pub envid: Option<&'a str>,
    /// Declared body type.
    pub body_type: BodyType,
    /// SMTPUTF8 requested.
    pub smtputf8: bool,
    /// REQUIRETLS to pass on (the deliver stage checked the next hop qualifies).
    pub requiretls: bool,
    /// Recipients.
    pub rcpts: Vec<RcptTo<'a>>,
    /// The final body (CRLF line ends).
    pub body: &'a [u8],
}

/// One connection to a next hop.
pub struct Connection {
    io: BufReader<Io>,
    caps: Capabilities,
    /// Facts for attempt records (reply left empty).
    pub facts: AttemptFacts,
    /// Transactions completed on it.
    pub sent: usize,
    /// When it was last used.
    pub idle_since: Instant,
    /// Set after an I/O error or a protocol violation: do not reuse.
    pub broken: bool,
    /// The current transaction's body was (being) sent: a failure now may have delivered.
    pub in_data: bool,
    /// What TLS reached.
    pub tls: TlsSeen,
    timeouts: Timeouts,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("facts", &self.facts)
            .finish_non_exhaustive()
    }
}

async fn timed<T>(
    limit: Duration,
    what: &'static str,
    fut: impl Future<Output = Result<T, DeliverError>>,
) -> Result<T, DeliverError> {
    timeout(limit, fut)
        .await
        .map_err(|_| DeliverError::Timeout(what))?
}

impl Connection {
    /// Connects, reads the greeting, says EHLO and, when `tls` is given and the server offers
    /// STARTTLS, negotiates TLS with that configuration (its verifier decides which
    /// certificates pass). `tls = None` stays in plaintext (the retry after a failed handshake
    /// where the floor allows it). A failed handshake is [`DeliverError::Handshake`].
    pub async fn open(
        target: &Target,
        params: &SessionParams,
        tls: Option<&MxPlan>,
        timeouts: Timeouts,
    ) -> Result<Connection, DeliverError> {
        let addr = SocketAddr::new(target.ip, target.port);
        let stream = timed(timeouts.connect, "connecting", async {
            let socket = if addr.is_ipv4() {
                TcpSocket::new_v4()
            } else {
                TcpSocket::new_v6()
            }
            .map_err(|e| DeliverError::Connect(e.kind().to_string()))?;
            if let Some(src) = params.source {
                socket
                    .bind(SocketAddr::new(src, 0))
                    .map_err(|e| DeliverError::Connect(format!("bind source: {}", e.kind())))?;
            }
            socket
                .connect(addr)
                .await
                .map_err(|e| DeliverError::Connect(e.kind().to_string()))
        })
        .await?;
        let _ = stream.set_nodelay(true);
        let mut conn = Connection {
            io: BufReader::new(Io::Plain(stream)),
            caps: Capabilities::default(),
            facts: AttemptFacts {
                next_hop: target.host.clone(),
                ip: Some(target.ip.to_string()),
                ..AttemptFacts::default()
            },
            sent: 0,
            idle_since: Instant::now(),
            broken: false,
            in_data: false,
            tls: TlsSeen::default(),
            timeouts,
        };
        let greeting = conn
            .read(timeouts.command, "waiting for the greeting")
            .await?;
        if greeting.reply.code != 220 {
            conn.quit().await;
            return Err(DeliverError::Greeting(greeting.reply));
        }
        conn.ehlo(&params.helo).await?;
        conn.tls.offered = conn.caps.starttls;
        let Some(tls) = tls.filter(|_| conn.caps.starttls) else {
            return Ok(conn);
        };
        conn.starttls(target, tls).await?;
        conn.ehlo(&params.helo).await?;
        Ok(conn)
    }

    async fn read(
        &mut self,
        limit: Duration,
        what: &'static str,
    ) -> Result<RawReply, DeliverError> {
        let r = timed(limit, what, read_reply(&mut self.io)).await;
        if r.is_err() {
            self.broken = true;
        }
        r
    }

    async fn write(&mut self, data: &[u8], limit: Duration) -> Result<(), DeliverError> {
        let io = self.io.get_mut();
        let r = timed(limit, "sending", async {
            io.write_all(data).await?;
            io.flush().await?;
            Ok(())
        })
        .await;
        if r.is_err() {
            self.broken = true;
        }
        r
    }

    async fn command(&mut self, line: &str) -> Result<RawReply, DeliverError> {
        self.write(line.as_bytes(), self.timeouts.command).await?;
        self.read(self.timeouts.command, "waiting for a reply")
            .await
    }

    async fn ehlo(&mut self, helo: &str) -> Result<(), DeliverError> {
        let r = self.command(&format!("EHLO {helo}\r\n")).await?;
        if r.reply.code == 250 {
            self.caps = Capabilities::parse(&r.lines);
            return Ok(());
        }
        let r = self.command(&format!("HELO {helo}\r\n")).await?;
        if r.reply.code != 250 {
            return Err(DeliverError::Refused(r.reply));
        }
        self.caps = Capabilities::default();
        Ok(())
    }

    async fn starttls(&mut self, target: &Target, tls: &MxPlan) -> Result<(), DeliverError> {
        let r = self.command("STARTTLS\r\n").await?;
        if r.reply.code != 220 {
            self.broken = true;
            return Err(DeliverError::Tls(format!(
                "STARTTLS answered {}",
                r.reply.code
            )));
        }
        if !self.io.buffer().is_empty() {
            self.broken = true;
            return Err(DeliverError::Protocol(
                "data after the STARTTLS reply".into(),
            ));
        }
        let name = ServerName::try_from(target.host.clone())
            .map_err(|_| DeliverError::Tls("host name unusable as TLS server name".into()))?;
        // Take the TCP stream out for the handshake; put a TLS stream back.
        // If the handshake fails the connection stays `Detached` and is marked broken.
        self.broken = true;
        let Io::Plain(tcp) =
            std::mem::replace(&mut self.io, BufReader::new(Io::Detached)).into_inner()
        else {
            return Err(DeliverError::Protocol("STARTTLS twice".into()));
        };
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(&tls.tls));
        let stream = timeout(self.timeouts.command, connector.connect(name, tcp))
            .await
            .map_err(|_| DeliverError::Tls("handshake timed out".into()))?
            .map_err(|e| handshake_error(&e, tls.report.kind))?;
        let (version, cipher) = tls::describe(stream.get_ref().1);
        let chain: Vec<CertificateDer<'static>> = stream
            .get_ref()
            .1
            .peer_certificates()
            .map(|c| c.iter().map(|c| c.clone().into_owned()).collect())
            .unwrap_or_default();
        self.facts.tls_version = version;
        self.facts.tls_cipher = cipher;
        let webpki_ok = tls.webpki_ok(&chain);
        // Under the DANE verifier a finished handshake means a TLSA record matched.
        let dane = tls.uses_dane();
        self.facts.cert_verified = Some(webpki_ok || dane);
        self.facts.dane = dane.then_some(true);
        self.tls.webpki_ok = webpki_ok;
        self.tls.chain = Some(chain);
        self.io = BufReader::new(Io::Tls(Box::new(stream)));
        self.broken = false;
        Ok(())
    }

    /// The announced extensions.
    pub fn capabilities(&self) -> Capabilities {
        self.caps
    }

    /// Checks that the message can go to this next hop as it is.
    fn check_sendable(&self, txn: &Transaction<'_>) -> Result<(), DeliverError> {
        if let Some(limit) = self.caps.size
            && limit > 0
            && txn.body.len() as u64 > limit
        {
            return Err(DeliverError::Unsendable(Reply::new(
                552,
                [5, 3, 4],
                "Message too big for the next hop",
            )));
        }
        let eight_bit = txn.body_type != BodyType::SevenBit || txn.body.iter().any(|b| *b >= 0x80);
        if eight_bit && !self.caps.eight_bit {
            return Err(DeliverError::Unsendable(Reply::new(
                554,
                [5, 6, 3],
                "Next hop does not accept 8-bit content and conversion is not available",
            )));
        }
        if txn.smtputf8 && !self.caps.smtputf8 {
            return Err(DeliverError::Unsendable(Reply::new(
                553,
                [5, 6, 7],
                "Next hop does not support SMTPUTF8",
            )));
        }
        Ok(())
    }

    /// Runs one transaction. `Err` when nothing reached a per-recipient outcome (MAIL refused,
    /// connection lost before DATA, unsendable); otherwise one outcome per recipient, in order:
    /// `Ok` with the final reply when accepted, `Err` with why not.
    pub async fn send(
        &mut self,
        txn: &Transaction<'_>,
    ) -> Result<Vec<Result<Reply, DeliverError>>, DeliverError> {
        self.in_data = false;
        self.check_sendable(txn)?;
        let t = self.timeouts;
        let mail = self.mail_command(txn);
        let rcpts: Vec<String> = txn.rcpts.iter().map(|r| self.rcpt_command(r)).collect();
        let mut outcomes: Vec<Option<Result<Reply, DeliverError>>> = Vec::new();
        outcomes.resize_with(rcpts.len(), || None);
        let data_reply;
        if self.caps.pipelining {
            let mut batch = mail.clone();
            for r in &rcpts {
                batch.push_str(r);
            }
            batch.push_str("DATA\r\n");
            self.write(batch.as_bytes(), t.command).await?;
            let mail_reply = self.read(t.command, "waiting for the MAIL reply").await?;
            for slot in outcomes.iter_mut() {
                let r = self.read(t.command, "waiting for an RCPT reply").await?;
                if !r.reply.is_positive() {
                    *slot = Some(Err(DeliverError::Refused(r.reply)));
                }
            }
            data_reply = self.read(t.data_init, "waiting for the DATA reply").await?;
            if !mail_reply.reply.is_positive() {
                if data_reply.reply.code == 354 {
                    self.finish_empty().await?;
                }
                self.reset().await;
                return Err(DeliverError::Refused(mail_reply.reply));
            }
        } else {
            let mail_reply = self.command(&mail).await?;
            if !mail_reply.reply.is_positive() {
                self.reset().await;
                return Err(DeliverError::Refused(mail_reply.reply));
            }
            for (slot, line) in outcomes.iter_mut().zip(&rcpts) {
                let r = self.command(line).await?;
                if !r.reply.is_positive() {
                    *slot = Some(Err(DeliverError::Refused(r.reply)));
                }
            }
            if outcomes.iter().all(Option::is_some) {
                self.reset().await;
                return Ok(outcomes.into_iter().flatten().collect());
            }
            self.write(b"DATA\r\n", t.command).await?;
            data_reply = self.read(t.data_init, "waiting for the DATA reply").await?;
        }
        let accepted = outcomes.iter().any(Option::is_none);
        let final_reply = if data_reply.reply.code != 354 {
            self.reset().await;
            data_reply.reply
        } else if !accepted {
            // RFC 2920 §3.1: every RCPT failed but DATA was accepted: send an empty message.
            self.finish_empty().await?;
            self.reset().await;
            return Ok(outcomes.into_iter().flatten().collect());
        } else {
            self.in_data = true;
            self.write(&dot_stuff(txn.body), t.data_block).await?;
            self.read(t.data_done, "waiting for the final reply")
                .await?
                .reply
        };
        self.sent += 1;
        self.idle_since = Instant::now();
        Ok(outcomes
            .into_iter()
            .map(|o| match o {
                Some(failed) => failed,
                None if final_reply.code / 100 == 2 => Ok(final_reply.clone()),
                None => Err(DeliverError::Refused(final_reply.clone())),
            })
            .collect())
    }

    async fn finish_empty(&mut self) -> Result<(), DeliverError> {
        self.write(b".\r\n", self.timeouts.data_block).await?;
        self.read(self.timeouts.data_done, "waiting for the final reply")
            .await?;
        Ok(())
    }

    /// RSET after a failed transaction; a connection that does not take it is not reused.
    async fn reset(&mut self) {
        match self.command("RSET\r\n").await {
            Ok(r) if r.reply.code == 250 => {}
            _ => self.broken = true,
        }
    }

    fn mail_command(&self, txn: &Transaction<'_>) -> String {
        let from = txn.mail_from.map_or(String::new(), ToString::to_string);
        let mut line = format!("MAIL FROM:<{from}>");
        if self.caps.size.is_some() {
            line.push_str(&format!(" SIZE={}", txn.body.len()));
        }
        let eight_bit = txn.body_type != BodyType::SevenBit || txn.body.iter().any(|b| *b >= 0x80);
        if eight_bit && self.caps.eight_bit {
            line.push_str(" BODY=8BITMIME");
        }
        if txn.smtputf8 {
            line.push_str(" SMTPUTF8");
        }
        if txn.requiretls && self.caps.requiretls {
            line.push_str(" REQUIRETLS");
        }
        if self.caps.dsn {
            match txn.ret {
                Some(DsnRet::Full) => line.push_str(" RET=FULL"),
                Some(DsnRet::Hdrs) => line.push_str(" RET=HDRS"),
                None => {}
            }
            // RFC 3461 §4.4: printable US-ASCII only; anything else stays with us (the
            // gateway's own DSNs still quote it) rather than failing the delivery.
            if let Some(envid) = txn.envid.filter(|e| printable(e)) {
                line.push_str(&format!(" ENVID={}", xtext(envid)));
            }
        }
        line.push_str("\r\n");
        line
    }

    fn rcpt_command(&self, r: &RcptTo<'_>) -> String {
        let mut line = format!("RCPT TO:<{}>", r.address);
        if self.caps.dsn {
            if let Some(n) = r.notify {
                line.push_str(&format!(" NOTIFY={}", notify_text(n)));
            }
            if let Some(orcpt) = r.orcpt.filter(|o| printable(o)) {
                line.push_str(&format!(" ORCPT={}", orcpt_param(orcpt)));
            }
        }
        line.push_str("\r\n");
        line
    }

    /// Says QUIT and closes (best effort).
    pub async fn quit(mut self) {
        if !self.broken {
            let _ = timeout(Duration::from_secs(5), async {
                let _ = self.io.get_mut().write_all(b"QUIT\r\n").await;
                let _ = read_reply(&mut self.io).await;
            })
            .await;
        }
        let _ = self.io.get_mut().shutdown().await;
    }
}

/// A failed handshake, with its TLS-RPT result type when rustls says why.
fn handshake_error(e: &std::io::Error, kind: PolicyKind) -> DeliverError {
    let failure = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .map_or(FailureKind::ValidationFailure, |r| {
            FailureKind::from_rustls(r, kind)
        });
    DeliverError::Handshake {
        why: e.to_string(),
        failure,
    }
}

fn notify_text(n: Notify) -> String {
    if n.never {
        return "NEVER".into();
    }
    let mut parts = Vec::new();
    if n.success {
        parts.push("SUCCESS");
    }
    if n.failure {
        parts.push("FAILURE");
    }
    if n.delay {
        parts.push("DELAY");
    }
    if parts.is_empty() {
        return "NEVER".into();
    }
    parts.join(",")
}

/// RFC 3461 §4 xtext: printable US-ASCII except `+` and `=` as it is, every other octet `+HH`.
pub fn xtext(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if (b'!'..=b'~').contains(&b) && b != b'+' && b != b'=' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("+{b:02X}"));
        }
    }
    out
}

/// True when every octet is printable US-ASCII or a space (what RFC 3461 allows in a decoded
/// ENVID or rfc822 ORCPT).
fn printable(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// The address type an ORCPT value already names (`rfc822;…`, `utf-8;…`), if any.
pub fn orcpt_type(orcpt: &str) -> Option<&str> {
    let (kind, _) = orcpt.split_once(';')?;
    ["rfc822", "utf-8"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(kind))
        .then_some(kind)
}

/// The ORCPT parameter as sent: `rfc822;` and the xtext of the address (RFC 3461 §4.2), or the
/// value as it is when it already names its type.
fn orcpt_param(orcpt: &str) -> String {
    match orcpt_type(orcpt) {
        Some(_) => orcpt.to_string(),
        None => format!("rfc822;{}", xtext(orcpt)),
    }
}

/// The body as sent after DATA: leading dots doubled, CRLF ensured at the end, then `.`.
pub fn dot_stuff(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 64 + 8);
    let mut at_line_start = true;
    for &b in body {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
    }
    if !body.is_empty() && !body.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing() {
        assert_eq!(
            dot_stuff(b".a\r\nb\r\n..c\r\n"),
            b"..a\r\nb\r\n...c\r\n.\r\n"
        );
        assert_eq!(dot_stuff(b"x"), b"x\r\n.\r\n");
    }

    #[test]
    fn capabilities_from_ehlo_lines() {
        let lines: Vec<String> = [
            "mx",
            "PIPELINING",
            "SIZE 1000",
            "8BITMIME",
            "STARTTLS",
            "DSN",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let c = Capabilities::parse(&lines);
        assert!(c.pipelining && c.starttls && c.eight_bit && c.dsn && !c.smtputf8);
        assert_eq!(c.size, Some(1000));
    }

    /// Regression: ORCPT went out as the bare decoded address (`ORCPT=orig+x@a.example`),
    /// which Postfix refuses with `501 5.5.4 Bad ORCPT parameter syntax`, and ENVID unencoded.
    #[test]
    fn orcpt_and_envid_go_out_as_typed_xtext() {
        assert_eq!(
            orcpt_param("orig+x=y@a.example"),
            "rfc822;orig+2Bx+3Dy@a.example"
        );
        assert_eq!(orcpt_param("rfc822;a@b.example"), "rfc822;a@b.example");
        assert_eq!(xtext("env 42+"), "env+2042+2B");
        assert_eq!(xtext("é"), "+C3+A9");
        assert!(printable("env 42"));
        assert!(!printable("env\r\nRCPT TO:<x@y>"));
    }

    #[test]
    fn notify_as_on_the_wire() {
        let n = Notify {
            failure: true,
            delay: true,
            ..Notify::default()
        };
        assert_eq!(notify_text(n), "FAILURE,DELAY");
        let never = Notify {
            never: true,
            ..Notify::default()
        };
        assert_eq!(notify_text(never), "NEVER");
    }
}
