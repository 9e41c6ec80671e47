//! Which network addresses the gateway may connect to on a remote domain's say.
//!
//! MX answers, MTA-STS policy hosts, WKD directories and TLS-RPT `https:` destinations are
//! chosen by the recipient domain's DNS, so a hostile domain could point them at loopback, a
//! private network or the admin API. [`DestinationGuard`] refuses every address that is not
//! global unicast ([`non_global`]) unless the administrator lifted it
//! (`[delivery] allow_non_global_destinations`); each refusal goes to a [`RefusalSink`]
//! (the metrics registry, which also logs it). Static routes are the administrator's own
//! choice and never pass through a guard.
//!
//! Pure: classification only, no I/O.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

/// What a refused connection was for (a metric label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// An MX host (or the implicit MX) of a recipient domain.
    Mx,
    /// An MTA-STS policy host (`mta-sts.DOMAIN`).
    MtaSts,
    /// A Web Key Directory host (`openpgpkey.DOMAIN` or `DOMAIN`).
    Wkd,
    /// A TLS-RPT `https:` report destination.
    TlsRpt,
}

impl Purpose {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Mx => "mx",
            Purpose::MtaSts => "mta-sts",
            Purpose::Wkd => "wkd",
            Purpose::TlsRpt => "tls-rpt",
        }
    }
}

/// Why an address is not global (a metric label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NonGlobal {
    /// `0.0.0.0/8`, `::`.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918 (`10/8`, `172.16/12`, `192.168/16`), ULA `fc00::/7`, site-local `fec0::/10`.
    Private,
    /// `169.254/16`, `fe80::/10`.
    LinkLocal,
    /// Carrier-grade NAT, `100.64.0.0/10`.
    SharedCgnat,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// Everything else outside global unicast: `240/4` and broadcast, `192.0.0/24`,
    /// `198.18/15`, `2001::/23`, `100::/64`, IPv4-compatible `::/96`, space outside `2000::/3`.
    Reserved,
}

impl NonGlobal {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            NonGlobal::Unspecified => "unspecified",
            NonGlobal::Loopback => "loopback",
            NonGlobal::Private => "private",
            NonGlobal::LinkLocal => "link-local",
            NonGlobal::SharedCgnat => "cgnat",
            NonGlobal::Multicast => "multicast",
            NonGlobal::Documentation => "documentation",
            NonGlobal::Reserved => "reserved",
        }
    }
}

/// `None` for a global unicast address, else why it is not one. IPv4-mapped
/// (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`) forms are judged by the
/// IPv4 address they carry.
pub fn non_global(ip: IpAddr) -> Option<NonGlobal> {
    match ip {
        IpAddr::V4(v4) => non_global_v4(v4),
        IpAddr::V6(v6) => non_global_v6(v6),
    }
}

fn non_global_v4(ip: Ipv4Addr) -> Option<NonGlobal> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => NonGlobal::Unspecified,
        (127, _, _) => NonGlobal::Loopback,
        (10, _, _) | (192, 168, _) => NonGlobal::Private,
        (172, 16..=31, _) => NonGlobal::Private,
        (169, 254, _) => NonGlobal::LinkLocal,
        (100, 64..=127, _) => NonGlobal::SharedCgnat,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => NonGlobal::Documentation,
        (192, 0, 0) | (198, 18..=19, _) => NonGlobal::Reserved,
        (224..=239, _, _) => NonGlobal::Multicast,
        (240..=255, _, _) => NonGlobal::Reserved,
        _ => return None,
    })
}

fn non_global_v6(ip: Ipv6Addr) -> Option<NonGlobal> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some(NonGlobal::Unspecified);
    }
    if ip.is_loopback() {
        return Some(NonGlobal::Loopback);
    }
    if let Some(v4) = ip.to_ipv4_mapped() {
        return non_global_v4(v4);
    }
    let embedded = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    Some(match s[0] {
        0x0064 if s[1] == 0xff9b && s[2..6] == [0; 4] => return non_global_v4(embedded),
        0x0064 if s[1] == 0xff9b && s[2] == 0x0001 => NonGlobal::Private,
        // IPv4-compatible (deprecated) and the rest of ::/8.
        0x0000..=0x00ff => NonGlobal::Reserved,
        0x0100 if s[1..4] == [0; 3] => NonGlobal::Reserved,
        0x2001 if s[1] == 0x0db8 => NonGlobal::Documentation,
        0x2001 if s[1] < 0x0200 => NonGlobal::Reserved,
        0x2002 => {
            let inner = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
            return non_global_v4(inner);
        }
        0x3fff if s[1] < 0x1000 => NonGlobal::Documentation,
        0x2000..=0x3fff => return None,
        0xfc00..=0xfdff => NonGlobal::Private,
        0xfe80..=0xfebf => NonGlobal::LinkLocal,
        0xfec0..=0xfeff => NonGlobal::Private,
        0xff00..=0xffff => NonGlobal::Multicast,
        _ => NonGlobal::Reserved,
    })
}

/// Told of every refused address (the metrics registry counts and logs it).
pub trait RefusalSink: Send + Sync {
    /// `host` (a DNS name or the address itself) resolved to `ip`, which was refused.
    fn refused(&self, purpose: Purpose, host: &str, ip: IpAddr, why: NonGlobal);
}

/// The address filter for destinations a remote domain names.
#[derive(Clone)]
pub struct DestinationGuard {
    allow_non_global: bool,
    sink: Option<Arc<dyn RefusalSink>>,
}

