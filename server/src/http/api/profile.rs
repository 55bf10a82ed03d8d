//! `GET /api/v1/profile`: the signed-in user and their accounts (Chatwoot's shape).
use axum::Json;
use serde_json::{json, Value};

use super::error::ApiUser;

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
