//! The subcommands' arguments (clap), apart from the top-level [`Command`](crate) list kept in
//! `main.rs`: rules, DKIM, keys, config, tenants, TLS, the master key, the portal and the queue.

use crate::dkim_cmd;
use clap::{Args, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where a command finds the gateway (the configuration's store, or the running gateway's
/// admin API) and how it prints: the options `keys`, `queue`, `portal` and `connect` share.
#[derive(Args, Debug, Default)]
pub(crate) struct Remote {
    /// Configuration file (TOML); embedded defaults without it.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Admin API address, overriding `[admin] listen`.
    #[arg(long, global = true)]
    pub admin: Option<SocketAddr>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

/// `sealgate explain`'s arguments.
#[derive(Args, Debug)]
pub(crate) struct ExplainArgs {
    /// The message (.eml).
    pub file: PathBuf,
    /// Rule directory (the shipped default set without it).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also show which method each encrypted recipient would get now from the key store
    /// (of --config, or of the embedded default); needs the gateway stopped.
    #[arg(long)]
    pub keys: bool,
    /// Configuration file whose key store --keys reads.
    #[arg(long, requires = "keys")]
    pub config: Option<PathBuf>,
    /// An envelope recipient (`RCPT TO`), repeatable: replaces the To/Cc/Bcc headers'
    /// addresses (a list sent in Bcc shows `undisclosed-recipients:;`).
    #[arg(long = "rcpt", value_name = "ADDR")]
    pub rcpts: Vec<String>,
    /// The envelope sender (`MAIL FROM`): replaces the From header's address.
    #[arg(long, value_name = "ADDR")]
    pub from: Option<String>,
}

impl ExplainArgs {
    /// The request `rules_cmd::explain` serves.
    pub fn request(&self) -> crate::rules_cmd::ExplainRequest<'_> {
        crate::rules_cmd::ExplainRequest {
            keys: self.keys.then_some(self.config.as_deref()),
            from: self.from.as_deref(),
            rcpts: &self.rcpts,
            ..crate::rules_cmd::ExplainRequest::new(&self.file, self.rules.as_deref(), self.json)
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum RulesCommand {
    /// Validate a rule directory: every error with file and line.
    Check {
        /// The rule directory.
        dir: PathBuf,
    },
    /// Run golden cases (`NAME.eml` + `NAME.json`) against a rule directory.
    Test {
        /// The rule directory.
        dir: PathBuf,
        /// The cases directory.
        #[arg(long)]
        cases: PathBuf,
    },
}

#[derive(Subcommand)]
pub(crate) enum DkimCommand {
    /// Write a new private key (mode 0600) and print the DNS TXT record to publish.
    Keygen {
        /// Signing domain (`d=`), e.g. acme-health.org.
        domain: String,
        /// Selector (`s=`), e.g. s2026.
        selector: String,
        /// Key algorithm.
        #[arg(long, value_enum, default_value = "rsa")]
        algorithm: dkim_cmd::Algorithm,
        /// Where to write the key (default `DOMAIN.SELECTOR.pem`); never overwritten.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub(crate) enum KeysCommand {
    /// Import a public OpenPGP certificate or an X.509 certificate (PEM/DER, intermediates
    /// after the leaf), filed under every e-mail address it names.
    Import {
        /// The key file.
        file: PathBuf,
        /// Trust level: manual, verified or discovered.
        #[arg(long, default_value = "manual")]
        trust: String,
    },
    /// List recipient keys.
    List,
    /// Remove a key (every address it is filed under).
    Remove {
        /// Fingerprint (OpenPGP, or the certificate's SHA-256).
        fingerprint: String,
    },
    /// Set a key's trust level.
    Trust {
        /// Fingerprint.
        fingerprint: String,
        /// manual, verified or discovered.
        level: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum ConfigCommand {
    /// Validate a configuration file; every problem is listed with its key.
    Check {
        /// The file.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub(crate) enum TenantCommand {
    /// Create the tenant's secret token in its `token_file` (mode 0600; kept if it exists) and
    /// print it: the value the tenant's transport rule (m365) or routing rule (google) sets in
    /// the `X-Sealgate-Token` header.
    Token {
        /// The tenant (a `[tenants.NAME]` table).
        name: String,
        /// The configuration file.
        #[arg(long)]
        config: PathBuf,
    },
}

#[derive(Subcommand)]
pub(crate) enum TlsCommand {
    /// What is known about a domain (no network): the `[tls.domains]` floor, the pin, the
    /// cached MTA-STS policy, the last session's TLS version, cipher and certificate result.
    Status {
        /// The recipient domain.
        domain: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Tests now (network): the TLS plan and one STARTTLS session per next hop, judged as a
    /// delivery would be; sends no mail, records nothing. Exit 1 when no next hop would take
    /// the mail now.
    Probe {
        /// The recipient domain.
        domain: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Sends the TLS-RPT reports (RFC 8460) of one UTC day now, through the running gateway
    /// (admin API), and retries that day's undelivered ones. Exit 1 when a destination failed
    /// (it stays pending for the daily run).
    Report {
        /// The UTC day, YYYY-MM-DD; default today (the counts so far).
        #[arg(long)]
        day: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum MasterKeyCommand {
    /// Create the master key file (0600) unless it exists, before the first start under
    /// systemd (which loads it as a credential and never creates it).
    Init,
}

#[derive(Subcommand)]
pub(crate) enum PortalCommand {
    /// List escrowed copies.
    List,
    /// Show one escrowed copy with its events.
    Show {
        /// Escrow id (the link's path).
        id: String,
    },
    /// Withdraw a copy: its stored key half is destroyed, the link shows "withdrawn".
    Revoke {
        /// Escrow id.
        id: String,
    },
    /// Move a copy's expiry to now plus DAYS (within its tenant's `max_expiry`, else `[portal]`'s).
    Extend {
        /// Escrow id.
        id: String,
        /// Days from now.
        #[arg(long)]
        days: u64,
    },
    /// Recipients' passkeys (WebAuthn) on the tenants' portal hosts.
    Passkeys {
        #[command(subcommand)]
        command: PasskeysCommand,
    },
}

#[derive(Subcommand)]
pub(crate) enum PasskeysCommand {
    /// List registered passkeys (owner pseudonyms, credential ids; never keys or addresses).
    List {
        /// Only this tenant's.
        #[arg(long)]
        tenant: Option<String>,
        /// Only this recipient's (matched by its pseudonym).
        #[arg(long)]
        address: Option<String>,
    },
    /// Remove a passkey: its recipient logs in with the emailed code again.
    Remove {
        /// Credential id, as listed.
        id: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum QueueCommand {
    /// List queued messages, oldest first.
    List {
        /// At most this many.
        #[arg(long, default_value_t = 1000)]
        limit: usize,
    },
    /// Show one message with each recipient's history.
    Show {
        /// Message id.
        id: String,
    },
    /// Try a message's scheduled and deferred recipients now (`--all`: every waiting message).
    Retry {
        /// Message id.
        #[arg(required_unless_present = "all")]
        id: Option<String>,
        /// Every waiting message.
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
    /// Hold a message's recipients until released (a hold expires into a bounce).
    Hold {
        /// Message id.
        id: String,
    },
    /// Release held recipients: their protection chain runs again (`--all`: every held
    /// recipient, narrowed by --tenant, --reason and --domain).
    Release {
        /// Message id.
        #[arg(required_unless_present = "all")]
        id: Option<String>,
        /// Every held recipient (that the filters match).
        #[arg(long, conflicts_with = "id")]
        all: bool,
        /// Only this tenant's messages.
        #[arg(long, requires = "all")]
        tenant: Option<String>,
        /// Only holds whose reason contains this text (e.g. "no key on file").
        #[arg(long, requires = "all")]
        reason: Option<String>,
        /// Only recipients in this domain.
        #[arg(long, requires = "all")]
        domain: Option<String>,
    },
    /// Delete a message's recipients that are not yet final.
    Delete {
        /// Message id.
        id: String,
    },
}
