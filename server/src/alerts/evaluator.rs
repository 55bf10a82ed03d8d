//! The alert evaluator: a background task that walks new health snapshots in order, compares each
//! with the inbox's previous check (rules in [`super::rules`]), raises alerts (stored once per
//! transition by a dedup key), notifies the account's administrators, queues outgoing webhooks,
//! looks for numbers stuck waiting, and delivers due outgoing webhooks.
use std::time::Duration;

use super::rules::{self, AlertDraft, Observed};
use super::store::{self, NewAlert};
use super::AlertJobs;
use crate::db::now_secs;
use crate::error::ServiceResult;
use crate::inboxes::store::InboxRow;

/// How often the task looks for work without being woken.
pub const POLL_INTERVAL: Duration = Duration::from_secs(5);
/// How often numbers stuck waiting are looked for.
pub const STUCK_SWEEP_INTERVAL: Duration = Duration::from_secs(300);
/// Default for `GREENLIGHT_ALERT_STUCK_AFTER`.
pub const DEFAULT_STUCK_AFTER: Duration = Duration::from_secs(24 * 3600);

/// `GREENLIGHT_ALERT_STUCK_AFTER` (e.g. `24h`, `90m`), else 24 h.
pub fn stuck_after_from_env() -> Duration {
    std::env::var("GREENLIGHT_ALERT_STUCK_AFTER")
        .ok()
        .and_then(|v| humantime::parse_duration(v.trim()).ok())
        .filter(|d| !d.is_zero())
        .unwrap_or(DEFAULT_STUCK_AFTER)
}

/// Starts the task.
pub fn spawn(services: AlertJobs) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let stuck_after = stuck_after_from_env().as_secs() as i64;
        let mut last_sweep: Option<std::time::Instant> = None;
        loop {
            if let Err(e) = run_once(&services).await {
                tracing::warn!(error = %e, "alerts: evaluating snapshots failed; will retry");
            }
            if last_sweep.is_none_or(|t| t.elapsed() >= STUCK_SWEEP_INTERVAL) {
                last_sweep = Some(std::time::Instant::now());
                if let Err(e) = sweep_stuck(&services, now_secs(), stuck_after).await {
                    tracing::warn!(error = %e, "alerts: looking for stuck numbers failed");
                }
            }
            if let Err(e) = super::outgoing::deliver_due(&services).await {
                tracing::warn!(error = %e, "alerts: delivering outgoing webhooks failed");
            }
            tokio::select! {
                _ = services.alert_wake.notified() => {}
                _ = tokio::time::sleep(POLL_INTERVAL) => {}
            }
        }
    })
}

/// Snapshots read per batch.
const BATCH: i64 = 500;

/// Evaluates every snapshot stored since the last pass; answers how many alerts were raised.
pub async fn run_once(services: &AlertJobs) -> ServiceResult<usize> {
    let mut raised = 0;
    let mut cursor = services.store.cursor().await?;
    loop {
        let batch = services.snapshots.after(cursor, BATCH).await?;
        if batch.is_empty() {
            break;
        }
        for s in &batch {
            let Some(inbox) = services.inboxes.get_unscoped(s.inbox_id).await? else {
                continue;
            };
            let prev = services.snapshots.previous(s, false).await?;
            let prev_good = services.snapshots.previous(s, true).await?;
            let mut cur = Observed::from_snapshot(s);
            if cur.name_rejected() {
                cur.name_rejection_reason = services
                    .queue
                    .latest_name_rejection_reason(inbox.id)
                    .await?;
            }
            let drafts = rules::on_transition(
                &inbox.name,
                prev.as_ref().map(Observed::from_snapshot).as_ref(),
                prev_good.as_ref().map(Observed::from_snapshot).as_ref(),
                &cur,
            );
            let token_refused = drafts.iter().any(|d| d.kind == rules::kind::TOKEN_REFUSED);
            for d in drafts {
                let key = format!("{}:{}:{}", d.kind, inbox.id, s.id);
                if raise(services, &inbox, &d, &key).await?.is_some() {
                    raised += 1;
                }
            }
            if token_refused {
                raised += token_refused_everywhere(services, &inbox).await?;
            }
            cursor = s.id;
        }
        services.store.set_cursor(cursor).await?;
    }
    raised += signal_changes(services).await?;
    Ok(raised)
}

