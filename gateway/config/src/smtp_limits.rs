//! `[smtp]` limits against resource exhaustion before and during a transaction: the memory
//! budget for content in flight, the junk-command limit, the session lifetime and the IPv6
//! prefix the per-IP connection cap counts by.

use crate::defaults;
use crate::reader::Section;
use std::time::Duration;

/// The hardening limits of `[smtp]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpLimits {
    /// `memory_budget`: octets all message content in flight may take, copies included
    /// (default [`defaults::memory_budget`]).
    pub memory_budget: u64,
    /// `max_junk_commands`: NOOP, RSET, HELO/EHLO, VRFY, HELP and `4xx`-answered commands
    /// allowed between two accepted messages before `421`.
    pub max_junk_commands: u32,
    /// `max_session_time`: after this, the session is closed (`421 4.4.2`) at the next point
    /// between transactions.
    pub max_session_time: Duration,
    /// `per_ip_v6_prefix`: IPv6 clients count against `max_connections_per_ip` by this prefix.
    pub per_ip_v6_prefix: u8,
}

/// Reads the limits from `[smtp]`.
pub(crate) fn read_limits(s: &mut Section<'_>, max_message_size: u64) -> SmtpLimits {
    let memory_budget = s
        .positive_size("memory_budget")
        .unwrap_or_else(|| defaults::memory_budget(max_message_size));
    let max_junk_commands = s
        .positive_integer("max_junk_commands")
        .map_or(defaults::MAX_JUNK_COMMANDS, |v| {
            u32::try_from(v).unwrap_or(u32::MAX)
        });
    let max_session_time = s
        .duration("max_session_time")
        .unwrap_or(defaults::MAX_SESSION_TIME);
    let per_ip_v6_prefix = match s.integer("per_ip_v6_prefix") {
        Some(p @ 1..=128) => p as u8,
        Some(_) => {
            s.issue("per_ip_v6_prefix", "must be a prefix length from 1 to 128");
            defaults::PER_IP_V6_PREFIX
        }
        None => defaults::PER_IP_V6_PREFIX,
    };
    SmtpLimits {
        memory_budget,
        max_junk_commands,
        max_session_time,
        per_ip_v6_prefix,
    }
}
