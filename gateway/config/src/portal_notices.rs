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