/// When `inbox`'s token was just refused and so is every other number's of its account (each
/// latest check failed with 190), one account-wide alert: the access behind the tokens is gone.
async fn token_refused_everywhere(services: &AlertJobs, inbox: &InboxRow) -> ServiceResult<usize> {
    let all = services.inboxes.list(inbox.account_id, None).await?;
    // The stretch of refusals began after the account's last good read: one alert per stretch,
    // however many of its numbers' refusals the evaluator sees.
    let mut last_good = 0;
    for other in &all {
        let latest = services.snapshots.latest(other.id).await?;
        if latest.and_then(|l| l.error_kind) != Some(crate::graph::GraphErrorKind::TokenInvalid) {
            return Ok(0);
        }
        if let Some(good) = services.snapshots.latest_good(other.id).await? {
            last_good = last_good.max(good.id);
        }
    }
    let Some(d) = rules::token_refused_everywhere(all.len()) else {
        return Ok(0);
    };
    let key = format!("{}:{}:{last_good}", d.kind, inbox.account_id);
    Ok(usize::from(
        raise(services, inbox, &d, &key).await?.is_some(),
    ))
}

/// Raises one alert per change of a WABA's enforcement state, for each inbox of that WABA whose
/// setup proved access to it (another account that merely typed the WABA id learns nothing).
async fn signal_changes(services: &AlertJobs) -> ServiceResult<usize> {
    let start = services.signals.max_change_id().await?;
    let mut cursor = services.store.named_cursor("signals", start).await?;
    let mut raised = 0;
    loop {
        let batch = services.signals.changes_after(cursor, BATCH).await?;
        if batch.is_empty() {
            break;
        }
        let inboxes = services.inboxes.all().await?;
        for c in &batch {
            for inbox in inboxes
                .iter()
                .filter(|i| i.business_account_id == c.waba_id && i.access_proven_at.is_some())
            {
                if let Some(d) = rules::on_signal_change(
                    &inbox.name,
                    &c.kind,
                    &c.detail,
                    c.previous.as_ref(),
                    c.event_time,
                ) {
                    let key = format!("{}:{}:{}", d.kind, inbox.id, c.id);
                    if raise(services, inbox, &d, &key).await?.is_some() {
                        raised += 1;
                    }
                }
            }
            cursor = c.id;
        }
        services.store.set_named_cursor("signals", cursor).await?;
    }
    Ok(raised)
}

/// Raises stuck alerts: a number `awaiting_display_name` or `ready` for at least `after` seconds,
/// once per stretch in that state.
pub async fn sweep_stuck(services: &AlertJobs, now: i64, after: i64) -> ServiceResult<usize> {
    let mut raised = 0;
    for inbox in services.inboxes.all().await? {
        let Some(latest) = services.snapshots.latest(inbox.id).await? else {
            continue;
        };
        let state = latest.registration_state;
        if !rules::STUCK_STATES.contains(&state) {
            continue;
        }
        // The stretch began after the last check in another (known) state.
        let Some((start_id, since)) = services.snapshots.stretch_start(inbox.id, state).await?
        else {
            continue;
        };
        if let Some(d) = rules::stuck(&inbox.name, state, since, now, after) {
            let key = format!("stuck:{}:{state}:{start_id}", inbox.id);
            if raise(services, &inbox, &d, &key).await?.is_some() {
                raised += 1;
            }
        }
    }
    Ok(raised)
}

/// Stores the alert (once per `dedup_key`), notifies the account's administrators and the
/// inbox's agents, and queues the
/// account's outgoing webhooks. `None` when it was raised before.
pub async fn raise(
    services: &AlertJobs,
    inbox: &InboxRow,
    d: &AlertDraft,
    dedup_key: &str,
) -> ServiceResult<Option<i64>> {
    let now = now_secs();
    let params = d.params.to_json();
    let Some(alert_id) = services
        .store
        .insert_alert(
            NewAlert {
                account_id: inbox.account_id,
                inbox_id: Some(inbox.id),
                kind: d.kind,
                severity: &d.severity,
                title: &d.title,
                body: &d.body,
                params: Some(&params),
                dedup_key,
            },
            now,
        )
        .await?
    else {
        return Ok(None);
    };
    tracing::info!(
        inbox_id = inbox.id,
        alert_id,
        kind = d.kind,
        "alerts: raised"
    );
    crate::metrics::alert_raised(d.kind, &d.severity);
    for user_id in services
        .store
        .recipients(inbox.account_id, Some(inbox.id))
        .await?
    {
        services
            .store
            .insert_notification(alert_id, user_id, inbox.account_id, now)
            .await?;
    }
    let alert = store::AlertRow {
        id: alert_id,
        account_id: inbox.account_id,
        inbox_id: Some(inbox.id),
        kind: d.kind.to_string(),
        severity: d.severity.clone(),
        title: d.title.clone(),
        body: d.body.clone(),
        params: Some(params),
        created_at: now,
    };
    super::outgoing::enqueue(services, &alert, Some(&inbox.name)).await?;
    Ok(Some(alert_id))
}
