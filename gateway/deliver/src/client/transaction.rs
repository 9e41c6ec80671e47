//! One mail transaction: MAIL, RCPT and DATA (pipelined when offered), with the checks made
//! before MAIL (SIZE, 8BITMIME, SMTPUTF8) and one outcome per recipient.

use super::Connection;
use super::encode::{dot_stuff, notify_text, orcpt_param, printable, xtext};
use super::reply::RawReply;
use crate::error::DeliverError;
use sealgate_core::{Address, BodyType, DsnRet, Notify, Reply};
use std::time::Instant;

/// Each recipient's outcome so far: `None` while it is still accepted.
type Slots = Vec<Option<Result<Reply, DeliverError>>>;

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

impl Connection {
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
        let mut outcomes: Slots = Vec::new();
        outcomes.resize_with(rcpts.len(), || None);
        let data_reply = if self.caps.pipelining {
            self.envelope_pipelined(&mail, &rcpts, &mut outcomes)
                .await?
        } else {
            match self.envelope_in_turn(&mail, &rcpts, &mut outcomes).await? {
                Some(reply) => reply,
                None => return Ok(outcomes.into_iter().flatten().collect()),
            }
        };
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

    /// MAIL, every RCPT and DATA in one write (RFC 2920), then their replies: the DATA reply,
    /// or `Err` when MAIL was refused (after ending a DATA the server accepted anyway).
    async fn envelope_pipelined(
        &mut self,
        mail: &str,
        rcpts: &[String],
        outcomes: &mut Slots,
    ) -> Result<RawReply, DeliverError> {
        let t = self.timeouts;
        let mut batch = mail.to_string();
        for r in rcpts {
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
        let data_reply = self.read(t.data_init, "waiting for the DATA reply").await?;
        if !mail_reply.reply.is_positive() {
            if data_reply.reply.code == 354 {
                self.finish_empty().await?;
            }
            self.reset().await;
            return Err(DeliverError::Refused(mail_reply.reply));
        }
        Ok(data_reply)
    }

    /// MAIL, each RCPT and DATA one at a time: the DATA reply, `None` when every recipient was
    /// refused (the transaction is reset, DATA never sent), or `Err` when MAIL was refused.
    async fn envelope_in_turn(
        &mut self,
        mail: &str,
        rcpts: &[String],
        outcomes: &mut Slots,
    ) -> Result<Option<RawReply>, DeliverError> {
        let mail_reply = self.command(mail).await?;
        if !mail_reply.reply.is_positive() {
            self.reset().await;
            return Err(DeliverError::Refused(mail_reply.reply));
        }
        for (slot, line) in outcomes.iter_mut().zip(rcpts) {
            let r = self.command(line).await?;
            if !r.reply.is_positive() {
                *slot = Some(Err(DeliverError::Refused(r.reply)));
            }
        }
        if outcomes.iter().all(Option::is_some) {
            self.reset().await;
            return Ok(None);
        }
        self.write(b"DATA\r\n", self.timeouts.command).await?;
        let data_reply = self
            .read(self.timeouts.data_init, "waiting for the DATA reply")
            .await?;
        Ok(Some(data_reply))
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
}
