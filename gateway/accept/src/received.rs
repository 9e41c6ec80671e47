//! The trace header every relay adds (RFC 5321 §4.4), and RFC 5322 dates.
//!
//! The header names the client's HELO and address, our host, the protocol, TLS facts and our
//! message id. It has no `for` clause: recipient addresses stay out of message content we add.

use sealgate_core::{ClientInfo, MessageId, Timestamp};

/// `Received:` header with CRLF, folded.
pub fn header(client: &ClientInfo, hostname: &str, id: MessageId, at: Timestamp) -> String {
    let helo: String = client
        .helo
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '(' && *c != ')' && *c != ';')
        .take(255)
        .collect();
    let (proto, tls) = match (&client.tls_version, &client.tls_cipher) {
        (Some(v), Some(c)) => ("ESMTPS", format!(" ({v} cipher {c})")),
        _ => ("ESMTP", String::new()),
    };
    format!(
        "Received: from {helo} ([{ip}])\r\n\tby {hostname} (Sealgate) with {proto}{tls} id {id};\r\n\t{date}\r\n",
        ip = client.ip,
        date = rfc5322_date(at),
    )
}

/// Formats a timestamp as an RFC 5322 date in UTC, e.g. `Sat, 28 Nov 2026 07:49:21 +0000`.
pub fn rfc5322_date(at: Timestamp) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = at.secs();
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
        DAYS[(days % 7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            rfc5322_date(Timestamp(0)),
            "Thu, 01 Jan 1970 00:00:00 +0000"
        );
        assert_eq!(
            rfc5322_date(Timestamp(1_795_852_161_000)),
            "Sat, 28 Nov 2026 07:49:21 +0000"
        );
        assert_eq!(
            rfc5322_date(Timestamp(951_782_400_000)),
            "Tue, 29 Feb 2000 00:00:00 +0000"
        );
    }
}
