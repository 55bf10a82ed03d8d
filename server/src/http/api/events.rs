//! The activity log of an inbox, the user's notifications, and the account's outgoing alert
//! webhooks (administrators).
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ApiUser, ErrorBody};
use super::json::{ApiJson, OptionalApiJson};
use super::openapi::{AccountPath, AlertWebhookPath, InboxPath, Payload};
use crate::alerts::outgoing::{DeliveryView, WebhookView};
use crate::state::AppState;
use app::activity::WebhookCheckView;

fn rfc3339(secs: i64) -> String {
    Utc.timestamp_opt(secs, 0)
        .single()
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// How many events, newest first (at most 500, 200 by default).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    limit: Option<usize>,
}

/// `GET /api/v1/accounts/{a}/inboxes/{i}/events`: `{"payload": [{id, kind, at, title, detail,
/// actor, level}]}`, newest first (`limit` ≤ 500, default 200).
#[utoipa::path(get, operation_id = "events_inbox_events", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/events", tag = "alerts", params(InboxPath, EventsQuery),
    responses((status = 200, body = Payload<EventAnswer>), (status = "4XX", body = ErrorBody)))]
pub async fn inbox_events(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    Query(q): Query<EventsQuery>,
) -> Result<Json<Payload<EventAnswer>>, ApiError> {
    let limit = q.limit.unwrap_or(200).clamp(1, 500);
    let items = s
        .services
        .alerts
        .inbox_activity(&user, account_id, inbox_id, limit)
        .await?;
    Ok(Json(Payload::of(items.iter().map(|i| EventAnswer {
        id: i.id.clone(),
        kind: i.kind.clone(),
        at: rfc3339(i.at),
        title: i.title.clone(),
        detail: i.detail.clone(),
        actor: i.actor.clone(),
        level: i.level.clone(),
    }))))
}

/// `GET /api/v1/accounts/{a}/notifications`: `{"unread": n, "payload": [...]}`.
#[utoipa::path(get, operation_id = "events_notifications", path = "/api/v1/accounts/{account_id}/notifications", tag = "alerts", params(AccountPath),
    responses((status = 200, body = NotificationsAnswer), (status = "4XX", body = ErrorBody)))]
pub async fn notifications(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
) -> Result<Json<NotificationsAnswer>, ApiError> {
    let list = s.services.alerts.notifications(&user, account_id).await?;
    Ok(Json(NotificationsAnswer {
        unread: list.unread,
        payload: list
            .items
            .iter()
            .map(|n| NotificationAnswer {
                id: n.id,
                alert_id: n.alert_id,
                kind: n.kind.clone(),
                severity: n.severity.clone(),
                title: n.title.clone(),
                body: n.body.clone(),
                inbox_id: n.inbox_id,
                inbox_name: n.inbox_name.clone(),
                created_at: rfc3339(n.created_at),
                read: n.read,
            })
            .collect(),
    }))
}

/// Which notification to mark read; all when `id` is missing.
#[derive(Debug, Deserialize, Default, ToSchema)]
pub struct ReadBody {
    /// One notification; all when missing.
    id: Option<i64>,
}

/// `POST /api/v1/accounts/{a}/notifications/read` `{"id": n}` (or `{}` for all): `{"unread": n}`.
#[utoipa::path(post, operation_id = "events_notifications_read", path = "/api/v1/accounts/{account_id}/notifications/read", tag = "alerts", params(AccountPath),
    request_body(content = Option<ReadBody>, description = "Optional: without a body every notification is marked read."),
    responses((status = 200, body = Unread), (status = "4XX", body = ErrorBody)))]
pub async fn notifications_read(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    OptionalApiJson(body): OptionalApiJson<ReadBody>,
) -> Result<Json<Unread>, ApiError> {
    let id = body.and_then(|b| b.id);
    let unread = s
        .services
        .alerts
        .mark_notifications_read(&user, account_id, id)
        .await?;
    Ok(Json(Unread { unread }))
}

/// `GET /api/v1/accounts/{a}/alert_webhooks` (administrators).
#[utoipa::path(get, operation_id = "events_webhooks_list", path = "/api/v1/accounts/{account_id}/alert_webhooks", tag = "alerts", params(AccountPath),
    responses((status = 200, body = Payload<WebhookView>), (status = "4XX", body = ErrorBody)))]
pub async fn webhooks_list(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
) -> Result<Json<Payload<WebhookView>>, ApiError> {
    let hooks = s.services.alerts.alert_webhooks(&user, account_id).await?;
    Ok(Json(Payload::of(hooks)))
}

