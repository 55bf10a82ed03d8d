//! The account's agents (Chatwoot's `/api/v1/accounts/{id}/agents`): list, invite, change role,
//! remove. Inviting answers a one-time `invitation_url` instead of sending mail.
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiUser, ErrorBody};
use super::json::ApiJson;
use super::openapi::{AccountPath, AgentPath};
use crate::accounts::team::link_url;
use crate::services::Services;

/// Chatwoot's agent shape (the fields Greenlight has).
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentAnswer {
    id: i64,
    account_id: i64,
    name: String,
    available_name: String,
    email: String,
    /// `administrator` or `agent`.
    role: &'static str,
    /// Always `true`: a member has set their password.
    confirmed: bool,
    status: app::team::MemberStatus,
}

impl AgentAnswer {
    fn of(account_id: i64, m: &app::team::TeamMember) -> Self {
        AgentAnswer {
            id: m.user_id,
            account_id,
            name: m.name.clone(),
            available_name: m.name.clone(),
            email: m.email.clone(),
            role: m.role.as_str(),
            confirmed: true,
            status: m.status,
        }
    }
}

/// The answer to an invitation: the one-time link, shown only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationAnswer {
    invitation_id: i64,
    account_id: i64,
    email: String,
    /// `administrator` or `agent`.
    role: Option<&'static str>,
    /// Always `false` until the invitee sets their password.
    confirmed: bool,
    /// Works once, until `expires_at`.
    invitation_url: String,
    /// Unix seconds.
    expires_at: i64,
}

/// `POST` body: who to invite and with which role (Chatwoot also sends a name; the invitee
/// chooses their own).
#[derive(Debug, Deserialize, ToSchema)]
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct AgentPatch {
    #[serde(default)]
    role: Option<String>,
}

/// The account's members (any member may list them).
#[utoipa::path(get, operation_id = "agents_list", path = "/api/v1/accounts/{account_id}/agents", tag = "agents", params(AccountPath),
    responses((status = 200, body = Vec<AgentAnswer>), (status = "4XX", body = ErrorBody)))]
pub async fn list(
    State(s): State<Services>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
) -> Result<Json<Vec<AgentAnswer>>, ApiError> {
    let team = s.accounts.list_members(&user, account_id).await?;
    Ok(Json(
        team.iter()
            .map(|m| AgentAnswer::of(account_id, m))
            .collect(),
    ))
}

/// Invites someone (administrators): the answer is the only place the link appears.
#[utoipa::path(post, operation_id = "agents_create", path = "/api/v1/accounts/{account_id}/agents", tag = "agents", params(AccountPath), request_body = InviteBody,
    responses((status = 201, body = InvitationAnswer), (status = "4XX", body = ErrorBody)))]
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
        Json(InvitationAnswer {
            invitation_id: link.id,
            account_id,
            role: link.role.map(|r| r.as_str()),
            confirmed: false,
            invitation_url: link_url(&s.public_url, link.token.expose_secret()),
            expires_at: link.expires_at,
            email: link.email,
        }),
    ))
}

/// Changes a member's role (administrators; never the last administrator's).
#[utoipa::path(patch, operation_id = "agents_update", path = "/api/v1/accounts/{account_id}/agents/{user_id}", tag = "agents", params(AgentPath), request_body = AgentPatch,
    responses((status = 200, body = AgentAnswer), (status = "4XX", body = ErrorBody)))]
pub async fn update(
    State(s): State<Services>,
    ApiUser(user): ApiUser,
    Path((account_id, user_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<AgentPatch>,
) -> Result<Json<AgentAnswer>, ApiError> {
    let role = b.role.ok_or_else(|| {
        app::error::AppError::invalid("role", app::tr!(user.locale, errors.api.role_required))
    })?;
    let m = s
        .accounts
        .set_member_role(&user, account_id, user_id, &role)
        .await?;
    Ok(Json(AgentAnswer::of(account_id, &m)))
}

/// Removes a member (administrators; never the last administrator): their sessions and API
/// token end at once.
#[utoipa::path(delete, operation_id = "agents_destroy", path = "/api/v1/accounts/{account_id}/agents/{user_id}", tag = "agents", params(AgentPath),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn destroy(
    State(s): State<Services>,
    ApiUser(user): ApiUser,
    Path((account_id, user_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    s.accounts.remove_member(&user, account_id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
