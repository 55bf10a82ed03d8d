//! Turns stored webhook events into work: map each change to its inbox(es) by phone-number id,
//! display number or WABA id; a display-name approval starts a registration attempt at once;
//! every other handled change triggers one re-read of the number per pass (coalesced). Webhooks
//! are triggers, never the truth: the read decides, so duplicate and out-of-order deliveries are
//! harmless. Runs in a background task woken by the receiver, and at start (nothing is lost).
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use app::error::AppError;

use super::payload::{digits, Change, SecurityEvent, HANDLED_FIELDS};
use super::store::{self as queue, status, EventRow};
use crate::db::now_secs;
use crate::error::{ServiceError, ServiceResult};
use crate::health::service::source;
use crate::inboxes::store::InboxRow;
use crate::registration::decision::{confirmation, Confirmation};
use crate::registration::engine::AttemptResult;

/// How often the processor looks at the queue without being woken.
pub const POLL_INTERVAL: Duration = Duration::from_secs(30);
const BATCH: i64 = 200;
/// Finished webhook events and outgoing deliveries are kept this long (the activity log shows them).
pub const RETENTION_SECS: i64 = 90 * 24 * 3600;

/// Deletes finished events and outgoing deliveries older than `before` (unix seconds); run by
/// [`crate::jobs::prune`].
pub async fn prune(
    queue: &queue::WebhookStore,
    alerts: &crate::alerts::store::AlertStore,
    before: i64,
) -> sqlx::Result<u64> {
    let events = queue.prune_finished(before).await?;
    let deliveries = alerts.prune_finished_deliveries(before).await?;
    Ok(events + deliveries)
}

/// What the processor needs, and nothing else: the queue, the inboxes and snapshots it reads, Meta's webhook settings
/// (its wake-up), the features a name approval or a quality change calls into, and the alert
/// evaluator's wake-up. Built by the composition root; cheap to clone.
#[derive(Clone)]
pub struct Processor {
    pub queue: queue::WebhookStore,
    pub inboxes: crate::inboxes::store::InboxStore,
    pub snapshots: crate::health::store::SnapshotStore,
    pub meta_webhooks: super::MetaWebhooks,
    pub health: crate::health::service::HealthService,
    pub registration: crate::registration::engine::RegistrationService,
    pub webhooks: super::service::WebhookService,
    pub alert_wake: std::sync::Arc<tokio::sync::Notify>,
    /// The sealed PINs (a `security` event marks the number's as possibly stale).
    pub pins: crate::registration::pin::PinStore,
    /// Raises the alert of a PIN changed outside Greenlight.
    pub alerts: crate::alerts::AlertJobs,
    /// Enforcement state per WABA, which `account_update` events change.
    pub signals: crate::signals::SignalStore,
    /// Forgets the PIN state and the WABA signals the events change.
    pub reads: crate::cache::reads::ReadCaches,
}

/// Starts the processor: one pass now (events stored before a restart), then on every wake-up.
/// Also runs, once in the background, the upgrade sweep that removes the webhook overrides
/// earlier versions set.
pub fn spawn(services: Processor) -> tokio::task::JoinHandle<()> {
    let sweep = services.clone();
    tokio::spawn(async move {
        match sweep.webhooks.remove_own_overrides().await {
            Ok(0) => {}
            Ok(removed) => {
                tracing::info!(
                    removed,
                    "webhooks: removed old Greenlight webhook overrides"
                )
            }
            Err(e) => tracing::warn!(error = %e, "webhooks: the webhook override sweep failed"),
        }
    });
    tokio::spawn(async move {
        let wake = services.meta_webhooks.wake.clone();
        loop {
            if let Err(e) = run_once(&services).await {
                tracing::warn!(error = %e, "webhooks: processing pass failed; will retry");
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(POLL_INTERVAL) => {}
            }
        }
    })
}

/// What one change resolved to.
enum Resolved {
    /// Concerns these inboxes.
    Inboxes(Vec<InboxRow>),
    /// Recorded and ignored, with why.
    Ignored(String),
}

/// Claims and processes every pending event (and every event whose claim ran out); answers how
/// many events were finished. Another instance on the same database never gets the same event.
pub async fn run_once(services: &Processor) -> ServiceResult<usize> {
    let _one_pass = services.meta_webhooks.pass.lock().await;
    let mut total = 0;
    loop {
        let batch = services
            .queue
            .claim(&services.meta_webhooks.instance, now_secs(), BATCH)
            .await?;
        if batch.is_empty() {
            break;
        }
        let done = process_batch(services, &batch).await?;
        total += done;
        if done == 0 {
            // Only failing events remain; they are tried again on a later pass.
            break;
        }
    }
    Ok(total)
}

