//! One SMTP session: the command loop, greeting, EHLO, STARTTLS and the simple commands.
//! The mail transaction (MAIL, RCPT, DATA, BDAT and the end-of-data pipeline) lives in
//! `session/transaction.rs`, the end of data in `session/finish.rs`.
//!
//! Guarantees: every reply carries an enhanced status code; a session never outlives its
//! deadlines; after STARTTLS nothing buffered before the handshake is read, and a new EHLO is
//! required; too many errors end the session with `421`, and so do too many junk commands
//! (NOOP, RSET, HELO/EHLO, VRFY, HELP, anything answered `4xx`) between two accepted messages;
//! past `max_session_time` the session ends with `421 4.4.2`, but only between transactions.
//! A command line ended by a bare LF is answered `500 5.5.2` at once; an overlong one ends the
//! session after its reply.

mod attribute;
mod finish;
mod origin;
mod transaction;

use crate::budget::Budget;
use crate::conn::{Conn, Line, ReadError, Stream};
use crate::server::{Pipeline, Settings};
use sealgate_connectors::Tenant;
use sealgate_core::Reply;
use sealgate_report::RejectReason;
use smtp_proto::Request;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::time::Instant;
use transaction::Transaction;

/// Longest command line accepted (RFC 5321 allows 512 plus extension parameters).
const MAX_COMMAND_LINE: usize = 2048;

/// How long a closing session keeps reading (and dropping) what the client still sends.
const LINGER: std::time::Duration = std::time::Duration::from_secs(2);

/// Whether the session goes on.
enum Flow {
    Continue,
    Close,
}

pub(crate) struct Session {
    conn: Conn,
    settings: Arc<Settings>,
    pipeline: Arc<Pipeline>,
    client: SocketAddr,
    helo: Option<String>,
    tls: Option<(Option<String>, Option<String>)>,
    cert_names: Vec<String>,
    candidates: Vec<Arc<Tenant>>,
    tx: Option<Transaction>,
    errors: u32,
    /// Junk commands since the last accepted message.
    junk: u32,
    /// When the session must end, at the next point between transactions.
    ends_at: Instant,
    budget: Arc<Budget>,
    shutdown: watch::Receiver<bool>,
}

impl Session {
    pub(crate) fn new(
        conn: Conn,
        settings: Arc<Settings>,
        pipeline: Arc<Pipeline>,
        client: SocketAddr,
        shutdown: watch::Receiver<bool>,
        budget: Arc<Budget>,
    ) -> Self {
        let candidates = settings.tenants.candidates(client.ip(), &[]);
        let ends_at = Instant::now() + settings.smtp.limits.max_session_time;
        Session {
            conn,
            settings,
            pipeline,
            client,
            helo: None,
            tls: None,
            cert_names: Vec::new(),
            candidates,
            tx: None,
            errors: 0,
            junk: 0,
            ends_at,
            budget,
            shutdown,
        }
    }

    fn host(&self) -> &str {
        &self.settings.smtp.hostname
    }

    /// Queues a reply and counts it if it is an error (`5xx`) or a temporary refusal (`4xx`,
    /// a junk command).
    fn reply(&mut self, r: Reply) {
        if r.code >= 500 {
            self.errors += 1;
        } else if r.code >= 400 {
            self.junk += 1;
        }
        self.conn.queue(&r.to_string());
    }

    /// Queues an error reply and counts the refusal by reason.
    fn refuse(&mut self, r: Reply, reason: RejectReason) {
        self.pipeline.metrics.reject(reason);
        self.reply(r);
    }

