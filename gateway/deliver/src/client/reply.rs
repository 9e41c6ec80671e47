//! Reading SMTP replies (RFC 5321 §4.2): multi-line replies, the basic code and the enhanced
//! status code (RFC 3463) when the first line carries one.

use crate::error::DeliverError;
use sealgate_core::Reply;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

/// Longest reply line accepted (RFC 5321 §4.5.3.1.5 says 512; peers send more).
const MAX_LINE: usize = 4096;
/// Most lines in one reply (EHLO replies are the longest).
const MAX_LINES: usize = 100;

/// A reply as read: the [`Reply`] and every line's text (EHLO keywords).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawReply {
    /// Code, enhanced status and the first line's text.
    pub reply: Reply,
    /// Text of each line after the code, in order.
    pub lines: Vec<String>,
}

/// Reads one complete reply.
pub async fn read_reply<R: AsyncBufRead + Unpin>(r: &mut R) -> Result<RawReply, DeliverError> {
    let mut lines = Vec::new();
    let mut code = 0u16;
    let mut buf = Vec::with_capacity(128);
    loop {
        buf.clear();
        let n = (&mut *r)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut buf)
            .await?;
        if n == 0 {
            return Err(DeliverError::Protocol("connection closed".into()));
        }
        if buf.last() != Some(&b'\n') {
            return Err(DeliverError::Protocol("reply line too long".into()));
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\r', '\n']);
        let bytes = line.as_bytes();
        if bytes.len() < 3 || !bytes[..3].iter().all(u8::is_ascii_digit) {
            return Err(DeliverError::Protocol("malformed reply".into()));
        }
        let this: u16 = line[..3].parse().unwrap_or(0);
        if lines.is_empty() {
            code = this;
        } else if this != code {
            return Err(DeliverError::Protocol(
                "inconsistent multi-line reply".into(),
            ));
        }
        let last = match bytes.get(3) {
            None | Some(b' ') => true,
            Some(b'-') => false,
            Some(_) => return Err(DeliverError::Protocol("malformed reply".into())),
        };
        lines.push(line.get(4..).unwrap_or("").to_string());
        if last {
            break;
        }
        if lines.len() >= MAX_LINES {
            return Err(DeliverError::Protocol("reply has too many lines".into()));
        }
    }
    if !(200..600).contains(&code) {
        return Err(DeliverError::Protocol("reply code out of range".into()));
    }
    Ok(RawReply {
        reply: parse_text(code, &lines[0]),
        lines,
    })
}

/// Splits an enhanced status code off the text when its class matches the basic code.
fn parse_text(code: u16, text: &str) -> Reply {
    let (first, rest) = text.split_once(' ').unwrap_or((text, ""));
    let parts: Vec<&str> = first.split('.').collect();
    if parts.len() == 3 {
        let nums: Vec<u16> = parts.iter().filter_map(|p| p.parse().ok()).collect();
        if nums.len() == 3 && nums[0] == code / 100 && parts.iter().all(|p| p.len() <= 3) {
            return Reply::new(code, [nums[0], nums[1], nums[2]], rest.trim());
        }
    }
    Reply::plain(code, text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(s: &str) -> Result<RawReply, DeliverError> {
        let mut r = tokio::io::BufReader::new(s.as_bytes());
        read_reply(&mut r).await
    }

    #[tokio::test]
    async fn multi_line_with_enhanced_code() {
        let r = read("250-mx.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
            .await
            .unwrap();
        assert_eq!(r.reply.code, 250);
        assert_eq!(r.lines, ["mx.example", "PIPELINING", "STARTTLS"]);
        let r = read("550 5.1.1 <x@y>: user unknown\r\n").await.unwrap();
        assert_eq!(r.reply.status, Some([5, 1, 1]));
        assert_eq!(r.reply.text, "<x@y>: user unknown");
        let r = read("451 4.7.1 later\n").await.unwrap();
        assert_eq!(r.reply.to_string(), "451 4.7.1 later");
        let r = read("250 2.5.0\r\n").await.unwrap();
        assert_eq!(r.reply.status, Some([2, 5, 0]));
    }

    #[tokio::test]
    async fn garbage_and_eof_are_protocol_errors() {
        assert!(read("hello\r\n").await.is_err());
        assert!(read("250-partial\r\n").await.is_err());
        assert!(read("250-a\r\n251 b\r\n").await.is_err());
        assert!(read("").await.is_err());
    }
}
