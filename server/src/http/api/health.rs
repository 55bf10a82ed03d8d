//! `GET .../inboxes/{id}/health` (Chatwoot's keys plus registration, link, freshness) and its history.
use app::error::AppError;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{ApiError, ApiUser};
use crate::graph::{GraphErrorKind, PhoneNumberHealth};
use crate::services::health::{rfc3339, time, HealthReport};
use crate::startup::AppState;

/// The health answer. Meta's values keep Meta's spelling (as Chatwoot returns them).
pub fn report_json(r: &HealthReport) -> Value {
    let h: Option<&PhoneNumberHealth> = r.shown.as_ref().map(|(_, h)| h);
    let s = |f: fn(&PhoneNumberHealth) -> Option<String>| h.and_then(f);
    let d = &r.decision;
    json!({
        "display_phone_number": s(|h| h.display_phone_number.clone()),
        "verified_name": s(|h| h.verified_name.clone()),
        "name_status": s(|h| h.name_status.as_ref().map(|v| v.as_str().to_string())),
        "quality_rating": s(|h| h.quality_rating.as_ref().map(|v| v.as_str().to_string())),
        "messaging_limit_tier": s(|h| h.messaging_limit.as_ref().map(|v| v.as_str().to_string())),
        "account_mode": s(|h| h.account_mode.as_ref().map(|v| v.as_str().to_string())),
        "code_verification_status": s(|h| h.code_verification_status.as_ref().map(|v| v.as_str().to_string())),
        "throughput": h.and_then(|h| h.throughput_level()).map(|l| json!({"level": l.as_str()})),
        "last_onboarded_time": s(|h| h.last_onboarded_time.clone()),
        "platform_type": s(|h| h.platform_type.as_ref().map(|v| v.as_str().to_string())),
        "business_id": r.inbox.business_account_id,
        "status": s(|h| h.status.as_ref().map(|v| v.as_str().to_string())),
        "registration": {
            "state": d.state.as_str(),
            "reason_code": d.reason_code.as_str(),
            "reason": d.reason,
            "attempts_in_window": r.attempts_in_window,
            "attempts_left_in_window": d.attempts_left_in_window,
            "next_attempt_at": d.next_attempt_at.map(rfc3339),
            "last_error": r.last_error,
            "may_register_now": d.may_register_now,
        },
        "whatsapp_manager_url": app::format::whatsapp_manager_url(
            r.inbox.business_id.as_deref(),
            Some(&r.inbox.business_account_id),
        ),
        "checked_at": r.shown.as_ref().map(|(t, _)| rfc3339(*t)),
        "stale": r.stale,
    })
}

#[derive(Debug, Deserialize)]
pub struct HealthQuery {
    #[serde(default)]
    refresh: Option<bool>,
}

pub async fn show(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    Query(q): Query<HealthQuery>,
) -> Result<Response, ApiError> {
    let r = s
        .services
        .health_report(&user, account_id, inbox_id, q.refresh.unwrap_or(false))
        .await?;
    let mut body = report_json(&r);
    let status = match &r.refresh_error {
        None => StatusCode::OK,
        Some(f) => {
            body["error"] = json!({"kind": f.kind.as_str(), "message": f.message});
            match f.kind {
                GraphErrorKind::Transient | GraphErrorKind::Throttled => {
                    StatusCode::SERVICE_UNAVAILABLE
                }
                _ => StatusCode::BAD_GATEWAY,
            }
        }
    };
    Ok((status, Json(body)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    since: Option<String>,
}

pub async fn history(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    Query(q): Query<HistoryQuery>,
) -> Result<Json<Value>, ApiError> {
    let since = match q.since.as_deref() {
        None => Utc::now() - chrono::Duration::days(30),
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                AppError::invalid(
                    "since",
                    "since must be an RFC 3339 time, e.g. 2026-11-01T00:00:00Z.",
                )
            })?,
    };
    let rows = s
        .services
        .health_history(&user, account_id, inbox_id, since)
        .await?;
    let payload: Vec<Value> = rows
        .iter()
        .map(|r| {
            let h: Option<PhoneNumberHealth> = r.health_json.as_deref().and_then(|j| serde_json::from_str(j).ok());
            json!({
                "checked_at": rfc3339(time(r.checked_at)),
                "source": r.source,
                "ok": h.is_some(),
                "registration_state": r.registration_state,
                "quality_rating": h.as_ref().and_then(|h| h.quality_rating.as_ref()).map(|v| v.as_str().to_string()),
                "messaging_limit_tier": h.as_ref().and_then(|h| h.messaging_limit.as_ref()).map(|v| v.as_str().to_string()),
                "name_status": h.as_ref().and_then(|h| h.name_status.as_ref()).map(|v| v.as_str().to_string()),
                "status": h.as_ref().and_then(|h| h.status.as_ref()).map(|v| v.as_str().to_string()),
                "error": r.error_message,
            })
        })
        .collect();
    Ok(Json(json!({"payload": payload})))
}
