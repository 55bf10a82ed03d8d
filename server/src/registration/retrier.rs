//! The background retrier: every `GREENLIGHT_REGISTRATION_CHECK_INTERVAL` it looks at the numbers that are not
//! registered (by their latest snapshot, the longest unchecked first) and lets the engine register those whose
//! decision allows an automatic attempt. The back-off and the automatic budget live in the decision; the lease
//! makes it safe next to clicks, webhooks and other server instances.
//!
//! A number that is only waiting for time (Meta's lock-out, the spent budget, the back-off) is not even read;
//! every other unregistered number gets one fresh read per run, through
//! [`RegistrationService::attempt_registration`](crate::registration::engine::RegistrationService::attempt_registration), which decides on that read. Logs name the inbox and the action, never
//! a token or a PIN.
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::decision::{retrier_step, RegistrationState, RetrierStep};
use super::engine::AttemptResult;
use super::engine::RegistrationService;
use super::ledger::Trigger;
use crate::error::ServiceError;
use crate::health::store::InboxLatest;
use crate::inboxes::service::WHATSAPP_CLOUD;
use crate::jobs::claims::{self, Job};

/// The default interval between passes (`GREENLIGHT_REGISTRATION_CHECK_INTERVAL`).
pub const EVERY: Duration = Duration::from_secs(300);

/// Upper bound on numbers looked at in one run; the rest come first in the next run (oldest check first).
pub const MAX_PER_RUN: usize = 500;

/// What one run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Unregistered numbers considered.
    pub candidates: usize,
    /// Not read: only waiting for time (lock-out, budget, back-off) or for an administrator.
    pub waiting: usize,
    /// Read, and the decision allowed no call.
    pub not_attempted: usize,
    /// Register calls made.
    pub attempted: usize,
    /// Of those, numbers that now show as registered.
    pub registered: usize,
    /// Skipped because another attempt held the lease.
    pub busy: usize,
    /// Skipped because another instance claimed the number for this interval (it reads it).
    pub claimed_elsewhere: usize,
    /// Failed with an error of Greenlight's own (database, secrets).
    pub errors: usize,
}

async fn candidates(registration: &RegistrationService) -> sqlx::Result<Vec<InboxLatest>> {
    registration
        .snapshots
        .latest_per_inbox(WHATSAPP_CLOUD)
        .await
}

/// Whether to read `c` again at `now` or let it wait ([`retrier_step`]): its stored read (`None` when
/// the last read failed or there is none), decided again with the current ledger.
async fn next_step(
    registration: &RegistrationService,
    c: &InboxLatest,
    now: DateTime<Utc>,
) -> Result<RetrierStep, ServiceError> {
    let stored = c.latest.as_ref().and_then(|s| s.health.as_ref());
    let summary = registration.ledger.summary(&c.phone_number_id, now).await?;
    Ok(retrier_step(stored, &summary, now))
}

/// One pass over the unregistered numbers at `now` (tests call it directly instead of waiting).
/// `every` is the interval between passes: a number this instance reads is claimed for that long
/// (see [`crate::jobs::claims`]), so of several instances on one database one reads it per
/// interval, and when that instance stops another takes the number over after one interval.
pub async fn run_once(
    registration: &RegistrationService,
    holder: &claims::Holder,
    now: DateTime<Utc>,
    every: Duration,
) -> RunReport {
    let mut report = RunReport::default();
    let list = match candidates(registration).await {
        Ok(list) => list,
        Err(e) => {
            tracing::error!(error = %e, "retrier: cannot list inboxes");
            report.errors += 1;
            return report;
        }
    };
    let unregistered = list
        .into_iter()
        .filter(|c| {
            c.latest.as_ref().map(|s| s.registration_state) != Some(RegistrationState::Registered)
        })
        .take(MAX_PER_RUN);
    for c in unregistered {
        report.candidates += 1;
        match next_step(registration, &c, now).await {
            Ok(step @ RetrierStep::Wait(_)) => {
                tracing::debug!(
                    inbox_id = c.inbox_id,
                    state = c
                        .latest
                        .as_ref()
                        .map_or("none", |s| s.registration_state.as_str()),
                    step = step.as_str(),
                    "retrier: waiting, not read"
                );
                report.waiting += 1;
                continue;
            }
            Ok(RetrierStep::ReadAgain(_)) => {}
            Err(e) => {
                tracing::error!(inbox_id = c.inbox_id, error = %e, "retrier: cannot decide");
                report.errors += 1;
                continue;
            }
        }
        let until = now.timestamp() + every.as_secs().max(1) as i64;
        match registration
            .claims
            .try_claim(
                Job::RegistrationRetrier,
                &c.inbox_id.to_string(),
                holder,
                now.timestamp(),
                until,
            )
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                report.claimed_elsewhere += 1;
                continue;
            }
            Err(e) => {
                tracing::error!(inbox_id = c.inbox_id, error = %e, "retrier: cannot claim");
                report.errors += 1;
                continue;
            }
        }
        let row = match registration.inboxes.get_unscoped(c.inbox_id).await {
            Ok(Some(row)) => row,
            // Deleted meanwhile.
            Ok(None) => continue,
            Err(e) => {
                tracing::error!(inbox_id = c.inbox_id, error = %e, "retrier: cannot load inbox");
                report.errors += 1;
                continue;
            }
        };
        tracing::debug!(inbox_id = row.id, last_checked = ?c.latest.as_ref().map(|s| s.checked_at), "retrier: checking");
        match registration
            .attempt_registration(&row, Trigger::Auto, app::i18n::Locale::en)
            .await
        {
            Ok(outcome) => {
                if outcome.called_meta {
                    report.attempted += 1;
                }
                match outcome.result {
                    AttemptResult::Registered => report.registered += 1,
                    AttemptResult::NotAttempted | AttemptResult::AlreadyRegistered => {
                        report.not_attempted += 1
                    }
                    AttemptResult::Accepted | AttemptResult::Failed | AttemptResult::Unknown => {}
                }
                tracing::info!(
                    inbox_id = row.id,
                    result = outcome.result.as_str(),
                    state = outcome.state.as_str(),
                    reason_code = outcome.reason_code.as_str(),
                    called_meta = outcome.called_meta,
                    "retrier: checked"
                );
            }
            Err(ServiceError::App(app::error::AppError::Conflict(_))) => {
                tracing::info!(
                    inbox_id = row.id,
                    "retrier: another attempt is running, skipped"
                );
                report.busy += 1;
            }
            Err(e) => {
                tracing::error!(inbox_id = row.id, error = %e, "retrier: attempt failed");
                report.errors += 1;
            }
        }
    }
    report
}

/// Starts the retrier: a tokio task that runs [`run_once`] every `every` (the first run one interval after
/// start, so a starting server first serves).
pub fn spawn(
    registration: RegistrationService,
    holder: claims::Holder,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    let every = every.max(Duration::from_secs(1));
    tokio::spawn(async move {
        tracing::info!(interval = ?every, "registration retrier started");
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let report = run_once(&registration, &holder, Utc::now(), every).await;
            if report.candidates > 0 {
                tracing::info!(
                    candidates = report.candidates,
                    waiting = report.waiting,
                    attempted = report.attempted,
                    registered = report.registered,
                    busy = report.busy,
                    claimed_elsewhere = report.claimed_elsewhere,
                    errors = report.errors,
                    "retrier: run done"
                );
            }
        }
    })
}
