//! EHLO (falling back to HELO) and the extensions the next hop announces in its reply.

use super::Connection;
use crate::error::DeliverError;

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

impl Connection {
    pub(super) async fn ehlo(&mut self, helo: &str) -> Result<(), DeliverError> {
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
