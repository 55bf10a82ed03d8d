//! `GET .../inboxes/{id}/health` (Chatwoot's keys plus registration, link, freshness) and its history.
use app::error::AppError;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ApiUser, ErrorBody};
use super::openapi::{InboxPath, Payload};
use crate::graph::{GraphErrorKind, HealthEntity, HealthEntityError, PhoneNumberHealth};
use crate::health::service::{rfc3339, time, HealthReport};
use crate::signals::model::kind as signal_kind;
use crate::state::AppState;

/// The health answer. Meta's values keep Meta's spelling (as Chatwoot returns them). Fields
/// borrow from the report: a cached answer is written without copying Meta's strings.
#[derive(Serialize, ToSchema)]
pub struct HealthAnswer<'a> {
    display_phone_number: Option<&'a str>,
    verified_name: Option<&'a str>,
    name_status: Option<&'a str>,
    quality_rating: Option<&'a str>,
    messaging_limit_tier: Option<&'a str>,
    account_mode: Option<&'a str>,
    code_verification_status: Option<&'a str>,
    throughput: Option<Throughput<'a>>,
    last_onboarded_time: Option<&'a str>,
    platform_type: Option<&'a str>,
    /// The WABA id, as Chatwoot names it.
    business_id: &'a str,
    status: Option<&'a str>,
    registration: Registration<'a>,
    /// What Greenlight knows of the number's two-step PIN: `stored`, `possibly_stale` or `missing`
    /// (never the PIN).
    pin: crate::registration::pin::PinStatus,
    /// A display name change Meta is reviewing or has decided (`new_display_name`,
    /// `new_name_status`), when the number has one.
    display_name_change: Option<DisplayNameChange<'a>>,
    /// Meta's answer to "can it send?", computed from `entities`: `AVAILABLE`, `LIMITED`,
    /// `BLOCKED`, or `UNKNOWN` without a read.
    can_send_message: &'a str,
    /// Every entity Meta names in `health_status` (number, WABA, business, app, ...), blocked
    /// first, with Meta's `errors[]` and `additional_info[]`.
    entities: Vec<Entity<'a>>,
    /// `official_business_account.oba_status` (`APPROVED`, `PENDING`, ...), when Meta sent one.
    oba_status: Option<&'a str>,
    /// `true` for a coexistence number (`is_on_biz_app`): its throughput is capped at 20 mps.
    is_on_biz_app: Option<bool>,
    /// Restrictions in force on the number's WABA (`account_update`); an expired one is gone.
    restrictions: Vec<Restriction<'a>>,
    /// The WABA's ban (`DISABLE` or `SCHEDULE_FOR_DISABLE`) when Meta reported one.
    #[serde(skip_serializing_if = "Option::is_none")]
    ban: Option<Ban<'a>>,
    /// Everything in force on the WABA in words (restrictions, ban, violation, disconnection).
    enforcement: Vec<Enforcement<'a>>,
    /// The answer first: `blocked`, `needs_attention`, `waiting_on_meta`, `unknown` or `healthy`,
    /// with its reason in one line.
    verdict: VerdictAnswer<'a>,
    /// When Meta refused the token at the newest read (code 190), which kind of refusal, from
    /// Meta's subcode: `expired` (463), `password_changed` (460), `revoked` (458),
    /// `invalid_session` (464, 467, 492) or `refused`; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    token_refusal: Option<app::meta::TokenRefusal>,
    /// The Meta app the access token belongs to, when the webhook self-check learned it.
    token_app_name: Option<&'a str>,
    whatsapp_manager_url: String,
    checked_at: Option<String>,
    stale: bool,
    /// A live read from Meta is still out (it did not land within a second): the answer is the
    /// stored snapshot, or no data yet; ask again in a few seconds.
    checking: bool,
    /// Why the forced refresh failed (502/503 answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<RefreshError<'a>>,
}

#[derive(Serialize, ToSchema)]
struct DisplayNameChange<'a> {
    new_display_name: Option<&'a str>,
    new_name_status: Option<&'a str>,
}

#[derive(Serialize, ToSchema)]
struct Throughput<'a> {
    level: &'a str,
}

/// One `health_status` entity with Meta's names; `errors` and `additional_info` always present.
#[derive(Serialize, ToSchema)]
struct Entity<'a> {
    entity_type: Option<&'a str>,
    id: Option<&'a str>,
    can_send_message: Option<&'a str>,
    errors: &'a [HealthEntityError],
    additional_info: &'a [String],
}

