//! The daily TLS-RPT run (RFC 8460 §4): after each UTC day ends — plus a random delay, so
//! submitters don't all send at midnight — every policy domain with sessions that day gets its
//! report at each `rua` of its `_smtp._tls` record: `mailto:` as the §5.3 mail handed to a
//! [`ReportSink`], `https:` as a gzipped POST (§5.2, [`super::mail::post`]).
//!
//! Guarantees: a day's counts become pending reports in one store transaction
//! ([`crate::TlsPolicy::make_reports`]); a report stays pending until every `rua` took it (one
//! that did is not sent to again), is retried on the first tick after `retry_every`, and is
//! given up — logged — once its day is more than `give_up_after_days` old; a domain without
//! a usable record is dropped (nothing to send). At most `max_destinations` `rua`s of one
//! policy are served (the first ones listed), and one run — a tick's delivery round or a
//! "send now" — spends at most `run_budget` sending: a destination still sending when it runs
//! out failed this round, and reports not reached stay pending, untouched, for the next run,
//! so slow endpoints cannot stall every domain's report. Every tick also flushes the policy's state,
//! and the run flushes once more when shut down. Time comes from the policy's [`Clock`],
//! the delay from [`Random`], so tests drive [`Scheduler::tick`] with a manual clock.
//! Logs name policy domains, days and counts — never content.
//!
//! [`Clock`]: sealgate_core::Clock

use super::{DAY_SECS, Rua, Submitter};
use crate::TlsPolicy;
use crate::error::TlsPolicyError;
use crate::state::PendingReport;
use sealgate_config::Config;
use sealgate_core::{Address, Domain, Random, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where report mail goes: the deliver stage commits it to the spool as gateway-originated
/// mail (`TLS-Required: No`, exempt from pins and TLS floors, DKIM-signed with the gateway
/// key at delivery).
pub trait ReportSink: Send + Sync {
    /// Queues `content` (a complete message, CR LF line ends) for delivery to `to`. Blocks
    /// (a spool commit): called on the blocking pool. An error is a short generic reason; the
    /// report is retried later.
    fn submit_mail(&self, to: &Address, content: Vec<u8>) -> Result<(), String>;
}

/// When and as whom reports are sent.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// `organization-name`, `contact-info` and the submitter domain.
    pub submitter: Submitter,
    /// From of the report mail.
    pub from: Address,
    /// Most random delay after midnight UTC before a day's reports are made.
    pub max_delay: Duration,
    /// How often the run wakes (and flushes the policy's state).
    pub tick: Duration,
    /// Least time between delivery rounds of one undelivered report.
    pub retry_every: Duration,
    /// An undelivered report is given up once its day is older than this many days.
    pub give_up_after_days: u64,
    /// Most `rua` destinations served per policy (the first ones listed).
    pub max_destinations: usize,
    /// Most time one delivery round may spend sending.
    pub run_budget: Duration,
}

impl Schedule {
    /// From `[gateway]` and `[tls]`: organisation `report_organization` (default the gateway
    /// domain), contact `report_contact` (default `mailto:` the postmaster), From the
    /// postmaster; up to 30 minutes' delay, a 60 s tick, hourly retries for 3 days, at most
    /// [`MAX_DESTINATIONS`] `rua`s per policy and [`RUN_BUDGET`] of sending per round.
    pub fn from_config(config: &Config) -> Schedule {
        let g = &config.gateway;
        Schedule {
            submitter: Submitter {
                organization: config
                    .tls
                    .report_organization
                    .clone()
                    .unwrap_or_else(|| g.domain.to_string()),
                contact: config
                    .tls
                    .report_contact
                    .clone()
                    .unwrap_or_else(|| format!("mailto:{}", g.postmaster)),
                domain: g.domain.clone(),
            },
            from: g.postmaster.clone(),
            max_delay: Duration::from_secs(30 * 60),
            tick: Duration::from_secs(60),
            retry_every: Duration::from_secs(3600),
            give_up_after_days: 3,
            max_destinations: MAX_DESTINATIONS,
            run_budget: RUN_BUDGET,
        }
    }
}

