//! `[portal]` keys of the sender's receipts and the reminders (issue 13 items 3 and 4):
//! `sweep_interval` (how often `serve` expires copies and sends what is due, default 60 s),
//! `reminder_after` (unread this long after the notification → one reminder to the recipient
//! and one note to the sender, default 48 h; `"0s"` turns reminders off) and `expiry_warning`
//! (this long before expiry → one warning to the recipient, default 24 h; `"0s"` turns it
//! off); per tenant `[portal.tenants.NAME] read_receipt = true` mails the sender when a
//! recipient first reads the message (default off). Every problem names its key.

use crate::reader::Section;
use std::time::Duration;

/// Default `sweep_interval`: one minute.
pub const DEFAULT_PORTAL_SWEEP: Duration = Duration::from_secs(60);
/// Default `reminder_after`: 48 hours.
pub const DEFAULT_PORTAL_REMINDER: Duration = Duration::from_secs(48 * 3600);
/// Default `expiry_warning`: 24 hours before expiry.
pub const DEFAULT_PORTAL_EXPIRY_WARNING: Duration = Duration::from_secs(24 * 3600);

/// When the portal's sweep runs and what it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalNotices {
    /// `sweep_interval`.
    pub sweep: Duration,
    /// `reminder_after` (zero: no reminders).
    pub reminder_after: Duration,
    /// `expiry_warning` (zero: no warnings).
    pub expiry_warning: Duration,
}

impl Default for PortalNotices {
    fn default() -> Self {
        PortalNotices {
            sweep: DEFAULT_PORTAL_SWEEP,
            reminder_after: DEFAULT_PORTAL_REMINDER,
            expiry_warning: DEFAULT_PORTAL_EXPIRY_WARNING,
        }
    }
}

/// Reads the keys above from `[portal]`.
pub(crate) fn read_portal_notices(s: &mut Section<'_>) -> PortalNotices {
    let d = PortalNotices::default();
    let sweep = s.duration("sweep_interval").unwrap_or(d.sweep);
    if sweep < Duration::from_millis(100) {
        s.issue("sweep_interval", "must be at least 100ms, like \"1m\"");
    }
    PortalNotices {
        sweep: sweep.max(Duration::from_millis(100)),
        reminder_after: s.duration("reminder_after").unwrap_or(d.reminder_after),
        expiry_warning: s.duration("expiry_warning").unwrap_or(d.expiry_warning),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
    use super::*;
    use crate::Config;

    const BASE: &str = "[tenants.acme]\nnetworks = [\"10.0.0.0/8\"]\nsender_domains = [\"clinic.example\"]\n\
[portal]\nlisten = \"127.0.0.1:8443\"\n";

    #[test]
    fn defaults_then_the_keys() {
        let c = Config::from_toml(&format!(
            "{BASE}[portal.tenants.acme]\nbase_url = \"https://p.clinic.example\"\n"
        ))
        .unwrap();
        let p = c.portal.unwrap();
        assert_eq!(p.notices, PortalNotices::default());
        assert!(!p.tenant("acme").unwrap().read_receipt);
        let c = Config::from_toml(&format!(
            "{BASE}sweep_interval = \"200ms\"\nreminder_after = \"3s\"\nexpiry_warning = \"0s\"\n\
[portal.tenants.acme]\nbase_url = \"https://p.clinic.example\"\nread_receipt = true\n"
        ))
        .unwrap();
        let p = c.portal.unwrap();
        assert_eq!(
            p.notices,
            PortalNotices {
                sweep: Duration::from_millis(200),
                reminder_after: Duration::from_secs(3),
                expiry_warning: Duration::ZERO,
            }
        );
        assert!(p.tenant("acme").unwrap().read_receipt);
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = Config::from_toml(&format!(
            "{BASE}sweep_interval = \"10ms\"\nreminder_after = \"soon\"\n\
[portal.tenants.acme]\nbase_url = \"https://p.clinic.example\"\nread_receipt = \"yes\"\n"
        ))
        .unwrap_err()
        .to_string();
        for key in [
            "portal.sweep_interval",
            "portal.reminder_after",
            "portal.tenants.acme.read_receipt",
        ] {
            assert!(e.contains(key), "{key} not named in: {e}");
        }
    }
}
