//! The REST API under `/api/v1`, Chatwoot-compatible where Chatwoot has the same endpoint.
pub mod agents;
pub mod error;
pub mod events;
pub mod health;
pub mod inboxes;
pub mod json;
pub mod profile;
pub mod registration;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

/// Routes of the REST API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/profile", get(profile::show).patch(profile::update))
        .route(
            "/api/v1/accounts/{account_id}/agents",
            get(agents::list).post(agents::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/agents/{user_id}",
            axum::routing::patch(agents::update).delete(agents::destroy),
        )
        .route("/api/v1/profile/access_token", post(profile::rotate_token))
        .route(
            "/api/v1/accounts/{account_id}/inboxes",
            get(inboxes::list).post(inboxes::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}",
            get(inboxes::show)
                .patch(inboxes::update)
                .delete(inboxes::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/setup",
            post(inboxes::retry_setup),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/members",
            get(inboxes::members_show),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/register_phone",
            post(registration::register_phone),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/two_step_pin",
            post(registration::two_step_pin),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/verification/request",
            post(registration::verification_request),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/verification/verify",
            post(registration::verification_verify),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/display_name",
            post(registration::display_name),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health",
            get(health::show),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health/history",
            get(health::history),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/events",
            get(events::inbox_events),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/webhook_check",
            get(events::webhook_check),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/webhook_check/repair",
            post(events::webhook_repair),
        )
        .route(
            "/api/v1/accounts/{account_id}/notifications",
            get(events::notifications),
        )
        .route(
            "/api/v1/accounts/{account_id}/notifications/read",
            post(events::notifications_read),
        )
        .route(
            "/api/v1/accounts/{account_id}/alert_webhooks",
            get(events::webhooks_list).post(events::webhooks_create),
        )
        .route(
            "/api/v1/accounts/{account_id}/alert_webhooks/{id}",
            axum::routing::delete(events::webhooks_delete),
        )
        .route(
            "/api/v1/accounts/{account_id}/alert_webhooks/{id}/test",
            post(events::webhooks_test),
        )
        .route(
            "/api/v1/accounts/{account_id}/alert_webhooks/{id}/deliveries",
            get(events::webhooks_deliveries),
        )
        .route(
            "/api/v1/accounts/{account_id}/inbox_members",
            post(inboxes::members_add)
                .patch(inboxes::members_replace)
                .delete(inboxes::members_remove),
        )
        .route_layer(axum::middleware::from_fn(json::json_errors))
}