impl<'a> From<&'a HealthEntity> for Entity<'a> {
    fn from(e: &'a HealthEntity) -> Self {
        Entity {
            entity_type: e.entity_type.as_ref().map(|t| t.as_str()),
            id: e.id.as_deref(),
            can_send_message: e.can_send_message.as_ref().map(|c| c.as_str()),
            errors: &e.errors,
            additional_info: &e.additional_info,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct Restriction<'a> {
    restriction_type: Option<&'a str>,
    expires_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct Ban<'a> {
    state: Option<&'a str>,
    /// RFC 3339 (Meta's `waba_ban_date`, a day).
    date: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct Enforcement<'a> {
    kind: &'static str,
    code: Option<&'a str>,
    title: &'a str,
    explanation: &'a str,
    until: Option<String>,
    verdict: &'static str,
    remediation_url: &'static str,
}

/// The overall verdict with its label and one-line reason.
#[derive(Serialize, ToSchema)]
struct VerdictAnswer<'a> {
    verdict: &'static str,
    label: String,
    reason: &'a str,
}

#[derive(Serialize, ToSchema)]
struct Registration<'a> {
    state: &'a str,
    reason_code: &'a str,
    reason: &'a str,
    attempts_in_window: u32,
    attempts_left_in_window: u32,
    next_attempt_at: Option<String>,
    last_error: Option<&'a str>,
    may_register_now: bool,
}

#[derive(Serialize, ToSchema)]
struct RefreshError<'a> {
    kind: &'a str,
    message: &'a str,
}

/// The answer for a report.
pub fn report_json(r: &HealthReport) -> HealthAnswer<'_> {
    let h: Option<&PhoneNumberHealth> = r.shown.as_ref().map(|(_, h)| h);
    let d = &r.decision;
    HealthAnswer {
        display_phone_number: h.and_then(|h| h.display_phone_number.as_deref()),
        verified_name: h.and_then(|h| h.verified_name.as_deref()),
        name_status: h.and_then(|h| h.name_status.as_ref()).map(|v| v.as_str()),
        quality_rating: h
            .and_then(|h| h.quality_rating.as_ref())
            .map(|v| v.as_str()),
        messaging_limit_tier: h
            .and_then(|h| h.messaging_limit.as_ref())
            .map(|v| v.as_str()),
        account_mode: h.and_then(|h| h.account_mode.as_ref()).map(|v| v.as_str()),
        code_verification_status: h
            .and_then(|h| h.code_verification_status.as_ref())
            .map(|v| v.as_str()),
        throughput: h
            .and_then(|h| h.throughput_level())
            .map(|l| Throughput { level: l.as_str() }),
        last_onboarded_time: h.and_then(|h| h.last_onboarded_time.as_deref()),
        platform_type: h.and_then(|h| h.platform_type.as_ref()).map(|v| v.as_str()),
        business_id: &r.inbox.business_account_id,
        status: h.and_then(|h| h.status.as_ref()).map(|v| v.as_str()),
        registration: Registration {
            state: d.state.as_str(),
            reason_code: d.reason_code.as_str(),
            reason: &d.reason,
            attempts_in_window: r.attempts_in_window,
            attempts_left_in_window: d.attempts_left_in_window,
            next_attempt_at: d.next_attempt_at.map(rfc3339),
            last_error: r.last_error.as_deref(),
            may_register_now: d.may_register_now,
        },
        pin: crate::registration::pin::PinStatus { state: r.pin },
        display_name_change: h
            .filter(|h| h.new_display_name.is_some() || h.new_name_status.is_some())
            .map(|h| DisplayNameChange {
                new_display_name: h.new_display_name.as_deref(),
                new_name_status: h.new_name_status.as_ref().map(|v| v.as_str()),
            }),
        can_send_message: crate::health::picture::can_send_message(h),
        entities: crate::health::picture::entities_worst_first(h)
            .into_iter()
            .map(Entity::from)
            .collect(),
        oba_status: h.and_then(|h| h.oba_status()).map(|s| s.as_str()),
        is_on_biz_app: h.and_then(|h| h.is_on_biz_app),
        restrictions: r
            .enforcement
            .iter()
            .filter(|a| a.kind == signal_kind::RESTRICTION)
            .map(|a| Restriction {
                restriction_type: a.code.as_deref(),
                expires_at: a.until.map(rfc3339),
            })
            .collect(),
        ban: r
            .enforcement
            .iter()
            .find(|a| a.kind == signal_kind::BAN)
            .map(|a| Ban {
                state: a.code.as_deref(),
                date: a.until.map(rfc3339),
            }),
        enforcement: r
            .enforcement
            .iter()
            .map(|a| Enforcement {
                kind: a.kind,
                code: a.code.as_deref(),
                title: &a.title,
                explanation: &a.explanation,
                until: a.until.map(rfc3339),
                verdict: a.verdict.as_str(),
                remediation_url: crate::signals::model::REMEDIATION_URL,
            })
            .collect(),
        token_refusal: r.token_refusal,
        token_app_name: r.token_app_name.as_deref(),
        verdict: VerdictAnswer {
            verdict: r.verdict.verdict.as_str(),
            label: r.verdict.verdict.label(),
            reason: &r.verdict.reason,
        },
        whatsapp_manager_url: app::format::whatsapp_manager_url(
            r.inbox.business_id.as_deref(),
            Some(&r.inbox.business_account_id),
        ),
        checked_at: r.shown.as_ref().map(|(t, _)| rfc3339(*t)),
        stale: r.stale,
        checking: r.checking,
        error: r.refresh_error.as_ref().map(|f| RefreshError {
            kind: f.kind.as_str(),
            message: &f.message,
        }),
    }
}

