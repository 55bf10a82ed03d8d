//! The REST API's OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
//! attributes and the answer types: every route is registered through [`super::routes`]'s
//! `OpenApiRouter`, so a documented route and a served route are one declaration.
use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

/// The document's fixed parts; the paths and schemas come from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Greenlight REST API",
        description = "WhatsApp Cloud API number health, registration and fixes. Chatwoot-compatible \
                       where Chatwoot has the same endpoint. Every error is JSON `{\"error\", \"field\"}`.",
        license(name = "MIT"),
    ),
    modifiers(&ApiToken),
    security(("api_access_token" = [])),
    tags(
        (name = "profile", description = "The signed-in user, and this document"),
        (name = "agents", description = "The account's members and invitations"),
        (name = "inboxes", description = "WhatsApp Cloud numbers and who may see them"),
        (name = "health", description = "What Meta says about a number, and the verdict"),
        (name = "registration", description = "Complete registration and the fixes beside it"),
        (name = "alerts", description = "Activity, notifications, alert webhooks and the webhook self-check"),
    )
)]
pub struct ApiDoc;

/// The `api_access_token` header (as in Chatwoot); a browser session cookie works too.
struct ApiToken;

impl Modify for ApiToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_access_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "api_access_token",
                "The user's API access token (Profile settings, or POST /api/v1/profile/access_token).",
            ))),
        );
    }
}

/// Chatwoot's list wrapper: `{"payload": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Payload<T> {
    pub payload: Vec<T>,
}

impl<T> Payload<T> {
    /// The wrapper around `items`.
    pub fn of(items: impl IntoIterator<Item = T>) -> Self {
        Payload {
            payload: items.into_iter().collect(),
        }
    }
}

/// `{account_id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct AccountPath {
    /// The account's id.
    account_id: i64,
}

/// `{account_id}/.../{inbox_id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct InboxPath {
    /// The account's id.
    account_id: i64,
    /// The inbox's id.
    inbox_id: i64,
}

/// `{account_id}/agents/{user_id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct AgentPath {
    /// The account's id.
    account_id: i64,
    /// The member's user id.
    user_id: i64,
}

/// `{account_id}/alert_webhooks/{id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct AlertWebhookPath {
    /// The account's id.
    account_id: i64,
    /// The alert webhook's id.
    id: i64,
}

/// This document (public: it describes the API and holds no data).
#[utoipa::path(get, operation_id = "openapi_document", path = "/api/v1/openapi.json", tag = "profile", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn document() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        super::openapi_json().to_string(),
    )
}
