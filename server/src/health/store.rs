//! Health snapshots: every health read Greenlight made, good or failed.
use crate::db::Db;

/// A stored snapshot.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SnapshotRow {
    pub id: i64,
    pub inbox_id: i64,
    pub checked_at: i64,
    pub source: String,
    pub health_json: Option<String>,
    pub error_kind: Option<String>,
    pub error_message: Option<String>,
    pub registration_state: String,
}

const COLUMNS: &str =
    "id, inbox_id, checked_at, source, health_json, error_kind, error_message, registration_state";

/// What a new snapshot holds.
pub struct NewSnapshot<'a> {
    pub inbox_id: i64,
    pub checked_at: i64,
    pub source: &'a str,
    pub health_json: Option<&'a str>,
    pub error_kind: Option<&'a str>,
    pub error_message: Option<&'a str>,
    pub registration_state: &'a str,
}

pub async fn insert(db: &Db, s: NewSnapshot<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO health_snapshots (inbox_id, checked_at, source, health_json, error_kind, error_message,
         registration_state) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(s.inbox_id)
    .bind(s.checked_at)
    .bind(s.source)
    .bind(s.health_json)
    .bind(s.error_kind)
    .bind(s.error_message)
    .bind(s.registration_state)
    .fetch_one(db)
    .await
}

/// The newest snapshot, good or failed.
pub async fn latest(db: &Db, inbox_id: i64) -> sqlx::Result<Option<SnapshotRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM health_snapshots WHERE inbox_id = $1 ORDER BY checked_at DESC, id DESC LIMIT 1"
    ))
    .bind(inbox_id)
    .fetch_optional(db)
    .await
}

/// The newest snapshot whose read succeeded.
pub async fn latest_good(db: &Db, inbox_id: i64) -> sqlx::Result<Option<SnapshotRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM health_snapshots WHERE inbox_id = $1 AND health_json IS NOT NULL
         ORDER BY checked_at DESC, id DESC LIMIT 1"
    ))
    .bind(inbox_id)
    .fetch_optional(db)
    .await
}

/// Snapshots since a time, oldest first (bounded).
pub async fn since(
    db: &Db,
    inbox_id: i64,
    since: i64,
    limit: i64,
) -> sqlx::Result<Vec<SnapshotRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM (SELECT {COLUMNS} FROM health_snapshots WHERE inbox_id = $1 AND checked_at >= $2
         ORDER BY checked_at DESC, id DESC LIMIT $3) AS recent ORDER BY checked_at, id"
    ))
    .bind(inbox_id)
    .bind(since)
    .bind(limit)
    .fetch_all(db)
    .await
}
