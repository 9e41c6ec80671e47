//! `sealgate`: the gateway binary.
//!
//! `sealgate serve` runs the pipeline (accept → classify → commit → deliver, with the admin
//! API); `sealgate config check` validates a configuration without starting; `sealgate keys`
//! manages recipient OpenPGP keys and S/MIME certificates (through the admin API while a
//! gateway runs, on the store when none does); `sealgate queue`
//! inspects the spool — through the admin API while a gateway runs (redb admits one process),
//! directly from the store when none does; `sealgate tls status` shows what is known about a
//! recipient domain's transport security (the same way); `sealgate connect m365|google|check`
//! generates a tenant's platform setup and diagnoses it (`connect_cmd.rs`);
//! `sealgate backup` snapshots the spool (admin API while serving, the store otherwise) and
//! `sealgate restore` fills a new data directory from a backup.
#![forbid(unsafe_code)]

/// mimalloc as the allocator only with the (non-default) feature `mimalloc`: see the crate's
/// Cargo.toml and tests/bench/README.md for why it is off.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[macro_use]
mod out;
mod admin_app;
mod admin_client;
mod backup_cmd;
mod backup_portal;
mod cli;
mod connect_cmd;
mod connect_facts;
mod connect_verify;
mod credentials;
mod dkim_cmd;
mod explain_keys;
mod fast_random;
mod keys_cmd;
mod logging;
mod notify;
mod portal_cmd;
mod portal_listen;
mod portal_passkeys_cmd;
mod portal_reply;
mod portal_serve;
mod preflight;
mod queue_cmd;
mod reload;
mod rules_cmd;
mod secrets;
mod serve;
mod settings;
mod state_gauges;
mod tls_cmd;
mod tls_probe;

