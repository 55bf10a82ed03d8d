//! `GET /api/v1/profile`: the signed-in user and their accounts (Chatwoot's shape);
//! `POST /api/v1/profile/access_token`: a new REST API token.
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use secrecy::ExposeSecret;
use serde_json::{json, Value};

use super::error::{ApiError, ApiUser};
use crate::services::Services;

/// Replaces the caller's API token; the answer is the only place the new one appears (never
/// cached). The old token gets 401 from now on.
pub async fn rotate_token(
    State(services): State<Services>,
    ApiUser(user): ApiUser,
) -> Result<impl IntoResponse, ApiError> {
    let token = services.accounts.rotate_api_token(&user.email).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "access_token": token.expose_secret() })),
    ))
}

/// The signed-in user and their accounts with roles.
pub async fn show(ApiUser(user): ApiUser) -> Json<Value> {
    let accounts: Vec<Value> = user
        .accounts
        .iter()
        .map(|m| json!({"id": m.account_id, "name": m.account_name, "role": m.role.as_str()}))
        .collect();
    Json(json!({
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "accounts": accounts,
    }))
}