/// A new alert webhook. `Debug` never shows the signing secret.
#[derive(Deserialize, ToSchema)]
pub struct NewWebhook {
    /// An `https://` URL (an `http://` one only to this machine).
    url: String,
    /// Signs each delivery (HMAC-SHA256 in `X-Greenlight-Signature`); never answered.
    #[schema(write_only)]
    secret: String,
    /// `json` (default) or `slack`.
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
#[utoipa::path(post, operation_id = "events_webhooks_create", path = "/api/v1/accounts/{account_id}/alert_webhooks", tag = "alerts", params(AccountPath), request_body = NewWebhook,
    responses((status = 201, body = WebhookView), (status = "4XX", body = ErrorBody)))]
pub async fn webhooks_create(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    ApiJson(b): ApiJson<NewWebhook>,
) -> Result<(StatusCode, Json<WebhookView>), ApiError> {
    let hook = s
        .services
        .alerts
        .create_alert_webhook(&user, account_id, &b.url, &b.secret, b.format.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(hook)))
}

/// `DELETE /api/v1/accounts/{a}/alert_webhooks/{id}` → 204.
#[utoipa::path(delete, operation_id = "events_webhooks_delete", path = "/api/v1/accounts/{account_id}/alert_webhooks/{id}", tag = "alerts", params(AlertWebhookPath),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
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
#[utoipa::path(post, operation_id = "events_webhooks_test", path = "/api/v1/accounts/{account_id}/alert_webhooks/{id}/test", tag = "alerts", params(AlertWebhookPath),
    responses((status = 200, body = DeliveryView), (status = "4XX", body = ErrorBody)))]
pub async fn webhooks_test(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, id)): Path<(i64, i64)>,
) -> Result<Json<DeliveryView>, ApiError> {
    let d = s
        .services
        .alerts
        .test_alert_webhook(&user, account_id, id)
        .await?;
    Ok(Json(d))
}

/// `GET /api/v1/accounts/{a}/alert_webhooks/{id}/deliveries`: the delivery log, newest first.
#[utoipa::path(get, operation_id = "events_webhooks_deliveries", path = "/api/v1/accounts/{account_id}/alert_webhooks/{id}/deliveries", tag = "alerts", params(AlertWebhookPath),
    responses((status = 200, body = Payload<DeliveryView>), (status = "4XX", body = ErrorBody)))]
pub async fn webhooks_deliveries(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, id)): Path<(i64, i64)>,
) -> Result<Json<Payload<DeliveryView>>, ApiError> {
    let d = s
        .services
        .alerts
        .alert_webhook_deliveries(&user, account_id, id)
        .await?;
    Ok(Json(Payload::of(d)))
}

/// `?refresh=true` on the webhook self-check.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    #[serde(default)]
    refresh: Option<bool>,
}

/// `GET /api/v1/accounts/{a}/inboxes/{i}/webhook_check[?refresh=true]`: the webhook self-check.
#[utoipa::path(get, operation_id = "events_webhook_check", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/webhook_check", tag = "alerts", params(InboxPath, CheckQuery),
    responses((status = 200, body = WebhookCheckView), (status = "4XX", body = ErrorBody)))]
pub async fn webhook_check(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    Query(q): Query<CheckQuery>,
) -> Result<Json<WebhookCheckView>, ApiError> {
    let v = s
        .services
        .webhooks
        .webhook_check(&user, account_id, inbox_id, q.refresh.unwrap_or(false))
        .await?;
    Ok(Json(v))
}

/// `POST /api/v1/accounts/{a}/inboxes/{i}/webhook_check/repair` (administrators).
#[utoipa::path(post, operation_id = "events_webhook_repair", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/webhook_check/repair", tag = "alerts", params(InboxPath),
    responses((status = 200, body = WebhookCheckView), (status = "4XX", body = ErrorBody)))]
pub async fn webhook_repair(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
) -> Result<Json<WebhookCheckView>, ApiError> {
    let v = s
        .services
        .webhooks
        .repair_webhooks(&user, account_id, inbox_id)
        .await?;
    Ok(Json(v))
}

/// One event of an inbox's activity log.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventAnswer {
    /// Unique within the log, e.g. `attempt-12`.
    id: String,
    kind: String,
    /// RFC 3339.
    at: String,
    title: String,
    detail: Option<String>,
    /// Who or what: a user's name, "Automatic retry", "Meta webhook", "Greenlight".
    actor: Option<String>,
    /// `good`, `attention`, `blocked` or `info`.
    level: String,
}

/// One notification of the signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationAnswer {
    id: i64,
    alert_id: i64,
    kind: String,
    /// `critical`, `warning` or `info`.
    severity: String,
    title: String,
    body: String,
    inbox_id: Option<i64>,
    inbox_name: Option<String>,
    /// RFC 3339.
    created_at: String,
    read: bool,
}

/// The user's notifications, newest first, with the count of unread ones.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsAnswer {
    unread: i64,
    payload: Vec<NotificationAnswer>,
}

/// How many notifications are still unread.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unread {
    unread: i64,
}
