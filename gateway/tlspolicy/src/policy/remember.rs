//! The parts of [`TlsPolicy`] that remember: the state store, flushing, the last facts per
//! domain, `tls status`, and moving a finished day's counts to pending reports (see
//! [`crate::state`] for the guarantees).

use super::TlsPolicy;
use crate::error::TlsPolicyError;
use crate::floor::Achieved;
use crate::mtasts::FetcherConfig;
use crate::policy::SessionResult;
use crate::state::{PendingReport, State};
use crate::status::{self, TlsStatus};
use crate::tlsrpt::{DAY_SECS, Submitter};
use sealgate_core::store::{TlsFacts, TlsStateStore};
use sealgate_core::{Clock, Domain, Timestamp};
use std::sync::Arc;

/// The facts of one finished session to `host`.
pub(crate) fn facts_of(host: &str, r: &SessionResult, now: Timestamp) -> TlsFacts {
    TlsFacts {
        at: now,
        mx_host: host.to_string(),
        achieved: achieved_name(r.achieved).to_string(),
        tls_version: r.tls_version.clone(),
        tls_cipher: r.tls_cipher.clone(),
        webpki_ok: r.webpki_ok,
        dane_ok: r.achieved == Achieved::DaneVerified,
        failure: r.failure.map(|f| f.as_str().to_string()),
    }
}

/// The name of a reached level, as stored.
pub(crate) fn achieved_name(a: Achieved) -> &'static str {
    match a {
        Achieved::Plaintext => "plaintext",
        Achieved::Encrypted => "encrypted",
        Achieved::Verified => "verified",
        Achieved::DaneVerified => "dane-verified",
    }
}

impl TlsPolicy {
    /// This policy remembering its TLS facts and TLS-RPT counts in `store` (the spool's
    /// `tls_state()`): counts and pending reports stored there are merged in before the first
    /// write. Nothing is written per session: call [`TlsPolicy::flush`] periodically (the
    /// TLS-RPT scheduler does, every tick) and at shutdown.
    pub fn with_state(mut self, store: Arc<dyn TlsStateStore>) -> TlsPolicy {
        self.state = State::new(Some(store));
        self
    }

    /// Writes the facts and counts gathered since the last flush in one transaction (a no-op
    /// without a state store). On failure they stay in memory for the next flush.
    pub async fn flush(&self) -> Result<(), TlsPolicyError> {
        self.state.flush(&self.reports).await
    }

    /// The last TLS facts seen for a domain (memory, then the store).
    pub async fn last_facts(&self, domain: &Domain) -> Result<Option<TlsFacts>, TlsPolicyError> {
        self.state.facts(domain).await
    }

    /// What is known about a domain's transport security, without network I/O: the admin
    /// floor, the pin, the cached MTA-STS policy and the last session's facts.
    pub async fn status(&self, domain: &Domain) -> Result<TlsStatus, TlsPolicyError> {
        let last = self.last_facts(domain).await?;
        let (pins, sts, d, now) = (
            self.pins.clone(),
            self.sts_store.clone(),
            domain.clone(),
            self.clock.now(),
        );
        let admin = self.admin_part(domain);
        let mx_only = self.mx_required(domain);
        let flags = (self.sts.is_some(), self.dane_enabled);
        let mut status = tokio::task::spawn_blocking(move || {
            status::read(&d, admin, &pins, &*sts, last, flags, now)
        })
        .await
        .map_err(|e| TlsPolicyError::Report(format!("status task: {e}")))??;
        status.mx_authenticated_only = mx_only;
        Ok(status)
    }

    /// The clock this policy reads.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// How `https:` TLS-RPT destinations are reached (the MTA-STS fetch settings: roots,
    /// time limit, test-only address override).
    pub fn fetcher_config(&self) -> &FetcherConfig {
        &self.fetcher
    }

    /// The UTC days that have session counts, oldest first.
    pub fn report_days(&self) -> Vec<u64> {
        self.reports.days()
    }

    /// Makes the reports of UTC day `day` and keeps them as pending until delivered (stored
    /// in the same transaction that removes the day's counts, when there is a store).
    pub async fn make_reports(
        &self,
        day: u64,
        submitter: &Submitter,
    ) -> Result<Vec<PendingReport>, TlsPolicyError> {
        // A day not over yet (an admin's "send now") is reported up to now.
        let now = self.clock.now().secs();
        let until = (now / DAY_SECS == day).then_some(now % DAY_SECS);
        self.state
            .make_reports(&self.reports, || {
                self.reports.drain_until(day, submitter, until)
            })
            .await
    }

    /// Reports made but not yet delivered to every `rua`.
    pub async fn pending_reports(&self) -> Result<Vec<PendingReport>, TlsPolicyError> {
        self.state.pending(&self.reports).await
    }

    /// Records delivery progress: `updated` reports are kept (stored), `finished` ones
    /// (delivered everywhere, or given up) forgotten.
    pub async fn update_pending(
        &self,
        updated: Vec<PendingReport>,
        finished: Vec<(u64, String)>,
    ) -> Result<(), TlsPolicyError> {
        self.state
            .update_pending(&self.reports, updated, finished)
            .await
    }
}
