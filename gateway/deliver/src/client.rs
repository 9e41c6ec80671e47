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
//!
//! Where things are: `params.rs` holds what the caller asks of a connection (TLS wanted,
//! EHLO name, timeouts); `connect.rs` opens it (TCP, greeting), `ehlo.rs` reads the
//! extensions, `starttls.rs` upgrades it, `transaction.rs` runs MAIL/RCPT/DATA, `encode.rs`
//! writes DSN parameters and the body as they go on the wire; `reply.rs` reads replies.

mod connect;
mod ehlo;
mod encode;
mod io;
mod params;
pub mod reply;
mod starttls;
pub mod tls;
mod transaction;

pub use ehlo::Capabilities;
pub use encode::{dot_stuff, orcpt_type, xtext};
pub use params::{SessionParams, Timeouts, TlsKey, TlsPolicy, TlsSeen};
pub use transaction::{RcptTo, Transaction};

use crate::error::DeliverError;
use io::Io;
use reply::{RawReply, read_reply};
use sealgate_core::event::AttemptFacts;
use std::time::{Duration, Instant};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::time::timeout;

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

    /// The announced extensions.
    pub fn capabilities(&self) -> Capabilities {
        self.caps
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