    pub(crate) async fn run(mut self) {
        let greeting = format!("220 {} ESMTP Sealgate", self.host());
        self.conn.queue(&greeting);
        loop {
            if !self.conn.has_buffered_line() && self.conn.flush().await.is_err() {
                return;
            }
            if let Some(bye) = self.over_limits() {
                self.close_with(&bye).await;
                return;
            }
            let deadline = self.command_deadline();
            let line = tokio::select! {
                line = self.conn.read_line(MAX_COMMAND_LINE, deadline) => line,
                _ = self.shutdown.changed() => {
                    let bye = format!("421 4.3.2 {} Service shutting down", self.host());
                    self.close_with(&bye).await;
                    return;
                }
            };
            let flow = match line {
                Ok(Line::Ok(bytes)) => self.command(bytes).await,
                Ok(Line::BareLf) => {
                    self.refuse(
                        Reply::new(500, [5, 5, 2], "Command line must end with CRLF"),
                        RejectReason::Syntax,
                    );
                    Flow::Continue
                }
                Ok(Line::TooLong) => {
                    self.refuse(
                        Reply::new(500, [5, 5, 2], "Line too long"),
                        RejectReason::Syntax,
                    );
                    if self.conn.flush().await.is_ok() {
                        self.conn.linger_close(Instant::now() + LINGER).await;
                    }
                    return;
                }
                Err(ReadError::Timeout) if self.tx.is_none() && Instant::now() >= self.ends_at => {
                    continue;
                }
                Err(ReadError::Timeout) => {
                    self.pipeline.metrics.reject(RejectReason::Timeout);
                    let bye = format!("421 4.4.2 {} Error: timeout exceeded", self.host());
                    self.close_with(&bye).await;
                    return;
                }
                Err(ReadError::Closed | ReadError::Io) => return,
            };
            if let Flow::Close = flow {
                let _ = self.conn.flush().await;
                return;
            }
        }
    }

    /// The `421` that ends the session now, if a limit is reached: too many errors or junk
    /// commands, or the session lifetime (only between transactions).
    fn over_limits(&mut self) -> Option<String> {
        let host = self.host().to_string();
        if self.errors >= self.settings.smtp.max_errors {
            return Some(format!("421 4.7.0 {host} Error: too many errors"));
        }
        if self.junk > self.settings.smtp.limits.max_junk_commands {
            self.pipeline.metrics.reject(RejectReason::Limits);
            return Some(format!("421 4.7.0 {host} Error: too many commands"));
        }
        if self.tx.is_none() && Instant::now() >= self.ends_at {
            self.pipeline.metrics.reject(RejectReason::Limits);
            return Some(format!(
                "421 4.4.2 {host} Error: session time limit reached"
            ));
        }
        None
    }

    /// The deadline for the next command line: `command_timeout`, and between transactions
    /// no later than the end of the session's lifetime.
    fn command_deadline(&self) -> Instant {
        let deadline = Instant::now() + self.settings.smtp.command_timeout;
        if self.tx.is_none() {
            deadline.min(self.ends_at)
        } else {
            deadline
        }
    }

    /// A message was accepted: the junk count starts again (clients that reuse a connection
    /// send RSET or NOOP between messages).
    fn message_accepted(&mut self) {
        self.junk = 0;
    }

    /// Sends a last reply and closes without resetting the connection (see
    /// [`Conn::linger_close`]), so the client reads the reply even with commands in flight.
    async fn close_with(&mut self, line: &str) {
        self.conn.queue(line);
        if self.conn.flush().await.is_ok() {
            self.conn.linger_close(Instant::now() + LINGER).await;
        }
    }

    async fn command(&mut self, line: Vec<u8>) -> Flow {
        let request = match crate::command::parse_command(&line) {
            Ok(r) => r,
            Err(reply) => {
                self.refuse(reply, RejectReason::Syntax);
                return Flow::Continue;
            }
        };
        match request {
            Request::Ehlo { host } => {
                self.junk += 1;
                self.hello(host, true)
            }
            Request::Helo { host } => {
                self.junk += 1;
                self.hello(host, false)
            }
            Request::StartTls => return self.starttls().await,
            Request::Mail { from } => self.mail(from),
            Request::Rcpt { to } => self.rcpt(to),
            Request::Data => return self.data().await,
            Request::Bdat {
                chunk_size,
                is_last,
            } => return self.bdat(chunk_size, is_last).await,
            Request::Rset => {
                self.junk += 1;
                self.tx = None;
                self.reply(Reply::new(250, [2, 0, 0], "Ok"));
            }
            Request::Noop { .. } => {
                self.junk += 1;
                self.reply(Reply::new(250, [2, 0, 0], "Ok"));
            }
            Request::Quit => {
                self.reply(Reply::new(221, [2, 0, 0], "Bye"));
                return Flow::Close;
            }
            Request::Vrfy { .. } => {
                self.junk += 1;
                self.reply(Reply::new(
                    252,
                    [2, 5, 2],
                    "Cannot VRFY user, but will accept message and attempt delivery",
                ));
            }
            Request::Help { .. } => {
                self.junk += 1;
                self.reply(Reply::new(
                    214,
                    [2, 0, 0],
                    "Commands: EHLO HELO STARTTLS MAIL RCPT DATA BDAT RSET NOOP VRFY QUIT",
                ));
            }
            Request::Expn { .. }
            | Request::Auth { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. }
            | Request::Lhlo { .. } => self.refuse(
                Reply::new(502, [5, 5, 1], "Command not implemented"),
                RejectReason::Syntax,
            ),
        }
        Flow::Continue
    }

