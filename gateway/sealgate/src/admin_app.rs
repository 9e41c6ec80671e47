//! The admin API as `serve` assembles it: the core router (queue, keys, metrics, health, TLS
//! when delivery runs in mx mode) merged with the routes of the parts that live in the binary —
//! backups of the open spool, the connectors' attribution facts and the secure portal — and the
//! listener options (header-read timeout, TLS, the exposure warning).

use anyhow::Context;
use sealgate_admin::AdminState;
use sealgate_commit::Spool;
use sealgate_core::Clock;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where `POST /api/v1/backup` makes its snapshots, under `storage.dir`.
pub const BACKUP_STAGING: &str = "backups";

/// What the admin API needs beyond [`AdminState`].
pub(crate) struct Extras {
    /// The open spool, for snapshots.
    pub backup_spool: Spool,
    /// `<storage.dir>/backups`.
    pub staging: PathBuf,
    pub clock: Arc<dyn Clock>,
    /// The running TLS policy and report schedule (mx mode only).
    pub tls: Option<sealgate_admin::tls::TlsAdmin>,
    /// The accept stage's tenants, whose fact rings answer `connect check`.
    pub tenants: sealgate_connectors::Tenants,
    /// The escrow store, `[portal] max_expiry` and the tenants' own `max_expiry` when a portal
    /// runs.
    pub portal: Option<PortalExtras>,
}

/// The escrow store, `[portal] max_expiry`, and the tenants that set their own `max_expiry`.
pub(crate) type PortalExtras = (
    Arc<sealgate_portal::EscrowStore>,
    Duration,
    Arc<std::collections::HashMap<String, Duration>>,
);

/// The whole admin router.
pub(crate) fn app(state: AdminState, extras: Extras) -> axum::Router {
    let token = Arc::clone(&state.token);
    let backup = sealgate_admin::backup::routes(sealgate_admin::backup::BackupAdmin {
        spool: extras.backup_spool,
        staging: extras.staging,
        token: Arc::clone(&token),
        clock: Arc::clone(&extras.clock),
        busy: Arc::default(),
        escrow: extras.portal.as_ref().map(|p| Arc::clone(&p.0)),
    });
    let app = match extras.tls {
        Some(tls) => sealgate_admin::router_with_tls(state, tls),
        None => sealgate_admin::router(state),
    }
    .merge(backup)
    .merge(connect_routes(&token, &extras.tenants));
    match extras.portal {
        Some((store, max_expiry, tenant_max)) => app
            .merge(sealgate_admin::passkeys::routes(
                sealgate_admin::passkeys::PasskeyAdmin {
                    store: Arc::clone(&store),
                    token: Arc::clone(&token),
                },
            ))
            .merge(sealgate_admin::portal::routes(
                sealgate_admin::portal::PortalAdmin {
                    store,
                    token,
                    max_expiry,
                    tenant_max,
                    clock: extras.clock,
                },
            )),
        None => app,
    }
}

/// The admin API's `connect check` route, answered from the accept stage's fact rings.
fn connect_routes(token: &Arc<str>, tenants: &sealgate_connectors::Tenants) -> axum::Router {
    let t = tenants.clone();
    sealgate_admin::connect::routes(
        Arc::clone(token),
        Arc::new(move |name: &str| {
            t.fact_records(name)
                .and_then(|f| serde_json::to_value(f).ok())
        }),
    )
}

/// The admin API's header-read timeout and TLS; warns loudly when it is reachable beyond
/// loopback without TLS.
pub(crate) fn serve_options(
    admin: &sealgate_config::AdminConfig,
) -> anyhow::Result<sealgate_admin::ServeOptions> {
    let tls = match &admin.tls {
        Some(t) => Some(
            sealgate_accept::tls::acceptor(
                &t.cert,
                &t.key,
                sealgate_accept::tls::ClientRoots::None,
            )
            .context("admin.tls_cert / admin.tls_key")?,
        ),
        None => None,
    };
    if let Some(w) = sealgate_admin::exposure_warning(admin.listen, tls.is_some()) {
        tracing::warn!("{w}");
    }
    Ok(sealgate_admin::ServeOptions {
        header_read_timeout: admin.header_read_timeout,
        tls,
    })
}
