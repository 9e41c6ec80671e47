//! TLS-RPT report mail into the spool (RFC 8460 §5.3): the [`ReportSink`] the daily TLS-RPT
//! run hands its `mailto:` reports to.
//!
//! Guarantees: a report is committed durably before `submit_mail` returns (the run then marks
//! that `rua` done); it is gateway-originated mail — null reverse path, the gateway's own
//! `Message-ID` (so the sign stage signs it with the gateway's DKIM key and no tenant's),
//! tenant [`GATEWAY_TENANT`] — with requirement `deliver` and `TLS-Required: No` (RFC 8460
//! §5.3: reports must get through to domains whose TLS is broken, so pins, MTA-STS and DANE
//! are not applied; the copy still uses STARTTLS whenever offered). A report carries counts,
//! host names and addresses — never message content.

use crate::notice::Originator;
use sealgate_core::{Address, MessageId, Requirement};
use sealgate_tlspolicy::tlsrpt::schedule::ReportSink;
use std::sync::Arc;

/// The tenant name recorded on mail the gateway originates for itself (TLS-RPT reports).
pub const GATEWAY_TENANT: &str = "gateway";

/// Commits TLS-RPT report mail to the spool and wakes delivery for it.
pub struct ReportMail {
    origin: Originator,
    wake: Arc<dyn Fn(MessageId) + Send + Sync>,
}

impl ReportMail {
    /// A sink committing through `origin`, calling `wake` with each new message's id.
    pub fn new(origin: Originator, wake: Arc<dyn Fn(MessageId) + Send + Sync>) -> ReportMail {
        ReportMail { origin, wake }
    }
}

/// `content` with its first header-section `Message-ID:` field replaced by `id` (or `id`
/// prepended when it has none).
fn with_message_id(content: &[u8], id: &str) -> Vec<u8> {
    let header_end = content
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(content.len(), |p| p + 2);
    let mut at = 0;
    while at < header_end {
        let line_end = content[at..header_end]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(header_end, |p| at + p + 2);
        let line = &content[at..line_end];
        if line.len() > 11 && line[..11].eq_ignore_ascii_case(b"message-id:") {
            // The field ends at the first line not folded onto it.
            let mut end = line_end;
            while end < header_end && matches!(content[end], b' ' | b'\t') {
                end = content[end..header_end]
                    .windows(2)
                    .position(|w| w == b"\r\n")
                    .map_or(header_end, |p| end + p + 2);
            }
            let mut out = Vec::with_capacity(content.len() + id.len());
            out.extend_from_slice(&content[..at]);
            out.extend_from_slice(format!("Message-ID: {id}\r\n").as_bytes());
            out.extend_from_slice(&content[end..]);
            return out;
        }
        at = line_end;
    }
    let mut out = format!("Message-ID: {id}\r\n").into_bytes();
    out.extend_from_slice(content);
    out
}

impl ReportSink for ReportMail {
    fn submit_mail(&self, to: &Address, content: Vec<u8>) -> Result<(), String> {
        let id = self.origin.new_id();
        let content = with_message_id(&content, &self.origin.message_id_header(id));
        self.origin
            .submit_as(id, GATEWAY_TENANT, to, content, Requirement::Deliver, true)
            .map_err(|e| format!("spool: {}", e.class()))?;
        (self.wake)(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_id_field_is_replaced_folded_or_not_and_bodies_are_left_alone() {
        let m = b"From: a@b\r\nMessage-ID: <x@y>\r\nSubject: s\r\n\r\nMessage-ID: body\r\n";
        assert_eq!(
            with_message_id(m, "<n@gw>"),
            b"From: a@b\r\nMessage-ID: <n@gw>\r\nSubject: s\r\n\r\nMessage-ID: body\r\n"
        );
        let folded = b"Message-id:\r\n <x@y>\r\nTo: t@u\r\n\r\nbody";
        assert_eq!(
            with_message_id(folded, "<n@gw>"),
            b"Message-ID: <n@gw>\r\nTo: t@u\r\n\r\nbody"
        );
        let none = b"To: t@u\r\n\r\nbody";
        assert_eq!(
            with_message_id(none, "<n@gw>"),
            b"Message-ID: <n@gw>\r\nTo: t@u\r\n\r\nbody"
        );
    }
}