/// `?refresh=true` reads the number from Meta now instead of answering the stored snapshot.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HealthQuery {
    #[serde(default)]
    refresh: Option<bool>,
}

/// What Meta says about the number (Chatwoot's keys), the registration state, the verdict and
/// what is in force on the WABA. 502/503 carry the stored answer with `error` when a forced
/// refresh failed.
#[utoipa::path(get, operation_id = "health_show", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health", tag = "health",
    params(InboxPath, HealthQuery),
    responses((status = 200, body = HealthAnswer), (status = 502, body = HealthAnswer),
        (status = 503, body = HealthAnswer), (status = "4XX", body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    Query(q): Query<HealthQuery>,
) -> Result<Response, ApiError> {
    let r = s
        .services
        .health
        .health_report(&user, account_id, inbox_id, q.refresh.unwrap_or(false))
        .await?;
    let status = match &r.refresh_error {
        None => StatusCode::OK,
        Some(f) => match f.kind {
            GraphErrorKind::Transient | GraphErrorKind::Throttled => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            _ => StatusCode::BAD_GATEWAY,
        },
    };
    Ok((status, Json(report_json(&r))).into_response())
}

/// `?since=` an RFC 3339 time (30 days ago by default).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    since: Option<String>,
}

/// The stored reads of the number since `since`, oldest first.
#[utoipa::path(get, operation_id = "health_history", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health/history", tag = "health",
    params(InboxPath, HistoryQuery),
    responses((status = 200, body = Payload<HistoryPoint>), (status = "4XX", body = ErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    Query(q): Query<HistoryQuery>,
) -> Result<Json<Payload<HistoryPoint>>, ApiError> {
    let since = match q.since.as_deref() {
        None => Utc::now() - chrono::Duration::days(30),
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                AppError::invalid("since", app::tr!(user.locale, errors.api.since_invalid))
            })?,
    };
    let rows = s
        .services
        .health
        .health_history(&user, account_id, inbox_id, since)
        .await?;
    Ok(Json(Payload::of(rows.iter().map(|r| {
        let h = r.health.as_ref();
        HistoryPoint {
            checked_at: rfc3339(time(r.checked_at)),
            source: r.source.as_str().to_string(),
            ok: h.is_some(),
            registration_state: r.registration_state.as_str(),
            quality_rating: h
                .and_then(|h| h.quality_rating.as_ref())
                .map(|v| v.as_str().to_string()),
            messaging_limit_tier: h
                .and_then(|h| h.messaging_limit.as_ref())
                .map(|v| v.as_str().to_string()),
            name_status: h
                .and_then(|h| h.name_status.as_ref())
                .map(|v| v.as_str().to_string()),
            status: h
                .and_then(|h| h.status.as_ref())
                .map(|v| v.as_str().to_string()),
            error: r.error_message.clone(),
        }
    }))))
}

/// One stored read of the number.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPoint {
    /// RFC 3339.
    checked_at: String,
    /// What made the read (`poll`, `refresh`, `webhook`, ...).
    source: String,
    /// Meta answered.
    ok: bool,
    registration_state: &'static str,
    quality_rating: Option<String>,
    messaging_limit_tier: Option<String>,
    name_status: Option<String>,
    status: Option<String>,
    /// Why the read failed, in words.
    error: Option<String>,
}
