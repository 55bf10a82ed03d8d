//! `GET /api/v1/profile`: the signed-in user, their locale and accounts (Chatwoot's shape);
//! `PATCH /api/v1/profile`: name, password (with the current one) and locale;
//! `POST /api/v1/profile/access_token`: a new REST API token.
use app::port::RequestContext;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiUser, ErrorBody};
use super::json::ApiJson;
use crate::accounts::team::ProfilePatch;
use crate::services::Services;

/// Replaces the caller's API token; the answer is the only place the new one appears (never
/// cached). The old token gets 401 from now on.
#[utoipa::path(post, operation_id = "profile_rotate_token", path = "/api/v1/profile/access_token", tag = "profile",
    responses((status = 200, body = NewToken), (status = "4XX", body = ErrorBody)))]
pub async fn rotate_token(
    State(services): State<Services>,
    ApiUser(user): ApiUser,
) -> Result<impl IntoResponse, ApiError> {
    let token = services.accounts.rotate_api_token(&user.email).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(NewToken {
            access_token: token.expose_secret().to_string(),
        }),
    ))
}

/// The signed-in user, their locale and their accounts with roles.
#[utoipa::path(get, operation_id = "profile_show", path = "/api/v1/profile", tag = "profile",
    responses((status = 200, body = ProfileAnswer), (status = "4XX", body = ErrorBody)))]
pub async fn show(
    State(services): State<Services>,
    ApiUser(user): ApiUser,
) -> Result<Json<ProfileAnswer>, ApiError> {
    let profile = services.accounts.profile(&user).await?;
    let accounts = user
        .accounts
        .iter()
        .map(|m| ProfileAccount {
            id: m.account_id,
            name: m.account_name.clone(),
            role: m.role.as_str(),
        })
        .collect();
    Ok(Json(ProfileAnswer {
        id: user.id,
        name: user.name.clone(),
        email: user.email.clone(),
        locale: profile.locale.as_str().to_string(),
        locale_chosen: profile.locale_chosen,
        accounts,
    }))
}

/// The fields `PATCH /api/v1/profile` changes. `Debug` hides the passwords.
#[derive(Default, Deserialize, ToSchema)]
pub struct ProfileFields {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    locale: Option<String>,
    /// Required to change the password.
    #[serde(default)]
    #[schema(write_only)]
    current_password: Option<String>,
    /// The new password (at least 12 characters); ends the user's other sessions.
    #[serde(default)]
    #[schema(write_only)]
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfileBody {
    #[serde(default)]
    profile: Option<ProfileFields>,
    #[serde(flatten)]
    flat: ProfileFields,
}

/// Changes the caller's name, locale and/or password. A password change ends the user's other
/// sessions; the browser session making the request (if any) stays signed in.
#[utoipa::path(patch, operation_id = "profile_update", path = "/api/v1/profile", tag = "profile", request_body = ProfileBody,
    responses((status = 200, body = ProfileAnswer), (status = "4XX", body = ErrorBody)))]
pub async fn update(
    State(services): State<Services>,
    ApiUser(user): ApiUser,
    Extension(ctx): Extension<RequestContext>,
    ApiJson(b): ApiJson<ProfileBody>,
) -> Result<Json<ProfileAnswer>, ApiError> {
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

/// The new API token: shown once.
#[derive(Serialize, ToSchema)]
pub struct NewToken {
    access_token: String,
}

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileAnswer {
    id: i64,
    name: String,
    email: String,
    /// `en`, `pt-BR` or `es`: the chosen language, or the one the request's `Accept-Language`
    /// picks while none is chosen.
    locale: String,
    /// False while the user follows the browser's language (`PATCH` with `"locale": "auto"`).
    locale_chosen: bool,
    accounts: Vec<ProfileAccount>,
}

/// One of the user's accounts, with their role in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileAccount {
    id: i64,
    name: String,
    /// `administrator` or `agent`.
    role: &'static str,
}
