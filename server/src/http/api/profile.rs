//! `GET /api/v1/profile`: the signed-in user, their locale and accounts (Chatwoot's shape);
//! `PATCH /api/v1/profile`: name, password (with the current one) and locale;
//! `POST /api/v1/profile/access_token`: a new REST API token.
use app::port::RequestContext;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{ApiError, ApiUser};
use super::json::ApiJson;
use crate::accounts::team::ProfilePatch;
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

/// The signed-in user, their locale and their accounts with roles.
pub async fn show(
    State(services): State<Services>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    let profile = services.accounts.profile(&user).await?;
    let accounts: Vec<Value> = user
        .accounts
        .iter()
        .map(|m| json!({"id": m.account_id, "name": m.account_name, "role": m.role.as_str()}))
        .collect();
    Ok(Json(json!({
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "locale": profile.locale.as_str(),
        "accounts": accounts,
    })))
}

/// The fields `PATCH /api/v1/profile` changes. `Debug` hides the passwords.
#[derive(Default, Deserialize)]
pub struct ProfileFields {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    current_password: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

impl std::fmt::Debug for ProfileFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileFields")
            .field("name", &self.name)
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

/// Chatwoot nests the fields under `profile`; flat fields are accepted too.
#[derive(Debug, Deserialize)]
pub struct ProfileBody {
    #[serde(default)]
    profile: Option<ProfileFields>,
    #[serde(flatten)]
    flat: ProfileFields,
}

/// Changes the caller's name, locale and/or password. A password change ends the user's other
/// sessions; the browser session making the request (if any) stays signed in.
pub async fn update(
    State(services): State<Services>,
    ApiUser(user): ApiUser,
    Extension(ctx): Extension<RequestContext>,
    ApiJson(b): ApiJson<ProfileBody>,
) -> Result<Json<Value>, ApiError> {
    let f = b.profile.unwrap_or(b.flat);
    let changed = services
        .accounts
        .update_profile(
            &user,
            ProfilePatch {
                name: f.name,
                locale: f.locale,
                current_password: f.current_password,
                password: f.password,
            },
        )
        .await?;
    if changed.password_changed {
        ctx.session.keep(user.id).await?;
    }
    let user = services.accounts.user(user.id).await?;
    show(State(services), ApiUser(user)).await
}