/// Most `rua` destinations served per policy (RFC 8460 sets no limit; real records list one
/// or two).
pub const MAX_DESTINATIONS: usize = 5;
/// Most time one delivery round spends sending (the tick's flush and report making aside).
pub const RUN_BUDGET: Duration = Duration::from_secs(10 * 60);

/// What happened to one report at one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The UTC day reported.
    pub day: u64,
    /// The policy domain.
    pub domain: String,
    /// The `rua` (`mailto:…` or `https://…`; empty when the record lookup failed).
    pub rua: String,
    /// Why it failed, if it did (it is retried).
    pub error: Option<String>,
}

/// What a run or a tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentSummary {
    /// Reports made from counts.
    pub made: usize,
    /// One entry per delivery tried.
    pub outcomes: Vec<Outcome>,
    /// Policy domains without a usable `_smtp._tls` record (their reports were dropped).
    pub without_rua: Vec<String>,
    /// Reports given up after `give_up_after_days`.
    pub given_up: Vec<String>,
    /// Policy domains whose reports the round had no time left for (still pending).
    #[serde(default)]
    pub out_of_time: Vec<String>,
}

impl SentSummary {
    fn add(&mut self, other: SentSummary) {
        self.made += other.made;
        self.outcomes.extend(other.outcomes);
        self.without_rua.extend(other.without_rua);
        self.given_up.extend(other.given_up);
        self.out_of_time.extend(other.out_of_time);
    }

    /// Nothing happened.
    pub fn is_empty(&self) -> bool {
        *self == SentSummary::default()
    }

    /// Destinations that did not take their report (still pending).
    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.error.is_some()).count()
    }
}

/// The daily run over one policy.
pub struct Scheduler {
    policy: Arc<TlsPolicy>,
    sink: Arc<dyn ReportSink>,
    schedule: Schedule,
    rng: Arc<dyn Random>,
    delays: Mutex<HashMap<u64, Duration>>,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("schedule", &self.schedule)
            .finish()
    }
}

/// Runs the daily TLS-RPT schedule until `shutdown` resolves, then flushes the policy's
/// state once more. Spawn it once per gateway.
pub async fn run(
    policy: Arc<TlsPolicy>,
    sink: Arc<dyn ReportSink>,
    schedule: Schedule,
    rng: Arc<dyn Random>,
    shutdown: impl Future<Output = ()>,
) {
    Scheduler::new(policy, sink, schedule, rng)
        .run(shutdown)
        .await;
}

/// Makes and sends the reports of UTC day `day` now (an admin's "send now"; today's counts
/// so far too), and tries again every pending report of that day. Undelivered ones stay
/// pending for the scheduler.
pub async fn send_day(
    policy: &Arc<TlsPolicy>,
    sink: &Arc<dyn ReportSink>,
    schedule: &Schedule,
    day: u64,
) -> Result<SentSummary, TlsPolicyError> {
    let made = policy.make_reports(day, &schedule.submitter).await?;
    let pending: Vec<PendingReport> = policy
        .pending_reports()
        .await?
        .into_iter()
        .filter(|p| p.report.day == day)
        .collect();
    let mut summary = deliver(policy, sink, schedule, pending).await?;
    summary.made = made.len();
    Ok(summary)
}

impl Scheduler {
    /// A scheduler; [`Scheduler::run`] or [`Scheduler::tick`] drive it.
    pub fn new(
        policy: Arc<TlsPolicy>,
        sink: Arc<dyn ReportSink>,
        schedule: Schedule,
        rng: Arc<dyn Random>,
    ) -> Scheduler {
        Scheduler {
            policy,
            sink,
            schedule,
            rng,
            delays: Mutex::new(HashMap::new()),
        }
    }

    /// When the reports of `day` are due: the next midnight plus this day's random delay.
    fn due(&self, day: u64) -> Timestamp {
        let max = self.schedule.max_delay.as_secs();
        let mut delays = self
            .delays
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let delay = *delays.entry(day).or_insert_with(|| {
            if max == 0 {
                return Duration::ZERO;
            }
            let mut b = [0u8; 8];
            self.rng.fill(&mut b);
            Duration::from_secs(u64::from_le_bytes(b) % max)
        });
        Timestamp((day + 1) * DAY_SECS * 1000).plus(delay)
    }

