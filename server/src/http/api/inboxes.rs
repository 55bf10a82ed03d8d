//! Inboxes and inbox members, with Chatwoot's request and answer shapes.
use app::error::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiUser, ErrorBody};
use super::json::ApiJson;
use super::openapi::{AccountPath, InboxPath, Payload};
use crate::inboxes::service::{InboxPatch, InboxView, MemberChange, NewInbox};
use crate::state::AppState;

/// Chatwoot's inbox shape (without any secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxAnswer {
    id: i64,
    account_id: i64,
    name: String,
    /// Always `Channel::Whatsapp`.
    channel_type: &'static str,
    /// Always `whatsapp_cloud`.
    provider: String,
    phone_number: String,
    provider_config: ProviderConfigAnswer,
    /// The business portfolio's id, when Meta told it.
    business_id: Option<String>,
    /// Why the last setup (reading the number, subscribing the app) failed, in words.
    setup_error: Option<String>,
    /// Unix seconds.
    created_at: i64,
    /// Unix seconds.
    updated_at: i64,
}

/// `provider_config` of an answer: the ids, never the access token.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderConfigAnswer {
    phone_number_id: String,
    business_account_id: String,
}

impl From<&InboxView> for InboxAnswer {
    fn from(v: &InboxView) -> Self {
        InboxAnswer {
            id: v.id,
            account_id: v.account_id,
            name: v.name.clone(),
            channel_type: "Channel::Whatsapp",
            provider: v.channel_type.clone(),
            phone_number: v.phone_number.clone(),
            provider_config: ProviderConfigAnswer {
                phone_number_id: v.phone_number_id.clone(),
                business_account_id: v.business_account_id.clone(),
            },
            business_id: v.business_id.clone(),
            setup_error: v.setup_error.clone(),
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// `provider_config` of an inbox request. `Debug` never shows the access token.
#[derive(Deserialize, ToSchema)]
pub struct ProviderConfig {
    /// The permanent access token (a system user's); stored sealed, never answered.
    #[serde(default)]
    #[schema(write_only)]
    api_key: Option<String>,
    #[serde(default)]
    phone_number_id: Option<String>,
    #[serde(default)]
    business_account_id: Option<String>,
}

impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("api_key", &app::redact::OptSecret(&self.api_key))
            .field("phone_number_id", &self.phone_number_id)
            .field("business_account_id", &self.business_account_id)
            .finish()
    }
}

/// The channel of an inbox request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Channel {
    /// `whatsapp`.
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    phone_number: Option<String>,
    /// `whatsapp_cloud`.
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    provider_config: Option<ProviderConfig>,
}

/// Chatwoot's inbox request: `name` and `channel` to create; `name` and/or
/// `channel.provider_config.api_key` to update.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InboxBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    channel: Option<Channel>,
}

