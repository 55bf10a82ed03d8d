//! The activity log (audit trail) of an inbox — registration attempts, webhooks received, state
//! changes between checks, alerts — and the signed-in user's in-app notifications.
use app::activity::{kind, ActivityItem, NotificationItem, NotificationList};
use app::auth::CurrentUser;
use app::health::RegistrationState;
use app::i18n::Locale;
use app::tr;

use super::AlertService;
use crate::db::now_secs;
use crate::error::ServiceResult;
use crate::graph::GraphErrorKind;
use crate::health::store as snapshots;
use crate::registration::ledger::{self, AttemptOutcome, TriggerKind};
use crate::webhooks::store as queue;

/// At most this many items of each source are looked at.
const PER_SOURCE: i64 = 200;

fn state_words(state: RegistrationState, l: Locale) -> String {
    match state {
        RegistrationState::Registered => tr!(l, activity.log.state.registered),
        RegistrationState::AwaitingDisplayName => {
            tr!(l, activity.log.state.awaiting_display_name)
        }
        RegistrationState::ActionRequired => tr!(l, activity.log.state.action_required),
        RegistrationState::Ready => tr!(l, activity.log.state.ready),
        RegistrationState::RateLimited => tr!(l, activity.log.state.rate_limited),
        RegistrationState::Unknown => tr!(l, activity.log.state.unknown),
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
fn attempt_item(a: &ledger::AttemptRow, user_name: Option<String>, l: Locale) -> ActivityItem {
    let actor = match &a.trigger {
        TriggerKind::User => user_name.unwrap_or_else(|| tr!(l, activity.log.former_user)),
        TriggerKind::Auto => tr!(l, activity.log.automatic_retry),
        TriggerKind::Webhook => tr!(l, activity.log.webhook_name_approved),
        TriggerKind::Other(other) => other.clone(),
    };
    let (title, level) = match &a.outcome {
        Some(AttemptOutcome::Success) => (tr!(l, activity.log.registration_succeeded), "good"),
        Some(AttemptOutcome::Failed) => {
            let why = a
                .error_kind
                .as_deref()
                .map(|k| GraphErrorKind::from_str_lossy(k).label().to_owned())
                .unwrap_or_else(|| tr!(l, activity.log.request_rejected));
            (
                tr!(l, activity.log.registration_failed, why = why),
                "blocked",
            )
        }
        Some(_) => (tr!(l, activity.log.registration_unknown), "attention"),
        None => (tr!(l, activity.log.registration_in_progress), "info"),
    };
    let mut detail = Vec::new();
    if let Some(code) = a.meta_code {
        let sub = a
            .meta_subcode
            .map(|s| tr!(l, activity.log.subcode, subcode = s))
            .unwrap_or_default();
        detail.push(tr!(l, activity.log.meta_error, code = code, sub = sub));
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
fn changes(snaps: &[snapshots::HealthSnapshot], l: Locale) -> Vec<ActivityItem> {
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
                    title: tr!(
                        l,
                        activity.log.state_change,
                        from = state_words(p.registration_state, l),
                        to = state_words(cur.registration_state, l)
                    ),
                    detail: s.error_message.clone(),
                    actor: Some(tr!(l, activity.log.health_check, source = s.source)),
                    level: state_level(cur.registration_state).into(),
                });
            }
        }
        if let (Some(g), None) = (&prev_good, &cur.error_kind) {
            for (id, label, before, after) in [
                (
                    "Quality_rating",
                    tr!(l, activity.log.quality_rating),
                    g.quality_rating.as_ref().map(|v| v.as_str()),
                    cur.quality_rating.as_ref().map(|v| v.as_str()),
                ),
                (
                    "Number_status",
                    tr!(l, activity.log.number_status),
                    g.status.as_ref().map(|v| v.as_str()),
                    cur.status.as_ref().map(|v| v.as_str()),
                ),
                (
                    "Messaging_limit",
                    tr!(l, activity.log.messaging_limit),
                    g.messaging_limit.as_ref().map(|v| v.as_str()),
                    cur.messaging_limit.as_ref().map(|v| v.as_str()),
                ),
                (
                    "Display_name_status",
                    tr!(l, activity.log.name_status),
                    g.name_status.as_ref().map(|v| v.as_str()),
                    cur.name_status.as_ref().map(|v| v.as_str()),
                ),
            ] {
                if let (Some(b), Some(a)) = (before, after) {
                    if a != b {
                        out.push(ActivityItem {
                            id: format!("change-{}-{id}", s.id),
                            kind: kind::STATE_CHANGE.into(),
                            at: s.checked_at,
                            title: tr!(
                                l,
                                activity.log.value_change,
                                from = b,
                                to = a,
                                label = label
                            ),
                            detail: None,
                            actor: Some(tr!(l, activity.log.health_check, source = s.source)),
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
        let l = user.locale;
        let mut items = Vec::new();
        for a in self.ledger.attempts(row.id, PER_SOURCE).await? {
            let name = match a.user_id {
                Some(uid) => self.accounts.store().user_name(uid).await?,
                None => None,
            };
            items.push(attempt_item(&a, name, l));
        }
        for e in self.queue.for_inbox(row.id, PER_SOURCE).await? {
            let change = e.change();
            items.push(ActivityItem {
                id: format!("webhook-{}", e.id),
                kind: kind::WEBHOOK.into(),
                at: e.received_at,
                title: change.summary(),
                detail: Some(match e.status.as_str() {
                    queue::status::PENDING => tr!(l, activity.log.webhook_pending),
                    queue::status::PROCESSING => tr!(l, activity.log.webhook_processing),
                    queue::status::PROCESSED => tr!(l, activity.log.webhook_processed),
                    queue::status::FAILED => tr!(l, activity.log.webhook_failed),
                    _ => tr!(l, activity.log.webhook_unused),
                }),
                actor: Some(tr!(l, activity.log.meta_webhook, field = e.field)),
                level: "info".into(),
            });
        }
        let snaps = self.snapshots.since(row.id, 0, 1000).await?;
        items.extend(changes(&snaps, l));
        for a in self.store.alerts_for_inbox(row.id, PER_SOURCE).await? {
            let (title, body) = a.text_in(l);
            items.push(ActivityItem {
                id: format!("alert-{}", a.id),
                kind: kind::ALERT.into(),
                at: a.created_at,
                title,
                detail: Some(body),
                actor: Some(tr!(l, activity.log.greenlight_alert)),
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
        let (rows, unread) = self.store.notifications(user.id, account_id, 50).await?;
        Ok(NotificationList {
            unread,
            items: rows
                .into_iter()
                .map(|n| {
                    let (title, body) = super::text::title_body(
                        &n.kind,
                        n.params.as_deref(),
                        n.title,
                        n.body,
                        user.locale,
                    );
                    NotificationItem {
                        id: n.id,
                        alert_id: n.alert_id,
                        kind: n.kind,
                        severity: n.severity.to_string(),
                        title,
                        body,
                        inbox_id: n.inbox_id,
                        inbox_name: n.inbox_name,
                        created_at: n.created_at,
                        read: n.read_at.is_some(),
                    }
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
