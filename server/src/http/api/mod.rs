//! The REST API under `/api/v1`, Chatwoot-compatible where Chatwoot has the same endpoint.
pub mod error;
pub mod profile;

use axum::routing::get;
use axum::Router;

use crate::startup::AppState;

/// Routes of the REST API.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/profile", get(profile::show))
}
