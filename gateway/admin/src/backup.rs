//! `POST /api/v1/backup`: a consistent snapshot of the running gateway's spool
//! ([`Spool::snapshot`]) into a new directory under `staging` (inside the data directory, the
//! only place the service may write under its systemd unit). The answer names the directory;
//! `sealgate backup` moves it to where the administrator wants it and adds the key files.
//! When the secure portal runs, the same directory gets a snapshot of its escrow store
//! (`portal/`: [`EscrowStore::snapshot`], escrowed copies, passkeys, status tokens), taken after
//! the spool's — in that order a copy is never in neither: a recipient the spool snapshot still
//! has queued is escrowed again after a restore (at least once), and one it has `Escrowed` was
//! deposited before, so the later escrow snapshot holds its copy. One backup at a time (409 while one runs). The snapshot holds sealed bodies
//! and sealed copies only.

use crate::{authorised, error};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use sealgate_commit::Spool;
use sealgate_core::Clock;
use sealgate_portal::EscrowStore;
use std::path::PathBuf;
use std::sync::Arc;

/// The route's path.
pub const PATH: &str = "/api/v1/backup";

/// What the backup route needs.
#[derive(Clone)]
pub struct BackupAdmin {
    /// The open spool.
    pub spool: Spool,
    /// Where snapshots are made (created 0700), e.g. `<storage.dir>/backups`.
    pub staging: PathBuf,
    /// Bearer token.
    pub token: Arc<str>,
    /// Names the snapshot directory.
    pub clock: Arc<dyn Clock>,
    /// Held while a snapshot runs.
    pub busy: Arc<tokio::sync::Mutex<()>>,
    /// The secure portal's escrow store, when a portal runs.
    pub escrow: Option<Arc<EscrowStore>>,
}

/// The backup route with its own state, to merge into the admin router.
pub fn routes(admin: BackupAdmin) -> Router {
    Router::new().route(PATH, post(backup)).with_state(admin)
}

async fn backup(State(b): State<BackupAdmin>, headers: HeaderMap) -> Response {
    if !authorised(&headers, &b.token) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let Ok(_busy) = b.busy.clone().try_lock_owned() else {
        return error(StatusCode::CONFLICT, "a backup is already running");
    };
    let dir = b
        .staging
        .join(format!("snapshot-{}", b.clock.now().millis()));
    let (spool, staging, target) = (b.spool.clone(), b.staging.clone(), dir.clone());
    let escrow = b.escrow.clone();
    let made = tokio::task::spawn_blocking(move || {
        std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
            .create(&staging)
            .map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
        let report = spool.snapshot(&target).map_err(|e| e.to_string())?;
        let portal = escrow
            .map(|store| store.snapshot(&target))
            .transpose()
            .map_err(|e| format!("escrow store: {e}"))?;
        Ok::<_, String>((report, portal))
    })
    .await;
    match made {
        Ok(Ok((report, portal))) => {
            tracing::info!(dir = %dir.display(), messages = report.messages,
                active = report.active, bodies = report.bodies,
                escrowed = portal.as_ref().map(|p| p.active), "spool snapshot made");
            Json(serde_json::json!({ "dir": dir, "report": report, "portal": portal }))
                .into_response()
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "spool snapshot failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("snapshot failed: {e}"),
            )
        }
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "snapshot task failed"),
    }
}
