//! End-to-end harness for Sealgate tests.
//!
//! Every scenario under `tests/scenarios/` runs the real `sealgate` binary (built by
//! `cargo build -p sealgate`, found beside the test executable or through `SEALGATE_BIN`) in
//! its own temporary directory, against real third-party tools (swaks, testssl, strace,
//! Postfix). Nothing here sleeps for timing: the harness waits on events — the `READY` line,
//! a reply line, a process exit, an HTTP answer — each under a deadline, and fails loudly
//! (with the gateway's log) when a deadline passes.
//!
//! - [`gateway`]: configuration from strings, start, `READY`, SIGTERM, `kill -9`, logs.
//! - [`smtp`]: a raw SMTP client with deadlines, PIPELINING-friendly, with STARTTLS (rustls).
//! - [`tools`]: running commands with a deadline, required tools, the CLI, swaks, HTTP.
//! - [`mail`]: building test messages with unique Message-IDs.
//! - [`receiver`]: a scripted receiving MTA (aiosmtpd) reporting each message as an event.
//! - [`postfix`]: a private Postfix instance as the receiving MTA (STARTTLS, Maildir).
//! - [`crypto`]: independent judges — DKIM keys and dkimpy / `opendkim -t`, gpg and openssl
//!   recipient keys and decryption.
//! - [`dns`]: an authoritative DNS server on 127.0.0.1 (hickory-server) for MX tests.
//! - [`nsd`]: a DNSSEC-signed zone (ldns-signzone) served by nsd, its trust anchor, bogus RRsets.
//! - [`certs`]: a test CA, leaves (expired, wrong name), self-signed certificates, TLSA hashes.
//! - [`mtasts`]: an HTTPS MTA-STS policy server answering per `Host`.
//! - [`strip_proxy`]: an SMTP proxy that strips STARTTLS (the downgrade attacker).
//! - [`tlsrig`]: what the outbound-TLS scenarios share: five Postfix TLS personalities, the
//!   gateway wired to them, a recipient's outcome from its queue record.
//! - [`queue`]: queue entries, `queue show`/`queue retry`, waiting for recipients' states.
//! - [`portal`]: portal links, the `portal` CLI, canary search, HTTPS GETs through curl.
//! - [`load`]: many concurrent sessions counting their `250`s; a gateway that keeps its queue.

pub mod certs;
pub mod connect;
pub mod crypto;
pub mod dns;
pub mod gateway;
pub mod load;
pub mod mail;
pub mod mtasts;
pub mod nsd;
pub mod portal;
pub mod postfix;
pub mod queue;
pub mod receiver;
pub mod smtp;
pub mod strip_proxy;
pub mod tlsrig;
pub mod tools;

pub use gateway::{Env, Gateway, GatewayConfig, Mode};
pub use smtp::{Reply, Smtp};

/// Turns a failed `Result`/`Option` into a test failure that says what was being done.
///
/// The harness is test code: a failed step is a failed test, and the message names the step.
pub trait OrDie<T> {
    /// The value, or a panic naming `what`.
    fn or_die(self, what: &str) -> T;
}

impl<T, E: std::fmt::Debug> OrDie<T> for Result<T, E> {
    fn or_die(self, what: &str) -> T {
        match self {
            Ok(v) => v,
            Err(e) => panic!("{what}: {e:?}"),
        }
    }
}

impl<T> OrDie<T> for Option<T> {
    fn or_die(self, what: &str) -> T {
        match self {
            Some(v) => v,
            None => panic!("{what}: nothing there"),
        }
    }
}