/// The inboxes the caller may see.
#[utoipa::path(get, operation_id = "inboxes_list", path = "/api/v1/accounts/{account_id}/inboxes", tag = "inboxes",
    params(AccountPath),
    responses((status = 200, body = Payload<InboxAnswer>), (status = "4XX", body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
) -> Result<Json<Payload<InboxAnswer>>, ApiError> {
    let list = s.services.inboxes.list_inboxes(&user, account_id).await?;
    Ok(Json(Payload::of(list.iter().map(InboxAnswer::from))))
}

/// Adds a WhatsApp Cloud number (administrators); Greenlight reads it from Meta at once.
#[utoipa::path(post, operation_id = "inboxes_create", path = "/api/v1/accounts/{account_id}/inboxes", tag = "inboxes",
    params(AccountPath), request_body = InboxBody,
    responses((status = 201, body = InboxAnswer), (status = "4XX", body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    ApiJson(b): ApiJson<InboxBody>,
) -> Result<(StatusCode, Json<InboxAnswer>), ApiError> {
    let channel = b.channel.ok_or_else(|| {
        AppError::invalid(
            "channel",
            app::tr!(user.locale, errors.api.channel_required),
        )
    })?;
    if channel.kind.as_deref() != Some("whatsapp")
        || channel.provider.as_deref() != Some("whatsapp_cloud")
    {
        return Err(AppError::invalid(
            "channel",
            app::tr!(user.locale, errors.api.channel_unsupported),
        )
        .into());
    }
    let pc = channel.provider_config.unwrap_or(ProviderConfig {
        api_key: None,
        phone_number_id: None,
        business_account_id: None,
    });
    let view = s
        .services
        .inboxes
        .create_inbox(
            &user,
            account_id,
            NewInbox {
                name: b.name.unwrap_or_default(),
                phone_number: channel.phone_number.unwrap_or_default(),
                phone_number_id: pc.phone_number_id.unwrap_or_default(),
                business_account_id: pc.business_account_id.unwrap_or_default(),
                api_key: pc.api_key.unwrap_or_default(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(InboxAnswer::from(&view))))
}

/// One inbox.
#[utoipa::path(get, operation_id = "inboxes_show", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}", tag = "inboxes",
    params(InboxPath),
    responses((status = 200, body = InboxAnswer), (status = "4XX", body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
) -> Result<Json<InboxAnswer>, ApiError> {
    let row = s
        .services
        .inboxes
        .inbox_for(&user, account_id, inbox_id)
        .await?;
    Ok(Json(InboxAnswer::from(&InboxView::from(&row))))
}

/// Renames an inbox and/or replaces its access token (administrators).
#[utoipa::path(patch, operation_id = "inboxes_update", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}", tag = "inboxes",
    params(InboxPath), request_body = InboxBody,
    responses((status = 200, body = InboxAnswer), (status = "4XX", body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<InboxBody>,
) -> Result<Json<InboxAnswer>, ApiError> {
    let api_key = b
        .channel
        .and_then(|c| c.provider_config)
        .and_then(|p| p.api_key);
    let view = s
        .services
        .inboxes
        .update_inbox(
            &user,
            account_id,
            inbox_id,
            InboxPatch {
                name: b.name,
                api_key,
            },
        )
        .await?;
    Ok(Json(InboxAnswer::from(&view)))
}

/// Deletes an inbox and everything Greenlight kept about it (administrators).
#[utoipa::path(delete, operation_id = "inboxes_destroy", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}", tag = "inboxes",
    params(InboxPath),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn destroy(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    s.services
        .inboxes
        .delete_inbox(&user, account_id, inbox_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs the inbox's setup again (administrators).
#[utoipa::path(post, operation_id = "inboxes_retry_setup", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/setup", tag = "inboxes",
    params(InboxPath),
    responses((status = 200, body = InboxAnswer), (status = "4XX", body = ErrorBody)))]
pub async fn retry_setup(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
) -> Result<Json<InboxAnswer>, ApiError> {
    let view = s
        .services
        .inboxes
        .retry_setup(&user, account_id, inbox_id)
        .await?;
    Ok(Json(InboxAnswer::from(&view)))
}

/// Chatwoot's inbox members request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MembersBody {
    inbox_id: i64,
    #[serde(default)]
    user_ids: Vec<i64>,
}

async fn change(
    s: AppState,
    user: app::auth::CurrentUser,
    account_id: i64,
    b: MembersBody,
    how: MemberChange,
) -> Result<Json<Payload<MemberId>>, ApiError> {
    let ids = s
        .services
        .inboxes
        .change_members(&user, account_id, b.inbox_id, &b.user_ids, how)
        .await?;
    Ok(Json(Payload::of(ids.iter().map(|&id| MemberId { id }))))
}

/// Adds agents to an inbox (administrators).
#[utoipa::path(post, operation_id = "inboxes_members_add", path = "/api/v1/accounts/{account_id}/inbox_members", tag = "inboxes",
    params(AccountPath), request_body = MembersBody,
    responses((status = 200, body = Payload<MemberId>), (status = "4XX", body = ErrorBody)))]
pub async fn members_add(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    ApiJson(b): ApiJson<MembersBody>,
) -> Result<Json<Payload<MemberId>>, ApiError> {
    change(s, user, account_id, b, MemberChange::Add).await
}

/// Makes `user_ids` the inbox's agents (administrators).
#[utoipa::path(patch, operation_id = "inboxes_members_replace", path = "/api/v1/accounts/{account_id}/inbox_members", tag = "inboxes",
    params(AccountPath), request_body = MembersBody,
    responses((status = 200, body = Payload<MemberId>), (status = "4XX", body = ErrorBody)))]
pub async fn members_replace(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    ApiJson(b): ApiJson<MembersBody>,
) -> Result<Json<Payload<MemberId>>, ApiError> {
    change(s, user, account_id, b, MemberChange::Replace).await
}

/// Removes agents from an inbox (administrators).
#[utoipa::path(delete, operation_id = "inboxes_members_remove", path = "/api/v1/accounts/{account_id}/inbox_members", tag = "inboxes",
    params(AccountPath), request_body = MembersBody,
    responses((status = 200, body = Payload<MemberId>), (status = "4XX", body = ErrorBody)))]
pub async fn members_remove(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    ApiJson(b): ApiJson<MembersBody>,
) -> Result<Json<Payload<MemberId>>, ApiError> {
    change(s, user, account_id, b, MemberChange::Remove).await
}

/// The inbox's agents.
#[utoipa::path(get, operation_id = "inboxes_members_show", path = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/members", tag = "inboxes",
    params(InboxPath),
    responses((status = 200, body = Payload<MemberId>), (status = "4XX", body = ErrorBody)))]
pub async fn members_show(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
) -> Result<Json<Payload<MemberId>>, ApiError> {
    let ids = s
        .services
        .inboxes
        .inbox_members(&user, account_id, inbox_id)
        .await?;
    Ok(Json(Payload::of(ids.iter().map(|&id| MemberId { id }))))
}

/// A member of an inbox, by user id.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberId {
    id: i64,
}
