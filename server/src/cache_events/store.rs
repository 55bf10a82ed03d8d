//! The `cache_events` table: what one instance changed that others may hold in memory.
use crate::db::Db;

/// A stored event: its id, kind and key.
pub type Row = (i64, String, String);

/// Every SQL statement on `cache_events`.
#[derive(Clone)]
pub struct EventStore {
    db: Db,
}

impl EventStore {
    /// The store over this database.
    pub fn new(db: Db) -> Self {
        EventStore { db }
    }

    /// Records an event at `now` (unix seconds).
    pub async fn insert(&self, kind: &str, key: &str, now: i64) -> sqlx::Result<()> {
        sqlx::query("INSERT INTO cache_events (at, kind, key) VALUES ($1, $2, $3)")
            .bind(now)
            .bind(kind)
            .bind(key)
            .execute(&self.db)
            .await
            .map(|_| ())
    }

    /// Events stamped at or after `from` (unix seconds), oldest first.
    pub async fn since(&self, from: i64) -> sqlx::Result<Vec<Row>> {
        sqlx::query_as("SELECT id, kind, key FROM cache_events WHERE at >= $1 ORDER BY id")
            .bind(from)
            .fetch_all(&self.db)
            .await
    }

    /// Deletes events stamped before `before`.
    pub async fn prune(&self, before: i64) -> sqlx::Result<u64> {
        sqlx::query("DELETE FROM cache_events WHERE at < $1")
            .bind(before)
            .execute(&self.db)
            .await
            .map(|r| r.rows_affected())
    }
}
