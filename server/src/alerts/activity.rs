//! The activity log (audit trail) of an inbox — registration attempts, webhooks received, state
//! changes between checks, alerts — and the signed-in user's in-app notifications.
use app::activity::{kind, ActivityItem, NotificationItem, NotificationList};
use app::auth::CurrentUser;
use app::health::RegistrationState;

use super::AlertService;
use crate::db::now_secs;
use crate::error::ServiceResult;
use crate::graph::GraphErrorKind;
use crate::health::store as snapshots;
use crate::registration::ledger::{self, AttemptOutcome, TriggerKind};
use crate::webhooks::store as queue;

/// At most this many items of each source are looked at.
const PER_SOURCE: i64 = 200;

fn state_words(state: RegistrationState) -> &'static str {
    match state {
        RegistrationState::Registered => "registered",
        RegistrationState::AwaitingDisplayName => "awaiting display name review",
        RegistrationState::ActionRequired => "action required",
        RegistrationState::Ready => "ready to register",
        RegistrationState::RateLimited => "rate limited",
        RegistrationState::Unknown => "unknown (read failed)",
    }
}

fn state_level(state: RegistrationState) -> &'static str {
    match state {
        RegistrationState::Registered => "good",
        RegistrationState::ActionRequired => "blocked",
        RegistrationState::Unknown => "info",
        RegistrationState::AwaitingDisplayName
        | RegistrationState::Ready
        | RegistrationState::RateLimited => "attention",
    }
}

/// Meta's answer to a register call, in words.
fn attempt_item(a: &ledger::AttemptRow, user_name: Option<String>) -> ActivityItem {
    let actor = match &a.trigger {
        TriggerKind::User => user_name.unwrap_or_else(|| "A former user".into()),
        TriggerKind::Auto => "Automatic retry".into(),
        TriggerKind::Webhook => "Meta webhook (display name approved)".into(),
        TriggerKind::Other(other) => other.clone(),
    };
    let (title, level) = match &a.outcome {
        Some(AttemptOutcome::Success) => ("Registration succeeded".to_string(), "good"),
        Some(AttemptOutcome::Failed) => {
            let why = a
                .error_kind
                .as_deref()
                .map(|k| GraphErrorKind::from_str_lossy(k).label())
                .unwrap_or("request rejected");
            (format!("Registration failed: {why}"), "blocked")
        }
        Some(_) => (
            "Registration outcome unknown (interrupted)".to_string(),
            "attention",
        ),
        None => ("Registration in progress".to_string(), "info"),
    };
    let mut detail = Vec::new();
    if let Some(code) = a.meta_code {
        let sub = a
            .meta_subcode
            .map(|s| format!(", subcode {s}"))
            .unwrap_or_default();
        detail.push(format!("Meta error code {code}{sub}."));
    }
    if let Some(m) = &a.meta_message {
        detail.push(m.clone());
    }
    ActivityItem {
        id: format!("attempt-{}", a.id),
        kind: kind::REGISTRATION_ATTEMPT.into(),
        at: a.finished_at.unwrap_or(a.started_at),
        title,
        detail: (!detail.is_empty()).then(|| detail.join(" ")),
        actor: Some(actor),
        level: level.into(),
    }
}

/// State changes between consecutive checks (oldest first in, any order out).
fn changes(snaps: &[snapshots::HealthSnapshot]) -> Vec<ActivityItem> {
    use super::rules::Observed;
    let mut out = Vec::new();
    let mut prev: Option<Observed> = None;
    let mut prev_good: Option<Observed> = None;
    for s in snaps {
        let cur = Observed::from_snapshot(s);
        if let Some(p) = &prev {
            if p.registration_state != cur.registration_state {
                out.push(ActivityItem {
                    id: format!("state-{}", s.id),
                    kind: kind::STATE_CHANGE.into(),
                    at: s.checked_at,
                    title: format!(
                        "Registration state: {} → {}",
                        state_words(p.registration_state),
                        state_words(cur.registration_state)
                    ),
                    detail: s.error_message.clone(),
                    actor: Some(format!("Health check ({})", s.source)),
                    level: state_level(cur.registration_state).into(),
                });
            }
        }
        if let (Some(g), None) = (&prev_good, &cur.error_kind) {
            for (label, before, after) in [
                (
                    "Quality rating",
                    g.quality_rating.as_ref().map(|v| v.as_str()),
                    cur.quality_rating.as_ref().map(|v| v.as_str()),
                ),
                (
                    "Number status",
                    g.status.as_ref().map(|v| v.as_str()),
                    cur.status.as_ref().map(|v| v.as_str()),
                ),
                (
                    "Messaging limit",
                    g.messaging_limit.as_ref().map(|v| v.as_str()),
                    cur.messaging_limit.as_ref().map(|v| v.as_str()),
                ),
                (
                    "Display name status",
                    g.name_status.as_ref().map(|v| v.as_str()),
                    cur.name_status.as_ref().map(|v| v.as_str()),
                ),
            ] {
                if let (Some(b), Some(a)) = (before, after) {
                    if a != b {
                        out.push(ActivityItem {
                            id: format!("change-{}-{}", s.id, label.replace(' ', "_")),
                            kind: kind::STATE_CHANGE.into(),
                            at: s.checked_at,
                            title: format!("{label}: {b} → {a}"),
                            detail: None,
                            actor: Some(format!("Health check ({})", s.source)),
                            level: "info".into(),
                        });
                    }
                }
            }
        }
        if cur.error_kind.is_none() {
            prev_good = Some(cur.clone());
        }
        prev = Some(cur);
    }
    out
}

