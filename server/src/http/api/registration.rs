//! `POST /api/v1/accounts/{account_id}/inboxes/{inbox_id}/register_phone`: **Complete registration** with the
//! stored token and PIN (no Meta login popup). Administrators only.
//!
//! - 200: an attempt was made, or the number is already registered — the [`RegistrationOutcome`] as JSON
//!   (`result`, `state`, `reason`, `message`, `meta_error`, …). A call Meta refused is still a 200: the attempt
//!   is recorded and `state` says what it means (e.g. `rate_limited` after 133016).
//! - 409 `{"error": reason}`: calling Meta cannot help now (name in review or declined, token refused, budget
//!   spent, read failed), or another attempt is running. No call was made.
//! - 401 not signed in, 403 agents, 404 unknown inbox or another account's, 422 not a WhatsApp Cloud inbox.
use axum::extract::{Path, State};
use axum::Json;

use super::error::{ApiError, ApiUser, ErrorBody};
use super::json::ApiJson;
use super::openapi::InboxPath;
use crate::registration::fixes::FixOutcome;
use crate::registration::RegistrationOutcome;
use crate::state::AppState;
use app::error::AppError;
use serde::Deserialize;
use utoipa::ToSchema;

/// **Complete registration** (administrators): one register call with the stored PIN, when the
/// decision allows it. A call Meta refused is still a 200; 409 when no call can help now.
#[utoipa::path(post, operation_id = "registration_register_phone", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/register_phone", tag = "registration", params(InboxPath),
    responses((status = 200, body = RegistrationOutcome), (status = 409, body = ErrorBody),
        (status = "4XX", body = ErrorBody)))]
pub async fn register_phone(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
) -> Result<Json<RegistrationOutcome>, ApiError> {
    Ok(Json(
        s.services
            .registration
            .complete_registration(&user, account_id, inbox_id)
            .await?,
    ))
}

/// `POST …/inboxes/{inbox_id}/two_step_pin`: **Set the PIN**. Greenlight makes the new PIN, stores it
/// sealed before the call and never answers with it. 200 with a [`FixOutcome`] (`result`:
/// `applied`, `refused` or `unknown`, `meta_error`, `state`, `pin.state`, and `registration` when the
/// number was registered again with the new PIN); 409 when another attempt or fix is running or the
/// inbox's access is not proven; 401/403/404/422 as for `register_phone`.
#[utoipa::path(post, operation_id = "registration_two_step_pin", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/two_step_pin", tag = "registration", params(InboxPath),
    responses((status = 200, body = FixOutcome), (status = 409, body = ErrorBody),
        (status = "4XX", body = ErrorBody)))]
pub async fn two_step_pin(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
) -> Result<Json<FixOutcome>, ApiError> {
    Ok(Json(
        s.services
            .registration
            .set_two_step_pin(&user, account_id, inbox_id)
            .await?,
    ))
}

/// `{"code_method": "SMS"|"VOICE", "language": "en_US"}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeRequestBody {
    code_method: Option<String>,
    language: Option<String>,
}

/// `POST …/inboxes/{inbox_id}/verification/request`: Meta sends a verification code to the phone.
/// 200 with a [`FixOutcome`] (`result`, `meta_error`, `code_requests{left, next_request_at}`); 409
/// when Greenlight's budget of code requests is spent (the answer says from when it can ask again)
/// or another attempt or fix is running; 422 on a bad `code_method` or `language`.
#[utoipa::path(post, operation_id = "registration_verification_request", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/verification/request", tag = "registration", params(InboxPath),
    request_body = CodeRequestBody,
    responses((status = 200, body = FixOutcome), (status = 409, body = ErrorBody),
        (status = "4XX", body = ErrorBody)))]
pub async fn verification_request(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<CodeRequestBody>,
) -> Result<Json<FixOutcome>, ApiError> {
    let method =
        crate::registration::fixes::CodeMethod::parse(b.code_method.as_deref().unwrap_or("SMS"))
            .ok_or_else(|| {
                AppError::invalid("code_method", app::tr!(user.locale, errors.api.code_method))
            })?;
    let language = b.language.unwrap_or_else(|| "en_US".to_owned());
    Ok(Json(
        s.services
            .registration
            .request_verification_code(&user, account_id, inbox_id, method, language.trim())
            .await?,
    ))
}

/// `{"code": "123456"}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeBody {
    code: Option<String>,
}

/// `POST …/inboxes/{inbox_id}/verification/verify`: the code the phone received. When Meta accepts
/// it, the number is registered through the registration engine (`registration` in the answer).
#[utoipa::path(post, operation_id = "registration_verification_verify", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/verification/verify", tag = "registration", params(InboxPath),
    request_body = CodeBody,
    responses((status = 200, body = FixOutcome), (status = 409, body = ErrorBody),
        (status = "4XX", body = ErrorBody)))]
pub async fn verification_verify(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<CodeBody>,
) -> Result<Json<FixOutcome>, ApiError> {
    let code = b.code.ok_or_else(|| {
        AppError::invalid("code", app::tr!(user.locale, errors.api.code_required))
    })?;
    Ok(Json(
        s.services
            .registration
            .verify_code(&user, account_id, inbox_id, &code)
            .await?,
    ))
}

/// `{"new_display_name": "…"}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DisplayNameBody {
    new_display_name: Option<String>,
}

/// `POST …/inboxes/{inbox_id}/display_name`: sends a new display name for Meta's review. 200 with a
/// [`FixOutcome`]; 409 while another change is in review (one at a time) or another fix runs; 422
/// for an empty or overlong name.
#[utoipa::path(post, operation_id = "registration_display_name", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/display_name", tag = "registration", params(InboxPath),
    request_body = DisplayNameBody,
    responses((status = 200, body = FixOutcome), (status = 409, body = ErrorBody),
        (status = "4XX", body = ErrorBody)))]
pub async fn display_name(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<DisplayNameBody>,
) -> Result<Json<FixOutcome>, ApiError> {
    let name = b.new_display_name.unwrap_or_default();
    Ok(Json(
        s.services
            .registration
            .request_display_name(&user, account_id, inbox_id, &name)
            .await?,
    ))
}
