//! The secure reply's limits (issue 13, item 2): `reply_max_size` (all attachments of one
//! reply together, default 10 MiB) and `reply_daily_limit` (replies per recipient address per
//! UTC day, default 20), in `[portal]` and overridable per `[portal.tenants.NAME]`.

use crate::reader::Section;

/// Default total size of one reply's attachments: 10 MiB.
pub const DEFAULT_REPLY_MAX_SIZE: u64 = 10 << 20;
/// Default replies per recipient per UTC day.
pub const DEFAULT_REPLY_DAILY_LIMIT: u32 = 20;
/// The largest `reply_max_size` accepted (the reply is held in memory while it is read).
pub const MAX_REPLY_MAX_SIZE: u64 = 50 << 20;

/// `reply_max_size` and `reply_daily_limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyLimits {
    /// `reply_max_size`: the attachments of one reply together, in bytes.
    pub max_size: u64,
    /// `reply_daily_limit`: replies per recipient address per UTC day (0: replies are off).
    pub daily_limit: u32,
}

impl Default for ReplyLimits {
    fn default() -> Self {
        ReplyLimits {
            max_size: DEFAULT_REPLY_MAX_SIZE,
            daily_limit: DEFAULT_REPLY_DAILY_LIMIT,
        }
    }
}

/// Reads the two keys of `s`, each defaulting to `inherit`'s.
pub(crate) fn read_reply_limits(s: &mut Section<'_>, inherit: ReplyLimits) -> ReplyLimits {
    let max_size = match s.size("reply_max_size") {
        Some(v) if v > MAX_REPLY_MAX_SIZE => {
            s.issue("reply_max_size", "may be at most \"50MiB\"");
            inherit.max_size
        }
        Some(v) => v,
        None => inherit.max_size,
    };
    let daily_limit = match s.integer("reply_daily_limit") {
        Some(v) => u32::try_from(v).unwrap_or_else(|_| {
            s.issue("reply_daily_limit", "is too large");
            inherit.daily_limit
        }),
        None => inherit.daily_limit,
    };
    ReplyLimits {
        max_size,
        daily_limit,
    }
}

#[cfg(test)]
mod tests {
    use crate::Config;

    const BASE: &str =
        "[tenants.acme]\nnetworks = [\"127.0.0.1/32\"]\nsender_domains = [\"acme.example\"]\n";

    #[test]
    fn reply_limits_default_inherit_and_name_bad_keys() {
        let text = format!(
            "{BASE}[portal]\nlisten = \"127.0.0.1:8443\"\nreply_daily_limit = 3\n[portal.tenants.acme]\nbase_url = \"https://p.acme.example\"\nreply_max_size = \"1MiB\"\n"
        );
        let c = Config::from_toml(&text).unwrap();
        let p = c.portal.unwrap();
        assert_eq!(p.reply.max_size, super::DEFAULT_REPLY_MAX_SIZE);
        assert_eq!(p.reply.daily_limit, 3);
        let t = p.tenant("acme").unwrap();
        assert_eq!(t.reply.max_size, 1 << 20);
        assert_eq!(t.reply.daily_limit, 3, "inherited from [portal]");

        let bad = format!(
            "{BASE}[portal]\nlisten = \"127.0.0.1:8443\"\nreply_max_size = \"1GiB\"\n[portal.tenants.acme]\nbase_url = \"https://p.acme.example\"\nreply_daily_limit = \"many\"\n"
        );
        let errors = Config::from_toml(&bad).unwrap_err().to_string();
        assert!(errors.contains("portal.reply_max_size"), "{errors}");
        assert!(
            errors.contains("portal.tenants.acme.reply_daily_limit"),
            "{errors}"
        );
    }
}