    /// One pass: flush the state, make the reports of every finished day that is due, and
    /// deliver every pending report whose retry time has come.
    pub async fn tick(&self) -> SentSummary {
        if let Err(e) = self.policy.flush().await {
            tracing::warn!(error = %e, "TLS state flush failed; kept in memory");
        }
        let now = self.policy.clock().now();
        let today = now.secs() / DAY_SECS;
        let mut summary = SentSummary::default();
        for day in self.policy.report_days() {
            if day >= today || now < self.due(day) {
                continue;
            }
            match self
                .policy
                .make_reports(day, &self.schedule.submitter)
                .await
            {
                Ok(made) => summary.made += made.len(),
                Err(e) => tracing::warn!(day, error = %e, "TLS-RPT reports not made; next tick"),
            }
        }
        let pending = match self.policy.pending_reports().await {
            Ok(p) => p.into_iter().filter(|p| p.next_try <= now).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "TLS-RPT pending reports unreadable; next tick");
                Vec::new()
            }
        };
        match deliver(&self.policy, &self.sink, &self.schedule, pending).await {
            Ok(s) => summary.add(s),
            Err(e) => tracing::warn!(error = %e, "TLS-RPT delivery progress not stored"),
        }
        if !summary.is_empty() {
            let failed = summary.failed();
            tracing::info!(
                made = summary.made,
                delivered = summary.outcomes.len() - failed,
                failed,
                without_rua = summary.without_rua.len(),
                given_up = summary.given_up.len(),
                "TLS-RPT run"
            );
        }
        summary
    }

    /// Ticks every `schedule.tick` until `shutdown` resolves, then flushes.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            self.tick().await;
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(self.schedule.tick) => {}
            }
        }
        if let Err(e) = self.policy.flush().await {
            tracing::warn!(error = %e, "TLS state flush at shutdown failed");
        }
    }
}

fn rua_uri(r: &Rua) -> String {
    match r {
        Rua::Mail(a) => format!("mailto:{a}"),
        Rua::Https(u) => u.clone(),
    }
}

/// Sends one report to one destination.
async fn send_one(
    policy: &TlsPolicy,
    sink: &Arc<dyn ReportSink>,
    schedule: &Schedule,
    p: &PendingReport,
    rua: &Rua,
) -> Result<(), String> {
    match rua {
        Rua::Mail(to) => {
            let mail = p
                .report
                .compose_mail(&schedule.from, to, policy.clock().now())
                .map_err(|e| e.to_string())?;
            let (sink, to) = (sink.clone(), to.clone());
            tokio::task::spawn_blocking(move || sink.submit_mail(&to, mail))
                .await
                .map_err(|e| format!("report sink task: {e}"))?
        }
        Rua::Https(url) => super::mail::post(policy.fetcher_config(), url, &p.report)
            .await
            .map_err(|e| e.to_string()),
    }
}

/// Delivers `reports` to every `rua` they haven't reached and records the progress.
async fn deliver(
    policy: &Arc<TlsPolicy>,
    sink: &Arc<dyn ReportSink>,
    schedule: &Schedule,
    reports: Vec<PendingReport>,
) -> Result<SentSummary, TlsPolicyError> {
    let now = policy.clock().now();
    let mut run = Run {
        policy,
        sink,
        schedule,
        today: now.secs() / DAY_SECS,
        deadline: tokio::time::Instant::now() + schedule.run_budget,
        summary: SentSummary::default(),
    };
    let (mut updated, mut finished) = (Vec::new(), Vec::new());
    for mut p in reports {
        let key = p.key();
        match run.one(&mut p).await {
            Progress::Finished => finished.push(key),
            Progress::Retry => {
                p.attempts += 1;
                p.next_try = now.plus(schedule.retry_every);
                updated.push(p);
            }
            Progress::Later => {}
        }
    }
    let summary = run.summary;
    if !summary.out_of_time.is_empty() {
        tracing::warn!(
            left = summary.out_of_time.len(),
            budget_secs = schedule.run_budget.as_secs(),
            "TLS-RPT run out of time; the rest waits for the next run"
        );
    }
    policy.update_pending(updated, finished).await?;
    Ok(summary)
}

