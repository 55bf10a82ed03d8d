//! The account's numbers grouped by business portfolio, with the shared messaging limit.
use axum::extract::{Path, State};
use axum::Json;

use super::error::{ApiError, ApiUser, ErrorBody};
use super::openapi::AccountPath;
use crate::state::AppState;
use app::portfolio::PortfoliosView;

/// The numbers the caller may see, grouped by business portfolio: the shared messaging limit
/// (the newest of the numbers' reads and Meta's `business_capability_update`), the phone-number
/// cap, Meta's `account_alerts` and each number's verdict. Answers from stored data; never waits
/// on Meta.
#[utoipa::path(get, operation_id = "portfolios_list", path = "/api/v1/accounts/{account_id}/portfolios", tag = "health",
    params(AccountPath),
    responses((status = 200, body = PortfoliosView), (status = "4XX", body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
) -> Result<Json<PortfoliosView>, ApiError> {
    Ok(Json(s.services.portfolios(&user, account_id).await?))
}
