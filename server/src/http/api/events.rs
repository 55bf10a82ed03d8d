//! The activity log of an inbox, the user's notifications, and the account's outgoing alert
//! webhooks (administrators).
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{TimeZone, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{ApiError, ApiUser};
use super::json::{ApiJson, OptionalApiJson};
use crate::state::AppState;

fn rfc3339(secs: i64) -> String {
    Utc.timestamp_opt(secs, 0)
        .single()
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    limit: Option<usize>,
}

/// `GET /api/v1/accounts/{a}/inboxes/{i}/events`: `{"payload": [{id, kind, at, title, detail,
/// actor, level}]}`, newest first (`limit` ≤ 500, default 200).
pub async fn inbox_events(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    Query(q): Query<EventsQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = q.limit.unwrap_or(200).clamp(1, 500);
    let items = s
        .services
        .alerts
        .inbox_activity(&user, account_id, inbox_id, limit)
        .await?;
    let payload: Vec<Value> = items
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "kind": i.kind,
                "at": rfc3339(i.at),
                "title": i.title,
                "detail": i.detail,
                "actor": i.actor,
                "level": i.level,
            })
        })
        .collect();
    Ok(Json(json!({ "payload": payload })))
}

/// `GET /api/v1/accounts/{a}/notifications`: `{"unread": n, "payload": [...]}`.
pub async fn notifications(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let list = s.services.alerts.notifications(&user, account_id).await?;
    let payload: Vec<Value> = list
        .items
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "alert_id": n.alert_id,
                "kind": n.kind,
                "severity": n.severity,
                "title": n.title,
                "body": n.body,
                "inbox_id": n.inbox_id,
                "inbox_name": n.inbox_name,
                "created_at": rfc3339(n.created_at),
                "read": n.read,
            })
        })
        .collect();
    Ok(Json(json!({ "unread": list.unread, "payload": payload })))
}

#[derive(Debug, Deserialize, Default)]
pub struct ReadBody {
    /// One notification; all when missing.
    id: Option<i64>,
}

/// `POST /api/v1/accounts/{a}/notifications/read` `{"id": n}` (or `{}` for all): `{"unread": n}`.
pub async fn notifications_read(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    OptionalApiJson(body): OptionalApiJson<ReadBody>,
) -> Result<Json<Value>, ApiError> {
    let id = body.and_then(|b| b.id);
    let unread = s
        .services
        .alerts
        .mark_notifications_read(&user, account_id, id)
        .await?;
    Ok(Json(json!({ "unread": unread })))
}

/// `GET /api/v1/accounts/{a}/alert_webhooks` (administrators).
pub async fn webhooks_list(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let hooks = s.services.alerts.alert_webhooks(&user, account_id).await?;
    Ok(Json(json!({ "payload": hooks })))
}

/// A new alert webhook. `Debug` never shows the signing secret.
#[derive(Deserialize)]
pub struct NewWebhook {
    url: String,
    secret: String,
    format: Option<String>,
}

impl std::fmt::Debug for NewWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewWebhook")
            .field("url", &self.url)
            .field("secret", &app::redact::Secret(&self.secret))
            .field("format", &self.format)
            .finish()
    }
}

/// `POST /api/v1/accounts/{a}/alert_webhooks` `{"url", "secret", "format": "json"|"slack"}` → 201.
pub async fn webhooks_create(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    ApiJson(b): ApiJson<NewWebhook>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let hook = s
        .services
        .alerts
        .create_alert_webhook(&user, account_id, &b.url, &b.secret, b.format.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(json!(hook))))
}

/// `DELETE /api/v1/accounts/{a}/alert_webhooks/{id}` → 204.
pub async fn webhooks_delete(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    s.services
        .alerts
        .delete_alert_webhook(&user, account_id, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/accounts/{a}/alert_webhooks/{id}/test`: sends a test alert now; the delivery.
pub async fn webhooks_test(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, id)): Path<(i64, i64)>,
) -> Result<Json<Value>, ApiError> {
    let d = s
        .services
        .alerts
        .test_alert_webhook(&user, account_id, id)
        .await?;
    Ok(Json(json!(d)))
}

/// `GET /api/v1/accounts/{a}/alert_webhooks/{id}/deliveries`: the delivery log, newest first.
pub async fn webhooks_deliveries(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, id)): Path<(i64, i64)>,
) -> Result<Json<Value>, ApiError> {
    let d = s
        .services
        .alerts
        .alert_webhook_deliveries(&user, account_id, id)
        .await?;
    Ok(Json(json!({ "payload": d })))
}

/// `?refresh=true` on the webhook self-check.
#[derive(Debug, Deserialize)]
pub struct CheckQuery {
    #[serde(default)]
    refresh: Option<bool>,
}

/// `GET /api/v1/accounts/{a}/inboxes/{i}/webhook_check[?refresh=true]`: the webhook self-check.
pub async fn webhook_check(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    Query(q): Query<CheckQuery>,
) -> Result<Json<Value>, ApiError> {
    let v = s
        .services
        .webhooks
        .webhook_check(&user, account_id, inbox_id, q.refresh.unwrap_or(false))
        .await?;
    Ok(Json(json!(v)))
}

/// `POST /api/v1/accounts/{a}/inboxes/{i}/webhook_check/repair` (administrators).
pub async fn webhook_repair(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
) -> Result<Json<Value>, ApiError> {
    let v = s
        .services
        .webhooks
        .repair_webhooks(&user, account_id, inbox_id)
        .await?;
    Ok(Json(json!(v)))
}