async fn process_batch(services: &Processor, batch: &[EventRow]) -> ServiceResult<usize> {
    let mut register: BTreeMap<i64, InboxRow> = BTreeMap::new();
    let mut reread: BTreeMap<i64, InboxRow> = BTreeMap::new();
    let mut event_inboxes: Vec<(i64, i64, Vec<i64>, String)> = Vec::new();
    let mut finished = 0;
    for ev in batch {
        let change = ev.change();
        let summary = change.summary();
        let resolved = match resolve(services, &change).await {
            Ok(r) => r,
            Err(e) => {
                services
                    .queue
                    .retry_later(ev.id, "mapping failed", now_secs())
                    .await?;
                tracing::warn!(event_id = ev.id, error = %e, "webhooks: mapping an event failed");
                continue;
            }
        };
        match resolved {
            Resolved::Ignored(why) => {
                services
                    .queue
                    .finish(ev.id, status::IGNORED, Some(&why), now_secs())
                    .await?;
                crate::metrics::webhook_finished(status::IGNORED, now_secs() - ev.received_at);
                tracing::info!(event_id = ev.id, field = %ev.field, %why, "webhooks: event ignored");
                finished += 1;
            }
            Resolved::Inboxes(rows) => {
                if let Err(e) = keep_state(services, &change, ev.received_at).await {
                    services
                        .queue
                        .retry_later(ev.id, "keeping the account state failed", now_secs())
                        .await?;
                    tracing::warn!(event_id = ev.id, error = %e, "webhooks: keeping an event's state failed");
                    continue;
                }
                for r in &rows {
                    services.queue.link(ev.id, r.id).await?;
                }
                if !HANDLED_FIELDS.contains(&ev.field.as_str()) {
                    services
                        .queue
                        .finish(
                            ev.id,
                            status::IGNORED,
                            Some("field not used by Greenlight"),
                            now_secs(),
                        )
                        .await?;
                    crate::metrics::webhook_finished(status::IGNORED, now_secs() - ev.received_at);
                    finished += 1;
                    continue;
                }
                if let Some(event) = change.security_event().filter(|e| e.makes_pin_stale()) {
                    pin_changed_elsewhere(services, &change, &event, &rows).await?;
                }
                for r in &rows {
                    if change.is_name_approval() {
                        register.insert(r.id, r.clone());
                    } else {
                        reread.insert(r.id, r.clone());
                    }
                }
                event_inboxes.push((
                    ev.id,
                    ev.received_at,
                    rows.iter().map(|r| r.id).collect(),
                    summary,
                ));
            }
        }
    }

    let mut failed: BTreeSet<i64> = BTreeSet::new();
    for (id, row) in &register {
        reread.remove(id);
        match services.registration.attempt_after_name_approval(row).await {
            Ok(outcome) => {
                tracing::info!(
                    inbox_id = id,
                    result = outcome.result.as_str(),
                    state = outcome.state.as_str(),
                    "webhooks: display name approved; registration attempt"
                );
                if outcome.result == AttemptResult::Accepted {
                    follow_provisioning(services.clone(), row.clone());
                }
            }
            // Another attempt is running right now: it reads the number itself.
            Err(ServiceError::App(AppError::Conflict(_))) => {}
            Err(ServiceError::App(e)) => {
                tracing::info!(inbox_id = id, error = %e, "webhooks: no registration attempt");
            }
            Err(e) => {
                tracing::warn!(inbox_id = id, error = %e, "webhooks: registration attempt failed");
                failed.insert(*id);
            }
        }
    }
    for (id, row) in &reread {
        // One read per inbox per pass, however many events named it.
        services.health.invalidate_health(*id).await;
        if let Err(e) = services.health.read_health(row, source::WEBHOOK).await {
            tracing::warn!(inbox_id = id, error = %e, "webhooks: re-read failed");
            failed.insert(*id);
        }
    }
    for (event_id, received_at, inbox_ids, summary) in event_inboxes {
        if inbox_ids.iter().any(|i| failed.contains(i)) {
            services
                .queue
                .retry_later(event_id, "re-read failed", now_secs())
                .await?;
        } else {
            services
                .queue
                .finish(event_id, status::PROCESSED, Some(&summary), now_secs())
                .await?;
            crate::metrics::webhook_finished(status::PROCESSED, now_secs() - received_at);
            finished += 1;
        }
    }
    if finished > 0 {
        services.alert_wake.notify_one();
    }
    Ok(finished)
}

/// Keeps what an account-level event says about its WABA as state: enforcement
/// (`account_update`), the portfolio's capability (`business_capability_update`) and Meta's
/// `account_alerts`. The health report, the portfolio view and the verdict read it; the alert
/// evaluator walks its changes. Meta's `entry[].time` orders events (the receipt time when it has
/// none), so an old retry never overwrites a newer state.
async fn keep_state(services: &Processor, c: &Change, received_at: i64) -> ServiceResult<()> {
    use crate::signals::model;
    let (waba_id, updates) = match c.field.as_str() {
        "account_update" => (
            model::waba_of(&c.waba_id, &c.value),
            model::updates_from_account_update(&c.value),
        ),
        "business_capability_update" => {
            (c.waba_id.clone(), model::updates_from_capability(&c.value))
        }
        "account_alerts" => (
            c.waba_id.clone(),
            model::updates_from_account_alert(&c.value),
        ),
        _ => return Ok(()),
    };
    let at = c.time.unwrap_or(received_at);
    for update in updates {
        services
            .signals
            .apply(&waba_id, &update, at, now_secs())
            .await?;
    }
    services.reads.forget_waba(&waba_id).await;
    Ok(())
}

