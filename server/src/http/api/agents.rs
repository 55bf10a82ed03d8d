//! The account's agents (Chatwoot's `/api/v1/accounts/{id}/agents`): list, invite, change role,
//! remove. Inviting answers a one-time `invitation_url` instead of sending mail.
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{ApiError, ApiUser};
use super::json::ApiJson;
use crate::accounts::team::link_url;
use crate::services::Services;

/// Chatwoot's agent shape (the fields Greenlight has).
fn agent_json(account_id: i64, m: &app::team::TeamMember) -> Value {
    json!({
        "id": m.user_id,
        "account_id": account_id,
        "name": m.name,
        "available_name": m.name,
        "email": m.email,
        "role": m.role.as_str(),
        "confirmed": true,
        "status": m.status,
    })
}

/// `POST` body: who to invite and with which role (Chatwoot also sends a name; the invitee
/// chooses their own).
#[derive(Debug, Deserialize)]
pub struct InviteBody {
    #[serde(default)]
    #[allow(dead_code)]
    name: Option<String>,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// `PATCH` body.
#[derive(Debug, Deserialize)]
pub struct AgentPatch {
    #[serde(default)]
    role: Option<String>,
}

/// The account's members (any member may list them).
pub async fn list(
    State(s): State<Services>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let team = s.accounts.list_members(&user, account_id).await?;
    Ok(Json(Value::Array(
        team.iter().map(|m| agent_json(account_id, m)).collect(),
    )))
}

/// Invites someone (administrators): the answer is the only place the link appears.
pub async fn create(
    State(s): State<Services>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    ApiJson(b): ApiJson<InviteBody>,
) -> Result<impl IntoResponse, ApiError> {
    let link = s
        .accounts
        .invite(&user, account_id, &b.email, &b.role)
        .await?;
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "invitation_id": link.id,
            "account_id": account_id,
            "email": link.email,
            "role": link.role.map(|r| r.as_str()),
            "confirmed": false,
            "invitation_url": link_url(&s.public_url, link.token.expose_secret()),
            "expires_at": link.expires_at,
        })),
    ))
}

/// Changes a member's role (administrators; never the last administrator's).
pub async fn update(
    State(s): State<Services>,
    ApiUser(user): ApiUser,
    Path((account_id, user_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<AgentPatch>,
) -> Result<Json<Value>, ApiError> {
    let role = b.role.ok_or_else(|| {
        app::error::AppError::invalid("role", "Send the new role: administrator or agent.")
    })?;
    let m = s
        .accounts
        .set_member_role(&user, account_id, user_id, &role)
        .await?;
    Ok(Json(agent_json(account_id, &m)))
}

/// Removes a member (administrators; never the last administrator): their sessions and API
/// token end at once.
pub async fn destroy(
    State(s): State<Services>,
    ApiUser(user): ApiUser,
    Path((account_id, user_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    s.accounts.remove_member(&user, account_id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
