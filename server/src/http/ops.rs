//! Probes for operators and orchestrators.
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// How long the readiness probe waits for the database; a probe that hangs for the pool's whole
/// acquire timeout would only make the orchestrator's own timeout fire instead.
const READY_TIMEOUT: Duration = Duration::from_secs(3);

/// The database answers a query (SQLite or PostgreSQL, through the same pool the requests use).
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let query = crate::db::ping(&state.services.db);
    let answer = match tokio::time::timeout(READY_TIMEOUT, query).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {READY_TIMEOUT:?}")),
    };
    match answer {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ready"}))),
        Err(e) => {
            tracing::error!(
                error = %e,
                backend = crate::db::Backend::of(&state.services.db).name(),
                "readiness: database unreachable"
            );
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "error": "database unreachable"})),
            )
        }
    }
}
