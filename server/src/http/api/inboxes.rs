//! Inboxes and inbox members, with Chatwoot's request and answer shapes.
use app::error::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{ApiError, ApiUser};
use super::json::ApiJson;
use crate::inboxes::service::{InboxPatch, InboxView, MemberChange, NewInbox};
use crate::state::AppState;

/// Chatwoot's inbox shape (without any secret).
pub fn inbox_json(v: &InboxView) -> Value {
    json!({
        "id": v.id,
        "account_id": v.account_id,
        "name": v.name,
        "channel_type": "Channel::Whatsapp",
        "provider": v.channel_type,
        "phone_number": v.phone_number,
        "provider_config": {
            "phone_number_id": v.phone_number_id,
            "business_account_id": v.business_account_id,
        },
        "business_id": v.business_id,
        "setup_error": v.setup_error,
        "created_at": v.created_at,
        "updated_at": v.updated_at,
    })
}

/// `provider_config` of an inbox request. `Debug` never shows the access token.
#[derive(Deserialize)]
pub struct ProviderConfig {
    #[serde(default)]
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

#[derive(Debug, Deserialize)]
pub struct Channel {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    provider_config: Option<ProviderConfig>,
}

#[derive(Debug, Deserialize)]
pub struct InboxBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    channel: Option<Channel>,
}

pub async fn list(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let list = s.services.inboxes.list_inboxes(&user, account_id).await?;
    Ok(Json(
        json!({"payload": list.iter().map(inbox_json).collect::<Vec<_>>()}),
    ))
}

pub async fn create(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    ApiJson(b): ApiJson<InboxBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let channel = b
        .channel
        .ok_or_else(|| AppError::invalid("channel", "channel is required."))?;
    if channel.kind.as_deref() != Some("whatsapp")
        || channel.provider.as_deref() != Some("whatsapp_cloud")
    {
        return Err(AppError::invalid(
            "channel",
            "Only WhatsApp Cloud inboxes are supported: channel.type \"whatsapp\", provider \"whatsapp_cloud\".",
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
    Ok((StatusCode::CREATED, Json(inbox_json(&view))))
}

pub async fn show(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
) -> Result<Json<Value>, ApiError> {
    let row = s
        .services
        .inboxes
        .inbox_for(&user, account_id, inbox_id)
        .await?;
    Ok(Json(inbox_json(&InboxView::from(&row))))
}

pub async fn update(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<InboxBody>,
) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(inbox_json(&view)))
}

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

pub async fn retry_setup(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
) -> Result<Json<Value>, ApiError> {
    let view = s
        .services
        .inboxes
        .retry_setup(&user, account_id, inbox_id)
        .await?;
    Ok(Json(inbox_json(&view)))
}

#[derive(Debug, Deserialize)]
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
) -> Result<Json<Value>, ApiError> {
    let ids = s
        .services
        .inboxes
        .change_members(&user, account_id, b.inbox_id, &b.user_ids, how)
        .await?;
    Ok(Json(
        json!({"payload": ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()}),
    ))
}

pub async fn members_add(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    ApiJson(b): ApiJson<MembersBody>,
) -> Result<Json<Value>, ApiError> {
    change(s, user, account_id, b, MemberChange::Add).await
}

pub async fn members_replace(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    ApiJson(b): ApiJson<MembersBody>,
) -> Result<Json<Value>, ApiError> {
    change(s, user, account_id, b, MemberChange::Replace).await
}

pub async fn members_remove(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path(account_id): Path<i64>,
    ApiJson(b): ApiJson<MembersBody>,
) -> Result<Json<Value>, ApiError> {
    change(s, user, account_id, b, MemberChange::Remove).await
}

pub async fn members_show(
    State(s): State<AppState>,
    ApiUser(user): ApiUser,
    Path((account_id, inbox_id)): Path<(i64, i64)>,
) -> Result<Json<Value>, ApiError> {
    let ids = s
        .services
        .inboxes
        .inbox_members(&user, account_id, inbox_id)
        .await?;
    Ok(Json(
        json!({"payload": ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()}),
    ))
}
