//! The `cache_events` table: what one instance changed that others may hold in memory.
use crate::db::Db;

/// A stored event: its id, kind and key.
pub type Row = (i64, String, String);

/// Records an event at `now` (unix seconds).
pub async fn insert(db: &Db, kind: &str, key: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO cache_events (at, kind, key) VALUES ($1, $2, $3)")
        .bind(now)
        .bind(kind)
        .bind(key)
        .execute(db)
        .await
        .map(|_| ())
}

/// Events stamped at or after `from` (unix seconds), oldest first.
pub async fn since(db: &Db, from: i64) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as("SELECT id, kind, key FROM cache_events WHERE at >= $1 ORDER BY id")
        .bind(from)
        .fetch_all(db)
        .await
}

/// Deletes events stamped before `before`.
pub async fn prune(db: &Db, before: i64) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM cache_events WHERE at < $1")
        .bind(before)
        .execute(db)
        .await
        .map(|r| r.rows_affected())
}
