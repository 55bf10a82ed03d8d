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

use super::error::{ApiError, ApiUser};
use crate::registration::RegistrationOutcome;
use crate::state::AppState;

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