/// After Meta accepted a register call, it provisions the number asynchronously: re-read a few
/// times until the number shows as registered, so the state (and its alert) follow within seconds
/// instead of at the next scheduled check.
fn follow_provisioning(services: Processor, row: InboxRow) {
    tokio::spawn(async move {
        for secs in FOLLOW_UP_DELAYS {
            tokio::time::sleep(Duration::from_secs(secs)).await;
            match services.health.read_health(&row, source::WEBHOOK).await {
                Ok(snap) if confirmation(snap.read.as_ref().ok()) == Confirmation::Registered => {
                    break
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(inbox_id = row.id, error = %e, "webhooks: follow-up read failed");
                    break;
                }
            }
        }
        services.alert_wake.notify_one();
    });
}

/// A `security` event: the number's two-step PIN changed (or is being reset) outside Greenlight.
/// Marks the stored PIN as possibly stale, once per stretch, and alerts each inbox of the number
/// once for that stretch. Only inboxes that the event's display number names exactly: a security
/// event never marks the PIN of another number of the WABA.
async fn pin_changed_elsewhere(
    services: &Processor,
    change: &Change,
    event: &SecurityEvent,
    rows: &[InboxRow],
) -> ServiceResult<()> {
    let Some(want) = change.display_digits() else {
        return Ok(());
    };
    let mut numbers: BTreeMap<String, Vec<&InboxRow>> = BTreeMap::new();
    for r in rows {
        if digits(&r.phone_number) == want
            || last_display_digits(services, r.id).await? == Some(want.clone())
        {
            numbers
                .entry(r.phone_number_id.clone())
                .or_default()
                .push(r);
        }
    }
    let now = now_secs();
    let event_time = change.time.unwrap_or(now);
    for (number, inboxes) in numbers {
        let Some(since) = services
            .pins
            .mark_stale(&number, event.as_str(), event_time, now)
            .await?
        else {
            continue;
        };
        services.reads.forget_number(&number).await;
        tracing::info!(phone_number_id = %number, event = event.as_str(), "webhooks: the stored PIN may be stale");
        for r in inboxes {
            let draft = crate::alerts::rules::pin_possibly_stale(&r.name, event.as_str());
            // One alert per stretch: only the event that began it gets here (two stretches within
            // one second differ by their events' times).
            let key = format!("{}:{}:{since}:{event_time}", draft.kind, r.id);
            crate::alerts::evaluator::raise(&services.alerts, r, &draft, &key).await?;
        }
    }
    Ok(())
}

/// Pauses before the follow-up reads after an accepted registration.
const FOLLOW_UP_DELAYS: [u64; 4] = [2, 5, 15, 40];

/// The inboxes a change concerns: by phone-number id when the value names one; else the WABA's
/// inboxes, narrowed to the display number when the value names one (matched against the inbox's
/// number and the display number of its latest read). A display number that matches none of the
/// WABA's inboxes falls back to all of them: a re-read is harmless.
///
/// Only inboxes whose setup proved that their token manages the number take part: a second
/// account that added someone else's number (with a token that cannot read it) neither sees the
/// number's events nor triggers anything with them.
async fn resolve(services: &Processor, c: &Change) -> ServiceResult<Resolved> {
    Ok(match resolve_any(services, c).await? {
        Resolved::Inboxes(mut rows) => {
            rows.retain(|r| r.access_proven_at.is_some());
            if rows.is_empty() {
                Resolved::Ignored("no inbox whose setup proved access to the number".to_owned())
            } else {
                Resolved::Inboxes(rows)
            }
        }
        other => other,
    })
}

async fn resolve_any(services: &Processor, c: &Change) -> ServiceResult<Resolved> {
    if let Some(pid) = c.phone_number_id() {
        let rows = services.queue.inboxes_of_phone_number_id(&pid).await?;
        if !rows.is_empty() {
            return Ok(Resolved::Inboxes(rows));
        }
    }
    let mut candidates: Vec<InboxRow> = Vec::new();
    for waba in c.waba_ids() {
        for r in services.queue.inboxes_of_waba(&waba).await? {
            if !candidates.iter().any(|x| x.id == r.id) {
                candidates.push(r);
            }
        }
    }
    if candidates.is_empty() {
        return Ok(Resolved::Ignored(format!(
            "no inbox for WhatsApp Business Account {}",
            c.waba_id
        )));
    }
    if let Some(want) = c.display_digits() {
        let mut matched = Vec::new();
        for r in &candidates {
            if digits(&r.phone_number) == want
                || last_display_digits(services, r.id).await? == Some(want.clone())
            {
                matched.push(r.clone());
            }
        }
        if !matched.is_empty() {
            return Ok(Resolved::Inboxes(matched));
        }
    }
    Ok(Resolved::Inboxes(candidates))
}

async fn last_display_digits(services: &Processor, inbox_id: i64) -> ServiceResult<Option<String>> {
    Ok(services
        .snapshots
        .latest_good(inbox_id)
        .await?
        .and_then(|s| s.health?.display_phone_number.as_deref().map(digits)))
}
