//! The REST API under `/api/v1`, Chatwoot-compatible where Chatwoot has the same endpoint.
pub mod agents;
pub mod error;
pub mod events;
pub mod health;
pub mod inboxes;
pub mod json;
pub mod openapi;
pub mod portfolios;
pub mod profile;
pub mod registration;

use std::sync::{Arc, LazyLock};

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Every REST route with its documentation: `routes!` takes only handlers carrying
/// `#[utoipa::path]`, so the document cannot miss a route added here.
fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(profile::show, profile::update))
        .routes(routes!(profile::rotate_token))
        .routes(routes!(agents::list, agents::create))
        .routes(routes!(agents::update, agents::destroy))
        .routes(routes!(inboxes::list, inboxes::create))
        .routes(routes!(inboxes::show, inboxes::update, inboxes::destroy))
        .routes(routes!(inboxes::retry_setup))
        .routes(routes!(inboxes::members_show))
        .routes(routes!(
            inboxes::members_add,
            inboxes::members_replace,
            inboxes::members_remove
        ))
        .routes(routes!(registration::register_phone))
        .routes(routes!(registration::two_step_pin))
        .routes(routes!(registration::verification_request))
        .routes(routes!(registration::verification_verify))
        .routes(routes!(registration::display_name))
        .routes(routes!(health::show))
        .routes(routes!(health::history))
        .routes(routes!(portfolios::list))
        .routes(routes!(events::inbox_events))
        .routes(routes!(events::webhook_check))
        .routes(routes!(events::webhook_repair))
        .routes(routes!(events::notifications))
        .routes(routes!(events::notifications_read))
        .routes(routes!(events::webhooks_list, events::webhooks_create))
        .routes(routes!(events::webhooks_delete))
        .routes(routes!(events::webhooks_test))
        .routes(routes!(events::webhooks_deliveries))
        .routes(routes!(openapi::document))
}

/// The OpenAPI document, rendered once.
static DOCUMENT: LazyLock<Arc<str>> = LazyLock::new(|| {
    let (_, api) = documented().split_for_parts();
    api.to_json().unwrap_or_default().into()
});

/// The OpenAPI 3.1 document of the REST API (served at `/api/v1/openapi.json`).
pub fn openapi_json() -> Arc<str> {
    DOCUMENT.clone()
}

/// Routes of the REST API (`/api/v1/openapi.json` among them).
pub fn routes() -> Router<AppState> {
    let (router, _) = documented().split_for_parts();
    router.route_layer(axum::middleware::from_fn(json::json_errors))
}