/// What became of one pending report in a run.
enum Progress {
    /// Delivered everywhere, dropped (no destination) or given up: no longer pending.
    Finished,
    /// Some destination failed: tried again after `retry_every`.
    Retry,
    /// Not tried (the run's time budget ran out): pending as it was.
    Later,
}

/// One delivery run: its time budget and what it did.
struct Run<'a> {
    policy: &'a Arc<TlsPolicy>,
    sink: &'a Arc<dyn ReportSink>,
    schedule: &'a Schedule,
    today: u64,
    deadline: tokio::time::Instant,
    summary: SentSummary,
}

impl Run<'_> {
    /// Delivers one pending report to its policy domain's destinations.
    async fn one(&mut self, p: &mut PendingReport) -> Progress {
        if tokio::time::Instant::now() >= self.deadline {
            if let Some(d) = &p.report.policy_domain {
                self.summary.out_of_time.push(d.to_string());
            }
            return Progress::Later;
        }
        let Some(domain) = p.report.policy_domain.clone() else {
            return Progress::Finished;
        };
        if self.today > p.report.day + self.schedule.give_up_after_days {
            tracing::warn!(policy_domain = %domain, day = p.report.day, attempts = p.attempts,
                last_error = p.last_error.as_deref().unwrap_or(""), "TLS-RPT report given up");
            self.summary.given_up.push(domain.to_string());
            return Progress::Finished;
        }
        match self.destinations(&domain).await {
            Ok(ruas) if ruas.is_empty() => Progress::Finished,
            Ok(ruas) => self.send(p, &domain, &ruas).await,
            Err(e) => {
                self.summary.outcomes.push(Outcome {
                    day: p.report.day,
                    domain: domain.to_string(),
                    rua: String::new(),
                    error: Some(e.clone()),
                });
                p.last_error = Some(e);
                Progress::Retry
            }
        }
    }

    /// The domain's `rua` destinations (at most `max_destinations`); none, noted, when it
    /// publishes no TLS-RPT record.
    async fn destinations(&mut self, domain: &Domain) -> Result<Vec<Rua>, String> {
        let mut r = self
            .policy
            .report_destinations(domain)
            .await
            .map_err(|e| e.to_string())?;
        if r.is_empty() {
            tracing::debug!(policy_domain = %domain, "no TLS-RPT record; report dropped");
            self.summary.without_rua.push(domain.to_string());
        }
        let max = self.schedule.max_destinations;
        if r.len() > max {
            tracing::info!(policy_domain = %domain, listed = r.len(), served = max,
                "TLS-RPT: rua list capped");
            r.truncate(max);
        }
        Ok(r)
    }

    /// Sends the report to each destination it has not reached yet, within the run's budget.
    async fn send(&mut self, p: &mut PendingReport, domain: &Domain, ruas: &[Rua]) -> Progress {
        let mut all = true;
        for rua in ruas {
            let uri = rua_uri(rua);
            if p.delivered.contains(&uri) {
                continue;
            }
            let sending = send_one(self.policy, self.sink, self.schedule, p, rua);
            let result = tokio::time::timeout_at(self.deadline, sending)
                .await
                .unwrap_or_else(|_| Err("the run's time budget ran out".into()));
            if let Err(e) = &result {
                tracing::info!(policy_domain = %domain, day = p.report.day, error = %e,
                    "TLS-RPT delivery failed; retried later");
                all = false;
                p.last_error = Some(e.clone());
            } else {
                p.delivered.push(uri.clone());
            }
            self.summary.outcomes.push(Outcome {
                day: p.report.day,
                domain: domain.to_string(),
                rua: uri,
                error: result.err(),
            });
        }
        if all {
            Progress::Finished
        } else {
            Progress::Retry
        }
    }
}