    fn hello(&mut self, host: String, extended: bool) {
        if host.is_empty() {
            let syntax = if extended {
                "Syntax: EHLO hostname"
            } else {
                "Syntax: HELO hostname"
            };
            self.refuse(Reply::new(501, [5, 5, 4], syntax), RejectReason::Syntax);
            return;
        }
        self.tx = None;
        self.helo = Some(host);
        let hostname = self.host().to_string();
        if !extended {
            self.conn.queue(&format!("250 {hostname}"));
            return;
        }
        let mut lines = vec![
            format!("{hostname} Hello"),
            "PIPELINING".to_string(),
            format!("SIZE {}", self.settings.smtp.max_message_size),
            "8BITMIME".to_string(),
            "SMTPUTF8".to_string(),
            "ENHANCEDSTATUSCODES".to_string(),
            "DSN".to_string(),
            "CHUNKING".to_string(),
        ];
        if self.tls.is_none() && self.settings.tls.is_some() {
            lines.push("STARTTLS".to_string());
        }
        // RFC 8689 §4: REQUIRETLS means something only over TLS, so it is offered only there.
        if self.tls.is_some() {
            lines.push("REQUIRETLS".to_string());
        }
        let last = lines.len() - 1;
        for (i, l) in lines.iter().enumerate() {
            let sep = if i == last { ' ' } else { '-' };
            self.conn.queue(&format!("250{sep}{l}"));
        }
    }

    async fn starttls(&mut self) -> Flow {
        if self.tls.is_some() {
            self.refuse(
                Reply::new(503, [5, 5, 1], "TLS already active"),
                RejectReason::Syntax,
            );
            return Flow::Continue;
        }
        let Some(acceptor) = self.settings.tls.clone() else {
            self.refuse(
                Reply::new(502, [5, 5, 1], "STARTTLS not available"),
                RejectReason::Syntax,
            );
            return Flow::Continue;
        };
        self.conn.queue("220 2.0.0 Ready to start TLS");
        if self.conn.flush().await.is_err() {
            return Flow::Close;
        }
        // RFC 3207 §4.2 and the STARTTLS-injection class of bugs: anything the client sent
        // after STARTTLS and before the handshake is discarded, never read as a command.
        self.conn.discard_buffered();
        let Some(Stream::Plain(tcp)) = self.conn.stream.take() else {
            return Flow::Close;
        };
        let deadline = Instant::now() + self.settings.smtp.command_timeout;
        let tls = match tokio::time::timeout_at(deadline, acceptor.accept(tcp)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                tracing::info!(client = %self.client.ip(), error = %e, "TLS handshake failed");
                return Flow::Close;
            }
            Err(_) => return Flow::Close,
        };
        let (_, server_conn) = tls.get_ref();
        self.tls = Some(crate::tls::describe(server_conn));
        if let Some(cert) = server_conn.peer_certificates().and_then(|c| c.first()) {
            self.cert_names = crate::tls::matching_names(cert, &self.settings.cert_names);
        }
        self.candidates = self
            .settings
            .tenants
            .candidates(self.client.ip(), &self.cert_names);
        self.conn.stream = Some(Stream::Tls(Box::new(tls)));
        self.helo = None;
        self.tx = None;
        Flow::Continue
    }
}