impl std::fmt::Debug for DestinationGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DestinationGuard")
            .field("allow_non_global", &self.allow_non_global)
            .finish()
    }
}

impl Default for DestinationGuard {
    /// Refuses non-global addresses, reporting to no one.
    fn default() -> Self {
        DestinationGuard::new(false, None)
    }
}

impl DestinationGuard {
    /// A guard; `allow_non_global` lifts the filter (`[delivery] allow_non_global_destinations`).
    pub fn new(allow_non_global: bool, sink: Option<Arc<dyn RefusalSink>>) -> DestinationGuard {
        DestinationGuard {
            allow_non_global,
            sink,
        }
    }

    /// A guard that lets every address through (unit tests of code that talks to loopback).
    pub fn permissive() -> DestinationGuard {
        DestinationGuard::new(true, None)
    }

    /// Whether non-global addresses are allowed.
    pub fn allows_non_global(&self) -> bool {
        self.allow_non_global
    }

    /// `Err` (and a report to the sink) when `ip` may not be contacted for `purpose`.
    pub fn check(&self, purpose: Purpose, host: &str, ip: IpAddr) -> Result<(), NonGlobal> {
        if self.allow_non_global {
            return Ok(());
        }
        match non_global(ip) {
            None => Ok(()),
            Some(why) => {
                if let Some(sink) = &self.sink {
                    sink.refused(purpose, host, ip, why);
                }
                Err(why)
            }
        }
    }

    /// The addresses of `ips` that may be contacted, in order, and the reasons of those refused.
    pub fn filter(
        &self,
        purpose: Purpose,
        host: &str,
        ips: Vec<IpAddr>,
    ) -> (Vec<IpAddr>, Vec<NonGlobal>) {
        let mut refused = Vec::new();
        let allowed = ips
            .into_iter()
            .filter(|ip| match self.check(purpose, host, *ip) {
                Ok(()) => true,
                Err(why) => {
                    refused.push(why);
                    false
                }
            })
            .collect();
        (allowed, refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn class(s: &str) -> Option<&'static str> {
        non_global(s.parse().unwrap()).map(NonGlobal::as_str)
    }

    #[test]
    fn classifies_non_global_ranges() {
        let cases = [
            ("0.0.0.0", Some("unspecified")),
            ("127.0.0.1", Some("loopback")),
            ("10.1.2.3", Some("private")),
            ("172.16.0.1", Some("private")),
            ("172.31.255.255", Some("private")),
            ("192.168.1.1", Some("private")),
            ("169.254.169.254", Some("link-local")),
            ("100.64.0.1", Some("cgnat")),
            ("100.127.255.254", Some("cgnat")),
            ("192.0.2.10", Some("documentation")),
            ("198.51.100.1", Some("documentation")),
            ("203.0.113.9", Some("documentation")),
            ("198.18.0.1", Some("reserved")),
            ("224.0.0.1", Some("multicast")),
            ("255.255.255.255", Some("reserved")),
            ("::", Some("unspecified")),
            ("::1", Some("loopback")),
            ("::ffff:127.0.0.1", Some("loopback")),
            ("::ffff:10.0.0.1", Some("private")),
            ("::127.0.0.1", Some("reserved")),
            ("64:ff9b::a9fe:a9fe", Some("link-local")),
            ("2002:7f00:1::", Some("loopback")),
            ("fd00::1", Some("private")),
            ("fe80::1", Some("link-local")),
            ("ff02::1", Some("multicast")),
            ("2001:db8::1", Some("documentation")),
            ("3fff::1", Some("documentation")),
            ("2001::1", Some("reserved")),
            ("100::1", Some("reserved")),
            ("4000::1", Some("reserved")),
        ];
        for (ip, want) in cases {
            assert_eq!(class(ip), want, "{ip}");
        }
    }

    #[test]
    fn global_addresses_pass() {
        for ip in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "192.0.3.1",
            "1.1.1.1",
            "2a00:1450::1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert_eq!(class(ip), None, "{ip}");
        }
    }

    #[derive(Default)]
    struct Seen(Mutex<Vec<(Purpose, String, NonGlobal)>>);

    impl RefusalSink for Seen {
        fn refused(&self, purpose: Purpose, host: &str, _ip: IpAddr, why: NonGlobal) {
            self.0
                .lock()
                .unwrap()
                .push((purpose, host.to_string(), why));
        }
    }

    #[test]
    fn guard_refuses_and_reports_unless_lifted() {
        let seen = Arc::new(Seen::default());
        let guard = DestinationGuard::new(false, Some(seen.clone()));
        let ips = vec![
            "127.0.0.1".parse().unwrap(),
            "8.8.8.8".parse().unwrap(),
            "10.0.0.1".parse().unwrap(),
        ];
        let (ok, refused) = guard.filter(Purpose::Mx, "mx.example", ips.clone());
        assert_eq!(ok, vec!["8.8.8.8".parse::<IpAddr>().unwrap()]);
        assert_eq!(refused, vec![NonGlobal::Loopback, NonGlobal::Private]);
        assert_eq!(seen.0.lock().unwrap().len(), 2);
        let open = DestinationGuard::new(true, Some(seen.clone()));
        assert_eq!(open.filter(Purpose::Wkd, "x", ips.clone()).0, ips);
        assert_eq!(
            seen.0.lock().unwrap().len(),
            2,
            "a lifted guard reports nothing"
        );
    }
}