use clap::{Parser, Subcommand};
use cli::{
    ConfigCommand, DkimCommand, KeysCommand, MasterKeyCommand, PasskeysCommand, PortalCommand,
    QueueCommand, RulesCommand, TenantCommand, TlsCommand,
};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// `sealgate --version`: the package version and the commit it was built from (`build.rs`).
pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("SEALGATE_COMMIT"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "sealgate",
    version = VERSION,
    about = "Outbound email encryption gateway for healthcare"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway (embedded defaults without --config).
    Serve {
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Listen for SMTP here instead of `smtp.listen` (repeatable; port 0 picks a free
        /// port, printed on the READY line).
        #[arg(long, value_name = "ADDR")]
        smtp_listen: Vec<std::net::SocketAddr>,
        /// Serve the admin API here instead of `admin.listen`.
        #[arg(long, value_name = "ADDR")]
        admin_listen: Option<std::net::SocketAddr>,
    },
    /// Configuration commands.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Tenant commands.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Rule-file commands.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Explain, recipient by recipient, what the rules decide for a message and why.
    Explain(cli::ExplainArgs),
    /// DKIM key commands.
    Dkim {
        #[command(subcommand)]
        command: DkimCommand,
    },
    /// Recipient keys: OpenPGP certificates and S/MIME certificates (through the running
    /// gateway's admin API, or straight on the store when none runs).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
        #[command(flatten)]
        remote: cli::Remote,
    },
    /// Internal: the attachment-extraction child process (reads stdin, writes stdout).
    #[command(name = "__extract", hide = true)]
    Extract,
    /// Transport security of recipient domains.
    Tls {
        #[command(subcommand)]
        command: TlsCommand,
        /// Configuration file (TOML); embedded defaults without it.
        #[arg(long, global = true)]
        config: Option<PathBuf>,
        /// Admin API address, overriding `[admin] listen`.
        #[arg(long, global = true)]
        admin: Option<SocketAddr>,
    },
    /// The spool's master key file (`storage.master_key_file`).
    MasterKey {
        #[command(subcommand)]
        command: MasterKeyCommand,
        /// Configuration file (TOML); embedded defaults without it.
        #[arg(long, global = true)]
        config: Option<PathBuf>,
    },
    /// Platform setup of a tenant (Microsoft 365 script, Google Workspace steps, DNS records)
    /// and the diagnosis of its refused mail.
    Connect {
        #[command(subcommand)]
        command: connect_cmd::ConnectCommand,
        #[command(flatten)]
        remote: cli::Remote,
    },
    /// The secure portal's escrowed copies (through the running gateway).
    Portal {
        #[command(subcommand)]
        command: PortalCommand,
        #[command(flatten)]
        remote: cli::Remote,
    },
    /// Back up the spool into a new directory (consistent snapshot, key files; the master key
    /// only when asked).
    Backup(backup_cmd::BackupArgs),
    /// Restore a backup into a new, empty data directory (gateway stopped).
    Restore(backup_cmd::RestoreArgs),
    /// Inspect the queue.
    Queue {
        #[command(subcommand)]
        command: QueueCommand,
        #[command(flatten)]
        remote: cli::Remote,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            config,
            smtp_listen,
            admin_listen,
        } => serve::run(
            config.as_deref(),
            serve::Listen {
                smtp: smtp_listen,
                admin: admin_listen,
            },
        ),
        Command::Config {
            command: ConfigCommand::Check { file },
        } => config_check(&file),
        Command::Tenant {
            command: TenantCommand::Token { name, config },
        } => tenant_token(&config, &name),
        Command::Rules {
            command: RulesCommand::Check { dir },
        } => exit_code(rules_cmd::check(&dir)),
        Command::Rules {
            command: RulesCommand::Test { dir, cases },
        } => exit_code(rules_cmd::test(&dir, &cases)),
        Command::Explain(args) => exit_code(rules_cmd::explain(&args.request())),
        Command::Dkim {
            command:
                DkimCommand::Keygen {
                    domain,
                    selector,
                    algorithm,
                    out,
                },
        } => dkim_cmd::keygen(&domain, &selector, algorithm, out.as_deref()),
        Command::Keys { command, remote } => keys(command, &remote),
        Command::Tls {
            command,
            config,
            admin,
        } => tls(command, tls_cmd::Target { config, admin }),
        Command::MasterKey {
            command: MasterKeyCommand::Init,
            config,
        } => settings::load_config(config.as_deref())
            .and_then(|c| credentials::init(&c.storage.master_key_file)),
        Command::Connect { command, remote } => connect_cmd::run(&remote, command),
        Command::Backup(args) => backup_cmd::backup(&args),
        Command::Restore(args) => backup_cmd::restore(&args),
        Command::Extract => exit_code(Ok(sealgate_rules::extractor_main())),
        Command::Portal { command, remote } => portal(command, &remote),
        Command::Queue { command, remote } => queue(command, &remote),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Errors may quote remote text (an admin API answer, a server's reply).
            eprintln!("sealgate: {}", out::clean(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

/// `sealgate keys …`.
fn keys(command: KeysCommand, target: &cli::Remote) -> anyhow::Result<u8> {
    match command {
        KeysCommand::Import { file, trust } => keys_cmd::import(target, &file, &trust),
        KeysCommand::List => keys_cmd::list(target),
        KeysCommand::Remove { fingerprint } => keys_cmd::remove(target, &fingerprint),
        KeysCommand::Trust { fingerprint, level } => keys_cmd::trust(target, &fingerprint, &level),
    }
}

/// `sealgate tls …`.
fn tls(command: TlsCommand, target: tls_cmd::Target) -> anyhow::Result<u8> {
    match command {
        TlsCommand::Status { domain, json } => tls_cmd::status(&target, &domain, json),
        TlsCommand::Probe { domain, json } => {
            tls_probe::run(target.config.as_deref(), &domain, json)
        }
        TlsCommand::Report { day, json } => tls_cmd::report(&target, day.as_deref(), json),
    }
}

/// `sealgate portal …`.
fn portal(command: PortalCommand, target: &cli::Remote) -> anyhow::Result<u8> {
    match command {
        PortalCommand::List => portal_cmd::list(target),
        PortalCommand::Show { id } => portal_cmd::show(target, &id),
        PortalCommand::Revoke { id } => portal_cmd::action(target, &id, "revoke", None),
        PortalCommand::Extend { id, days } => portal_cmd::action(target, &id, "extend", Some(days)),
        PortalCommand::Passkeys {
            command: PasskeysCommand::List { tenant, address },
        } => portal_passkeys_cmd::list(target, tenant.as_deref(), address.as_deref()),
        PortalCommand::Passkeys {
            command: PasskeysCommand::Remove { id },
        } => portal_passkeys_cmd::remove(target, &id),
    }
}

/// `sealgate queue …`.
fn queue(command: QueueCommand, target: &cli::Remote) -> anyhow::Result<u8> {
    match command {
        QueueCommand::List { limit } => queue_cmd::list(target, limit),
        QueueCommand::Show { id } => queue_cmd::show(target, &id),
        QueueCommand::Retry { id, .. } => queue_cmd::action(target, id.as_deref(), "retry"),
        QueueCommand::Hold { id } => queue_cmd::action(target, Some(&id), "hold"),
        QueueCommand::Release { id: Some(id), .. } => {
            queue_cmd::action(target, Some(&id), "release")
        }
        QueueCommand::Release {
            tenant,
            reason,
            domain,
            ..
        } => queue_cmd::release_all(
            target,
            &sealgate_deliver::ReleaseFilter {
                tenant,
                reason,
                domain,
                ..Default::default()
            },
        ),
        QueueCommand::Delete { id } => queue_cmd::action(target, Some(&id), "delete"),
    }
}

/// Converts an `i32` exit status from the rules commands.
fn exit_code(r: anyhow::Result<i32>) -> anyhow::Result<u8> {
    r.map(|c| u8::try_from(c).unwrap_or(2))
}

/// `sealgate tenant token NAME --config FILE`.
fn tenant_token(config: &std::path::Path, name: &str) -> anyhow::Result<u8> {
    let config = settings::load_config(Some(config))?;
    let Some(tenant) = config.tenants.iter().find(|t| t.name == name) else {
        anyhow::bail!("no [tenants.{name}] in the configuration");
    };
    let Some(path) = &tenant.token_file else {
        anyhow::bail!(
            "tenants.{name} has no token_file (add token_file = \"/etc/sealgate/{name}.token\")"
        );
    };
    let token = secrets::tenant_token(path)?;
    println!("{token}");
    eprintln!(
        "token of tenants.{name} in {} (0600); the tenant's rule sets the header {}: <token>",
        path.display(),
        sealgate_connectors::TOKEN_HEADER
    );
    Ok(0)
}

/// `sealgate config check FILE`: the file's syntax and values, then every check `serve` makes
/// before it starts ([`preflight`]) — without creating or opening anything.
fn config_check(file: &std::path::Path) -> anyhow::Result<u8> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let config = match sealgate_config::Config::from_toml(&text) {
        Ok(config) => config,
        Err(e) => {
            print!("{}: {e}", file.display());
            return Ok(1);
        }
    };
    let problems = preflight::check(&config);
    if !problems.is_empty() {
        println!(
            "{}: {} problem(s) that stop `sealgate serve`:",
            file.display(),
            problems.len()
        );
        for p in problems {
            println!("  {p}");
        }
        return Ok(1);
    }
    // Warnings on stderr: stdout stays the verdict ("ok") that scripts read.
    for w in sealgate_config::warnings(&config.tenants) {
        eprintln!("warning: {w}");
    }
    let a = &config.admin;
    if let Some(w) = sealgate_admin::exposure_warning(a.listen, a.tls.is_some()) {
        eprintln!("warning: {w}");
    }
    println!("ok");
    Ok(0)
}