impl AlertService {
    /// The activity log of an inbox the user may see (same rules as the inbox), newest first.
    pub async fn inbox_activity(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        limit: usize,
    ) -> ServiceResult<Vec<ActivityItem>> {
        let row = self.access.inbox_for(user, account_id, inbox_id).await?;
        let mut items = Vec::new();
        for a in self.ledger.attempts(row.id, PER_SOURCE).await? {
            let name = match a.user_id {
                Some(uid) => self.accounts.store().user_name(uid).await?,
                None => None,
            };
            items.push(attempt_item(&a, name));
        }
        for e in self.queue.for_inbox(row.id, PER_SOURCE).await? {
            let change = e.change();
            items.push(ActivityItem {
                id: format!("webhook-{}", e.id),
                kind: kind::WEBHOOK.into(),
                at: e.received_at,
                title: change.summary(),
                detail: Some(match e.status.as_str() {
                    queue::status::PENDING => "Received; the number will be re-read.".to_string(),
                    queue::status::PROCESSING => {
                        "Received; the number is being re-read.".to_string()
                    }
                    queue::status::PROCESSED => "Received; the number was re-read.".to_string(),
                    queue::status::FAILED => "Received; processing failed.".to_string(),
                    _ => "Received; not used.".to_string(),
                }),
                actor: Some(format!("Meta webhook ({})", e.field)),
                level: "info".into(),
            });
        }
        let snaps = self.snapshots.since(row.id, 0, 1000).await?;
        items.extend(changes(&snaps));
        for a in self.store.alerts_for_inbox(row.id, PER_SOURCE).await? {
            items.push(ActivityItem {
                id: format!("alert-{}", a.id),
                kind: kind::ALERT.into(),
                at: a.created_at,
                title: a.title.clone(),
                detail: Some(a.body.clone()),
                actor: Some("Greenlight alert".into()),
                level: app::activity::severity_level(a.severity.as_str()).into(),
            });
        }
        // Newest first; at the same second, alerts before changes before webhooks before attempts.
        let rank = |k: &str| match k {
            kind::ALERT => 0,
            kind::STATE_CHANGE => 1,
            kind::REGISTRATION_ATTEMPT => 2,
            _ => 3,
        };
        items.sort_by(|a, b| {
            b.at.cmp(&a.at)
                .then_with(|| rank(&a.kind).cmp(&rank(&b.kind)))
                .then_with(|| b.id.cmp(&a.id))
        });
        items.truncate(limit);
        Ok(items)
    }

    /// The user's notifications in the account: administrators receive every alert, agents those
    /// of the inboxes they are members of.
    pub async fn notifications(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> ServiceResult<NotificationList> {
        crate::accounts::service::role_in(user, account_id)?;
        let rows = self.store.notifications(user.id, account_id, 50).await?;
        let unread = self.store.unread_count(user.id, account_id).await?;
        Ok(NotificationList {
            unread,
            items: rows
                .into_iter()
                .map(|n| NotificationItem {
                    id: n.id,
                    alert_id: n.alert_id,
                    kind: n.kind,
                    severity: n.severity.to_string(),
                    title: n.title,
                    body: n.body,
                    inbox_id: n.inbox_id,
                    inbox_name: n.inbox_name,
                    created_at: n.created_at,
                    read: n.read_at.is_some(),
                })
                .collect(),
        })
    }

    /// Marks one notification (`Some(id)`) or all of them read; answers the new unread count.
    pub async fn mark_notifications_read(
        &self,
        user: &CurrentUser,
        account_id: i64,
        id: Option<i64>,
    ) -> ServiceResult<i64> {
        crate::accounts::service::role_in(user, account_id)?;
        self.store
            .mark_read(user.id, account_id, id, now_secs())
            .await?;
        Ok(self.store.unread_count(user.id, account_id).await?)
    }
}
